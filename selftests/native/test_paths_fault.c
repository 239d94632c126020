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
	ASSERT_EQ(0, touch(mm, nt_va(self->mm, 2 * cont + 1), false, &val));
	EXPECT_EQ(0, nt_folio_at(mm, nt_va(self->mm, 2 * cont + 1), &head)->order);
	EXPECT_EQ(head, nt_pfn(mm, 2 * cont + 1));
	EXPECT_EQ(0, nt_raw(mm, 2 * cont));
	EXPECT_FALSE(pb_pte_write(nt_pte_at(mm, nt_va(self->mm, 2 * cont + 1))));
	ASSERT_EQ(0, touch(mm, nt_va(self->mm, 2 * cont + 2), false, &val));
	EXPECT_EQ(0, nt_folio_at(mm, nt_va(self->mm, 2 * cont + 2), NULL)->order);
	EXPECT_EQ(1, mm->counters[PB_MMC_write_faults]);
	EXPECT_EQ(2, mm->counters[PB_MMC_read_faults]);
	EXPECT_EQ(3, mm->counters[PB_MMC_folios_mapped]);
	/* A write to the read-only order-0 folio reuses it: it is exclusive. */
	ASSERT_EQ(0, touch(mm, nt_va(self->mm, 2 * cont + 1), true, &val));
	EXPECT_EQ(1, mm->counters[PB_MMC_wp_reuses]);
	EXPECT_EQ(head, nt_pfn(mm, 2 * cont + 1));
	EXPECT_EQ(3, mm->phys->live_folios);
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
	ASSERT_EQ(0, touch(mm, nt_va(self->mm, cont + 3), false, &val));
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
 * soft-dirty too.  arm64 has no soft-dirty bit; x86's pte_mkdirty() sets it
 * on writes only.  The model keeps a folio's entries alike so that its
 * blocks fold as an arm64 kernel folds them.
 */
TEST_F(paths, a_read_fault_mapping_is_soft_dirty_too)
{
	struct pb_mm *mm = self->mm;
	u64 val = 0;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	pb_clear_soft_dirty(mm);
	ASSERT_TRUE(mm->vmas[0].flags & PB_VM_SOFTDIRTY);
	mm->knobs[PB_KNOB_fault_order] = variant->cont_shift;
	ASSERT_EQ(0, touch(mm, NT_VA, false, &val));
	EXPECT_TRUE(nt_pte_at(mm, NT_VA) & PB_PTE_SOFT_DIRTY);
	EXPECT_FALSE(pb_pte_write(nt_pte_at(mm, NT_VA)));
	/* Alike, the read fault's folio is one folded block. */
	EXPECT_EQ(self->cont, nt_nr_cont(mm, 0, self->cont));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * COW after fork: the child's write copies the page (order 0, with its data)
 * and unfolds exactly the block it breaks; the parent keeps its data.
 */
TEST_F(paths, fault_cow_copies_the_page_and_unfolds_one_block)
{
	unsigned int cont = self->cont, page = cont + 3, i;
	u64 before[PB_NR_MM_COUNTERS], va = nt_va(self->mm, page), old, old_head;
	struct pb_mm *mm = other_mm(self, true), *child;

	ASSERT_NE(NULL, mm);
	nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift, false);
	for (i = 0; i < 2 * cont; i++) {
		ASSERT_EQ(0, poke(mm, nt_va(self->mm, i), 0xa000 + i));
		ASSERT_EQ(0, poke(mm, nt_va(self->mm, i) + 8, 0xb000 + i));
	}
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	old = nt_pfn_at(mm, va);
	nt_folio_at(mm, va, &old_head);
	NT_SNAP(child, before);
	ASSERT_EQ(0, poke(child, va, 0xc0de));
	EXPECT_EQ(1, nt_delta(child, before, PB_MMC_write_faults));
	EXPECT_EQ(1, nt_delta(child, before, PB_MMC_cow_copies));
	EXPECT_EQ(0, nt_delta(child, before, PB_MMC_wp_reuses));
	EXPECT_EQ(1, nt_delta(child, before, PB_MMC_unfolds));
	EXPECT_EQ(1, nt_delta(child, before, PB_MMC_converts));
	EXPECT_EQ(1, nt_delta(child, before, PB_MMC_tlbi_page));
	EXPECT_EQ(1, nt_delta(child, before, PB_MMC_tlbi_range));
	/* Block 0 stays folded in both; block 1 only in the parent. */
	EXPECT_EQ(cont, nt_nr_cont(child, 0, cont));
	EXPECT_EQ(0, nt_nr_cont(child, cont, cont));
	EXPECT_EQ(2 * cont, nt_nr_cont(mm, 0, 2 * cont));
	EXPECT_EQ(0, mm->counters[PB_MMC_unfolds]);
	/* The copy: order 0, exclusive, writable, with the data of the page. */
	EXPECT_NE(old, nt_pfn_at(child, va));
	EXPECT_EQ(0, nt_folio_at(child, va, NULL)->order);
	EXPECT_TRUE(nt_page_at(child, va)->flags & PB_PG_ANON_EXCLUSIVE);
	EXPECT_TRUE(pb_pte_write(nt_pte_at(child, va)));
	EXPECT_EQ(0xc0de, peek(child, va));
	EXPECT_EQ(0xb000 + page, peek(child, va + 8));
	EXPECT_EQ(0xa000 + page, peek(mm, va));
	/* The rest of block 1 still maps the parent's folio. */
	EXPECT_EQ(old - 1, nt_pfn_at(child, va - self->psize));
	EXPECT_EQ(old + 1, nt_pfn_at(child, va + self->psize));
	EXPECT_EQ(2 * cont - 1, pb_pfn_to_page(mm->phys, old_head)->refcount);
	EXPECT_EQ(1, pb_pfn_to_page(mm->phys, old)->mapcount);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	EXPECT_EQ(0, child->counters[PB_MMC_violations]);
}

