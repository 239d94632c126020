// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of paths/madvise.c: MADV_DONTNEED zaps; MADV_FREE cleans the
 * entries of the folios a range covers whole, one clear_young_dirty_ptes()
 * per batch, and splits an exclusive folio the range covers in part.
 */
#include "nt_paths.h"

TEST_F(paths, madv_dontneed_zaps_the_range)
{
	struct pb_mm *mm = self->mm;
	const char *why = NULL;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
	ASSERT_EQ(0, pb_madvise(mm, NT_VA, NT_VA + self->block, PB_MADV_DONTNEED, &why));
	EXPECT_EQ(0, nt_raw(mm, 0));
	EXPECT_TRUE(pb_pte_present(nt_raw(mm, self->cont)));
	EXPECT_EQ(1, mm->phys->live_folios);
	EXPECT_EQ(1, mm->counters[PB_MMC_zap_batches]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * A folio the range covers whole: one batch, its entries old and clean, the
 * block still folded, the folio lazyfree.  Cleaned on purpose: no dirty_lost.
 */
TEST_F(paths, madv_free_cleans_whole_folios_in_one_batch)
{
	struct pb_mm *mm = self->mm;
	const char *why = NULL;
	unsigned int i;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
	ASSERT_EQ(0, pb_madvise(mm, NT_VA, NT_VA + 2 * self->block, PB_MADV_FREE, &why));
	EXPECT_EQ(2, mm->counters[PB_MMC_lazyfree_folios]);
	EXPECT_EQ(0, mm->counters[PB_MMC_folio_splits]);
	EXPECT_EQ(2 * self->cont, nt_nr_cont(mm, 0, 2 * self->cont));
	for (i = 0; i < 2 * self->cont; i++) {
		pb_pte_t pte = nt_raw(mm, i);

		EXPECT_FALSE(pb_pte_dirty(pte)) TH_LOG("page %u", i);
		EXPECT_FALSE(pb_pte_young(pte)) TH_LOG("page %u", i);
	}
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * A range that covers part of an exclusive large folio splits it
 * (split_folio()): order-0 folios with the same pages and data, its block
 * no longer folded, and the covered pages cleaned; the rest stay dirty.
 */
TEST_F(paths, madv_free_splits_a_partly_covered_folio)
{
	struct pb_mm *mm = other_mm(self, true);
	unsigned int half = self->cont / 2, i;
	const char *why = NULL;
	u64 pfn, val;

	ASSERT_NE(NULL, mm);
	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	for (i = 0; i < self->cont; i++)
		ASSERT_EQ(0, poke(mm, nt_va(mm, i), 0x500 + i));
	pfn = nt_pfn(mm, 0);
	ASSERT_EQ(0, pb_madvise(mm, NT_VA, nt_va(mm, half), PB_MADV_FREE, &why));
	EXPECT_EQ(1, mm->counters[PB_MMC_folio_splits]);
	EXPECT_EQ(self->cont, mm->phys->live_folios);
	EXPECT_EQ(0, nt_nr_cont(mm, 0, self->cont));
	for (i = 0; i < self->cont; i++) {
		struct pb_page *head = nt_folio_at(mm, nt_va(mm, i), NULL);

		EXPECT_EQ(pfn + i, nt_pfn(mm, i)) TH_LOG("page %u", i);
		EXPECT_EQ(0, head->order) TH_LOG("page %u", i);
		EXPECT_EQ(1, head->refcount) TH_LOG("page %u", i);
		EXPECT_TRUE(head->flags & PB_PG_ANON_EXCLUSIVE) TH_LOG("page %u", i);
		EXPECT_EQ(i >= half, pb_pte_dirty(nt_raw(mm, i))) TH_LOG("page %u", i);
		val = peek(mm, nt_va(mm, i));
		EXPECT_EQ(0x500 + i, val) TH_LOG("page %u", i);
	}
	/* The covered order-0 pages are lazyfree, one batch each. */
	EXPECT_EQ(half, mm->counters[PB_MMC_lazyfree_folios]);
	EXPECT_EQ(0, mm->phys->deferred_len);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * No split where it must not: a folio a fork child maps too is likely
 * mapped shared, and a pinned one holds more than its mappings
 * (split_folio() fails); both stay as they are.  MADV_FREE needs a private
 * anon VMA and a range inside one VMA; bad input changes nothing.
 */
TEST_F(paths, madv_free_leaves_shared_and_pinned_folios_and_refuses_others)
{
	struct pb_mm *mm = self->mm, *child;
	u64 file = NT_VA + 2 * self->block;
	const char *why = NULL;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	nt_add_vma(_metadata, mm, file, self->block, RW_SHARED);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
	ASSERT_EQ(0, pb_pin(mm, NT_VA + self->block, NT_VA + self->block + self->psize,
			    true, &why));
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	/* Block 0 is now mapped by both; block 1 was pinned, so copied. */
	ASSERT_EQ(0, pb_madvise(mm, NT_VA, NT_VA + self->psize, PB_MADV_FREE, &why));
	ASSERT_EQ(0, pb_madvise(mm, NT_VA + self->block, NT_VA + self->block + self->psize,
				PB_MADV_FREE, &why));
	EXPECT_EQ(0, mm->counters[PB_MMC_folio_splits]);
	EXPECT_EQ(variant->cont_shift, nt_folio_at(mm, NT_VA, NULL)->order);
	EXPECT_EQ(variant->cont_shift, nt_folio_at(mm, NT_VA + self->block, NULL)->order);
	EXPECT_EQ(0, mm->counters[PB_MMC_lazyfree_folios]);

	EXPECT_EQ(-EINVAL, pb_madvise(mm, file, file + self->psize, PB_MADV_FREE, &why));
	EXPECT_STREQ("MADV_FREE needs a private anon VMA", why);
	EXPECT_EQ(-EINVAL, pb_madvise(mm, NT_VA, file + self->psize, PB_MADV_FREE, &why));
	EXPECT_STREQ("range is not inside one VMA", why);
	EXPECT_EQ(0, pb_check_mm(mm));
	ASSERT_EQ(0, pb_pin(mm, NT_VA + self->block, NT_VA + self->block + self->psize,
			    false, &why));
}

/*
 * A parent that maps the first half of a folio and a child that maps the
 * second: 6.12 guesses "exclusive" from the first page's mapcount
 * (folio_likely_mapped_shared()) and splits the folio under a partial
 * MADV_FREE; mainline's MM owner tracking knows both mms map it
 * (folio_maybe_mapped_shared()) and leaves it.
 */
TEST_F(paths, madv_free_shared_guess_follows_the_profile)
{
	static const enum pb_profile profiles[] = {
		PB_PROFILE_6_12, PB_PROFILE_MAINLINE,
	};
	unsigned int half = self->cont / 2, p;
	struct pb_mm *mm = self->mm, *child;
	const char *why = NULL;

	nt_add_vma(_metadata, mm, NT_VA, ARRAY_SIZE(profiles) * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, ARRAY_SIZE(profiles) * self->block,
		    variant->cont_shift, false);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	for (p = 0; p < ARRAY_SIZE(profiles); p++) {
		u64 va = NT_VA + p * self->block, splits;

		pb_zap_range(mm, va + half * self->psize, va + self->block);
		pb_zap_range(child, va, va + half * self->psize);
		pb_mm_set_profile(mm, profiles[p]);
		splits = mm->counters[PB_MMC_folio_splits];
		ASSERT_EQ(0, pb_madvise(mm, va, va + self->psize, PB_MADV_FREE, &why));
		EXPECT_EQ(profiles[p] == PB_PROFILE_6_12,
			  mm->counters[PB_MMC_folio_splits] - splits) TH_LOG("profile %u", p);
		EXPECT_EQ(profiles[p] == PB_PROFILE_6_12 ? 0 : variant->cont_shift,
			  nt_folio_at(child, va + half * self->psize, NULL)->order);
	}
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, pb_check_mm(child));
}

TEST_HARNESS_MAIN
