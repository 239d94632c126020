// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch selftests: fork, zap, mprotect and faults over the private mm,
 * batched and one PTE at a time, through the ctl interface.
 *
 * The exact counters of each scenario are the native suite's
 * (selftests/native/test_paths_*.c), asserted against the model itself.
 * Here the same scenarios run through debugfs in the kernel, and a test
 * asserts what only that shows: the commands' replies, the entries as dump
 * shows them, the folios as folio shows them, the counters moving the way
 * the documentation says through mm_stats, and the stats file saying what
 * mm_stats says.
 */

#include "pb_test.h"

#define VA	0x40000000ULL

FIXTURE(paths)
{
	struct pb_ctl c;
	unsigned long long psize, block;
	unsigned int cont, cont_shift;
};

FIXTURE_VARIANT(paths)
{
	unsigned int page_kb, cont, cont_shift;
};

FIXTURE_VARIANT_ADD(paths, granule_4k) { .page_kb = 4, .cont = 16, .cont_shift = 4 };
FIXTURE_VARIANT_ADD(paths, granule_16k) { .page_kb = 16, .cont = 128, .cont_shift = 7 };
FIXTURE_VARIANT_ADD(paths, granule_64k) { .page_kb = 64, .cont = 32, .cont_shift = 5 };

FIXTURE_SETUP(paths)
{
	self->cont = variant->cont;
	self->cont_shift = variant->cont_shift;
	self->psize = variant->page_kb * 1024ULL;
	self->block = self->psize * self->cont;
	ASSERT_EQ(0, pb_open(&self->c));
	CMD("mm_create page_kb=%u backing=1", variant->page_kb);
	CMD("mmap mm=0 start=0x%llx len=0x%llx flags=r,w,anon", VA, 8 * self->block);
}

FIXTURE_TEARDOWN(paths)
{
	pb_close(&self->c);
}

/*
 * Every counter of mm @mm in the stats file (mm.<session>.<mm>.<counter>) is
 * what mm_stats replies.  Helpers take FIXTURE_DATA(paths) spaced "* self",
 * as selftests/mm does, so that checkpatch reads a type and not a product.
 */
static void expect_stats_file_agrees(struct __test_metadata *_metadata,
				     FIXTURE_DATA(paths) * self, int mm)
{
	unsigned long long v[PB_NR_MM_COUNTERS];
	const char *rest;
	unsigned int i;
	char name[96];
	long long sid;

	CMD("session");
	sid = pb_reply_val(&self->c, "id");
	MM_STATS(mm, v);
	ASSERT_EQ(0, pb_stats(NULL, NULL, &rest));
	for (i = 0; i < PB_NR_MM_COUNTERS; i++) {
		snprintf(name, sizeof(name), "mm.%lld.%d.%s", sid, mm, pb_mm_counter_names[i]);
		EXPECT_EQ((long long)v[i], pb_lookup(rest, name)) TH_LOG("%s", name);
	}
}

/* The PMD order of the granule: a last-level table's worth of pages. */
static unsigned int pmd_order(FIXTURE_DATA(paths) * self)
{
	return __builtin_ctzll(self->psize) - 3;
}

/* Entries of mm @mm's first @nr pages from VA whose dump line has @what. */
static int entries(FIXTURE_DATA(paths) * self, int mm, unsigned int nr, const char *what)
{
	return pb_count_entries(&self->c, mm, VA, nr, self->psize, what);
}

/* --- Fork ------------------------------------------------------------------ */

TEST_F(paths, fork_batched_keeps_parent_folded)
{
	unsigned int blocks = 4, pages = blocks * self->cont;
	unsigned long long parent[PB_NR_MM_COUNTERS], child[PB_NR_MM_COUNTERS];

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, blocks * self->block,
	    self->cont_shift);
	CMD("fork mm=0");
	ASSERT_EQ(1, pb_reply_val(&self->c, "mm"));
	/* Both sides folded and read-only; the child's entries are old. */
	EXPECT_EQ(pages, entries(self, 0, pages, "cont=1"));
	EXPECT_EQ(pages, entries(self, 0, pages, ",RO,"));
	EXPECT_EQ(pages, entries(self, 1, pages, "cont=1"));
	EXPECT_EQ(pages, entries(self, 1, pages, ",RO,"));
	EXPECT_EQ(0, entries(self, 1, pages, ",AF"));
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(2, pb_reply_val(&self->c, "mapcount"));
	EXPECT_EQ(2 * self->cont, pb_reply_val(&self->c, "refcount"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "exclusive"));
	/* Batched: fewer batches than entries copied, no block unfolded. */
	MM_STATS(0, parent);
	MM_STATS(1, child);
	EXPECT_LT(0, parent[PB_MMC_wrprotect_whole_blocks]);
	EXPECT_EQ(0, parent[PB_MMC_unfolds]);
	EXPECT_LT(child[PB_MMC_fork_batches], child[PB_MMC_ptes_copied]);
	expect_stats_file_agrees(_metadata, self, 0);
	expect_stats_file_agrees(_metadata, self, 1);
}

TEST_F(paths, fork_batched_large_folio_is_one_batch)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 4 * self->block,
	    self->cont_shift + 2);
	CMD("fork mm=0");
	EXPECT_EQ(1, pb_mm_counter(&self->c, 1, PB_MMC_fork_batches));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 1, PB_MMC_refcount_atomics));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 1, PB_MMC_batch_size_large));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
}

TEST_F(paths, fork_per_pte_unfolds_every_block)
{
	unsigned int blocks = 4, pages = blocks * self->cont;
	unsigned long long parent[PB_NR_MM_COUNTERS], child[PB_NR_MM_COUNTERS];

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, blocks * self->block,
	    self->cont_shift);
	SET_KNOB(0, PB_KNOB_fork_batch, 0);
	EXPECT_EQ(0, pb_knob(&self->c, 0, PB_KNOB_fork_batch));
	CMD("fork mm=0");
	ASSERT_EQ(1, pb_reply_val(&self->c, "mm"));
	/* The parent is left unfolded; the child folds each block again. */
	EXPECT_EQ(0, entries(self, 0, pages, "cont=1"));
	EXPECT_EQ(pages, entries(self, 0, pages, ",RO,"));
	EXPECT_EQ(pages, entries(self, 1, pages, "cont=1"));
	/* One PTE at a time: a batch per entry, and unfolds in the parent. */
	MM_STATS(0, parent);
	MM_STATS(1, child);
	EXPECT_LT(0, parent[PB_MMC_unfolds]);
	EXPECT_EQ(child[PB_MMC_ptes_copied], child[PB_MMC_fork_batches]);
	EXPECT_LT(0, child[PB_MMC_folds]);
	expect_stats_file_agrees(_metadata, self, 0);
	expect_stats_file_agrees(_metadata, self, 1);
}

TEST_F(paths, order0_fork_batched_and_per_pte_alike)
{
	unsigned int pages = 2 * self->cont;
	static const enum pb_mm_counter same[] = {
		PB_MMC_fork_batches, PB_MMC_batch_size_1, PB_MMC_refcount_atomics,
		PB_MMC_mapcount_atomics, PB_MMC_ptes_copied, PB_MMC_unfolds,
		PB_MMC_folds,
	};
	unsigned long long batched[PB_NR_MM_COUNTERS], per_pte[PB_NR_MM_COUNTERS];
	unsigned int i;

	CMD("mm_create page_kb=%llu backing=1", self->psize / 1024);
	CMD("mmap mm=1 start=0x%llx len=0x%llx", VA, 8 * self->block);
	SET_KNOB(1, PB_KNOB_fork_batch, 0);
	CMD("populate mm=0 va=0x%llx len=0x%llx order=0", VA, pages * self->psize);
	CMD("populate mm=1 va=0x%llx len=0x%llx order=0", VA, pages * self->psize);
	CMD("fork mm=0");
	ASSERT_EQ(2, pb_reply_val(&self->c, "mm"));
	CMD("fork mm=1");
	ASSERT_EQ(3, pb_reply_val(&self->c, "mm"));
	MM_STATS(2, batched);
	MM_STATS(3, per_pte);
	for (i = 0; i < ARRAY_SIZE(same); i++) {
		EXPECT_EQ(batched[same[i]], per_pte[same[i]])
			TH_LOG("%s", pb_mm_counter_names[same[i]]);
	}
	/* Order 0 never batches: both children are alike in the dump too. */
	EXPECT_EQ(pages, entries(self, 2, pages, ",RO,"));
	EXPECT_EQ(pages, entries(self, 3, pages, ",RO,"));
	EXPECT_EQ(0, entries(self, 2, pages, "cont=1") + entries(self, 3, pages, "cont=1"));
	expect_stats_file_agrees(_metadata, self, 2);
	expect_stats_file_agrees(_metadata, self, 3);
}

/*
 * A large anon folio unmapped half by half in two munmaps is queued for
 * deferred split once, rightly; a per-PTE munmap of a whole one queues it
 * and takes it away in the same zap: spurious.
 */
TEST_F(paths, deferred_split_spurious_only_within_one_munmap)
{
	unsigned long long half = self->block / 2;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift);
	CMD("munmap mm=0 va=0x%llx len=0x%llx", VA, half);
	CMD("munmap mm=0 va=0x%llx len=0x%llx", VA + half, half);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_deferred_split_adds));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_deferred_split_spurious));
	SET_KNOB(0, PB_KNOB_zap_batch, 0);
	CMD("munmap mm=0 va=0x%llx len=0x%llx", VA + self->block, self->block);
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_deferred_split_adds));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_deferred_split_spurious));
}