/*
 * A write fault on a read-only entry: an exclusive anon page is reused in
 * place (its block unfolds, as the write permission changes), a page of a
 * shared VMA too, and a private file page is copied.
 */
TEST_F(paths, fault_on_a_read_only_entry_reuses_or_copies)
{
	unsigned int cont = self->cont;
	u64 anon = NT_VA, shared = nt_va(self->mm, 4 * cont), file = nt_va(self->mm, 8 * cont);
	struct pb_mm *mm = self->mm;
	u64 before[PB_NR_MM_COUNTERS], val = 0, pfn;
	const char *why = NULL;
	pb_pte_t pte;

	nt_add_vma(_metadata, mm, anon, self->block, RW_ANON);
	nt_add_vma(_metadata, mm, shared, self->block, RW_SHARED);
	nt_add_vma(_metadata, mm, file, self->block, PB_VM_READ | PB_VM_WRITE);
	nt_populate(_metadata, mm, anon, self->block, variant->cont_shift, false);
	nt_populate(_metadata, mm, shared, self->block, variant->cont_shift, false);
	nt_populate(_metadata, mm, file, self->block, variant->cont_shift, false);
	/* A private file mapping is read-only from the start. */
	EXPECT_EQ(0, nt_nr_writable_at(mm, file, cont));
	mm->knobs[PB_KNOB_mprotect_upgrade] = 0;
	ro_rw(_metadata, mm, anon, anon + self->block, &val, &val);
	ro_rw(_metadata, mm, shared, shared + self->block, &val, &val);
	EXPECT_EQ(0, nt_nr_writable_at(mm, anon, cont) + nt_nr_writable_at(mm, shared, cont));

	NT_SNAP(mm, before);
	pfn = nt_pfn_at(mm, anon + 2 * self->psize);
	ASSERT_EQ(0, touch(mm, anon + 2 * self->psize, true, &val));
	EXPECT_EQ(pfn, nt_pfn_at(mm, anon + 2 * self->psize));
	pte = nt_pte_at(mm, anon + 2 * self->psize);
	EXPECT_TRUE(pb_pte_write(pte) && pb_pte_dirty(pte) && pb_pte_young(pte));
	EXPECT_TRUE(pte & PB_PTE_SOFT_DIRTY);
	EXPECT_EQ(1, nt_nr_writable_at(mm, anon, cont));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_wp_reuses));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_unfolds));

	pfn = nt_pfn_at(mm, shared);
	ASSERT_EQ(0, touch(mm, shared, true, &val));
	EXPECT_EQ(pfn, nt_pfn_at(mm, shared));
	EXPECT_EQ(2, nt_delta(mm, before, PB_MMC_wp_reuses));

	/* The handler's part only: the retry is the known bug below. */
	pfn = nt_pfn_at(mm, file);
	ASSERT_EQ(0, pb_handle_fault(mm, file, true, &why)) TH_LOG("%s", why);
	EXPECT_NE(pfn, nt_pfn_at(mm, file));
	EXPECT_TRUE(nt_folio_at(mm, file, NULL)->flags & PB_PG_ANON);
	EXPECT_EQ(2, nt_delta(mm, before, PB_MMC_wp_reuses));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_cow_copies));
	EXPECT_EQ(3, nt_delta(mm, before, PB_MMC_write_faults));
	EXPECT_EQ(3, nt_delta(mm, before, PB_MMC_unfolds));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_segv));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * The copy of a private file page is an anon page of a writable VMA: it must
 * be mapped writable (maybe_mkwrite()), or the write faults again and again.
 */
