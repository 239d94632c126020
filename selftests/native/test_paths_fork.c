// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of paths/fork.c: fork batched and one PTE at a time, with
 * exact counters derived from the geometry; shared VMAs, uffd-wp and pinned
 * folios; and a fork that fails at each of its allocations in turn.
 */
#include "nt_paths.h"

/* --- Fork ----------------------------------------------------------------------- */

#define FORK_BLOCKS	4

/*
 * Four folios, one per block, folded; fork.  Both ways leave the same folios
 * and the same child entries; the counters show what batching saves.
 */
static struct pb_mm *fork_blocks(struct __test_metadata *_metadata,
				 struct _test_data_paths *self, bool batched,
				 u64 *before)
{
	unsigned int cont = self->cont, pages = FORK_BLOCKS * cont, i;
	struct pb_mm *mm = self->mm, *child;

	mm->knobs[PB_KNOB_fork_batch] = batched;
	nt_add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, FORK_BLOCKS * self->block, self->g->cont_shift, false);
	EXPECT_EQ(pages, nt_nr_cont(mm, 0, pages));
	NT_SNAP(mm, before);
	child = fork_child(_metadata, self, mm);
	if (!child)
		return NULL;
	for (i = 0; i < pages; i++) {
		u64 va = nt_va(self->mm, i), head;
		struct pb_page *folio = nt_folio_at(mm, va, &head);
		pb_pte_t p = nt_pte_at(mm, va), c = nt_pte_at(child, va);

		EXPECT_EQ(nt_pfn_at(mm, va), nt_pfn_at(child, va)) TH_LOG("page %u", i);
		EXPECT_EQ(2 * cont, folio->refcount) TH_LOG("page %u", i);
		EXPECT_EQ(2 * cont, pb_folio_large_mapcount(folio)) TH_LOG("page %u", i);
		EXPECT_EQ(2, nt_page_at(mm, va)->mapcount) TH_LOG("page %u", i);
		EXPECT_FALSE(nt_page_at(mm, va)->flags & PB_PG_ANON_EXCLUSIVE) TH_LOG("page %u", i);
		/* Both read-only and dirty; the child's entries are old and folded. */
		EXPECT_FALSE(pb_pte_write(p)) TH_LOG("page %u", i);
		EXPECT_FALSE(pb_pte_write(c)) TH_LOG("page %u", i);
		EXPECT_TRUE(pb_pte_dirty(p) && pb_pte_dirty(c)) TH_LOG("page %u", i);
		EXPECT_FALSE(pb_pte_young(c)) TH_LOG("page %u", i);
		EXPECT_TRUE(pb_pte_valid_cont(nt_raw_at(child, va))) TH_LOG("page %u", i);
	}
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, pb_check_mm(child));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	EXPECT_EQ(0, child->counters[PB_MMC_violations]);
	return child;
}

TEST_F(paths, fork_batched_keeps_the_parent_folded)
{
	unsigned int cont = self->cont, pages = FORK_BLOCKS * cont;
	u64 before[PB_NR_MM_COUNTERS];
	struct pb_mm *mm = self->mm;
	struct pb_mm *child = fork_blocks(_metadata, self, true, before);

	ASSERT_NE(NULL, child);
	/* Parent: each block write-protected whole, in place; one TLBI for the mm. */
	EXPECT_EQ(pages, nt_nr_cont(mm, 0, pages));
	EXPECT_EQ(FORK_BLOCKS, nt_delta(mm, before, PB_MMC_wrprotect_whole_blocks));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_wrprotect_partial_blocks));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_unfolds));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_converts));
	EXPECT_EQ(pages, nt_delta(mm, before, PB_MMC_pte_writes));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_tlbi_mm));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_tlbi_range));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_tlbi_page));
	/* Child: one refcount add and one rmap dup per batch; set_ptes() folds. */
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_refcount_atomics]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_mapcount_atomics]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_batch_size_cont]);
	EXPECT_EQ(0, child->counters[PB_MMC_batch_size_1]);
	EXPECT_EQ(pages, child->counters[PB_MMC_ptes_copied]);
	EXPECT_EQ(pages, child->counters[PB_MMC_pte_writes]);
	EXPECT_EQ(0, child->counters[PB_MMC_folds]);
	EXPECT_EQ(0, child->counters[PB_MMC_converts]);
	EXPECT_EQ(0, child->counters[PB_MMC_pinned_fallbacks]);
}

TEST_F(paths, fork_per_pte_unfolds_every_block)
{
	unsigned int cont = self->cont, pages = FORK_BLOCKS * cont;
	u64 before[PB_NR_MM_COUNTERS];
	struct pb_mm *mm = self->mm;
	struct pb_mm *child = fork_blocks(_metadata, self, false, before);

	ASSERT_NE(NULL, child);
	/* Parent: ptep_set_wrprotect() unfolds each block on its first entry. */
	EXPECT_EQ(0, nt_nr_cont(mm, 0, pages));
	EXPECT_EQ(FORK_BLOCKS, nt_delta(mm, before, PB_MMC_unfolds));
	EXPECT_EQ(FORK_BLOCKS, nt_delta(mm, before, PB_MMC_converts));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_wrprotect_whole_blocks));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_wrprotect_partial_blocks));
	/* An unfold clears and sets the block, then each entry is protected. */
	EXPECT_EQ(3 * pages, nt_delta(mm, before, PB_MMC_pte_writes));
	EXPECT_EQ(FORK_BLOCKS, nt_delta(mm, before, PB_MMC_tlbi_range));
	EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_tlbi_mm));
	/* Child: one PTE at a time, each block folded again on its last entry. */
	EXPECT_EQ(pages, child->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(pages, child->counters[PB_MMC_batch_size_1]);
	EXPECT_EQ(0, child->counters[PB_MMC_batch_size_cont]);
	EXPECT_EQ(pages, child->counters[PB_MMC_refcount_atomics]);
	EXPECT_EQ(pages, child->counters[PB_MMC_mapcount_atomics]);
	EXPECT_EQ(pages, child->counters[PB_MMC_ptes_copied]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_fold_attempts]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_folds]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_converts]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_tlbi_range]);
	EXPECT_EQ(3 * pages, child->counters[PB_MMC_pte_writes]);
}

