// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of paths/mremap.c: moves batched (mainline) and one PTE at a
 * time (6.12), whole and partly covered blocks, VMAs split and merged, file
 * offsets, anon folios found where they moved, uffd-wp and soft-dirty, and
 * bad input that changes nothing.
 */
#include "nt_paths.h"
#include "paths/huge.h"
#include "paths/mremap.h"

/* Where ranges move to: aligned to a last-level table of every granule. */
#define NT_NEW		0x80000000ULL

static int move(struct pb_mm *mm, u64 old, u64 len, u64 new, const char **why)
{
	*why = NULL;
	return pb_mremap(mm, old, len, new, why);
}

/*
 * Two folded blocks move whole: mainline in one get_and_clear_ptes() and one
 * set_ptes() per block, which keeps them folded with no unfold; 6.12 one
 * PTE at a time, which unfolds each block and refolds it on its last entry.
 * Either way one range flush of the old range, and the same folios,
 * mapcounts and exclusivity.
 */
TEST_F(paths, mremap_moves_whole_blocks_batched_or_per_pte_by_profile)
{
	unsigned int pages = 2 * self->cont, i, p;

	for (p = 0; p < PB_NR_PROFILES; p++) {
		struct pb_mm *mm = p ? other_mm(self, true) : self->mm;
		bool batched = p == PB_PROFILE_MAINLINE;
		u64 before[PB_NR_MM_COUNTERS], pfns[2 * 128];
		const char *why;

		ASSERT_NE(NULL, mm);
		pb_mm_set_profile(mm, p);
		EXPECT_EQ(batched, mm->knobs[PB_KNOB_mremap_batch]);
		nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
		nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
		for (i = 0; i < pages; i++)
			pfns[i] = nt_pfn(mm, i);
		NT_SNAP(mm, before);
		ASSERT_EQ(0, move(mm, NT_VA, 2 * self->block, NT_NEW, &why)) TH_LOG("%s", why);
		EXPECT_EQ(pages, nt_delta(mm, before, PB_MMC_mremap_ptes));
		EXPECT_EQ(batched ? 2 : pages, nt_delta(mm, before, PB_MMC_mremap_batches));
		EXPECT_EQ(batched ? 0 : 2, nt_delta(mm, before, PB_MMC_unfolds));
		EXPECT_EQ(batched ? 0 : 2, nt_delta(mm, before, PB_MMC_folds));
		EXPECT_EQ(batched ? 1 : 5, nt_delta(mm, before, PB_MMC_tlbi_range));
		EXPECT_EQ(pages, nt_nr_cont_at(mm, NT_NEW, pages));
		for (i = 0; i < pages; i++) {
			u64 va = NT_NEW + ((u64)i << self->g->page_shift);
			struct pb_page *page = nt_page_at(mm, va);

			EXPECT_EQ(0, nt_raw(mm, i)) TH_LOG("old page %u still mapped", i);
			EXPECT_EQ(pfns[i], nt_pfn_at(mm, va));
			EXPECT_EQ(1, page->mapcount);
			EXPECT_TRUE(page->flags & PB_PG_ANON_EXCLUSIVE);
		}
		/* The VMA's moved part keeps its flags and offset; the rest stays. */
		ASSERT_EQ(2, mm->nr_vmas);
		EXPECT_EQ(NT_NEW, pb_vma_find(mm, NT_NEW)->start);
		EXPECT_EQ(NT_NEW + 2 * self->block, pb_vma_find(mm, NT_NEW)->end);
		EXPECT_EQ(NT_VA >> self->g->page_shift, pb_vma_find(mm, NT_NEW)->pgoff);
		EXPECT_EQ(RW_ANON | PB_VM_ANON_VMA, pb_vma_find(mm, NT_NEW)->flags);
		EXPECT_EQ(NULL, pb_vma_find(mm, NT_VA));
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
		/* Written before, still exclusive: writes need no fault. */
		EXPECT_EQ(0, write_all(_metadata, mm, NT_NEW, pages));
	}
}

/*
 * A range that covers two blocks only partly: mainline's batches stop at the
 * folio, and get_and_clear_ptes() unfolds the blocks it covers partly, as
 * 6.12's per-PTE clears do; the halves left behind stay mapped, unfolded.
 */
