/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: pages of the page allocator are aligned heap memory. */
#ifndef _SHIM_LINUX_GFP_H
#define _SHIM_LINUX_GFP_H

#include <stdlib.h>
#include <string.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

/* Zeroed, as the module always asks with __GFP_ZERO. */
static inline unsigned long __get_free_pages(unsigned int gfp, unsigned int order)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE << order);

	if (p)
		memset(p, 0, PAGE_SIZE << order);
	return (unsigned long)p;
}

static inline void free_pages(unsigned long addr, unsigned int order)
{
	free((void *)addr);
}

#endif /* _SHIM_LINUX_GFP_H */