/* One folio of each bucket's size, forked batched and then one PTE at a time. */
TEST_F(paths, fork_fills_each_bucket_of_the_histogram)
{
	unsigned int cont = self->cont, ptrs = self->ptrs, cs = variant->cont_shift;
	unsigned int pages = 1 + 2 + cont + 2 * cont + ptrs;
	struct pb_mm *mm = self->mm, *child;
	u64 before[PB_NR_MM_COUNTERS], total = 0, others = 0;
	enum pb_mm_counter c;

	nt_add_vma(_metadata, mm, NT_VA, 2ULL * ptrs * self->psize, RW_ANON);
	nt_populate(_metadata, mm, nt_va(self->mm, 0), self->psize, 0, false);
	nt_populate(_metadata, mm, nt_va(self->mm, 2), 2 * self->psize, 1, false);
	nt_populate(_metadata, mm, nt_va(self->mm, cont), self->block, cs, false);
	nt_populate(_metadata, mm, nt_va(self->mm, 2 * cont), 2 * self->block, cs + 1, false);
	nt_populate(_metadata, mm, nt_va(self->mm, ptrs), (u64)ptrs * self->psize,
		    pb_pmd_order(self->g), false);
	NT_SNAP(mm, before);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	for (c = PB_MMC_batch_size_1; c <= PB_MMC_batch_size_pmd; c++) {
		EXPECT_EQ(1, child->counters[c]) TH_LOG("%s", pb_mm_counter_names[c]);
		total += child->counters[c];
	}
	EXPECT_EQ(5, total);
	EXPECT_EQ(5, child->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(5, child->counters[PB_MMC_refcount_atomics]);
	EXPECT_EQ(pages, child->counters[PB_MMC_ptes_copied]);
	/* The blocks of the three folded folios stay folded in the parent. */
	EXPECT_EQ(1 + 2 + ptrs / cont, nt_delta(mm, before, PB_MMC_wrprotect_whole_blocks));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_unfolds));

	mm->knobs[PB_KNOB_fork_batch] = 0;
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(pages, child->counters[PB_MMC_batch_size_1]);
	for (c = PB_MMC_batch_size_small; c <= PB_MMC_batch_size_pmd; c++) {
		EXPECT_EQ(0, child->counters[c]) TH_LOG("%s", pb_mm_counter_names[c]);
		others += child->counters[c];
	}
	EXPECT_EQ(0, others);
	EXPECT_EQ(pages, child->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/* Order-0 folios never batch: both ways count alike. */
TEST_F(paths, fork_of_order0_pages_is_the_same_either_way)
{
	static const enum pb_mm_counter same[] = {
		PB_MMC_fork_batches, PB_MMC_batch_size_1, PB_MMC_refcount_atomics,
		PB_MMC_mapcount_atomics, PB_MMC_ptes_copied, PB_MMC_pte_writes,
		PB_MMC_folds, PB_MMC_unfolds, PB_MMC_converts,
	};
	unsigned int pages = 2 * self->cont, i;
	struct pb_mm *mms[2] = { self->mm, other_mm(self, false) }, *kids[2];

	ASSERT_NE(NULL, mms[1]);
	mms[1]->knobs[PB_KNOB_fork_batch] = 0;
	for (i = 0; i < 2; i++) {
		nt_add_vma(_metadata, mms[i], NT_VA, 2 * self->block, RW_ANON);
		nt_populate(_metadata, mms[i], NT_VA, 2 * self->block, 0, false);
		kids[i] = fork_child(_metadata, self, mms[i]);
		ASSERT_NE(NULL, kids[i]);
	}
	for (i = 0; i < ARRAY_SIZE(same); i++) {
		EXPECT_EQ(kids[0]->counters[same[i]], kids[1]->counters[same[i]])
			TH_LOG("child %s", pb_mm_counter_names[same[i]]);
		EXPECT_EQ(mms[0]->counters[same[i]], mms[1]->counters[same[i]])
			TH_LOG("parent %s", pb_mm_counter_names[same[i]]);
	}
	EXPECT_EQ(pages, kids[0]->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(pages, kids[0]->counters[PB_MMC_batch_size_1]);
	EXPECT_EQ(pages, kids[0]->counters[PB_MMC_refcount_atomics]);
	EXPECT_EQ(pages, kids[0]->counters[PB_MMC_mapcount_atomics]);
	EXPECT_EQ(0, kids[0]->counters[PB_MMC_folds]);
	EXPECT_EQ(0, pb_check_mm(mms[0]));
	EXPECT_EQ(0, pb_check_mm(mms[1]));
}

/*
 * A shared VMA that fork copies (vma_needs_copy(): the child's is registered
 * for uffd-wp, with the fork event): the parent stays as it is, writable
 * where it was, and the child's entries are clean and old.  The batch
 * respects the write bit (the model's departure from upstream's any_writable
 * merge), so a clean read-only run stays read-only in the child, as per-PTE
 * fork leaves it: both children are identical.
 */
TEST_F(paths, fork_of_a_shared_vma_cleans_the_child_and_keeps_write_bits)
{
	unsigned int cont = self->cont, half = cont / 2, pages = 2 * cont, i;
	struct pb_mm *mm = self->mm, *a, *b;
	pb_pte_t before_ptes[2 * 128];
	u64 before[PB_NR_MM_COUNTERS];

	mm->knobs[PB_KNOB_uffd_fork_event] = 1;
	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_SHARED | PB_VM_UFFD_WP);
	nt_populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift + 1, false);
	/* Writeback of the second half of block 0: read-only and clean. */
	pb_wrprotect_ptes(mm, nt_va(self->mm, half), nt_ptep(mm, half), half);
	pb_clear_young_dirty_ptes(mm, nt_va(self->mm, half), nt_ptep(mm, half),
				  half, false, true);
	pb_flush_tlb_range(mm, nt_va(self->mm, half), nt_va(self->mm, cont));
	EXPECT_EQ(cont, nt_nr_cont(mm, 0, pages));
	EXPECT_EQ(pages - half, nt_nr_writable_at(mm, NT_VA, pages));
	for (i = 0; i < pages; i++)
		before_ptes[i] = nt_raw(mm, i);
	NT_SNAP(mm, before);

	a = fork_child(_metadata, self, mm);
	mm->knobs[PB_KNOB_fork_batch] = 0;
	b = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	/* The parent was not touched: no write, no unfold. */
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_pte_writes));
	EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_unfolds));
	for (i = 0; i < pages; i++) {
		u64 va = nt_va(self->mm, i);
		pb_pte_t pte = nt_raw_at(a, va);

		EXPECT_EQ(before_ptes[i], nt_raw_at(mm, va)) TH_LOG("page %u", i);
		EXPECT_EQ(pte, nt_raw_at(b, va)) TH_LOG("page %u", i);
		EXPECT_EQ(pb_pte_write(before_ptes[i]), pb_pte_write(pte)) TH_LOG("page %u", i);
		EXPECT_FALSE(pb_pte_dirty(pte)) TH_LOG("page %u", i);
		EXPECT_FALSE(pb_pte_young(pte)) TH_LOG("page %u", i);
		EXPECT_EQ(i >= cont, pb_pte_valid_cont(pte)) TH_LOG("page %u", i);
	}
	/* Batched: the writable half, the read-only half, the folded block. */
	EXPECT_EQ(3, a->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(2, a->counters[PB_MMC_batch_size_small]);
	EXPECT_EQ(1, a->counters[PB_MMC_batch_size_cont]);
	EXPECT_EQ(3, a->counters[PB_MMC_refcount_atomics]);
	EXPECT_EQ(3, a->counters[PB_MMC_mapcount_atomics]);
	EXPECT_EQ(pages, a->counters[PB_MMC_ptes_copied]);
	/* Per PTE: block 0 cannot fold (mixed write bits), block 1 folds. */
	EXPECT_EQ(pages, b->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(pages, b->counters[PB_MMC_batch_size_1]);
	EXPECT_EQ(2, b->counters[PB_MMC_fold_attempts]);
	EXPECT_EQ(1, b->counters[PB_MMC_folds]);
	/* Three mms map each page, and the page cache holds each page. */
	EXPECT_EQ(3 * pages + (1U << nt_folio_at(mm, NT_VA, NULL)->order),
		  nt_folio_at(mm, NT_VA, NULL)->refcount);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * vma_needs_copy(): fork copies no entry of a VMA without an anon_vma, a
 * shared file one, shmem, or a private file one never written; the child
 * faults the same folios in from the page cache.  A private file VMA that a
 * write copied a page of has an anon_vma, and is copied whole.
 */
TEST_F(paths, fork_skips_vmas_without_anon_pages)
{
	struct pb_mm *mm = self->mm, *child;
	u64 shared = NT_VA, shmem = NT_VA + self->block;
	u64 priv = NT_VA + 2 * self->block, cow = NT_VA + 3 * self->block;
	unsigned int i, cs = variant->cont_shift;
	u64 vas[] = { shared, shmem, priv }, val = 0;

	nt_add_vma(_metadata, mm, shared, self->block, RW_SHARED);
	nt_add_vma(_metadata, mm, shmem, self->block, RW_SHMEM);
	nt_add_vma(_metadata, mm, priv, self->block, PB_VM_READ | PB_VM_WRITE);
	nt_add_vma(_metadata, mm, cow, self->block, PB_VM_READ | PB_VM_WRITE);
	for (i = 0; i < ARRAY_SIZE(vas); i++)
		nt_populate(_metadata, mm, vas[i], self->block, cs, false);
	nt_populate(_metadata, mm, cow, self->block, cs, false);
	/* do_cow_fault() gives the last VMA an anon page, and an anon_vma. */
	pb_zap_range(mm, cow, cow + self->psize);
	ASSERT_EQ(0, touch(mm, cow, true, &val));
	for (i = 0; i < 3; i++)
		EXPECT_FALSE(mm->vmas[i].flags & PB_VM_ANON_VMA) TH_LOG("vma %u", i);
	EXPECT_TRUE(mm->vmas[3].flags & PB_VM_ANON_VMA);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(self->cont, child->counters[PB_MMC_ptes_copied]);
	for (i = 0; i < ARRAY_SIZE(vas); i++) {
		EXPECT_EQ(0, nt_raw_at(child, vas[i])) TH_LOG("vma %u", i);
		ASSERT_EQ(0, touch(child, vas[i], false, &val));
		EXPECT_EQ(nt_pfn_at(mm, vas[i]), nt_pfn_at(child, vas[i])) TH_LOG("vma %u", i);
		EXPECT_EQ(2, nt_page_at(mm, vas[i])->mapcount) TH_LOG("vma %u", i);
	}
	EXPECT_EQ(3, child->counters[PB_MMC_page_cache_maps]);
	EXPECT_EQ(nt_pfn_at(mm, cow), nt_pfn_at(child, cow));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations] + child->counters[PB_MMC_violations]);
}

