// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of paths/huge.c: PMD-mapped THP on every granule (the PMD
 * order is 9, 11 or 13: 512, 2048 or 8192 pages, which the fixture's arena
 * of 65536 pages holds): the fault that maps one PMD, fork's copy, the COW
 * that splits it into CONT PTEs, reuse, zap, mprotect and madvise whole or
 * in part, the deferred-split queue, and the checker on a broken PMD.
 */
#include "nt_paths.h"
#include "paths/huge.h"

/* The PMD-aligned test range: one PMD's worth of pages from NT_VA. */
static u64 pmd_bytes(const struct pb_mm *mm)
{
	return pb_pmd_size(&mm->geom);
}

static unsigned int pmd_pages(const struct pb_mm *mm)
{
	return 1U << pb_pmd_order(&mm->geom);
}

/* A private anon VMA of two PMDs with PMD THPs on ("always"). */
static void thp_vma(struct __test_metadata *_metadata, struct pb_mm *mm)
{
	mm->knobs[PB_KNOB_thp_pmd] = 1;
	nt_add_vma(_metadata, mm, NT_VA, 2 * pmd_bytes(mm), RW_ANON);
}

/* One PMD THP at NT_VA, by populate. */
static void thp_populate(struct __test_metadata *_metadata, struct pb_mm *mm)
{
	thp_vma(_metadata, mm);
	nt_populate(_metadata, mm, NT_VA, pmd_bytes(mm), pb_pmd_order(&mm->geom), false);
	ASSERT_NE(NULL, pb_huge_pmd(mm, NT_VA));
}

static struct pb_page *pmd_folio(struct pb_mm *mm, u64 va, u64 *head_pfn)
{
	pb_pte_t *pmdp = pb_huge_pmd(mm, va);

	return pmdp ? pb_page_folio(mm->phys, pb_pte_pfn(&mm->geom, *pmdp), head_pfn) : NULL;
}

