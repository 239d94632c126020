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

/*
 * The references one GUP pin takes on the folio at @head: 1 on a large folio
 * (which counts the pin in _pincount too), GUP_PIN_COUNTING_BIAS on a small
 * one, as 6.12's try_grab_folio() adds them.  pincount stays the model's
 * exact count of pins either way.
 */
u32 pb_folio_pin_refs(const struct pb_page *head)
{
	return head->order ? 1 : PB_GUP_PIN_COUNTING_BIAS;
}

/*
 * MM owner tracking of a large folio ("mm/rmap: basic MM owner tracking for
 * large folios (!hugetlb)", 6.15): two slots, each an mm id and the mappings
 * that mm holds, and a "maybe mapped shared" bit, kept in the first tail page
 * (whose folio fields are free): the ids in index_lo and deferred_next, the
 * counts in mapping and pincount (model/phys.h).  Unlike
 * upstream's "count - 1" encoding, a slot holds its count itself, 0 when
 * free; the decisions are the same.
 */
static u32 pb_slot_id(const struct pb_page *head, int slot)
{
	return slot ? head[1].deferred_next : head[1].index_lo;
}

static void pb_slot_set(struct pb_page *head, int slot, u32 id, u32 count)
{
	*(slot ? &head[1].deferred_next : &head[1].index_lo) = id;
	*(slot ? &head[1].pincount : &head[1].mapping) = count;
}

static u32 *pb_slot_count(struct pb_page *head, int slot)
{
	return slot ? &head[1].pincount : &head[1].mapping;
}

/* folio_add_return_large_mapcount(): after the total went up by @nr. */
static void pb_mm_ids_add(struct pb_mm *mm, struct pb_page *head, unsigned int nr)
{
	int slot;

	for (slot = 0; slot < 2; slot++) {
		if (pb_slot_id(head, slot) == mm->mm_id) {
			*pb_slot_count(head, slot) += nr;
			return;
		}
	}
	for (slot = 0; slot < 2; slot++) {
		if (pb_slot_id(head, slot))
			continue;
		pb_slot_set(head, slot, mm->mm_id, nr);
		/* Slot 1 taken: slot 0 has mappings too; slot 0: any others? */
		if (slot || pb_folio_large_mapcount(head) != nr)
			head->flags |= PB_PG_MM_SHARED;
		return;
	}
	/* No free slot: both are taken, so the bit is set already. */
}

/* folio_sub_return_large_mapcount(): after the total went down by @nr. */
static void pb_mm_ids_sub(struct pb_mm *mm, struct pb_page *head, unsigned int nr)
{
	int slot;

	for (slot = 0; slot < 2; slot++) {
		u32 *count = pb_slot_count(head, slot);

		if (pb_slot_id(head, slot) != mm->mm_id)
			continue;
		/* This mm keeps mappings: nothing to re-evaluate. */
		if (*count > nr) {
			*count -= nr;
			return;
		}
		pb_slot_set(head, slot, 0, 0);
		break;
	}
	/* One slot owns every mapping (or none is left): exclusive. */
	if (*pb_slot_count(head, 0) == pb_folio_large_mapcount(head) ||
	    *pb_slot_count(head, 1) == pb_folio_large_mapcount(head))
		head->flags &= ~PB_PG_MM_SHARED;
}

/*
 * folio_maybe_mapped_shared() of mainline: a large folio mapped more than
 * once is shared if its MM owner tracking says it may be.
 */
bool pb_folio_maybe_mapped_shared(const struct pb_page *head)
{
	if (!head->order)
		return pb_folio_large_mapcount(head) > 1;
	if (pb_folio_large_mapcount(head) <= 1)
		return false;
	return head->flags & PB_PG_MM_SHARED;
}

/*
 * folio_likely_mapped_shared() of 6.12: a large folio mapped more than once
 * is shared if a PMD maps it or some page is mapped twice, or as its first
 * page says.
 */
bool pb_folio_likely_mapped_shared(const struct pb_page *head)
{
	if (!head->order)
		return pb_folio_large_mapcount(head) > 1;
	if (pb_folio_large_mapcount(head) <= 1)
		return false;
	if (pb_folio_entire_mapcount(head) ||
	    pb_folio_large_mapcount(head) > (1U << head->order))
		return true;
	return head->mapcount > 1;
}

/*
 * The per-page mapcounts are the model's own record, kept in every
 * configuration (the checker and dirty_lost need them); with
 * no_page_mapcount the kernel's decisions below use only the total.
 */
