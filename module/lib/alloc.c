// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the one allocation helper and its fault injection.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/sched.h>

#include "uapi/ptebatch.h"
#include "lib/alloc.h"
#include "lib/counters.h"

/* vmalloc's unit, the kernel's page. */
#define PB_VMALLOC_UNIT	PAGE_SIZE

atomic_t pb_fail_nth;
atomic64_t pb_budget_bytes = ATOMIC64_INIT(S64_MAX);
u64 pb_budget_max = S64_MAX;

/*
 * Under memory pressure an allocation of the module fails rather than wake
 * the OOM killer, which would kill the caller or take the machine down
 * ("System is deadlocked on memory"): the command then fails with ENOMEM.
 */
#define PB_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

void pb_budget_init(u64 bytes)
{
	pb_budget_max = bytes;
	atomic64_set(&pb_budget_bytes, bytes);
}

int pb_budget_set(u64 bytes)
{
	if (!bytes || bytes > pb_budget_max)
		return -EINVAL;
	atomic64_set(&pb_budget_bytes, bytes);
	return 0;
}

/*
 * The accounts entered now, each with the thread that entered it: the kernel
 * has no field of the task for a module to hang its own context on (unlike
 * set_active_memcg(), which has current->active_memcg), so an allocation
 * finds its thread's account by looking for current here.  Only the thread
 * itself writes or clears its slot, so the account it finds stays entered.
 */
static struct task_struct *pb_acct_task[PB_SESSIONS_MAX];
static struct pb_account *pb_acct[PB_SESSIONS_MAX];
/* Slots below this have been used: the lookup scans no further. */
static unsigned int pb_acct_hi;
static DEFINE_MUTEX(pb_acct_lock);

void pb_account_init(struct pb_account *acct, u64 limit)
{
	atomic64_set(&acct->used, 0);
	atomic64_set(&acct->limit, limit);
	atomic64_set(&acct->refusals, 0);
	atomic64_set(&acct->module_refusals, 0);
	acct->slot = -1;
}

int pb_account_set_limit(struct pb_account *acct, u64 limit)
{
	if (!limit || limit > (u64)atomic64_read(&pb_budget_bytes))
		return -EINVAL;
	atomic64_set(&acct->limit, limit);
	return 0;
}

void pb_account_enter(struct pb_account *acct)
{
	unsigned int i;

	mutex_lock(&pb_acct_lock);
	for (i = 0; i < PB_SESSIONS_MAX && pb_acct_task[i]; i++)
		;
	if (i < PB_SESSIONS_MAX) {
		pb_acct[i] = acct;
		WRITE_ONCE(pb_acct_task[i], current);
		if (i >= pb_acct_hi)
			WRITE_ONCE(pb_acct_hi, i + 1);
		acct->slot = i;
	}
	mutex_unlock(&pb_acct_lock);
}

void pb_account_leave(struct pb_account *acct)
{
	if (acct->slot < 0)
		return;
	mutex_lock(&pb_acct_lock);
	WRITE_ONCE(pb_acct_task[acct->slot], NULL);
	pb_acct[acct->slot] = NULL;
	acct->slot = -1;
	mutex_unlock(&pb_acct_lock);
}

/* The account the calling thread entered, or NULL. */
static struct pb_account *pb_account_current(void)
{
	unsigned int i, hi = READ_ONCE(pb_acct_hi);

	for (i = 0; i < hi; i++)
		if (READ_ONCE(pb_acct_task[i]) == current)
			return pb_acct[i];
	return NULL;
}

/*
 * Take @size bytes of the budget, in live_bytes itself, so that concurrent
 * sessions cannot both pass the check, and of the calling thread's account;
 * false (and counted) if either would go past its limit.
 */
static bool pb_budget_take(size_t size)
{
	struct pb_account *acct = pb_account_current();
	s64 live = atomic64_add_return(size, &pb_counters[PB_CNT_live_bytes]);

	/* The module's budget first: past both, it is the one to name. */
	if (live > atomic64_read(&pb_budget_bytes)) {
		atomic64_sub(size, &pb_counters[PB_CNT_live_bytes]);
		if (acct)
			atomic64_add(1, &acct->module_refusals);
		pb_count(PB_CNT_budget_refusals, 1);
		return false;
	}
	if (acct && atomic64_add_return(size, &acct->used) >
		    atomic64_read(&acct->limit)) {
		atomic64_sub(size, &acct->used);
		atomic64_sub(size, &pb_counters[PB_CNT_live_bytes]);
		atomic64_add(1, &acct->refusals);
		pb_count(PB_CNT_budget_refusals, 1);
		return false;
	}
	return true;
}