/*
 * A pin of an order-0 folio adds GUP_PIN_COUNTING_BIAS to its refcount, as
 * 6.12 does; the folio dump's refcount shows it, pincount counts the pin.
 */
TEST_F(paths, an_order0_pin_adds_the_pin_counting_bias)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=0", VA, self->psize);
	CMD("pin mm=0 va=0x%llx len=0x%llx", VA, self->psize);
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "pincount"));
	EXPECT_EQ(1 + PB_GUP_PIN_COUNTING_BIAS, pb_reply_val(&self->c, "refcount"));
	CMD("unpin mm=0 va=0x%llx len=0x%llx", VA, self->psize);
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(0, pb_reply_val(&self->c, "pincount"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "refcount"));
}

/*
 * A pin anywhere in a large folio makes each of its exclusive pages "maybe
 * pinned" (folio_maybe_dma_pinned() is per folio): fork copies them all.
 */
TEST_F(paths, pinned_exclusive_pages_are_copied)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift);
	CMD("pin mm=0 va=0x%llx len=0x%llx", VA, 2 * self->psize);
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(2, pb_reply_val(&self->c, "pincount"));
	EXPECT_EQ(self->cont + 2, pb_reply_val(&self->c, "refcount"));
	CMD("fork mm=0");
	EXPECT_LT(0, pb_mm_counter(&self->c, 1, PB_MMC_pinned_fallbacks));
	/* The child has its own order-0 copies of the pinned folio's pages... */
	CMD("folio mm=1 va=0x%llx", VA + 3 * self->psize);
	EXPECT_EQ(0, pb_reply_val(&self->c, "order"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "exclusive"));
	/* ...and shares the unpinned folio. */
	CMD("folio mm=1 va=0x%llx", VA + self->block);
	EXPECT_EQ(self->cont_shift, pb_reply_val(&self->c, "order"));
	EXPECT_EQ(2, pb_reply_val(&self->c, "mapcount"));
	/* The parent's pinned folio stays exclusive, writable and folded. */
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "exclusive"));
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "DBM"));
	CMD("touch mm=0 va=0x%llx write=1", VA);
	EXPECT_EQ(0, pb_reply_val(&self->c, "faulted"));
	CMD("unpin mm=0 va=0x%llx len=0x%llx", VA, 2 * self->psize);
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(0, pb_reply_val(&self->c, "pincount"));
	EXPECT_EQ(self->cont, pb_reply_val(&self->c, "refcount"));
}

TEST_F(paths, cow_after_fork_unfolds_the_written_block_only)
{
	unsigned int blocks = 4, pages = blocks * self->cont;
	unsigned long long va = VA + 2 * self->block + self->psize;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, blocks * self->block,
	    self->cont_shift);
	CMD("fork mm=0");
	CMD("touch mm=1 va=0x%llx write=1 val=5", va);
	EXPECT_EQ(1, pb_reply_val(&self->c, "faulted"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "segv"));
	EXPECT_EQ(5, pb_reply_val(&self->c, "val"));
	/* The child's copy: order 0 and its own; only its block unfolded. */
	CMD("folio mm=1 va=0x%llx", va);
	EXPECT_EQ(0, pb_reply_val(&self->c, "order"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "exclusive"));
	EXPECT_EQ(pages - self->cont, entries(self, 1, pages, "cont=1"));
	EXPECT_EQ(pages, entries(self, 0, pages, "cont=1"));
	EXPECT_LT(0, pb_mm_counter(&self->c, 1, PB_MMC_cow_copies));
	expect_stats_file_agrees(_metadata, self, 1);
}

/* --- Data integrity, with backing pages ------------------------------------- */

TEST_F(paths, fork_keeps_each_side_its_data)
{
	unsigned int blocks = 2, b;
	unsigned long long va;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, blocks * self->block,
	    self->cont_shift);
	for (b = 0; b < blocks; b++)
		CMD("touch mm=0 va=0x%llx write=1 val=0x%x", VA + b * self->block, 0x100 + b);
	CMD("fork mm=0");
	for (b = 0; b < blocks; b++)
		CMD("touch mm=1 va=0x%llx write=1 val=0x%x", VA + b * self->block, 0x200 + b);
	for (b = 0; b < blocks; b++) {
		va = VA + b * self->block;
		CMD("touch mm=0 va=0x%llx", va);
		EXPECT_EQ(0x100 + b, pb_reply_val(&self->c, "val"));
		CMD("touch mm=1 va=0x%llx", va);
		EXPECT_EQ(0x200 + b, pb_reply_val(&self->c, "val"));
	}
	/* mprotect round trips and a partial munmap keep what is left. */
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=r", VA, blocks * self->block);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=rw", VA, blocks * self->block);
	CMD("munmap mm=0 va=0x%llx len=0x%llx", VA + self->psize, self->block / 2);
	CMD("touch mm=0 va=0x%llx", VA);
	EXPECT_EQ(0x100, pb_reply_val(&self->c, "val"));
	CMD("touch mm=0 va=0x%llx", VA + self->block);
	EXPECT_EQ(0x101, pb_reply_val(&self->c, "val"));
	CMD("touch mm=1 va=0x%llx", VA + self->psize);
	EXPECT_EQ(0, pb_reply_val(&self->c, "val"));
	CMD("mm_destroy mm=1");
	CMD("mm_destroy mm=0");
	EXPECT_EQ(0, pb_stat(PB_CNT_live_folios));
	EXPECT_EQ(0, pb_stat(PB_CNT_live_data_pages));
}

/* --- Zap ------------------------------------------------------------------------ */

TEST_F(paths, munmap_whole_large_folios_adds_no_deferred_split)
{
	unsigned int folios = 2, order = self->cont_shift + 1;
	unsigned long long live = pb_stat(PB_CNT_live_folios);

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA,
	    folios * 2 * self->block, order);
	EXPECT_EQ(live + folios, pb_stat(PB_CNT_live_folios));
	CMD("munmap mm=0 va=0x%llx len=0x%llx", VA, folios * 2 * self->block);
	/* Gone at once, none queued: the stats file and mm_stats agree. */
	EXPECT_EQ(live, pb_stat(PB_CNT_live_folios));
	CMD("mm_stats mm=0");
	EXPECT_EQ(0, pb_reply_val(&self->c, PB_MMS_NAME(deferred_split_queue)));
	EXPECT_EQ(0, pb_reply_val(&self->c, PB_MMS_NAME(arena_folios)));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_deferred_split_adds));
	EXPECT_EQ(0, entries(self, 0, 2 * folios * self->cont, "pfn="));
	expect_stats_file_agrees(_metadata, self, 0);
}

TEST_F(paths, munmap_per_pte_adds_spurious_deferred_split)
{
	unsigned int folios = 2, order = self->cont_shift + 1;
	unsigned long long v[PB_NR_MM_COUNTERS];

	SET_KNOB(0, PB_KNOB_zap_batch, 0);
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA,
	    folios * 2 * self->block, order);
	CMD("munmap mm=0 va=0x%llx len=0x%llx", VA, folios * 2 * self->block);
	/* Queued by the first PTE, and every one of them for nothing. */
	MM_STATS(0, v);
	EXPECT_LT(0, v[PB_MMC_deferred_split_adds]);
	EXPECT_EQ(v[PB_MMC_deferred_split_adds], v[PB_MMC_deferred_split_spurious]);
	CMD("mm_stats mm=0");
	EXPECT_EQ(0, pb_reply_val(&self->c, PB_MMS_NAME(deferred_split_queue)));
	expect_stats_file_agrees(_metadata, self, 0);
}

TEST_F(paths, munmap_half_a_folio_queues_it)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift + 1);
	CMD("munmap mm=0 va=0x%llx len=0x%llx", VA, self->block);
	CMD("mm_stats mm=0");
	EXPECT_EQ(1, pb_reply_val(&self->c, PB_MMS_NAME(deferred_split_queue)));
	/* The folio says so, from the half still mapped. */
	CMD("folio mm=0 va=0x%llx", VA + self->block);
	EXPECT_EQ(1, pb_reply_val(&self->c, "deferred"));
	EXPECT_EQ(self->cont, pb_reply_val(&self->c, "large_mapcount"));
	expect_stats_file_agrees(_metadata, self, 0);
}

/* --- mprotect and write faults (seed 002) ----------------------------------- */

/* Write every page of mm 0 once; how many touches replied that they faulted. */
static long long write_all(struct __test_metadata *_metadata,
			   FIXTURE_DATA(paths) * self, unsigned int pages)
{
	unsigned int i, faulted = 0;

	for (i = 0; i < pages; i++) {
		CMD("touch mm=0 va=0x%llx write=1", VA + i * self->psize);
		/* A touch that faulted says whether it was a SIGSEGV. */
		EXPECT_NE(1, pb_reply_val(&self->c, "segv"));
		faulted += pb_reply_val(&self->c, "faulted") == 1;
	}
	return faulted;
}

static void ro_rw_round_trip(struct __test_metadata *_metadata,
			     FIXTURE_DATA(paths) * self, unsigned int pages)
{
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=r", VA, pages * self->psize);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=rw", VA, pages * self->psize);
}

