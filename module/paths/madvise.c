// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: madvise() of a range of one VMA.  MADV_DONTNEED zaps it
 * (zap_page_range_single(), the zap of munmap).  MADV_FREE marks the anon
 * folios of a private anon VMA lazyfree: madvise_free_pte_range() of 6.12,
 * the one real caller of clear_young_dirty_ptes(), which batches over large
 * folios (madvise_folio_pte_batch()) and splits one the range covers only
 * partly.
 */
#include <linux/kernel.h>
#include <linux/errno.h>

#include "lib/alloc.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/rmap.h"
#include "model/shadow.h"
#include "model/tlb.h"
#include "arch/contpte.h"
#include "paths/batch.h"
#include "paths/gather.h"
#include "paths/huge.h"
#include "paths/madvise.h"
#include "paths/zap.h"

/*
 * split_folio() as split_huge_page() does it: every mm of the family that
 * maps the folio has its entries cleared (unmap_folio(), one PTE at a time,
 * which unfolds their blocks) and flushed, the folio is split, and the
 * entries come back one at a time without CONT (remap_page()), mapping
 * order-0 folios that no block can fold.  As the rmap walk does, each mm's
 * entries are found through the VMAs of the anon folio's lineage (one
 * origin: fork copies it) at the pages' linear index (vma_address()), which
 * mremap keeps, so a moved part is found where it went.  0, -EAGAIN if
 * anything but its mappings holds it, or -ENOMEM.
 */
static int pb_split_folio(struct pb_mm *mm, const struct pb_vma *vma, u64 va,
			  u64 pfn)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_phys *p = mm->phys;
	u64 head_pfn, first, i;
	struct pb_page *head = pb_page_folio(p, pfn, &head_pfn);
	unsigned int nr = 1U << head->order, m, v;
	struct pb_split_saved {
		u64 va;
		pb_pte_t pte;
	} *saved;
	size_t bytes = (size_t)p->nr_mms * nr * sizeof(*saved);
	int ret;

	if (head->refcount != pb_folio_large_mapcount(head))
		return -EAGAIN;
	saved = pb_zalloc(bytes);
	if (!saved)
		return -ENOMEM;
	first = pb_vma_index(vma, va, g->page_shift) - (pfn - head_pfn);
	for (m = 0; m < p->nr_mms; m++) {
		struct pb_mm *o = p->mms[m];

		for (v = 0; v < o->nr_vmas; v++) {
			u64 lo = U64_MAX, hi = 0, addr;

			if (o->vmas[v].origin != vma->origin)
				continue;
			for (i = 0; i < nr; i++) {
				pb_pte_t *ptep;

				if (!pb_vma_address(&o->vmas[v], first + i,
						    g->page_shift, &addr))
					continue;
				ptep = pb_pte_offset(o, addr, false);
				if (!ptep || !pb_pte_present(*ptep) ||
				    pb_pte_pfn(g, *ptep) != head_pfn + i)
					continue;
				saved[m * nr + i].pte = pb_ptep_get_and_clear(o, addr, ptep);
				saved[m * nr + i].va = addr;
				lo = min(lo, addr);
				hi = max(hi, addr + pb_page_size(g));
			}
			/* The rmap walk of unmap_folio() visits only what maps it. */
			if (hi)
				pb_flush_tlb_range(o, lo, hi);
		}
	}
	ret = pb_folio_split(p, head_pfn);
	for (m = 0; m < p->nr_mms; m++) {
		struct pb_mm *o = p->mms[m];

		for (i = 0; i < nr; i++) {
			struct pb_split_saved *s = &saved[m * nr + i];

			if (s->pte)
				pb_set_ptes(o, s->va, pb_pte_offset(o, s->va, false),
					    s->pte & ~PB_PTE_CONT, 1);
		}
	}
	pb_free(saved, bytes);
	if (!ret)
		pb_mm_count(mm, PB_MMC_folio_splits, 1);
	return ret;
}