/*
 * uffd-wp reaches the child only where its VMA is registered; a VMA that is
 * not (as a child without UFFD_FEATURE_EVENT_FORK has) loses the bit, and a
 * write there copies without a uffd fault.
 */
TEST_F(paths, fork_keeps_uffd_wp_only_in_registered_vmas)
{
	const u32 uffd = RW_ANON | PB_VM_UFFD_WP;
	unsigned int cont = self->cont, round, i;
	u64 va_b = nt_va(self->mm, 4 * cont);
	struct pb_mm *mm = self->mm;
	const char *why = NULL;

	/* A uffd context with UFFD_FEATURE_EVENT_FORK: children register. */
	mm->knobs[PB_KNOB_uffd_fork_event] = 1;
	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, uffd);
	nt_add_vma(_metadata, mm, va_b, 2 * self->block, uffd);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	nt_populate(_metadata, mm, va_b, self->block, variant->cont_shift, false);
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, NT_VA + self->block, true, &why)) TH_LOG("%s", why);
	ASSERT_EQ(0, pb_uffd_wp(mm, va_b, va_b + self->block, true, &why)) TH_LOG("%s", why);
	pb_vma_find(mm, va_b)->flags &= ~PB_VM_UFFD_WP;

	for (round = 0; round < 2; round++) {
		bool batched = !round;
		struct pb_mm *child;

		mm->knobs[PB_KNOB_fork_batch] = batched;
		child = fork_child(_metadata, self, mm);
		ASSERT_NE(NULL, child);
		for (i = 0; i < cont; i++) {
			u64 off = (u64)i * self->psize;

			EXPECT_TRUE(nt_raw_at(mm, NT_VA + off) & PB_PTE_UFFD_WP)
				TH_LOG("page %u", i);
			EXPECT_TRUE(nt_raw_at(mm, va_b + off) & PB_PTE_UFFD_WP)
				TH_LOG("page %u", i);
			EXPECT_TRUE(nt_raw_at(child, NT_VA + off) & PB_PTE_UFFD_WP)
				TH_LOG("batch %d page %u", batched, i);
			EXPECT_FALSE(nt_raw_at(child, va_b + off) & PB_PTE_UFFD_WP)
				TH_LOG("batch %d page %u", batched, i);
		}
		EXPECT_EQ(0, nt_nr_writable_at(child, NT_VA, cont));
		EXPECT_EQ(0, nt_nr_writable_at(child, va_b, cont));
		/* A write: a uffd fault first where registered, then the copy. */
		EXPECT_EQ(0, poke(child, NT_VA, 1));
		EXPECT_EQ(0, poke(child, va_b, 1));
		EXPECT_EQ(1, child->counters[PB_MMC_uffd_wp_faults]);
		EXPECT_EQ(2, child->counters[PB_MMC_cow_copies]);
		EXPECT_EQ(0, pb_check_mm(child));
		exit_child(self);
	}
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * A pin anywhere in a large folio makes each of its exclusive pages "maybe
 * pinned" (folio_maybe_dma_pinned() is per folio): fork gives the child a copy
 * of every one, with the data, and leaves the parent's folio as it was.
 */
