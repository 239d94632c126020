// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of check/check.c: the checker stays quiet through a mixed
 * workload with every mutation knob off; each of its rules fires, exactly,
 * on the state that breaks it; and each mutation knob is caught by the
 * checker or by the TLB model, which shows that neither is vacuous.  The
 * skip_wrprotect_flush mutation is driven through the commands, in
 * test_iface_cmd.c.
 */
#include "nt_mm.h"

FIXTURE(chk)
{
	struct pb_mm *mm;
	const struct pb_geom *g;
	unsigned int cont;
	u64 psize, block;
	u64 base;		/* violations before the test's own */
};

FIXTURE_VARIANT(chk)
{
	NT_GRANULE_FIELDS;
};

FIXTURE_VARIANT_ADD(chk, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(chk, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(chk, granule_64k) NT_GRANULE_64K;

#define NR_BLOCKS	8
/* A shared file mapping after the anon one: zap uses get_and_clear there. */
#define FILE_VA(self)	(NT_VA + NR_BLOCKS * (self)->block)

FIXTURE_SETUP(chk)
{
	const char *why = NULL;

	self->mm = nt_mm_create(variant->page_kb, 48, 48, 1 << 20, 1 << 16, true);
	ASSERT_FALSE(IS_ERR(self->mm));
	self->g = &self->mm->geom;
	self->cont = pb_cont_ptes(self->g);
	self->psize = pb_page_size(self->g);
	self->block = pb_cont_size(self->g);
	ASSERT_EQ(0, pb_vma_add(self->mm, NT_VA, NT_VA + NR_BLOCKS * self->block,
				PB_VM_READ | PB_VM_WRITE | PB_VM_ANON, &why));
	ASSERT_EQ(0, pb_vma_add(self->mm, FILE_VA(self),
				FILE_VA(self) + NR_BLOCKS * self->block,
				PB_VM_READ | PB_VM_WRITE | PB_VM_SHARED, &why));
}

FIXTURE_TEARDOWN(chk)
{
	if (!IS_ERR_OR_NULL(self->mm))
		pb_mm_destroy(self->mm);
	nt_check_leaks(_metadata);
}

static u64 viol(struct _test_data_chk *self, enum pb_mm_counter c)
{
	return self->mm->counters[c];
}

/* After the checker ran: @c went up by exactly @n, and nothing else did. */
static void expect_only(struct __test_metadata *_metadata,
			struct _test_data_chk *self, enum pb_mm_counter c, u64 n,
			const u64 *before)
{
	enum pb_mm_counter v;

	for (v = PB_MMC_violations_misprogrammed;
	     v < PB_MMC_violations_misprogrammed + PB_NR_VIOLATIONS; v++) {
		EXPECT_EQ(v == c ? n : 0, self->mm->counters[v] - before[v])
			TH_LOG("%s", pb_mm_counter_names[v]);
	}
	EXPECT_EQ(n, self->mm->counters[PB_MMC_violations] -
		     before[PB_MMC_violations]);
}

/* --- With every knob off, nothing is found ------------------------------------- */

TEST_F(chk, clean_after_a_mixed_workload)
{
	unsigned int cont = self->cont, round;
	struct pb_mm *mm = self->mm;
	u64 x = 0x2545f4914f6cdd1dULL, i;

	/* Folios of every size up to two blocks, batched and per PTE. */
	nt_populate(_metadata, mm, nt_va(self->mm, 0), 2 * self->block,
		    variant->cont_shift + 1, false);
	nt_populate(_metadata, mm, nt_va(self->mm, 2 * cont), 2 * self->block,
		    variant->cont_shift, true);
	nt_populate(_metadata, mm, nt_va(self->mm, 4 * cont), self->block,
		    variant->cont_shift - 1, true);
	nt_populate(_metadata, mm, nt_va(self->mm, 5 * cont), self->block, 0, false);
	nt_populate(_metadata, mm, FILE_VA(self), 4 * self->block,
		    variant->cont_shift + 2, false);
	ASSERT_EQ(0, pb_check_mm(mm));

	for (round = 0; round < 6; round++) {
		mm->knobs[PB_KNOB_ad_policy] = round % 4;
		mm->knobs[PB_KNOB_seed] = round + 1;
		mm->knobs[PB_KNOB_bbml2] = round & 1;
		/* Accesses all over, reads and writes. */
		for (i = 0; i < 4 * cont; i++) {
			u64 page;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			page = x % (6 * cont);
			pb_access(mm, nt_va(self->mm, page), x & 1, NULL);
		}
		/* Write-protect a misaligned range, as fork would, and flush. */
		pb_wrprotect_ptes(mm, nt_va(self->mm, 1 + round), nt_ptep(self->mm, 1 + round),
				  3 * cont);
		pb_flush_tlb_range(mm, nt_va(self->mm, 1 + round),
				   nt_va(self->mm, 1 + round + 3 * cont));
		/* Writes fault now; a fault handler makes them writable again. */
		for (i = 1 + round; i < 1 + round + 3 * cont; i += cont / 2) {
			pb_pte_t entry = pb_ptep_get(mm, nt_va(self->mm, i), nt_ptep(self->mm, i));

			entry = pb_pte_mkdirty(pb_pte_mkwrite(pb_pte_mkyoung(entry &
									     ~PB_PTE_CONT)));
			pb_ptep_set_access_flags(mm, nt_va(self->mm, i), nt_ptep(self->mm, i),
						 entry, true);
		}
		pb_ptep_clear_flush_young(mm, nt_va(self->mm, 2 * cont + round),
					  nt_ptep(self->mm, 2 * cont + round));
		nt_make_old_clean(self->mm, 4 * cont + round, cont);
		ASSERT_EQ(0, pb_check_mm(mm)) TH_LOG("round %u", round);
	}
	/* Unmap pieces: partial blocks at either end, and the file folio. */
	pb_zap_range(mm, nt_va(self->mm, 3), nt_va(self->mm, cont + 5));
	pb_zap_range(mm, nt_va(self->mm, 2 * cont + 1), nt_va(self->mm, 3 * cont));
	pb_zap_range(mm, FILE_VA(self) + self->psize,
		     FILE_VA(self) + 3 * self->block - self->psize);
	ASSERT_EQ(0, pb_check_mm(mm));
	pb_zap_range(mm, NT_VA, NT_VA + NR_BLOCKS * self->block);
	pb_zap_range(mm, FILE_VA(self), FILE_VA(self) + NR_BLOCKS * self->block);
	ASSERT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	/* The file folio outlives its mapping, in the page cache. */
	EXPECT_EQ(1, mm->phys->cache_folios);
	EXPECT_EQ(1, mm->phys->live_folios);
}

TEST_F(chk, clean_across_fork)
{
	unsigned int cont = self->cont;
	const char *why = NULL;
	struct pb_mm *child;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), 2 * self->block,
		    variant->cont_shift + 1, false);
	nt_populate(_metadata, self->mm, FILE_VA(self), self->block,
		    variant->cont_shift, true);
	child = pb_fork(self->mm, 1, &why);
	ASSERT_FALSE(IS_ERR(child)) TH_LOG("fork: %s", why);
	EXPECT_EQ(0, pb_check_mm(self->mm));
	EXPECT_EQ(0, pb_check_mm(child));
	/* Parent and child write, then the child goes. */
	EXPECT_EQ(0, pb_handle_fault(self->mm, nt_va(self->mm, 1), true, &why));
	EXPECT_EQ(0, pb_handle_fault(child, nt_va(self->mm, cont + 1), true, &why));
	EXPECT_EQ(0, pb_check_mm(self->mm));
	EXPECT_EQ(0, pb_check_mm(child));
	pb_mm_destroy(child);
	EXPECT_EQ(0, pb_check_mm(self->mm));
	EXPECT_EQ(0, self->mm->counters[PB_MMC_violations]);
}