TEST_F(paths, mremap_of_partly_covered_blocks_unfolds_them)
{
	unsigned int half = self->cont / 2, p;

	for (p = 0; p < PB_NR_PROFILES; p++) {
		struct pb_mm *mm = p ? other_mm(self, false) : self->mm;
		bool batched = p == PB_PROFILE_MAINLINE;
		u64 before[PB_NR_MM_COUNTERS], old = nt_va(mm, half);
		u64 new = NT_NEW + ((u64)half << self->g->page_shift);
		const char *why;

		ASSERT_NE(NULL, mm);
		pb_mm_set_profile(mm, p);
		nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
		nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
		NT_SNAP(mm, before);
		ASSERT_EQ(0, move(mm, old, self->block, new, &why)) TH_LOG("%s", why);
		EXPECT_EQ(batched ? 2 : self->cont, nt_delta(mm, before, PB_MMC_mremap_batches));
		EXPECT_EQ(2, nt_delta(mm, before, PB_MMC_unfolds));
		EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_folds));
		/* Neither side has a whole block: no CONT anywhere. */
		EXPECT_EQ(0, nt_nr_cont(mm, 0, 2 * self->cont));
		EXPECT_EQ(0, nt_nr_cont_at(mm, new, self->cont));
		EXPECT_NE(0, nt_raw(mm, 0));
		EXPECT_EQ(0, nt_raw(mm, half));
		EXPECT_NE(0, nt_raw(mm, self->cont + half));
		EXPECT_NE(0, nt_raw_at(mm, new));
		EXPECT_EQ(3, mm->nr_vmas);
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	}
}

/* A moved part moved back where it was merges with the rest again. */
TEST_F(paths, mremap_splits_the_vma_and_a_move_back_merges_it)
{
	struct pb_mm *mm = self->mm;
	const char *why;

	nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 4 * self->block, variant->cont_shift, false);
	ASSERT_EQ(0, move(mm, NT_VA + self->block, self->block, NT_NEW, &why));
	EXPECT_EQ(3, mm->nr_vmas);
	EXPECT_EQ((NT_VA + self->block) >> self->g->page_shift, pb_vma_find(mm, NT_NEW)->pgoff);
	EXPECT_EQ((NT_VA + 2 * self->block) >> self->g->page_shift,
		  pb_vma_find(mm, NT_VA + 2 * self->block)->pgoff);
	/* Elsewhere it cannot merge: its offset does not follow on. */
	ASSERT_EQ(0, move(mm, NT_NEW, self->block, NT_NEW + 8 * self->block, &why));
	EXPECT_EQ(3, mm->nr_vmas);
	ASSERT_EQ(0, move(mm, NT_NEW + 8 * self->block, self->block, NT_VA + self->block, &why));
	EXPECT_EQ(1, mm->nr_vmas);
	EXPECT_EQ(4 * self->cont, nt_nr_cont(mm, 0, 4 * self->cont));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * A shared file and a shmem VMA keep mapping the same file pages: the data
 * and folios move, the folio's index stays, and after a zap a fault at the
 * new address finds the cached folio at the moved VMA's offset.
 */
TEST_F(paths, mremap_of_a_file_vma_keeps_its_file_offset)
{
	static const u32 kinds[] = { RW_SHARED, RW_SHMEM };
	struct pb_mm *mm = other_mm(self, true);
	unsigned int k, pages = 2 * self->cont;

	ASSERT_NE(NULL, mm);
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		u64 old = NT_VA + 4 * k * self->block, new = NT_NEW + 4 * k * self->block;
		u64 half = (u64)self->cont << self->g->page_shift, head_pfn, pfn, maps;
		const char *why;
		unsigned int i;

		nt_add_vma(_metadata, mm, old, 2 * self->block, kinds[k]);
		nt_populate(_metadata, mm, old, 2 * self->block, variant->cont_shift, false);
		for (i = 0; i < pages; i++)
			ASSERT_EQ(0, poke(mm, old + ((u64)i << self->g->page_shift), 0x100 + i));
		/* The second block alone moves, one page off its alignment. */
		pfn = nt_pfn_at(mm, old + half);
		ASSERT_EQ(0, move(mm, old + half, self->block, new + self->psize, &why))
			TH_LOG("%s", why);
		EXPECT_EQ((old + half) >> self->g->page_shift,
			  pb_vma_find(mm, new + self->psize)->pgoff);
		for (i = 0; i < self->cont; i++)
			EXPECT_EQ(0x100 + self->cont + i,
				  peek(mm, new + ((u64)(i + 1) << self->g->page_shift)));
		/* VA and PA no longer aligned alike: the block does not refold. */
		EXPECT_EQ(0, nt_nr_cont_at(mm, new + self->psize, self->cont));
		EXPECT_EQ(pfn, nt_pfn_at(mm, new + self->psize));
		nt_folio_at(mm, new + self->psize, &head_pfn);
		EXPECT_EQ((old + half) >> self->g->page_shift,
			  pb_folio_index(pb_pfn_to_page(mm->phys, head_pfn)));
		/* Zapped, then read: the cached folio, at the moved offset. */
		pb_zap_range(mm, new + self->psize, new + self->psize + self->block);
		maps = mm->counters[PB_MMC_folios_mapped];
		EXPECT_EQ(0x100 + self->cont + 1,
			  peek(mm, new + 2 * self->psize));
		EXPECT_EQ(pfn + 1, nt_pfn_at(mm, new + 2 * self->psize));
		EXPECT_EQ(maps, mm->counters[PB_MMC_folios_mapped]);
		/* A folio there would not be aligned in the file: refused. */
		pb_zap_range(mm, new + self->psize, new + self->psize + self->block);
		EXPECT_EQ(-EINVAL, pb_populate(mm, new + 2 * self->psize, new + 4 * self->psize,
					       1, false, &why));
		EXPECT_STREQ("the file offset at va is not a multiple of the folio size", why);
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	}
}

