// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: fork's copy of the page table (dup_mmap()'s copy_pte_range()),
 * batched with folio_pte_batch() as upstream does since 6.9 ("mm/memory:
 * optimize fork() with PTE-mapped THP"), or one PTE at a time (the fork_batch
 * knob) for comparison.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "lib/alloc.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/rmap.h"
#include "model/tlb.h"
#include "real/kmirror.h"
#include "arch/contpte.h"
#include "paths/batch.h"
#include "paths/fork.h"
#include "paths/huge.h"

struct pb_fork_ctx {
	struct pb_mm *src, *dst;
	const struct pb_vma *vma;	/* the parent's */
	const struct pb_vma *dst_vma;	/* the child's copy of it */
	/* Order-0 folios allocated up front for pinned pages that must copy. */
	u64 *prealloc;
	unsigned int nr_prealloc, used;
};

/* An anon-exclusive page that may be pinned cannot be shared: copy it. */
static bool pb_maybe_pinned_exclusive(struct pb_mm *mm, u64 pfn)
{
	u64 head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);
	struct pb_page *page = head + (pfn - head_pfn);

	return (head->flags & PB_PG_ANON) && pb_folio_maybe_dma_pinned(head) &&
	       (page->flags & PB_PG_ANON_EXCLUSIVE);
}

/* folio_try_dup_anon_rmap_ptes(): all or nothing. */
static bool pb_try_dup_anon_rmap(struct pb_mm *mm, struct pb_page *head,
				 struct pb_page *page, unsigned int nr)
{
	unsigned int i;

	/* folio_maybe_dma_pinned() is per folio: no pin, nothing to check. */
	if (pb_folio_maybe_dma_pinned(head))
		for (i = 0; i < nr; i++)
			if (page[i].flags & PB_PG_ANON_EXCLUSIVE)
				return false;
	pb_rmap_dup_folio(mm, head, page, nr, PB_PG_ANON_EXCLUSIVE);
	return true;
}

/* copy_present_page(): the child gets its own copy of a pinned page. */
static void pb_copy_pinned_page(struct pb_fork_ctx *f, u64 va,
				pb_pte_t *dst_ptep, pb_pte_t src_pte)
{
	struct pb_mm *dst = f->dst;
	u64 pfn = pb_pte_pfn(&dst->geom, src_pte);
	u64 new_pfn = f->prealloc[f->used++];
	struct pb_page *head = pb_pfn_to_page(dst->phys, new_pfn);
	pb_pte_t pte = pb_vma_prot(dst, f->vma, f->vma->flags & PB_VM_WRITE);

	/* As copy_present_page(): a write-protected source stays so. */
	if ((src_pte & PB_PTE_UFFD_WP) && (f->dst_vma->flags & PB_VM_UFFD_WP))
		pte = pb_pte_wrprotect(pte) | PB_PTE_UFFD_WP;

	pb_page_copy(dst->phys, new_pfn, pfn);
	head->extra_refs = 0;
	pb_rmap_add(dst, new_pfn, 1, true);
	pb_set_ptes(dst, va, dst_ptep, pb_pfn_pte(&dst->geom, new_pfn, pte), 1);
	pb_mm_count(dst, PB_MMC_pinned_fallbacks, 1);
}

/*
 * copy_present_ptes(): share @nr pages of one folio with the child; @head is
 * the folio, looked up once per batch by the caller, @page the first page.
 */
static void pb_copy_present_ptes(struct pb_fork_ctx *f, u64 va,
				 pb_pte_t *src_ptep, pb_pte_t *dst_ptep,
				 pb_pte_t pte, unsigned int nr,
				 struct pb_page *head, struct pb_page *page)
{
	struct pb_mm *src = f->src, *dst = f->dst;
	const struct pb_geom *g = &src->geom;
	bool shared = f->vma->flags & PB_VM_SHARED;
	unsigned int i;