/*
 * pb_check_mm_tables() scans only the mm's own blocks: after a fork, a
 * misprogrammed block of the parent shows in the parent's scan and not in
 * the child's, and a folio's wrong refcount, the arena's, in neither;
 * pb_check_mm() of either finds the refcount.
 */
TEST_F(chk, tables_check_sees_its_own_blocks_not_the_arena)
{
	unsigned int cont = self->cont;
	u64 before[PB_NR_MM_COUNTERS], child_before[PB_NR_MM_COUNTERS];
	const char *why = NULL;
	struct pb_page *head;
	struct pb_mm *child;
	pb_pte_t *ptep;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), self->block,
		    variant->cont_shift, false);
	child = pb_fork(self->mm, 1, &why);
	ASSERT_FALSE(IS_ERR(child)) TH_LOG("fork: %s", why);
	ptep = nt_ptep(self->mm, 0);
	ASSERT_TRUE(pb_pte_cont(ptep[cont - 1]));
	EXPECT_EQ(0, pb_check_mm_tables(self->mm));
	EXPECT_EQ(0, pb_check_mm_tables(child));

	/* An execute-never bit that differs in the block. */
	ptep[cont - 1] ^= PB_PTE_UXN;
	NT_SNAP(self->mm, before);
	EXPECT_EQ(0, pb_check_mm_tables(child));
	EXPECT_EQ(1, pb_check_mm_tables(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_misprogrammed, 1, before);
	ptep[cont - 1] ^= PB_PTE_UXN;
	EXPECT_EQ(0, pb_check_mm_tables(self->mm));

	head = pb_page_folio(self->mm->phys, pb_pte_pfn(self->g, ptep[0]), NULL);
	ASSERT_NE(NULL, head);
	head->refcount++;
	EXPECT_EQ(0, pb_check_mm_tables(self->mm));
	EXPECT_EQ(0, pb_check_mm_tables(child));
	NT_SNAP(child, child_before);
	EXPECT_EQ(1, pb_check_mm(child));
	EXPECT_EQ(1, nt_delta(child, child_before, PB_MMC_violations_refcount));
	head->refcount--;
	EXPECT_EQ(0, pb_check_mm(self->mm));
	pb_mm_destroy(child);
}

