// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch selftests: the private mm and the contpte batch helpers, on each
 * granule.  Expected counter values are derived from the geometry.
 */
#include <stdint.h>

#include "pb_test.h"

#define VA	0x40000000ULL	/* aligned to every granule's table size */

FIXTURE(mm)
{
	struct pb_ctl c;
	unsigned long long psize;	/* granule */
	unsigned int cont;		/* CONT_PTES */
	unsigned int cont_shift;
	unsigned long long block;	/* bytes per contiguous block */
};

FIXTURE_VARIANT(mm)
{
	unsigned int page_kb;
	unsigned int cont;
	unsigned int cont_shift;
};

FIXTURE_VARIANT_ADD(mm, granule_4k) { .page_kb = 4, .cont = 16, .cont_shift = 4 };
FIXTURE_VARIANT_ADD(mm, granule_16k) { .page_kb = 16, .cont = 128, .cont_shift = 7 };
FIXTURE_VARIANT_ADD(mm, granule_64k) { .page_kb = 64, .cont = 32, .cont_shift = 5 };

FIXTURE_SETUP(mm)
{
	self->cont = variant->cont;
	self->cont_shift = variant->cont_shift;
	self->psize = variant->page_kb * 1024ULL;
	self->block = self->psize * self->cont;
	ASSERT_EQ(0, pb_open(&self->c));
	CMD("mm_create page_kb=%u", variant->page_kb);
	ASSERT_EQ(0, pb_reply_val(&self->c, "mm"));
	ASSERT_EQ(self->cont, pb_reply_val(&self->c, "cont_ptes"));
	ASSERT_EQ(self->psize, pb_reply_val(&self->c, "granule"));
	CMD("mmap mm=0 start=0x%llx len=0x%llx flags=r,w,anon", VA, 8 * self->block);
}

FIXTURE_TEARDOWN(mm)
{
	pb_close(&self->c);
}

TEST_F(mm, set_ptes_batch_sets_cont_on_covered_blocks)
{
	unsigned int nr = 4 * self->cont;

	/* Folios of one block: every entry CONT, no fold needed. */
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 4 * self->block,
	    self->cont_shift);
	EXPECT_EQ(nr, pb_count_entries(&self->c, 0, VA, nr, self->psize, "cont=1"));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_folds));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_converts));
	/* Half-block folios: never CONT. */
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA + 4 * self->block,
	    2 * self->block, self->cont_shift - 1);
	EXPECT_EQ(0, pb_count_entries(&self->c, 0, VA + 4 * self->block, 2 * self->cont,
				      self->psize, "cont=1"));
	CMD("check mm=0");
}

TEST_F(mm, set_ptes_nr1_autofolds_on_last_entry)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u per_pte=1", VA,
	    2 * self->block, self->cont_shift + 1);
	EXPECT_EQ(2 * self->cont, pb_count_entries(&self->c, 0, VA, 2 * self->cont,
						   self->psize, "cont=1"));
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_folds));
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_fold_attempts));
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_converts));
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_tlbi_range));
}

TEST_F(mm, autofold_off_leaves_blocks_unfolded)
{
	SET_KNOB(0, PB_KNOB_autofold, 0);
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u per_pte=1", VA,
	    self->block, self->cont_shift);
	EXPECT_EQ(0, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "cont=1"));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_fold_attempts));
	/* An explicit fold still works. */
	CMD("fold mm=0 va=0x%llx", VA);
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "cont=1"));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_folds));
}

TEST_F(mm, contpte_off_never_sets_cont)
{
	SET_KNOB(0, PB_KNOB_contpte, 0);
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift);
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u per_pte=1",
	    VA + 2 * self->block, self->block, self->cont_shift);
	EXPECT_EQ(0, pb_count_entries(&self->c, 0, VA, 3 * self->cont, self->psize, "cont=1"));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_converts));
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "fold mm=0 va=0x%llx", VA));
	EXPECT_NE(NULL, strstr(self->c.reply, "contpte is off"));
}

/* BBML2's TLBI elision is mainline's; a 6.12 mm refuses it. */
TEST_F(mm, bbml2_skips_the_convert_tlbi)
{
	int mm;

	CMD("mm_create page_kb=%llu kernel=6.12", self->psize >> 10);
	mm = pb_reply_val(&self->c, "mm");
	EXPECT_EQ(-EINVAL, pb_set_knob(&self->c, mm, PB_KNOB_bbml2, 1));
	EXPECT_NE(NULL, strstr(self->c.reply, "needs kernel=mainline"));
	EXPECT_EQ(0, pb_knob(&self->c, mm, PB_KNOB_bbml2));
	CMD("mm_destroy mm=%d", mm);

	CMD("mm_create page_kb=%llu kernel=mainline", self->psize >> 10);
	mm = pb_reply_val(&self->c, "mm");
	CMD("mmap mm=%d start=0x%llx len=0x%llx flags=r,w,anon", mm, VA, 2 * self->block);
	SET_KNOB(mm, PB_KNOB_bbml2, 1);
	CMD("populate mm=%d va=0x%llx len=0x%llx order=%u per_pte=1", mm, VA,
	    2 * self->block, self->cont_shift);
	EXPECT_EQ(2, pb_mm_counter(&self->c, mm, PB_MMC_folds));
	EXPECT_EQ(2, pb_mm_counter(&self->c, mm, PB_MMC_tlbi_skipped_bbml2));
	EXPECT_EQ(0, pb_mm_counter(&self->c, mm, PB_MMC_tlbi_range));
	CMD("unfold mm=%d va=0x%llx", mm, VA);
	EXPECT_EQ(3, pb_mm_counter(&self->c, mm, PB_MMC_tlbi_skipped_bbml2));
	CMD("check mm=%d", mm);
}

TEST_F(mm, fold_unfold_counters_and_tlbi)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	CMD("unfold mm=0 va=0x%llx", VA + self->psize);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_converts));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_tlbi_range));
	EXPECT_EQ(0, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "cont=1"));
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "unfold mm=0 va=0x%llx", VA));
	EXPECT_NE(NULL, strstr(self->c.reply, "no folded block"));

	CMD("fold mm=0 va=0x%llx", VA);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_folds));
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_converts));
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_tlbi_range));
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "cont=1"));
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "fold mm=0 va=0x%llx", VA));
	EXPECT_NE(NULL, strstr(self->c.reply, "already folded"));
}

