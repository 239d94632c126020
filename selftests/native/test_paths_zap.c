// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of paths/zap.c and paths/gather.c: deferred split, a file
 * folio's dirty state, the mmu_gather's forced flushes, and that a folio is
 * freed only after the flush that covers its mappings.
 */
#include "nt_paths.h"

/* --- Zap ---------------------------------------------------------------------------- */

/*
 * Seed 001: batched zap takes a whole large folio away in one rmap call, so it
 * never queues it for deferred split; per PTE, the first page queues it and
 * the last, in the same zap, makes that spurious.  A half-unmapped folio is
 * queued either way, and rightly, even when a later munmap takes the rest.
 */
TEST_F(paths, zap_queues_deferred_split_only_for_partly_unmapped_folios)
{
	unsigned int cont = self->cont, cs = variant->cont_shift, m;
	struct pb_mm *mms[2] = { self->mm, other_mm(self, false) };

	ASSERT_NE(NULL, mms[1]);
	mms[1]->knobs[PB_KNOB_zap_batch] = 0;
	for (m = 0; m < 2; m++) {
		struct pb_mm *mm = mms[m];
		bool batched = !m;

		mm->knobs[PB_KNOB_gather_capacity] = PB_GATHER_MAX;
		nt_add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
		/* F1 and F2 two blocks each, F3 one block, then an order-0 page. */
		nt_populate(_metadata, mm, NT_VA, 4 * self->block, cs + 1, false);
		nt_populate(_metadata, mm, nt_va(self->mm, 4 * cont), self->block, cs, false);
		nt_populate(_metadata, mm, nt_va(self->mm, 5 * cont), self->psize, 0, false);

		pb_zap_range(mm, NT_VA, nt_va(self->mm, 2 * cont));
		EXPECT_EQ(batched ? 0 : 1, mm->counters[PB_MMC_deferred_split_adds]);
		EXPECT_EQ(batched ? 0 : 1, mm->counters[PB_MMC_deferred_split_spurious]);
		EXPECT_EQ(0, mm->phys->deferred_len);

		pb_zap_range(mm, nt_va(self->mm, 2 * cont), nt_va(self->mm, 3 * cont));
		EXPECT_EQ(batched ? 1 : 2, mm->counters[PB_MMC_deferred_split_adds]);
		EXPECT_EQ(batched ? 0 : 1, mm->counters[PB_MMC_deferred_split_spurious]);
		EXPECT_EQ(1, mm->phys->deferred_len);
		EXPECT_TRUE(nt_folio_at(mm, nt_va(self->mm, 3 * cont),
					NULL)->flags & PB_PG_DEFERRED);

		pb_zap_range(mm, nt_va(self->mm, 4 * cont), nt_va(self->mm, 5 * cont + 1));
		EXPECT_EQ(batched ? 1 : 3, mm->counters[PB_MMC_deferred_split_adds]);
		EXPECT_EQ(batched ? 0 : 2, mm->counters[PB_MMC_deferred_split_spurious]);
		EXPECT_EQ(1, mm->phys->deferred_len);

		/*
		 * The rest of F2: the earlier munmap queued it rightly, both
		 * ways; only a queuing that the same zap undoes is spurious.
		 */
		pb_zap_range(mm, nt_va(self->mm, 3 * cont), nt_va(self->mm, 4 * cont));
		EXPECT_EQ(batched ? 1 : 3, mm->counters[PB_MMC_deferred_split_adds]);
		EXPECT_EQ(batched ? 0 : 2, mm->counters[PB_MMC_deferred_split_spurious]);
		EXPECT_EQ(0, mm->phys->deferred_len);

		EXPECT_EQ(batched ? 5 : 5 * cont + 1, mm->counters[PB_MMC_zap_batches]);
		EXPECT_EQ(batched ? 0 : 5, mm->counters[PB_MMC_unfolds]);
		EXPECT_EQ(0, mm->phys->live_folios);
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	}
}

