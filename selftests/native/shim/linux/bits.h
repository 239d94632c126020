/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: single bits and contiguous masks. */
#ifndef _SHIM_LINUX_BITS_H
#define _SHIM_LINUX_BITS_H

#define BIT(nr)			(1UL << (nr))
#define BIT_ULL(nr)		(1ULL << (nr))
/* Bits h..l set, h >= l, as in the kernel. */
#define GENMASK(h, l)		((~0UL << (l)) & (~0UL >> (63 - (h))))
#define GENMASK_ULL(h, l)	((~0ULL << (l)) & (~0ULL >> (63 - (h))))

#endif /* _SHIM_LINUX_BITS_H */
