/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: glibc has the string functions the model uses (_GNU_SOURCE). */
#ifndef _SHIM_LINUX_STRING_H
#define _SHIM_LINUX_STRING_H

#include <ctype.h>
#include <string.h>

static inline char *skip_spaces(const char *str)
{
	while (isspace(*str))
		str++;
	return (char *)str;
}

#endif /* _SHIM_LINUX_STRING_H */