static int pb_madvise_free_range(struct pb_mm *mm, const struct pb_vma *vma,
				 u64 va, u64 end)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int nr;
	int ret;

	for (; va < end; va += (u64)nr << g->page_shift) {
		pb_pte_t *ptep = pb_pte_offset(mm, va, false), pte;
		u64 pfn, head_pfn;
		struct pb_page *head;

		nr = 1;
		if (!ptep) {
			/* On to the next table: a hole's pages may not fit nr. */
			va = pb_walk_addr_end(mm, va, end);
			nr = 0;
			continue;
		}
		pte = pb_ptep_get(mm, va, ptep);
		if (!pb_pte_present(pte) || (pte & PB_PTE_SPECIAL))
			continue;
		pfn = pb_pte_pfn(g, pte);
		head = pb_page_folio(mm->phys, pfn, &head_pfn);
		if (!head)
			continue;
		nr = (end - va) >> g->page_shift;
		/*
		 * madvise_folio_pte_batch(): mainline merges the batch's young
		 * and dirty bits into pte (FPB_MERGE_YOUNG_DIRTY), 6.12 returned
		 * them as any_young and any_dirty: the same test below.
		 */
		if (nr > 1 && head->order)
			nr = pb_folio_pte_batch(mm, head, head_pfn, va, ptep,
						&pte,
						min_t(u64, nr, pb_ptrs_per_table(g) -
						      ((va >> g->page_shift) &
						       (pb_ptrs_per_table(g) - 1))),
						PB_FPB_MERGE_YOUNG_DIRTY);
		else
			nr = 1;
		if (head->order && nr < (1U << head->order)) {
			/*
			 * 6.12 guesses from the first page's mapcount
			 * (folio_likely_mapped_shared()); mainline asks the
			 * MM owner tracking (folio_maybe_mapped_shared(),
			 * "mm: convert folio_likely_mapped_shared() to
			 * folio_maybe_mapped_shared()", 6.15).
			 */
			if (mm->profile == PB_PROFILE_6_12 ?
			    pb_folio_likely_mapped_shared(head) :
			    pb_folio_maybe_mapped_shared(head))
				continue;
			ret = pb_split_folio(mm, vma, va, pfn);
			if (ret == -ENOMEM)
				return ret;
			/* Split: its pages again, now order 0 each. */
			if (!ret)
				nr = 0;
			continue;
		}
		if (pb_pte_young(pte) || pb_pte_dirty(pte)) {
			pb_clear_young_dirty_ptes(mm, va, ptep, nr, true, true);
			pb_gather_add(mm, va, nr);
		}
		pb_mm_count(mm, PB_MMC_lazyfree_folios, 1);
	}
	return 0;
}

/*
 * madvise_free_huge_pmd() of a PMD leaf at @va: nothing if the folio is
 * mapped shared (as the profile tells, see pb_madvise_free_range()); a PMD
 * the range covers in part is split, and the PTE walk then splits the folio
 * (upstream splits the folio at once, split_folio(), which unmaps the PMD
 * and maps order-0 PTEs: the same end);
 * one it covers whole has the folio's dirty flag cleared, the PMD made old
 * and clean (pmdp_invalidate(), its flush, set_pmd_at()) if it was young or
 * dirty, and the folio marked lazyfree.
 */
static void pb_madvise_free_huge_pmd(struct pb_mm *mm, pb_pte_t *pmdp, u64 va,
				     void *arg)
{
	const struct pb_geom *g = &mm->geom;
	const u64 *range = arg, size = pb_pmd_size(g);
	pb_pte_t old = *pmdp;
	u64 head_pfn = pb_pte_pfn(g, old), i;
	struct pb_page *head = pb_pfn_to_page(mm->phys, head_pfn);

	/* The huge zero folio is left alone (is_huge_zero_pmd()). */
	if (old & PB_PTE_SPECIAL)
		return;
	if (mm->profile == PB_PROFILE_6_12 ? pb_folio_likely_mapped_shared(head) :
	    pb_folio_maybe_mapped_shared(head))
		return;
	if (va < range[0] || va + size > range[1]) {
		pb_split_huge_pmd(mm, va);
		return;
	}
	head->flags &= ~PB_PG_DIRTY;
	if (pb_pte_young(old) || pb_pte_dirty(old)) {
		pb_write_pmd(mm, va, pmdp, (old & ~PB_PTE_VALID) | PB_PTE_PRESENT_INVALID);
		pb_flush_tlb_range(mm, va, va + size);
		pb_write_pmd(mm, va, pmdp, pb_pte_mkclean(pb_pte_mkold(old)));
	}
	for (i = 0; i < (1ULL << head->order); i++)
		pb_page_mark_clean(mm->phys, head_pfn + i);
	pb_mm_count(mm, PB_MMC_lazyfree_folios, 1);
}

int pb_madvise(struct pb_mm *mm, u64 start, u64 end, enum pb_madvise advice,
	       const char **why)
{
	struct pb_vma *vma = pb_vma_find(mm, start);
	u64 range[2];
	int ret;

	if (!vma || end > vma->end) {
		*why = "range is not inside one VMA";
		return -EINVAL;
	}
	if (advice == PB_MADV_DONTNEED) {
		pb_zap_range(mm, start, end);
		return 0;
	}
	/* madvise_free_single_vma(): anonymous memory only. */
	if (!pb_vma_is_anon(vma)) {
		*why = "MADV_FREE needs a private anon VMA";
		return -EINVAL;
	}
	range[0] = start;
	range[1] = end;
	pb_walk_pmd_leaves(mm, start, end, pb_madvise_free_huge_pmd, range);
	ret = pb_madvise_free_range(mm, vma, start, end);
	pb_gather_finish(mm);
	if (ret)
		*why = "out of memory splitting a folio";
	return ret;
}