TEST_F(paths, mprotect_round_trip_spares_write_faults)
{
	unsigned int pages = 2 * self->cont;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, pages * self->psize,
	    self->cont_shift);
	ro_rw_round_trip(_metadata, self, pages);
	/* Writable at once, whole blocks still folded: no write faults. */
	EXPECT_EQ(0, entries(self, 0, pages, ",RO,"));
	EXPECT_EQ(pages, entries(self, 0, pages, "cont=1"));
	EXPECT_EQ(0, write_all(_metadata, self, pages));
	EXPECT_LT(0, pb_mm_counter(&self->c, 0, PB_MMC_write_faults_avoided));
	expect_stats_file_agrees(_metadata, self, 0);
}

TEST_F(paths, mprotect_without_upgrade_takes_write_faults)
{
	unsigned int pages = 2 * self->cont;

	SET_KNOB(0, PB_KNOB_mprotect_upgrade, 0);
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, pages * self->psize,
	    self->cont_shift);
	ro_rw_round_trip(_metadata, self, pages);
	EXPECT_EQ(pages, entries(self, 0, pages, ",RO,"));
	EXPECT_EQ(pages, write_all(_metadata, self, pages));
	EXPECT_EQ(0, entries(self, 0, pages, ",RO,"));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_write_faults_avoided));
}

TEST_F(paths, soft_dirty_clear_makes_write_faults_again)
{
	unsigned int pages = 2 * self->cont;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, pages * self->psize,
	    self->cont_shift);
	CMD("clear_refs mm=0");
	ro_rw_round_trip(_metadata, self, pages);
	EXPECT_EQ(pages, entries(self, 0, pages, ",RO,"));
	EXPECT_EQ(pages, write_all(_metadata, self, pages));
	EXPECT_EQ(pages, entries(self, 0, pages, ",SD"));
	/* The faults made the pages soft-dirty: now they upgrade again. */
	ro_rw_round_trip(_metadata, self, pages);
	EXPECT_EQ(0, write_all(_metadata, self, pages));
}

TEST_F(paths, uffd_wp_makes_write_faults_again)
{
	unsigned int pages = 2 * self->cont, i;

	CMD("mmap mm=0 start=0x%llx len=0x%llx flags=r,w,anon,uffdwp", 2 * VA,
	    pages * self->psize);
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", 2 * VA, pages * self->psize,
	    self->cont_shift);
	CMD("uffd_wp mm=0 va=0x%llx len=0x%llx", 2 * VA, pages * self->psize);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=r", 2 * VA, pages * self->psize);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=rw", 2 * VA, pages * self->psize);
	EXPECT_EQ(pages, pb_count_entries(&self->c, 0, 2 * VA, pages, self->psize, ",WP"));
	/* Every page faults once, to its uffd handler: N write faults again. */
	for (i = 0; i < pages; i++) {
		CMD("touch mm=0 va=0x%llx write=1", 2 * VA + i * self->psize);
		EXPECT_EQ(1, pb_reply_val(&self->c, "faulted"));
	}
	EXPECT_EQ(0, pb_count_entries(&self->c, 0, 2 * VA, pages, self->psize, ",WP"));
	EXPECT_LT(0, pb_mm_counter(&self->c, 0, PB_MMC_uffd_wp_faults));
	expect_stats_file_agrees(_metadata, self, 0);
}

TEST_F(paths, mprotect_shared_needs_dirty)
{
	unsigned int pages = self->cont;

	CMD("mmap mm=0 start=0x%llx len=0x%llx flags=r,w,shared", 2 * VA,
	    2 * pages * self->psize);
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", 2 * VA,
	    2 * pages * self->psize, self->cont_shift);
	/* Clean the second block: only the dirty one may become writable. */
	CMD("clear_young_dirty mm=0 va=0x%llx nr=%u young=0", 2 * VA + self->block, pages);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=r", 2 * VA, 2 * pages * self->psize);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=rw", 2 * VA, 2 * pages * self->psize);
	/* The dirty block is writable again; the cleaned one is not. */
	EXPECT_EQ(0, pb_count_entries(&self->c, 0, 2 * VA, pages, self->psize, ",RO,"));
	EXPECT_EQ(pages, pb_count_entries(&self->c, 0, 2 * VA + self->block, pages,
					  self->psize, ",RO,"));
	EXPECT_LT(0, pb_mm_counter(&self->c, 0, PB_MMC_write_upgrades_denied));
}

TEST_F(paths, partial_mprotect_unfolds_only_edge_blocks)
{
	unsigned int half = self->cont / 2;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 4 * self->block,
	    self->cont_shift);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=r", VA + half * self->psize,
	    3 * self->block);
	EXPECT_LT(0, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
	EXPECT_EQ(2 * self->cont, pb_count_entries(&self->c, 0, VA, 4 * self->cont,
						   self->psize, "cont=1"));
	EXPECT_EQ(3 * self->cont, pb_count_entries(&self->c, 0, VA, 4 * self->cont,
						   self->psize, ",RO,"));
}

/*
 * After a round trip the pieces of the mmap merge again (vma_merge()): a
 * fork copies a folio across the old edge in one batch.
 */
TEST_F(paths, mprotect_round_trip_merges_the_vma_again)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift + 1);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=r", VA, self->block);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=rw", VA, self->block);
	CMD("fork mm=0");
	EXPECT_EQ(1, pb_mm_counter(&self->c, 1, PB_MMC_fork_batches));
	EXPECT_EQ(2 * self->cont, pb_mm_counter(&self->c, 1, PB_MMC_ptes_copied));
}

TEST_F(paths, mprotect_none_then_access_faults)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=none", VA, self->block);
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, self->cont, self->psize,
					       "PROTNONE"));
	CMD("touch mm=0 va=0x%llx", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "segv"));
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=rw", VA, self->block);
	CMD("touch mm=0 va=0x%llx write=1", VA);
	EXPECT_EQ(0, pb_reply_val(&self->c, "faulted"));
}

/*
 * A PROT_NONE block is never CONT (contpte_set_ptes() sets invalid entries
 * down raw): not after mprotect in the parent, not after fork in the child,
 * and the checker would call one misprogrammed.
 */
TEST_F(paths, protnone_block_is_not_cont_in_parent_or_child)
{
	SET_KNOB(0, PB_KNOB_contpte, 0);
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	SET_KNOB(0, PB_KNOB_contpte, 1);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=none", VA, self->block);
	CMD("fork mm=0");
	EXPECT_EQ(1, pb_reply_val(&self->c, "mm"));
	EXPECT_EQ(self->cont, entries(self, 0, self->cont, "PROTNONE"));
	EXPECT_EQ(self->cont, entries(self, 1, self->cont, "PROTNONE"));
	EXPECT_EQ(0, entries(self, 0, self->cont, "cont=1"));
	EXPECT_EQ(0, entries(self, 1, self->cont, "cont=1"));
	CMD("check mm=1");
	EXPECT_STREQ("violations 0\n", self->c.reply);
	/* Back to rw: no TLB held the invalid entries, so the block folds. */
	CMD("mprotect mm=1 va=0x%llx len=0x%llx prot=rw", VA, self->block);
	EXPECT_EQ(self->cont, entries(self, 1, self->cont, "cont=1"));
}

/* --- Faults -------------------------------------------------------------------- */

/*
 * A write fault on an empty entry of a private file mapping maps a private
 * copy, writable and dirty, in one fault (do_cow_fault()).
 */
TEST_F(paths, write_fault_in_a_private_file_mapping_maps_a_copy)
{
	unsigned long long file = VA + 8 * self->block;

	CMD("mmap mm=0 start=0x%llx len=0x%llx flags=r,w", file, self->block);
	CMD("touch mm=0 va=0x%llx write=1 val=0x2222", file + self->psize);
	EXPECT_STREQ("faulted 1\nsegv 0\nval 0x2222\n", self->c.reply);
	CMD("folio mm=0 va=0x%llx", file + self->psize);
	EXPECT_EQ(0, pb_reply_val(&self->c, "order"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "anon"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "exclusive"));
	CMD("touch mm=0 va=0x%llx", file + self->psize);
	EXPECT_STREQ("faulted 0\nval 0x2222\n", self->c.reply);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_cow_copies));
}

/*
 * MAP_SHARED|MAP_ANONYMOUS is shmem: fork does not copy the VMA
 * (vma_needs_copy()), and the child faults the pinned page in from the page
 * cache, the same page: it sees the parent's later write.
 */
TEST_F(paths, shmem_is_shared_across_fork_even_when_pinned)
{
	unsigned long long shm = VA + 8 * self->block;

	CMD("mmap mm=0 start=0x%llx len=0x%llx flags=r,w,shared,anon", shm, self->block);
	CMD("populate mm=0 va=0x%llx len=0x%llx", shm, self->psize);
	CMD("pin mm=0 va=0x%llx len=0x%llx", shm, self->psize);
	CMD("fork mm=0");
	EXPECT_EQ(0, pb_mm_counter(&self->c, 1, PB_MMC_pinned_fallbacks));
	CMD("touch mm=0 va=0x%llx write=1 val=0x2222", shm);
	EXPECT_STREQ("faulted 0\nval 0x2222\n", self->c.reply);
	CMD("touch mm=1 va=0x%llx", shm);
	EXPECT_STREQ("faulted 1\nsegv 0\nval 0x2222\n", self->c.reply);
	EXPECT_EQ(0, pb_mm_counter(&self->c, 1, PB_MMC_ptes_copied));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 1, PB_MMC_page_cache_maps));
	CMD("folio mm=1 va=0x%llx", shm);
	EXPECT_EQ(0, pb_reply_val(&self->c, "anon"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "exclusive"));
	EXPECT_EQ(2, pb_reply_val(&self->c, "mapcount"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "pincount"));
	CMD("check mm=0");
	CMD("check mm=1");
	CMD("unpin mm=0 va=0x%llx len=0x%llx", shm, self->psize);
}