TEST_F(paths, fork_copies_every_exclusive_page_of_a_pinned_folio)
{
	unsigned int cont = self->cont, round, i;
	struct pb_mm *mm = other_mm(self, true);
	const char *why = NULL;
	u64 head, folios;

	ASSERT_NE(NULL, mm);
	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	nt_populate(_metadata, mm, nt_va(self->mm, cont), self->psize, 0, false);
	for (i = 0; i <= cont; i++)
		ASSERT_EQ(0, poke(mm, nt_va(self->mm, i), 0x1000 + i));
	ASSERT_EQ(0, pb_pin(mm, nt_va(self->mm, 1), nt_va(self->mm, 2), true, &why))
		TH_LOG("%s", why);
	nt_folio_at(mm, NT_VA, &head);
	folios = mm->phys->live_folios;

	for (round = 0; round < 2; round++) {
		bool batched = !round;
		u64 before[PB_NR_MM_COUNTERS];
		struct pb_mm *child;

		mm->knobs[PB_KNOB_fork_batch] = batched;
		NT_SNAP(mm, before);
		child = fork_child(_metadata, self, mm);
		ASSERT_NE(NULL, child);
		EXPECT_EQ(cont, child->counters[PB_MMC_pinned_fallbacks]);
		EXPECT_EQ(folios + cont, mm->phys->live_folios);
		/*
		 * Batched: the batch's add and sub, then an add and a sub per
		 * page; per PTE only the latter.  The order-0 page: one add.
		 */
		EXPECT_EQ((batched ? 2 : 0) + 2 * cont + 1,
			  child->counters[PB_MMC_refcount_atomics]);
		EXPECT_EQ(cont + 1, child->counters[PB_MMC_mapcount_atomics]);
		EXPECT_EQ(1, child->counters[PB_MMC_fork_batches]);
		EXPECT_EQ(1, child->counters[PB_MMC_ptes_copied]);
		/* The parent's pinned folio: untouched, still folded and writable. */
		EXPECT_EQ(cont + 1, pb_pfn_to_page(mm->phys, head)->refcount);
		EXPECT_EQ(1, pb_pfn_to_page(mm->phys, head)->pincount);
		EXPECT_EQ(cont, nt_nr_cont(mm, 0, cont));
		EXPECT_EQ(cont, nt_nr_writable_at(mm, NT_VA, cont));
		EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_unfolds));
		/* Only the order-0 page was write-protected. */
		EXPECT_EQ(1, nt_delta(mm, before, PB_MMC_pte_writes));
		for (i = 0; i < cont; i++) {
			u64 va = nt_va(self->mm, i);

			EXPECT_NE(nt_pfn_at(mm, va), nt_pfn_at(child, va)) TH_LOG("page %u", i);
			EXPECT_TRUE(nt_page_at(mm, va)->flags & PB_PG_ANON_EXCLUSIVE)
				TH_LOG("page %u", i);
			EXPECT_TRUE(nt_page_at(child, va)->flags & PB_PG_ANON_EXCLUSIVE)
				TH_LOG("page %u", i);
			EXPECT_EQ(0x1000 + i, peek(child, va)) TH_LOG("page %u", i);
		}
		EXPECT_EQ(nt_pfn(mm, cont), nt_pfn(child, cont));
		/* Each side writes its own copy. */
		EXPECT_EQ(0, poke(child, nt_va(self->mm, 2), 0xc0de));
		EXPECT_EQ(0, poke(mm, nt_va(self->mm, 3), 0xbeef));
		EXPECT_EQ(0x1002, peek(mm, nt_va(self->mm, 2)));
		EXPECT_EQ(0x1003, peek(child, nt_va(self->mm, 3)));
		EXPECT_EQ(0, child->counters[PB_MMC_write_faults]);
		EXPECT_EQ(0, pb_check_mm(child));
		exit_child(self);
		EXPECT_EQ(folios, mm->phys->live_folios);
		/* The next round starts where this one did: page 3, the order-0 page. */
		ASSERT_EQ(0, poke(mm, nt_va(self->mm, 3), 0x1003));
		ASSERT_EQ(0, poke(mm, nt_va(self->mm, cont), 0x1000 + cont));
	}
	ASSERT_EQ(0, pb_pin(mm, nt_va(self->mm, 1), nt_va(self->mm, 2), false, &why))
		TH_LOG("%s", why);
	EXPECT_EQ(cont, pb_pfn_to_page(mm->phys, head)->refcount);
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * Without UFFD_FEATURE_EVENT_FORK (the default), dup_userfaultfd() leaves the
 * child unregistered: its VMAs lose uffd-wp and so do its entries, and a
 * write there is an ordinary COW, never a uffd fault.
 */
