// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the one allocation helper and its fault injection.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/atomic.h>

#include "lib/alloc.h"
#include "lib/counters.h"

/* vmalloc's unit, the kernel's page. */
#define PB_VMALLOC_UNIT	PAGE_SIZE

atomic_t pb_fail_nth;

/* Consume one step of fail_nth; true when this allocation must fail. */
static bool pb_should_fail(void)
{
	int old = atomic_read(&pb_fail_nth);

	while (old > 0) {
		if (atomic_try_cmpxchg(&pb_fail_nth, &old, old - 1))
			return old == 1;
	}
	return false;
}

/*
 * Every object of the module is allocated here, so that one knob can make any
 * allocation fail and live_bytes accounts for all of them.
 */
void *pb_zalloc(size_t size)
{
	void *p;

	if (pb_should_fail()) {
		pb_count(PB_CNT_alloc_failures_injected, 1);
		return NULL;
	}
	p = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	pb_count(PB_CNT_allocs, 1);
	pb_count(PB_CNT_live_bytes, size);
	return p;
}

/*
 * A large buffer from vmalloc, which hands out whole pages and never asks the
 * page allocator for a high order: kvzalloc() would give a kmalloc() of the
 * next power of two.  live_bytes counts the pages.
 */
void *pb_vzalloc(size_t size)
{
	size_t real = ALIGN(size, PB_VMALLOC_UNIT);
	void *p;

	if (pb_should_fail()) {
		pb_count(PB_CNT_alloc_failures_injected, 1);
		return NULL;
	}
	p = vzalloc(real);
	if (!p)
		return NULL;
	pb_count(PB_CNT_allocs, 1);
	pb_count(PB_CNT_live_bytes, real);
	return p;
}

void pb_vfree(void *p, size_t size)
{
	if (!p)
		return;
	pb_count(PB_CNT_live_bytes, -(s64)ALIGN(size, PB_VMALLOC_UNIT));
	vfree(p);
}

void pb_free(void *p, size_t size)
{
	if (!p)
		return;
	pb_count(PB_CNT_live_bytes, -(s64)size);
	kvfree(p);
}