TEST_F(chk, fork_fails_cleanly_under_fail_nth)
{
	s64 bytes, folios;
	unsigned int nth;
	const char *why = NULL;
	struct pb_mm *child = NULL;
	u64 refs;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), 2 * self->block,
		    variant->cont_shift + 1, false);
	nt_populate(_metadata, self->mm, nt_va(self->mm, 4 * self->cont), self->block, 0, true);
	ASSERT_EQ(0, pb_pin(self->mm, nt_va(self->mm, 1), nt_va(self->mm, 2), true, &why))
		TH_LOG("pin: %s", why);
	bytes = atomic64_read(&pb_counters[PB_CNT_live_bytes]);
	folios = atomic64_read(&pb_counters[PB_CNT_live_folios]);
	refs = pb_pfn_to_page(self->mm->phys, pb_pte_pfn(self->g, *nt_ptep(self->mm, 0)))->refcount;
	for (nth = 1; nth < 64; nth++) {
		atomic_set(&pb_fail_nth, nth);
		child = pb_fork(self->mm, 1, &why);
		if (!IS_ERR(child))
			break;
		EXPECT_EQ(-ENOMEM, PTR_ERR(child));
		EXPECT_EQ(bytes, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
		EXPECT_EQ(folios, atomic64_read(&pb_counters[PB_CNT_live_folios]));
		EXPECT_EQ(1, self->mm->phys->nr_mms);
		EXPECT_EQ(0, pb_check_mm(self->mm)) TH_LOG("nth %u", nth);
	}
	atomic_set(&pb_fail_nth, 0);
	ASSERT_FALSE(IS_ERR(child));
	EXPECT_GT(nth, 1);
	/*
	 * A pinned folio may be DMA'd to: the child gets copies of all its
	 * exclusive pages, as upstream's folio_maybe_dma_pinned() decides per
	 * folio.  The other folios are shared.
	 */
	EXPECT_EQ(refs, pb_pfn_to_page(self->mm->phys,
				       pb_pte_pfn(self->g, *nt_ptep(self->mm, 0)))->refcount);
	EXPECT_NE(pb_pte_pfn(self->g, *nt_ptep(self->mm, 0)),
		  pb_pte_pfn(self->g, *pb_pte_offset(child, nt_va(self->mm, 0), false)));
	EXPECT_EQ(pb_pte_pfn(self->g, *nt_ptep(self->mm, 4 * self->cont)),
		  pb_pte_pfn(self->g, *pb_pte_offset(child, nt_va(self->mm, 4 * self->cont),
						     false)));
	EXPECT_EQ(0, pb_check_mm(child));
	pb_mm_destroy(child);
	EXPECT_EQ(0, pb_check_mm(self->mm));
	ASSERT_EQ(0, pb_pin(self->mm, nt_va(self->mm, 1), nt_va(self->mm, 2), false, &why));
	EXPECT_EQ(0, self->mm->counters[PB_MMC_violations]);
}

/*
 * A write to an anon page, then munmap() of just that page: its data goes
 * with the mapping, which is no lost dirty state.
 */
TEST_F(chk, anon_zap_of_a_written_page_is_not_dirty_lost)
{
	unsigned int order = variant->cont_shift - 1;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), self->psize << order, order,
		    false);
	nt_make_old_clean(self->mm, 0, 1U << order);
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 0), true, NULL));
	pb_zap_range(self->mm, nt_va(self->mm, 0), nt_va(self->mm, 1));
	EXPECT_EQ(0, pb_check_mm(self->mm));
	EXPECT_EQ(0, viol(self, PB_MMC_violations_dirty_lost));
}

/* --- Each rule fires on what breaks it ------------------------------------------- */

