/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native shim: the kernel's fixed-size types, for the model built as an
 * ordinary program (selftests/native).
 */
#ifndef _SHIM_LINUX_TYPES_H
#define _SHIM_LINUX_TYPES_H

#include <linux/compiler_types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <asm/types.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;

#endif /* _SHIM_LINUX_TYPES_H */
