// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: in-kernel timing of one path on a private mm, in the way of
 * mm/gup_test.c: the clock runs around the operation only, set-up and
 * teardown stay outside it.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "lib/alloc.h"
#include "model/mm.h"
#include "paths/fork.h"
#include "paths/mprotect.h"
#include "paths/zap.h"
#include "tools/bench.h"

/* fork() of @mm, or the child's exit, timed; the rest goes untimed. */
int pb_bench_fork(struct pb_mm *mm, bool zap, u64 *ns)
{
	struct pb_mm *child;
	const char *why;
	unsigned int i;
	u64 t0;

	t0 = ktime_get_ns();
	child = pb_fork(mm, PB_MM_ID_NONE, &why);
	if (IS_ERR(child))
		return PTR_ERR(child);
	*ns = ktime_get_ns() - t0;
	if (zap) {
		/* The child's exit: every VMA zapped with full = true. */
		t0 = ktime_get_ns();
		for (i = 0; i < child->nr_vmas; i++)
			pb_zap_range(child, child->vmas[i].start, child->vmas[i].end);
		*ns = ktime_get_ns() - t0;
	}
	pb_mm_destroy(child);
	return 0;
}

/* mprotect(PROT_READ) then mprotect(PROT_READ | PROT_WRITE) of every VMA. */
int pb_bench_mprotect(struct pb_mm *mm, u64 *ns)
{
	const char *why;
	unsigned int i;
	int ret = 0;
	u64 t0;

	/* Whole VMAs: nothing splits, so the table stays as it is. */
	t0 = ktime_get_ns();
	for (i = 0; i < mm->nr_vmas && !ret; i++) {
		u64 start = mm->vmas[i].start, end = mm->vmas[i].end;

		ret = pb_mprotect(mm, start, end, PB_VM_READ, &why);
		if (!ret)
			ret = pb_mprotect(mm, start, end, PB_VM_READ | PB_VM_WRITE,
					  &why);
	}
	*ns = ktime_get_ns() - t0;
	return ret;
}

/*
 * Partial unmaps, as munmap() of part of every folio (without the VMA
 * splits, which the 64 VMAs of an mm would not allow: zap_page_range_single()
 * as MADV_DONTNEED does): first the first page of every @stride bytes of
 * every VMA, which leaves each large folio partly mapped and on the
 * deferred-split queue (a queue as long as the mm has folios), then the rest
 * of each stride, which takes each folio off the queue as it is freed.  Both
 * passes are timed.  Per PTE this must cost the same at any size of mm: a
 * queue walked on removal would make it grow with the queue.
 */
int pb_bench_zap_partial(struct pb_mm *mm, u64 stride, u64 *ns)
{
	u64 psize = pb_page_size(&mm->geom), t0, va;
	unsigned int i;

	t0 = ktime_get_ns();
	for (i = 0; i < mm->nr_vmas; i++)
		for (va = mm->vmas[i].start; va < mm->vmas[i].end; va += stride)
			pb_zap_range(mm, va, va + psize);
	for (i = 0; i < mm->nr_vmas; i++)
		for (va = mm->vmas[i].start; va < mm->vmas[i].end; va += stride)
			pb_zap_range(mm, va + psize,
				     min(va + stride, mm->vmas[i].end));
	*ns = ktime_get_ns() - t0;
	return 0;
}

/* The bound: a memcpy() of @bytes, at most PB_BENCH_MEMCPY_MAX. */
int pb_bench_memcpy(u64 bytes, u64 *ns)
{
	void *from, *to;
	u64 t0;

	from = pb_zalloc(bytes);
	to = pb_zalloc(bytes);
	if (!from || !to) {
		pb_free(from, bytes);
		pb_free(to, bytes);
		return -ENOMEM;
	}
	memset(from, 0x5a, bytes);
	t0 = ktime_get_ns();
	memcpy(to, from, bytes);
	*ns = ktime_get_ns() - t0;
	pb_free(from, bytes);
	pb_free(to, bytes);
	return 0;
}
