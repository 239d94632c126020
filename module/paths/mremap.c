// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: mremap() that moves a range to a new address of the same
 * length: move_vma() and move_page_tables() of mm/mremap.c.  The mainline
 * profile moves the PTEs of a large folio in batches, as move_ptes() does
 * since "mm: optimize mremap() by PTE batching" (6.17); the 6.12 profile one
 * PTE at a time (the mremap_batch knob).
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/overflow.h>

#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/tlb.h"
#include "arch/contpte.h"
#include "paths/batch.h"
#include "paths/huge.h"
#include "paths/mremap.h"

/*
 * mremap_folio_pte_batch(): only an entry that pte_batch_hint() finds in a
 * contiguous block (not its last entry) starts a batch, of the present
 * entries that map the next pages of its large folio with the same bits but
 * for young, dirty and soft-dirty (FPB_RESPECT_WRITE alone).  A special
 * entry has no folio (vm_normal_folio()).
 */
static unsigned int pb_mremap_batch(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				    pb_pte_t pte, unsigned int max_nr)
{
	struct pb_page *head;
	u64 head_pfn;

	if (max_nr == 1 || pb_pte_batch_hint(mm, va, pte) == 1 ||
	    (pte & PB_PTE_SPECIAL))
		return 1;
	head = pb_page_folio(mm->phys, pb_pte_pfn(&mm->geom, pte), &head_pfn);
	if (!head || !head->order)
		return 1;
	return pb_folio_pte_batch(mm, head, head_pfn, va, ptep, &pte, max_nr,
				  PB_FPB_RESPECT_WRITE);
}

/*
 * move_ptes() of [old, old_end), inside one last-level table, to new, inside
 * one too (already allocated, empty), entry by entry.  Batched: per batch one
 * get_and_clear_ptes(), which unfolds only blocks it covers partly, and one
 * set_ptes(), which sets CONT on every block it covers whole with aligned
 * VA and PA.  6.12 (mremap_batch=0): ptep_get_and_clear(), which unfolds a
 * folded block, and set_pte_at(), which folds a block on its last entry.
 * Either way a moved entry is soft-dirty (move_soft_dirty_pte()) and, when
 * the VMA is registered for uffd-wp without UFFD_FEATURE_EVENT_REMAP (the
 * model has no such feature), loses uffd-wp; and the old range is flushed
 * once if a present entry moved.
 */
static void pb_move_ptes(struct pb_mm *mm, const struct pb_vma *vma, u64 old,
			 u64 old_end, u64 new)
{
	const struct pb_geom *g = &mm->geom;
	bool batch = mm->knobs[PB_KNOB_mremap_batch];
	bool clear_uffd_wp = vma->flags & PB_VM_UFFD_WP, flush = false;
	pb_pte_t *optep = pb_pte_offset(mm, old, false), *nptep;
	u64 start = old;
	unsigned int nr;

	if (!optep)
		return;
	nptep = pb_pte_offset(mm, new, false);
	for (; old < old_end; old += (u64)nr << g->page_shift,
	     new += (u64)nr << g->page_shift, optep += nr, nptep += nr) {
		pb_pte_t pte;

		nr = 1;
		if (!*optep)
			continue;
		pte = pb_ptep_get(mm, old, optep);
		if (pb_pte_present(pte)) {
			if (batch)
				nr = pb_mremap_batch(mm, old, optep, pte,
						     (old_end - old) >> g->page_shift);
			flush = true;
		}
		if (batch)
			pte = pb_get_and_clear_ptes(mm, old, optep, nr);
		else
			pte = pb_ptep_get_and_clear(mm, old, optep);
		pte |= PB_PTE_SOFT_DIRTY;
		if (clear_uffd_wp)
			pte &= ~PB_PTE_UFFD_WP;
		pb_set_ptes(mm, new, nptep, pte, nr);
		pb_mm_count(mm, PB_MMC_mremap_ptes, nr);
		pb_mm_count(mm, PB_MMC_mremap_batches, 1);
	}
	if (flush)
		pb_flush_tlb_range(mm, start, old_end);
}

/* The span of a leaf table: what one entry of the level above maps. */
static u64 pb_leaf_span(const struct pb_mm *mm)
{
	return pb_pmd_addr_end(mm, 0, U64_MAX);
}

/*
 * The extent from @old: up to the next leaf table boundary of either side
 * (get_extent(NORMAL_PMD)).
 */
static u64 pb_move_extent(const struct pb_mm *mm, u64 old, u64 old_end, u64 new)
{
	u64 extent = pb_pmd_addr_end(mm, old, old_end) - old;

	return min(extent, pb_pmd_addr_end(mm, new, new + extent) - new);
}

/*
 * move_pgt_entry(NORMAL_PMD)'s conditions, as arm64 has CONFIG_HAVE_MOVE_PMD:
 * the extent is a whole leaf table on both sides, the old one has a table,
 * the new one none, and no uffd-wp has to be cleared
 * (uffd_supports_page_table_move()).
 */
static bool pb_move_whole_table(struct pb_mm *mm, const struct pb_vma *vma,
				u64 old, u64 extent, u64 new)
{
	return extent == pb_leaf_span(mm) && !(vma->flags & PB_VM_UFFD_WP) &&
	       pb_pgtable_leaf_movable(mm, old, new);
}

