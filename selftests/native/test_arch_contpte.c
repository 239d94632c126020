// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests: the contpte layer and the batch helpers on each granule,
 * through the C API of pb_model.h.  Every expected count is derived from the
 * geometry, every test ends with a clean checker, and the counters that the
 * helpers move are checked exactly: a counter a test does not name must not
 * move.
 */
#include "nt_mm.h"

FIXTURE(cpte)
{
	struct pb_mm *mm;
	const struct pb_geom *g;
	struct pb_vma *vma;
	unsigned int cont;	/* CONT_PTES */
	u64 psize, block;	/* granule and contiguous block, in bytes */
	pb_pte_t prot;		/* a writable anon page of the VMA */
	u64 snap[PB_NR_MM_COUNTERS];
};

FIXTURE_VARIANT(cpte)
{
	NT_GRANULE_FIELDS;
};

FIXTURE_VARIANT_ADD(cpte, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(cpte, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(cpte, granule_64k) NT_GRANULE_64K;

/* The VMA: eight blocks, anon, read-write. */
#define NR_BLOCKS	8

FIXTURE_SETUP(cpte)
{
	const char *why = NULL;

	self->mm = nt_mm_create(variant->page_kb, 48, 48, 1 << 20, 1 << 16, true);
	ASSERT_FALSE(IS_ERR(self->mm));
	self->g = &self->mm->geom;
	self->cont = pb_cont_ptes(self->g);
	self->psize = pb_page_size(self->g);
	self->block = pb_cont_size(self->g);
	ASSERT_EQ(1U << variant->cont_shift, self->cont);
	ASSERT_EQ(0, pb_vma_add(self->mm, NT_VA, NT_VA + NR_BLOCKS * self->block,
				PB_VM_READ | PB_VM_WRITE | PB_VM_ANON, &why));
	self->vma = pb_vma_find(self->mm, NT_VA);
	ASSERT_NE(NULL, self->vma);
	self->prot = pb_vma_prot(self->mm, self->vma, true);
	ASSERT_EQ(0, pb_pgtable_prealloc(self->mm, NT_VA,
					 NT_VA + NR_BLOCKS * self->block));
	memcpy(self->snap, self->mm->counters, sizeof(self->snap));
}

FIXTURE_TEARDOWN(cpte)
{
	if (!IS_ERR_OR_NULL(self->mm)) {
		EXPECT_EQ(0, pb_check_mm(self->mm));
		EXPECT_EQ(0, self->mm->counters[PB_MMC_violations]);
		pb_mm_destroy(self->mm);
	}
	nt_check_leaks(_metadata);
}

static void snap(struct _test_data_cpte *self)
{
	memcpy(self->snap, self->mm->counters, sizeof(self->snap));
}

struct want {
	enum pb_mm_counter c;
	u64 n;
};

#define WANT(name, nr)	{ PB_MMC_##name, (nr) }

/* The counters the helpers move: unless a test names one, it must not move. */
static const enum pb_mm_counter watched[] = {
	PB_MMC_folds, PB_MMC_fold_attempts, PB_MMC_unfolds, PB_MMC_converts,
	PB_MMC_wrprotect_whole_blocks, PB_MMC_wrprotect_partial_blocks,
	PB_MMC_tlbi_page, PB_MMC_tlbi_range, PB_MMC_tlbi_mm,
	PB_MMC_tlbi_skipped_bbml2, PB_MMC_hw_af_updates,
	PB_MMC_hw_dirty_updates, PB_MMC_violations,
};

static void expect_deltas(struct __test_metadata *_metadata,
			  struct _test_data_cpte *self, const struct want *w,
			  unsigned int nr, int line)
{
	bool seen[PB_NR_MM_COUNTERS] = { };
	unsigned int i;

	for (i = 0; i < nr; i++) {
		EXPECT_EQ(w[i].n, self->mm->counters[w[i].c] - self->snap[w[i].c])
			TH_LOG("line %d: %s", line, pb_mm_counter_names[w[i].c]);
		seen[w[i].c] = true;
	}
	for (i = 0; i < ARRAY_SIZE(watched); i++) {
		if (seen[watched[i]])
			continue;
		EXPECT_EQ(0, self->mm->counters[watched[i]] - self->snap[watched[i]])
			TH_LOG("line %d: %s moved", line,
			       pb_mm_counter_names[watched[i]]);
	}
	snap(self);
}

#define EXPECT_DELTAS(...) do {							\
	const struct want __w[] = { __VA_ARGS__ };				\
	expect_deltas(_metadata, self, __w, ARRAY_SIZE(__w), __LINE__);		\
} while (0)
#define EXPECT_NO_DELTAS()	expect_deltas(_metadata, self, NULL, 0, __LINE__)

/* --- set_ptes ------------------------------------------------------------------ */

TEST_F(cpte, set_ptes_batch_sets_cont_on_aligned_blocks)
{
	unsigned int cont = self->cont, nb = 4;
	u64 i;

	/* One folio per block: each set_ptes() covers its block exactly. */
	nt_populate_pages(_metadata, self->mm, 0, nb * cont, variant->cont_shift, false);
	for (i = 0; i < nb * cont; i++) {
		pb_pte_t pte = nt_raw(self->mm, i);

		ASSERT_TRUE(pb_pte_valid_cont(pte)) TH_LOG("entry %llu", i);
		ASSERT_EQ(self->prot | PB_PTE_CONT, pb_pte_pgprot(self->g, pte));
		ASSERT_EQ(nt_pfn(self->mm, i & ~(u64)(cont - 1)) + (i & (cont - 1)),
			  pb_pte_pfn(self->g, pte));
	}
	for (i = 0; i < nb * cont; i += cont) {
		u64 pfn = nt_pfn(self->mm, i);

		ASSERT_EQ(0, pfn & (cont - 1));
	}
	EXPECT_DELTAS(WANT(pte_writes, nb * cont), WANT(folios_mapped, nb));

	/* Two blocks per folio: still every entry. */
	nt_populate_pages(_metadata, self->mm, nb * cont, 2 * cont, variant->cont_shift + 1, false);
	EXPECT_EQ(2 * cont, nt_nr_cont(self->mm, nb * cont, 2 * cont));
	/* Half a block per folio: never. */
	nt_populate_pages(_metadata, self->mm, (nb + 2) * cont, 2 * cont, variant->cont_shift - 1,
			  false);
	EXPECT_EQ(0, nt_nr_cont(self->mm, (nb + 2) * cont, 2 * cont));
	EXPECT_DELTAS(WANT(pte_writes, 4 * cont), WANT(folios_mapped, 1 + 4));
}

/*
 * contpte_set_ptes() sets an invalid (PROT_NONE) batch down raw: never CONT,
 * even where it covers whole aligned blocks of one folio.
 */
TEST_F(cpte, set_ptes_batch_of_invalid_entries_is_never_cont)
{
	unsigned int cont = self->cont;
	u64 head = nt_folio(self->mm, variant->cont_shift + 1), i;
	pb_pte_t none = (self->prot & ~(PB_PTE_VALID | PB_PTE_USER)) |
			PB_PTE_PRESENT_INVALID;

	ASSERT_NE(NT_NO_FOLIO, head);
	ASSERT_TRUE(pb_pte_protnone(none));
	nt_map(self->mm, nt_va(self->mm, 0), head, 0, 2 * cont, none);
	for (i = 0; i < 2 * cont; i++) {
		pb_pte_t pte = nt_raw(self->mm, i);

		ASSERT_TRUE(pb_pte_protnone(pte)) TH_LOG("entry %llu", i);
		ASSERT_FALSE(pb_pte_cont(pte)) TH_LOG("entry %llu", i);
		ASSERT_EQ(head + i, pb_pte_pfn(self->g, pte));
	}
	EXPECT_EQ(0, pb_check_mm(self->mm));
}

/*
 * __ptep_test_and_clear_young() does not look at valid: a PROT_NONE entry
 * that kept AF is young once, and old after.
 */
TEST_F(cpte, young_of_a_protnone_entry_clears_af)
{
	u64 head = nt_folio(self->mm, 0);
	pb_pte_t none = (self->prot & ~(PB_PTE_VALID | PB_PTE_USER)) |
			PB_PTE_PRESENT_INVALID | PB_PTE_AF;
	pb_pte_t *ptep;

	ASSERT_NE(NT_NO_FOLIO, head);
	nt_map(self->mm, nt_va(self->mm, 0), head, 0, 1, none);
	ptep = nt_ptep(self->mm, 0);
	ASSERT_TRUE(pb_pte_protnone(*ptep) && pb_pte_young(*ptep));
	EXPECT_TRUE(pb_ptep_test_and_clear_young(self->mm, nt_va(self->mm, 0), ptep));
	EXPECT_TRUE(pb_pte_protnone(*ptep));
	EXPECT_FALSE(pb_pte_young(*ptep));
	EXPECT_FALSE(pb_ptep_test_and_clear_young(self->mm, nt_va(self->mm, 0), ptep));
	EXPECT_EQ(0, pb_check_mm(self->mm));
}

TEST_F(cpte, set_ptes_misaligned_range_cont_only_on_covered_blocks)
{
	unsigned int cont = self->cont, nr = 4 * cont - 2;
	u64 head = nt_folio(self->mm, variant->cont_shift + 2), i;

	ASSERT_NE(NT_NO_FOLIO, head);
	ASSERT_EQ(0, head & (4 * cont - 1));
	snap(self);
	/* Pages 1 .. 4*cont-2 at the same offsets: blocks 1 and 2 covered. */
	nt_map(self->mm, nt_va(self->mm, 1), head, 1, nr, self->prot);
	EXPECT_EQ(0, nt_raw(self->mm, 0));
	EXPECT_EQ(0, nt_raw(self->mm, 4 * cont - 1));
	for (i = 1; i <= nr; i++) {
		bool covered = i / cont == 1 || i / cont == 2;

		ASSERT_EQ(covered, pb_pte_valid_cont(nt_raw(self->mm, i))) TH_LOG("entry %llu", i);
		ASSERT_EQ(head + i, nt_pfn(self->mm, i));
	}
	EXPECT_DELTAS(WANT(pte_writes, nr));

	/* VA aligned but PA one page off: no block is CONT. */
	head = nt_folio(self->mm, variant->cont_shift + 2);
	ASSERT_NE(NT_NO_FOLIO, head);
	nt_map(self->mm, nt_va(self->mm, 4 * cont), head, 1, 2 * cont, self->prot);
	EXPECT_EQ(0, nt_nr_cont(self->mm, 4 * cont, 2 * cont));
	EXPECT_EQ(head + 1, nt_pfn(self->mm, 4 * cont));
	EXPECT_EQ(head + 2 * cont, nt_pfn(self->mm, 6 * cont - 1));
	EXPECT_DELTAS(WANT(pte_writes, 2 * cont));
}

TEST_F(cpte, set_ptes_nr1_folds_on_the_last_entry)
{
	unsigned int cont = self->cont, i;
	u64 head = nt_folio(self->mm, variant->cont_shift);

	ASSERT_NE(NT_NO_FOLIO, head);
	snap(self);
	for (i = 0; i < cont - 1; i++)
		nt_map(self->mm, nt_va(self->mm, i), head, i, 1, self->prot);
	EXPECT_EQ(0, nt_nr_cont(self->mm, 0, cont));
	/* Only the last entry of a block tries. */
	EXPECT_DELTAS(WANT(pte_writes, cont - 1));
	nt_map(self->mm, nt_va(self->mm, cont - 1), head, cont - 1, 1, self->prot);
	EXPECT_EQ(cont, nt_nr_cont(self->mm, 0, cont));
	for (i = 0; i < cont; i++) {
		u64 pfn = nt_pfn(self->mm, i);

		EXPECT_EQ(head + i, pfn);
	}
	/* One convert: clear and set each entry, one range flush between. */
	EXPECT_DELTAS(WANT(pte_writes, 1 + 2 * cont), WANT(fold_attempts, 1),
		      WANT(folds, 1), WANT(converts, 1), WANT(tlbi_range, 1));

	/* Populate's per-PTE path: every block folds, one or two per folio. */
	nt_populate_pages(_metadata, self->mm, cont, 2 * cont, variant->cont_shift, true);
	nt_populate_pages(_metadata, self->mm, 4 * cont, 4 * cont, variant->cont_shift + 2, true);
	EXPECT_EQ(6 * cont, nt_nr_cont(self->mm, cont, 7 * cont));
	EXPECT_EQ(0, nt_nr_cont(self->mm, 3 * cont, cont));
	EXPECT_DELTAS(WANT(pte_writes, 6 * 3 * cont), WANT(fold_attempts, 6),
		      WANT(folds, 6), WANT(converts, 6), WANT(tlbi_range, 6),
		      WANT(folios_mapped, 3));
}

TEST_F(cpte, autofold_knob_off_never_folds_and_refold_on_rewrite)
{
	unsigned int cont = self->cont;

	self->mm->knobs[PB_KNOB_autofold] = 0;
	nt_populate_pages(_metadata, self->mm, 0, 2 * cont, variant->cont_shift, true);
	EXPECT_EQ(0, nt_nr_cont(self->mm, 0, 2 * cont));
	EXPECT_DELTAS(WANT(pte_writes, 2 * cont), WANT(folios_mapped, 2));

	/* With the knob back, rewriting a block's last entry folds it. */
	self->mm->knobs[PB_KNOB_autofold] = 1;
	pb_set_ptes(self->mm, nt_va(self->mm, cont - 1), nt_ptep(self->mm, cont - 1),
		    nt_raw(self->mm, cont - 1), 1);
	EXPECT_EQ(cont, nt_nr_cont(self->mm, 0, 2 * cont));
	EXPECT_DELTAS(WANT(pte_writes, 1 + 2 * cont), WANT(fold_attempts, 1),
		      WANT(folds, 1), WANT(converts, 1), WANT(tlbi_range, 1));
}

TEST_F(cpte, fold_needs_one_aligned_folio_and_equal_entries)
{
	unsigned int cont = self->cont;
	u64 head;

	/* Half-block folios: the last entry tries, and fails. */
	nt_populate_pages(_metadata, self->mm, 0, 2 * cont, variant->cont_shift - 1, true);
	EXPECT_EQ(0, nt_nr_cont(self->mm, 0, 2 * cont));
	EXPECT_STREQ("block not inside one folio",
		     pb_contpte_foldable(self->mm, nt_va(self->mm, cont - 1),
					 nt_ptep(self->mm, cont - 1)));
	EXPECT_DELTAS(WANT(pte_writes, 2 * cont), WANT(fold_attempts, 2),
		      WANT(folios_mapped, 4));

	/* PA one page off: the gate does not even try. */
	head = nt_folio(self->mm, variant->cont_shift + 1);
	ASSERT_NE(NT_NO_FOLIO, head);
	snap(self);
	nt_map(self->mm, nt_va(self->mm, 2 * cont), head, 1, 1, self->prot);
	for (u64 i = 1; i < cont; i++)
		nt_map(self->mm, nt_va(self->mm, 2 * cont + i), head, 1 + i, 1, self->prot);
	EXPECT_EQ(0, nt_nr_cont(self->mm, 2 * cont, cont));
	EXPECT_STREQ("physical address not block aligned",
		     pb_contpte_foldable(self->mm, nt_va(self->mm, 3 * cont - 1),
					 nt_ptep(self->mm, 3 * cont - 1)));
	EXPECT_DELTAS(WANT(pte_writes, cont));

	/* One entry read-only: the attributes differ. */
	self->mm->knobs[PB_KNOB_autofold] = 0;
	nt_populate_pages(_metadata, self->mm, 4 * cont, cont, variant->cont_shift, true);
	pb_ptep_set_wrprotect(self->mm, nt_va(self->mm, 4 * cont + 1),
			      nt_ptep(self->mm, 4 * cont + 1));
	pb_flush_tlb_page(self->mm, nt_va(self->mm, 4 * cont + 1));
	EXPECT_STREQ("entries differ",
		     pb_contpte_foldable(self->mm, nt_va(self->mm, 5 * cont - 1),
					 nt_ptep(self->mm, 5 * cont - 1)));
	/* Old and clean entries still fold: A/D is not compared. */
	nt_make_old_clean(self->mm, 4 * cont + 2, 1);
	pb_set_ptes(self->mm, nt_va(self->mm, 4 * cont + 1), nt_ptep(self->mm, 4 * cont + 1),
		    pb_pte_mkwrite(nt_raw(self->mm, 4 * cont + 1)), 1);
	pb_flush_tlb_page(self->mm, nt_va(self->mm, 4 * cont + 1));
	EXPECT_EQ(NULL, pb_contpte_foldable(self->mm, nt_va(self->mm, 5 * cont - 1),
					    nt_ptep(self->mm, 5 * cont - 1)));
	snap(self);
	pb_contpte_fold(self->mm, nt_va(self->mm, 5 * cont - 1), nt_ptep(self->mm, 5 * cont - 1));
	EXPECT_EQ(cont, nt_nr_cont(self->mm, 4 * cont, cont));
	EXPECT_DELTAS(WANT(pte_writes, 2 * cont), WANT(folds, 1), WANT(converts, 1),
		      WANT(tlbi_range, 1));
}

TEST_F(cpte, contpte_knob_off_never_cont)
{
	unsigned int cont = self->cont;

	self->mm->knobs[PB_KNOB_contpte] = 0;
	nt_populate_pages(_metadata, self->mm, 0, 2 * cont, variant->cont_shift, false);
	nt_populate_pages(_metadata, self->mm, 2 * cont, 2 * cont, variant->cont_shift + 1, true);
	EXPECT_EQ(0, nt_nr_cont(self->mm, 0, 4 * cont));
	EXPECT_DELTAS(WANT(pte_writes, 4 * cont), WANT(folios_mapped, 3));
	/* The helpers are the plain per-PTE ones. */
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 1), nt_ptep(self->mm, 1), 2 * cont);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, 1), nt_va(self->mm, 1 + 2 * cont));
	EXPECT_DELTAS(WANT(pte_writes, 2 * cont), WANT(tlbi_range, 1));
	EXPECT_TRUE(pb_ptep_test_and_clear_young(self->mm, nt_va(self->mm, 3),
						 nt_ptep(self->mm, 3)));
	EXPECT_TRUE(pb_pte_young(nt_raw(self->mm, 4)));
	EXPECT_DELTAS(WANT(pte_writes, 1));
}