TEST_F(mm, fold_refuses_a_block_across_folios)
{
	/* Half-block folios: the block is not inside one folio. */
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift - 1);
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "fold mm=0 va=0x%llx", VA));
	EXPECT_NE(NULL, strstr(self->c.reply, "not inside one folio"));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_converts));
}

/*
 * Old and clean entries, then a write lands its A/D update on one entry.
 * Helpers take FIXTURE_DATA(mm) spaced "* self", as selftests/mm does, so that
 * checkpatch reads a type and not a product.
 */
static void dirty_one_entry(struct __test_metadata *_metadata,
			    FIXTURE_DATA(mm) * self, enum pb_ad_policy policy,
			    unsigned long long va)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	CMD("clear_young_dirty mm=0 va=0x%llx nr=%u", VA, self->cont);
	CMD("ptep_get mm=0 va=0x%llx", VA);
	ASSERT_EQ(0, pb_reply_val(&self->c, "dirty"));
	ASSERT_EQ(0, pb_reply_val(&self->c, "young"));
	SET_KNOB(0, PB_KNOB_ad_policy, policy);
	CMD("access mm=0 va=0x%llx write=1 val=7", va);
	ASSERT_EQ(0, pb_reply_val(&self->c, "fault"));
	ASSERT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_hw_af_updates));
	ASSERT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_hw_dirty_updates));
}

TEST_F(mm, ptep_get_gathers_ad_from_last_entry)
{
	dirty_one_entry(_metadata, self, PB_AD_LAST, VA);
	/* The accessed entry itself is still old and clean... */
	CMD("dump mm=0 va=0x%llx nr=1", VA);
	EXPECT_EQ(NULL, strstr(self->c.reply, "AF"));
	/* ...but ptep_get() on any entry sees the block's A/D. */
	CMD("ptep_get mm=0 va=0x%llx", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "dirty"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "young"));
	CMD("ptep_get mm=0 va=0x%llx", VA + (self->cont / 2) * self->psize);
	EXPECT_EQ(1, pb_reply_val(&self->c, "dirty"));
	CMD("check mm=0");
}

TEST_F(mm, ptep_get_gathers_ad_from_first_entry)
{
	unsigned long long last = VA + (self->cont - 1) * self->psize;

	dirty_one_entry(_metadata, self, PB_AD_FIRST, last);
	CMD("ptep_get mm=0 va=0x%llx", last);
	EXPECT_EQ(1, pb_reply_val(&self->c, "dirty"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "young"));
	EXPECT_EQ(1, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "AF"));
}

TEST_F(mm, unfold_spreads_gathered_ad)
{
	dirty_one_entry(_metadata, self, PB_AD_LAST, VA);
	CMD("unfold mm=0 va=0x%llx", VA);
	/* Every entry now carries the block's A/D state. */
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, ",AF"));
	CMD("ptep_get mm=0 va=0x%llx", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "dirty"));
}

TEST_F(mm, wrprotect_whole_blocks_stay_folded)
{
	long long tlbi;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift + 1);
	tlbi = pb_mm_counter(&self->c, 0, PB_MMC_tlbi_range);
	CMD("wrprotect mm=0 va=0x%llx nr=%u", VA, 2 * self->cont);
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_wrprotect_whole_blocks));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_wrprotect_partial_blocks));
	/* One flush: the caller's. */
	EXPECT_EQ(tlbi + 1, pb_mm_counter(&self->c, 0, PB_MMC_tlbi_range));
	EXPECT_EQ(2 * self->cont, pb_count_entries(&self->c, 0, VA, 2 * self->cont,
						   self->psize, "cont=1"));
	EXPECT_EQ(2 * self->cont, pb_count_entries(&self->c, 0, VA, 2 * self->cont,
						   self->psize, ",RO,"));
	EXPECT_EQ(0, pb_count_entries(&self->c, 0, VA, 2 * self->cont, self->psize, "DBM"));
	/* The dirty state moved to the software bit. */
	CMD("ptep_get mm=0 va=0x%llx", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "dirty"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "write"));
}

TEST_F(mm, wrprotect_partial_range_unfolds_only_edges)
{
	unsigned int half = self->cont / 2;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 4 * self->block,
	    self->cont_shift);
	/* Half of block 0, blocks 1 and 2, half of block 3. */
	CMD("wrprotect mm=0 va=0x%llx nr=%u", VA + half * self->psize, 3 * self->cont);
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_wrprotect_whole_blocks));
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_wrprotect_partial_blocks));
	EXPECT_EQ(2 * self->cont, pb_count_entries(&self->c, 0, VA, 4 * self->cont,
						   self->psize, "cont=1"));
	EXPECT_EQ(0, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "cont=1"));
	EXPECT_EQ(3 * self->cont, pb_count_entries(&self->c, 0, VA, 4 * self->cont,
						   self->psize, ",RO,"));
}

TEST_F(mm, wrprotect_nr1_on_cont_entry_unfolds_its_block)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift);
	CMD("wrprotect mm=0 va=0x%llx nr=1", VA + self->block + 3 * self->psize);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, 2 * self->cont,
					       self->psize, "cont=1"));
	EXPECT_EQ(1, pb_count_entries(&self->c, 0, VA, 2 * self->cont, self->psize, ",RO,"));
}

TEST_F(mm, clear_full_unfolds_only_partial_blocks)
{
	unsigned int half = self->cont / 2;

	/* One folio over two blocks; clear the middle block's worth. */
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift + 1);
	CMD("clear_full mm=0 va=0x%llx nr=%u", VA + half * self->psize, self->cont);
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, 2 * self->cont,
					       self->psize, "none"));
	/* Partly unmapped large anon folio: queued for deferred split. */
	CMD("folio mm=0 va=0x%llx", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "deferred"));
	EXPECT_EQ(self->cont, pb_reply_val(&self->c, "large_mapcount"));
	EXPECT_EQ(self->cont, pb_reply_val(&self->c, "refcount"));
}