TEST_F(paths, fork_without_the_fork_event_drops_uffd_wp)
{
	unsigned int cont = self->cont, i;
	struct pb_mm *mm = self->mm, *child;
	const char *why = NULL;

	ASSERT_EQ(0, mm->knobs[PB_KNOB_uffd_fork_event]);
	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON | PB_VM_UFFD_WP);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, NT_VA + self->block, true, &why)) TH_LOG("%s", why);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_FALSE(child->vmas[0].flags & PB_VM_UFFD_WP);
	EXPECT_TRUE(mm->vmas[0].flags & PB_VM_UFFD_WP);
	for (i = 0; i < cont; i++) {
		EXPECT_FALSE(nt_raw(child, i) & PB_PTE_UFFD_WP) TH_LOG("page %u", i);
		EXPECT_TRUE(nt_raw(mm, i) & PB_PTE_UFFD_WP) TH_LOG("page %u", i);
	}
	EXPECT_EQ(cont, write_all(_metadata, child, NT_VA, cont));
	EXPECT_EQ(0, child->counters[PB_MMC_uffd_wp_faults]);
	EXPECT_EQ(cont, child->counters[PB_MMC_cow_copies]);
	EXPECT_EQ(0, pb_check_mm(child));
}

/*
 * copy_present_page() keeps uffd-wp in the child's copy where the child's VMA
 * is registered (pte_mkuffd_wp(): read-only too).  The model maps the copy
 * writable and without it, so the child's writes bypass the handler.
 */
TEST_F(paths, fork_copy_of_a_pinned_page_keeps_uffd_wp)
{
	unsigned int cont = self->cont, wp = 0, writable = 0, i;
	struct pb_mm *mm = self->mm, *child;
	const char *why = NULL;

	mm->knobs[PB_KNOB_uffd_fork_event] = 1;
	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON | PB_VM_UFFD_WP);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, NT_VA + self->block, true, &why)) TH_LOG("%s", why);
	ASSERT_EQ(0, pb_pin(mm, NT_VA, nt_va(self->mm, 1), true, &why)) TH_LOG("%s", why);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(cont, child->counters[PB_MMC_pinned_fallbacks]);
	for (i = 0; i < cont; i++) {
		wp += !!(nt_raw(child, i) & PB_PTE_UFFD_WP);
		writable += pb_pte_write(nt_raw(child, i));
	}
	EXPECT_EQ(cont, wp);
	EXPECT_EQ(0, writable);
	EXPECT_EQ(cont, write_all(_metadata, child, NT_VA, cont));
	EXPECT_EQ(cont, child->counters[PB_MMC_uffd_wp_faults]);
	ASSERT_EQ(0, pb_pin(mm, NT_VA, nt_va(self->mm, 1), false, &why)) TH_LOG("%s", why);
}

/*
 * A pin of an order-0 folio adds GUP_PIN_COUNTING_BIAS to its refcount, and
 * its release takes it away again (try_grab_folio(), unpin_user_page()); the
 * checker's refcount rule agrees.
 */
TEST_F(paths, an_order0_pin_adds_the_pin_counting_bias)
{
	struct pb_mm *mm = self->mm;
	const char *why = NULL;
	struct pb_page *head;

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, self->psize, 0, false);
	head = nt_folio_at(mm, NT_VA, NULL);
	ASSERT_EQ(1, head->refcount);
	ASSERT_EQ(0, pb_pin(mm, NT_VA, nt_va(mm, 1), true, &why)) TH_LOG("%s", why);
	EXPECT_EQ(1, head->pincount);
	EXPECT_EQ(1 + PB_GUP_PIN_COUNTING_BIAS, head->refcount);
	EXPECT_EQ(0, pb_check_mm(mm));
	ASSERT_EQ(0, pb_pin(mm, NT_VA, nt_va(mm, 1), false, &why)) TH_LOG("%s", why);
	EXPECT_EQ(0, head->pincount);
	EXPECT_EQ(1, head->refcount);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * folio_maybe_dma_pinned() of a small folio is refcount >=
 * GUP_PIN_COUNTING_BIAS, so an unpinned page with that many references looks
 * pinned too: once the mm holds a pin at all, fork copies that page as it
 * copies the pinned one, and clear_refs leaves both writable.
 */
TEST_F(paths, a_small_folio_with_bias_references_may_be_pinned)
{
	struct pb_mm *mm = self->mm, *child;
	const char *why = NULL;
	struct pb_page *b;
	u64 va_b = nt_va(self->mm, 1);

	nt_add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 3 * self->psize, 0, false);
	ASSERT_EQ(0, pb_pin(mm, NT_VA, nt_va(mm, 1), true, &why)) TH_LOG("%s", why);
	/* Page 1: unpinned, with as many other references as a pin takes. */
	b = nt_folio_at(mm, va_b, NULL);
	b->extra_refs += PB_GUP_PIN_COUNTING_BIAS;
	b->refcount += PB_GUP_PIN_COUNTING_BIAS;
	EXPECT_EQ(0, b->pincount);
	EXPECT_EQ(0, pb_check_mm(mm));

	pb_clear_soft_dirty(mm);
	EXPECT_TRUE(pb_pte_write(nt_raw(mm, 0)));
	EXPECT_TRUE(pb_pte_write(nt_raw(mm, 1)));
	EXPECT_FALSE(pb_pte_write(nt_raw(mm, 2)));

	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(2, child->counters[PB_MMC_pinned_fallbacks]);
	EXPECT_NE(nt_pfn(mm, 1), nt_pfn(child, 1));
	/* Page 2, with no such references, is shared. */
	EXPECT_EQ(nt_pfn(mm, 2), nt_pfn(child, 2));
	EXPECT_EQ(0, pb_check_mm(child));

	b->extra_refs -= PB_GUP_PIN_COUNTING_BIAS;
	b->refcount -= PB_GUP_PIN_COUNTING_BIAS;
	ASSERT_EQ(0, pb_pin(mm, NT_VA, nt_va(mm, 1), false, &why)) TH_LOG("%s", why);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/* --- Fork under fail_nth ---------------------------------------------------------- */