/*
 * A file folio's dirty state goes to the folio when it is unmapped:
 * get_and_clear_full_ptes() gathers it from every entry of the batch.  So
 * does a shmem folio's (a shared anon VMA), a file folio too.  An anon
 * folio's data goes with its last mapping, so it is not dirtied.  The page
 * cache keeps each file folio alive to be looked at, a reference the test
 * takes the anon one.
 */
TEST_F(paths, zap_moves_a_file_folios_dirty_state_to_the_folio)
{
	static const struct {
		bool anon, batched, written;
		unsigned int block;
	} t[] = {
		{ false, true, true, 0 }, { false, true, false, 1 }, { false, false, true, 2 },
		{ true, true, true, 4 }, { false, true, true, 5 }, { false, false, true, 6 },
	};
	unsigned int cont = self->cont, i;
	struct pb_mm *mm = self->mm;

	/* Without contpte: the dirty entry is found by the batch, not by a block. */
	mm->knobs[PB_KNOB_contpte] = 0;
	nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_SHARED);
	nt_add_vma(_metadata, mm, nt_va(self->mm, 4 * cont), self->block, RW_ANON);
	nt_add_vma(_metadata, mm, nt_va(self->mm, 5 * cont), 2 * self->block, RW_SHMEM);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		u64 va = nt_va(self->mm, t[i].block * cont), head_pfn;
		u64 zaps = mm->counters[PB_MMC_zap_batches];
		struct pb_page *head;

		nt_populate(_metadata, mm, va, self->block, variant->cont_shift, false);
		pb_clear_young_dirty_ptes(mm, va, nt_ptep_at(mm, va), cont, false, true);
		pb_flush_tlb_range(mm, va, va + self->block);
		head = nt_folio_at(mm, va, &head_pfn);
		/* Written back: the folio is clean too (folio_clear_dirty_for_io()). */
		head->flags &= ~PB_PG_DIRTY;
		if (t[i].anon) {
			head->refcount++;
			head->extra_refs++;
		}
		if (t[i].written)
			ASSERT_EQ(0, pb_access(mm, va + (cont / 2) * self->psize, true, NULL));
		mm->knobs[PB_KNOB_zap_batch] = t[i].batched;
		ASSERT_EQ(0, pb_check_mm(mm)) TH_LOG("case %u", i);
		pb_zap_range(mm, va, va + self->block);
		EXPECT_EQ(t[i].batched ? 1 : cont, mm->counters[PB_MMC_zap_batches] - zaps)
			TH_LOG("case %u", i);
		/* The extra reference, or the page cache's, one per page. */
		EXPECT_EQ(t[i].anon ? 1 : 1U << head->order, head->refcount) TH_LOG("case %u", i);
		EXPECT_EQ(0, pb_folio_large_mapcount(head)) TH_LOG("case %u", i);
		EXPECT_EQ(t[i].written && !t[i].anon, !!(head->flags & PB_PG_DIRTY))
			TH_LOG("case %u", i);
		EXPECT_EQ(0, pb_check_mm(mm)) TH_LOG("case %u", i);
		if (t[i].anon) {
			head->extra_refs--;
			EXPECT_TRUE(pb_folio_put(mm->phys, head_pfn, 1)) TH_LOG("case %u", i);
		}
	}
	/* The five file folios stay in the page cache, unmapped. */
	EXPECT_EQ(5, mm->phys->cache_folios);
	EXPECT_EQ(5, mm->phys->live_folios);
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * deferred_split_spurious counts only a queuing that the same zap undoes: a
 * large anon folio unmapped in two munmaps, half each, is queued once and
 * rightly; one unmapped whole by a per-PTE munmap is queued and spuriously.
 */