TEST_F(mm, get_and_clear_whole_block_keeps_no_unfold)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift);
	CMD("get_and_clear mm=0 va=0x%llx nr=%u", VA + self->block, self->cont);
	EXPECT_EQ(1, pb_reply_val(&self->c, "dirty"));
	EXPECT_EQ(1, pb_reply_val(&self->c, "young"));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, 2 * self->cont,
					       self->psize, "cont=1"));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_gather_flushes));
	/* The folio went with its last mapping. */
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "folio mm=0 va=0x%llx", VA + self->block));
	CMD("mm_stats mm=0");
	EXPECT_EQ(1, pb_reply_val(&self->c, PB_MMS_NAME(arena_folios)));
}

TEST_F(mm, get_and_clear_nr1_unfolds)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	CMD("get_and_clear mm=0 va=0x%llx nr=1", VA);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
	EXPECT_EQ(0, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "cont=1"));
	EXPECT_EQ(1, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "none"));
}

TEST_F(mm, test_and_clear_young_on_a_block)
{
	long long tlbi;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, ",AF"));
	CMD("young mm=0 va=0x%llx", VA + self->psize);
	EXPECT_EQ(1, pb_reply_val(&self->c, "young"));
	EXPECT_EQ(0, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, ",AF"));
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "cont=1"));
	CMD("young mm=0 va=0x%llx", VA);
	EXPECT_EQ(0, pb_reply_val(&self->c, "young"));

	/* clear_flush_young flushes the block only when it was young. */
	tlbi = pb_mm_counter(&self->c, 0, PB_MMC_tlbi_range);
	CMD("young mm=0 va=0x%llx flush=1", VA);
	EXPECT_EQ(0, pb_reply_val(&self->c, "young"));
	EXPECT_EQ(tlbi, pb_mm_counter(&self->c, 0, PB_MMC_tlbi_range));
	CMD("access mm=0 va=0x%llx", VA);
	CMD("young mm=0 va=0x%llx flush=1", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "young"));
	EXPECT_EQ(tlbi + 1, pb_mm_counter(&self->c, 0, PB_MMC_tlbi_range));
}

TEST_F(mm, set_access_flags_updates_block)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	CMD("clear_young_dirty mm=0 va=0x%llx nr=%u young=1 dirty=0", VA, self->cont);
	CMD("set_access_flags mm=0 va=0x%llx", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "changed"));
	/* Every descriptor gets AF: no per-descriptor walker is left faulting. */
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, ",AF"));
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, "cont=1"));
	CMD("set_access_flags mm=0 va=0x%llx", VA);
	EXPECT_EQ(0, pb_reply_val(&self->c, "changed"));
}

TEST_F(mm, set_access_flags_write_change_unfolds)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	CMD("wrprotect mm=0 va=0x%llx nr=%u", VA, self->cont);
	CMD("set_access_flags mm=0 va=0x%llx write=1", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "changed"));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
	EXPECT_EQ(self->cont - 1, pb_count_entries(&self->c, 0, VA, self->cont,
						   self->psize, ",RO,"));
}

TEST_F(mm, clear_young_dirty_never_unfolds)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift);
	/* A range inside one block is widened to the whole block. */
	CMD("clear_young_dirty mm=0 va=0x%llx nr=1", VA + self->psize);
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
	EXPECT_EQ(self->cont, pb_count_entries(&self->c, 0, VA, 2 * self->cont,
					       self->psize, ",AF"));
	EXPECT_EQ(2 * self->cont, pb_count_entries(&self->c, 0, VA, 2 * self->cont,
						   self->psize, "cont=1"));
}

TEST_F(mm, access_faults_where_nothing_is_mapped)
{
	CMD("access mm=0 va=0x%llx", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "fault"));
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_faults));
}

TEST_F(mm, munmap_frees_everything)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u per_pte=1", VA,
	    4 * self->block, self->cont_shift);
	CMD("munmap mm=0 va=0x%llx len=0x%llx", VA, 4 * self->block);
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_deferred_split_adds));
	EXPECT_EQ(0, pb_reply_val(&self->c, PB_MMS_NAME(arena_folios)));
	EXPECT_EQ(4 * self->cont, pb_count_entries(&self->c, 0, VA, 4 * self->cont,
						   self->psize, "none"));
}

/* --- Counters and knobs, each with an exact expectation ----------------- */

TEST_F(mm, counters_of_populate_and_access)
{
	unsigned long long v[PB_NR_MM_COUNTERS];
	long long levels;

	MM_STATS(0, v);
	EXPECT_EQ(1, v[PB_MMC_pt_pages]);	/* just the pgd so far */
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift);
	MM_STATS(0, v);
	EXPECT_EQ(2, v[PB_MMC_folios_mapped]);
	EXPECT_EQ(2, v[PB_MMC_refcount_atomics]);
	EXPECT_EQ(2, v[PB_MMC_mapcount_atomics]);
	EXPECT_EQ(2 * self->cont, v[PB_MMC_pte_writes]);
	EXPECT_EQ(1, v[PB_MMC_checks]);
	/* One table per level below the pgd for a range inside one table. */
	CMD("mm_create page_kb=%llu", self->psize / 1024);
	levels = pb_reply_val(&self->c, "levels");
	ASSERT_LT(1, levels);
	EXPECT_EQ(levels, v[PB_MMC_pt_pages]);

	CMD("access mm=0 va=0x%llx", VA);
	CMD("access mm=0 va=0x%llx", VA + self->psize);
	MM_STATS(0, v);
	EXPECT_EQ(2, v[PB_MMC_accesses]);
	EXPECT_EQ(1, v[PB_MMC_tlb_misses]);
	EXPECT_EQ(1, v[PB_MMC_tlb_fills]);
	/* The block entry serves the second page. */
	EXPECT_EQ(1, v[PB_MMC_tlb_hits]);

	CMD("flush mm=0 va=0x%llx nr=1", VA + self->psize);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_tlbi_page));
	CMD("access mm=0 va=0x%llx", VA);
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_tlb_misses));
	CMD("flush mm=0");
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_tlbi_mm));
	CMD("access mm=0 va=0x%llx", VA);
	EXPECT_EQ(3, pb_mm_counter(&self->c, 0, PB_MMC_tlb_misses));
	CMD("flush mm=0 va=0x%llx nr=%u", VA, self->cont);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_tlbi_range));
}

