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
#include <linux/vmalloc.h>

#include "lib/alloc.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/tlb.h"
#include "paths/fork.h"
#include "paths/mprotect.h"
#include "paths/zap.h"
#include "tools/bench.h"

/*
 * fork() of @mm, or the child's exit, timed; the rest goes untimed.  A fork
 * also gives its phases in @t (the clock reads between them are inside
 * *@ns, a few instructions each).  @child_counts, if not NULL, gets what the
 * timed part counted on the child mm, which the parent's counters miss: a
 * fork's refcount and mapcount atomics fall on the child, as
 * copy_present_ptes() charges its folio_ref_add() and rmap dup to the new
 * mm, and so does all of the child's exit.
 */
int pb_bench_fork(struct pb_mm *mm, bool zap, u64 *ns, struct pb_fork_times *t,
		  u64 child_counts[PB_NR_MM_COUNTERS])
{
	u64 before[PB_NR_MM_COUNTERS];
	struct pb_mm *child;
	const char *why;
	unsigned int i;
	u64 t0;

	/*
	 * The vmap areas that earlier mms freed lazily (an arena's sections
	 * are vmalloc'd) are purged now, outside the timing: else the purge
	 * falls, now and then, on the child mm's vmalloc in the timed part,
	 * some 6 million instructions that are none of this fork's work.
	 */
	vm_unmap_aliases();
	t0 = ktime_get_ns();
	child = pb_fork_timed(mm, PB_MM_ID_NONE, &why, t);
	if (IS_ERR(child))
		return PTR_ERR(child);
	*ns = ktime_get_ns() - t0;
	/* A fork's share is all the new mm counted; an exit's, its zap's. */
	memcpy(before, child->counters, sizeof(before));
	if (zap) {
		/* The child's exit: every VMA zapped with full = true. */
		t0 = ktime_get_ns();
		for (i = 0; i < child->nr_vmas; i++)
			pb_zap_range(child, child->vmas[i].start, child->vmas[i].end);
		*ns = ktime_get_ns() - t0;
	} else {
		memset(before, 0, sizeof(before));
	}
	for (i = 0; child_counts && i < PB_NR_MM_COUNTERS; i++)
		child_counts[i] = child->counters[i] - before[i];
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

/*
 * The bounds, each over @bytes (the page-table bytes of what the op maps),
 * at most PB_BENCH_MEMCPY_MAX: a memcpy() for fork's copy of the entries, a
 * memset() for zap, which only clears them, and two read-modify-write
 * passes, entry by entry, for the mprotect round trip (RO then RW again).
 */
int pb_bench_bound(enum pb_bench_bound op, u64 bytes, u64 *ns)
{
	u64 *from, *to;
	size_t i, n = bytes / sizeof(u64);
	unsigned int pass;
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
	switch (op) {
	case PB_BENCH_MEMCPY:
		memcpy(to, from, bytes);
		break;
	case PB_BENCH_MEMSET:
		memset(from, 0, bytes);
		break;
	case PB_BENCH_RMW:
		/* As ptep_modify_prot_start()/commit(): a load and a store each. */
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < n; i++)
				WRITE_ONCE(from[i], READ_ONCE(from[i]) ^ PB_PTE_RDONLY);
		break;
	}
	*ns = ktime_get_ns() - t0;
	pb_free(from, bytes);
	pb_free(to, bytes);
	return 0;
}

/* The semantic floor of a fork: the parent's entries, copied out. */
struct pb_floor {
	pb_pte_t *parent;
	u64 nr;
};

static void pb_floor_copy(struct pb_mm *mm, pb_pte_t *table, u64 va,
			  u64 start, u64 end, void *arg)
{
	struct pb_floor *f = arg;
	unsigned int shift = mm->geom.page_shift, i, last;
	u64 span = (u64)pb_ptrs_per_table(&mm->geom) << shift;

	i = start > va ? (start - va) >> shift : 0;
	last = end - va < span ? (end - va) >> shift : pb_ptrs_per_table(&mm->geom);
	memcpy(&f->parent[f->nr], &table[i], (last - i) * sizeof(*table));
	f->nr += last - i;
}

