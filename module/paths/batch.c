// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: folio_pte_batch(), which fork, zap and mprotect use to find runs
 * of PTEs that map consecutive pages of one folio, and the batch-size
 * histogram.
 */
#include <linux/kernel.h>

#include "model/mm.h"
#include "model/phys.h"
#include "arch/contpte.h"
#include "paths/batch.h"

/* arm64's pte_batch_hint(): the rest of a contiguous block, else one. */
unsigned int pb_pte_batch_hint(struct pb_mm *mm, u64 va, pb_pte_t pte)
{
	unsigned int cont = pb_cont_ptes(&mm->geom);

	if (!mm->knobs[PB_KNOB_contpte] || !pb_pte_valid_cont(pte))
		return 1;
	return cont - ((va >> mm->geom.page_shift) & (cont - 1));
}

static pb_pte_t pb_batch_clear_ignored(pb_pte_t pte, unsigned int flags)
{
	if (!(flags & PB_FPB_RESPECT_DIRTY))
		pte = pb_pte_mkclean(pte);
	if (!(flags & PB_FPB_RESPECT_SOFT_DIRTY))
		pte &= ~PB_PTE_SOFT_DIRTY;
	if (!(flags & PB_FPB_RESPECT_WRITE))
		pte = pb_pte_wrprotect(pte);
	return pb_pte_mkold(pte);
}

/*
 * folio_pte_batch_flags(): how many PTEs from @ptep map consecutive pages of
 * the folio @head (at @head_pfn: the caller looked it up, as upstream's
 * callers pass the folio) that *@ptentp (a copy, as ptep_get() returned it)
 * maps, with equal bits once young, and dirty, soft-dirty and write unless
 * @flags respects them, are ignored.  At most @max_nr; never past the
 * folio.  With MERGE_WRITE a write bit anywhere in the batch makes *@ptentp
 * writable; with MERGE_YOUNG_DIRTY a young or dirty one makes it young or
 * dirty.
 */
unsigned int pb_folio_pte_batch(struct pb_mm *mm, const struct pb_page *head,
				u64 head_pfn, u64 va, pb_pte_t *ptep,
				pb_pte_t *ptentp, unsigned int max_nr,
				unsigned int flags)
{
	const struct pb_geom *g = &mm->geom;
	bool any_writable = false, any_young = false, any_dirty = false;
	bool cont = mm->knobs[PB_KNOB_contpte];
	/* Without contpte or the mirror, ptep_get() is a plain read. */
	bool direct = !cont && !mm->knobs[PB_KNOB_kernel_shadow];
	pb_pte_t pte = *ptentp, want;
	u64 pfn = pb_pte_pfn(g, pte), left;
	unsigned int nr, shift = g->page_shift;
	bool linear;

	left = head_pfn + (1ULL << head->order) - pfn;
	if (left < max_nr)
		max_nr = left;
	nr = pb_pte_batch_hint(mm, va, pte);
	/* A contpte block that ends the folio (or the range): nothing to read. */
	if (nr >= max_nr)
		return max_nr;
	/*
	 * Where the batch's output addresses share their top, stored-apart
	 * bits, the next entry is the last plus the page size (as
	 * pb_raw_set_ptes() steps); else decode and re-encode.
	 */
	linear = (((pfn + max_nr) << shift) & ~g->oa_low_mask) ==
		 ((pfn << shift) & ~g->oa_low_mask);
	/*
	 * @want is the next entry as the first would have it.  An entry equal
	 * to it is in the batch; else compare them with the ignored bits
	 * cleared, which leaves their output addresses alone.
	 */
	want = pb_pte_advance(g, pte, nr, false);
	while (nr < max_nr) {
		u64 addr = va + ((u64)nr << shift);
		pb_pte_t next = direct ? READ_ONCE(ptep[nr]) :
			pb_ptep_get(mm, addr, ptep + nr);
		unsigned int step;

		if (next != want &&
		    (!pb_pte_present(next) ||
		     pb_batch_clear_ignored(next, flags) !=
		     pb_batch_clear_ignored(want, flags)))
			break;
		if (flags & PB_FPB_MERGE_WRITE)
			any_writable |= pb_pte_write(next);
		if (flags & PB_FPB_MERGE_YOUNG_DIRTY) {
			any_young |= pb_pte_young(next);
			any_dirty |= pb_pte_dirty(next);
		}
		step = cont ? pb_pte_batch_hint(mm, addr, next) : 1;
		want = linear ? want + ((u64)step << shift) :
			pb_pte_advance(g, want, step, false);
		nr += step;
	}
	if (any_writable)
		*ptentp = pb_pte_mkwrite(*ptentp);
	if (any_young)
		*ptentp = pb_pte_mkyoung(*ptentp);
	if (any_dirty)
		*ptentp = pb_pte_mkdirty(*ptentp);
	return min(nr, max_nr);
}

/* The batch-size histogram, in buckets scaled to the granule. */
void pb_count_batch(struct pb_mm *mm, unsigned int nr)
{
	unsigned int cont = pb_cont_ptes(&mm->geom);
	unsigned int pmd = pb_ptrs_per_table(&mm->geom);
	enum pb_mm_counter c;

	if (nr == 1)
		c = PB_MMC_batch_size_1;
	else if (nr < cont)
		c = PB_MMC_batch_size_small;
	else if (nr == cont)
		c = PB_MMC_batch_size_cont;
	else if (nr < pmd)
		c = PB_MMC_batch_size_large;
	else
		c = PB_MMC_batch_size_pmd;
	pb_mm_count(mm, c, 1);
}
