// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of paths/mprotect.c: the RO to RW upgrade and every reason to
 * deny it, PROT_NONE, VMA splits, and a range that must fail as a whole.
 */
#include "nt_paths.h"

/* --- mprotect ----------------------------------------------------------------------- */

/*
 * Seed 002: RO then RW on exclusive anon memory makes every PTE writable at
 * once, whole blocks staying folded, and no write faults afterwards; without
 * the optimisation every page takes one.
 */
TEST_F(paths, mprotect_rw_spares_the_write_faults_of_exclusive_anon)
{
	unsigned int pages = 2 * self->cont, m;
	struct pb_mm *mms[2] = { self->mm, other_mm(self, false) };

	ASSERT_NE(NULL, mms[1]);
	mms[1]->knobs[PB_KNOB_mprotect_upgrade] = 0;
	for (m = 0; m < 2; m++) {
		struct pb_mm *mm = mms[m];
		u64 before[PB_NR_MM_COUNTERS], avoided, denied;
		bool upgrade = !m;

		nt_add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
		nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
		NT_SNAP(mm, before);
		ro_rw(_metadata, mm, NT_VA, nt_va(self->mm, 8 * self->cont), &avoided, &denied);
		EXPECT_EQ(upgrade ? pages : 0, avoided);
		EXPECT_EQ(0, denied);
		EXPECT_EQ(1, mm->nr_vmas);
		/* Two batches per call, one flush per call; blocks stay folded. */
		EXPECT_EQ(4, nt_delta(mm, before, PB_MMC_mprotect_batches));
		EXPECT_EQ(2, nt_delta(mm, before, PB_MMC_gather_flushes));
		EXPECT_EQ(2, nt_delta(mm, before, PB_MMC_tlbi_range));
		EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_unfolds));
		EXPECT_EQ(pages, nt_nr_cont(mm, 0, pages));
		EXPECT_EQ(upgrade ? pages : 0, nt_nr_writable_at(mm, NT_VA, pages));
		EXPECT_EQ(upgrade ? 0 : pages, write_all(_metadata, mm, NT_VA, pages));
		EXPECT_EQ(upgrade ? 0 : pages, nt_delta(mm, before, PB_MMC_wp_reuses));
		EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_cow_copies));
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	}
}