/*
 * gather_capacity counts slots: an order-0 page takes one, and the gather is
 * full, and flushes, when fewer than two are free: every cap - 1 pages.
 */
TEST_F(mm, gather_capacity_forces_flushes)
{
	unsigned int pages = 40, cap = 16, per = cap - 1;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=0", VA, pages * self->psize);
	SET_KNOB(0, PB_KNOB_gather_capacity, cap);
	CMD("munmap mm=0 va=0x%llx len=0x%llx", VA, pages * self->psize);
	EXPECT_EQ(pages / per, pb_mm_counter(&self->c, 0, PB_MMC_gather_forced_flushes));
	EXPECT_EQ((pages + per - 1) / per,
		  pb_mm_counter(&self->c, 0, PB_MMC_gather_flushes));
	EXPECT_EQ((pages + per - 1) / per,
		  pb_mm_counter(&self->c, 0, PB_MMC_tlbi_range));
	EXPECT_EQ(-EINVAL, pb_set_knob(&self->c, 0, PB_KNOB_gather_capacity, 0));
	EXPECT_EQ(-EINVAL, pb_set_knob(&self->c, 0, PB_KNOB_gather_capacity,
				       PB_GATHER_MAX + 1));
}

TEST_F(mm, check_knob_off_lets_a_violation_pass)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift);
	SET_KNOB(0, PB_KNOB_check, 0);
	SET_KNOB(0, PB_KNOB_partial_wrprotect_no_unfold, 1);
	CMD("wrprotect mm=0 va=0x%llx nr=%u", VA + self->psize * (self->cont / 2),
	    self->cont);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_checks));
	/* On demand it is still found. */
	EXPECT_EQ(-EUCLEAN, pb_cmd(&self->c, "check mm=0"));
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_checks));
}

TEST_F(mm, check_needs_an_mm_created_with_it)
{
	CMD("mm_create page_kb=%llu check=0", self->psize / 1024);
	EXPECT_EQ(-EINVAL, pb_set_knob(&self->c, 1, PB_KNOB_check, 1));
	EXPECT_NE(NULL, strstr(self->c.reply, "created with check=1"));
	EXPECT_EQ(0, pb_knob(&self->c, 1, PB_KNOB_check));
}

TEST_F(mm, ad_policy_accessed_lands_on_the_accessed_entry)
{
	unsigned int k = self->cont / 2 + 1;

	dirty_one_entry(_metadata, self, PB_AD_ACCESSED, VA + k * self->psize);
	EXPECT_EQ(1, pb_count_entries(&self->c, 0, VA, self->cont, self->psize, ",AF"));
	CMD("dump mm=0 va=0x%llx nr=1", VA + k * self->psize);
	EXPECT_NE(NULL, strstr(self->c.reply, ",AF"));
}

TEST_F(mm, ad_policy_random_is_seeded)
{
	unsigned int b, mmid, nr = 4 * self->cont;
	char first[PB_REPLY_MAX + 1];

	/* One dump compares them: as many of the four blocks as it lists. */
	if (nr > PB_DUMP_MAX)
		nr = PB_DUMP_MAX;

	/* The same seed in two mms puts the updates on the same entries. */
	CMD("mm_create page_kb=%llu", self->psize / 1024);
	CMD("mmap mm=1 start=0x%llx len=0x%llx", VA, 8 * self->block);
	for (mmid = 0; mmid < 2; mmid++) {
		CMD("populate mm=%u va=0x%llx len=0x%llx order=%u", mmid, VA,
		    4 * self->block, self->cont_shift);
		CMD("clear_young_dirty mm=%u va=0x%llx nr=%u", mmid, VA, 4 * self->cont);
		SET_KNOB(mmid, PB_KNOB_ad_policy, PB_AD_RANDOM);
		SET_KNOB(mmid, PB_KNOB_seed, 12345);
		for (b = 0; b < 4; b++)
			CMD("access mm=%u va=0x%llx write=1", mmid, VA + b * self->block);
	}
	CMD("dump mm=0 va=0x%llx nr=%u", VA, nr);
	memcpy(first, self->c.reply, sizeof(first));
	CMD("dump mm=1 va=0x%llx nr=%u", VA, nr);
	EXPECT_STREQ(first, self->c.reply);
	/* One entry per block took the update. */
	EXPECT_EQ(4, pb_count_entries(&self->c, 0, VA, 4 * self->cont, self->psize, ",AF"));
}

/* A table holds page size / 8 descriptors: a PMD maps 2^(page shift - 3) pages. */
static unsigned int pmd_order(unsigned long long psize)
{
	return __builtin_ctzll(psize) - 3;
}

/*
 * The range of knob @k on a granule of @psize bytes.  pb_cmd_set() narrows
 * two of the header's: fault_order goes up to the granule's PMD order, and an
 * mmu_gather holds at least one page.
 */
static unsigned long long knob_max(unsigned long long psize, enum pb_knob k)
{
	return k == PB_KNOB_fault_order ? pmd_order(psize) : pb_knobs_info[k].max;
}

static unsigned long long knob_least(enum pb_knob k)
{
	return k == PB_KNOB_gather_capacity ? 1 : 0;
}

/* mm 0's knobs are @want, each of them. */
static void expect_knobs(struct __test_metadata *_metadata, struct pb_ctl *c,
			 const unsigned long long *want)
{
	unsigned long long got[PB_NR_KNOBS];
	unsigned int k;

	ASSERT_EQ(0, pb_knobs(c, 0, got)) TH_LOG("%s", c->reply);
	for (k = 0; k < PB_NR_KNOBS; k++) {
		EXPECT_EQ(want[k], got[k])
			TH_LOG("%s", pb_knobs_info[k].name);
	}
}

/*
 * knobs lists the header's knobs in order, with their help, at the header's
 * defaults on a fresh mm.  set gives each another value and changes no other
 * knob; past its range it is refused and changes nothing.
 */
/*
 * The default of knob @k in an mm of the built kernel's profile: the listed
 * one, but for mprotect_batch and mremap_batch, which are 0 in the 6.12
 * profile.
 */