/*
 * Allocate what the move needs on the new side before anything moves: the
 * tables above a leaf table that moves whole, else the leaf tables.  An
 * extent with neither a leaf table nor a PMD THP on the old side needs
 * nothing (move_page_tables() skips a none old PMD before it allocates).
 */
static int pb_move_prealloc(struct pb_mm *mm, const struct pb_vma *vma,
			    u64 old, u64 old_end, u64 new)
{
	u64 extent;
	int ret;

	for (; old < old_end; old += extent, new += extent) {
		extent = pb_move_extent(mm, old, old_end, new);
		if (!pb_pmd_offset(mm, old)) {
			/* No table above the old side's leaf: nothing to move. */
			extent = pb_walk_addr_end(mm, old, old_end) - old;
			continue;
		}
		if (!pb_pte_offset(mm, old, false) && !pb_huge_pmd(mm, old))
			continue;
		if (pb_move_whole_table(mm, vma, old, extent, new))
			ret = pb_pgtable_prealloc_pmd(mm, new);
		else
			ret = pb_pgtable_prealloc(mm, new, new + extent);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * move_page_tables(): the range in extents that neither the old nor the new
 * side lets cross a leaf table.  A whole leaf table moves as it is
 * (move_normal_pmd()): its entries stay as they were, folded blocks and
 * soft-dirty and A/D alike, and the old range is flushed.  Unlike upstream,
 * the model flushes before it moves the table, so that the flush's
 * invalidation reaches the table's break-before-make shadow at the
 * addresses it covered; nothing can come between the two.
 */
static void pb_move_page_tables(struct pb_mm *mm, const struct pb_vma *vma,
				u64 old, u64 old_end, u64 new)
{
	u64 extent;

	for (; old < old_end; old += extent, new += extent) {
		extent = pb_move_extent(mm, old, old_end, new);
		if (!pb_pmd_offset(mm, old)) {
			extent = pb_walk_addr_end(mm, old, old_end) - old;
			continue;
		}
		if (pb_move_whole_table(mm, vma, old, extent, new)) {
			pb_flush_tlb_range(mm, old, old + extent);
			pb_pgtable_move_leaf(mm, old, new);
			pb_mm_count(mm, PB_MMC_mremap_tables, 1);
			continue;
		}
		pb_move_ptes(mm, vma, old, old + extent, new);
	}
}

/*
 * mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, new): the part of one
 * VMA at [old, old + len) moves to [new, new + len) with its flags, file and
 * file offset (vm_pgoff), splitting the VMA where the range does not reach
 * its ends (move_vma()'s copy_vma() and the unmap of the old range), and
 * merges with a neighbour of its mmap that it touches at a contiguous
 * offset.  The new range must not overlap the old one (mremap_to()'s
 * EINVAL); unlike MREMAP_FIXED, which unmaps whatever is there first, it
 * must also be free of VMAs.  Registration for uffd-wp does not move
 * (mremap_userfaultfd_prep() without UFFD_FEATURE_EVENT_REMAP).  Nothing
 * changes on an error: the tables taken for the new range go again
 * (pb_pgtable_free_new(); unlike upstream, whose move_page_tables() leaves
 * them to free_pgtables()).
 */
int pb_mremap(struct pb_mm *mm, u64 old, u64 len, u64 new, const char **why)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_vma *vma = pb_vma_find(mm, old);
	u64 old_end = old + len, new_end;
	unsigned int i, splits;
	u32 mark;
	int ret;

	if (!vma || old_end > vma->end) {
		*why = "old range is not inside one VMA";
		return -EINVAL;
	}
	if (check_add_overflow(new, len, &new_end) ||
	    new_end > (1ULL << g->va_bits)) {
		*why = "new range is beyond the VA size";
		return -EINVAL;
	}
	if (new < old_end && new_end > old) {
		*why = "new range overlaps the old one";
		return -EINVAL;
	}
	for (i = 0; i < mm->nr_vmas; i++) {
		if (new < mm->vmas[i].end && new_end > mm->vmas[i].start) {
			*why = "new range overlaps a VMA";
			return -EINVAL;
		}
	}
	splits = (vma->start != old) + (vma->end != old_end);
	if (mm->nr_vmas + splits > PB_MAX_VMAS) {
		*why = "too many VMAs (PB_MAX_VMAS)";
		return -ENOSPC;
	}
	mark = mm->table_serial;
	ret = pb_move_prealloc(mm, vma, old, old_end, new);
	if (ret) {
		pb_pgtable_free_new(mm, new, new + len, mark);
		*why = "out of memory for page tables";
		return ret;
	}
	pb_vma_split(mm, old);
	pb_vma_split(mm, old_end);
	vma = pb_vma_find(mm, old);
	/*
	 * PMD-mapped THPs in the range are split (into their deposited tables:
	 * this cannot fail) and their PTEs move.  Unlike upstream, which moves
	 * a PMD the extent covers whole as it is (move_huge_pmd()) and splits
	 * only the others: the model has no PMD-level move.
	 */
	pb_split_huge_pmds(mm, old, old_end);
	pb_move_page_tables(mm, vma, old, old_end, new);
	vma->start = new;
	vma->end = new_end;
	vma->flags &= ~PB_VM_UFFD_WP;
	pb_vma_merge(mm);
	return 0;
}