/* --- ptep_get and hardware A/D -------------------------------------------------- */

TEST_F(cpte, ptep_get_gathers_ad_from_any_entry)
{
	static const enum pb_ad_policy policies[] = {
		PB_AD_LAST, PB_AD_FIRST, PB_AD_ACCESSED,
	};
	unsigned int cont = self->cont, p, i;

	nt_populate_pages(_metadata, self->mm, 0, ARRAY_SIZE(policies) * cont,
			  variant->cont_shift, false);
	nt_make_old_clean(self->mm, 0, ARRAY_SIZE(policies) * cont);
	for (i = 0; i < ARRAY_SIZE(policies) * cont; i++) {
		pb_pte_t pte = pb_ptep_get(self->mm, nt_va(self->mm, i), nt_ptep(self->mm, i));

		ASSERT_FALSE(pb_pte_dirty(pte));
		ASSERT_FALSE(pb_pte_young(pte));
		ASSERT_TRUE(pb_pte_valid_cont(pte));
	}
	snap(self);
	for (p = 0; p < ARRAY_SIZE(policies); p++) {
		u64 base = p * cont;
		/* Write the first page, or the last one for the first policy. */
		u64 page = base + (policies[p] == PB_AD_FIRST ? cont - 1 : 0);
		u64 target = policies[p] == PB_AD_LAST ? base + cont - 1 :
			     policies[p] == PB_AD_FIRST ? base : page;

		self->mm->knobs[PB_KNOB_ad_policy] = policies[p];
		ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, page), true, NULL));
		EXPECT_DELTAS(WANT(hw_af_updates, 1), WANT(hw_dirty_updates, 1),
			      WANT(pte_writes, 1), WANT(accesses, 1),
			      WANT(tlb_misses, 1), WANT(tlb_fills, 1));
		for (i = 0; i < cont; i++) {
			pb_pte_t r = nt_raw(self->mm, base + i);
			pb_pte_t pte = pb_ptep_get(self->mm, nt_va(self->mm, base + i),
						   nt_ptep(self->mm, base + i));

			/* Only the target entry changed... */
			ASSERT_EQ(base + i == target, pb_pte_young(r)) TH_LOG("entry %u", i);
			ASSERT_EQ(base + i == target, pb_pte_hw_dirty(r));
			/* ...but every entry reports the block dirty and young. */
			ASSERT_TRUE(pb_pte_dirty(pte)) TH_LOG("policy %u entry %u", p, i);
			ASSERT_TRUE(pb_pte_young(pte));
			ASSERT_EQ(pb_pte_pfn(self->g, r), pb_pte_pfn(self->g, pte));
		}
		/* The mutation: ptep_get() reports only its own entry. */
		self->mm->knobs[PB_KNOB_skip_ad_gather] = 1;
		for (i = 0; i < cont; i++) {
			pb_pte_t pte = pb_ptep_get(self->mm, nt_va(self->mm, base + i),
						   nt_ptep(self->mm, base + i));

			ASSERT_EQ(nt_raw(self->mm, base + i), pte);
			ASSERT_EQ(base + i == target, pb_pte_dirty(pte));
		}
		self->mm->knobs[PB_KNOB_skip_ad_gather] = 0;
	}
}