TEST_F(chk, rule_break_before_make)
{
	u64 before[PB_NR_MM_COUNTERS];
	pb_pte_t old, *ptep;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), 2 * self->psize, 0, false);
	ptep = nt_ptep(self->mm, 0);
	old = *ptep;
	NT_SNAP(self->mm, before);
	/* A live entry's output address changes in place. */
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep,
		     pb_pfn_pte(self->g, pb_pte_pfn(self->g, old) + 1, old));
	expect_only(_metadata, self, PB_MMC_violations_bbm, 1, before);
	/* Back, through an invalid entry but without an invalidation. */
	NT_SNAP(self->mm, before);
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, 0);
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, old);
	expect_only(_metadata, self, PB_MMC_violations_bbm, 1, before);
	/* CONT in place is a BBM violation, unless BBML2. */
	NT_SNAP(self->mm, before);
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, old | PB_PTE_CONT);
	expect_only(_metadata, self, PB_MMC_violations_bbm, 1, before);
	self->mm->knobs[PB_KNOB_bbml2] = 1;
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, old);
	self->mm->knobs[PB_KNOB_bbml2] = 0;
	expect_only(_metadata, self, PB_MMC_violations_bbm, 1, before);
	/* Permission and A/D changes are safe on a live entry. */
	NT_SNAP(self->mm, before);
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, pb_pte_mkold(pb_pte_wrprotect(old)));
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, old);
	/* Clear, invalidate, then anything: fine. */
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, 0);
	pb_flush_tlb_page(self->mm, nt_va(self->mm, 0));
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, old | PB_PTE_UXN);
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, 0);
	pb_flush_tlb_page(self->mm, nt_va(self->mm, 0));
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, old);
	expect_only(_metadata, self, PB_MMC_violations_bbm, 0, before);
	/* Global after non-global, even with an invalidation between... no. */
	NT_SNAP(self->mm, before);
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, old & ~PB_PTE_NG);
	expect_only(_metadata, self, PB_MMC_violations_bbm, 1, before);
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, 0);
	pb_flush_tlb_page(self->mm, nt_va(self->mm, 0));
	pb_write_pte(self->mm, nt_va(self->mm, 0), ptep, old);
	EXPECT_EQ(0, pb_check_mm(self->mm));
}

TEST_F(chk, rule_misprogrammed_contiguous_bit)
{
	unsigned int cont = self->cont;
	u64 before[PB_NR_MM_COUNTERS];
	pb_pte_t *ptep, old;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), 2 * self->block,
		    variant->cont_shift, false);
	ptep = nt_ptep(self->mm, 0);
	ASSERT_EQ(0, pb_check_mm(self->mm));
	/* CONT missing on one entry of a block: one violation per block. */
	old = ptep[3];
	ptep[3] &= ~PB_PTE_CONT;
	ptep[cont + 1] &= ~PB_PTE_CONT;
	ptep[cont + 2] &= ~PB_PTE_CONT;
	NT_SNAP(self->mm, before);
	EXPECT_EQ(2, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_misprogrammed, 2, before);
	ptep[3] = old;
	ptep[cont + 1] |= PB_PTE_CONT;
	ptep[cont + 2] |= PB_PTE_CONT;
	/* Different attributes, or a PFN out of sequence. */
	ptep[cont - 1] = pb_pte_wrprotect(ptep[cont - 1]);
	NT_SNAP(self->mm, before);
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_misprogrammed, 1, before);
	ptep[cont - 1] = pb_pte_mkwrite(ptep[cont - 1]);
	ptep[cont - 1] = pb_pte_mkdirty(ptep[cont - 1]);
	ASSERT_EQ(0, pb_check_mm(self->mm));
	/* A/D differing inside a block is what the hardware does: fine. */
	ptep[2] = pb_pte_mkold(pb_pte_mkclean(ptep[2]));
	EXPECT_EQ(0, pb_check_mm(self->mm));
}

/*
 * The checker walks the VMAs, widened to whole blocks: a block that two VMAs
 * share (mprotect split it) is checked once, and an entry outside every VMA,
 * which nothing legitimate makes, still shows as a mapcount that no walk
 * finds.
 */
TEST_F(chk, vmas_sharing_a_block_are_checked_once_and_strays_show)
{
	unsigned int cont = self->cont;
	u64 before[PB_NR_MM_COUNTERS], stray = FILE_VA(self) + NR_BLOCKS * self->block;
	const char *why = NULL;
	pb_pte_t *ptep;
	u64 f;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), self->block,
		    variant->cont_shift, false);
	ASSERT_EQ(0, pb_vma_split(self->mm, nt_va(self->mm, cont / 2)));
	ASSERT_EQ(3, self->mm->nr_vmas);
	ptep = nt_ptep(self->mm, 0);
	ptep[cont - 1] = pb_pte_wrprotect(ptep[cont - 1]);
	NT_SNAP(self->mm, before);
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_misprogrammed, 1, before);
	ptep[cont - 1] = pb_pte_mkdirty(pb_pte_mkwrite(ptep[cont - 1]));
	ASSERT_EQ(0, pb_check_mm(self->mm));

	f = nt_folio(self->mm, 0);
	ASSERT_NE(NT_NO_FOLIO, f);
	ASSERT_EQ(NULL, pb_vma_find(self->mm, stray));
	nt_map(self->mm, stray, f, 0, 1, nt_prot_rw(self->g));
	NT_SNAP(self->mm, before);
	/* The page's and the folio's mapcount, and the refcount: 3. */
	EXPECT_EQ(3, pb_check_mm(self->mm));
	EXPECT_EQ(2, nt_delta(self->mm, before, PB_MMC_violations_mapcount));
	EXPECT_EQ(1, nt_delta(self->mm, before, PB_MMC_violations_refcount));
	/* Inside a VMA it is a mapping like any other. */
	ASSERT_EQ(0, pb_vma_add(self->mm, stray, stray + self->block,
				PB_VM_READ | PB_VM_WRITE | PB_VM_ANON, &why));
	EXPECT_EQ(0, pb_check_mm(self->mm));
}