/* After fork the pages are no longer exclusive: no upgrade, and writes copy. */
TEST_F(paths, mprotect_rw_upgrade_is_denied_for_shared_anon_pages)
{
	unsigned int pages = 2 * self->cont;
	struct pb_mm *mm = self->mm;
	u64 avoided, denied;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
	ASSERT_NE(NULL, fork_child(_metadata, self, mm));
	ro_rw(_metadata, mm, NT_VA, nt_va(self->mm, pages), &avoided, &denied);
	EXPECT_EQ(0, avoided);
	EXPECT_EQ(pages, denied);
	EXPECT_EQ(0, nt_nr_writable_at(mm, NT_VA, pages));
	EXPECT_EQ(pages, write_all(_metadata, mm, NT_VA, pages));
	EXPECT_EQ(pages, mm->counters[PB_MMC_cow_copies]);
	EXPECT_EQ(0, mm->counters[PB_MMC_wp_reuses]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/* With soft-dirty tracking on, only PTEs already soft-dirty may be upgraded. */
TEST_F(paths, mprotect_rw_upgrade_needs_soft_dirty_when_it_is_tracked)
{
	unsigned int pages = 2 * self->cont, half = self->cont / 2;
	struct pb_mm *mm = self->mm;
	u64 avoided, denied;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
	pb_clear_soft_dirty(mm);
	EXPECT_TRUE(mm->vmas[0].flags & PB_VM_SOFTDIRTY);
	EXPECT_EQ(0, nt_nr_writable_at(mm, NT_VA, pages));
	ro_rw(_metadata, mm, NT_VA, nt_va(self->mm, pages), &avoided, &denied);
	EXPECT_EQ(0, avoided);
	EXPECT_EQ(pages, denied);
	/* Writes make pages soft-dirty again; those are upgraded next time. */
	EXPECT_EQ(half, write_all(_metadata, mm, NT_VA, half));
	EXPECT_EQ(half, mm->counters[PB_MMC_wp_reuses]);
	ro_rw(_metadata, mm, NT_VA, nt_va(self->mm, pages), &avoided, &denied);
	EXPECT_EQ(half, avoided);
	EXPECT_EQ(pages - half, denied);
	EXPECT_EQ(pages - half, write_all(_metadata, mm, NT_VA, pages));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/* uffd-wp entries are never upgraded: the write must reach the handler. */
TEST_F(paths, mprotect_rw_upgrade_is_denied_under_uffd_wp)
{
	unsigned int pages = 2 * self->cont;
	struct pb_mm *mm = self->mm;
	const char *why = NULL;
	u64 avoided, denied;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON | PB_VM_UFFD_WP);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, nt_va(self->mm, pages), true, &why)) TH_LOG("%s", why);
	ro_rw(_metadata, mm, NT_VA, nt_va(self->mm, pages), &avoided, &denied);
	EXPECT_EQ(0, avoided);
	EXPECT_EQ(pages, denied);
	EXPECT_EQ(pages, write_all(_metadata, mm, NT_VA, pages));
	EXPECT_EQ(pages, mm->counters[PB_MMC_wp_reuses]);
	EXPECT_LE(2, mm->counters[PB_MMC_uffd_wp_faults]);
	/*
	 * Protected and released again: uffd_wp_range() resolves with
	 * MM_CP_TRY_CHANGE_WRITABLE, so the exclusive pages are writable at
	 * once, and an mprotect round trip upgrades them too.
	 */
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, nt_va(self->mm, pages), true, &why)) TH_LOG("%s", why);
	EXPECT_EQ(0, nt_nr_writable_at(mm, NT_VA, pages));
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, nt_va(self->mm, pages), false, &why)) TH_LOG("%s", why);
	EXPECT_EQ(pages, nt_nr_writable_at(mm, NT_VA, pages));
	ro_rw(_metadata, mm, NT_VA, nt_va(self->mm, pages), &avoided, &denied);
	EXPECT_EQ(pages, avoided);
	EXPECT_EQ(0, denied);
	EXPECT_EQ(0, write_all(_metadata, mm, NT_VA, pages));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * clear_refs leaves a pinned page's writable entry alone (pte_is_pinned()):
 * it stays writable and soft-dirty, while every other entry is cleaned.
 */
