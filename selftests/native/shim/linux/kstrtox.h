/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native shim: kstrtou64() with the kernel's rules.  Base 0 means 0x hex,
 * leading 0 octal, else decimal; an optional '+'; a single trailing newline;
 * -EINVAL for anything else and -ERANGE when the value does not fit.
 */
#ifndef _SHIM_LINUX_KSTRTOX_H
#define _SHIM_LINUX_KSTRTOX_H

#include <ctype.h>
#include <linux/types.h>
#include <linux/errno.h>

static inline int kstrtoull(const char *s, unsigned int base, u64 *res)
{
	bool hex;
	const char *p;
	u64 val = 0;

	if (*s == '+')
		s++;
	hex = s[0] == '0' && (s[1] | 0x20) == 'x';
	if (!base)
		base = hex && isxdigit((unsigned char)s[2]) ? 16 :
		       s[0] == '0' ? 8 : 10;
	if (base == 16 && hex)
		s += 2;
	for (p = s; *p; p++) {
		unsigned int d = isdigit((unsigned char)*p) ? *p - '0' :
				 isxdigit((unsigned char)*p) ? (*p | 0x20) - 'a' + 10 : 16;

		if (d >= base)
			break;
		if (__builtin_mul_overflow(val, base, &val) ||
		    __builtin_add_overflow(val, d, &val))
			return -ERANGE;
	}
	if (p == s)
		return -EINVAL;
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	*res = val;
	return 0;
}

static inline int kstrtou64(const char *s, unsigned int base, u64 *res)
{
	return kstrtoull(s, base, res);
}

#endif /* _SHIM_LINUX_KSTRTOX_H */
