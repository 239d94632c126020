// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of the paths over the page cache (model/filemap.c): file and
 * shmem faults, fault-around, do_cow_fault(), populate of cached pages, and
 * the page cache across fork and exit.
 */
#include "nt_paths.h"

/* Pages of the fault-around window: fault_around_bytes is 64K. */
static unsigned int around(struct _test_data_paths *self)
{
	return self->psize >= 65536 ? 1 : 65536 / self->psize;
}

/*
 * The reproducer: a MAP_SHARED file page faulted after fork is the
 * page cache's one page, in both mms: what the child writes the parent
 * reads.  Fork copied nothing (vma_needs_copy()).
 */
TEST_F(paths, a_shared_file_page_faulted_after_fork_is_shared)
{
	struct pb_mm *mm = other_mm(self, true), *child;

	ASSERT_NE(NULL, mm);
	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_SHARED);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(0, child->counters[PB_MMC_ptes_copied]);
	ASSERT_EQ(0, poke(child, NT_VA, 0x1234));
	EXPECT_EQ(0x1234, peek(mm, NT_VA));
	EXPECT_EQ(nt_pfn_at(child, NT_VA), nt_pfn_at(mm, NT_VA));
	EXPECT_EQ(2, nt_page_at(mm, NT_VA)->mapcount);
	EXPECT_EQ(1, mm->phys->cache_folios);
	/* The child's write fault dirtied the folio (fault_dirty_shared_page()). */
	EXPECT_TRUE(nt_folio_at(mm, NT_VA, NULL)->flags & PB_PG_DIRTY);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations] + child->counters[PB_MMC_violations]);
}

/*
 * do_read_fault(): the first read of a file page reads a folio into the page
 * cache and maps that one page (finish_fault()); the next read maps, by
 * fault-around, every cached and unmapped page of its 64K window, one run
 * per folio, old but for the run holding the faulting page.  A window of
 * one page (64K pages) maps the faulting page alone.
 */