/*
 * A write fault in shmem reuses the page (wp_page_shared()) and never makes
 * it anon-exclusive, though two mms map it.
 */
TEST_F(paths, shmem_write_fault_after_fork_is_not_exclusive)
{
	unsigned long long shm = VA + 8 * self->block;

	CMD("mmap mm=0 start=0x%llx len=0x%llx flags=r,w,shared,anon", shm, self->block);
	CMD("populate mm=0 va=0x%llx len=0x%llx", shm, self->psize);
	CMD("fork mm=0");
	CMD("touch mm=1 va=0x%llx", shm);
	CMD("clear_refs mm=0");
	CMD("touch mm=0 va=0x%llx write=1 val=0x3333", shm);
	EXPECT_STREQ("faulted 1\nsegv 0\nval 0x3333\n", self->c.reply);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_wp_reuses));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_cow_copies));
	CMD("folio mm=0 va=0x%llx", shm);
	EXPECT_EQ(2, pb_reply_val(&self->c, "mapcount"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "anon"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "exclusive"));
	CMD("check mm=0");
	EXPECT_EQ(0, pb_reply_val(&self->c, "violations"));
	CMD("touch mm=1 va=0x%llx", shm);
	EXPECT_EQ(0x3333, pb_reply_val(&self->c, "val"));
}

TEST_F(paths, fault_allocates_fault_order_and_folds)
{
	SET_KNOB(0, PB_KNOB_fault_order, self->cont_shift);
	CMD("touch mm=0 va=0x%llx write=1", VA + 3 * self->psize);
	EXPECT_EQ(1, pb_reply_val(&self->c, "faulted"));
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(self->cont_shift, pb_reply_val(&self->c, "order"));
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "cont=1"));
	/* The folio's other pages are mapped: no fault there. */
	CMD("touch mm=0 va=0x%llx write=1", VA);
	EXPECT_EQ(0, pb_reply_val(&self->c, "faulted"));
}

/* thp_orders is hugepages-<size>kB/enabled: an anon fault takes an enabled order. */
TEST_F(paths, fault_takes_an_enabled_thp_order)
{
	SET_KNOB(0, PB_KNOB_fault_order, self->cont_shift);
	SET_KNOB(0, PB_KNOB_thp_orders, 1ULL << 2);
	CMD("touch mm=0 va=0x%llx write=1", VA);
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(2, pb_reply_val(&self->c, "order"));
	SET_KNOB(0, PB_KNOB_thp_orders, 0);
	CMD("touch mm=0 va=0x%llx write=1", VA + self->block);
	CMD("folio mm=0 va=0x%llx", VA + self->block);
	EXPECT_EQ(0, pb_reply_val(&self->c, "order"));
}

TEST_F(paths, fault_falls_back_where_partly_populated)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=0", VA + self->psize, self->psize);
	SET_KNOB(0, PB_KNOB_fault_order, self->cont_shift);
	CMD("touch mm=0 va=0x%llx write=1", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "faulted"));
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(0, pb_reply_val(&self->c, "order"));
	/* The next block is empty: it gets a whole folio. */
	CMD("touch mm=0 va=0x%llx write=1", VA + self->block);
	CMD("folio mm=0 va=0x%llx", VA + self->block);
	EXPECT_EQ(self->cont_shift, pb_reply_val(&self->c, "order"));
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_write_faults));
	expect_stats_file_agrees(_metadata, self, 0);
}

/*
 * An anon read fault maps the zero page (do_anonymous_page()): it reads 0,
 * is no folio, and a write then copies it into an order-0 folio.
 */
TEST_F(paths, anon_read_fault_maps_the_zero_page)
{
	SET_KNOB(0, PB_KNOB_fault_order, self->cont_shift);
	CMD("touch mm=0 va=0x%llx", VA + 8);
	EXPECT_STREQ("faulted 1\nsegv 0\nval 0x0\n", self->c.reply);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_zero_page_faults));
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "folio mm=0 va=0x%llx", VA));
	EXPECT_NE(NULL, strstr(self->c.reply, "maps the zero page"));
	EXPECT_EQ(1, entries(self, 0, 1, "SP"));
	CMD("mm_stats mm=0");
	EXPECT_EQ(0, pb_reply_val(&self->c, "arena_folios"));
	CMD("touch mm=0 va=0x%llx write=1 val=0x77", VA + 8);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_cow_copies));
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(0, pb_reply_val(&self->c, "order"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "exclusive"));
	CMD("check mm=0");
	expect_stats_file_agrees(_metadata, self, 0);
}

/*
 * The page cache: a MAP_SHARED file page faulted after fork is one page in
 * both mms, so the parent reads what the child wrote; it stays cached after
 * munmap, and the next fault maps it again with its data.
 */
TEST_F(paths, shared_file_page_faulted_after_fork_is_shared)
{
	unsigned long long file = VA + 8 * self->block;

	CMD("mmap mm=0 start=0x%llx len=0x%llx flags=r,w,shared", file, self->block);
	CMD("fork mm=0");
	CMD("touch mm=1 va=0x%llx write=1 val=0x1234", file);
	CMD("touch mm=0 va=0x%llx", file);
	EXPECT_EQ(0x1234, pb_reply_val(&self->c, "val"));
	CMD("folio mm=0 va=0x%llx", file);
	EXPECT_EQ(2, pb_reply_val(&self->c, "mapcount"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "dirty"));
	EXPECT_NE(0, pb_reply_val(&self->c, "file"));
	CMD("munmap mm=0 va=0x%llx len=0x%llx", file, self->block);
	CMD("munmap mm=1 va=0x%llx len=0x%llx", file, self->block);
	CMD("mm_stats mm=0");
	EXPECT_EQ(1, pb_reply_val(&self->c, "page_cache_folios"));
	CMD("touch mm=0 va=0x%llx", file);
	EXPECT_EQ(0x1234, pb_reply_val(&self->c, "val"));
	CMD("check mm=0");
	CMD("check mm=1");
}

/*
 * Issue 9, item 6, through the commands: with skip_ad_gather and zap_batch=0 a
 * per-PTE munmap of a folded block whose only written page is page 5 loses
 * its dirty state.  Shmem shows it: a read fault maps its folio writable and
 * clean, and the folio stays clean until zap moves the entries' dirty bit to
 * it.  The checker says so as the page's last mapping goes.
 */
TEST_F(paths, dirty_lost_at_a_per_pte_file_zap_is_caught)
{
	unsigned long long shm = VA + 8 * self->block;
	unsigned int mutated;

	CMD("mm_create page_kb=%llu check=1", self->psize >> 10);
	CMD("mmap mm=1 start=0x%llx len=0x%llx flags=r,w,shared,anon", shm, 2 * self->block);
	SET_KNOB(1, PB_KNOB_fault_order, self->cont_shift);
	CMD("set mm=1 zap_batch=0");
	for (mutated = 0; mutated < 2; mutated++) {
		unsigned long long va = shm + mutated * self->block;
		int ret;

		CMD("touch mm=1 va=0x%llx", va);
		CMD("folio mm=1 va=0x%llx", va);
		EXPECT_EQ(0, pb_reply_val(&self->c, "dirty"));
		EXPECT_EQ(self->cont, pb_count_entries(&self->c, 1, va, self->cont,
						       self->psize, "cont=1"));
		CMD("access mm=1 va=0x%llx write=1", va + 5 * self->psize);
		CMD("set mm=1 skip_ad_gather=%u", mutated);
		ret = pb_cmd(&self->c, "munmap mm=1 va=0x%llx len=0x%llx", va, self->block);
		EXPECT_EQ(mutated ? -EUCLEAN : 0, ret) TH_LOG("%s", self->c.reply);
		if (mutated)
			EXPECT_NE(NULL, strstr(self->c.reply, "dirty_lost"));
		EXPECT_EQ(mutated, pb_mm_counter(&self->c, 1, PB_MMC_violations_dirty_lost));
	}
}

/*
 * The kernel profiles through the commands: mm_create names the profile,
 * 6.12 defaults to per-PTE mprotect, and a write to a large anon folio that
 * only this mm maps after fork reuses the page in mainline and copies it in
 * 6.12.
 */