TEST_F(paths, a_write_fault_maps_one_pmd_and_queues_the_thp)
{
	struct pb_mm *mm = self->mm;
	u64 pt = mm->counters[PB_MMC_pt_pages], head_pfn, val = 7;
	struct pb_page *head;
	pb_pte_t pmd;

	thp_vma(_metadata, mm);
	ASSERT_EQ(0, touch(mm, NT_VA + 3 * self->psize, true, &val));
	ASSERT_NE(NULL, pb_huge_pmd(mm, NT_VA));
	EXPECT_EQ(NULL, pb_pte_offset(mm, NT_VA, false));
	pmd = *pb_huge_pmd(mm, NT_VA);
	EXPECT_TRUE(pb_pte_valid(pmd));
	EXPECT_FALSE(pmd & PB_PTE_TABLE);
	EXPECT_FALSE(pb_pte_cont(pmd));
	EXPECT_TRUE(pb_pte_write(pmd));
	EXPECT_TRUE(pb_pte_dirty(pmd));
	head = pmd_folio(mm, NT_VA, &head_pfn);
	ASSERT_NE(NULL, head);
	EXPECT_EQ(pb_pmd_order(self->g), head->order);
	EXPECT_EQ(1, head->refcount);
	EXPECT_EQ(1, pb_folio_large_mapcount(head));
	EXPECT_EQ(1, pb_entire_mapcount(head));
	EXPECT_EQ(0, head[3].mapcount);
	EXPECT_TRUE(head->flags & PB_PG_ANON_EXCLUSIVE);
	/* Queued at its fault, not partially mapped, and not counted so. */
	EXPECT_TRUE(head->flags & PB_PG_DEFERRED);
	EXPECT_FALSE(head->flags & PB_PG_PARTIAL);
	EXPECT_EQ(1, mm->phys->deferred_len);
	EXPECT_EQ(0, mm->counters[PB_MMC_deferred_split_adds]);
	EXPECT_EQ(1, mm->counters[PB_MMC_pmd_maps]);
	EXPECT_EQ(1, mm->counters[PB_MMC_write_faults]);
	/* The deposited table, and the upper tables the walk needed. */
	EXPECT_LE(pt + 1, mm->counters[PB_MMC_pt_pages]);
	/* One PMD TLB entry translates every page of it. */
	val = 0;
	ASSERT_EQ(0, touch(mm, NT_VA + 3 * self->psize, false, &val));
	EXPECT_EQ(0, touch(mm, NT_VA + pmd_bytes(mm) - self->psize, false, &val));
	EXPECT_EQ(1, mm->counters[PB_MMC_faults]);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/* Without use_zero_page, a read maps a THP too, writable and dirty. */
TEST_F(paths, a_read_fault_without_use_zero_page_maps_a_thp)
{
	struct pb_mm *mm = self->mm;
	u64 val;

	thp_vma(_metadata, mm);
	mm->knobs[PB_KNOB_use_zero_page] = 0;
	ASSERT_EQ(0, touch(mm, NT_VA + pmd_bytes(mm), false, &val));
	ASSERT_NE(NULL, pb_huge_pmd(mm, NT_VA + pmd_bytes(mm)));
	EXPECT_NE(NULL, pmd_folio(mm, NT_VA + pmd_bytes(mm), NULL));
	EXPECT_TRUE(pb_pte_write(*pb_huge_pmd(mm, NT_VA + pmd_bytes(mm))));
	EXPECT_EQ(NULL, pb_huge_pmd(mm, NT_VA));
	EXPECT_EQ(1, mm->counters[PB_MMC_read_faults]);
	EXPECT_EQ(0, mm->counters[PB_MMC_zero_page_faults]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * With use_zero_page (the default), a read maps the huge zero folio:
 * special, read-only, no folio, reads zero.  Fork shares it, munmap of part
 * splits it into zero-page PTEs, of all zaps it.
 */
TEST_F(paths, a_read_fault_maps_the_huge_zero_page)
{
	struct pb_mm *mm = other_mm(self, true), *child;
	u64 val = 1, pt;
	pb_pte_t pmd;

	ASSERT_NE(NULL, mm);
	thp_vma(_metadata, mm);
	ASSERT_EQ(0, touch(mm, NT_VA + 5 * self->psize, false, &val));
	EXPECT_EQ(0, val);
	ASSERT_NE(NULL, pb_huge_pmd(mm, NT_VA));
	pmd = *pb_huge_pmd(mm, NT_VA);
	EXPECT_TRUE(pmd & PB_PTE_SPECIAL);
	EXPECT_FALSE(pb_pte_write(pmd));
	EXPECT_TRUE(pb_is_huge_zero_pmd(mm, pmd));
	EXPECT_EQ(NULL, pmd_folio(mm, NT_VA, NULL));
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(1, mm->counters[PB_MMC_zero_page_faults]);
	EXPECT_EQ(1, mm->counters[PB_MMC_read_faults]);
	EXPECT_EQ(0, mm->counters[PB_MMC_pmd_maps]);
	EXPECT_EQ(0, pb_check_mm(mm));

	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	ASSERT_NE(NULL, pb_huge_pmd(child, NT_VA));
	EXPECT_TRUE(pb_is_huge_zero_pmd(child, *pb_huge_pmd(child, NT_VA)));
	EXPECT_EQ(1, child->counters[PB_MMC_pmd_copies]);
	EXPECT_EQ(0, pb_check_mm(child));
	pt = child->counters[PB_MMC_pt_pages];
	pb_zap_range(child, NT_VA, NT_VA + pmd_bytes(mm));
	EXPECT_EQ(1, child->counters[PB_MMC_pmd_zaps]);
	EXPECT_EQ(pt - 1, child->counters[PB_MMC_pt_pages]);

	pb_zap_range(mm, NT_VA, NT_VA + self->psize);
	EXPECT_EQ(1, mm->counters[PB_MMC_pmd_splits]);
	EXPECT_EQ(0, nt_raw(mm, 0));
	EXPECT_EQ(mm->phys->zero_pfn, nt_pfn(mm, 1));
	EXPECT_TRUE(nt_raw(mm, 1) & PB_PTE_SPECIAL);
	EXPECT_EQ(0, nt_nr_cont(mm, 1, pmd_pages(mm) - 1));
	EXPECT_EQ(0, peek(mm, nt_va(mm, 7)));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * An arena that reaches the top of the PA space (64K, 48-bit PA, from PFN 0)
 * leaves no room above it for the huge zero folio, nor below: a read falls
 * back to the PTE fault and maps the small zero page.
 */
TEST_F(paths, no_huge_zero_page_past_the_pa_space)
{
	struct pb_mm *mm;
	u64 val = 1;

	if (variant->page_kb != 64)
		SKIP(return, "the 64K granule's PA space is the one an arena can fill");
	mm = nt_mm_create(64, 48, 48, 0, (1ULL << 32) - 2, true);
	ASSERT_FALSE(IS_ERR(mm));
	thp_vma(_metadata, mm);
	EXPECT_EQ(0, touch(mm, NT_VA, false, &val));
	EXPECT_EQ(NULL, pb_huge_pmd(mm, NT_VA));
	EXPECT_TRUE(nt_raw_at(mm, NT_VA) & PB_PTE_SPECIAL);
	EXPECT_EQ(mm->phys->zero_pfn, nt_pfn_at(mm, NT_VA));
	EXPECT_EQ(1, mm->counters[PB_MMC_zero_page_faults]);
	/* A write still maps a THP. */
	EXPECT_EQ(0, touch(mm, NT_VA + pmd_bytes(mm), true, &val));
	EXPECT_NE(NULL, pb_huge_pmd(mm, NT_VA + pmd_bytes(mm)));
	EXPECT_EQ(0, pb_check_mm(mm));
	pb_mm_destroy(mm);
}

/*
 * The profiles differ in a write to the huge zero folio: mainline maps a new
 * THP in its place (do_huge_zero_wp_pmd()); 6.12 splits it into zero-page
 * PTEs and the PTE fault copies the one page.
 */
TEST_F(paths, a_write_to_the_huge_zero_page_follows_the_profile)
{
	enum pb_profile prof;

	for (prof = 0; prof < PB_NR_PROFILES; prof++) {
		struct pb_mm *mm = other_mm(self, false);
		bool mainline = prof == PB_PROFILE_MAINLINE;
		u64 val = 9;

		ASSERT_NE(NULL, mm);
		pb_mm_set_profile(mm, prof);
		thp_vma(_metadata, mm);
		ASSERT_EQ(0, touch(mm, NT_VA, false, &val));
		ASSERT_EQ(0, touch(mm, NT_VA + 3 * self->psize, true, &val));
		EXPECT_EQ(mainline, !!pb_huge_pmd(mm, NT_VA)) TH_LOG("profile %d", prof);
		EXPECT_EQ(mainline, mm->counters[PB_MMC_pmd_maps]);
		EXPECT_EQ(!mainline, mm->counters[PB_MMC_pmd_splits]);
		EXPECT_EQ(!mainline, mm->counters[PB_MMC_cow_copies]);
		if (mainline) {
			EXPECT_TRUE(pb_pte_write(*pb_huge_pmd(mm, NT_VA)));
			EXPECT_EQ(1, pmd_folio(mm, NT_VA, NULL)->refcount);
		} else {
			EXPECT_EQ(0, nt_folio_at(mm, nt_va(mm, 3), NULL)->order);
			EXPECT_TRUE(pb_pte_write(nt_raw(mm, 3)));
			EXPECT_EQ(mm->phys->zero_pfn, nt_pfn(mm, 4));
		}
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
		pb_mm_destroy(mm);
		self->other = NULL;
	}
}

/*
 * Where a PMD is not allowed the model maps PTEs as before: the knob off
 * (a PMD-order populate is one folio PTE-mapped in CONT blocks), a VMA that
 * does not hold the whole PMD, and a PMD with a page table already there.
 */
TEST_F(paths, no_pmd_without_the_knob_the_room_or_a_none_pmd)
{
	struct pb_mm *mm = self->mm;
	unsigned int order = pb_pmd_order(self->g);
	const char *why = NULL;

	nt_add_vma(_metadata, mm, NT_VA, 2 * pmd_bytes(mm), RW_ANON);
	nt_populate(_metadata, mm, NT_VA, pmd_bytes(mm), order, false);
	EXPECT_EQ(NULL, pb_huge_pmd(mm, NT_VA));
	EXPECT_EQ(order, nt_folio_at(mm, NT_VA, NULL)->order);
	EXPECT_EQ(pmd_pages(mm), nt_nr_cont(mm, 0, pmd_pages(mm)));
	/* The same range again, with the knob: its table is there. */
	ASSERT_EQ(0, pb_madvise(mm, NT_VA, NT_VA + pmd_bytes(mm), PB_MADV_DONTNEED, &why));
	mm->knobs[PB_KNOB_thp_pmd] = 1;
	nt_populate(_metadata, mm, NT_VA, pmd_bytes(mm), order, false);
	EXPECT_EQ(NULL, pb_huge_pmd(mm, NT_VA));
	/* A VMA that ends before the PMD does. */
	nt_add_vma(_metadata, mm, NT_VA + 2 * pmd_bytes(mm), pmd_bytes(mm) - self->psize,
		   RW_ANON);
	EXPECT_FALSE(pb_thp_pmd_allowed(mm, pb_vma_find(mm, NT_VA + 2 * pmd_bytes(mm)),
					NT_VA + 2 * pmd_bytes(mm)));
	/* The second PMD of the first VMA is none: allowed. */
	EXPECT_TRUE(pb_thp_pmd_allowed(mm, pb_vma_find(mm, NT_VA), NT_VA + pmd_bytes(mm)));
	mm->knobs[PB_KNOB_thp_orders] &= ~BIT_ULL(order);
	EXPECT_FALSE(pb_thp_pmd_allowed(mm, pb_vma_find(mm, NT_VA), NT_VA + pmd_bytes(mm)));
	EXPECT_EQ(0, mm->counters[PB_MMC_pmd_maps]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/* A populate over a PMD leaf is refused, and changes nothing. */
TEST_F(paths, populate_over_a_pmd_is_refused)
{
	struct pb_mm *mm = self->mm;
	const char *why = NULL;

	thp_populate(_metadata, mm);
	EXPECT_EQ(-EINVAL, pb_populate(mm, NT_VA, NT_VA + self->psize, 0, false, &why));
	EXPECT_STREQ("range is already populated", why);
	EXPECT_NE(NULL, pb_huge_pmd(mm, NT_VA));
	EXPECT_EQ(1, mm->phys->live_folios);
}

/*
 * copy_huge_pmd(): one PMD each, both write-protected, the child's old; one
 * more reference, entire mapcount and total 2; the head no longer exclusive.
 */
TEST_F(paths, fork_copies_the_pmd)
{
	struct pb_mm *mm = self->mm, *child;
	struct pb_page *head;
	u64 head_pfn;

	thp_populate(_metadata, mm);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	ASSERT_NE(NULL, pb_huge_pmd(child, NT_VA));
	EXPECT_FALSE(pb_pte_write(*pb_huge_pmd(mm, NT_VA)));
	EXPECT_FALSE(pb_pte_write(*pb_huge_pmd(child, NT_VA)));
	EXPECT_TRUE(pb_pte_young(*pb_huge_pmd(mm, NT_VA)));
	EXPECT_FALSE(pb_pte_young(*pb_huge_pmd(child, NT_VA)));
	head = pmd_folio(child, NT_VA, &head_pfn);
	EXPECT_EQ(head, pmd_folio(mm, NT_VA, NULL));
	EXPECT_EQ(2, head->refcount);
	EXPECT_EQ(2, pb_folio_large_mapcount(head));
	EXPECT_EQ(2, pb_entire_mapcount(head));
	EXPECT_FALSE(head->flags & PB_PG_ANON_EXCLUSIVE);
	EXPECT_EQ(1, child->counters[PB_MMC_pmd_copies]);
	EXPECT_EQ(0, child->counters[PB_MMC_ptes_copied]);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, pb_check_mm(child));
}

/*
 * A write to the shared PMD: the PMD splits (every block CONT, the folio
 * marked dirty as __split_huge_pmd_locked() does), then the PTE fault
 * copies the one page, which unfolds its block.  The child keeps its PMD.
 */
TEST_F(paths, cow_on_a_shared_pmd_splits_it_into_cont_ptes)
{
	struct pb_mm *mm = self->mm, *child;
	unsigned int k = self->cont + 1, nr, i;
	struct pb_page *head;
	u64 head_pfn, val = 0x42;

	thp_populate(_metadata, mm);
	nr = pmd_pages(mm);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	head = pmd_folio(mm, NT_VA, &head_pfn);
	head->flags &= ~PB_PG_DIRTY;
	ASSERT_EQ(0, touch(mm, nt_va(mm, k), true, &val));
	EXPECT_EQ(1, mm->counters[PB_MMC_pmd_splits]);
	EXPECT_EQ(1, mm->counters[PB_MMC_cow_copies]);
	EXPECT_EQ(NULL, pb_huge_pmd(mm, NT_VA));
	EXPECT_NE(NULL, pb_huge_pmd(child, NT_VA));
	EXPECT_TRUE(head->flags & PB_PG_DIRTY);
	/* Every block but the copied page's is folded. */
	EXPECT_EQ(nr - self->cont, nt_nr_cont(mm, 0, nr));
	EXPECT_EQ(0, nt_nr_cont(mm, self->cont, self->cont));
	for (i = 0; i < nr; i++) {
		if (i == k)
			continue;
		EXPECT_EQ(head_pfn + i, nt_pfn(mm, i)) TH_LOG("page %u", i);
		EXPECT_FALSE(pb_pte_write(nt_raw(mm, i))) TH_LOG("page %u", i);
		EXPECT_TRUE(pb_pte_dirty(nt_raw(mm, i))) TH_LOG("page %u", i);
	}
	EXPECT_EQ(0, nt_folio_at(mm, nt_va(mm, k), NULL)->order);
	EXPECT_TRUE(pb_pte_write(nt_raw(mm, k)));
	/* The child's PMD and the parent's other PTEs. */
	EXPECT_EQ(1 + nr - 1, head->refcount);
	EXPECT_EQ(1 + nr - 1, pb_folio_large_mapcount(head));
	EXPECT_EQ(1, pb_entire_mapcount(head));
	EXPECT_EQ(0, head[k].mapcount);
	EXPECT_EQ(1, head[0].mapcount);
	EXPECT_FALSE(head->flags & PB_PG_PARTIAL);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, pb_check_mm(child));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	/*
	 * The child's PMD goes: the parent's PTEs, one page short, leave the
	 * folio partially mapped (folio_remove_rmap_pmd()'s nr < nr_pmdmapped).
	 */
	pb_zap_range(child, NT_VA, NT_VA + pmd_bytes(mm));
	EXPECT_TRUE(head->flags & PB_PG_PARTIAL);
	EXPECT_EQ(1, child->counters[PB_MMC_deferred_split_adds]);
	EXPECT_EQ(0, mm->counters[PB_MMC_deferred_split_adds]);
	EXPECT_EQ(0, pb_entire_mapcount(head));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * do_huge_pmd_wp_page() reuses the whole folio, in both profiles: after the
 * child exits the parent's read-only PMD holds the only reference (and
 * becomes exclusive again); after clear_refs the exclusive head says so.
 */
TEST_F(paths, a_write_to_an_unshared_pmd_reuses_the_folio)
{
	enum pb_profile prof;

	for (prof = 0; prof < PB_NR_PROFILES; prof++) {
		struct pb_mm *mm = other_mm(self, false);
		struct pb_page *head;
		u64 val = 1;

		ASSERT_NE(NULL, mm);
		pb_mm_set_profile(mm, prof);
		thp_populate(_metadata, mm);
		ASSERT_NE(NULL, fork_child(_metadata, self, mm));
		exit_child(self);
		head = pmd_folio(mm, NT_VA, NULL);
		EXPECT_FALSE(head->flags & PB_PG_ANON_EXCLUSIVE);
		EXPECT_EQ(1, head->refcount);
		ASSERT_EQ(0, touch(mm, NT_VA + 5 * self->psize, true, &val));
		EXPECT_EQ(1, mm->counters[PB_MMC_wp_reuses]) TH_LOG("profile %d", prof);
		EXPECT_EQ(0, mm->counters[PB_MMC_pmd_splits]);
		EXPECT_EQ(0, mm->counters[PB_MMC_cow_copies]);
		ASSERT_NE(NULL, pb_huge_pmd(mm, NT_VA));
		EXPECT_TRUE(pb_pte_write(*pb_huge_pmd(mm, NT_VA)));
		EXPECT_TRUE(head->flags & PB_PG_ANON_EXCLUSIVE);

		/* clear_refs keeps the PMD, write-protected; a write reuses it. */
		pb_clear_soft_dirty(mm);
		ASSERT_NE(NULL, pb_huge_pmd(mm, NT_VA));
		EXPECT_FALSE(pb_pte_write(*pb_huge_pmd(mm, NT_VA)));
		EXPECT_FALSE(*pb_huge_pmd(mm, NT_VA) & PB_PTE_SOFT_DIRTY);
		ASSERT_EQ(0, touch(mm, NT_VA, true, &val));
		EXPECT_EQ(2, mm->counters[PB_MMC_wp_reuses]);
		EXPECT_TRUE(*pb_huge_pmd(mm, NT_VA) & PB_PTE_SOFT_DIRTY);
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
		pb_mm_destroy(mm);
		self->other = NULL;
	}
}

/* munmap of the whole PMD: zap_huge_pmd(), the folio and the deposit gone. */
TEST_F(paths, munmap_of_the_whole_pmd_zaps_it)
{
	struct pb_mm *mm = self->mm;
	u64 pt;

	thp_populate(_metadata, mm);
	pt = mm->counters[PB_MMC_pt_pages];
	pb_zap_range(mm, NT_VA, NT_VA + pmd_bytes(mm));
	EXPECT_EQ(NULL, pb_huge_pmd(mm, NT_VA));
	EXPECT_EQ(0, *pb_pmd_offset(mm, NT_VA));
	EXPECT_EQ(pt - 1, mm->counters[PB_MMC_pt_pages]);
	EXPECT_EQ(1, mm->counters[PB_MMC_pmd_zaps]);
	EXPECT_EQ(0, mm->counters[PB_MMC_zap_batches]);
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(0, mm->phys->deferred_len);
	EXPECT_EQ(0, mm->counters[PB_MMC_deferred_split_adds]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * munmap of part: the PMD splits first, the rest stays mapped by CONT PTEs,
 * and the folio, on the queue since its fault, is now partially mapped.
 */
TEST_F(paths, munmap_of_part_splits_and_marks_partially_mapped)
{
	struct pb_mm *mm = self->mm;
	unsigned int nr, half;
	struct pb_page *head;

	thp_populate(_metadata, mm);
	nr = pmd_pages(mm);
	half = nr / 2;
	head = pmd_folio(mm, NT_VA, NULL);
	pb_zap_range(mm, NT_VA, nt_va(mm, half));
	EXPECT_EQ(1, mm->counters[PB_MMC_pmd_splits]);
	EXPECT_EQ(0, mm->counters[PB_MMC_pmd_zaps]);
	EXPECT_EQ(0, nt_raw(mm, 0));
	EXPECT_EQ(nr - half, nt_nr_cont(mm, half, nr - half));
	EXPECT_EQ(nr - half, head->refcount);
	EXPECT_EQ(nr - half, pb_folio_large_mapcount(head));
	EXPECT_EQ(0, pb_entire_mapcount(head));
	EXPECT_TRUE(head->flags & PB_PG_PARTIAL);
	EXPECT_EQ(1, mm->phys->deferred_len);
	EXPECT_EQ(1, mm->counters[PB_MMC_deferred_split_adds]);
	EXPECT_EQ(0, pb_check_mm(mm));
	/* The rest, later: the folio goes, and leaves the queue. */
	pb_zap_range(mm, nt_va(mm, half), nt_va(mm, nr));
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(0, mm->phys->deferred_len);
	EXPECT_EQ(0, mm->counters[PB_MMC_deferred_split_spurious]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/* mprotect of the whole PMD changes it in place; of part, splits it. */
TEST_F(paths, mprotect_whole_keeps_the_pmd_and_part_splits_it)
{
	struct pb_mm *mm = self->mm;
	unsigned int nr, i;
	u64 end;

	thp_populate(_metadata, mm);
	nr = pmd_pages(mm);
	end = NT_VA + pmd_bytes(mm);
	protect(_metadata, mm, NT_VA, end, PB_VM_READ);
	ASSERT_NE(NULL, pb_huge_pmd(mm, NT_VA));
	EXPECT_FALSE(pb_pte_write(*pb_huge_pmd(mm, NT_VA)));
	EXPECT_TRUE(pb_pte_dirty(*pb_huge_pmd(mm, NT_VA)));
	EXPECT_EQ(1, mm->counters[PB_MMC_pmd_changes]);
	/* Back to rw: an exclusive PMD gets the write upgrade. */
	protect(_metadata, mm, NT_VA, end, PB_VM_READ | PB_VM_WRITE);
	EXPECT_TRUE(pb_pte_write(*pb_huge_pmd(mm, NT_VA)));
	EXPECT_EQ(1, mm->counters[PB_MMC_write_faults_avoided]);
	/* PROT_NONE whole: present but invalid, still a leaf. */
	protect(_metadata, mm, NT_VA, end, 0);
	ASSERT_NE(NULL, pb_huge_pmd(mm, NT_VA));
	EXPECT_TRUE(pb_pte_protnone(*pb_huge_pmd(mm, NT_VA)));
	protect(_metadata, mm, NT_VA, end, PB_VM_READ | PB_VM_WRITE);
	EXPECT_EQ(0, mm->counters[PB_MMC_pmd_splits]);
	/* The second half read-only: split, a VMA of its own. */
	protect(_metadata, mm, nt_va(mm, nr / 2), end, PB_VM_READ);
	EXPECT_EQ(1, mm->counters[PB_MMC_pmd_splits]);
	EXPECT_EQ(NULL, pb_huge_pmd(mm, NT_VA));
	for (i = 0; i < nr; i += self->cont)
		EXPECT_EQ(i < nr / 2, pb_pte_write(nt_raw(mm, i))) TH_LOG("page %u", i);
	EXPECT_EQ(nr, nt_nr_cont(mm, 0, nr));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * madvise: dontneed of the whole PMD zaps it; free of the whole PMD makes it
 * old and clean and the folio lazyfree; free of part splits the PMD and then
 * the folio.
 */
TEST_F(paths, madvise_of_a_pmd_whole_or_in_part)
{
	struct pb_mm *mm = self->mm;
	const char *why = NULL;
	struct pb_page *head;
	u64 second, val = 3;

	thp_populate(_metadata, mm);
	second = NT_VA + pmd_bytes(mm);
	nt_populate(_metadata, mm, second, pmd_bytes(mm), pb_pmd_order(self->g), false);
	ASSERT_EQ(0, touch(mm, second, true, &val));
	head = pmd_folio(mm, second, NULL);
	head->flags |= PB_PG_DIRTY;
	ASSERT_EQ(0, pb_madvise(mm, second, second + pmd_bytes(mm), PB_MADV_FREE, &why));
	ASSERT_NE(NULL, pb_huge_pmd(mm, second));
	EXPECT_FALSE(pb_pte_dirty(*pb_huge_pmd(mm, second)));
	EXPECT_FALSE(pb_pte_young(*pb_huge_pmd(mm, second)));
	EXPECT_FALSE(head->flags & PB_PG_DIRTY);
	EXPECT_EQ(1, mm->counters[PB_MMC_lazyfree_folios]);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);

	ASSERT_EQ(0, pb_madvise(mm, NT_VA, NT_VA + self->psize, PB_MADV_FREE, &why));
	EXPECT_EQ(1, mm->counters[PB_MMC_pmd_splits]);
	EXPECT_EQ(1, mm->counters[PB_MMC_folio_splits]);
	EXPECT_EQ(0, nt_folio_at(mm, NT_VA, NULL)->order);
	EXPECT_EQ(0, pb_check_mm(mm));

	ASSERT_EQ(0, pb_madvise(mm, second, second + pmd_bytes(mm), PB_MADV_DONTNEED, &why));
	EXPECT_EQ(1, mm->counters[PB_MMC_pmd_zaps]);
	EXPECT_EQ(NULL, pb_huge_pmd(mm, second));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/* A pin splits the PMD first (unlike upstream), so fork copies its PTEs. */
TEST_F(paths, a_pin_splits_the_pmd)
{
	struct pb_mm *mm = self->mm, *child;
	const char *why = NULL;

	thp_populate(_metadata, mm);
	ASSERT_EQ(0, pb_pin(mm, NT_VA, NT_VA + self->psize, true, &why));
	EXPECT_EQ(NULL, pb_huge_pmd(mm, NT_VA));
	EXPECT_EQ(1, mm->counters[PB_MMC_pmd_splits]);
	EXPECT_EQ(1, nt_folio_at(mm, NT_VA, NULL)->pincount);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(0, child->counters[PB_MMC_pmd_copies]);
	EXPECT_EQ(0, pb_check_mm(mm));
	ASSERT_EQ(0, pb_pin(mm, NT_VA, NT_VA + self->psize, false, &why));
}

/* A PMD's bad state is the checker's: entire mapcount, CONT, refcount. */
TEST_F(paths, the_checker_catches_a_broken_pmd)
{
	struct pb_mm *mm = self->mm;
	struct pb_page *head;
	pb_pte_t *pmdp;

	thp_populate(_metadata, mm);
	head = pmd_folio(mm, NT_VA, NULL);
	pmdp = pb_huge_pmd(mm, NT_VA);

	pb_entire_mapcount(head)++;
	EXPECT_LT(0, pb_check_mm(mm));
	EXPECT_LT(0, mm->counters[PB_MMC_violations_mapcount]);
	pb_entire_mapcount(head)--;

	head->refcount++;
	EXPECT_LT(0, pb_check_mm(mm));
	EXPECT_LT(0, mm->counters[PB_MMC_violations_refcount]);
	head->refcount--;

	*pmdp |= PB_PTE_CONT;
	EXPECT_LT(0, pb_check_mm(mm));
	EXPECT_LT(0, mm->counters[PB_MMC_violations_misprogrammed]);
	*pmdp &= ~PB_PTE_CONT;
	mm->counters[PB_MMC_violations] = 0;
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * A split must invalidate the PMD before the PTEs go in: without the flush
 * (skip_pmd_split_flush), a TLB may still hold the block, and the first
 * PTE written is a break-before-make violation.
 */
TEST_F(paths, a_split_without_its_flush_breaks_bbm)
{
	struct pb_mm *mm = self->mm;

	thp_populate(_metadata, mm);
	mm->knobs[PB_KNOB_skip_pmd_split_flush] = 1;
	pb_split_huge_pmd(mm, NT_VA);
	EXPECT_LT(0, mm->counters[PB_MMC_violations_bbm]);
	mm->counters[PB_MMC_violations] = 0;
	mm->counters[PB_MMC_violations_bbm] = 0;
	mm->knobs[PB_KNOB_skip_pmd_split_flush] = 0;
	pb_zap_range(mm, NT_VA, NT_VA + pmd_bytes(mm));

	/* With the flush, none. */
	nt_populate(_metadata, mm, NT_VA + pmd_bytes(mm), pmd_bytes(mm),
		    pb_pmd_order(self->g), false);
	pb_split_huge_pmd(mm, NT_VA + pmd_bytes(mm));
	EXPECT_EQ(2, mm->counters[PB_MMC_pmd_splits]);
	EXPECT_EQ(0, mm->counters[PB_MMC_violations_bbm]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/* Exit (mm_destroy) of an mm with PMDs and a child that shares one. */
TEST_F(paths, exit_zaps_pmds_and_frees_their_tables)
{
	struct pb_mm *mm = self->mm, *child;

	thp_populate(_metadata, mm);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	exit_child(self);
	EXPECT_EQ(1, pmd_folio(mm, NT_VA, NULL)->refcount);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * The bench command's paths on PMD THPs: fork and the child's exit copy and
 * zap PMDs, mprotect of whole VMAs changes them in place; nothing splits.
 */
TEST_F(paths, the_bench_paths_keep_pmds_whole)
{
	struct pb_mm *mm = self->mm;
	u64 ns;

	thp_populate(_metadata, mm);
	nt_populate(_metadata, mm, NT_VA + pmd_bytes(mm), pmd_bytes(mm),
		    pb_pmd_order(self->g), false);
	ASSERT_EQ(0, pb_bench_fork(mm, false, &ns, NULL, NULL));
	ASSERT_EQ(0, pb_bench_fork(mm, true, &ns, NULL, NULL));
	ASSERT_EQ(0, pb_bench_mprotect(mm, &ns));
	EXPECT_EQ(4, mm->counters[PB_MMC_pmd_changes]);
	EXPECT_EQ(0, mm->counters[PB_MMC_pmd_splits]);
	EXPECT_NE(NULL, pb_huge_pmd(mm, NT_VA));
	EXPECT_NE(NULL, pb_huge_pmd(mm, NT_VA + pmd_bytes(mm)));
	EXPECT_EQ(1, pmd_folio(mm, NT_VA, NULL)->refcount);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

TEST_HARNESS_MAIN