static unsigned long long knob_default(unsigned int k, bool mainline)
{
	if (k == PB_KNOB_mprotect_batch || k == PB_KNOB_mremap_batch)
		return mainline;
	return pb_knobs_info[k].def;
}

TEST_F(mm, every_listed_knob_can_be_set)
{
	unsigned long long want[PB_NR_KNOBS];
	unsigned int k;
	bool mainline;

	/* The profile mm 0 has: the built kernel's, as a new mm's. */
	CMD("mm_create page_kb=%llu", self->psize >> 10);
	mainline = strstr(self->c.reply, "kernel mainline\n");
	CMD("mm_destroy mm=1");
	for (k = 0; k < PB_NR_KNOBS; k++)
		want[k] = knob_default(k, mainline);
	expect_knobs(_metadata, &self->c, want);
	for (k = 0; k < PB_NR_KNOBS; k++) {
		unsigned long long max = knob_max(self->psize, k);
		/* Another valid value: the top of the range, or its bottom. */
		unsigned long long val = want[k] == max ? knob_least(k) : max;

		/* A 6.12 mm refuses bbml2=1: bbml2_skips_the_convert_tlbi. */
		if (k == PB_KNOB_bbml2 && !mainline)
			continue;
		/*
		 * kernel_shadow=1 needs a kernel with contpte and this mm's
		 * granule: kcontpte_test sets it, or sees it refused.
		 */
		if (k == PB_KNOB_kernel_shadow) {
			EXPECT_EQ(-EINVAL, pb_set_knob(&self->c, 0, k, max + 1));
			expect_knobs(_metadata, &self->c, want);
			continue;
		}
		ASSERT_NE(want[k], val);
		SET_KNOB(0, k, val);
		want[k] = val;
		expect_knobs(_metadata, &self->c, want);

		EXPECT_EQ(-EINVAL, pb_set_knob(&self->c, 0, k, max + 1))
			TH_LOG("%s", pb_knobs_info[k].name);
		EXPECT_NE(NULL, strstr(self->c.reply, " must be within 0.."))
			TH_LOG("%s", self->c.reply);
		expect_knobs(_metadata, &self->c, want);

		SET_KNOB(0, k, knob_default(k, mainline));
		want[k] = knob_default(k, mainline);
		expect_knobs(_metadata, &self->c, want);
	}
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "set mm=0 no_such_knob=1"));
}

TEST_F(mm, stats_file_shows_per_mm_counters)
{
	long long sid, total = pb_stat_total(PB_MMC_folds);
	unsigned long long v[PB_NR_MM_COUNTERS];

	ASSERT_LE(0, total);
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u per_pte=1", VA,
	    self->block, self->cont_shift);
	/* The totals count live mms and the ones that have gone. */
	EXPECT_EQ(total + 1, pb_stat_total(PB_MMC_folds));
	CMD("session");
	sid = pb_reply_val(&self->c, "id");
	EXPECT_EQ(1, pb_stat_mm(sid, 0, PB_MMC_folds));
	MM_STATS(0, v);
	ASSERT_LT(0, v[PB_MMC_pte_writes]);
	EXPECT_EQ(v[PB_MMC_pte_writes], pb_stat_mm(sid, 0, PB_MMC_pte_writes));
	CMD("mm_destroy mm=0");
	EXPECT_EQ(-1, pb_stat_mm(sid, 0, PB_MMC_pte_writes));
	EXPECT_EQ(total + 1, pb_stat_total(PB_MMC_folds));
}

/* dump lists at most PB_DUMP_MAX entries per command. */
TEST_F(mm, dump_lists_at_most_dump_max)
{
	EXPECT_EQ(PB_DUMP_MAX, pb_count_entries(&self->c, 0, VA, PB_DUMP_MAX,
						self->psize, "\n"));
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "dump mm=0 va=0x%llx nr=%u", VA,
				  PB_DUMP_MAX + 1));
	EXPECT_NE(NULL, strstr(self->c.reply, "1.." PB_STR(PB_DUMP_MAX)))
		TH_LOG("%s", self->c.reply);
}

TEST(backing_pages_hold_data)
{
	struct pb_ctl c;
	long long pages = pb_stat(PB_CNT_live_data_pages), sum;

	ASSERT_EQ(0, pb_open(&c));
	ASSERT_EQ(0, pb_cmd(&c, "mm_create page_kb=4 backing=1"));
	ASSERT_EQ(0, pb_cmd(&c, "mmap mm=0 start=0x%llx len=0x20000", VA));
	ASSERT_EQ(0, pb_cmd(&c, "populate mm=0 va=0x%llx len=0x20000 order=4", VA));
	EXPECT_EQ(pages + 32, pb_stat(PB_CNT_live_data_pages));
	ASSERT_EQ(0, pb_cmd(&c, "checksum mm=0 va=0x%llx len=0x20000", VA));
	EXPECT_EQ(32, pb_lookup(c.reply, "pages"));
	sum = pb_lookup(c.reply, "checksum");
	ASSERT_EQ(0, pb_cmd(&c, "access mm=0 va=0x%llx write=1 val=0x1234", VA + 0x1008));
	ASSERT_EQ(0, pb_cmd(&c, "access mm=0 va=0x%llx", VA + 0x1008));
	EXPECT_EQ(0x1234, pb_lookup(c.reply, "val"));
	ASSERT_EQ(0, pb_cmd(&c, "access mm=0 va=0x%llx", VA + 0x1010));
	EXPECT_EQ(0, pb_lookup(c.reply, "val"));
	ASSERT_EQ(0, pb_cmd(&c, "checksum mm=0 va=0x%llx len=0x20000", VA));
	EXPECT_NE(sum, pb_lookup(c.reply, "checksum"));
	ASSERT_EQ(0, pb_cmd(&c, "munmap mm=0 va=0x%llx len=0x10000", VA));
	EXPECT_EQ(pages + 16, pb_stat(PB_CNT_live_data_pages));
	pb_close(&c);
	EXPECT_EQ(pages, pb_stat(PB_CNT_live_data_pages));
	EXPECT_EQ(0, pb_stat(PB_CNT_live_folios));
}