TEST_F(paths, kernel_profiles_differ_in_mprotect_and_cow_reuse)
{
	static const char *const profiles[] = { "6.12", "mainline" };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		int mm;

		CMD("mm_create page_kb=%llu kernel=%s", self->psize >> 10, profiles[i]);
		mm = pb_reply_val(&self->c, "mm");
		EXPECT_NE(NULL, strstr(self->c.reply, profiles[i]));
		EXPECT_EQ(i, pb_knob(&self->c, mm, PB_KNOB_mprotect_batch));
		EXPECT_EQ(1, pb_knob(&self->c, mm, PB_KNOB_fork_batch));
		CMD("mmap mm=%d start=0x%llx len=0x%llx flags=r,w,anon", mm, VA, self->block);
		CMD("populate mm=%d va=0x%llx len=0x%llx order=%u", mm, VA, self->block,
		    self->cont_shift);
		CMD("fork mm=%d", mm);
		CMD("mm_destroy mm=%lld", pb_reply_val(&self->c, "mm"));
		CMD("touch mm=%d va=0x%llx write=1", mm, VA + 3 * self->psize);
		EXPECT_EQ(i, pb_mm_counter(&self->c, mm, PB_MMC_wp_reuses))
			TH_LOG("%s", profiles[i]);
		EXPECT_EQ(!i, pb_mm_counter(&self->c, mm, PB_MMC_cow_copies))
			TH_LOG("%s", profiles[i]);
		CMD("folio mm=%d va=0x%llx", mm, VA + 3 * self->psize);
		EXPECT_EQ(1, pb_reply_val(&self->c, "exclusive"));
		EXPECT_EQ(i ? self->cont_shift : 0, pb_reply_val(&self->c, "order"));
		/*
		 * Batched, the write bit splits the block in three runs:
		 * before page 3, page 3, after it.  Per PTE, one per page.
		 */
		CMD("mprotect mm=%d va=0x%llx len=0x%llx prot=r", mm, VA, self->block);
		EXPECT_EQ(i ? 3 : self->cont, pb_mm_counter(&self->c, mm, PB_MMC_mprotect_batches))
			TH_LOG("%s", profiles[i]);
		CMD("check mm=%d", mm);
	}
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "mm_create kernel=4.19"));
	EXPECT_STREQ("error: kernel must be 6.12 or mainline\n", self->c.reply);
}

/*
 * More of what the profiles differ in, through the commands: whether a folio
 * that two mms map in halves is "mapped shared" (6.12 guesses no from its
 * first page and splits it under a partial MADV_FREE; mainline's MM owner
 * tracking knows), how many entries ptep_get() reads on a dirty, young block,
 * and what 6.12 does not have (get_and_clear_ptes(), CONFIG_NO_PAGE_MAPCOUNT).
 */
TEST_F(paths, kernel_profiles_differ_in_shared_guess_reads_and_helpers)
{
	static const char *const profiles[] = { "6.12", "mainline" };
	unsigned long long half = self->block / 2;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		long long reads, child, npm;
		int mm;

		CMD("mm_create page_kb=%llu kernel=%s", self->psize >> 10, profiles[i]);
		mm = pb_reply_val(&self->c, "mm");
		npm = pb_reply_val(&self->c, "no_page_mapcount");
		/* Mainline's default is the built config's (test_iface_cmd.c). */
		if (!i)
			EXPECT_EQ(0, npm);
		CMD("mmap mm=%d start=0x%llx len=0x%llx flags=r,w,anon", mm, VA, 2 * self->block);
		CMD("populate mm=%d va=0x%llx len=0x%llx order=%u", mm, VA, 2 * self->block,
		    self->cont_shift);
		reads = pb_mm_counter(&self->c, mm, PB_MMC_ad_gather_reads);
		CMD("ptep_get mm=%d va=0x%llx", mm, VA + self->block);
		EXPECT_EQ(i ? 1 : self->cont,
			  pb_mm_counter(&self->c, mm, PB_MMC_ad_gather_reads) - reads)
			TH_LOG("%s", profiles[i]);
		CMD("fork mm=%d", mm);
		child = pb_reply_val(&self->c, "mm");
		CMD("munmap mm=%d va=0x%llx len=0x%llx", mm, VA + half, half);
		CMD("munmap mm=%lld va=0x%llx len=0x%llx", child, VA, half);
		CMD("madvise mm=%d va=0x%llx len=0x%llx advice=free", mm, VA, self->psize);
		EXPECT_EQ(!i, pb_mm_counter(&self->c, mm, PB_MMC_folio_splits))
			TH_LOG("%s", profiles[i]);
		CMD("mm_destroy mm=%lld", child);
		if (i) {
			CMD("get_and_clear mm=%d va=0x%llx nr=2 full=0", mm, VA + self->block);
			CMD("clear_full mm=%d va=0x%llx nr=2 full=0", mm,
			    VA + self->block + 2 * self->psize);
		} else {
			EXPECT_EQ(-EINVAL, pb_cmd(&self->c,
						  "get_and_clear mm=%d va=0x%llx nr=2 full=0",
						  mm, VA + self->block));
			EXPECT_NE(NULL, strstr(self->c.reply, "6.12 does not have"));
		}
		CMD("check mm=%d", mm);
		CMD("mm_destroy mm=%d", mm);
	}
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "mm_create kernel=6.12 no_page_mapcount=1"));
	EXPECT_NE(NULL, strstr(self->c.reply, "needs kernel=mainline"));
	CMD("mm_create page_kb=%llu kernel=mainline no_page_mapcount=1", self->psize >> 10);
	EXPECT_EQ(1, pb_reply_val(&self->c, "no_page_mapcount"));
	CMD("mm_destroy mm=%lld", pb_reply_val(&self->c, "mm"));
}

/*
 * mremap through the command, in each profile: two folded blocks move to a
 * new address, mainline in one batch a block that stays folded, 6.12 one
 * PTE at a time, unfolding and refolding each block.  The data, the folio
 * and its exclusivity move; the old range is no VMA any more.
 */
TEST_F(paths, mremap_follows_the_profile)
{
	static const char *const profiles[] = { "6.12", "mainline" };
	unsigned long long new = 0x80000000ULL;
	unsigned int i, pages = 2 * self->cont;

	for (i = 0; i < 2; i++) {
		int mm;

		CMD("mm_create page_kb=%llu backing=1 kernel=%s", self->psize >> 10, profiles[i]);
		mm = pb_reply_val(&self->c, "mm");
		EXPECT_EQ(i, pb_knob(&self->c, mm, PB_KNOB_mremap_batch));
		CMD("mmap mm=%d start=0x%llx len=0x%llx flags=r,w,anon", mm, VA, 4 * self->block);
		CMD("populate mm=%d va=0x%llx len=0x%llx order=%u", mm, VA, 2 * self->block,
		    self->cont_shift);
		CMD("touch mm=%d va=0x%llx write=1 val=0x5a", mm, VA + self->block + 8);
		CMD("mremap mm=%d old=0x%llx len=0x%llx new=0x%llx", mm, VA, 2 * self->block, new);
		EXPECT_EQ(new, pb_reply_val(&self->c, "va"));
		EXPECT_EQ(pages, pb_mm_counter(&self->c, mm, PB_MMC_mremap_ptes));
		EXPECT_EQ(i ? 2 : pages, pb_mm_counter(&self->c, mm, PB_MMC_mremap_batches))
			TH_LOG("%s", profiles[i]);
		EXPECT_EQ(i ? 0 : 2, pb_mm_counter(&self->c, mm, PB_MMC_unfolds))
			TH_LOG("%s", profiles[i]);
		EXPECT_EQ(pages, pb_count_entries(&self->c, mm, new, pages, self->psize, "CONT"));
		EXPECT_EQ(0, pb_count_entries(&self->c, mm, VA, pages, self->psize, "pfn="));
		CMD("touch mm=%d va=0x%llx", mm, new + self->block + 8);
		EXPECT_EQ(0x5a, pb_reply_val(&self->c, "val"));
		EXPECT_EQ(0, pb_reply_val(&self->c, "faulted"));
		CMD("folio mm=%d va=0x%llx", mm, new);
		EXPECT_EQ(1, pb_reply_val(&self->c, "exclusive"));
		EXPECT_EQ(self->cont_shift, pb_reply_val(&self->c, "order"));
		CMD("touch mm=%d va=0x%llx", mm, VA);
		EXPECT_EQ(1, pb_reply_val(&self->c, "segv"));
		CMD("check mm=%d", mm);
		expect_stats_file_agrees(_metadata, self, mm);
	}
}

/*
 * MADV_FREE of a whole folio cleans its entries and keeps the block folded;
 * of half a folio, it splits the folio into order-0 folios with the same
 * data.  MADV_DONTNEED zaps.
 */
TEST_F(paths, madvise_free_cleans_or_splits_and_dontneed_zaps)
{
	unsigned long long half = self->block / 2;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift);
	CMD("touch mm=0 va=0x%llx write=1 val=0x4242", VA + self->block + half);
	CMD("madvise mm=0 va=0x%llx len=0x%llx advice=free", VA, self->block);
	EXPECT_EQ(self->cont, entries(self, 0, self->cont, "cont=1"));
	/* No entry dirty: D is followed by another flag or by the PFN. */
	EXPECT_EQ(0, entries(self, 0, self->cont, ",D,") + entries(self, 0, self->cont, ",D "));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_lazyfree_folios));
	CMD("madvise mm=0 va=0x%llx len=0x%llx advice=free", VA + self->block, half);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_folio_splits));
	CMD("folio mm=0 va=0x%llx", VA + self->block + half);
	EXPECT_EQ(0, pb_reply_val(&self->c, "order"));
	CMD("touch mm=0 va=0x%llx", VA + self->block + half);
	EXPECT_EQ(0x4242, pb_reply_val(&self->c, "val"));
	CMD("madvise mm=0 va=0x%llx len=0x%llx advice=dontneed", VA, 2 * self->block);
	EXPECT_EQ(0, entries(self, 0, 2 * self->cont, "pfn="));
	CMD("check mm=0");
	expect_stats_file_agrees(_metadata, self, 0);
}

