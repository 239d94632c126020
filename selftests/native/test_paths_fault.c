// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of paths/fault.c: the order a fault maps, COW after fork,
 * write faults on read-only entries, uffd-wp, and SIGSEGV.
 */
#include "nt_paths.h"

/* --- Faults --------------------------------------------------------------------------- */

/*
 * A fault on an empty entry maps a folio of fault_order, or of the largest
 * smaller order whose aligned range stays inside the VMA.  A whole block is
 * contiguous at once.
 */
TEST_F(paths, fault_order_falls_back_at_the_end_of_the_vma)
{
	unsigned int cont = self->cont, cs = variant->cont_shift;
	struct pb_mm *mm = self->mm;
	u64 head, val = 0;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block + 3 * self->psize, RW_ANON);
	mm->knobs[PB_KNOB_fault_order] = cs + 1;
	ASSERT_EQ(0, touch(mm, nt_va(self->mm, 1), true, &val));
	EXPECT_EQ(cs + 1, nt_folio_at(mm, nt_va(self->mm, 1), &head)->order);
	EXPECT_EQ(head, nt_pfn_at(mm, NT_VA));
	EXPECT_EQ(head + 1, nt_pfn(mm, 1));
	EXPECT_EQ(2 * cont, nt_nr_cont(mm, 0, 2 * cont));
	EXPECT_EQ(2 * cont, nt_nr_writable_at(mm, NT_VA, 2 * cont));
	EXPECT_EQ(0, mm->counters[PB_MMC_folds]);
	/*
	 * Three pages are left at the end: never an order-1 anon folio
	 * (THP_ORDERS_ALL_ANON), so order 0, and the neighbour stays empty.
	 */
	ASSERT_EQ(0, touch(mm, nt_va(self->mm, 2 * cont + 1), true, &val));
	EXPECT_EQ(0, nt_folio_at(mm, nt_va(self->mm, 2 * cont + 1), &head)->order);
	EXPECT_EQ(head, nt_pfn(mm, 2 * cont + 1));
	EXPECT_EQ(0, nt_raw(mm, 2 * cont));
	EXPECT_EQ(2, mm->counters[PB_MMC_write_faults]);
	EXPECT_EQ(2, mm->counters[PB_MMC_folios_mapped]);
	EXPECT_EQ(2, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * do_anonymous_page(): a read of an empty anon entry maps the shared zero
 * page, special and read-only, allocating nothing; it reads zeroes.  A write
 * then copies it into a new order-0 folio (wp_page_copy()), whatever
 * fault_order says, and a read of a populated neighbour changes nothing.
 */
TEST_F(paths, an_anon_read_fault_maps_the_zero_page)
{
	struct pb_mm *mm = self->mm;
	u64 before[PB_NR_MM_COUNTERS], val = 0x1234;
	pb_pte_t pte;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	mm->knobs[PB_KNOB_fault_order] = variant->cont_shift;
	NT_SNAP(mm, before);
	ASSERT_EQ(0, touch(mm, nt_va(self->mm, 1), false, &val));
	EXPECT_EQ(0, val);
	pte = nt_pte_at(mm, nt_va(self->mm, 1));
	EXPECT_TRUE(pte & PB_PTE_SPECIAL);
	EXPECT_EQ(mm->phys->zero_pfn, pb_pte_pfn(&mm->geom, pte));
	EXPECT_FALSE(pb_pte_write(pte));
	EXPECT_EQ(NULL, nt_folio_at(mm, nt_va(self->mm, 1), NULL));
	EXPECT_EQ(0, nt_raw(mm, 0));
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_zero_page_faults));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_read_faults));
	/* A second mapping of the zero page, beside it: still no folio. */
	ASSERT_EQ(0, touch(mm, nt_va(self->mm, 2), false, &val));
	EXPECT_EQ(mm->phys->zero_pfn, nt_pfn(mm, 2));
	EXPECT_EQ(0, pb_check_mm(mm));
	/* The write copies it: a zeroed order-0 anon folio, exclusive. */
	ASSERT_EQ(0, touch(mm, nt_va(self->mm, 1), true, &val));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_cow_copies));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_write_faults));
	EXPECT_EQ(0, nt_folio_at(mm, nt_va(self->mm, 1), NULL)->order);
	EXPECT_TRUE(nt_page_at(mm, nt_va(self->mm, 1))->flags & PB_PG_ANON_EXCLUSIVE);
	EXPECT_TRUE(pb_pte_write(nt_pte_at(mm, nt_va(self->mm, 1))));
	EXPECT_EQ(1, mm->phys->live_folios);
	EXPECT_EQ(mm->phys->zero_pfn, nt_pfn(mm, 2));
	EXPECT_TRUE(mm->vmas[0].flags & PB_VM_ANON_VMA);
	EXPECT_EQ(0, pb_check_mm(mm));
	/* Unmapping the zero page frees nothing and leaves the checker clean. */
	pb_zap_range(mm, NT_VA, NT_VA + self->block);
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * With page 5 populated, faults from fault_order = CONT_PTES find the
 * largest aligned empty range around them, of an order an anon folio may
 * have: 4 pages at 0, 1 at 7 (never order 1), 1 at 4; the next block is
 * empty and gets a whole folio.
 */