/*
 * CONT on an invalid (PROT_NONE) entry, in a block with no valid CONT entry:
 * contpte_set_ptes() never sets it, so it is misprogrammed, once per block.
 */
TEST_F(chk, rule_misprogrammed_cont_on_an_invalid_entry)
{
	unsigned int cont = self->cont, i;
	u64 before[PB_NR_MM_COUNTERS];
	pb_pte_t *ptep;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), 2 * self->block,
		    variant->cont_shift, false);
	ASSERT_EQ(0, pb_mprotect(self->mm, NT_VA, NT_VA + 2 * self->block, 0,
				 &(const char *){ NULL }));
	ptep = nt_ptep(self->mm, 0);
	for (i = 0; i < 2 * cont; i++)
		ASSERT_TRUE(pb_pte_protnone(ptep[i]) && !pb_pte_cont(ptep[i]));
	ASSERT_EQ(0, pb_check_mm(self->mm));
	ptep[1] |= PB_PTE_CONT;
	for (i = cont; i < 2 * cont; i++)
		ptep[i] |= PB_PTE_CONT;
	NT_SNAP(self->mm, before);
	EXPECT_EQ(2, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_misprogrammed, 2, before);
	ptep[1] &= ~PB_PTE_CONT;
	for (i = cont; i < 2 * cont; i++)
		ptep[i] &= ~PB_PTE_CONT;
	EXPECT_EQ(0, pb_check_mm(self->mm));
}

/*
 * A folded block's software bits agree: uffd-wp cleared on one entry without
 * an unfold, as a buggy handler would, is misprogrammed (and fork would copy
 * the difference into the child).
 */
TEST_F(chk, rule_misprogrammed_software_bits_differ_in_a_block)
{
	u64 before[PB_NR_MM_COUNTERS];
	pb_pte_t *ptep;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), self->block,
		    variant->cont_shift, false);
	ptep = nt_ptep(self->mm, 0);
	ASSERT_EQ(0, pb_check_mm(self->mm));
	ASSERT_EQ(self->cont, nt_nr_cont(self->mm, 0, self->cont));
	ptep[5] |= PB_PTE_UFFD_WP;
	NT_SNAP(self->mm, before);
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_misprogrammed, 1, before);
	ptep[5] &= ~PB_PTE_UFFD_WP;
	ptep[self->cont - 1] &= ~PB_PTE_SOFT_DIRTY;
	NT_SNAP(self->mm, before);
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_misprogrammed, 1, before);
	ptep[self->cont - 1] |= PB_PTE_SOFT_DIRTY;
	EXPECT_EQ(0, pb_check_mm(self->mm));
}

/*
 * A CONT block over two folios, even physically adjacent and aligned, is
 * misprogrammed: contpte's per-folio A/D and batch strides need one folio.
 */
TEST_F(chk, rule_misprogrammed_block_spans_two_folios)
{
	unsigned int cont = self->cont, half = cont / 2, i;
	u64 before[PB_NR_MM_COUNTERS], f1, f2;
	pb_pte_t *ptep;

	f1 = nt_folio(self->mm, variant->cont_shift - 1);
	f2 = nt_folio(self->mm, variant->cont_shift - 1);
	ASSERT_NE(NT_NO_FOLIO, f1);
	ASSERT_EQ(f1 + half, f2);
	ASSERT_EQ(0, f1 & (cont - 1));
	nt_map(self->mm, nt_va(self->mm, 0), f1, 0, half, nt_prot_rw(self->g));
	nt_map(self->mm, nt_va(self->mm, half), f2, 0, half, nt_prot_rw(self->g));
	ptep = nt_ptep(self->mm, 0);
	/* The allocations' own references stay: the refcount rule allows them. */
	ASSERT_EQ(0, pb_check_mm(self->mm));
	for (i = 0; i < cont; i++)
		ptep[i] |= PB_PTE_CONT;
	NT_SNAP(self->mm, before);
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_misprogrammed, 1, before);
	for (i = 0; i < cont; i++)
		ptep[i] &= ~PB_PTE_CONT;
	EXPECT_EQ(0, pb_check_mm(self->mm));
}

/*
 * An anon-exclusive page mapped by two PTEs (here a parent's and its fork
 * child's) breaks the invariant that fork and COW rest on.
 */