TEST(checksum_needs_backing)
{
	struct pb_ctl c;

	ASSERT_EQ(0, pb_open(&c));
	ASSERT_EQ(0, pb_cmd(&c, "mm_create"));
	EXPECT_EQ(-EINVAL, pb_cmd(&c, "checksum mm=0 va=0x%llx len=0x1000", VA));
	EXPECT_NE(NULL, strstr(c.reply, "no backing pages"));
	pb_close(&c);
}

/* --- Mutation knobs: each is caught ------------------------------------- */

TEST_F(mm, mutation_skip_wrprotect_flush_caught_by_tlb)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	CMD("access mm=0 va=0x%llx write=1", VA);
	SET_KNOB(0, PB_KNOB_skip_wrprotect_flush, 1);
	CMD("wrprotect mm=0 va=0x%llx nr=%u", VA, self->cont);
	/* The write goes through the stale writable TLB entry. */
	EXPECT_EQ(-EUCLEAN, pb_cmd(&self->c, "access mm=0 va=0x%llx write=1", VA));
	EXPECT_EQ(1, pb_reply_violations(&self->c, PB_V_stale_tlb)) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_stale_tlb_writes));
}

TEST_F(mm, wrprotect_flush_makes_write_fault)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	CMD("access mm=0 va=0x%llx write=1", VA);
	CMD("wrprotect mm=0 va=0x%llx nr=%u", VA, self->cont);
	CMD("access mm=0 va=0x%llx write=1", VA);
	EXPECT_EQ(1, pb_reply_val(&self->c, "fault"));
	EXPECT_EQ(0, pb_mm_counter(&self->c, 0, PB_MMC_violations));
}

TEST_F(mm, mutation_partial_wrprotect_no_unfold_caught)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 2 * self->block,
	    self->cont_shift);
	SET_KNOB(0, PB_KNOB_partial_wrprotect_no_unfold, 1);
	EXPECT_EQ(-EUCLEAN, pb_cmd(&self->c, "wrprotect mm=0 va=0x%llx nr=%u",
				   VA + self->psize * (self->cont / 2), self->cont));
	EXPECT_LE(1, pb_reply_violations(&self->c, PB_V_misprogrammed))
		TH_LOG("%s", self->c.reply);
	EXPECT_LE(2, pb_mm_counter(&self->c, 0, PB_MMC_violations_misprogrammed));
}

TEST_F(mm, mutation_skip_ad_gather_caught)
{
	dirty_one_entry(_metadata, self, PB_AD_LAST, VA);
	SET_KNOB(0, PB_KNOB_skip_ad_gather, 1);
	CMD("ptep_get mm=0 va=0x%llx", VA);
	EXPECT_EQ(0, pb_reply_val(&self->c, "dirty"));
	/* Unfolding without gathering drops the hardware dirty state. */
	EXPECT_EQ(-EUCLEAN, pb_cmd(&self->c, "unfold mm=0 va=0x%llx", VA));
	EXPECT_EQ(1, pb_reply_violations(&self->c, PB_V_dirty_lost)) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_violations_dirty_lost));
}

/* --- Bad input: EINVAL, a reason, and no change ------------------------- */

FIXTURE(bad_input)
{
	struct pb_ctl c;
};

FIXTURE_VARIANT(bad_input)
{
	const char *cmd;
	const char *reason;
};

FIXTURE_VARIANT_ADD(bad_input, granule_8k)
{
	.cmd = "mm_create page_kb=8",
	.reason = "granule must be 4, 16 or 64",
};

FIXTURE_VARIANT_ADD(bad_input, pa_bits_50)
{
	.cmd = "mm_create pa_bits=50",
	.reason = "pa_bits must be 48 or 52",
};

FIXTURE_VARIANT_ADD(bad_input, va_bits_60)
{
	.cmd = "mm_create va_bits=60",
	.reason = "va_bits must be within",
};

FIXTURE_VARIANT_ADD(bad_input, arena_beyond_pa)
{
	.cmd = "mm_create base_pfn=0xfffffffff",
	.reason = "the arena within pa_bits",
};

FIXTURE_VARIANT_ADD(bad_input, no_such_mm)
{
	.cmd = "populate mm=3 va=0x40000000 len=0x1000",
	.reason = "no mm 3",
};

FIXTURE_VARIANT_ADD(bad_input, outside_vma)
{
	.cmd = "populate mm=0 va=0x80000000 len=0x10000 order=4",
	.reason = "not inside one VMA",
};

FIXTURE_VARIANT_ADD(bad_input, past_vma_end)
{
	.cmd = "populate mm=0 va=0x40000000 len=0x2000000 order=4",
	.reason = "not inside one VMA",
};

FIXTURE_VARIANT_ADD(bad_input, unaligned_va)
{
	.cmd = "populate mm=0 va=0x40000800 len=0x10000",
	.reason = "multiples of the page size",
};

FIXTURE_VARIANT_ADD(bad_input, unaligned_folio)
{
	.cmd = "populate mm=0 va=0x40001000 len=0x10000 order=4",
	.reason = "multiples of the folio size",
};

FIXTURE_VARIANT_ADD(bad_input, overflow)
{
	.cmd = "populate mm=0 va=0xfffffffffffff000 len=0x2000",
	.reason = "overflows",
};

FIXTURE_VARIANT_ADD(bad_input, order_too_large)
{
	.cmd = "populate mm=0 va=0x40000000 len=0x400000 order=10",
	.reason = "larger than the PMD order",
};

FIXTURE_VARIANT_ADD(bad_input, unknown_helper)
{
	.cmd = "frob_ptes mm=0 va=0x40000000",
	.reason = "unknown command 'frob_ptes'",
};

FIXTURE_VARIANT_ADD(bad_input, helper_overflow)
{
	.cmd = "wrprotect mm=0 va=0xfffffffffffff000 nr=16",
	.reason = "overflows",
};

FIXTURE_VARIANT_ADD(bad_input, helper_unaligned)
{
	.cmd = "wrprotect mm=0 va=0x40000100 nr=16",
	.reason = "not page aligned",
};

FIXTURE_VARIANT_ADD(bad_input, helper_nr_zero)
{
	.cmd = "wrprotect mm=0 va=0x40000000 nr=0",
	.reason = "nr must be within",
};

FIXTURE_VARIANT_ADD(bad_input, helper_outside_vma)
{
	.cmd = "wrprotect mm=0 va=0x20000000 nr=16",
	.reason = "not inside one VMA",
};