TEST_F(paths, fault_order_falls_back_where_the_range_is_partly_populated)
{
	static const struct {
		unsigned int page, first, order;
	} t[] = { { 0, 0, 2 }, { 7, 7, 0 }, { 4, 4, 0 }, { 3, 0, 2 } };
	unsigned int cont = self->cont, cs = variant->cont_shift, i;
	struct pb_mm *mm = self->mm;
	u64 head, val = 0;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	nt_populate(_metadata, mm, nt_va(self->mm, 5), self->psize, 0, false);
	mm->knobs[PB_KNOB_fault_order] = cs;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ASSERT_EQ(0, touch(mm, nt_va(self->mm, t[i].page), true, &val))
			TH_LOG("case %u", i);
		EXPECT_EQ(t[i].order, nt_folio_at(mm, nt_va(self->mm, t[i].page), &head)->order)
			TH_LOG("case %u", i);
		EXPECT_EQ(head, nt_pfn(mm, t[i].first)) TH_LOG("case %u", i);
	}
	/* The last one was present already: no new folio. */
	EXPECT_EQ(1 + 3, mm->counters[PB_MMC_folios_mapped]);
	EXPECT_EQ(0, nt_nr_cont(mm, 0, cont));
	ASSERT_EQ(0, touch(mm, nt_va(self->mm, cont + 3), true, &val));
	EXPECT_EQ(cs, nt_folio_at(mm, nt_va(self->mm, cont), &head)->order);
	EXPECT_EQ(head, nt_pfn(mm, cont));
	EXPECT_EQ(cont, nt_nr_cont(mm, cont, cont));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * The thp_orders knob is hugepages-<size>kB/enabled: an anon fault takes the
 * largest enabled order that fits, up to fault_order, else order 0.  A file
 * mapping's folios follow fault_order alone, order 1 included.
 */
