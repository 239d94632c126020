/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native shim: the error numbers.  The uapi ones are the kernel's; glibc's
 * <errno.h> includes this file too, so it must not include <errno.h>.
 */
#ifndef _SHIM_LINUX_ERRNO_H
#define _SHIM_LINUX_ERRNO_H

#include <asm/errno.h>

#endif /* _SHIM_LINUX_ERRNO_H */
