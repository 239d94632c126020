/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: vmalloc memory is heap memory too. */
#ifndef _SHIM_LINUX_VMALLOC_H
#define _SHIM_LINUX_VMALLOC_H

#include <linux/slab.h>

/* The page size of the kernels the module is built for, at its smallest. */
#ifndef PAGE_SIZE
#define PAGE_SIZE	4096UL
#endif

static inline void *vzalloc(size_t size)
{
	return calloc(1, size);
}

static inline void *__vmalloc(size_t size, unsigned int gfp)
{
	return calloc(1, size);
}

/* No lazily freed vmap areas to purge. */
static inline void vm_unmap_aliases(void)
{
}

static inline void vfree(const void *p)
{
	free((void *)p);
}

#endif /* _SHIM_LINUX_VMALLOC_H */