/*
 * Mainline's contpte_ptep_get() stops reading once both bits are known; 6.12
 * reads the whole block.  The result is the same; ad_gather_reads tells them
 * apart.  Without CONT nothing is gathered.
 */
TEST_F(cpte, ptep_get_early_exit_follows_the_profile)
{
	static const enum pb_profile profiles[] = {
		PB_PROFILE_MAINLINE, PB_PROFILE_6_12,
	};
	unsigned int cont = self->cont, p, at;

	nt_populate_pages(_metadata, self->mm, 0, cont, variant->cont_shift, false);
	for (p = 0; p < ARRAY_SIZE(profiles); p++) {
		pb_mm_set_profile(self->mm, profiles[p]);
		/* Young and dirty at entry @at: mainline reads up to it. */
		for (at = 0; at < cont; at += cont - 1) {
			u64 reads = self->mm->counters[PB_MMC_ad_gather_reads];
			pb_pte_t pte;

			nt_make_old_clean(self->mm, 0, cont);
			pb_write_pte(self->mm, nt_va(self->mm, at), nt_ptep(self->mm, at),
				     pb_pte_mkdirty(pb_pte_mkyoung(nt_raw(self->mm, at))));
			pte = pb_ptep_get(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0));
			EXPECT_TRUE(pb_pte_young(pte) && pb_pte_dirty(pte));
			EXPECT_EQ(profiles[p] == PB_PROFILE_MAINLINE ? at + 1 : cont,
				  self->mm->counters[PB_MMC_ad_gather_reads] - reads)
				TH_LOG("profile %u, both bits at entry %u", profiles[p], at);
			/* Read at that entry: the scan still starts at the first. */
			reads = self->mm->counters[PB_MMC_ad_gather_reads];
			pte = pb_ptep_get(self->mm, nt_va(self->mm, at), nt_ptep(self->mm, at));
			EXPECT_TRUE(pb_pte_young(pte) && pb_pte_dirty(pte));
			EXPECT_EQ(profiles[p] == PB_PROFILE_MAINLINE ? at + 1 : cont,
				  self->mm->counters[PB_MMC_ad_gather_reads] - reads)
				TH_LOG("profile %u, read at entry %u", profiles[p], at);
		}
		/* Neither bit anywhere: both read the whole block. */
		nt_make_old_clean(self->mm, 0, cont);
		snap(self);
		pb_ptep_get(self->mm, nt_va(self->mm, 1), nt_ptep(self->mm, 1));
		EXPECT_DELTAS(WANT(ad_gather_reads, cont));
	}
	/* An entry without CONT reads nothing else. */
	pb_contpte_try_unfold(self->mm, NT_VA, nt_ptep(self->mm, 0), nt_raw(self->mm, 0));
	snap(self);
	pb_ptep_get(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0));
	EXPECT_DELTAS(WANT(ad_gather_reads, 0));
	pb_flush_tlb_range(self->mm, NT_VA, NT_VA + self->block);
}