FIXTURE_VARIANT_ADD(bad_input, helper_crosses_table)
{
	.cmd = "wrprotect mm=0 va=0x401ff000 nr=2",
	.reason = "crosses a page table",
};

FIXTURE_VARIANT_ADD(bad_input, clear_two_folios)
{
	.cmd = "clear_full mm=0 va=0x40000000 nr=32",
	.reason = "one folio",
};

FIXTURE_VARIANT_ADD(bad_input, bad_knob_value)
{
	.cmd = "set mm=0 ad_policy=9",
	.reason = "ad_policy must be within",
};

FIXTURE_VARIANT_ADD(bad_input, unknown_knob)
{
	.cmd = "set mm=0 turbo=1",
	.reason = "unknown argument 'turbo'",
};

FIXTURE_VARIANT_ADD(bad_input, bad_vma_flag)
{
	.cmd = "mmap mm=0 start=0x80000000 len=0x10000 flags=r,x",
	.reason = "unknown VMA flag",
};

FIXTURE_VARIANT_ADD(bad_input, vma_overlap)
{
	.cmd = "mmap mm=0 start=0x40100000 len=0x10000",
	.reason = "overlaps",
};

FIXTURE_VARIANT_ADD(bad_input, vma_write_only)
{
	.cmd = "mmap mm=0 start=0x80000000 len=0x10000 flags=w",
	.reason = "must be readable",
};

FIXTURE_VARIANT_ADD(bad_input, populate_twice)
{
	.cmd = "populate mm=0 va=0x40000000 len=0x10000 order=4",
	.reason = "already populated",
};

FIXTURE_VARIANT_ADD(bad_input, fold_not_cont_aligned)
{
	.cmd = "fold mm=0 va=0x40200000",
	.reason = "nothing mapped",
};

FIXTURE_VARIANT_ADD(bad_input, access_unaligned)
{
	.cmd = "access mm=0 va=0x40000004",
	.reason = "8-byte aligned",
};

FIXTURE_VARIANT_ADD(bad_input, bool_not_01)
{
	.cmd = "populate mm=0 va=0x40400000 len=0x10000 per_pte=2",
	.reason = "must be 0 or 1",
};

/*
 * The variants' commands are written against this set-up: a 4K mm 0 with a
 * 16 MiB VMA at 0x40000000 whose first 32 pages are populated.  A rejected
 * command must change neither those entries, nor the 32 empty ones after
 * them, nor mm 0's counters.
 */
static const struct pb_watch bad_input_watch = {
	.mm = 0, .va = 0x40000000, .nr = 64,
};

FIXTURE_SETUP(bad_input)
{
	ASSERT_EQ(0, pb_open(&self->c));
	ASSERT_EQ(0, pb_cmd(&self->c, "mm_create page_kb=4"));
	ASSERT_EQ(0, pb_cmd(&self->c, "mmap mm=0 start=0x40000000 len=0x1000000"));
	ASSERT_EQ(0, pb_cmd(&self->c, "populate mm=0 va=0x40000000 len=0x20000 order=4"));
}

FIXTURE_TEARDOWN(bad_input)
{
	pb_close(&self->c);
}

TEST_F(bad_input, einval_reason_no_change)
{
	pb_expect_rejected(_metadata, &self->c, &bad_input_watch, variant->cmd,
			   variant->reason);
	/* A failed mm_create took no id either. */
	ASSERT_EQ(0, pb_cmd(&self->c, "mm_create page_kb=4"));
	EXPECT_EQ(1, pb_lookup(self->c.reply, "mm"));
}

/* --- 52-bit output addresses: a folio across 2^48 (or 2^50) ------------- */

FIXTURE(oa52)
{
	struct pb_ctl c;
};

FIXTURE_VARIANT(oa52)
{
	unsigned int page_kb;
	unsigned int page_shift;
	unsigned int boundary_bit;	/* the PA bit the folio crosses */
	bool naive_breaks;		/* does "+ granule" stepping corrupt it? */
};

/* 64K keeps OA[51:48] in bits [15:12]: the carry lands in RES0 bit 48. */
FIXTURE_VARIANT_ADD(oa52, granule_64k_2_48)
{
	.page_kb = 64, .page_shift = 16, .boundary_bit = 48, .naive_breaks = true,
};

/* LPA2 keeps OA[49:48] in place: crossing 2^48 steps fine... */
FIXTURE_VARIANT_ADD(oa52, granule_4k_2_48)
{
	.page_kb = 4, .page_shift = 12, .boundary_bit = 48, .naive_breaks = false,
};

/* ...but OA[51:50] sit in bits [9:8]: crossing 2^50 carries into GP. */
FIXTURE_VARIANT_ADD(oa52, granule_4k_2_50)
{
	.page_kb = 4, .page_shift = 12, .boundary_bit = 50, .naive_breaks = true,
};

FIXTURE_VARIANT_ADD(oa52, granule_16k_2_48)
{
	.page_kb = 16, .page_shift = 14, .boundary_bit = 48, .naive_breaks = false,
};

FIXTURE_VARIANT_ADD(oa52, granule_16k_2_50)
{
	.page_kb = 16, .page_shift = 14, .boundary_bit = 50, .naive_breaks = true,
};

#define OA52_PAGES	16

FIXTURE_SETUP(oa52)
{
	unsigned long long boundary = 1ULL << (variant->boundary_bit - variant->page_shift);

	ASSERT_EQ(0, pb_open(&self->c));
	/* The arena starts half a folio below the boundary. */
	ASSERT_EQ(0, pb_cmd(&self->c, "mm_create page_kb=%u pa_bits=52 base_pfn=0x%llx",
			    variant->page_kb, boundary - OA52_PAGES / 2));
	ASSERT_EQ(0, pb_cmd(&self->c, "mmap mm=0 start=0x%llx len=0x%llx", VA,
			    (unsigned long long)OA52_PAGES << variant->page_shift));
}

FIXTURE_TEARDOWN(oa52)
{
	pb_close(&self->c);
}