TEST_F(chk, rule_exclusive_page_mapped_twice)
{
	u64 before[PB_NR_MM_COUNTERS];
	const char *why = NULL;
	struct pb_mm *child;
	struct pb_page *page;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), self->block, 0, false);
	child = pb_fork(self->mm, 1, &why);
	ASSERT_FALSE(IS_ERR(child)) TH_LOG("fork: %s", why);
	page = nt_page_at(self->mm, nt_va(self->mm, 3));
	ASSERT_FALSE(page->flags & PB_PG_ANON_EXCLUSIVE);
	ASSERT_EQ(0, pb_check_mm(self->mm));
	page->flags |= PB_PG_ANON_EXCLUSIVE;
	NT_SNAP(self->mm, before);
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_exclusive, 1, before);
	/* Mapped once, it may be exclusive: after the child goes, no violation. */
	pb_mm_destroy(child);
	EXPECT_EQ(0, pb_check_mm(self->mm));
}

TEST_F(chk, rule_refcount_mapcount_and_freed)
{
	u64 before[PB_NR_MM_COUNTERS], head_pfn;
	struct pb_page *head;
	pb_pte_t pte;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), self->block,
		    variant->cont_shift, false);
	head_pfn = pb_pte_pfn(self->g, *nt_ptep(self->mm, 0));
	head = pb_pfn_to_page(self->mm->phys, head_pfn);
	ASSERT_EQ(self->cont, head->refcount);

	NT_SNAP(self->mm, before);
	head->refcount++;
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_refcount, 1, before);
	head->refcount--;

	NT_SNAP(self->mm, before);
	head[1].mapcount++;
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_mapcount, 1, before);
	head[1].mapcount--;
	NT_SNAP(self->mm, before);
	pb_folio_large_mapcount_add(head, 1);
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_mapcount, 1, before);
	pb_folio_large_mapcount_add(head, -1);
	ASSERT_EQ(0, pb_check_mm(self->mm));

	/* A PTE left behind on a folio that was freed. */
	nt_populate(_metadata, self->mm, nt_va(self->mm, 2 * self->cont), self->psize, 0,
		    false);
	pte = *nt_ptep(self->mm, 2 * self->cont);
	pb_zap_range(self->mm, nt_va(self->mm, 2 * self->cont),
		     nt_va(self->mm, 2 * self->cont + 1));
	*nt_ptep(self->mm, 2 * self->cont) = pte;
	NT_SNAP(self->mm, before);
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_freed, 1, before);
	*nt_ptep(self->mm, 2 * self->cont) = 0;
}

TEST_F(chk, rule_dirty_lost)
{
	u64 before[PB_NR_MM_COUNTERS];
	pb_pte_t *ptep = NULL;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), self->psize, 0, false);
	nt_make_old_clean(self->mm, 0, 1);
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 0), true, NULL));
	ASSERT_EQ(0, pb_check_mm(self->mm));
	/* The written entry made clean behind the folio's back. */
	ptep = nt_ptep(self->mm, 0);
	*ptep = pb_pte_mkclean(*ptep);
	NT_SNAP(self->mm, before);
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_dirty_lost, 1, before);
	/* Cleaned on purpose (MADV_FREE's way): fine. */
	pb_clear_young_dirty_ptes(self->mm, nt_va(self->mm, 0), ptep, 1, false, true);
	pb_flush_tlb_page(self->mm, nt_va(self->mm, 0));
	EXPECT_EQ(0, pb_check_mm(self->mm));
}

TEST_F(chk, rule_stale_tlb)
{
	u64 before[PB_NR_MM_COUNTERS];
	pb_pte_t old;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), 2 * self->psize, 0, false);
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 0), true, NULL));
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 1), false, NULL));
	/* Cleared without an invalidation: the TLB still translates. */
	NT_SNAP(self->mm, before);
	old = pb_raw_get_and_clear(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0));
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 0), false, NULL));
	expect_only(_metadata, self, PB_MMC_violations_stale_tlb, 1, before);
	EXPECT_EQ(0, self->mm->counters[PB_MMC_stale_tlb_writes] -
		     before[PB_MMC_stale_tlb_writes]);
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 0), true, NULL));
	EXPECT_EQ(1, self->mm->counters[PB_MMC_stale_tlb_writes] -
		     before[PB_MMC_stale_tlb_writes]);
	/* After the flush the access faults instead. */
	pb_flush_tlb_page(self->mm, nt_va(self->mm, 0));
	NT_SNAP(self->mm, before);
	EXPECT_EQ(-EFAULT, pb_access(self->mm, nt_va(self->mm, 0), false, NULL));
	expect_only(_metadata, self, PB_MMC_violations_stale_tlb, 0, before);
	EXPECT_EQ(1, self->mm->counters[PB_MMC_faults] - before[PB_MMC_faults]);
	pb_write_pte(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0), old);
	/* Write-protected, no flush: a write through the old entry. */
	pb_ptep_set_wrprotect(self->mm, nt_va(self->mm, 1), nt_ptep(self->mm, 1));
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 1), false, NULL));
	NT_SNAP(self->mm, before);
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 0), true, NULL));
	expect_only(_metadata, self, PB_MMC_violations_stale_tlb, 0, before);
}