TEST_F(paths, file_read_faults_map_one_page_then_fault_around)
{
	struct pb_mm *mm = self->mm;
	unsigned int win = around(self), i;
	u64 before[PB_NR_MM_COUNTERS], val = 0;
	struct pb_page *head;

	nt_add_vma(_metadata, mm, NT_VA, self->block, PB_VM_READ | PB_VM_WRITE);
	mm->knobs[PB_KNOB_fault_order] = variant->cont_shift;
	NT_SNAP(mm, before);
	ASSERT_EQ(0, touch(mm, nt_va(mm, 1), false, &val));
	head = nt_folio_at(mm, nt_va(mm, 1), NULL);
	ASSERT_NE(NULL, head);
	EXPECT_EQ(variant->cont_shift, head->order);
	EXPECT_FALSE(head->flags & PB_PG_ANON);
	EXPECT_EQ(0, nt_raw(mm, 0));
	EXPECT_EQ(0, nt_raw(mm, 2));
	EXPECT_EQ(1, pb_folio_large_mapcount(head));
	/* One mapping and the page cache's reference on each page. */
	EXPECT_EQ(1 + self->cont, head->refcount);
	EXPECT_EQ(1, mm->phys->cache_folios);
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_page_cache_maps));

	ASSERT_EQ(0, touch(mm, nt_va(mm, 2), false, &val));
	EXPECT_EQ(2, nt_delta(mm, before, PB_MMC_read_faults));
	EXPECT_EQ(win > 1 ? 3 : 2, nt_delta(mm, before, PB_MMC_page_cache_maps));
	for (i = 0; i < self->cont; i++) {
		bool mapped = win > 1 ? i < win : i == 1 || i == 2;
		pb_pte_t pte = nt_raw(mm, i);

		EXPECT_EQ(mapped, pb_pte_present(pte)) TH_LOG("page %u", i);
		if (!mapped)
			continue;
		EXPECT_FALSE(pb_pte_write(pte)) TH_LOG("page %u", i);
		EXPECT_EQ(nt_pfn(mm, 1) - 1 + i, pb_pte_pfn(&mm->geom, pte)) TH_LOG("page %u", i);
		/* Page 0 was prefaulted alone: old; 2 faulted, 1 had. */
		EXPECT_EQ(i != 0, pb_pte_young(pte)) TH_LOG("page %u", i);
	}
	EXPECT_EQ(win > 1 ? win : 2, pb_folio_large_mapcount(head));
	EXPECT_EQ(pb_folio_large_mapcount(head) + self->cont, head->refcount);
	EXPECT_EQ(1, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * Shmem's finish_fault() maps the whole folio where it fits in the VMA and
 * the page table and no entry of it is mapped: one set_ptes(), folded.
 * Registered for uffd, it maps one page, and no fault-around either.
 */
TEST_F(paths, a_shmem_fault_maps_the_whole_folio_unless_uffd)
{
	struct pb_mm *mm = self->mm;
	u64 uffd = NT_VA + 2 * self->block, val = 0;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_SHMEM);
	nt_add_vma(_metadata, mm, uffd, self->block, RW_SHMEM | PB_VM_UFFD_WP);
	mm->knobs[PB_KNOB_fault_order] = variant->cont_shift;
	ASSERT_EQ(0, touch(mm, nt_va(mm, 3), false, &val));
	EXPECT_EQ(self->cont, nt_nr_cont(mm, 0, self->cont));
	EXPECT_EQ(1, mm->counters[PB_MMC_page_cache_maps]);
	EXPECT_FALSE(pb_pte_present(nt_raw(mm, self->cont)));
	ASSERT_EQ(0, touch(mm, nt_va(mm, self->cont + 3), true, &val));
	EXPECT_EQ(self->cont, nt_nr_cont(mm, self->cont, self->cont));
	EXPECT_TRUE(nt_folio_at(mm, nt_va(mm, self->cont), NULL)->flags & PB_PG_DIRTY);
	ASSERT_EQ(0, touch(mm, uffd + 3 * self->psize, false, &val));
	EXPECT_EQ(1, pb_folio_large_mapcount(nt_folio_at(mm, uffd + 3 * self->psize, NULL)));
	EXPECT_EQ(0, nt_raw_at(mm, uffd + 4 * self->psize));
	EXPECT_EQ(0, nt_raw_at(mm, uffd));
	EXPECT_EQ(3, mm->counters[PB_MMC_page_cache_maps]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * The page cache holds one reference per page of a folio, as
 * __filemap_add_folio() and shmem_add_to_page_cache() take with
 * folio_ref_add(folio, nr) and filemap_free_folio() drops with
 * folio_put_refs(): a large shmem folio mapped whole has twice its pages.
 * The conformance selftest found the model holding one.
 */
TEST_F(paths, the_page_cache_holds_a_reference_per_page)
{
	struct pb_mm *mm = self->mm;
	struct pb_page *head;
	u64 val = 0;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_SHMEM);
	mm->knobs[PB_KNOB_fault_order] = variant->cont_shift;
	ASSERT_EQ(0, touch(mm, nt_va(mm, 0), true, &val));
	head = nt_folio_at(mm, NT_VA, NULL);
	ASSERT_NE(NULL, head);
	EXPECT_EQ(variant->cont_shift, head->order);
	EXPECT_EQ(self->cont, pb_folio_large_mapcount(head));
	EXPECT_EQ(2 * self->cont, head->refcount);
	EXPECT_EQ(self->cont, head->extra_refs);
	EXPECT_EQ(0, pb_check_mm(mm));
	/* Unmapped, the cache's references keep it; gone with its file. */
	pb_zap_range(mm, NT_VA, NT_VA + self->block);
	EXPECT_EQ(self->cont, head->refcount);
	EXPECT_EQ(1, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * A private file mapping maps the page cache read-only; a write copies the
 * file's page into an order-0 anon folio: do_cow_fault() for an empty entry,
 * wp_page_copy() for a mapped one.  Each copy holds the file's data; the
 * page cache's folio is left as it was, clean, and the VMA has an anon_vma.
 */
TEST_F(paths, a_private_file_write_copies_the_page_cache_page)
{
	struct pb_mm *mm = other_mm(self, true);
	u64 before[PB_NR_MM_COUNTERS], head_pfn, i;
	struct pb_page *head;

	ASSERT_NE(NULL, mm);
	nt_add_vma(_metadata, mm, NT_VA, self->block, PB_VM_READ | PB_VM_WRITE);
	mm->knobs[PB_KNOB_fault_order] = variant->cont_shift;
	EXPECT_EQ(0, peek(mm, NT_VA));
	head = nt_folio_at(mm, NT_VA, &head_pfn);
	ASSERT_NE(NULL, head);
	/* What the file holds on disk, read in. */
	for (i = 0; i < 2; i++)
		*(u64 *)pb_page_data(mm->phys, head_pfn + i) = 0xf11e0 + i;
	EXPECT_EQ(0xf11e0, peek(mm, NT_VA));
	ASSERT_FALSE(mm->vmas[0].flags & PB_VM_ANON_VMA);
	pb_zap_range(mm, NT_VA + self->psize, NT_VA + 2 * self->psize);
	NT_SNAP(mm, before);
	/* Mapped read-only: wp_page_copy(). */
	ASSERT_EQ(0, poke(mm, NT_VA + 8, 0xbeef));
	/* Empty: do_cow_fault(). */
	ASSERT_EQ(0, poke(mm, NT_VA + self->psize + 8, 0xcafe));
	EXPECT_EQ(2, nt_delta(mm, before, PB_MMC_cow_copies));
	EXPECT_EQ(2, nt_delta(mm, before, PB_MMC_write_faults));
	for (i = 0; i < 2; i++) {
		u64 va = NT_VA + i * self->psize;
		struct pb_page *copy = nt_folio_at(mm, va, NULL);

		EXPECT_NE(head_pfn + i, nt_pfn_at(mm, va)) TH_LOG("page %llu", i);
		EXPECT_TRUE(copy->flags & PB_PG_ANON) TH_LOG("page %llu", i);
		EXPECT_EQ(0, copy->order) TH_LOG("page %llu", i);
		EXPECT_TRUE(nt_page_at(mm, va)->flags & PB_PG_ANON_EXCLUSIVE);
		EXPECT_TRUE(pb_pte_write(nt_pte_at(mm, va))) TH_LOG("page %llu", i);
		EXPECT_EQ(0xf11e0 + i, peek(mm, va)) TH_LOG("page %llu", i);
		EXPECT_EQ(0xf11e0 + i, *(u64 *)pb_page_data(mm->phys, head_pfn + i));
	}
	EXPECT_FALSE(head->flags & PB_PG_DIRTY);
	EXPECT_EQ(0, pb_folio_large_mapcount(head));
	EXPECT_EQ(1U << head->order, head->refcount);
	EXPECT_TRUE(mm->vmas[0].flags & PB_VM_ANON_VMA);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * populate of a file range maps the pages the page cache holds (one run per
 * folio) and gives the others new folios: after a munmap the same folios
 * come back, whatever order is asked.
 */
TEST_F(paths, populate_maps_what_the_page_cache_holds)
{
	struct pb_mm *mm = self->mm;
	u64 before[PB_NR_MM_COUNTERS], pfn;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_SHARED);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	pfn = nt_pfn_at(mm, NT_VA);
	pb_zap_range(mm, NT_VA, NT_VA + self->block);
	EXPECT_EQ(1, mm->phys->live_folios);
	NT_SNAP(mm, before);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, 0, false);
	EXPECT_EQ(pfn, nt_pfn_at(mm, NT_VA));
	EXPECT_EQ(self->cont, nt_nr_cont(mm, 0, self->cont));
	EXPECT_EQ(self->cont, nt_delta(mm, before, PB_MMC_folios_mapped));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_page_cache_maps));
	EXPECT_EQ(1 + self->cont, mm->phys->live_folios);
	EXPECT_EQ(1 + self->cont, mm->phys->cache_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * The page cache outlives the mappings and the mm that made them, while any
 * mm of the family has a VMA of the file; when the last one goes the file's
 * folios go (truncate_inode_pages_final()).
 */
TEST_F(paths, the_page_cache_goes_with_the_last_vma_of_its_file)
{
	struct pb_mm *mm = self->mm, *child;
	u64 mine = NT_VA + self->block;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_SHARED);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	/* A file only the child maps. */
	nt_add_vma(_metadata, child, mine, self->block, RW_SHMEM);
	nt_populate(_metadata, child, mine, self->block, variant->cont_shift, false);
	EXPECT_EQ(2, mm->phys->cache_folios);
	pb_zap_range(mm, NT_VA, NT_VA + self->block);
	exit_child(self);
	EXPECT_EQ(1, mm->phys->cache_folios);
	EXPECT_EQ(1, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * A page of a shared file mapping is pinned as it is (gup_must_unshare() is
 * false there): the pin holds the folio, a fork child faults the same page
 * in, and unpin gives it back.  The zero page, no folio, cannot be pinned.
 */
TEST_F(paths, a_shared_file_page_is_pinned_as_it_is)
{
	struct pb_mm *mm = self->mm, *child;
	u64 anon = NT_VA + self->block, val = 0;
	const char *why = NULL;
	struct pb_page *head;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_SHARED);
	nt_add_vma(_metadata, mm, anon, self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, self->psize, 0, false);
	ASSERT_EQ(0, pb_pin(mm, NT_VA, NT_VA + self->psize, true, &why)) TH_LOG("%s", why);
	head = nt_folio_at(mm, NT_VA, NULL);
	/* One mapping, the page cache, and an order-0 pin's bias. */
	EXPECT_EQ(1 + 1 + PB_GUP_PIN_COUNTING_BIAS, head->refcount);
	EXPECT_EQ(1, head->pincount);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(0, child->counters[PB_MMC_pinned_fallbacks]);
	ASSERT_EQ(0, touch(child, NT_VA, false, &val));
	EXPECT_EQ(nt_pfn_at(mm, NT_VA), nt_pfn_at(child, NT_VA));
	EXPECT_EQ(0, pb_check_mm(mm));
	ASSERT_EQ(0, pb_pin(mm, NT_VA, NT_VA + self->psize, false, &why)) TH_LOG("%s", why);
	EXPECT_EQ(2 + 1, head->refcount);

	ASSERT_EQ(0, touch(mm, anon, false, &val));
	EXPECT_EQ(-EINVAL, pb_pin(mm, anon, anon + self->psize, true, &why));
	EXPECT_STREQ("only exclusive anon and shared pages can be pinned", why);
	EXPECT_EQ(0, mm->phys->pins);
	EXPECT_EQ(0, pb_check_mm(mm));
}

TEST_HARNESS_MAIN