void pb_rmap_add(struct pb_mm *mm, u64 pfn, unsigned int nr, bool exclusive)
{
	u64 head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);

	pb_rmap_add_folio(mm, head, head + (pfn - head_pfn), nr, exclusive);
}

void pb_rmap_add_folio(struct pb_mm *mm, struct pb_page *head,
		       struct pb_page *page, unsigned int nr, bool exclusive)
{
	unsigned int i, mapped = 0;

	u16 excl = exclusive ? PB_PG_ANON_EXCLUSIVE : 0;

	/*
	 * Counted in a local, without a branch per page: the page stores
	 * would make the compiler reload the folio's fields for every page.
	 */
	for (i = 0; i < nr; i++) {
		mapped += page[i].mapcount++ == 0;
		page[i].flags |= excl;
	}
	if (head->order)
		pb_nr_pages_mapped(head) += mapped;
	pb_folio_large_mapcount_add(head, nr);
	if (head->order)
		pb_mm_ids_add(mm, head, nr);
	pb_mm_count(mm, PB_MMC_mapcount_atomics, 1);
}

/*
 * __folio_dup_file_rmap() for fork, and folio_try_dup_anon_rmap_ptes()'s
 * clearing of anon-exclusive (the @clear bits) in the same pass over the
 * pages.  Every page is mapped already, by the parent's entry that fork
 * copies, so none goes from unmapped to mapped: unlike pb_rmap_add_folio(),
 * the count of mapped pages stays as it is, as upstream's dup leaves
 * _nr_pages_mapped alone.
 */
void pb_rmap_dup_folio(struct pb_mm *mm, struct pb_page *head,
		       struct pb_page *page, unsigned int nr, u16 clear)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		page[i].mapcount++;
		page[i].flags &= ~clear;
	}
	pb_folio_large_mapcount_add(head, nr);
	if (head->order)
		pb_mm_ids_add(mm, head, nr);
	pb_mm_count(mm, PB_MMC_mapcount_atomics, 1);
}

/*
 * The zap that queued a large folio (order >= 2) for deferred split, kept in
 * its second tail page, whose folio fields are free, as 64 bits in two halves.
 */
static void pb_set_queued_epoch(struct pb_page *head, u64 epoch)
{
	head[2].extra_refs = (u32)epoch;
	head[2].refcount = (u32)(epoch >> 32);
}

static u64 pb_queued_epoch(const struct pb_page *head)
{
	return ((u64)head[2].refcount << 32) | head[2].extra_refs;
}

/*
 * A zap (zap_pte_range() of one munmap or exit, pb_zap_range()) brackets its
 * rmap removals: the arena's zap epoch is odd inside one and each zap has its
 * own, so that a deferred-split queuing can tell whether the same zap takes
 * the folio away whole.
 */
void pb_rmap_zap_begin(struct pb_mm *mm)
{
	mm->phys->zap_epoch++;
}

void pb_rmap_zap_end(struct pb_mm *mm)
{
	mm->phys->zap_epoch++;
}

/*
 * deferred_split_folio(folio, true): a large anon folio left partly mapped
 * is marked partially mapped (counted once) and queued, unless it is on the
 * queue already (a PMD THP is queued at its fault).  An order-1 folio is
 * neither ("Order 1 folios have no space for a deferred list").
 */
static void pb_queue_partial(struct pb_mm *mm, struct pb_page *head,
			     u64 head_pfn)
{
	if (!(head->flags & PB_PG_ANON) || (head->flags & PB_PG_PARTIAL) ||
	    head->order <= 1)
		return;
	pb_set_queued_epoch(head, mm->phys->zap_epoch);
	head->flags |= PB_PG_PARTIAL;
	if (!(head->flags & PB_PG_DEFERRED))
		pb_deferred_add(mm->phys, head_pfn);
	pb_mm_count(mm, PB_MMC_deferred_split_adds, 1);
}

/*
 * __folio_remove_rmap(): with per-page mapcounts, a large anon folio that this
 * removal leaves with some pages unmapped and others mapped is queued for
 * deferred split; a PMD that maps it whole keeps it whole (ENTIRELY_MAPPED).
 * With no_page_mapcount only the total is known: the folio is queued when
 * fewer mappings than pages are left and no PMD maps it, so a folio whose
 * pages are mapped unevenly (twice here, not at all there) can escape the
 * queue.  Taking a whole folio away in one call never queues it; one page at
 * a time queues it on the first page, and the queuing is spurious when the
 * same zap takes the rest.  A folio queued by an earlier munmap, or outside a
 * zap (a COW fault), and unmapped later was queued rightly.
 */