/* What a failed fork must leave of the parent, byte for byte. */
struct parent_state {
	pb_pte_t *ptes;			/* every leaf entry of the VMAs' span */
	struct pb_page *pages;		/* every page the arena ever used */
	u8 *data;			/* the backing data of the mapped pages */
	u64 counters[PB_NR_MM_COUNTERS];
	struct pb_vma vmas[PB_MAX_VMAS];
	unsigned int nr_vmas, tlb_nr, nr_mms;
	u64 deferred_len, live_folios;
	s64 live[PB_CNT_live_bytes + 1];
};

static void take_state(struct pb_mm *mm, u64 start, unsigned int nr, u64 nr_frames,
		       struct parent_state *st)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		u64 va = start + ((u64)i << g->page_shift);
		void *data = pb_page_data(mm->phys, nt_pfn_at(mm, va));

		st->ptes[i] = nt_raw_at(mm, va);
		if (pb_pte_present(st->ptes[i]) && data)
			memcpy(st->data + ((u64)i << g->page_shift), data, pb_page_size(g));
	}
	for (i = 0; i < nr_frames; i++) {
		st->pages[i] = *pb_pfn_to_page(mm->phys, mm->phys->base_pfn + i);
		/* Walk scratch (one union) is not the parent's state. */
		st->pages[i].seen_maps = 0;
		st->pages[i].flags &= ~PB_PG_SEEN_DIRTY;
	}
	memcpy(st->counters, mm->counters, sizeof(st->counters));
	memcpy(st->vmas, mm->vmas, sizeof(st->vmas));
	st->nr_vmas = mm->nr_vmas;
	st->tlb_nr = mm->tlb.nr;
	st->nr_mms = mm->phys->nr_mms;
	st->deferred_len = mm->phys->deferred_len;
	st->live_folios = mm->phys->live_folios;
	for (i = 0; i <= PB_CNT_live_bytes; i++)
		st->live[i] = atomic64_read(&pb_counters[i]);
}

/*
 * MAP_SHARED|MAP_ANONYMOUS is shmem: its folios are file folios, never anon or
 * anon-exclusive, and a fork that copies the VMA (registered for uffd-wp with
 * the fork event: vma_needs_copy()) shares them (folio_dup_file_rmap_ptes()),
 * pinned or not: a pin never forces a copy.  Each side sees what the other
 * writes after the fork, and neither write faults.
 */
TEST_F(paths, fork_shares_shmem_folios_even_when_pinned)
{
	unsigned int cont = self->cont, round, i;
	struct pb_mm *mm = other_mm(self, true);
	const char *why = NULL;
	u64 folios;

	ASSERT_NE(NULL, mm);
	mm->knobs[PB_KNOB_uffd_fork_event] = 1;
	nt_add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_SHMEM | PB_VM_UFFD_WP);
	nt_populate(_metadata, mm, NT_VA, self->block, variant->cont_shift, false);
	nt_populate(_metadata, mm, nt_va(self->mm, cont), self->psize, 0, false);
	for (i = 0; i <= cont; i++) {
		struct pb_page *head = nt_folio_at(mm, nt_va(self->mm, i), NULL);

		EXPECT_FALSE(head->flags & PB_PG_ANON) TH_LOG("page %u", i);
		EXPECT_FALSE(nt_page_at(mm, nt_va(self->mm, i))->flags & PB_PG_ANON_EXCLUSIVE)
			TH_LOG("page %u", i);
		ASSERT_EQ(0, poke(mm, nt_va(self->mm, i), 0x1000 + i));
	}
	/* A page of the large folio and the order-0 page. */
	ASSERT_EQ(0, pb_pin(mm, nt_va(self->mm, 1), nt_va(self->mm, 2), true, &why))
		TH_LOG("%s", why);
	ASSERT_EQ(0, pb_pin(mm, nt_va(self->mm, cont), nt_va(self->mm, cont + 1), true, &why))
		TH_LOG("%s", why);
	folios = mm->phys->live_folios;

	for (round = 0; round < 2; round++) {
		u64 before[PB_NR_MM_COUNTERS];
		struct pb_mm *child;

		mm->knobs[PB_KNOB_fork_batch] = !round;
		NT_SNAP(mm, before);
		child = fork_child(_metadata, self, mm);
		ASSERT_NE(NULL, child);
		EXPECT_EQ(0, child->counters[PB_MMC_pinned_fallbacks]);
		EXPECT_EQ(folios, mm->phys->live_folios);
		EXPECT_EQ(cont + 1, child->counters[PB_MMC_ptes_copied]);
		for (i = 0; i <= cont; i++) {
			u64 va = nt_va(self->mm, i);

			EXPECT_EQ(nt_pfn_at(mm, va), nt_pfn_at(child, va)) TH_LOG("page %u", i);
			EXPECT_EQ(2, nt_page_at(mm, va)->mapcount) TH_LOG("page %u", i);
			EXPECT_FALSE(nt_page_at(mm, va)->flags & PB_PG_ANON_EXCLUSIVE)
				TH_LOG("page %u", i);
			EXPECT_EQ(0, poke(mm, va, 0x2000 + i)) TH_LOG("page %u", i);
			EXPECT_EQ(0x2000 + i, peek(child, va)) TH_LOG("page %u", i);
			EXPECT_EQ(0, poke(child, va, 0x1000 + i)) TH_LOG("page %u", i);
			EXPECT_EQ(0x1000 + i, peek(mm, va)) TH_LOG("page %u", i);
		}
		/* A shared mapping is not write-protected: no write faulted. */
		EXPECT_EQ(0, nt_delta(mm, before, PB_MMC_write_faults));
		EXPECT_EQ(0, child->counters[PB_MMC_write_faults]);
		EXPECT_EQ(0, child->counters[PB_MMC_cow_copies]);
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, pb_check_mm(child));
		exit_child(self);
	}
	ASSERT_EQ(0, pb_pin(mm, nt_va(self->mm, 1), nt_va(self->mm, 2), false, &why))
		TH_LOG("%s", why);
	ASSERT_EQ(0, pb_pin(mm, nt_va(self->mm, cont), nt_va(self->mm, cont + 1), false, &why))
		TH_LOG("%s", why);
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * An mm without the checker writes its entries on the helpers' fast paths
 * (no shadow to tell of each write: runs stored in one pass, a batch
 * write-protected without a branch per entry), which only the bench uses
 * otherwise.  The same steps on an mm with the checker and one without, in
 * arenas at the same PFNs, must leave the same entries, the same page
 * metadata and the same path counters, batched and one PTE at a time: the
 * mixed layout (with its fork), a hardware-dirty page, an mprotect round
 * trip over part of it, and a fork.
 */
