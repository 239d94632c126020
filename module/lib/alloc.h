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

/*
 * A share of the budget, a session's: while a thread runs a session's
 * command, between pb_account_enter() and pb_account_leave(), its
 * allocations and frees count in @used too, and one that would take @used
 * past @limit fails and counts in @refusals (and in budget_refusals).  One
 * that the module's budget refuses counts in @module_refusals (and in
 * budget_refusals): what this account's commands hit, whatever other
 * sessions hit meanwhile.
 */
struct pb_account {
	atomic64_t used;
	atomic64_t limit;
	atomic64_t refusals;
	atomic64_t module_refusals;
	int slot;		/* in the table of active accounts, or -1 */
};

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

void pb_account_init(struct pb_account *acct, u64 limit);
/* Set the limit, 1 up to budget_bytes: 0 or -EINVAL. */
int pb_account_set_limit(struct pb_account *acct, u64 limit);
/*
 * Charge the calling thread's allocations to @acct until pb_account_leave().
 * The caller keeps the accounts that are entered at once to at most
 * PB_SESSIONS_MAX (one per live session).
 */
void pb_account_enter(struct pb_account *acct);
void pb_account_leave(struct pb_account *acct);

void *pb_zalloc(size_t size);
/*
 * As pb_zalloc(), not zeroed: for a large table whose user never reads an
 * entry it has not written.
 */
void *pb_alloc(size_t size);
void pb_free(void *p, size_t size);
/* Whole pages from vmalloc, for buffers of tens of KiB. */
void *pb_vzalloc(size_t size);
/* As pb_vzalloc(), but outside the budget: for the stats file only. */
void *pb_vzalloc_unbudgeted(size_t size);
void pb_vfree(void *p, size_t size);
/*
 * A page-table page (descriptors or children) of @size bytes: whole zeroed
 * pages from the page allocator, as pagetable_alloc() takes them; free it
 * with pb_pt_free() of the same @size.
 */
void *pb_pt_zalloc(size_t size);
void pb_pt_free(void *p, size_t size);

#endif /* _PB_LIB_ALLOC_H */