TEST_F(paths, clear_refs_skips_pinned_pages)
{
	unsigned int pages = self->cont, i;
	struct pb_mm *mm = self->mm;
	u64 pinned = nt_va(self->mm, 3);
	const char *why = NULL;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, self->block, 0, false);
	ASSERT_EQ(0, pb_pin(mm, pinned, pinned + self->psize, true, &why)) TH_LOG("%s", why);
	pb_clear_soft_dirty(mm);
	for (i = 0; i < pages; i++) {
		pb_pte_t pte = nt_pte_at(mm, nt_va(self->mm, i));
		bool is_pinned = nt_va(self->mm, i) == pinned;

		EXPECT_EQ(is_pinned, pb_pte_write(pte)) TH_LOG("page %u", i);
		EXPECT_EQ(is_pinned, !!(pte & PB_PTE_SOFT_DIRTY)) TH_LOG("page %u", i);
	}
	/* Unpinned, the next clear_refs cleans it as well. */
	ASSERT_EQ(0, pb_pin(mm, pinned, pinned + self->psize, false, &why)) TH_LOG("%s", why);
	pb_clear_soft_dirty(mm);
	EXPECT_EQ(0, nt_nr_writable_at(mm, NT_VA, pages));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * A shared VMA: a PTE is upgraded only if it is dirty already, each PTE on its
 * own (the batch respects dirty there, the model's departure from upstream).
 */
TEST_F(paths, mprotect_rw_upgrade_in_a_shared_vma_needs_the_pte_dirty)
{
	unsigned int cont = self->cont, m, i;
	struct pb_mm *mms[2] = { self->mm, other_mm(self, false) };

	ASSERT_NE(NULL, mms[1]);
	mms[1]->knobs[PB_KNOB_mprotect_batch] = 0;
	for (m = 0; m < 2; m++) {
		struct pb_mm *mm = mms[m];
		u64 before[PB_NR_MM_COUNTERS], avoided, denied;

		/* Without contpte, so that neighbours may differ in dirty. */
		mm->knobs[PB_KNOB_contpte] = 0;
		nt_add_vma(_metadata, mm, NT_VA, self->block, RW_SHARED);
		nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
		for (i = 1; i < cont; i += 2)
			pb_clear_young_dirty_ptes(mm, nt_va(mm, i), nt_ptep(mm, i),
						  1, false, true);
		pb_flush_tlb_range(mm, NT_VA, nt_va(self->mm, cont));
		NT_SNAP(mm, before);
		ro_rw(_metadata, mm, NT_VA, nt_va(self->mm, cont), &avoided, &denied);
		EXPECT_EQ(cont / 2, avoided) TH_LOG("batch %d", !m);
		EXPECT_EQ(cont / 2, denied) TH_LOG("batch %d", !m);
		/* Dirty alternates: every batch is one PTE long. */
		EXPECT_EQ(2 * cont, nt_delta(mm, before, PB_MMC_mprotect_batches));
		for (i = 0; i < cont; i++) {
			pb_pte_t pte = nt_pte_at(mm, nt_va(self->mm, i));

			EXPECT_EQ(!(i & 1), pb_pte_write(pte)) TH_LOG("batch %d page %u", !m, i);
			EXPECT_EQ(!(i & 1), pb_pte_dirty(pte)) TH_LOG("batch %d page %u", !m, i);
		}
		/* The clean ones take the write fault, which reuses the page. */
		EXPECT_EQ(cont / 2, write_all(_metadata, mm, NT_VA, cont));
		EXPECT_EQ(cont / 2, nt_delta(mm, before, PB_MMC_wp_reuses));
		EXPECT_EQ(0, pb_check_mm(mm));
	}
}

/*
 * PROT_NONE: present but invalid entries, so that any access is a SIGSEGV;
 * back to RW, the same pages come back, writable at once (exclusive anon).
 */
TEST_F(paths, mprotect_none_and_back)
{
	unsigned int cont = self->cont, i;
	struct pb_mm *mm = self->mm;
	const char *why = NULL;
	u64 pfn, val = 0;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	pfn = nt_pfn_at(mm, NT_VA);
	protect(_metadata, mm, NT_VA, nt_va(self->mm, cont), 0);
	EXPECT_EQ(0, mm->vmas[0].flags & (PB_VM_READ | PB_VM_WRITE));
	for (i = 0; i < cont; i++) {
		EXPECT_TRUE(pb_pte_protnone(nt_raw(mm, i)))
			TH_LOG("page %u", i);
		EXPECT_EQ(pfn + i, nt_pfn(mm, i)) TH_LOG("page %u", i);
	}
	EXPECT_EQ(0, mm->counters[PB_MMC_write_upgrades_denied]);
	EXPECT_EQ(-EFAULT, pb_access(mm, NT_VA, false, &val));
	EXPECT_EQ(-EFAULT, touch(mm, NT_VA, false, &val));
	EXPECT_EQ(-EFAULT, pb_handle_fault(mm, nt_va(self->mm, 1), true, &why));
	EXPECT_STREQ("SIGSEGV", why);
	EXPECT_EQ(2, mm->counters[PB_MMC_segv]);
	protect(_metadata, mm, NT_VA, nt_va(self->mm, cont), PB_VM_READ | PB_VM_WRITE);
	EXPECT_EQ(cont, mm->counters[PB_MMC_write_faults_avoided]);
	EXPECT_EQ(cont, nt_nr_cont(mm, 0, cont));
	EXPECT_EQ(cont, nt_nr_writable_at(mm, NT_VA, cont));
	EXPECT_EQ(pfn, nt_pfn_at(mm, NT_VA));
	EXPECT_EQ(0, write_all(_metadata, mm, NT_VA, cont));
	EXPECT_EQ(0, mm->counters[PB_MMC_unfolds]);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * A range that starts and ends inside blocks (one folio per block) splits
 * its VMA at both ends; batched, only the two edge blocks unfold, where one
 * PTE at a time unfolds all four and folds back the two whole ones.
 */
TEST_F(paths, mprotect_splits_the_vma_and_unfolds_only_edge_blocks)
{
	unsigned int cont = self->cont, pages = 4 * cont, m, i;
	struct pb_mm *mms[2] = { self->mm, other_mm(self, false) };
	u64 start = nt_va(self->mm, 3), end = nt_va(self->mm, 3 * cont + 5);

	ASSERT_NE(NULL, mms[1]);
	mms[1]->knobs[PB_KNOB_mprotect_batch] = 0;
	for (m = 0; m < 2; m++) {
		struct pb_mm *mm = mms[m];
		u64 before[PB_NR_MM_COUNTERS], avoided, denied;
		bool batched = !m;
		struct pb_vma *vma;

		nt_add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
		nt_populate(_metadata, mm, NT_VA, 4 * self->block, variant->cont_shift, false);
		NT_SNAP(mm, before);
		protect(_metadata, mm, start, end, PB_VM_READ);
		ASSERT_EQ(3, mm->nr_vmas);
		vma = pb_vma_find(mm, NT_VA);
		EXPECT_EQ(start, vma->end);
		EXPECT_EQ(RW_ANON | PB_VM_ANON_VMA, vma->flags);
		vma = pb_vma_find(mm, start);
		EXPECT_EQ(start, vma->start);
		EXPECT_EQ(end, vma->end);
		EXPECT_EQ(PB_VM_READ | PB_VM_ANON | PB_VM_ANON_VMA, vma->flags);
		vma = pb_vma_find(mm, end);
		EXPECT_EQ(end, vma->start);
		EXPECT_EQ(nt_va(self->mm, 8 * cont), vma->end);
		EXPECT_EQ(RW_ANON | PB_VM_ANON_VMA, vma->flags);
		EXPECT_EQ(batched ? 2 : 4, nt_delta(mm, before, PB_MMC_unfolds));
		EXPECT_EQ(batched ? 0 : 2, nt_delta(mm, before, PB_MMC_folds));
		EXPECT_EQ(batched ? 4 : 3 * cont + 2, nt_delta(mm, before,
							       PB_MMC_mprotect_batches));
		/* Each convert flushes its block, and the gather flushes once. */
		EXPECT_EQ(batched ? 3 : 7, nt_delta(mm, before, PB_MMC_tlbi_range));
		EXPECT_EQ(0, nt_nr_cont(mm, 0, cont));
		EXPECT_EQ(2 * cont, nt_nr_cont(mm, cont, 2 * cont));
		EXPECT_EQ(0, nt_nr_cont(mm, 3 * cont, cont));
		for (i = 0; i < pages; i++) {
			bool inside = i >= 3 && i < 3 * cont + 5;

			EXPECT_EQ(!inside, pb_pte_write(nt_pte_at(mm, nt_va(self->mm, i))))
				TH_LOG("batch %d page %u", batched, i);
			EXPECT_EQ(pb_pte_valid_cont(nt_raw_at(mms[0], nt_va(self->mm, i))),
				  pb_pte_valid_cont(nt_raw(mm, i)))
				TH_LOG("batch %d page %u", batched, i);
		}
		/*
		 * Back to RW: every PTE of the range upgraded, and the three
		 * pieces of one mmap, alike again, merge (vma_merge()).
		 */
		protect(_metadata, mm, start, end, PB_VM_READ | PB_VM_WRITE);
		EXPECT_EQ(1, mm->nr_vmas);
		vma = pb_vma_find(mm, NT_VA);
		EXPECT_EQ(NT_VA, vma->start);
		EXPECT_EQ(nt_va(self->mm, 8 * cont), vma->end);
		avoided = nt_delta(mm, before, PB_MMC_write_faults_avoided);
		denied = nt_delta(mm, before, PB_MMC_write_upgrades_denied);
		EXPECT_EQ(3 * cont + 2, avoided);
		EXPECT_EQ(0, denied);
		EXPECT_EQ(pages, nt_nr_writable_at(mm, NT_VA, pages));
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	}
}

/*
 * Only pieces of one mmap merge: two mmaps side by side with the same flags
 * stay two VMAs, and a fork then batches across the merged edge (one batch
 * per folio) but not across the mmaps' edge.
 */
TEST_F(paths, mprotect_merges_the_pieces_of_one_mmap_only)
{
	struct pb_mm *mm = self->mm, *child;
	u64 mid = nt_va(self->mm, self->cont);

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	nt_add_vma(_metadata, mm, NT_VA + 2 * self->block, 2 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift + 1, false);
	protect(_metadata, mm, NT_VA, mid, PB_VM_READ);
	EXPECT_EQ(3, mm->nr_vmas);
	protect(_metadata, mm, NT_VA, mid, PB_VM_READ | PB_VM_WRITE);
	EXPECT_EQ(2, mm->nr_vmas);
	EXPECT_EQ(NT_VA + 2 * self->block, pb_vma_find(mm, NT_VA)->end);
	/* One VMA again: the fork copies the two-block folio in one batch. */
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(1, child->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(2, child->nr_vmas);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * mprotect() checks everything first: a range with a hole, or one that would
 * need more VMAs than the table holds, fails and changes nothing.
 */
TEST_F(paths, mprotect_fails_with_a_hole_or_a_full_vma_table)
{
	unsigned int cont = self->cont, changed = 0, i;
	u64 counters[PB_NR_MM_COUNTERS], end = nt_va(self->mm, 4 * cont);
	struct pb_vma vmas[PB_MAX_VMAS];
	struct pb_mm *mm = self->mm;
	pb_pte_t ptes[2 * 128];
	const char *why = NULL;

	nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
	for (i = 1; i < PB_MAX_VMAS - 1; i++)
		nt_add_vma(_metadata, mm, nt_va(self->mm, (16 + 2 * i) * cont), self->psize,
			   RW_ANON);
	ASSERT_EQ(PB_MAX_VMAS - 1, mm->nr_vmas);
	for (i = 0; i < 2 * cont; i++)
		ptes[i] = nt_raw(mm, i);
	memcpy(vmas, mm->vmas, sizeof(vmas));
	NT_SNAP(mm, counters);

	EXPECT_EQ(-EINVAL, pb_mprotect(mm, NT_VA, end + self->psize, PB_VM_READ, &why));
	EXPECT_STREQ("range has a hole with no VMA", why);
	EXPECT_EQ(-EINVAL, pb_mprotect(mm, nt_va(self->mm, 8 * cont), nt_va(self->mm, 9 * cont),
				       PB_VM_READ, &why));
	/* Two splits would make 65 VMAs. */
	why = NULL;
	EXPECT_EQ(-ENOSPC, pb_mprotect(mm, nt_va(self->mm, 1), nt_va(self->mm, 2), PB_VM_READ,
				       &why));
	EXPECT_STREQ("too many VMAs (PB_MAX_VMAS)", why);
	EXPECT_EQ(0, memcmp(vmas, mm->vmas, sizeof(vmas)));
	EXPECT_EQ(PB_MAX_VMAS - 1, mm->nr_vmas);
	EXPECT_EQ(0, memcmp(counters, mm->counters, sizeof(counters)));
	for (i = 0; i < 2 * cont; i++)
		changed += ptes[i] != nt_raw(mm, i);
	EXPECT_EQ(0, changed);
	/* One split fills the table; then any split is refused. */
	protect(_metadata, mm, NT_VA, nt_va(self->mm, 1), PB_VM_READ);
	EXPECT_EQ(PB_MAX_VMAS, mm->nr_vmas);
	NT_SNAP(mm, counters);
	EXPECT_EQ(-ENOSPC, pb_mprotect(mm, nt_va(self->mm, 1), nt_va(self->mm, 2), PB_VM_READ,
				       &why));
	EXPECT_EQ(-ENOSPC, pb_mprotect(mm, nt_va(self->mm, 2), nt_va(self->mm, 3), PB_VM_READ,
				       &why));
	EXPECT_EQ(0, memcmp(counters, mm->counters, sizeof(counters)));
	EXPECT_EQ(PB_MAX_VMAS, mm->nr_vmas);
	/* Whole VMAs need no split; alike again, the two pieces merge. */
	protect(_metadata, mm, NT_VA, end, PB_VM_READ);
	EXPECT_EQ(PB_MAX_VMAS - 1, mm->nr_vmas);
	EXPECT_EQ(0, nt_nr_writable_at(mm, NT_VA, 2 * cont));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * The same range over one large folio: the batch starts inside block 0, so
 * get_and_clear_full_ptes() unfolds it and the batch's first entry is no
 * longer contiguous; committing the whole batch raw then takes CONT off the
 * whole blocks 1 and 2 too, without break-before-make.
 */
TEST_F(paths, mprotect_keeps_whole_blocks_of_a_large_folio_folded)
{
	unsigned int cont = self->cont;
	struct pb_mm *mm = self->mm;

	nt_add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 4 * self->block, variant->cont_shift + 2, false);
	protect(_metadata, mm, nt_va(self->mm, 3), nt_va(self->mm, 3 * cont + 5), PB_VM_READ);
	EXPECT_EQ(2, mm->counters[PB_MMC_unfolds]);
	EXPECT_EQ(2 * cont, nt_nr_cont(mm, cont, 2 * cont));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations_bbm]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * A folded block of one large anon folio, read-only, whose pages differ in
 * anon-exclusivity: the state that large-folio COW reuse (6.15+) leaves, a
 * page reused and made exclusive in a folio whose other pages are not.
 * Only page @excl stays exclusive.
 */
static void fold_mixed_exclusive(struct __test_metadata *_metadata,
				 struct _test_data_paths *self, unsigned int excl)
{
	struct pb_mm *mm = self->mm;
	unsigned int i;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, self->block, self->g->cont_shift, false);
	protect(_metadata, mm, NT_VA, nt_va(mm, self->cont), PB_VM_READ);
	ASSERT_EQ(self->cont, nt_nr_cont(mm, 0, self->cont));
	ASSERT_EQ(0, nt_nr_writable_at(mm, NT_VA, self->cont));
	for (i = 0; i < self->cont; i++)
		if (i != excl)
			nt_page_at(mm, nt_va(mm, i))->flags &= ~PB_PG_ANON_EXCLUSIVE;
	ASSERT_EQ(0, pb_check_mm(mm));
	ASSERT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * mprotect(rw) of that block is one batch whose write upgrade splits in three
 * sub-batches (pages 0-2, page 3, the rest).  The block is unfolded before the
 * batch is cleared, so no entry loses CONT while a TLB may hold the block:
 * one unfold, only page 3 upgraded, no violation.
 */
TEST_F(paths, mprotect_rw_unfolds_a_block_that_sub_batches_split)
{
	unsigned int cont = self->cont, i;
	struct pb_mm *mm = self->mm;
	u64 before[PB_NR_MM_COUNTERS];

	fold_mixed_exclusive(_metadata, self, 3);
	NT_SNAP(mm, before);
	protect(_metadata, mm, NT_VA, nt_va(mm, cont), PB_VM_READ | PB_VM_WRITE);
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_mprotect_batches));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_unfolds));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_folds));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_write_faults_avoided));
	EXPECT_EQ(cont - 1, nt_delta(mm, before, PB_MMC_write_upgrades_denied));
	EXPECT_EQ(0, nt_nr_cont(mm, 0, cont));
	for (i = 0; i < cont; i++)
		EXPECT_EQ(i == 3, pb_pte_write(nt_raw(mm, i))) TH_LOG("page %u", i);
	EXPECT_EQ(0, mm->counters[PB_MMC_violations_bbm]);
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	EXPECT_EQ(0, pb_check_mm(mm));
	/* Page 3 is written in place; the others are COW-reused or copied. */
	EXPECT_EQ(cont - 1, write_all(_metadata, mm, NT_VA, cont));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * The sequence of the batched mprotect of 6.17 (cac1db8c3aad, "mm: optimize
 * mprotect() by PTE batching"), done by hand: modify_prot_start_ptes() is
 * get_and_clear_ptes() of the whole block, which unfolds nothing, and
 * commit_anon_folio_batch() commits each sub-batch with set_ptes(), the TLB
 * flush coming only at the end.  Every entry of the block then loses CONT
 * without break-before-make, and the checker flags each one.
 */
TEST_F(paths, mprotect_sub_batches_committed_inside_a_block_break_bbm)
{
	unsigned int cont = self->cont, i;
	struct pb_mm *mm = self->mm;
	pb_pte_t pte, *ptep;

	fold_mixed_exclusive(_metadata, self, 3);
	ptep = nt_ptep(mm, 0);
	pte = pb_get_and_clear_full_ptes(mm, NT_VA, ptep, cont);
	EXPECT_EQ(0, mm->counters[PB_MMC_unfolds]);
	EXPECT_EQ(0, mm->counters[PB_MMC_violations_bbm]);
	pte &= ~PB_PTE_CONT;
	pb_set_ptes(mm, NT_VA, ptep, pte, 3);
	pb_set_ptes(mm, nt_va(mm, 3), ptep + 3,
		    pb_pte_mkwrite(pb_pte_advance(self->g, pte, 3, false)), 1);
	pb_set_ptes(mm, nt_va(mm, 4), ptep + 4,
		    pb_pte_advance(self->g, pte, 4, false), cont - 4);
	EXPECT_EQ(cont, mm->counters[PB_MMC_violations_bbm]);
	EXPECT_EQ(cont, mm->counters[PB_MMC_violations]);
	EXPECT_EQ(0, nt_nr_cont(mm, 0, cont));
	for (i = 0; i < cont; i++)
		EXPECT_EQ(i == 3, pb_pte_write(nt_raw(mm, i))) TH_LOG("page %u", i);
	pb_flush_tlb_range(mm, NT_VA, nt_va(mm, cont));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * mprotect(rw) of shmem makes every entry writable, the clean ones too and
 * clean still (pte_modify() with a writable vm_page_prot: shmem wants no
 * write notify), with no upgrade to count; in a shared file VMA only the
 * dirty ones (can_change_pte_writable()), and the clean ones are refused.
 */
TEST_F(paths, mprotect_rw_of_shmem_makes_clean_entries_writable)
{
	unsigned int cont = self->cont, f;
	struct pb_mm *mm = self->mm;
	const char *why = NULL;

	for (f = 0; f < 2; f++) {
		u64 va = nt_va(mm, 2 * f * cont), end = va + self->block;
		bool shmem = !f;
		u64 before[PB_NR_MM_COUNTERS];

		nt_add_vma(_metadata, mm, va, self->block, shmem ? RW_SHMEM : RW_SHARED);
		nt_populate(_metadata, mm, va, self->block, 0, false);
		/* The first half clean, as after writeback. */
		nt_make_old_clean(mm, 2 * f * cont, cont / 2);
		ASSERT_EQ(0, pb_mprotect(mm, va, end, PB_VM_READ, &why)) TH_LOG("%s", why);
		EXPECT_EQ(0, nt_nr_writable_at(mm, va, cont));
		NT_SNAP(mm, before);
		ASSERT_EQ(0, pb_mprotect(mm, va, end, PB_VM_READ | PB_VM_WRITE, &why))
			TH_LOG("%s", why);
		EXPECT_EQ(shmem ? cont : cont - cont / 2, nt_nr_writable_at(mm, va, cont));
		EXPECT_FALSE(pb_pte_dirty(nt_raw_at(mm, va)));
		EXPECT_TRUE(pb_pte_dirty(nt_raw_at(mm, end - self->psize)));
		EXPECT_EQ(shmem ? 0 : cont - cont / 2,
			  nt_delta(mm, before, PB_MMC_write_faults_avoided));
		EXPECT_EQ(shmem ? 0 : cont / 2,
			  nt_delta(mm, before, PB_MMC_write_upgrades_denied));
		EXPECT_EQ(0, pb_check_mm(mm));
	}
}

TEST_HARNESS_MAIN
