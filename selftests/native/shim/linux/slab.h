/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: kernel allocations are calloc()/free(); GFP flags are ignored. */
#ifndef _SHIM_LINUX_SLAB_H
#define _SHIM_LINUX_SLAB_H

#include <stdlib.h>
#include <linux/types.h>

#define GFP_KERNEL		0U
#define GFP_KERNEL_ACCOUNT	0U
#define __GFP_ZERO		0U
#define __GFP_NOWARN		0U
#define __GFP_RETRY_MAYFAIL	0U

static inline void *kzalloc(size_t size, unsigned int flags)
{
	return calloc(1, size);
}

static inline void *kvzalloc(size_t size, unsigned int flags)
{
	return calloc(1, size);
}

static inline void *kvmalloc(size_t size, unsigned int flags)
{
	return malloc(size);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}

#endif /* _SHIM_LINUX_SLAB_H */
