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
static unsigned int pb_pte_batch_hint(struct pb_mm *mm, u64 va, pb_pte_t pte)
{
	unsigned int cont = pb_cont_ptes(&mm->geom);

	if (!mm->knobs[PB_KNOB_contpte] || !pb_pte_valid_cont(pte))
		return 1;
	return cont - ((va >> mm->geom.page_shift) & (cont - 1));
}

static pb_pte_t pb_batch_clear_ignored(pb_pte_t pte, unsigned int flags)
{
	if (flags & PB_FPB_IGNORE_DIRTY)
		pte = pb_pte_mkclean(pte);
	if (flags & PB_FPB_IGNORE_SOFT_DIRTY)
		pte &= ~PB_PTE_SOFT_DIRTY;
	if (!(flags & PB_FPB_RESPECT_WRITE))
		pte = pb_pte_wrprotect(pte);
	return pb_pte_mkold(pte);
}

/*
 * How many PTEs from @ptep map consecutive pages of the folio that @pte (as
 * ptep_get() returned it) maps, with equal bits once @flags' bits and the
 * young and write bits are ignored.  At most @max_nr; never past the folio.
 * The write bits of the batch are ORed into @any_writable.
 */
unsigned int pb_folio_pte_batch(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				pb_pte_t pte, unsigned int max_nr,
				unsigned int flags, bool *any_writable)
{
	const struct pb_geom *g = &mm->geom;
	u64 pfn = pb_pte_pfn(g, pte), head_pfn, left;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);
	unsigned int nr;
	pb_pte_t expected;

	left = head_pfn + (1ULL << head->order) - pfn;
	if (left < max_nr)
		max_nr = left;
	*any_writable = pb_pte_write(pte);
	nr = pb_pte_batch_hint(mm, va, pte);
	expected = pb_batch_clear_ignored(pb_pte_advance(g, pte, nr, false), flags);
	while (nr < max_nr) {
		u64 addr = va + ((u64)nr << g->page_shift);
		pb_pte_t next = pb_ptep_get(mm, addr, ptep + nr);
		bool writable = pb_pte_write(next);

		if (!pb_pte_present(next) ||
		    pb_batch_clear_ignored(next, flags) != expected)
			break;
		*any_writable |= writable;
		next = pb_pte_batch_hint(mm, addr, next);
		expected = pb_pte_advance(g, expected, next, false);
		nr += next;
	}
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
