/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: READ_ONCE() and WRITE_ONCE(), as relaxed atomics for TSan. */
#ifndef _SHIM_LINUX_COMPILER_H
#define _SHIM_LINUX_COMPILER_H

#include <linux/compiler_types.h>

#endif /* _SHIM_LINUX_COMPILER_H */