/* Give back what pb_budget_take() took. */
static void pb_budget_give(size_t size)
{
	struct pb_account *acct = pb_account_current();

	if (acct)
		atomic64_sub(size, &acct->used);
	pb_count(PB_CNT_live_bytes, -(s64)size);
}

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
bool pb_budget_charge(size_t size)
{
	return pb_budget_take(size);
}

void pb_budget_uncharge(size_t size)
{
	pb_budget_give(size);
}

static void *__pb_alloc(size_t size, bool zero)
{
	void *p;

	if (pb_should_fail()) {
		pb_count(PB_CNT_alloc_failures_injected, 1);
		return NULL;
	}
	if (!pb_budget_take(size))
		return NULL;
	p = zero ? kvzalloc(size, PB_GFP) : kvmalloc(size, PB_GFP);
	if (!p) {
		pb_budget_give(size);
		return NULL;
	}
	pb_count(PB_CNT_allocs, 1);
	return p;
}

void *pb_zalloc(size_t size)
{
	return __pb_alloc(size, true);
}

void *pb_alloc(size_t size)
{
	return __pb_alloc(size, false);
}

/*
 * A large buffer from vmalloc, which hands out whole pages and never asks the
 * page allocator for a high order: kvzalloc() would give a kmalloc() of the
 * next power of two.  live_bytes counts the pages.
 */
static void *__pb_vzalloc(size_t size, bool budgeted)
{
	size_t real = ALIGN(size, PB_VMALLOC_UNIT);
	void *p;

	if (pb_should_fail()) {
		pb_count(PB_CNT_alloc_failures_injected, 1);
		return NULL;
	}
	if (!budgeted)
		pb_count(PB_CNT_live_bytes, real);
	else if (!pb_budget_take(real))
		return NULL;
	p = __vmalloc(real, PB_GFP | __GFP_ZERO);
	if (!p) {
		if (budgeted)
			pb_budget_give(real);
		else
			pb_count(PB_CNT_live_bytes, -(s64)real);
		return NULL;
	}
	pb_count(PB_CNT_allocs, 1);
	return p;
}

void *pb_vzalloc(size_t size)
{
	return __pb_vzalloc(size, true);
}

/*
 * The stats file's buffer, taken past the budget: the file must open when
 * the budget is spent, to show why.  One per open, freed at close.
 */
void *pb_vzalloc_unbudgeted(size_t size)
{
	return __pb_vzalloc(size, false);
}

void pb_vfree(void *p, size_t size)
{
	if (!p)
		return;
	pb_budget_give(ALIGN(size, PB_VMALLOC_UNIT));
	vfree(p);
}

/*
 * Page-table pages come from the page allocator, as pagetable_alloc() takes
 * them (__get_free_pages() of the table's order, zeroed), not from the slab:
 * under the guests' slub_debug a 4 KiB kmalloc() of a leaf table cost some
 * 28,000 instructions, more than the fork copy of its 512 entries.  Below a
 * kernel page (a 4K model granule in a 16K kernel), or above
 * PB_PT_MAX_ORDER, where a high order may not be there when wanted, the
 * slab or vmalloc as pb_zalloc() does.  live_bytes counts the pages.
 */
#define PB_PT_MAX_ORDER	3

static int pb_pt_order(size_t size)
{
	int order = 0;

	if (size < PAGE_SIZE)
		return -1;
	while ((PAGE_SIZE << order) < size)
		order++;
	return order <= PB_PT_MAX_ORDER ? order : -1;
}

void *pb_pt_zalloc(size_t size)
{
	int order = pb_pt_order(size);
	void *p;

	if (order < 0)
		return pb_zalloc(size);
	if (pb_should_fail()) {
		pb_count(PB_CNT_alloc_failures_injected, 1);
		return NULL;
	}
	if (!pb_budget_take(PAGE_SIZE << order))
		return NULL;
	p = (void *)__get_free_pages(PB_GFP | __GFP_ZERO, order);
	if (!p) {
		pb_budget_give(PAGE_SIZE << order);
		return NULL;
	}
	pb_count(PB_CNT_allocs, 1);
	return p;
}

void pb_pt_free(void *p, size_t size)
{
	int order = pb_pt_order(size);

	if (!p)
		return;
	if (order < 0) {
		pb_free(p, size);
		return;
	}
	pb_budget_give(PAGE_SIZE << order);
	free_pages((unsigned long)p, order);
}

void pb_free(void *p, size_t size)
{
	if (!p)
		return;
	pb_budget_give(size);
	kvfree(p);
}