TEST_F(paths, zap_spurious_deferred_split_needs_one_zap)
{
	unsigned int cont = self->cont, half = cont / 2;
	struct pb_mm *mm = self->mm;

	nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);

	pb_zap_range(mm, NT_VA, nt_va(mm, half));
	EXPECT_EQ(1, mm->counters[PB_MMC_deferred_split_adds]);
	pb_zap_range(mm, nt_va(mm, half), nt_va(mm, cont));
	EXPECT_EQ(1, mm->counters[PB_MMC_deferred_split_adds]);
	EXPECT_EQ(0, mm->counters[PB_MMC_deferred_split_spurious]);
	EXPECT_EQ(0, mm->phys->deferred_len);

	mm->knobs[PB_KNOB_zap_batch] = 0;
	pb_zap_range(mm, nt_va(mm, cont), nt_va(mm, 2 * cont));
	EXPECT_EQ(2, mm->counters[PB_MMC_deferred_split_adds]);
	EXPECT_EQ(1, mm->counters[PB_MMC_deferred_split_spurious]);
	EXPECT_EQ(0, mm->phys->deferred_len);
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * The mmu_gather counts slots, as upstream's batch of encoded pages does
 * (__tlb_remove_folio_pages_size()): one per order-0 page, two per run of a
 * large folio.  It is full, and flushes early, when fewer than two slots are
 * free: after each cap - 1 order-0 pages, after each (cap - 1) / 2 runs,
 * rounded up.  Entries of more pages take no more slots.
 */
TEST_F(paths, zap_flushes_when_the_gather_is_full)
{
	unsigned int cont = self->cont, pages = 2 * cont, cap = 5;
	unsigned int per_page = cap - 1, per_run = DIV_ROUND_UP(cap - 1, 2);
	struct pb_mm *mm = self->mm;
	u64 before[PB_NR_MM_COUNTERS];

	nt_add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, 0, false);
	nt_populate(_metadata, mm, nt_va(self->mm, 2 * cont), 4 * self->block, variant->cont_shift,
		    false);

	mm->knobs[PB_KNOB_gather_capacity] = cap;
	NT_SNAP(mm, before);
	pb_zap_range(mm, NT_VA, nt_va(self->mm, pages));
	EXPECT_EQ(pages / per_page, nt_delta(mm, before, PB_MMC_gather_forced_flushes));
	EXPECT_EQ(DIV_ROUND_UP(pages, per_page), nt_delta(mm, before, PB_MMC_gather_flushes));
	EXPECT_EQ(DIV_ROUND_UP(pages, per_page), nt_delta(mm, before, PB_MMC_tlbi_range));
	/* One reference drop per batch, each after its flush. */
	EXPECT_EQ(pages, nt_delta(mm, before, PB_MMC_refcount_atomics));
	EXPECT_EQ(4, mm->phys->live_folios);

	/* Four runs of a block, two slots each, whatever the block's size. */
	NT_SNAP(mm, before);
	pb_zap_range(mm, nt_va(self->mm, pages), nt_va(self->mm, 6 * cont));
	EXPECT_EQ(4 / per_run, nt_delta(mm, before, PB_MMC_gather_forced_flushes));
	EXPECT_EQ(DIV_ROUND_UP(4, per_run), nt_delta(mm, before, PB_MMC_gather_flushes));
	EXPECT_EQ(4, nt_delta(mm, before, PB_MMC_zap_batches));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_unfolds));
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * An entry without a page (a special mapping) takes no slot: a gather of
 * three slots takes the special entries of a table and an order-0 page
 * without a forced flush, and is full only with a second page.
 */