TEST_F(paths, unchecked_fast_paths_do_what_the_checked_ones_do)
{
	static const enum pb_mm_counter same[] = {
		PB_MMC_pte_writes, PB_MMC_ptes_copied, PB_MMC_fork_batches,
		PB_MMC_folds, PB_MMC_unfolds, PB_MMC_converts,
		PB_MMC_wrprotect_whole_blocks, PB_MMC_wrprotect_partial_blocks,
		PB_MMC_refcount_atomics, PB_MMC_mapcount_atomics,
		PB_MMC_ad_gather_reads,
	};
	u64 pmd = pb_pmd_size(self->g), end = NT_VA + 6 * pmd, va, pfn;
	u64 base = self->mm->phys->base_pfn, blk = NT_VA + pmd + 8 * self->block;
	u64 hw = blk + 3 * self->block;
	struct pb_mm *mms[2], *kids[2], *layout[2];
	unsigned int batched, k, i;
	const char *why = NULL;

	for (batched = 0; batched < 2; batched++) {
		mms[0] = nt_mm_create(self->psize >> 10, 48, 48, base, 1 << 16, true);
		mms[1] = nt_mm_create(self->psize >> 10, 48, 48, base, 1 << 16, false);
		ASSERT_FALSE(IS_ERR(mms[0]) || IS_ERR(mms[1]));
		ASSERT_TRUE(mms[0]->shadowed && !mms[1]->shadowed);
		for (k = 0; k < 2; k++) {
			struct pb_mm *mm = mms[k];

			mm->knobs[PB_KNOB_fork_batch] = batched;
			mm->knobs[PB_KNOB_mprotect_batch] = batched;
			layout[k] = nt_mixed_layout(_metadata, mm);
			ASSERT_NE(NULL, layout[k]);
			/* Four folded blocks that fork has not write-protected. */
			nt_populate(_metadata, mm, blk, 4 * self->block,
				    self->g->cont_shift, false);
			/*
			 * The last block clean, then a write: one entry that
			 * only the hardware made dirty, for fork to keep so.
			 */
			nt_make_old_clean(mm, (hw - NT_VA) >> self->g->page_shift, self->cont);
			ASSERT_EQ(0, pb_access(mm, hw + self->psize, true, NULL));
			ASSERT_TRUE(pb_pte_hw_dirty(nt_raw_at(mm, hw + self->psize)));
			/* Part of a block to a few blocks on: partial and whole. */
			ASSERT_EQ(0, protect(_metadata, mm, blk + self->psize,
					     blk + 3 * self->block, PB_VM_READ));
			ASSERT_EQ(0, protect(_metadata, mm, blk + self->psize,
					     blk + 3 * self->block,
					     PB_VM_READ | PB_VM_WRITE));
			kids[k] = pb_fork(mm, 2, &why);
			ASSERT_FALSE(IS_ERR(kids[k])) TH_LOG("fork: %s", why);
		}
		for (va = NT_VA; va < end; va += self->psize) {
			EXPECT_EQ(nt_raw_at(mms[0], va), nt_raw_at(mms[1], va))
				TH_LOG("batched %u: parent at %#llx", batched, va);
			EXPECT_EQ(nt_raw_at(kids[0], va), nt_raw_at(kids[1], va))
				TH_LOG("batched %u: child at %#llx", batched, va);
		}
		for (pfn = base; pfn < base + (1 << 16); pfn++) {
			struct pb_page *a = pb_pfn_to_page(mms[0]->phys, pfn);
			struct pb_page *b = pb_pfn_to_page(mms[1]->phys, pfn);

			ASSERT_EQ(!a, !b);
			if (!a)
				continue;
			EXPECT_EQ(a->flags, b->flags) TH_LOG("pfn %#llx", pfn);
			EXPECT_EQ(a->mapcount, b->mapcount) TH_LOG("pfn %#llx", pfn);
			EXPECT_EQ(a->refcount, b->refcount) TH_LOG("pfn %#llx", pfn);
		}
		for (i = 0; i < ARRAY_SIZE(same); i++) {
			EXPECT_EQ(mms[0]->counters[same[i]], mms[1]->counters[same[i]])
				TH_LOG("batched %u: parent's %s", batched,
				       pb_mm_counter_names[same[i]]);
			EXPECT_EQ(kids[0]->counters[same[i]], kids[1]->counters[same[i]])
				TH_LOG("batched %u: child's %s", batched,
				       pb_mm_counter_names[same[i]]);
		}
		/* Something was written, and the checked mm saw no violation. */
		EXPECT_NE(0, kids[1]->counters[PB_MMC_pte_writes]);
		EXPECT_TRUE(pb_pte_dirty(nt_raw_at(mms[1], hw + self->psize)));
		EXPECT_FALSE(pb_pte_write(nt_raw_at(mms[1], hw + self->psize)));
		EXPECT_EQ(0, pb_check_mm(mms[0]));
		EXPECT_EQ(0, pb_check_mm(kids[0]));
		EXPECT_EQ(0, mms[0]->counters[PB_MMC_violations]);
		for (k = 0; k < 2; k++) {
			pb_mm_destroy(kids[k]);
			pb_mm_destroy(layout[k]);
			pb_mm_destroy(mms[k]);
		}
	}
}

