/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: the helpers of <linux/kernel.h> and friends that the model uses. */
#ifndef _SHIM_LINUX_KERNEL_H
#define _SHIM_LINUX_KERNEL_H

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <linux/types.h>
#include <linux/bits.h>

#define U32_MAX		((u32)~0U)
#define U64_MAX		((u64)~0ULL)
#define S64_MAX		((s64)(U64_MAX >> 1))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr)	(sizeof(arr) / sizeof((arr)[0]))
#endif

#define ALIGN(x, a) ({						\
	typeof(x) __mask = (typeof(x))(a) - 1;				\
	((x) + __mask) & ~__mask; })
#define DIV_ROUND_UP(n, d) ({						\
	typeof(d) __d = (d);						\
	((n) + __d - 1) / __d; })

/* Both operands of the same type, as the kernel insists. */
#define min(x, y) ({							\
	typeof(x) __x = (x);						\
	typeof(y) __y = (y);						\
	(void)(&__x == &__y);						\
	__x < __y ? __x : __y; })
#define max(x, y) ({							\
	typeof(x) __x = (x);						\
	typeof(y) __y = (y);						\
	(void)(&__x == &__y);						\
	__x > __y ? __x : __y; })
#define min_t(type, x, y) min((type)(x), (type)(y))
#define max_t(type, x, y) max((type)(x), (type)(y))

/* Characters written, without the NUL: at most size - 1. */
static inline __printf(3, 0) int vscnprintf(char *buf, size_t size,
					    const char *fmt, va_list args)
{
	int n;

	if (!size)
		return 0;
	n = vsnprintf(buf, size, fmt, args);
	if (n < 0)
		return 0;
	return (size_t)n < size ? n : (int)(size - 1);
}

static inline __printf(3, 4) int scnprintf(char *buf, size_t size,
					   const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vscnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

#endif /* _SHIM_LINUX_KERNEL_H */