/*
 * An anon folio half moved is found in both places: mainline's large-folio
 * COW reuse counts both halves as this mm's, and MADV_FREE's split finds
 * and restores the entries where they are.
 */
TEST_F(paths, mremap_half_a_folio_keeps_it_found_through_its_index)
{
	struct pb_mm *mm = self->mm;
	u64 half = (u64)(self->cont / 2) << self->g->page_shift;
	const char *why;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	ASSERT_NE(NULL, fork_child(_metadata, self, mm));
	exit_child(self);
	ASSERT_EQ(0, move(mm, NT_VA + half, half, NT_NEW, &why));
	EXPECT_EQ(0, nt_nr_writable_at(mm, NT_NEW, 1));
	EXPECT_EQ(0, poke(mm, NT_NEW, 1));
	EXPECT_EQ(1, mm->counters[PB_MMC_wp_reuses]);
	EXPECT_EQ(0, mm->counters[PB_MMC_cow_copies]);
	ASSERT_EQ(0, pb_madvise(mm, NT_VA, NT_VA + half, PB_MADV_FREE, &why)) TH_LOG("%s", why);
	EXPECT_EQ(1, mm->counters[PB_MMC_folio_splits]);
	EXPECT_EQ(0, nt_folio_at(mm, NT_NEW, NULL)->order);
	EXPECT_NE(0, nt_raw_at(mm, NT_NEW + half - self->psize));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * Without UFFD_FEATURE_EVENT_REMAP the registration and the uffd-wp bits
 * stay behind (move_ptes()'s need_clear_uffd_wp); move_soft_dirty_pte()
 * makes every moved entry soft-dirty, so that clear_refs sees the move.
 */
TEST_F(paths, mremap_drops_uffd_wp_and_marks_soft_dirty)
{
	struct pb_mm *mm = self->mm;
	unsigned int i;
	const char *why;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON | PB_VM_UFFD_WP);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	pb_clear_soft_dirty(mm);
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, NT_VA + self->block, true, &why));
	for (i = 0; i < self->cont; i++) {
		ASSERT_TRUE(nt_raw(mm, i) & PB_PTE_UFFD_WP);
		ASSERT_FALSE(nt_raw(mm, i) & PB_PTE_SOFT_DIRTY);
	}
	ASSERT_EQ(0, move(mm, NT_VA, self->block, NT_NEW, &why));
	EXPECT_FALSE(pb_vma_find(mm, NT_NEW)->flags & PB_VM_UFFD_WP);
	EXPECT_TRUE(pb_vma_find(mm, NT_NEW)->flags & PB_VM_SOFTDIRTY);
	for (i = 0; i < self->cont; i++) {
		pb_pte_t pte = nt_raw_at(mm, NT_NEW + ((u64)i << self->g->page_shift));

		EXPECT_FALSE(pte & PB_PTE_UFFD_WP) TH_LOG("page %u", i);
		EXPECT_TRUE(pte & PB_PTE_SOFT_DIRTY) TH_LOG("page %u", i);
	}
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * A whole leaf table at the same alignment on both sides moves as it is
 * (move_normal_pmd()), in either profile: not one entry is written, the
 * blocks stay folded, nothing turns soft-dirty, and the old range is flushed
 * once.  With uffd-wp to clear, the entries move one by one instead.
 */
