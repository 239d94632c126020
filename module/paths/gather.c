// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the mmu_gather, as mm/mmu_gather.c.
 *
 * Cleared entries are flushed in one range invalidation, and the folio
 * references their mappings held are dropped only after it, so that no TLB
 * entry can reach a freed folio.  The gather counts slots as the batch of
 * encoded page pointers upstream does (__tlb_remove_folio_pages_size()): one
 * for a single page, two for a run of pages of one folio (the page, then
 * nr_pages with ENCODED_PAGE_BIT_NR_PAGES_NEXT); an entry without a page
 * takes none.  A gather with fewer than two free slots is full and flushes
 * early (forced), as upstream's does when it cannot take another run.
 */
#include <linux/kernel.h>

#include "model/mm.h"
#include "model/phys.h"
#include "model/tlb.h"
#include "paths/gather.h"

static void pb_gather_flush(struct pb_mm *mm)
{
	unsigned int i;

	if (mm->gather_start < mm->gather_end) {
		pb_flush_tlb_range(mm, mm->gather_start, mm->gather_end);
		pb_mm_count(mm, PB_MMC_gather_flushes, 1);
	}
	for (i = 0; i < mm->nr_gather_puts; i++) {
		pb_folio_put(mm->phys, mm->gather_puts[i].head_pfn,
			     mm->gather_puts[i].nr);
		pb_mm_count(mm, PB_MMC_refcount_atomics, 1);
	}
	mm->nr_gather_puts = 0;
	mm->gather_start = U64_MAX;
	mm->gather_end = 0;
	mm->gather_slots = 0;
}

/* Note that [va, va + nr pages) was cleared and needs a flush. */
void pb_gather_add(struct pb_mm *mm, u64 va, u64 nr)
{
	u64 end = va + (nr << mm->geom.page_shift);

	mm->gather_start = min(mm->gather_start, va);
	mm->gather_end = max(mm->gather_end, end);
}

/*
 * Drop @nr references of a folio after the flush: one slot for a page, two
 * for a run.  The gather is full when it could not take another run
 * (batch->nr >= batch->max - 1), so a put never finds it over capacity, and
 * since every put takes a slot, gather_puts (PB_GATHER_MAX entries, the
 * knob's maximum) never overflows.
 */
void pb_gather_put_folio(struct pb_mm *mm, u64 head_pfn, u32 nr)
{
	mm->gather_puts[mm->nr_gather_puts].head_pfn = head_pfn;
	mm->gather_puts[mm->nr_gather_puts].nr = nr;
	mm->nr_gather_puts++;
	mm->gather_slots += nr == 1 ? 1 : 2;
	if (mm->gather_slots + 2 > mm->knobs[PB_KNOB_gather_capacity]) {
		pb_mm_count(mm, PB_MMC_gather_forced_flushes, 1);
		pb_gather_flush(mm);
	}
}

void pb_gather_finish(struct pb_mm *mm)
{
	pb_gather_flush(mm);
}