TEST_F(cpte, random_ad_policy_lands_on_one_entry)
{
	unsigned int cont = self->cont, i, young = 0;

	nt_populate_pages(_metadata, self->mm, 0, cont, variant->cont_shift, false);
	nt_make_old_clean(self->mm, 0, cont);
	self->mm->knobs[PB_KNOB_ad_policy] = PB_AD_RANDOM;
	self->mm->knobs[PB_KNOB_seed] = 12345;
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 3), false, NULL));
	for (i = 0; i < cont; i++) {
		young += pb_pte_young(nt_raw(self->mm, i));
		EXPECT_FALSE(pb_pte_dirty(nt_raw(self->mm, i)));
		EXPECT_TRUE(pb_pte_young(pb_ptep_get(self->mm, nt_va(self->mm, i),
						     nt_ptep(self->mm, i))));
	}
	EXPECT_EQ(1, young);
	/* A read through the TLB now changes nothing. */
	snap(self);
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 5), false, NULL));
	EXPECT_DELTAS(WANT(accesses, 1), WANT(tlb_hits, 1));
}

/* --- wrprotect -------------------------------------------------------------------- */

TEST_F(cpte, wrprotect_whole_blocks_stays_folded)
{
	unsigned int cont = self->cont, nb = 4;
	u64 i, dirty = 5;

	nt_populate_pages(_metadata, self->mm, 0, nb * cont, variant->cont_shift, false);
	/* Clean, then one hardware write: the DBM state of one entry. */
	pb_clear_young_dirty_ptes(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0),
				  nb * cont, false, true);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, 0), nt_va(self->mm, nb * cont));
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, dirty), true, NULL));
	ASSERT_TRUE(pb_pte_hw_dirty(nt_raw(self->mm, dirty)));
	snap(self);

	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0), nb * cont);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, 0), nt_va(self->mm, nb * cont));
	EXPECT_DELTAS(WANT(wrprotect_whole_blocks, nb), WANT(tlbi_range, 1),
		      WANT(pte_writes, nb * cont));
	for (i = 0; i < nb * cont; i++) {
		pb_pte_t pte = nt_raw(self->mm, i);

		ASSERT_TRUE(pb_pte_valid_cont(pte)) TH_LOG("entry %llu", i);
		ASSERT_FALSE(pb_pte_write(pte));
		ASSERT_NE(0, pte & PB_PTE_RDONLY);
		/* The hardware dirty state moved into the software bit. */
		ASSERT_EQ(i == dirty, !!(pte & PB_PTE_DIRTY)) TH_LOG("entry %llu", i);
		ASSERT_EQ(i < cont, pb_pte_dirty(pb_ptep_get(self->mm, nt_va(self->mm, i),
							     nt_ptep(self->mm, i))));
	}
}