/* The PFN of each entry, from dump lines. */
static int dump_pfns(struct pb_ctl *c, unsigned long long *pfns, int nr)
{
	char *p = c->reply;
	int i;

	if (pb_cmd(c, "dump mm=0 va=0x%llx nr=%d", VA, nr))
		return -1;
	for (i = 0; i < nr; i++) {
		p = strstr(p, "pfn=");
		if (!p)
			return -1;
		pfns[i] = strtoull(p + 4, &p, 0);
	}
	return 0;
}

TEST_F(oa52, fixed_stepping_crosses_cleanly)
{
	unsigned long long boundary = 1ULL << (variant->boundary_bit - variant->page_shift);
	unsigned long long pfns[OA52_PAGES];
	int i;

	ASSERT_EQ(0, pb_cmd(&self->c, "populate mm=0 va=0x%llx len=0x%llx order=4", VA,
			    (unsigned long long)OA52_PAGES << variant->page_shift))
		TH_LOG("%s", self->c.reply);
	ASSERT_EQ(0, dump_pfns(&self->c, pfns, OA52_PAGES));
	for (i = 0; i < OA52_PAGES; i++) {
		unsigned long long want = boundary - OA52_PAGES / 2 + i;

		EXPECT_EQ(want, pfns[i]) TH_LOG("entry %d", i);
	}
	ASSERT_EQ(0, pb_cmd(&self->c, "check mm=0"));
}

TEST_F(oa52, naive_stepping)
{
	unsigned long long boundary = 1ULL << (variant->boundary_bit - variant->page_shift);
	unsigned long long pfns[OA52_PAGES];
	int ret, i, wrong = 0;

	ASSERT_EQ(0, pb_set_knob(&self->c, 0, PB_KNOB_naive_pfn_step, 1));
	ret = pb_cmd(&self->c, "populate mm=0 va=0x%llx len=0x%llx order=4", VA,
		     (unsigned long long)OA52_PAGES << variant->page_shift);
	ASSERT_EQ(0, dump_pfns(&self->c, pfns, OA52_PAGES));
	for (i = 0; i < OA52_PAGES; i++)
		wrong += pfns[i] != boundary - OA52_PAGES / 2 + i;
	if (variant->naive_breaks) {
		/* Every entry past the boundary is wrong, and the checker says so. */
		EXPECT_EQ(-EUCLEAN, ret);
		EXPECT_EQ(OA52_PAGES / 2, wrong);
		EXPECT_EQ(OA52_PAGES / 2, pb_mm_counter(&self->c, 0, PB_MMC_violations_freed));
	} else {
		EXPECT_EQ(0, ret);
		EXPECT_EQ(0, wrong);
	}
}

/* --- Allocation failure at every step leaves no trace ------------------- */

/* Fail the @n-th allocation from now (0: none). */
static int set_fail_nth(int n)
{
	char nth[16];
	int fd = open(PB_DEBUGFS_DIR "/fail_nth", O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	snprintf(nth, sizeof(nth), "%d", n);
	if (write(fd, nth, strlen(nth)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The commands the sweep fails: 0, or the -errno of the first that failed. */
static int sweep_cmds(struct __test_metadata *_metadata, struct pb_ctl *c)
{
	int ret;

	ret = pb_cmd(c, "mm_create page_kb=4 backing=1");
	if (!ret)
		ret = pb_cmd(c, "mmap mm=0 start=0x%llx len=0x40000", VA);
	if (!ret) {
		ret = pb_cmd(c, "populate mm=0 va=0x%llx len=0x40000 order=4", VA);
		if (ret) {
			/* A failed populate maps nothing. */
			EXPECT_EQ(0, pb_cmd(c, "mm_stats mm=0"));
			EXPECT_EQ(0, pb_lookup(c->reply, PB_MMS_NAME(arena_folios)));
			EXPECT_EQ(0, pb_cmd(c, "dump mm=0 va=0x%llx nr=64", VA));
			EXPECT_EQ(NULL, strstr(c->reply, "pfn="));
		}
	}
	return ret;
}

/*
 * A run without failures counts the allocations the commands make (the ctl
 * stats command allocates nothing itself); then failing each of them in turn
 * fails the commands with ENOMEM and leaves no live object, and one step
 * past the last the commands succeed.
 */
TEST(fail_nth_sweep_mm_commands)
{
	static const enum pb_counter live[] = {
		PB_CNT_live_mms, PB_CNT_live_folios, PB_CNT_live_data_pages,
		PB_CNT_live_bytes,
	};
	unsigned long long before[PB_NR_COUNTERS], after[PB_NR_COUNTERS];
	long long injected = pb_stat(PB_CNT_alloc_failures_injected);
	unsigned int i;
	struct pb_ctl c;
	int n, nr_allocs;

	ASSERT_LE(0, injected);
	ASSERT_EQ(0, pb_open(&c));
	ASSERT_EQ(0, pb_ctl_stats(&c, before));
	ASSERT_EQ(0, sweep_cmds(_metadata, &c)) TH_LOG("%s", c.reply);
	ASSERT_EQ(0, pb_ctl_stats(&c, after));
	pb_close(&c);
	nr_allocs = after[PB_CNT_allocs] - before[PB_CNT_allocs];
	/* A table per level, the folios and their data pages, at least. */
	ASSERT_LT(3, nr_allocs);

	for (n = 1; n <= nr_allocs + 1; n++) {
		int ret;

		ASSERT_EQ(0, pb_open(&c));
		ASSERT_EQ(0, set_fail_nth(n));
		ret = sweep_cmds(_metadata, &c);
		if (n <= nr_allocs) {
			EXPECT_EQ(-ENOMEM, ret) TH_LOG("step %d: %s", n, c.reply);
			EXPECT_EQ(++injected, pb_stat(PB_CNT_alloc_failures_injected));
		} else {
			/* Every allocation succeeded: fail_nth is still armed. */
			EXPECT_EQ(0, ret) TH_LOG("step %d: %s", n, c.reply);
			ASSERT_EQ(0, set_fail_nth(0));
		}
		pb_close(&c);
		for (i = 0; i < ARRAY_SIZE(live); i++) {
			EXPECT_EQ(0, pb_stat(live[i]))
				TH_LOG("step %d: %s", n, pb_counter_names[live[i]]);
		}
	}
}

TEST_HARNESS_MAIN