/* --- PMD-mapped THP --------------------------------------------------------- */

/*
 * mm 1, without backing pages (a 64K granule's PMD maps 512 MiB): a private
 * anon VMA of two PMDs at VA with PMD THPs on.  Returns the PMD size.
 */
static unsigned long long thp_mm(struct __test_metadata *_metadata,
				 FIXTURE_DATA(paths) * self)
{
	unsigned long long pmd = self->psize << pmd_order(self);

	CMD("mm_create page_kb=%llu", self->psize >> 10);
	EXPECT_EQ(1, pb_reply_val(&self->c, "mm"));
	CMD("mmap mm=1 start=0x%llx len=0x%llx flags=r,w,anon", VA, 2 * pmd);
	SET_KNOB(1, PB_KNOB_thp_pmd, 1);
	return pmd;
}

/*
 * A fault maps one PMD and queues the THP (not partially mapped); fork
 * copies the PMD; a write to the shared PMD splits it into CONT PTEs, marks
 * the folio dirty and copies one page; munmap zaps a whole PMD and splits a
 * partly covered one, whose folio is then partially mapped.
 */
TEST_F(paths, pmd_thp_fault_fork_cow_and_munmap)
{
	unsigned long long pmd = thp_mm(_metadata, self);
	unsigned int nr = 1U << pmd_order(self);

	CMD("touch mm=1 va=0x%llx write=1", VA + 3 * self->psize);
	EXPECT_EQ(1, pb_reply_val(&self->c, "faulted"));
	EXPECT_EQ(nr, pb_count_entries(&self->c, 1, VA, nr, self->psize, " pmd=1"));
	CMD("folio mm=1 va=0x%llx", VA + 3 * self->psize);
	EXPECT_EQ(pmd_order(self), pb_reply_val(&self->c, "order"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "pmd"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "entire_mapcount"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "refcount"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "mapcount"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "exclusive"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "deferred"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "partially_mapped"));
	CMD("mm_stats mm=1");
	EXPECT_EQ(1, pb_reply_val(&self->c, PB_MMS_NAME(deferred_split_queue)));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 1, PB_MMC_deferred_split_adds));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 1, PB_MMC_pmd_maps));

	CMD("fork mm=1");
	EXPECT_EQ(2, pb_reply_val(&self->c, "mm"));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 2, PB_MMC_pmd_copies));
	CMD("folio mm=2 va=0x%llx", VA);
	EXPECT_EQ(2, pb_reply_val(&self->c, "refcount"));
	EXPECT_EQ(2, pb_reply_val(&self->c, "entire_mapcount"));
	EXPECT_EQ(2, pb_reply_val(&self->c, "large_mapcount"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "exclusive"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "dirty"));

	CMD("touch mm=1 va=0x%llx write=1", VA + self->block);
	EXPECT_EQ(1, pb_reply_val(&self->c, "faulted"));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 1, PB_MMC_pmd_splits));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 1, PB_MMC_cow_copies));
	EXPECT_EQ(0, pb_count_entries(&self->c, 1, VA, nr, self->psize, " pmd=1"));
	EXPECT_EQ(nr - self->cont, pb_count_entries(&self->c, 1, VA, nr, self->psize, "cont=1"));
	EXPECT_EQ(nr, pb_count_entries(&self->c, 2, VA, nr, self->psize, " pmd=1"));
	CMD("folio mm=2 va=0x%llx", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "dirty"));
	EXPECT_EQ(nr, pb_reply_val(&self->c, "refcount"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "entire_mapcount"));

	/*
	 * The child's exit takes the last PMD: the parent's PTEs, one page
	 * short of the copy, leave the folio partially mapped, counted once
	 * (by the zap that made it so); the parent's munmap of half adds none.
	 */
	CMD("munmap mm=2 va=0x%llx len=0x%llx", VA, pmd);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 2, PB_MMC_pmd_zaps));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 2, PB_MMC_deferred_split_adds));
	CMD("folio mm=1 va=0x%llx", VA + pmd / 2);
	EXPECT_EQ(1, pb_reply_val(&self->c, "partially_mapped"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "entire_mapcount"));
	CMD("munmap mm=1 va=0x%llx len=0x%llx", VA, pmd / 2);
	EXPECT_EQ(0, pb_mm_counter(&self->c, 1, PB_MMC_deferred_split_adds));
	CMD("mm_stats mm=1");
	EXPECT_EQ(1, pb_reply_val(&self->c, PB_MMS_NAME(deferred_split_queue)));
	CMD("check mm=1");
	CMD("check mm=2");
	expect_stats_file_agrees(_metadata, self, 1);
}

/*
 * An unshared PMD: the write reuses the whole folio in both profiles;
 * mprotect changes a whole PMD in place and splits one it cuts; MADV_FREE
 * cleans a whole PMD; the helper commands refuse a PMD.
 */
TEST_F(paths, pmd_thp_reuse_mprotect_and_madvise)
{
	static const char *const kernels[] = PB_PROFILE_NAMES;
	unsigned long long pmd = self->psize << pmd_order(self);
	unsigned int nr = 1U << pmd_order(self), k;

	for (k = 0; k < ARRAY_SIZE(kernels); k++) {
		int mm;

		CMD("mm_create page_kb=%llu kernel=%s", self->psize >> 10, kernels[k]);
		mm = pb_reply_val(&self->c, "mm");
		ASSERT_LT(0, mm);
		CMD("mmap mm=%d start=0x%llx len=0x%llx flags=r,w,anon", mm, VA, 2 * pmd);
		SET_KNOB(mm, PB_KNOB_thp_pmd, 1);
		CMD("touch mm=%d va=0x%llx write=1", mm, VA);
		CMD("fork mm=%d", mm);
		CMD("mm_destroy mm=%lld", pb_reply_val(&self->c, "mm"));
		CMD("touch mm=%d va=0x%llx write=1", mm, VA + self->psize);
		EXPECT_EQ(1, pb_reply_val(&self->c, "faulted"));
		EXPECT_EQ(1, pb_mm_counter(&self->c, mm, PB_MMC_wp_reuses))
			TH_LOG("%s", kernels[k]);
		EXPECT_EQ(0, pb_mm_counter(&self->c, mm, PB_MMC_pmd_splits));
		CMD("folio mm=%d va=0x%llx", mm, VA);
		EXPECT_EQ(1, pb_reply_val(&self->c, "exclusive"));
		EXPECT_EQ(1, pb_reply_val(&self->c, "pmd"));

		CMD("mprotect mm=%d va=0x%llx len=0x%llx prot=r", mm, VA, pmd);
		EXPECT_EQ(1, pb_mm_counter(&self->c, mm, PB_MMC_pmd_changes));
		EXPECT_EQ(0, pb_count_entries(&self->c, mm, VA, nr, self->psize, "DBM"));
		EXPECT_EQ(nr, pb_count_entries(&self->c, mm, VA, nr, self->psize, " pmd=1"));
		CMD("mprotect mm=%d va=0x%llx len=0x%llx prot=rw", mm, VA, pmd);
		EXPECT_EQ(1, pb_mm_counter(&self->c, mm, PB_MMC_write_faults_avoided));
		EXPECT_EQ(nr, pb_count_entries(&self->c, mm, VA, nr, self->psize, "DBM"));
		EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "ptep_get mm=%d va=0x%llx", mm, VA));
		EXPECT_NE(NULL, strstr(self->c.reply, "is mapped by a PMD"));
		CMD("mprotect mm=%d va=0x%llx len=0x%llx prot=r", mm, VA, pmd / 2);
		EXPECT_EQ(1, pb_mm_counter(&self->c, mm, PB_MMC_pmd_splits));
		EXPECT_EQ(nr / 2, pb_count_entries(&self->c, mm, VA, nr, self->psize, "DBM"));
		EXPECT_EQ(nr, pb_count_entries(&self->c, mm, VA, nr, self->psize, "cont=1"));

		CMD("touch mm=%d va=0x%llx write=1", mm, VA + pmd);
		CMD("madvise mm=%d va=0x%llx len=0x%llx advice=free", mm, VA + pmd, pmd);
		EXPECT_EQ(1, pb_mm_counter(&self->c, mm, PB_MMC_lazyfree_folios));
		/* No entry dirty: D is followed by another flag or by the PFN. */
		EXPECT_EQ(0, pb_count_entries(&self->c, mm, VA + pmd, nr, self->psize, ",D,") +
			     pb_count_entries(&self->c, mm, VA + pmd, nr, self->psize, ",D "));
		EXPECT_EQ(nr, pb_count_entries(&self->c, mm, VA + pmd, nr, self->psize, " pmd=1"));
		CMD("check mm=%d", mm);
		CMD("mm_destroy mm=%d", mm);
	}
}

/*
 * A read maps the huge zero page (use_zero_page): special, read-only, no
 * folio, zeroes.  A write to it follows the profile: mainline maps a new
 * THP in its place, 6.12 splits it into zero-page PTEs and copies a page.
 */