TEST_F(paths, fault_tries_only_the_enabled_thp_orders)
{
	unsigned int cs = variant->cont_shift;
	struct pb_mm *mm = self->mm;
	u64 file = NT_VA + 4 * self->block, val = 0;

	nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	nt_add_vma(_metadata, mm, file, self->block, PB_VM_READ | PB_VM_SHARED);
	mm->knobs[PB_KNOB_fault_order] = cs + 1;
	mm->knobs[PB_KNOB_thp_orders] = BIT_ULL(2) | BIT_ULL(cs);
	ASSERT_EQ(0, touch(mm, NT_VA, true, &val));
	EXPECT_EQ(cs, nt_folio_at(mm, NT_VA, NULL)->order);
	mm->knobs[PB_KNOB_thp_orders] = BIT_ULL(2);
	ASSERT_EQ(0, touch(mm, NT_VA + 2 * self->block, true, &val));
	EXPECT_EQ(2, nt_folio_at(mm, NT_VA + 2 * self->block, NULL)->order);
	mm->knobs[PB_KNOB_thp_orders] = 0;
	ASSERT_EQ(0, touch(mm, NT_VA + 3 * self->block, true, &val));
	EXPECT_EQ(0, nt_folio_at(mm, NT_VA + 3 * self->block, NULL)->order);
	/* Not anon: thp_orders does not apply, and order 1 is a folio size. */
	mm->knobs[PB_KNOB_fault_order] = 1;
	ASSERT_EQ(0, touch(mm, file, false, &val));
	EXPECT_EQ(1, nt_folio_at(mm, file, NULL)->order);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * A departure from upstream (model.rst): a read fault's new mapping is
 * soft-dirty too, of a file page or of the zero page.  arm64 has no
 * soft-dirty bit; x86's pte_mkdirty() sets it on writes only.  The model
 * keeps a folio's entries alike so that its blocks fold as an arm64 kernel
 * folds them.
 */
TEST_F(paths, a_read_fault_mapping_is_soft_dirty_too)
{
	struct pb_mm *mm = self->mm;
	u64 file = NT_VA + self->block, val = 0;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	nt_add_vma(_metadata, mm, file, self->block, PB_VM_READ | PB_VM_WRITE);
	pb_clear_soft_dirty(mm);
	ASSERT_TRUE(mm->vmas[0].flags & PB_VM_SOFTDIRTY);
	mm->knobs[PB_KNOB_fault_order] = variant->cont_shift;
	ASSERT_EQ(0, touch(mm, NT_VA, false, &val));
	EXPECT_TRUE(nt_pte_at(mm, NT_VA) & PB_PTE_SOFT_DIRTY);
	EXPECT_FALSE(pb_pte_write(nt_pte_at(mm, NT_VA)));
	ASSERT_EQ(0, touch(mm, file, false, &val));
	EXPECT_TRUE(nt_pte_at(mm, file) & PB_PTE_SOFT_DIRTY);
	EXPECT_FALSE(pb_pte_write(nt_pte_at(mm, file)));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * MAP_SHARED|MAP_ANONYMOUS is shmem: a fault maps a file folio
 * (do_shared_fault()), and a write fault on a write-protected page reuses it
 * (wp_page_shared()) without making it anon-exclusive, even while a fork
 * child maps it too.
 */
TEST_F(paths, write_faults_in_shmem_never_make_exclusive_pages)
{
	unsigned int cont = self->cont, i;
	struct pb_mm *mm = self->mm, *child;
	u64 before[PB_NR_MM_COUNTERS], val = 0, pfn;
	struct pb_page *head;

	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_SHMEM);
	mm->knobs[PB_KNOB_fault_order] = variant->cont_shift;
	ASSERT_EQ(0, touch(mm, NT_VA, true, &val));
	ASSERT_EQ(0, touch(mm, NT_VA + self->block, false, &val));
	for (i = 0; i < 2; i++) {
		head = nt_folio_at(mm, NT_VA + i * self->block, NULL);
		ASSERT_NE(NULL, head);
		EXPECT_EQ(variant->cont_shift, head->order);
		EXPECT_FALSE(head->flags & PB_PG_ANON) TH_LOG("block %u", i);
		EXPECT_FALSE(head->flags & PB_PG_ANON_EXCLUSIVE) TH_LOG("block %u", i);
	}
	/* Fork does not copy shmem: the child maps the folio from the cache. */
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(0, nt_raw(child, 1));
	ASSERT_EQ(0, touch(child, NT_VA + self->psize, false, &val));
	EXPECT_EQ(nt_pfn_at(mm, NT_VA + self->psize), nt_pfn_at(child, NT_VA + self->psize));
	pb_clear_soft_dirty(mm);
	EXPECT_EQ(0, nt_nr_writable_at(mm, NT_VA, cont));
	NT_SNAP(mm, before);
	pfn = nt_pfn_at(mm, NT_VA + self->psize);
	ASSERT_EQ(0, touch(mm, NT_VA + self->psize, true, &val));
	EXPECT_EQ(pfn, nt_pfn_at(mm, NT_VA + self->psize));
	EXPECT_TRUE(pb_pte_write(nt_pte_at(mm, NT_VA + self->psize)));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_wp_reuses));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_cow_copies));
	EXPECT_EQ(2, nt_page_at(mm, NT_VA + self->psize)->mapcount);
	EXPECT_FALSE(nt_page_at(mm, NT_VA + self->psize)->flags & PB_PG_ANON_EXCLUSIVE);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, pb_check_mm(child));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * vma_wants_writenotify() is false for shmem (no page_mkwrite, no dirty
 * accounting), so its vm_page_prot is writable: a read fault maps the page
 * writable and clean (DBM with RDONLY), and the first write dirties it in
 * hardware without a fault.  A shared file VMA (a filesystem that wants
 * write notifies) maps it read-only and the write faults.  Soft-dirty
 * tracking makes shmem want write notifies too.
 */