TEST_F(paths, mremap_of_a_whole_table_moves_the_table)
{
	u64 span = (u64)self->ptrs << self->g->page_shift;
	unsigned int p, i;

	for (p = 0; p < 2 * PB_NR_PROFILES; p++) {
		struct pb_mm *mm = p ? other_mm(self, false) : self->mm;
		bool uffd = p >= PB_NR_PROFILES;
		bool per_pte = p % PB_NR_PROFILES == PB_PROFILE_6_12;
		u64 before[PB_NR_MM_COUNTERS];
		pb_pte_t raw[3], *table;
		const char *why;

		ASSERT_NE(NULL, mm);
		pb_mm_set_profile(mm, p % PB_NR_PROFILES);
		nt_add_vma(_metadata, mm, NT_VA, span, RW_ANON | (uffd ? PB_VM_UFFD_WP : 0));
		nt_populate(_metadata, mm, NT_VA, span, variant->cont_shift, false);
		pb_clear_soft_dirty(mm);
		for (i = 0; i < 3; i++)
			raw[i] = nt_raw(mm, i * (self->ptrs / 2 - 1));
		table = nt_ptep_at(mm, NT_VA);
		NT_SNAP(mm, before);
		ASSERT_EQ(0, move(mm, NT_VA, span, NT_NEW, &why)) TH_LOG("%s", why);
		EXPECT_EQ(uffd ? 0 : 1, nt_delta(mm, before, PB_MMC_mremap_tables));
		EXPECT_EQ(uffd ? self->ptrs : 0, nt_delta(mm, before, PB_MMC_mremap_ptes));
		/* Entry by entry, 6.12 unfolds and refolds every block. */
		EXPECT_EQ(uffd && per_pte ? self->ptrs / self->cont : 0,
			  nt_delta(mm, before, PB_MMC_unfolds));
		if (!uffd) {
			EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_pte_writes));
			EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_tlbi_range));
			/* The table itself moved, and the old range has none. */
			EXPECT_EQ(table, nt_ptep_at(mm, NT_NEW));
			EXPECT_EQ(NULL, nt_ptep_at(mm, NT_VA));
			for (i = 0; i < 3; i++) {
				u64 off = (u64)i * (self->ptrs / 2 - 1) << self->g->page_shift;

				EXPECT_EQ(raw[i], nt_raw_at(mm, NT_NEW + off));
			}
		} else {
			EXPECT_TRUE(nt_raw_at(mm, NT_NEW) & PB_PTE_SOFT_DIRTY);
			EXPECT_EQ(0, nt_raw(mm, 0));
		}
		EXPECT_EQ(self->ptrs, nt_nr_cont_at(mm, NT_NEW, self->ptrs));
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
		if (p)
			pb_mm_destroy(mm);
		self->other = NULL;
	}
}

/*
 * A part of the old range without a page table gets none on the new side:
 * move_page_tables() skips a none old PMD before it allocates.
 */