TEST_F(paths, pmd_huge_zero_page_write_follows_the_profile)
{
	static const char *const kernels[] = PB_PROFILE_NAMES;
	unsigned long long pmd = self->psize << pmd_order(self);
	unsigned int nr = 1U << pmd_order(self), k;

	for (k = 0; k < ARRAY_SIZE(kernels); k++) {
		bool mainline = !strcmp(kernels[k], "mainline");
		int mm;

		CMD("mm_create page_kb=%llu kernel=%s", self->psize >> 10, kernels[k]);
		mm = pb_reply_val(&self->c, "mm");
		ASSERT_LT(0, mm);
		CMD("mmap mm=%d start=0x%llx len=0x%llx flags=r,w,anon", mm, VA, 2 * pmd);
		SET_KNOB(mm, PB_KNOB_thp_pmd, 1);
		CMD("touch mm=%d va=0x%llx", mm, VA + self->psize);
		EXPECT_EQ(0, pb_reply_val(&self->c, "val"));
		EXPECT_EQ(nr, pb_count_entries(&self->c, mm, VA, nr, self->psize, "SP"));
		EXPECT_EQ(nr, pb_count_entries(&self->c, mm, VA, nr, self->psize, " pmd=1"));
		EXPECT_EQ(1, pb_mm_counter(&self->c, mm, PB_MMC_zero_page_faults));
		EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "folio mm=%d va=0x%llx", mm, VA));
		EXPECT_NE(NULL, strstr(self->c.reply, "maps the zero page"));

		CMD("touch mm=%d va=0x%llx write=1 val=0x77", mm, VA + 2 * self->psize);
		EXPECT_EQ(1, pb_reply_val(&self->c, "faulted"));
		EXPECT_EQ(mainline, pb_mm_counter(&self->c, mm, PB_MMC_pmd_maps))
			TH_LOG("%s", kernels[k]);
		EXPECT_EQ(!mainline, pb_mm_counter(&self->c, mm, PB_MMC_pmd_splits));
		EXPECT_EQ(!mainline, pb_mm_counter(&self->c, mm, PB_MMC_cow_copies));
		EXPECT_EQ(mainline ? nr : 0,
			  pb_count_entries(&self->c, mm, VA, nr, self->psize, " pmd=1"));
		CMD("folio mm=%d va=0x%llx", mm, VA + 2 * self->psize);
		EXPECT_EQ(mainline ? pmd_order(self) : 0, pb_reply_val(&self->c, "order"));
		CMD("check mm=%d", mm);
		CMD("mm_destroy mm=%d", mm);
	}
}

/* A split that skips its flush (skip_pmd_split_flush) breaks BBM: caught. */
TEST_F(paths, pmd_split_without_flush_is_caught)
{
	unsigned long long pmd = thp_mm(_metadata, self);

	CMD("touch mm=1 va=0x%llx write=1", VA);
	SET_KNOB(1, PB_KNOB_skip_pmd_split_flush, 1);
	EXPECT_EQ(-EUCLEAN, pb_cmd(&self->c, "munmap mm=1 va=0x%llx len=0x%llx", VA,
				   pmd / 2));
	EXPECT_LT(0, pb_reply_violations(&self->c, PB_V_bbm)) TH_LOG("%s", self->c.reply);
	EXPECT_LT(0, pb_mm_counter(&self->c, 1, PB_MMC_violations_bbm));
	SET_KNOB(1, PB_KNOB_skip_pmd_split_flush, 0);
	CMD("touch mm=1 va=0x%llx write=1", VA + pmd);
	CMD("munmap mm=1 va=0x%llx len=0x%llx", VA + pmd, pmd / 2);
	EXPECT_EQ(2, pb_mm_counter(&self->c, 1, PB_MMC_pmd_splits));
}

TEST_F(paths, fault_outside_vma_is_segv)
{
	CMD("touch mm=0 va=0x%llx", 4 * VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "faulted"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "segv"));
	EXPECT_LT(0, pb_mm_counter(&self->c, 0, PB_MMC_segv));
	expect_stats_file_agrees(_metadata, self, 0);
}

/* --- Bad input ------------------------------------------------------------------ */

FIXTURE(paths_bad)
{
	struct pb_ctl c;
};

FIXTURE_VARIANT(paths_bad)
{
	const char *cmd;	/* a format: arg fills a %llu */
	unsigned long long arg;
	const char *reason;
};

FIXTURE_VARIANT_ADD(paths_bad, fork_no_mm)
{
	.cmd = "fork mm=7", .reason = "no mm 7",
};

FIXTURE_VARIANT_ADD(paths_bad, mprotect_bad_prot)
{
	.cmd = "mprotect mm=0 va=0x40000000 len=0x1000 prot=x", .reason = "prot must be",
};

FIXTURE_VARIANT_ADD(paths_bad, mprotect_hole)
{
	.cmd = "mprotect mm=0 va=0x40000000 len=0x2000000 prot=r", .reason = "hole",
};

FIXTURE_VARIANT_ADD(paths_bad, mprotect_overflow)
{
	.cmd = "mprotect mm=0 va=0xfffffffffffff000 len=0x2000 prot=r", .reason = "overflows",
};

FIXTURE_VARIANT_ADD(paths_bad, mprotect_unaligned)
{
	.cmd = "mprotect mm=0 va=0x40000800 len=0x1000 prot=r", .reason = "multiples",
};

FIXTURE_VARIANT_ADD(paths_bad, pin_unmapped)
{
	.cmd = "pin mm=0 va=0x40100000 len=0x1000", .reason = "not mapped",
};

FIXTURE_VARIANT_ADD(paths_bad, unpin_unpinned)
{
	.cmd = "unpin mm=0 va=0x40000000 len=0x1000", .reason = "not pinned",
};

FIXTURE_VARIANT_ADD(paths_bad, uffd_wp_unregistered)
{
	.cmd = "uffd_wp mm=0 va=0x40000000 len=0x1000", .reason = "not registered",
};

FIXTURE_VARIANT_ADD(paths_bad, touch_unaligned)
{
	.cmd = "touch mm=0 va=0x40000003", .reason = "8-byte aligned",
};

FIXTURE_VARIANT_ADD(paths_bad, fault_order_too_large)
{
	.cmd = "set mm=0 fault_order=10", .reason = "fault_order must be within 0..9",
};

FIXTURE_VARIANT_ADD(paths_bad, thp_orders_order_1)
{
	.cmd = "set mm=0 thp_orders=0x%llx", .arg = 0x6,
	.reason = "thp_orders takes orders 2..13, not 0 or 1",
};

FIXTURE_VARIANT_ADD(paths_bad, mremap_len_zero)
{
	.cmd = "mremap mm=0 old=0x40000000 len=0 new=0x80000000",
	.reason = "len is zero or old + len overflows",
};

FIXTURE_VARIANT_ADD(paths_bad, mremap_unaligned)
{
	.cmd = "mremap mm=0 old=0x40000000 len=0x1000 new=0x80000800",
	.reason = "old, len and new must be multiples of the page size",
};

FIXTURE_VARIANT_ADD(paths_bad, mremap_overlap)
{
	.cmd = "mremap mm=0 old=0x40000000 len=0x20000 new=0x40010000",
	.reason = "new range overlaps the old one",
};

FIXTURE_VARIANT_ADD(paths_bad, mremap_onto_a_vma)
{
	.cmd = "mremap mm=0 old=0x40000000 len=0x20000 new=0x40800000",
	.reason = "new range overlaps a VMA",
};

FIXTURE_VARIANT_ADD(paths_bad, mremap_outside_a_vma)
{
	.cmd = "mremap mm=0 old=0x40ff0000 len=0x20000 new=0x80000000",
	.reason = "old range is not inside one VMA",
};

FIXTURE_VARIANT_ADD(paths_bad, mremap_no_such_mm)
{
	.cmd = "mremap mm=5 old=0x40000000 len=0x1000 new=0x80000000", .reason = "no mm 5",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_unknown_op)
{
	.cmd = "bench mm=0 op=exec",
	.reason = "op must be fork, zap, zap_partial, mprotect, floor, memcpy, memset or rmw",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_stride_for_fork)
{
	.cmd = "bench mm=0 op=fork stride=0x2000", .reason = "stride is for op=zap_partial only",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_zap_partial_no_stride)
{
	.cmd = "bench mm=0 op=zap_partial", .reason = "stride must be a page multiple",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_zap_partial_one_page)
{
	.cmd = "bench mm=0 op=zap_partial stride=0x1000",
	.reason = "stride must be a page multiple, 2 pages to",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_zap_partial_unaligned)
{
	.cmd = "bench mm=0 op=zap_partial stride=0x2800",
	.reason = "stride must be a page multiple",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_zap_partial_too_big)
{
	.cmd = "bench mm=0 op=zap_partial stride=%llu", .arg = PB_BENCH_STRIDE_MAX + 0x1000,
	/* The key's range, from the table. */
	.reason = "stride must be within 0..",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_no_op)
{
	.cmd = "bench mm=0", .reason = "missing argument 'op'",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_memcpy_with_mm)
{
	.cmd = "bench mm=0 op=memcpy bytes=4096", .reason = "takes no mm",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_memcpy_zero)
{
	.cmd = "bench op=memcpy bytes=0", .reason = "bytes must be within",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_memcpy_too_big)
{
	.cmd = "bench op=memcpy bytes=%llu", .arg = PB_BENCH_MEMCPY_MAX + 1,
	.reason = "bytes must be within",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_bytes_for_fork)
{
	.cmd = "bench mm=0 op=fork bytes=4096", .reason = "for op=memcpy, memset or rmw only",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_memset_with_mm)
{
	.cmd = "bench mm=0 op=memset bytes=4096", .reason = "bench op=memset takes no mm",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_rmw_part_of_an_entry)
{
	.cmd = "bench op=rmw bytes=12", .reason = "bytes must be a multiple of 8",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_rmw_too_big)
{
	.cmd = "bench op=rmw bytes=%llu", .arg = PB_BENCH_MEMCPY_MAX + 8,
	.reason = "bytes must be within",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_bytes_for_floor)
{
	.cmd = "bench mm=0 op=floor bytes=4096", .reason = "for op=memcpy, memset or rmw only",
};