TEST_F(paths, a_shmem_read_fault_maps_a_writable_clean_page)
{
	struct pb_mm *mm = self->mm;
	u64 before[PB_NR_MM_COUNTERS], val = 0, file = nt_va(mm, 2 * self->cont);
	pb_pte_t pte;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_SHMEM);
	nt_add_vma(_metadata, mm, file, self->block, RW_SHARED);

	ASSERT_EQ(0, touch(mm, NT_VA, false, &val));
	pte = nt_raw_at(mm, NT_VA);
	EXPECT_TRUE(pb_pte_write(pte));
	EXPECT_TRUE(pte & PB_PTE_RDONLY);
	EXPECT_FALSE(pb_pte_dirty(pte));
	NT_SNAP(mm, before);
	ASSERT_EQ(0, touch(mm, NT_VA, true, &val));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_faults));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_hw_dirty_updates));
	EXPECT_TRUE(pb_pte_dirty(nt_raw_at(mm, NT_VA)));

	ASSERT_EQ(0, touch(mm, file, false, &val));
	EXPECT_FALSE(pb_pte_write(nt_raw_at(mm, file)));
	NT_SNAP(mm, before);
	ASSERT_EQ(0, touch(mm, file, true, &val));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_write_faults));

	/* Tracked, shmem wants the write faults: a new read maps read-only. */
	pb_clear_soft_dirty(mm);
	ASSERT_EQ(0, touch(mm, NT_VA + self->psize, false, &val));
	EXPECT_FALSE(pb_pte_write(nt_raw_at(mm, NT_VA + self->psize)));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * Each uffd-wp PTE must reach the handler once.  pb_fault_wp() clears the bit
 * with a raw write into a folded block; the unfold that follows rewrites the
 * whole block from that entry, so its other PTEs lose uffd-wp silently.
 * contpte must not change what the handler sees.
 */
TEST_F(paths, every_uffd_wp_page_faults_to_the_handler)
{
	unsigned int pages = 2 * self->cont, contpte;
	struct pb_mm *mm = self->mm;
	const char *why = NULL;

	for (contpte = 0; contpte < 2; contpte++) {
		u64 va = nt_va(self->mm, 4 * contpte * self->cont);
		u64 faults = mm->counters[PB_MMC_uffd_wp_faults];

		mm->knobs[PB_KNOB_contpte] = contpte;
		nt_add_vma(_metadata, mm, va, 2 * self->block, RW_ANON | PB_VM_UFFD_WP);
		nt_populate(_metadata, mm, va, 2 * self->block, variant->cont_shift, false);
		ASSERT_EQ(0, pb_uffd_wp(mm, va, va + 2 * self->block, true, &why));
		EXPECT_EQ(pages, write_all(_metadata, mm, va, pages));
		EXPECT_EQ(pages, mm->counters[PB_MMC_uffd_wp_faults] - faults)
			TH_LOG("contpte %u", contpte);
	}
}

/*
 * Large-folio COW reuse, the profiles' difference: after fork and the
 * child's exit a large anon folio is mapped only by the parent, write
 * protected and not exclusive.  A write reuses the page in the mainline
 * profile (__wp_can_reuse_large_anon_folio(), 6.15), which leaves the folio
 * with mixed exclusivity, and copies it in the 6.12 profile.  While the child
 * still maps the folio, or another reference holds it (as the swap cache or
 * a GUP would), mainline copies too.
 */