TEST_F(paths, fault_cow_of_a_private_file_page_is_writable)
{
	u64 file = NT_VA, val = 0;
	struct pb_mm *mm = self->mm;

	nt_add_vma(_metadata, mm, file, self->block, PB_VM_READ | PB_VM_WRITE);
	nt_populate(_metadata, mm, file, self->block, variant->cont_shift, false);
	EXPECT_EQ(0, touch(mm, file, true, &val));
	EXPECT_TRUE(pb_pte_write(nt_pte_at(mm, file)));
	EXPECT_EQ(1, mm->counters[PB_MMC_cow_copies]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * do_cow_fault(): a write fault on an empty entry of a private file mapping
 * maps a private order-0 anon copy, writable and dirty, in that one fault;
 * the access that retries it must not fault again.
 */
TEST_F(paths, write_fault_on_an_empty_private_file_entry_maps_a_copy)
{
	u64 before[PB_NR_MM_COUNTERS], va = NT_VA + self->psize, val = 0x1234;
	struct pb_mm *mm = self->mm;
	struct pb_page *head;
	const char *why = NULL;
	pb_pte_t pte;

	nt_add_vma(_metadata, mm, NT_VA, self->block, PB_VM_READ | PB_VM_WRITE);
	mm->knobs[PB_KNOB_fault_order] = variant->cont_shift;
	NT_SNAP(mm, before);
	ASSERT_EQ(-EFAULT, pb_access(mm, va, true, &val));
	ASSERT_EQ(0, pb_handle_fault(mm, va, true, &why)) TH_LOG("%s", why);
	EXPECT_EQ(0, pb_access(mm, va, true, &val));
	pte = nt_pte_at(mm, va);
	EXPECT_TRUE(pb_pte_valid(pte) && pb_pte_write(pte) && pb_pte_dirty(pte));
	EXPECT_FALSE(pb_pte_cont(pte));
	head = nt_folio_at(mm, va, NULL);
	ASSERT_NE(NULL, head);
	EXPECT_EQ(0, head->order);
	EXPECT_TRUE(head->flags & PB_PG_ANON);
	EXPECT_TRUE(head->flags & PB_PG_ANON_EXCLUSIVE);
	/* Only that page: its neighbours stay empty. */
	EXPECT_EQ(0, nt_raw_at(mm, NT_VA));
	EXPECT_EQ(0, nt_raw_at(mm, va + self->psize));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_write_faults));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_cow_copies));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_folios_mapped));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_read_faults));
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
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
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
	/* Reading the read-only VMA is fine, writing it after that is not. */
	EXPECT_EQ(0, touch(mm, ro, false, &val));
	EXPECT_EQ(-EFAULT, touch(mm, ro, true, &val));
	EXPECT_EQ(5, mm->counters[PB_MMC_segv]);
	EXPECT_EQ(1, mm->phys->live_folios);
}

TEST_HARNESS_MAIN