TEST_F(cpte, wrprotect_partial_range_unfolds_only_edge_blocks)
{
	unsigned int cont = self->cont, nr = 4 * cont - 2;
	u64 i;

	nt_populate_pages(_metadata, self->mm, 0, 4 * cont, variant->cont_shift, false);
	snap(self);
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 1), nt_ptep(self->mm, 1), nr);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, 1), nt_va(self->mm, 1 + nr));
	/* Two converts of cont entries each, then every entry of the range. */
	EXPECT_DELTAS(WANT(wrprotect_whole_blocks, 2),
		      WANT(wrprotect_partial_blocks, 2), WANT(unfolds, 2),
		      WANT(converts, 2), WANT(tlbi_range, 2 + 1),
		      WANT(pte_writes, 2 * 2 * cont + nr));
	for (i = 0; i < 4 * cont; i++) {
		bool edge = i < cont || i >= 3 * cont;
		bool in = i >= 1 && i <= nr;

		ASSERT_EQ(!edge, pb_pte_valid_cont(nt_raw(self->mm, i))) TH_LOG("entry %llu", i);
		ASSERT_EQ(!in, pb_pte_write(nt_raw(self->mm, i))) TH_LOG("entry %llu", i);
		ASSERT_TRUE(pb_pte_dirty(nt_raw(self->mm, i)));
	}

	/* Inside one block, at neither end of it. */
	nt_populate_pages(_metadata, self->mm, 4 * cont, cont, variant->cont_shift, false);
	snap(self);
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 4 * cont + 2),
			  nt_ptep(self->mm, 4 * cont + 2), 3);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, 4 * cont + 2),
			   nt_va(self->mm, 4 * cont + 5));
	EXPECT_EQ(0, nt_nr_cont(self->mm, 4 * cont, cont));
	EXPECT_DELTAS(WANT(wrprotect_partial_blocks, 1), WANT(unfolds, 1),
		      WANT(converts, 1), WANT(tlbi_range, 1 + 1),
		      WANT(pte_writes, 2 * cont + 3));

	/* From the start of a block, less than a block. */
	nt_populate_pages(_metadata, self->mm, 5 * cont, cont, variant->cont_shift, false);
	snap(self);
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 5 * cont), nt_ptep(self->mm, 5 * cont),
			  cont - 1);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, 5 * cont), nt_va(self->mm, 6 * cont - 1));
	EXPECT_EQ(0, nt_nr_cont(self->mm, 5 * cont, cont));
	EXPECT_TRUE(pb_pte_write(nt_raw(self->mm, 6 * cont - 1)));
	EXPECT_DELTAS(WANT(wrprotect_partial_blocks, 1), WANT(unfolds, 1),
		      WANT(converts, 1), WANT(tlbi_range, 1 + 1),
		      WANT(pte_writes, 2 * cont + cont - 1));
}

TEST_F(cpte, wrprotect_partial_range_bbml2_skips_the_convert_flush)
{
	unsigned int cont = self->cont, nr = 4 * cont - 2;

	self->mm->knobs[PB_KNOB_bbml2] = 1;
	nt_populate_pages(_metadata, self->mm, 0, 4 * cont, variant->cont_shift, false);
	snap(self);
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 1), nt_ptep(self->mm, 1), nr);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, 1), nt_va(self->mm, 1 + nr));
	EXPECT_EQ(2 * cont, nt_nr_cont(self->mm, 0, 4 * cont));
	EXPECT_DELTAS(WANT(wrprotect_whole_blocks, 2),
		      WANT(wrprotect_partial_blocks, 2), WANT(unfolds, 2),
		      WANT(converts, 2), WANT(tlbi_skipped_bbml2, 2),
		      WANT(tlbi_range, 1), WANT(pte_writes, 2 * 2 * cont + nr));
}

TEST_F(cpte, wrprotect_nr1_on_cont_entry_unfolds_its_block)
{
	unsigned int cont = self->cont;

	nt_populate_pages(_metadata, self->mm, 0, 2 * cont, variant->cont_shift, false);
	nt_populate_pages(_metadata, self->mm, 2 * cont, cont, 0, false);
	snap(self);
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 2), nt_ptep(self->mm, 2), 1);
	pb_flush_tlb_page(self->mm, nt_va(self->mm, 2));
	EXPECT_EQ(0, nt_nr_cont(self->mm, 0, cont));
	EXPECT_EQ(cont, nt_nr_cont(self->mm, cont, cont));
	EXPECT_FALSE(pb_pte_write(nt_raw(self->mm, 2)));
	EXPECT_TRUE(pb_pte_write(nt_raw(self->mm, 1)));
	EXPECT_TRUE(pb_pte_write(nt_raw(self->mm, 3)));
	EXPECT_DELTAS(WANT(unfolds, 1), WANT(converts, 1), WANT(tlbi_range, 1),
		      WANT(tlbi_page, 1), WANT(pte_writes, 2 * cont + 1));

	/* ptep_set_wrprotect() is the same path. */
	pb_ptep_set_wrprotect(self->mm, nt_va(self->mm, 2 * cont - 1),
			      nt_ptep(self->mm, 2 * cont - 1));
	pb_flush_tlb_page(self->mm, nt_va(self->mm, 2 * cont - 1));
	EXPECT_EQ(0, nt_nr_cont(self->mm, cont, cont));
	EXPECT_DELTAS(WANT(unfolds, 1), WANT(converts, 1), WANT(tlbi_range, 1),
		      WANT(tlbi_page, 1), WANT(pte_writes, 2 * cont + 1));

	/* On a plain entry: nothing but the entry. */
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 2 * cont + 1),
			  nt_ptep(self->mm, 2 * cont + 1), 1);
	pb_flush_tlb_page(self->mm, nt_va(self->mm, 2 * cont + 1));
	EXPECT_DELTAS(WANT(tlbi_page, 1), WANT(pte_writes, 1));
	/* Already read-only: no write at all. */
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, 2 * cont + 1),
			  nt_ptep(self->mm, 2 * cont + 1), 1);
	EXPECT_DELTAS(WANT(pte_writes, 0));
}

/* --- Clearing ---------------------------------------------------------------------- */

TEST_F(cpte, zap_whole_blocks_clears_without_unfolding)
{
	unsigned int cont = self->cont, nr = 4 * cont;
	u64 folios = self->mm->phys->live_folios, i;

	nt_populate_pages(_metadata, self->mm, 0, nr, variant->cont_shift + 2, false);
	ASSERT_EQ(folios + 1, self->mm->phys->live_folios);
	snap(self);
	pb_zap_range(self->mm, nt_va(self->mm, 0), nt_va(self->mm, nr));
	for (i = 0; i < nr; i++) {
		pb_pte_t pte = nt_raw(self->mm, i);

		ASSERT_EQ(0, pte);
	}
	EXPECT_EQ(folios, self->mm->phys->live_folios);
	EXPECT_DELTAS(WANT(pte_writes, nr), WANT(tlbi_range, 1),
		      WANT(gather_flushes, 1), WANT(zap_batches, 1),
		      /* One run: two gather slots, full with fewer than two free. */
		      WANT(gather_forced_flushes,
			   2 + 2 > self->mm->knobs[PB_KNOB_gather_capacity]));
}