TEST_F(paths, large_folio_cow_reuse_follows_the_profile)
{
	static const struct {
		enum pb_profile profile;
		bool child_lives, held, reuse;
	} t[] = {
		{ PB_PROFILE_MAINLINE, false, false, true },
		{ PB_PROFILE_6_12, false, false, false },
		{ PB_PROFILE_MAINLINE, true, false, false },
		{ PB_PROFILE_MAINLINE, false, true, false },
	};
	struct pb_mm *mm = self->mm;
	unsigned int i, j;
	u64 val = 0;

	nt_add_vma(_metadata, mm, NT_VA, ARRAY_SIZE(t) * self->block, RW_ANON);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		u64 va = NT_VA + i * self->block, before[PB_NR_MM_COUNTERS], pfn;
		struct pb_page *head;
		struct pb_mm *child;

		pb_mm_set_profile(mm, t[i].profile);
		nt_populate(_metadata, mm, va, self->block, variant->cont_shift, false);
		head = nt_folio_at(mm, va, NULL);
		child = fork_child(_metadata, self, mm);
		ASSERT_NE(NULL, child);
		EXPECT_EQ(t[i].profile, child->profile);
		if (!t[i].child_lives)
			exit_child(self);
		if (t[i].held) {
			head->refcount++;
			head->extra_refs++;
		}
		pfn = nt_pfn_at(mm, va + 3 * self->psize);
		NT_SNAP(mm, before);
		ASSERT_EQ(0, touch(mm, va + 3 * self->psize, true, &val));
		EXPECT_EQ(t[i].reuse, nt_delta(mm, before, PB_MMC_wp_reuses)) TH_LOG("case %u", i);
		EXPECT_EQ(!t[i].reuse, nt_delta(mm, before, PB_MMC_cow_copies))
			TH_LOG("case %u", i);
		EXPECT_EQ(t[i].reuse, pfn == nt_pfn_at(mm, va + 3 * self->psize));
		if (t[i].reuse) {
			for (j = 0; j < self->cont; j++)
				EXPECT_EQ(j == 3, !!(nt_page_at(mm, va + j * self->psize)->flags &
						     PB_PG_ANON_EXCLUSIVE)) TH_LOG("page %u", j);
		}
		EXPECT_EQ(0, pb_check_mm(mm)) TH_LOG("case %u", i);
		if (t[i].held) {
			head->extra_refs--;
			pb_folio_put(mm->phys, nt_pfn_at(mm, va), 1);
		}
		if (t[i].child_lives)
			exit_child(self);
	}
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/* No VMA, or no permission: SIGSEGV, and nothing is allocated. */
TEST_F(paths, fault_outside_a_vma_or_its_protection_is_sigsegv)
{
	struct pb_mm *mm = self->mm;
	const char *why = NULL;
	u64 val = 0, ro = nt_va(self->mm, 4 * self->cont);

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	nt_add_vma(_metadata, mm, ro, self->block, PB_VM_READ | PB_VM_ANON);
	protect(_metadata, mm, NT_VA, NT_VA + self->block, 0);
	EXPECT_EQ(-EFAULT, pb_handle_fault(mm, nt_va(self->mm, 2 * self->cont), false, &why));
	EXPECT_STREQ("SIGSEGV", why);
	EXPECT_EQ(-EFAULT, touch(mm, NT_VA, false, &val));
	EXPECT_EQ(-EFAULT, touch(mm, ro, true, &val));
	EXPECT_EQ(-EFAULT, touch(mm, 1ULL << 47, true, &val));
	EXPECT_EQ(4, mm->counters[PB_MMC_segv]);
	EXPECT_EQ(0, mm->counters[PB_MMC_read_faults] + mm->counters[PB_MMC_write_faults]);
	EXPECT_EQ(0, mm->phys->live_folios);
	/*
	 * Reading the read-only VMA is fine (the zero page), writing it after
	 * that is not.
	 */
	EXPECT_EQ(0, touch(mm, ro, false, &val));
	EXPECT_EQ(-EFAULT, touch(mm, ro, true, &val));
	EXPECT_EQ(5, mm->counters[PB_MMC_segv]);
	EXPECT_EQ(1, mm->counters[PB_MMC_zero_page_faults]);
	EXPECT_EQ(0, mm->phys->live_folios);
}

/*
 * Issue 12's target: everything the model allocates for a GiB mapped with
 * order-0 4K folios, metadata only (the mm, pages and their sections, page
 * tables), as live_bytes counts what was really allocated, is at most 12 MiB
 * (the bench's check=0 mm).  With the checker on, its shadows of the leaf
 * tables come on top: at most one more copy of the page tables.
 */
TEST(metadata_of_a_gib_of_4k_folios_is_at_most_12_mib)
{
	const u64 gib = 1ULL << 30, limit = 12ULL << 20;
	const u64 va = 1ULL << 32;
	int check;

	for (check = 0; check <= 1; check++) {
		s64 before = atomic64_read(&pb_counters[PB_CNT_live_bytes]);
		struct pb_mm *mm = nt_mm_create(4, 48, 48, 1 << 20, gib >> 12, check);
		s64 bytes;

		ASSERT_FALSE(IS_ERR(mm));
		nt_add_vma(_metadata, mm, va, gib, RW_ANON);
		nt_populate(_metadata, mm, va, gib, 0, false);
		EXPECT_EQ(gib >> 12, mm->phys->live_folios);
		bytes = atomic64_read(&pb_counters[PB_CNT_live_bytes]) - before;
		TH_LOG("check=%d: %lld bytes (%lld KiB) per GiB", check, (long long)bytes,
		       (long long)bytes >> 10);
		/* The pages alone are a good part of it: the figure counts them. */
		EXPECT_LT(mm->pt_bytes + mm->phys->meta_bytes, (u64)bytes + 1);
		EXPECT_LE(bytes, limit + (check ? mm->pt_bytes : 0));
		pb_mm_destroy(mm);
		EXPECT_EQ(before, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
	}
}

TEST_HARNESS_MAIN
