/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the one allocation helper and its fault injection.
 */
#ifndef _PB_LIB_ALLOC_H
#define _PB_LIB_ALLOC_H

#include <linux/types.h>
#include <linux/atomic.h>

/* Fault injection: the Nth allocation from now fails, once (0: off). */
extern atomic_t pb_fail_nth;
/*
 * The memory budget: an allocation that would take live_bytes past it fails
 * and counts in budget_refusals.  Unlimited until pb_budget_init().
 */
extern atomic64_t pb_budget_bytes;
extern u64 pb_budget_max;

/* Set the budget and its ceiling to @bytes. */
void pb_budget_init(u64 bytes);
/* Set the budget, 1..pb_budget_max bytes: 0 or -EINVAL. */
int pb_budget_set(u64 bytes);
/*
 * Memory the module takes from the kernel other than through pb_zalloc()
 * (the kernel shadow's real folios): counted in live_bytes and the budget.
 */
bool pb_budget_charge(size_t size);
void pb_budget_uncharge(size_t size);

void *pb_zalloc(size_t size);
void pb_free(void *p, size_t size);
/* Whole pages from vmalloc, for buffers of tens of KiB. */
void *pb_vzalloc(size_t size);
/* As pb_vzalloc(), but outside the budget: for the stats file only. */
void *pb_vzalloc_unbudgeted(size_t size);
void pb_vfree(void *p, size_t size);

#endif /* _PB_LIB_ALLOC_H */