/*
 * The least a fork of @mm must do: per PTE, read the parent's entry, write
 * it back write-protected and write the child's; per page, the
 * anon-exclusive test-and-clear and, where the profile keeps it (not
 * CONFIG_NO_PAGE_MAPCOUNT, or a small folio), the per-page mapcount; per
 * batch (a folio's entries in one table) one refcount add.  It works on
 * copies, so that @mm changes in nothing: the parent's entries copied out of
 * its tables, table after table, a scratch copy of the arena's pages, every
 * one anon-exclusive, and one buffer for the child's entries.  Every folio is
 * taken to be the size of the first mapped one, as the bench maps them.
 */
int pb_bench_floor(struct pb_mm *mm, u64 *ns)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_phys *p = mm->phys;
	struct pb_floor f = { };
	u64 nr = 0, bytes, meta_bytes, i, t, mask, base, nr_pages, t0;
	unsigned int v, per_table = pb_ptrs_per_table(g);
	struct pb_page *head = NULL, *meta, *page;
	pb_pte_t *child, *parent, *ptep, pte;
	struct pb_geom geo;
	bool mapcount;

	for (v = 0; v < mm->nr_vmas; v++) {
		const struct pb_vma *vma = &mm->vmas[v];
		u64 va;

		nr += (vma->end - vma->start) >> g->page_shift;
		for (va = vma->start; !head && va < vma->end; va += pb_page_size(g)) {
			ptep = pb_pte_offset(mm, va, false);
			if (ptep && pb_pte_present(*ptep))
				head = pb_page_folio(p, pb_pte_pfn(g, *ptep), NULL);
		}
	}
	if (!head)
		return -ENOENT;
	mask = (1ULL << head->order) - 1;
	mapcount = !p->no_page_mapcount || !head->order;
	base = p->base_pfn;
	nr_pages = p->nr_pages;
	bytes = nr * sizeof(pte);
	meta_bytes = p->nr_pages * sizeof(*meta);
	f.parent = pb_vzalloc(bytes);
	child = pb_vzalloc(bytes);
	meta = pb_vzalloc(meta_bytes);
	if (!f.parent || !child || !meta) {
		pb_vfree(f.parent, bytes);
		pb_vfree(child, bytes);
		pb_vfree(meta, meta_bytes);
		return -ENOMEM;
	}
	for (v = 0; v < mm->nr_vmas; v++)
		pb_walk_leaf_tables(mm, mm->vmas[v].start, mm->vmas[v].end,
				    pb_floor_copy, &f);
	for (i = 0; i < p->nr_pages; i++)
		meta[i].flags = PB_PG_ANON_EXCLUSIVE;

	/*
	 * Locals the stores cannot alias (the kernel builds with
	 * -fno-strict-aliasing): else the loop reloads them for every entry.
	 */
	geo = *g;
	parent = f.parent;
	t0 = ktime_get_ns();
	for (t = 0; t < f.nr; t += per_table) {
		u64 end = min(f.nr, t + per_table);

		for (i = t; i < end; i++) {
			u64 pfn, off;

			pte = parent[i];
			if (!pb_pte_present(pte))
				continue;
			pfn = pb_pte_pfn(&geo, pte);
			pte = pb_pte_wrprotect(pte);
			WRITE_ONCE(parent[i], pte);
			child[i] = pb_pte_mkold(pte);
			/* vm_normal_page(): the zero page has no metadata. */
			off = pfn - base;
			if (off >= nr_pages)
				continue;
			page = &meta[off];
			if (i == t || !(off & mask))
				(page - (off & mask))->refcount += mask + 1;
			if (page->flags & PB_PG_ANON_EXCLUSIVE)
				page->flags &= ~PB_PG_ANON_EXCLUSIVE;
			if (mapcount)
				page->mapcount++;
		}
	}
	*ns = ktime_get_ns() - t0;
	pb_vfree(f.parent, bytes);
	pb_vfree(child, bytes);
	pb_vfree(meta, meta_bytes);
	return 0;
}