TEST_F(paths, mremap_allocates_no_table_where_the_old_range_has_none)
{
	u64 span = (u64)self->ptrs << self->g->page_shift;
	struct pb_mm *mm = self->mm;
	const char *why;

	nt_add_vma(_metadata, mm, NT_VA, 2 * span, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	ASSERT_EQ(NULL, nt_ptep_at(mm, NT_VA + span));
	ASSERT_EQ(0, move(mm, NT_VA, 2 * span, NT_NEW, &why)) TH_LOG("%s", why);
	EXPECT_NE(NULL, nt_ptep_at(mm, NT_NEW));
	EXPECT_EQ(NULL, nt_ptep_at(mm, NT_NEW + span));
	EXPECT_EQ(self->cont, nt_nr_cont_at(mm, NT_NEW, self->cont));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * A PMD-mapped THP in the range is split into its deposited table first,
 * and its PTEs move (the new side's table was allocated before the split):
 * the same folio, one mapping per page, the old range empty; unlike
 * upstream's move_huge_pmd(), which would keep it PMD-mapped.
 */
TEST_F(paths, mremap_of_a_pmd_mapped_thp_splits_it_then_moves)
{
	struct pb_mm *mm = self->mm;
	u64 span = pb_pmd_size(self->g), head_pfn;
	struct pb_page *head;
	const char *why;

	mm->knobs[PB_KNOB_thp_pmd] = 1;
	nt_add_vma(_metadata, mm, NT_VA, span, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, span, pb_pmd_order(self->g), false);
	ASSERT_NE(NULL, pb_huge_pmd(mm, NT_VA));
	head_pfn = pb_pte_pfn(self->g, *pb_huge_pmd(mm, NT_VA));
	ASSERT_EQ(0, move(mm, NT_VA, span, NT_NEW, &why)) TH_LOG("%s", why);
	EXPECT_EQ(1, mm->counters[PB_MMC_pmd_splits]);
	EXPECT_EQ(0, mm->counters[PB_MMC_mremap_tables]);
	EXPECT_EQ(self->ptrs, mm->counters[PB_MMC_mremap_ptes]);
	EXPECT_EQ(NULL, pb_huge_pmd(mm, NT_NEW));
	EXPECT_EQ(0, nt_raw_at(mm, NT_VA));
	EXPECT_EQ(head_pfn, nt_pfn_at(mm, NT_NEW));
	head = nt_folio_at(mm, NT_NEW + span - self->psize, NULL);
	ASSERT_NE(NULL, head);
	EXPECT_EQ(self->ptrs, pb_folio_large_mapcount(head));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/* Bad input fails with EINVAL and changes nothing. */
TEST_F(paths, mremap_bad_input_changes_nothing)
{
	struct pb_mm *mm = self->mm;
	u64 before[PB_NR_MM_COUNTERS], len = 2 * self->block;
	struct pb_vma vmas[PB_MAX_VMAS];
	const struct {
		u64 old, len, new;
		const char *why;
	} bad[] = {
		{ NT_VA + 4 * self->block, self->block, NT_NEW, "old range is not inside one VMA" },
		{ NT_VA + self->block, len, NT_NEW, "old range is not inside one VMA" },
		{ NT_VA, len, NT_VA + self->block, "new range overlaps the old one" },
		{ NT_VA + self->block, self->block, NT_VA + self->psize,
		  "new range overlaps the old one" },
		{ NT_VA, self->block, NT_NEW - self->psize, "new range overlaps a VMA" },
		{ NT_VA, self->block, (1ULL << 48) - self->psize,
		  "new range is beyond the VA size" },
	};
	unsigned int i, nr;
	const char *why;

	nt_add_vma(_metadata, mm, NT_VA, len, RW_ANON);
	nt_add_vma(_metadata, mm, NT_NEW - self->block, self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, len, variant->cont_shift, false);
	memcpy(vmas, mm->vmas, sizeof(vmas));
	nr = mm->nr_vmas;
	NT_SNAP(mm, before);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, move(mm, bad[i].old, bad[i].len, bad[i].new, &why))
			TH_LOG("case %u", i);
		EXPECT_STREQ(bad[i].why, why);
		EXPECT_EQ(0, memcmp(before, mm->counters, sizeof(before)));
		EXPECT_EQ(nr, mm->nr_vmas);
		EXPECT_EQ(0, memcmp(vmas, mm->vmas, sizeof(vmas)));
	}
	EXPECT_EQ(2 * self->cont, nt_nr_cont(mm, 0, 2 * self->cont));
}

/*
 * Out of memory for the new side's page tables: ENOMEM before anything
 * moves; the entries, the VMAs and the counters but pt_pages stay.
 */
TEST_F(paths, mremap_out_of_memory_moves_nothing)
{
	struct pb_mm *mm = self->mm;
	struct pb_vma vmas[PB_MAX_VMAS];
	pb_pte_t first;
	const char *why;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
	memcpy(vmas, mm->vmas, sizeof(vmas));
	first = nt_raw(mm, 0);
	atomic_set(&pb_fail_nth, 1);
	EXPECT_EQ(-ENOMEM, move(mm, NT_VA + self->block, self->block, NT_NEW, &why));
	EXPECT_STREQ("out of memory for page tables", why);
	EXPECT_EQ(0, memcmp(vmas, mm->vmas, sizeof(vmas)));
	EXPECT_EQ(first, nt_raw(mm, 0));
	EXPECT_EQ(2 * self->cont, nt_nr_cont(mm, 0, 2 * self->cont));
	EXPECT_EQ(0, mm->counters[PB_MMC_mremap_ptes]);
	EXPECT_EQ(NULL, nt_ptep_at(mm, NT_NEW));
	EXPECT_EQ(0, pb_check_mm(mm));
	/* With memory, the same move goes through. */
	ASSERT_EQ(0, move(mm, NT_VA + self->block, self->block, NT_NEW, &why));
	EXPECT_EQ(self->cont, mm->counters[PB_MMC_mremap_ptes]);
}

TEST_HARNESS_MAIN