	head->refcount += nr;
	pb_mm_count(dst, PB_MMC_refcount_atomics, 1);
	if (head->flags & PB_PG_ANON) {
		if (!pb_try_dup_anon_rmap(dst, head, page, nr)) {
			head->refcount -= nr;
			pb_mm_count(dst, PB_MMC_refcount_atomics, 1);
			if (nr == 1) {
				pb_copy_pinned_page(f, va, dst_ptep, pte);
				return;
			}
			/* As upstream's -EAGAIN: again, one page at a time. */
			for (i = 0; i < nr; i++) {
				u64 addr = va + ((u64)i << g->page_shift);

				pb_copy_present_ptes(f, addr, src_ptep + i,
						     dst_ptep + i,
						     pb_ptep_get(src, addr, src_ptep + i),
						     1, head, page + i);
			}
			return;
		}
	} else {
		/*
		 * folio_dup_file_rmap_ptes(): file folios, shmem's (a shared
		 * anon VMA) included, are shared, pinned or not.
		 */
		pb_rmap_dup_folio(dst, head, page, nr, 0);
	}
	if (!shared && pb_pte_write(pte)) {
		if (nr == 1)
			pb_ptep_set_wrprotect(src, va, src_ptep);
		else
			pb_wrprotect_ptes(src, va, src_ptep, nr);
		pte = pb_pte_wrprotect(pte);
	}
	if (shared)
		pte = pb_pte_mkclean(pte);
	pte = pb_pte_mkold(pte) & ~PB_PTE_CONT;
	/* copy_present_ptes(): uffd-wp only where the child registers it. */
	if (!(f->dst_vma->flags & PB_VM_UFFD_WP))
		pte &= ~PB_PTE_UFFD_WP;
	pb_set_ptes(dst, va, dst_ptep, pte, nr);
	pb_mm_count(dst, PB_MMC_ptes_copied, nr);
	pb_mm_count(dst, PB_MMC_fork_batches, 1);
	pb_count_batch(dst, nr);
}

static void pb_copy_pte_range(struct pb_fork_ctx *f, u64 va, u64 end)
{
	struct pb_mm *src = f->src;
	const struct pb_geom *g = &src->geom;
	pb_pte_t *src_ptep = pb_pte_offset(src, va, false);
	pb_pte_t *dst_ptep = pb_pte_offset(f->dst, va, false);
	unsigned int flags = PB_FPB_MERGE_WRITE, left, nr;

	/*
	 * copy_present_ptes(): a private VMA's batch respects dirty, a
	 * soft-dirty tracked one soft-dirty.  Unlike upstream, a shared VMA's
	 * batch respects the write bit instead of merging it: a merged write
	 * bit would make clean read-only PTEs of a dirty-accounted folio
	 * writable in the child, where per-PTE fork keeps them read-only.
	 */
	if (f->vma->flags & PB_VM_SHARED)
		flags = PB_FPB_RESPECT_WRITE;
	else
		flags |= PB_FPB_RESPECT_DIRTY;
	if (f->vma->flags & PB_VM_SOFTDIRTY)
		flags |= PB_FPB_RESPECT_SOFT_DIRTY;
	left = (end - va) >> g->page_shift;
	for (; left; left -= nr, va += (u64)nr << g->page_shift,
	     src_ptep += nr, dst_ptep += nr) {
		pb_pte_t pte = pb_ptep_get(src, va, src_ptep);
		struct pb_page *head;
		u64 pfn, head_pfn;

		nr = 1;
		if (!pb_pte_present(pte))
			continue;
		pfn = pb_pte_pfn(g, pte);
		head = pb_page_folio(src->phys, pfn, &head_pfn);
		if (!head) {
			/* A special mapping: no folio to account. */
			pb_set_ptes(f->dst, va, dst_ptep, pb_pte_mkold(pte), 1);
			continue;
		}
		/* Order 0 first: its path must not pay for batching. */
		if (head->order && left > 1 && src->knobs[PB_KNOB_fork_batch])
			nr = pb_folio_pte_batch(src, head, head_pfn, va,
						src_ptep, &pte, left, flags);
		pb_copy_present_ptes(f, va, src_ptep, dst_ptep, pte, nr, head,
				     head + (pfn - head_pfn));
	}
}