TEST_F(paths, zap_special_entries_take_no_gather_slot)
{
	unsigned int cont = self->cont, i;
	struct pb_mm *mm = self->mm;
	u64 before[PB_NR_MM_COUNTERS];
	pb_pte_t *ptep;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	ptep = pb_pte_offset(mm, NT_VA, true);
	ASSERT_NE(NULL, ptep);
	/* Special entries of a PFN outside the arena, as a VM_PFNMAP has. */
	for (i = 0; i < cont; i++)
		pb_raw_set_ptes(mm, nt_va(mm, i), ptep + i,
				pb_pfn_pte(self->g, (1ULL << 30) + i,
					   nt_prot_rw(self->g) | PB_PTE_SPECIAL), 1);
	nt_populate(_metadata, mm, nt_va(mm, cont), 2 * self->psize, 0, false);

	mm->knobs[PB_KNOB_gather_capacity] = 3;
	NT_SNAP(mm, before);
	pb_zap_range(mm, NT_VA, nt_va(mm, cont + 1));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_gather_forced_flushes));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_gather_flushes));
	EXPECT_EQ(1, mm->phys->live_folios);

	NT_SNAP(mm, before);
	nt_populate(_metadata, mm, nt_va(mm, cont), self->psize, 0, false);
	pb_zap_range(mm, nt_va(mm, cont), nt_va(mm, cont + 2));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_gather_forced_flushes));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_gather_flushes));
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
}

#define NR_WATCH	4

/* What the free hook saw when a watched folio's backing data was freed. */
static struct {
	struct pb_mm *mm;
	const void *data[NR_WATCH];
	u64 va[NR_WATCH];
	int freed[NR_WATCH];		/* order of the frees, from 1 */
	bool tlb_self[NR_WATCH];	/* the folio's own TLB entry was there */
	bool tlb_next[NR_WATCH];	/* the next folio's entry was there */
	int nr_freed;
} watch;

static void watch_malloc(const void *p, size_t size)
{
}

static void watch_free(const void *p)
{
	int i;

	for (i = 0; i < NR_WATCH; i++) {
		if (p != watch.data[i] || watch.freed[i])
			continue;
		watch.freed[i] = ++watch.nr_freed;
		watch.tlb_self[i] = pb_tlb_lookup(watch.mm, watch.va[i]);
		if (i + 1 < NR_WATCH)
			watch.tlb_next[i] = pb_tlb_lookup(watch.mm, watch.va[i + 1]);
	}
}

/*
 * A folio is freed only after the flush that covers its mappings: when its
 * backing data is freed, the TLB entry filled before the zap is gone, while
 * that of the next folio, in the next gather, is still there.
 */
TEST_F(paths, zap_frees_folios_only_after_their_flush)
{
	unsigned int cont = self->cont, i;
	struct pb_mm *mm = other_mm(self, true);
	u64 val;

	ASSERT_NE(NULL, mm);
	nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 4 * self->block, variant->cont_shift, false);
	watch.mm = mm;
	for (i = 0; i < NR_WATCH; i++) {
		u64 head;

		watch.va[i] = nt_va(self->mm, i * cont + 1);
		ASSERT_EQ(0, pb_access(mm, watch.va[i], false, &val));
		ASSERT_NE(NULL, pb_tlb_lookup(mm, watch.va[i]));
		nt_folio_at(mm, watch.va[i], &head);
		watch.data[i] = pb_page_data(mm->phys, head);
		ASSERT_NE(NULL, watch.data[i]);
	}
	ASSERT_NE(0, __sanitizer_install_malloc_and_free_hooks(watch_malloc, watch_free));
	/* A gather of one run (two slots): each batch is flushed, then its folio freed. */
	mm->knobs[PB_KNOB_gather_capacity] = 2;
	pb_zap_range(mm, NT_VA, nt_va(self->mm, 4 * cont));
	EXPECT_EQ(NR_WATCH, watch.nr_freed);
	for (i = 0; i < NR_WATCH; i++) {
		EXPECT_EQ(i + 1, watch.freed[i]) TH_LOG("folio %u", i);
		EXPECT_FALSE(watch.tlb_self[i]) TH_LOG("folio %u", i);
		EXPECT_EQ(i + 1 < NR_WATCH, watch.tlb_next[i]) TH_LOG("folio %u", i);
	}
	EXPECT_EQ(NR_WATCH, mm->counters[PB_MMC_gather_forced_flushes]);
	EXPECT_EQ(0, mm->phys->live_folios);
	/* An access now walks the table and faults: nothing stale is left. */
	EXPECT_EQ(-EFAULT, pb_access(mm, watch.va[0], false, &val));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

TEST_HARNESS_MAIN