/*
 * Fail each allocation of a fork in turn, with a pinned folio (copies to
 * allocate) and backing pages (data to allocate for them): every failure
 * leaves the parent as it was, byte for byte, and every live counter where it
 * was.  Then the fork that succeeds copies the pinned folio's pages.
 */
TEST_F(paths, fork_fails_cleanly_at_every_allocation)
{
	unsigned int cont = self->cont, nr = 9 * cont, cs = variant->cont_shift;
	struct parent_state st[2] = { };
	unsigned int nth, failures = 0, k;
	struct pb_mm *mm = other_mm(self, true), *child = NULL;
	const char *why = NULL;
	u64 frames;

	ASSERT_NE(NULL, mm);
	nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	nt_add_vma(_metadata, mm, nt_va(self->mm, 8 * cont), self->block, RW_SHARED);
	nt_populate(_metadata, mm, NT_VA, self->block, cs, false);
	nt_populate(_metadata, mm, nt_va(self->mm, cont), self->psize, 0, false);
	nt_populate(_metadata, mm, nt_va(self->mm, 2 * cont), 2 * self->block, cs + 1, false);
	nt_populate(_metadata, mm, nt_va(self->mm, 8 * cont), self->block, cs, false);
	for (k = 0; k < nr; k++)
		if (pb_pte_present(nt_raw(mm, k)))
			ASSERT_EQ(0, poke(mm, nt_va(self->mm, k), 0x5eed0000 + k));
	ASSERT_EQ(0, pb_pin(mm, nt_va(self->mm, 1), nt_va(self->mm, 2), true, &why))
		TH_LOG("%s", why);
	frames = mm->phys->high_water;
	for (k = 0; k < 2; k++) {
		st[k].ptes = calloc(nr, sizeof(*st[k].ptes));
		st[k].pages = calloc(frames, sizeof(*st[k].pages));
		st[k].data = calloc(nr, self->psize);
		ASSERT_TRUE(st[k].ptes && st[k].pages && st[k].data);
	}
	take_state(mm, NT_VA, nr, frames, &st[0]);

	for (nth = 1; nth < 4096; nth++) {
		atomic_set(&pb_fail_nth, nth);
		child = pb_fork(mm, 1, &why);
		if (!IS_ERR(child))
			break;
		failures++;
		EXPECT_EQ(-ENOMEM, PTR_ERR(child));
		EXPECT_EQ(0, atomic_read(&pb_fail_nth));
		take_state(mm, NT_VA, nr, frames, &st[1]);
		EXPECT_EQ(0, memcmp(st[0].ptes, st[1].ptes, nr * sizeof(*st[0].ptes)))
			TH_LOG("nth %u: entries", nth);
		EXPECT_EQ(0, memcmp(st[0].pages, st[1].pages, frames * sizeof(*st[0].pages)))
			TH_LOG("nth %u: pages", nth);
		EXPECT_EQ(0, memcmp(st[0].data, st[1].data, nr * self->psize))
			TH_LOG("nth %u: data", nth);
		EXPECT_EQ(0, memcmp(st[0].counters, st[1].counters, sizeof(st[0].counters)))
			TH_LOG("nth %u: counters", nth);
		EXPECT_EQ(0, memcmp(st[0].vmas, st[1].vmas, sizeof(st[0].vmas)))
			TH_LOG("nth %u: VMAs", nth);
		EXPECT_EQ(st[0].nr_vmas, st[1].nr_vmas);
		EXPECT_EQ(st[0].tlb_nr, st[1].tlb_nr);
		EXPECT_EQ(st[0].nr_mms, st[1].nr_mms);
		EXPECT_EQ(st[0].deferred_len, st[1].deferred_len);
		EXPECT_EQ(st[0].live_folios, st[1].live_folios);
		for (k = 0; k <= PB_CNT_live_bytes; k++) {
			EXPECT_EQ(st[0].live[k], st[1].live[k])
				TH_LOG("nth %u: %s", nth, pb_counter_names[k]);
			EXPECT_EQ(st[0].live[k], atomic64_read(&pb_counters[k]));
		}
	}
	atomic_set(&pb_fail_nth, 0);
	ASSERT_FALSE(IS_ERR(child)) TH_LOG("fork: %s", why);
	self->kids[self->nr_kids++] = child;
	/* Every allocation failed once: at least one per pinned page's copy. */
	EXPECT_EQ(nth - 1, failures);
	EXPECT_GT(failures, cont);
	EXPECT_EQ(cont, child->counters[PB_MMC_pinned_fallbacks]);
	for (k = 0; k < nr; k++) {
		u64 va = nt_va(self->mm, k);

		if (!pb_pte_present(nt_raw_at(mm, va)))
			continue;
		EXPECT_EQ(0x5eed0000 + k, peek(child, va)) TH_LOG("page %u", k);
		EXPECT_EQ(k < cont, nt_pfn_at(mm, va) != nt_pfn_at(child, va)) TH_LOG("page %u", k);
	}
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	for (k = 0; k < 2; k++) {
		free(st[k].ptes);
		free(st[k].pages);
		free(st[k].data);
	}
	ASSERT_EQ(0, pb_pin(mm, nt_va(self->mm, 1), nt_va(self->mm, 2), false, &why))
		TH_LOG("%s", why);
}

TEST_HARNESS_MAIN