TEST_F(cpte, zap_partial_range_unfolds_only_edge_blocks)
{
	unsigned int cont = self->cont, nr = 4 * cont - 2;
	struct pb_page *head;
	u64 head_pfn;

	nt_populate_pages(_metadata, self->mm, 0, 4 * cont, variant->cont_shift + 2, false);
	head_pfn = nt_pfn(self->mm, 0);
	head = pb_pfn_to_page(self->mm->phys, head_pfn);
	snap(self);
	pb_zap_range(self->mm, nt_va(self->mm, 1), nt_va(self->mm, 1 + nr));
	EXPECT_DELTAS(WANT(unfolds, 2), WANT(converts, 2), WANT(tlbi_range, 2 + 1),
		      WANT(pte_writes, 2 * 2 * cont + nr), WANT(gather_flushes, 1),
		      WANT(zap_batches, 1), WANT(deferred_split_adds, 1),
		      /* One run: two gather slots, full with fewer than two free. */
		      WANT(gather_forced_flushes,
			   2 + 2 > self->mm->knobs[PB_KNOB_gather_capacity]));
	EXPECT_FALSE(pb_pte_cont(nt_raw(self->mm, 0)));
	EXPECT_FALSE(pb_pte_cont(nt_raw(self->mm, 4 * cont - 1)));
	EXPECT_EQ(head_pfn, nt_pfn(self->mm, 0));
	EXPECT_EQ(head_pfn + 4 * cont - 1, nt_pfn(self->mm, 4 * cont - 1));
	EXPECT_EQ(0, nt_raw(self->mm, 1));
	EXPECT_EQ(0, nt_raw(self->mm, nr));
	EXPECT_EQ(2, pb_folio_large_mapcount(head));
	EXPECT_EQ(2, head->refcount);
	EXPECT_TRUE(head->flags & PB_PG_DEFERRED);
}

TEST_F(cpte, get_and_clear_full_ptes_ors_ad_and_unfolds_edges)
{
	unsigned int cont = self->cont, nr = 2 * cont - 2;
	u64 head;
	pb_pte_t pte;

	nt_populate_pages(_metadata, self->mm, 0, 2 * cont, variant->cont_shift + 1, false);
	head = nt_pfn(self->mm, 0);
	nt_make_old_clean(self->mm, 0, 2 * cont);
	/* A write in block 1 and a read in block 0, on their own entries. */
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, cont + 3), true, NULL));
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 2), false, NULL));
	ASSERT_FALSE(pb_pte_dirty(nt_raw(self->mm, 1)));
	ASSERT_FALSE(pb_pte_young(nt_raw(self->mm, 1)));
	snap(self);

	pte = pb_get_and_clear_full_ptes(self->mm, nt_va(self->mm, 1), nt_ptep(self->mm, 1), nr);
	EXPECT_TRUE(pb_pte_dirty(pte));
	EXPECT_TRUE(pb_pte_young(pte));
	EXPECT_FALSE(pb_pte_cont(pte));
	EXPECT_EQ(head + 1, pb_pte_pfn(self->g, pte));
	EXPECT_DELTAS(WANT(unfolds, 2), WANT(converts, 2), WANT(tlbi_range, 2),
		      WANT(pte_writes, 2 * 2 * cont + nr));
	/* The unfolds gathered each block's A/D into the entries left. */
	EXPECT_TRUE(pb_pte_young(nt_raw(self->mm, 0)));
	EXPECT_FALSE(pb_pte_dirty(nt_raw(self->mm, 0)));
	EXPECT_TRUE(pb_pte_young(nt_raw(self->mm, 2 * cont - 1)));
	EXPECT_TRUE(pb_pte_dirty(nt_raw(self->mm, 2 * cont - 1)));
	nt_unmapped(self->mm, nt_va(self->mm, 1), head + 1, nr);

	/* Whole blocks: no unfold, and still the ORed A/D. */
	nt_populate_pages(_metadata, self->mm, 2 * cont, 2 * cont, variant->cont_shift + 1, false);
	head = nt_pfn(self->mm, 2 * cont);
	nt_make_old_clean(self->mm, 2 * cont, 2 * cont);
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 4 * cont - 1), true, NULL));
	snap(self);
	pte = pb_get_and_clear_full_ptes(self->mm, nt_va(self->mm, 2 * cont),
					 nt_ptep(self->mm, 2 * cont), 2 * cont);
	EXPECT_TRUE(pb_pte_dirty(pte));
	EXPECT_TRUE(pb_pte_young(pte));
	EXPECT_EQ(head, pb_pte_pfn(self->g, pte));
	EXPECT_DELTAS(WANT(pte_writes, 2 * cont));
	pb_pfn_to_page(self->mm->phys, head)->flags |= PB_PG_DIRTY;
	nt_unmapped(self->mm, nt_va(self->mm, 2 * cont), head, 2 * cont);

	/* nr == 1 on a cont entry: that block unfolds. */
	nt_populate_pages(_metadata, self->mm, 4 * cont, cont, variant->cont_shift, false);
	head = nt_pfn(self->mm, 4 * cont);
	snap(self);
	pte = pb_get_and_clear_full_ptes(self->mm, nt_va(self->mm, 4 * cont + 1),
					 nt_ptep(self->mm, 4 * cont + 1), 1);
	EXPECT_EQ(head + 1, pb_pte_pfn(self->g, pte));
	EXPECT_EQ(0, nt_nr_cont(self->mm, 4 * cont, cont));
	EXPECT_DELTAS(WANT(unfolds, 1), WANT(converts, 1), WANT(tlbi_range, 1),
		      WANT(pte_writes, 2 * cont + 1));
	nt_unmapped(self->mm, nt_va(self->mm, 4 * cont + 1), head + 1, 1);
}

TEST_F(cpte, clear_full_ptes_unfolds_only_partial_blocks)
{
	unsigned int cont = self->cont;
	u64 head;

	nt_populate_pages(_metadata, self->mm, 0, 4 * cont, variant->cont_shift + 2, false);
	head = nt_pfn(self->mm, 0);
	snap(self);
	/* Block 0 whole, block 1 half: one unfold, at the end. */
	pb_clear_full_ptes(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0),
			   cont + cont / 2);
	EXPECT_EQ(0, nt_nr_cont(self->mm, cont, cont));
	EXPECT_EQ(2 * cont, nt_nr_cont(self->mm, 2 * cont, 2 * cont));
	EXPECT_DELTAS(WANT(unfolds, 1), WANT(converts, 1), WANT(tlbi_range, 1),
		      WANT(pte_writes, 2 * cont + cont + cont / 2));
	nt_unmapped(self->mm, nt_va(self->mm, 0), head, cont + cont / 2);
	/* The second half of block 1 and block 2: one unfold, at the start. */
	snap(self);
	pb_clear_full_ptes(self->mm, nt_va(self->mm, cont + cont / 2),
			   nt_ptep(self->mm, cont + cont / 2), cont / 2 + cont);
	EXPECT_EQ(cont, nt_nr_cont(self->mm, 3 * cont, cont));
	/* Block 1 is already unfolded: no convert. */
	EXPECT_DELTAS(WANT(pte_writes, cont / 2 + cont));
	nt_unmapped(self->mm, nt_va(self->mm, cont + cont / 2), head + cont + cont / 2,
		    cont / 2 + cont);
	EXPECT_EQ(cont, pb_folio_large_mapcount(pb_pfn_to_page(self->mm->phys, head)));
}

