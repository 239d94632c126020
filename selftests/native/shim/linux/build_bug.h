/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: compile-time assertions, as <linux/build_bug.h> has them. */
#ifndef _SHIM_LINUX_BUILD_BUG_H
#define _SHIM_LINUX_BUILD_BUG_H

/* A negative array size when @cond holds: the build fails. */
#define BUILD_BUG_ON(cond)	((void)sizeof(char[1 - 2 * !!(cond)]))

#endif /* _SHIM_LINUX_BUILD_BUG_H */
