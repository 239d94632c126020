/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: character classes (the C locale's, close to the kernel's). */
#ifndef _SHIM_LINUX_CTYPE_H
#define _SHIM_LINUX_CTYPE_H

#include <ctype.h>

#endif /* _SHIM_LINUX_CTYPE_H */