TEST_F(cpte, ptep_get_and_clear_on_cont_entry_unfolds)
{
	unsigned int cont = self->cont;
	pb_pte_t pte;
	u64 head;

	nt_populate_pages(_metadata, self->mm, 0, cont, variant->cont_shift, false);
	head = nt_pfn(self->mm, 0);
	snap(self);
	pte = pb_ptep_get_and_clear(self->mm, nt_va(self->mm, 3), nt_ptep(self->mm, 3));
	EXPECT_EQ(head + 3, pb_pte_pfn(self->g, pte));
	EXPECT_FALSE(pb_pte_cont(pte));
	EXPECT_EQ(0, nt_raw(self->mm, 3));
	EXPECT_EQ(0, nt_nr_cont(self->mm, 0, cont));
	EXPECT_DELTAS(WANT(unfolds, 1), WANT(converts, 1), WANT(tlbi_range, 1),
		      WANT(pte_writes, 2 * cont + 1));
	nt_unmapped(self->mm, nt_va(self->mm, 3), head + 3, 1);
}

/* --- Young, access flags, clear_young_dirty ----------------------------------------- */

TEST_F(cpte, test_and_clear_young_clears_the_whole_block)
{
	unsigned int cont = self->cont, i;

	nt_populate_pages(_metadata, self->mm, 0, cont, variant->cont_shift, false);
	nt_populate_pages(_metadata, self->mm, cont, cont, 0, false);
	snap(self);
	EXPECT_TRUE(pb_ptep_test_and_clear_young(self->mm, nt_va(self->mm, 3),
						 nt_ptep(self->mm, 3)));
	for (i = 0; i < cont; i++) {
		EXPECT_FALSE(pb_pte_young(nt_raw(self->mm, i)));
		EXPECT_TRUE(pb_pte_valid_cont(nt_raw(self->mm, i)));
	}
	EXPECT_DELTAS(WANT(pte_writes, cont));
	EXPECT_FALSE(pb_ptep_test_and_clear_young(self->mm, nt_va(self->mm, 0),
						  nt_ptep(self->mm, 0)));
	EXPECT_NO_DELTAS();

	/* Young again on one entry: the flush covers the block, once. */
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, cont - 2), false, NULL));
	snap(self);
	EXPECT_TRUE(pb_ptep_clear_flush_young(self->mm, nt_va(self->mm, 1),
					      nt_ptep(self->mm, 1)));
	EXPECT_DELTAS(WANT(pte_writes, 1), WANT(tlbi_range, 1));
	EXPECT_FALSE(pb_ptep_clear_flush_young(self->mm, nt_va(self->mm, 1),
					       nt_ptep(self->mm, 1)));
	EXPECT_NO_DELTAS();

	/* A plain entry: only itself, and a page flush. */
	EXPECT_TRUE(pb_ptep_clear_flush_young(self->mm, nt_va(self->mm, cont + 1),
					      nt_ptep(self->mm, cont + 1)));
	EXPECT_TRUE(pb_pte_young(nt_raw(self->mm, cont)));
	EXPECT_FALSE(pb_pte_young(nt_raw(self->mm, cont + 1)));
	EXPECT_DELTAS(WANT(pte_writes, 1), WANT(tlbi_page, 1));
}

TEST_F(cpte, set_access_flags_on_a_block)
{
	unsigned int cont = self->cont, i;
	pb_pte_t entry;

	nt_populate_pages(_metadata, self->mm, 0, 2 * cont, variant->cont_shift, false);
	snap(self);
	/* Young and dirty already: nothing to do. */
	entry = pb_pte_mkyoung(pb_ptep_get(self->mm, nt_va(self->mm, 3),
					   nt_ptep(self->mm, 3)) & ~PB_PTE_CONT);
	EXPECT_FALSE(pb_ptep_set_access_flags(self->mm, nt_va(self->mm, 3),
					      nt_ptep(self->mm, 3), entry, false));
	EXPECT_NO_DELTAS();

	/* Old: a read fault makes every entry young, without a flush. */
	nt_make_old_clean(self->mm, 0, cont);
	snap(self);
	entry = pb_pte_mkyoung(pb_ptep_get(self->mm, nt_va(self->mm, 3),
					   nt_ptep(self->mm, 3)) & ~PB_PTE_CONT);
	EXPECT_TRUE(pb_ptep_set_access_flags(self->mm, nt_va(self->mm, 3),
					     nt_ptep(self->mm, 3), entry, false));
	for (i = 0; i < cont; i++) {
		EXPECT_TRUE(pb_pte_young(nt_raw(self->mm, i)));
		EXPECT_FALSE(pb_pte_dirty(nt_raw(self->mm, i)));
		EXPECT_TRUE(pb_pte_valid_cont(nt_raw(self->mm, i)));
	}
	EXPECT_DELTAS(WANT(pte_writes, cont));

	/* A write fault, write unchanged: every entry dirty, one range flush. */
	entry = pb_pte_mkdirty(pb_pte_mkwrite(entry));
	EXPECT_TRUE(pb_ptep_set_access_flags(self->mm, nt_va(self->mm, 3),
					     nt_ptep(self->mm, 3), entry, true));
	for (i = 0; i < cont; i++) {
		EXPECT_TRUE(pb_pte_dirty(nt_raw(self->mm, i)));
		EXPECT_EQ(0, nt_raw(self->mm, i) & PB_PTE_RDONLY);
	}
	EXPECT_DELTAS(WANT(pte_writes, cont), WANT(tlbi_range, 1));

	/* Read-only block, a write fault: unfold, then that entry only. */
	pb_wrprotect_ptes(self->mm, nt_va(self->mm, cont), nt_ptep(self->mm, cont), cont);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, cont), nt_va(self->mm, 2 * cont));
	snap(self);
	entry = pb_ptep_get(self->mm, nt_va(self->mm, cont + 1), nt_ptep(self->mm, cont + 1));
	entry = pb_pte_mkdirty(pb_pte_mkwrite(pb_pte_mkyoung(entry & ~PB_PTE_CONT)));
	EXPECT_TRUE(pb_ptep_set_access_flags(self->mm, nt_va(self->mm, cont + 1),
					     nt_ptep(self->mm, cont + 1), entry, true));
	EXPECT_EQ(0, nt_nr_cont(self->mm, cont, cont));
	for (i = cont; i < 2 * cont; i++) {
		bool write = pb_pte_write(nt_raw(self->mm, i));

		EXPECT_EQ(i == cont + 1, write);
	}
	EXPECT_DELTAS(WANT(unfolds, 1), WANT(converts, 1), WANT(tlbi_range, 1),
		      WANT(tlbi_page, 1), WANT(pte_writes, 2 * cont + 1));
}

