/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: glibc has the string functions the model uses (_GNU_SOURCE). */
#ifndef _SHIM_LINUX_STRING_H
#define _SHIM_LINUX_STRING_H

#include <string.h>

#endif /* _SHIM_LINUX_STRING_H */
