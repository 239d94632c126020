// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the rmap bookkeeping: per-page mapcounts, the folio's total
 * (large_mapcount), anon-exclusivity, and the deferred-split queue that a
 * partly unmapped large anon folio joins.
 */
#include <linux/kernel.h>

#include "model/mm.h"
#include "model/phys.h"
#include "model/report.h"
#include "model/rmap.h"

void pb_rmap_add(struct pb_mm *mm, u64 pfn, unsigned int nr, bool exclusive)
{
	u64 head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);
	struct pb_page *page = head + (pfn - head_pfn);
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (page[i].mapcount++ == 0 && head->order)
			pb_nr_pages_mapped(head)++;
		if (exclusive)
			page[i].flags |= PB_PG_ANON_EXCLUSIVE;
	}
	head->large_mapcount += nr;
	pb_mm_count(mm, PB_MMC_mapcount_atomics, 1);
}

/*
 * A large anon folio left partly mapped is queued for deferred split.  Taking
 * a whole folio away in one call never queues it; one page at a time queues it
 * on the first page, spuriously when the rest follow.
 */
void pb_rmap_remove(struct pb_mm *mm, u64 pfn, unsigned int nr)
{
	u64 head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);
	struct pb_page *page = head + (pfn - head_pfn);
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (--page[i].mapcount)
			continue;
		/*
		 * Unmapped everywhere: what the hardware wrote is gone, or saved
		 * in the folio's dirty flag, which a file folio must then have
		 * (zap_present_folio_ptes()'s folio_mark_dirty()).
		 */
		if ((page[i].flags & PB_PG_HW_DIRTIED) &&
		    !(head->flags & (PB_PG_ANON | PB_PG_DIRTY)))
			pb_violation(mm, PB_V_dirty_lost,
				     (pfn + i) << mm->geom.page_shift, 1, 0);
		page[i].flags &= ~PB_PG_HW_DIRTIED;
		if (head->order)
			pb_nr_pages_mapped(head)--;
	}
	head->large_mapcount -= nr;
	pb_mm_count(mm, PB_MMC_mapcount_atomics, 1);
	/* Queued while partly mapped, now wholly unmapped: it was for nothing. */
	if ((head->flags & PB_PG_DEFERRED) && head->order &&
	    !pb_nr_pages_mapped(head))
		pb_mm_count(mm, PB_MMC_deferred_split_spurious, 1);
	if (head->order && (head->flags & PB_PG_ANON) &&
	    !(head->flags & PB_PG_DEFERRED) && pb_nr_pages_mapped(head) &&
	    pb_nr_pages_mapped(head) < (1U << head->order)) {
		pb_deferred_add(mm->phys, head_pfn);
		pb_mm_count(mm, PB_MMC_deferred_split_adds, 1);
	}
}