TEST_F(cpte, clear_young_dirty_widens_to_whole_blocks)
{
	unsigned int cont = self->cont, i;

	nt_populate_pages(_metadata, self->mm, 0, 2 * cont, variant->cont_shift, false);
	nt_populate_pages(_metadata, self->mm, 2 * cont, cont, 0, false);
	snap(self);
	/* Two entries at the end of block 0, two at the start of block 1. */
	pb_clear_young_dirty_ptes(self->mm, nt_va(self->mm, cont - 2),
				  nt_ptep(self->mm, cont - 2), 4, true, true);
	pb_flush_tlb_range(self->mm, nt_va(self->mm, 0), nt_va(self->mm, 2 * cont));
	for (i = 0; i < 2 * cont; i++) {
		EXPECT_TRUE(pb_pte_valid_cont(nt_raw(self->mm, i)));
		EXPECT_FALSE(pb_pte_young(nt_raw(self->mm, i)));
		EXPECT_FALSE(pb_pte_dirty(nt_raw(self->mm, i)));
		EXPECT_TRUE(pb_pte_write(nt_raw(self->mm, i)));
	}
	EXPECT_DELTAS(WANT(pte_writes, 2 * cont), WANT(tlbi_range, 1));
	/* Plain entries: exactly the range. */
	pb_clear_young_dirty_ptes(self->mm, nt_va(self->mm, 2 * cont + 1),
				  nt_ptep(self->mm, 2 * cont + 1), 2, true, false);
	for (i = 2 * cont; i < 3 * cont; i++) {
		EXPECT_EQ(i != 2 * cont + 1 && i != 2 * cont + 2,
			  pb_pte_young(nt_raw(self->mm, i)));
	}
	EXPECT_DELTAS(WANT(pte_writes, 2));
}

/*
 * A PROT_NONE entry (present, not valid) loses AF and dirty too, as the
 * kernel's __clear_young_dirty_ptes() rewrites every entry it is given; the
 * kernel oracle found the model skipping it (kernel_oracle seed=7, 6.12).
 */
TEST_F(cpte, clear_young_dirty_clears_a_prot_none_entry)
{
	pb_pte_t pte;

	nt_populate_pages(_metadata, self->mm, 0, 1, 0, false);
	pte = pb_pte_mkdirty(pb_pte_mkyoung(nt_raw(self->mm, 0))) & ~PB_PTE_VALID;
	*nt_ptep(self->mm, 0) = pte;
	ASSERT_TRUE(pb_pte_protnone(pte));
	pb_clear_young_dirty_ptes(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0), 1,
				  true, false);
	EXPECT_EQ(pb_pte_mkold(pte), nt_raw(self->mm, 0));
	pb_clear_young_dirty_ptes(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0), 1,
				  false, true);
	EXPECT_EQ(pb_pte_mkclean(pb_pte_mkold(pte)), nt_raw(self->mm, 0));
	/* Back to valid, so that the teardown's zap sees a mapping. */
	*nt_ptep(self->mm, 0) = nt_raw(self->mm, 0) | PB_PTE_VALID;
}

/* --- Fold and unfold ------------------------------------------------------------------ */

TEST_F(cpte, fold_and_unfold_counters_with_and_without_bbml2)
{
	unsigned int cont = self->cont, nb = 4, b;

	nt_populate_pages(_metadata, self->mm, 0, nb * cont, variant->cont_shift, true);
	EXPECT_DELTAS(WANT(fold_attempts, nb), WANT(folds, nb), WANT(converts, nb),
		      WANT(tlbi_range, nb), WANT(pte_writes, nb * 3 * cont),
		      WANT(folios_mapped, nb));
	for (b = 0; b < nb; b++)
		pb_contpte_try_unfold(self->mm, nt_va(self->mm, b * cont + 1),
				      nt_ptep(self->mm, b * cont + 1),
				      nt_raw(self->mm, b * cont + 1));
	EXPECT_EQ(0, nt_nr_cont(self->mm, 0, nb * cont));
	EXPECT_DELTAS(WANT(unfolds, nb), WANT(converts, nb), WANT(tlbi_range, nb),
		      WANT(pte_writes, nb * 2 * cont));
	/* Not cont: nothing to unfold. */
	pb_contpte_try_unfold(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0),
			      nt_raw(self->mm, 0));
	EXPECT_NO_DELTAS();

	/* BBML2: the same converts without their TLBI. */
	self->mm->knobs[PB_KNOB_bbml2] = 1;
	nt_populate_pages(_metadata, self->mm, nb * cont, nb * cont, variant->cont_shift, true);
	EXPECT_DELTAS(WANT(fold_attempts, nb), WANT(folds, nb), WANT(converts, nb),
		      WANT(tlbi_skipped_bbml2, nb), WANT(pte_writes, nb * 3 * cont),
		      WANT(folios_mapped, nb));
	for (b = nb; b < 2 * nb; b++)
		pb_contpte_try_unfold(self->mm, nt_va(self->mm, b * cont),
				      nt_ptep(self->mm, b * cont), nt_raw(self->mm, b * cont));
	EXPECT_DELTAS(WANT(unfolds, nb), WANT(converts, nb),
		      WANT(tlbi_skipped_bbml2, nb), WANT(pte_writes, nb * 2 * cont));
	/* Folding back by hand, as the fold command does. */
	for (b = nb; b < 2 * nb; b++)
		pb_contpte_fold(self->mm, nt_va(self->mm, b * cont), nt_ptep(self->mm, b * cont));
	EXPECT_EQ(nb * cont, nt_nr_cont(self->mm, nb * cont, nb * cont));
	EXPECT_DELTAS(WANT(folds, nb), WANT(converts, nb),
		      WANT(tlbi_skipped_bbml2, nb), WANT(pte_writes, nb * 2 * cont));
}

TEST_F(cpte, unfold_gathers_ad_into_every_entry)
{
	unsigned int cont = self->cont, i;

	nt_populate_pages(_metadata, self->mm, 0, cont, variant->cont_shift, false);
	nt_make_old_clean(self->mm, 0, cont);
	self->mm->knobs[PB_KNOB_ad_policy] = PB_AD_LAST;
	ASSERT_EQ(0, pb_access(self->mm, nt_va(self->mm, 0), true, NULL));
	ASSERT_FALSE(pb_pte_dirty(nt_raw(self->mm, 0)));
	pb_contpte_try_unfold(self->mm, nt_va(self->mm, 0), nt_ptep(self->mm, 0),
			      nt_raw(self->mm, 0));
	for (i = 0; i < cont; i++) {
		pb_pte_t pte = nt_raw(self->mm, i);

		EXPECT_FALSE(pb_pte_cont(pte));
		EXPECT_TRUE(pb_pte_dirty(pte)) TH_LOG("entry %u", i);
		EXPECT_TRUE(pb_pte_young(pte));
		EXPECT_TRUE(pb_pte_write(pte));
	}
}

TEST_HARNESS_MAIN