/* --- Each mutation knob is caught -------------------------------------------------- */

TEST_F(chk, mutation_partial_wrprotect_no_unfold)
{
	unsigned int cont = self->cont;
	u64 before[PB_NR_MM_COUNTERS];

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), 8 * self->block,
		    variant->cont_shift, false);
	/* Correct: edges unfolded, nothing to find. */
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 1), nt_ptep(self->mm, 1), 4 * cont - 2);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, 1), nt_va(self->mm, 4 * cont - 1));
	EXPECT_EQ(0, pb_check_mm(self->mm));
	/* Mutated: the edge blocks keep CONT over mixed permissions. */
	self->mm->knobs[PB_KNOB_partial_wrprotect_no_unfold] = 1;
	NT_SNAP(self->mm, before);
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 4 * cont + 1),
			  nt_ptep(self->mm, 4 * cont + 1), 4 * cont - 2);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, 4 * cont + 1),
			   nt_va(self->mm, 8 * cont - 1));
	EXPECT_EQ(0, self->mm->counters[PB_MMC_unfolds] - before[PB_MMC_unfolds]);
	EXPECT_EQ(2, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_misprogrammed, 2, before);
}

/*
 * A block cleaned, then written by the hardware on its last entry, then
 * unfolded from its first entry: by pb_contpte_try_unfold(), or by the nr==1
 * wrprotect that fork does on a plain... cont entry.  Returns the violations
 * the checker finds.
 */
static u64 dirty_then_unfold(struct __test_metadata *_metadata,
			     struct _test_data_chk *self, unsigned int cont_shift,
			     u64 first, bool via_wrprotect)
{
	struct pb_mm *mm = self->mm;

	nt_populate(_metadata, mm, nt_va(self->mm, first), self->block, cont_shift, false);
	nt_make_old_clean(self->mm, first, self->cont);
	mm->knobs[PB_KNOB_ad_policy] = PB_AD_LAST;
	if (pb_access(mm, nt_va(self->mm, first), true, NULL))
		return U64_MAX;
	if (pb_pte_dirty(*nt_ptep(self->mm, first)))
		return U64_MAX;
	if (via_wrprotect) {
		pb_ptep_set_wrprotect(mm, nt_va(self->mm, first), nt_ptep(self->mm, first));
		pb_flush_tlb_page(mm, nt_va(self->mm, first));
	} else {
		pb_contpte_try_unfold(mm, nt_va(self->mm, first), nt_ptep(self->mm, first),
				      *nt_ptep(self->mm, first));
	}
	return pb_check_mm(mm);
}

TEST_F(chk, mutation_skip_ad_gather)
{
	unsigned int cont = self->cont;
	u64 before[PB_NR_MM_COUNTERS];
	u64 i, dirty = 0;

	/* Correct: the unfold gathers the dirty bit into every entry. */
	EXPECT_EQ(0, dirty_then_unfold(_metadata, self, variant->cont_shift, 0, false));
	EXPECT_EQ(0, dirty_then_unfold(_metadata, self, variant->cont_shift, cont, true));
	for (i = 0; i < 2 * cont; i++)
		dirty += pb_pte_dirty(*nt_ptep(self->mm, i));
	EXPECT_EQ(2 * cont, dirty);
	/* Mutated: the dirty bit of the last entry is lost. */
	self->mm->knobs[PB_KNOB_skip_ad_gather] = 1;
	NT_SNAP(self->mm, before);
	EXPECT_EQ(1, dirty_then_unfold(_metadata, self, variant->cont_shift,
				       2 * cont, false));
	expect_only(_metadata, self, PB_MMC_violations_dirty_lost, 1, before);
	/* Unmapped whole, that folio is no longer the checker's concern. */
	pb_zap_range(self->mm, nt_va(self->mm, 2 * cont), nt_va(self->mm, 3 * cont));
	NT_SNAP(self->mm, before);
	EXPECT_EQ(1, dirty_then_unfold(_metadata, self, variant->cont_shift,
				       3 * cont, true));
	expect_only(_metadata, self, PB_MMC_violations_dirty_lost, 1, before);
	for (dirty = 0, i = 3 * cont; i < 4 * cont; i++)
		dirty += pb_pte_dirty(*nt_ptep(self->mm, i));
	EXPECT_EQ(0, dirty);
}

/*
 * The same loss after MADV_FREE cleaned only the other block of the folio:
 * the written page's state must survive a clean of its neighbours.
 */