void pb_rmap_remove(struct pb_mm *mm, u64 pfn, unsigned int nr)
{
	u64 head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);

	pb_rmap_remove_folio(mm, head, head_pfn, pfn, nr);
}

void pb_rmap_remove_folio(struct pb_mm *mm, struct pb_page *head, u64 head_pfn,
			  u64 pfn, unsigned int nr)
{
	struct pb_page *page = head + (pfn - head_pfn);
	unsigned int i, unmapped = 0, gone = 0;
	bool partially;

	for (i = 0; i < nr; i++) {
		bool zero = !--page[i].mapcount;

		gone += zero;
		/* Still mapped, by a PTE or by a PMD of the whole folio. */
		if (!zero || pb_folio_entire_mapcount(head))
			continue;
		unmapped++;
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
	}
	if (head->order)
		pb_nr_pages_mapped(head) -= gone;
	pb_folio_large_mapcount_add(head, -(s32)nr);
	pb_mm_count(mm, PB_MMC_mapcount_atomics, 1);
	if (!head->order)
		return;
	pb_mm_ids_sub(mm, head, nr);
	/* Queued by this zap, now wholly unmapped by it: it was for nothing. */
	if ((head->flags & PB_PG_PARTIAL) && !pb_folio_large_mapcount(head) &&
	    (mm->phys->zap_epoch & 1) &&
	    pb_queued_epoch(head) == mm->phys->zap_epoch)
		pb_mm_count(mm, PB_MMC_deferred_split_spurious, 1);
	if (mm->phys->no_page_mapcount)
		partially = pb_folio_large_mapcount(head) &&
			    !pb_folio_entire_mapcount(head) &&
			    pb_folio_large_mapcount(head) < (1U << head->order);
	else
		partially = unmapped && pb_nr_pages_mapped(head);
	if (partially)
		pb_queue_partial(mm, head, head_pfn);
}

/*
 * A PMD of @pfn's folio is mapped (folio_add_new_anon_rmap() or
 * folio_try_dup_anon_rmap_pmd() at the PMD level): the entire mapcount and
 * the total go up by one, the per-page mapcounts do not, and an exclusive
 * mapping marks only the head page (RMAP_EXCLUSIVE at RMAP_LEVEL_PMD).
 */
void pb_rmap_add_pmd(struct pb_mm *mm, u64 head_pfn, bool exclusive)
{
	struct pb_page *head = pb_pfn_to_page(mm->phys, head_pfn);

	pb_entire_mapcount(head)++;
	pb_folio_large_mapcount_add(head, 1);
	pb_mm_ids_add(mm, head, 1);
	if (exclusive)
		head->flags |= PB_PG_ANON_EXCLUSIVE;
	pb_mm_count(mm, PB_MMC_mapcount_atomics, 1);
}

/*
 * folio_remove_rmap_pmd(): when the last PMD goes, the pages no PTE maps are
 * unmapped (what the hardware wrote through the PMD must then be saved in
 * the folio's dirty flag, as for PTEs), and a folio that PTEs still map in
 * part is partially mapped and queued (__folio_remove_rmap()'s
 * partially_mapped = nr && nr < nr_pmdmapped, or with no_page_mapcount
 * fewer mappings left than pages).
 */
void pb_rmap_remove_pmd(struct pb_mm *mm, u64 head_pfn)
{
	struct pb_page *head = pb_pfn_to_page(mm->phys, head_pfn);
	unsigned int i, nr = 1U << head->order;
	bool partially;

	pb_folio_large_mapcount_add(head, -1);
	pb_mm_ids_sub(mm, head, 1);
	pb_mm_count(mm, PB_MMC_mapcount_atomics, 1);
	if (--pb_entire_mapcount(head))
		return;
	for (i = 0; i < nr; i++) {
		if (head[i].mapcount)
			continue;
		if ((head[i].flags & PB_PG_HW_DIRTIED) &&
		    !(head->flags & (PB_PG_ANON | PB_PG_DIRTY)))
			pb_violation(mm, PB_V_dirty_lost,
				     (head_pfn + i) << mm->geom.page_shift, 1, 0);
		head[i].flags &= ~PB_PG_HW_DIRTIED;
	}
	if (mm->phys->no_page_mapcount)
		partially = pb_folio_large_mapcount(head) &&
			    pb_folio_large_mapcount(head) < nr;
	else
		partially = pb_nr_pages_mapped(head) && pb_nr_pages_mapped(head) < nr;
	if (partially)
		pb_queue_partial(mm, head, head_pfn);
}