/* Visit the present entries of @mm's VMAs; @fn gets each leaf range. */
static int pb_walk_vmas(struct pb_mm *mm,
			int (*fn)(struct pb_mm *mm, const struct pb_vma *vma,
				  u64 va, u64 end, void *arg),
			void *arg)
{
	unsigned int i;
	int ret;

	for (i = 0; i < mm->nr_vmas; i++) {
		const struct pb_vma *vma = &mm->vmas[i];
		u64 va, next;

		for (va = vma->start; va < vma->end; va = next) {
			next = pb_walk_addr_end(mm, va, vma->end);
			if (!pb_pte_offset(mm, va, false) && !pb_huge_pmd(mm, va))
				continue;
			ret = fn(mm, vma, va, next, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * vma_needs_copy(): a VMA without anon pages, a shared file or shmem one or a
 * private file one never written, is not copied: the child faults its pages
 * in from the page cache.  A child VMA registered for uffd-wp is copied, to
 * keep the markers.
 */
static bool pb_vma_needs_copy(struct pb_fork_ctx *f, const struct pb_vma *vma)
{
	const struct pb_vma *dst_vma = &f->dst->vmas[vma - f->src->vmas];

	return (dst_vma->flags & PB_VM_UFFD_WP) ||
	       (vma->flags & PB_VM_ANON_VMA);
}

/* Before anything changes: the child's tables and the copies pins need. */
static int pb_fork_prepare(struct pb_mm *src, const struct pb_vma *vma,
			   u64 va, u64 end, void *arg)
{
	struct pb_fork_ctx *f = arg;
	const struct pb_geom *g = &src->geom;
	pb_pte_t *ptep = pb_pte_offset(src, va, false);
	int ret;

	if (!pb_vma_needs_copy(f, vma))
		return 0;
	/*
	 * A PMD leaf (which never straddles a VMA's end): the child's PMD
	 * with its deposited table, made on the first pass.
	 */
	if (pb_huge_pmd(src, va)) {
		pb_pte_t *pmdp = pb_pmd_deposit(f->dst, va);

		return IS_ERR(pmdp) ? PTR_ERR(pmdp) : 0;
	}
	ret = pb_pgtable_prealloc(f->dst, va, end);
	if (ret || !src->phys->pins)
		return ret;
	for (; va < end; va += pb_page_size(g), ptep++) {
		u64 pfn;

		if (!pb_pte_present(*ptep))
			continue;
		pfn = pb_pte_pfn(g, *ptep);
		if (!pb_page_folio(src->phys, pfn, NULL) ||
		    !pb_maybe_pinned_exclusive(src, pfn))
			continue;
		if (f->prealloc) {
			ret = pb_folio_alloc(src->phys, 0, true,
					     &f->prealloc[f->used]);
			if (ret)
				return ret;
			f->used++;
		} else {
			f->nr_prealloc++;
		}
	}
	return 0;
}

static int pb_fork_copy(struct pb_mm *src, const struct pb_vma *vma, u64 va,
			u64 end, void *arg)
{
	struct pb_fork_ctx *f = arg;

	if (!pb_vma_needs_copy(f, vma))
		return 0;
	f->vma = vma;
	f->dst_vma = &f->dst->vmas[vma - src->vmas];
	/* copy_pmd_range(): a PMD leaf is copied whole (copy_huge_pmd()). */
	if (pb_huge_pmd(src, va))
		pb_copy_huge_pmd(f->dst, src, f->dst_vma, va);
	else
		pb_copy_pte_range(f, va, end);
	return 0;
}

/*
 * Fork @parent into a new mm that shares its arena.  Everything that can fail
 * happens before the parent changes, so a failed fork leaves no trace.
 */
struct pb_mm *pb_fork(struct pb_mm *parent, u32 id, const char **why)
{
	return pb_fork_timed(parent, id, why, NULL);
}

/* The clock, read only when the bench asks for the phases. */
static u64 pb_fork_clock(const struct pb_fork_times *t)
{
	return t ? ktime_get_ns() : 0;
}

struct pb_mm *pb_fork_timed(struct pb_mm *parent, u32 id, const char **why,
			    struct pb_fork_times *t)
{
	struct pb_fork_ctx f = { .src = parent };
	struct pb_mm *child;
	unsigned int i;
	u64 t0, t1, t2;
	int ret;

	t0 = pb_fork_clock(t);
	child = pb_mm_alloc(&parent->geom, parent->phys, id);
	if (IS_ERR(child)) {
		*why = PTR_ERR(child) == -ENOSPC ? "too many mms share this arena" :
		       "out of memory";
		return child;
	}
	child->profile = parent->profile;
	memcpy(child->knobs, parent->knobs, sizeof(child->knobs));
	child->shadowed = parent->shadowed;
	memcpy(child->vmas, parent->vmas, sizeof(child->vmas));
	child->nr_vmas = parent->nr_vmas;
	child->vma_serial = parent->vma_serial;
	/*
	 * The child's kernel mirror (the kernel_shadow knob it inherits), made
	 * here, and below given the real folios the copy will map, where the
	 * fork can still fail cleanly: inside the copy a failure could only be
	 * reported after the fact, with the child made.
	 */
	if (child->knobs[PB_KNOB_kernel_shadow]) {
		ret = pb_kmirror_attach(child, why);
		if (ret) {
			pb_mm_free(child);
			return ERR_PTR(ret);
		}
	}
	/*
	 * dup_userfaultfd() without UFFD_FEATURE_EVENT_FORK (the
	 * uffd_fork_event knob): the child's VMAs are not registered, and its
	 * entries lose uffd-wp.
	 */
	if (!parent->knobs[PB_KNOB_uffd_fork_event])
		for (i = 0; i < child->nr_vmas; i++)
			child->vmas[i].flags &= ~PB_VM_UFFD_WP;
	f.dst = child;

	/* Count the pinned pages, then allocate their copies. */
	ret = pb_walk_vmas(parent, pb_fork_prepare, &f);
	if (!ret && f.nr_prealloc) {
		f.prealloc = pb_zalloc(f.nr_prealloc * sizeof(*f.prealloc));
		ret = f.prealloc ? pb_walk_vmas(parent, pb_fork_prepare, &f) : -ENOMEM;
	}
	if (ret)
		*why = "out of memory";
	else if (child->kmirror)
		ret = pb_kmirror_prefill(child, parent, f.prealloc, f.used, why);
	if (ret) {
		for (i = 0; i < f.used; i++)
			pb_folio_put(parent->phys, f.prealloc[i], 1);
		pb_free(f.prealloc, f.nr_prealloc * sizeof(*f.prealloc));
		/* Nothing is mapped in the child yet. */
		pb_kmirror_detach(child);
		pb_mm_free(child);
		return ERR_PTR(ret);
	}
	f.used = 0;
	t1 = pb_fork_clock(t);
	pb_walk_vmas(parent, pb_fork_copy, &f);
	pb_free(f.prealloc, f.nr_prealloc * sizeof(*f.prealloc));
	t2 = pb_fork_clock(t);
	/* dup_mmap() ends with flush_tlb_mm() of the parent. */
	pb_flush_tlb_mm(parent);
	if (t) {
		t->alloc_ns = t1 - t0;
		t->copy_ns = t2 - t1;
		t->flush_ns = pb_fork_clock(t) - t2;
	}
	return child;
}