FIXTURE_VARIANT_ADD(paths_bad, bench_no_such_mm)
{
	.cmd = "bench mm=5 op=fork", .reason = "no mm 5",
};

/*
 * The variants' commands are written against this set-up: a 4K mm 0 with a
 * 16 MiB VMA at 0x40000000 whose first 32 pages are populated.  A rejected
 * command must change neither those entries, nor the 32 empty ones after
 * them, nor mm 0's counters.
 */
static const struct pb_watch paths_bad_watch = {
	.mm = 0, .va = 0x40000000, .nr = 64,
};

FIXTURE_SETUP(paths_bad)
{
	ASSERT_EQ(0, pb_open(&self->c));
	ASSERT_EQ(0, pb_cmd(&self->c, "mm_create page_kb=4"));
	ASSERT_EQ(0, pb_cmd(&self->c, "mmap mm=0 start=0x40000000 len=0x1000000"));
	ASSERT_EQ(0, pb_cmd(&self->c, "populate mm=0 va=0x40000000 len=0x20000 order=4"));
}

FIXTURE_TEARDOWN(paths_bad)
{
	pb_close(&self->c);
}

TEST_F(paths_bad, einval_reason_no_change)
{
	char cmd[PB_CMD_MAX];

	snprintf(cmd, sizeof(cmd), variant->cmd, variant->arg);
	pb_expect_rejected(_metadata, &self->c, &paths_bad_watch, cmd, variant->reason);
	ASSERT_EQ(0, pb_cmd(&self->c, "fork mm=0"));
	EXPECT_EQ(1, pb_lookup(self->c.reply, "mm"));
}

/* --- bench: timed paths that change nothing --------------------------------- */

/*
 * The child the timed fork made is gone; the parent is as fork leaves it, and
 * its page tables and arena are as big as before the benches.  The mprotect
 * round trip of a never-forked mm upgrades every page, of a forked one none;
 * the floor changes nothing; a fork replies its phases.
 */
TEST_F(paths, bench_times_fork_zap_and_mprotect)
{
	static const char *const ops[] = { "fork", "zap", "mprotect" };
	static const char *const phase[] = { "alloc_ns", "copy_ns", "flush_ns" };
	static const char *const bounds[] = { "memcpy", "memset", "rmw" };
	long long pt_bytes, meta_bytes, avoided, denied, writable, phases;
	unsigned int i, p;

	/* An empty mm: a pgd, and the arena's own header. */
	CMD("mm_stats mm=0");
	pt_bytes = pb_reply_val(&self->c, PB_MMS_NAME(pt_bytes));
	meta_bytes = pb_reply_val(&self->c, PB_MMS_NAME(arena_meta_bytes));
	ASSERT_LT(0, pt_bytes);
	ASSERT_LT(0, meta_bytes);
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift);
	/* The tables below the pgd, and the metadata of the pages touched. */
	CMD("mm_stats mm=0");
	EXPECT_LT(pt_bytes, pb_reply_val(&self->c, PB_MMS_NAME(pt_bytes)));
	EXPECT_LT(meta_bytes, pb_reply_val(&self->c, PB_MMS_NAME(arena_meta_bytes)));
	pt_bytes = pb_reply_val(&self->c, PB_MMS_NAME(pt_bytes));
	meta_bytes = pb_reply_val(&self->c, PB_MMS_NAME(arena_meta_bytes));

	/*
	 * The round trip of a never-forked mm grants every upgrade: each
	 * page is anon-exclusive, so RW maps it writable again.
	 */
	avoided = pb_mm_counter(&self->c, 0, PB_MMC_write_faults_avoided);
	denied = pb_mm_counter(&self->c, 0, PB_MMC_write_upgrades_denied);
	CMD("bench mm=0 op=mprotect");
	EXPECT_LT(0, pb_reply_val(&self->c, "ns"));
	EXPECT_EQ(avoided + 2 * self->cont,
		  pb_mm_counter(&self->c, 0, PB_MMC_write_faults_avoided));
	EXPECT_EQ(denied, pb_mm_counter(&self->c, 0, PB_MMC_write_upgrades_denied));

	/* The floor works on copies: the entries stay writable. */
	writable = pb_count_entries(&self->c, 0, VA, 2 * self->cont, self->psize, "DBM");
	EXPECT_EQ(2 * self->cont, writable);
	CMD("bench mm=0 op=floor");
	EXPECT_LT(0, pb_reply_val(&self->c, "ns"));
	EXPECT_EQ(writable, pb_count_entries(&self->c, 0, VA, 2 * self->cont, self->psize,
					     "DBM"));

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		long long ns;

		CMD("bench mm=0 op=%s", ops[i]);
		ns = pb_reply_val(&self->c, "ns");
		EXPECT_LT(0, ns) TH_LOG("%s", ops[i]);
		if (strcmp(ops[i], "fork"))
			continue;
		/* The phases, each inside the whole. */
		phases = 0;
		for (p = 0; p < ARRAY_SIZE(phase); p++) {
			long long v = pb_reply_val(&self->c, phase[p]);

			EXPECT_LE(0, v) TH_LOG("%s", phase[p]);
			phases += v;
		}
		EXPECT_LT(0, phases);
		EXPECT_GE(ns, phases);
	}
	/* The forks wrote the parent's entries back read-only. */
	EXPECT_EQ(0, pb_count_entries(&self->c, 0, VA, 2 * self->cont, self->psize, "DBM"));
	/* After a fork no page is exclusive: the round trip upgrades none. */
	denied = pb_mm_counter(&self->c, 0, PB_MMC_write_upgrades_denied);
	CMD("bench mm=0 op=mprotect");
	EXPECT_EQ(denied + 2 * self->cont,
		  pb_mm_counter(&self->c, 0, PB_MMC_write_upgrades_denied));
	EXPECT_EQ(1, pb_stat(PB_CNT_live_mms));
	CMD("mm_stats mm=0");
	EXPECT_EQ(2, pb_reply_val(&self->c, PB_MMS_NAME(arena_folios)));
	EXPECT_EQ(pt_bytes, pb_reply_val(&self->c, PB_MMS_NAME(pt_bytes)));
	EXPECT_EQ(meta_bytes, pb_reply_val(&self->c, PB_MMS_NAME(arena_meta_bytes)));
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(self->cont, pb_reply_val(&self->c, "refcount"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "mapcount"));
	EXPECT_EQ(2 * self->cont, pb_count_entries(&self->c, 0, VA, 2 * self->cont,
						   self->psize, "cont=1"));
	for (i = 0; i < ARRAY_SIZE(bounds); i++) {
		CMD("bench op=%s bytes=65536", bounds[i]);
		EXPECT_LT(0, pb_reply_val(&self->c, "ns")) TH_LOG("%s", bounds[i]);
	}
}

/* The floor of an mm that maps nothing: refused, with the reason. */
TEST_F(paths, bench_floor_of_nothing_mapped_is_refused)
{
	EXPECT_EQ(-ENOENT, pb_cmd(&self->c, "bench mm=0 op=floor"));
	EXPECT_NE(NULL, strstr(self->c.reply, "bench: floor: nothing is mapped"))
		TH_LOG("%s", self->c.reply);
}

/*
 * bench op=zap_partial: the first page of every stride, then the rest; every
 * large folio goes through the deferred-split queue and out, the VMA stays,
 * empty, and the checker agrees; batched and one PTE at a time alike.  The
 * largest stride is accepted.  (bench_zap_partial_* of paths_bad: its bad
 * strides.)
 */
TEST_F(paths, bench_zap_partial_empties_the_vma_through_the_queue)
{
	unsigned int batch;

	for (batch = 0; batch <= 1; batch++) {
		unsigned long long adds;

		CMD("set mm=0 zap_batch=%u", batch);
		CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 4 * self->block,
		    self->cont_shift);
		adds = pb_mm_counter(&self->c, 0, PB_MMC_deferred_split_adds);
		CMD("bench mm=0 op=zap_partial stride=0x%llx", self->block);
		EXPECT_LT(0, pb_reply_val(&self->c, "ns"));
		EXPECT_EQ(adds + 4, pb_mm_counter(&self->c, 0, PB_MMC_deferred_split_adds));
		EXPECT_EQ(8 * self->cont, pb_count_entries(&self->c, 0, VA, 8 * self->cont,
							   self->psize, " none\n"));
		CMD("mm_stats mm=0");
		EXPECT_EQ(0, pb_reply_val(&self->c, PB_MMS_NAME(arena_folios)));
		EXPECT_EQ(0, pb_reply_val(&self->c, PB_MMS_NAME(deferred_split_queue)));
		/* The VMA stays: the next round populates it again. */
		CMD("check mm=0");
	}
	CMD("bench mm=0 op=zap_partial stride=%llu", PB_BENCH_STRIDE_MAX);
}

TEST_HARNESS_MAIN