TEST_F(chk, mutation_skip_ad_gather_after_a_partial_clean)
{
	unsigned int cont = self->cont;
	u64 before[PB_NR_MM_COUNTERS];
	pb_pte_t *ptep;

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), 2 * self->block,
		    variant->cont_shift + 1, false);
	nt_make_old_clean(self->mm, 0, 2 * cont);
	self->mm->knobs[PB_KNOB_ad_policy] = PB_AD_LAST;
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, cont), true, NULL));
	ptep = nt_ptep(self->mm, 0);
	ASSERT_TRUE(pb_pte_dirty(ptep[2 * cont - 1]));
	/* Block 0 cleaned on purpose; block 1's written page is not. */
	nt_make_old_clean(self->mm, 0, cont);
	ASSERT_EQ(0, pb_check_mm(self->mm));
	self->mm->knobs[PB_KNOB_skip_ad_gather] = 1;
	pb_contpte_try_unfold(self->mm, nt_va(self->mm, cont), ptep + cont, ptep[cont]);
	ASSERT_FALSE(pb_pte_dirty(ptep[2 * cont - 1]));
	NT_SNAP(self->mm, before);
	EXPECT_EQ(1, pb_check_mm(self->mm));
	expect_only(_metadata, self, PB_MMC_violations_dirty_lost, 1, before);
}

/*
 * Issue 9, item 6: a per-PTE munmap of a folded block of a shared file
 * mapping whose only hardware-dirty page is page 5.  Its first
 * ptep_get_and_clear() unfolds the block; without the A/D gather the unfold
 * drops page 5's dirty bit, and its zap does not dirty the folio.  The page
 * cache keeps the folio, written and clean: dirty_lost, found as the last
 * mapping of the page goes.  With the gather, the folio ends dirty.
 */
TEST_F(chk, mutation_skip_ad_gather_at_a_per_pte_file_zap)
{
	unsigned int cont = self->cont, mutated;
	u64 va = FILE_VA(self), before[PB_NR_MM_COUNTERS];
	struct pb_page *head;

	for (mutated = 0; mutated < 2; mutated++) {
		nt_populate(_metadata, self->mm, va, self->block, variant->cont_shift, false);
		ASSERT_EQ(cont, nt_nr_cont(self->mm, (va - NT_VA) / self->psize, cont));
		/* Written back: entries and folio clean. */
		pb_clear_young_dirty_ptes(self->mm, va, nt_ptep_at(self->mm, va), cont,
					  false, true);
		pb_flush_tlb_range(self->mm, va, va + self->block);
		head = nt_folio_at(self->mm, va, NULL);
		head->flags &= ~PB_PG_DIRTY;
		ASSERT_EQ(0, pb_access(self->mm, va + 5 * self->psize, true, NULL));
		ASSERT_EQ(0, pb_check_mm(self->mm));
		self->mm->knobs[PB_KNOB_zap_batch] = 0;
		self->mm->knobs[PB_KNOB_skip_ad_gather] = mutated;
		NT_SNAP(self->mm, before);
		pb_zap_range(self->mm, va, va + self->block);
		EXPECT_EQ(mutated, nt_delta(self->mm, before, PB_MMC_violations_dirty_lost))
			TH_LOG("mutated %u", mutated);
		EXPECT_EQ(mutated, nt_delta(self->mm, before, PB_MMC_violations))
			TH_LOG("mutated %u", mutated);
		EXPECT_EQ(!mutated, !!(head->flags & PB_PG_DIRTY)) TH_LOG("mutated %u", mutated);
		/* Unmapped: the folio stays in the page cache, a reference a page. */
		EXPECT_EQ(0, pb_folio_large_mapcount(head));
		EXPECT_EQ(1U << head->order, head->refcount);
		self->mm->knobs[PB_KNOB_skip_ad_gather] = 0;
		self->mm->knobs[PB_KNOB_zap_batch] = 1;
		va += self->block;
	}
}

/* The TLB model: a write through a writable entry that wrprotect left. */
TEST_F(chk, wrprotect_without_flush_is_a_stale_tlb_write)
{
	unsigned int cont = self->cont;
	u64 before[PB_NR_MM_COUNTERS];

	nt_populate(_metadata, self->mm, nt_va(self->mm, 0), 2 * self->block,
		    variant->cont_shift, false);
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 3), true, NULL));
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, cont + 3), true, NULL));
	/* Block 0 flushed as the caller must; block 1 not. */
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0), 2 * cont);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, 0), nt_va(self->mm, cont));
	NT_SNAP(self->mm, before);
	EXPECT_EQ(-EFAULT, pb_access(self->mm, nt_va(self->mm, 5), true, NULL));
	expect_only(_metadata, self, PB_MMC_violations_stale_tlb, 0, before);
	EXPECT_EQ(0, pb_access(self->mm, nt_va(self->mm, cont + 5), true, NULL));
	expect_only(_metadata, self, PB_MMC_violations_stale_tlb, 1, before);
	EXPECT_EQ(1, self->mm->counters[PB_MMC_stale_tlb_writes] -
		     before[PB_MMC_stale_tlb_writes]);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, cont), nt_va(self->mm, 2 * cont));
}

TEST_HARNESS_MAIN
