// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of check/check.c on folios that cross the output-address
 * boundaries (2^48, and 2^50 with LPA2): stepping the PFN by decode and
 * re-encode is exact and clean, and the naive "add a granule" mutation is
 * caught by the checker wherever it corrupts an entry.
 */
#include "pb_native.h"

FIXTURE(cross)
{
	struct pb_mm *mm;
	unsigned int cont;
	u64 edge_pfn;
};

FIXTURE_VARIANT(cross)
{
	unsigned int page_kb;
	unsigned int cont_shift;
	unsigned int edge;	/* log2 of the PA the folio crosses */
	bool naive_corrupts;
};

/* 64K keeps OA[51:48] apart: the carry out of OA[47] is lost. */
FIXTURE_VARIANT_ADD(cross, granule_64k_2p48) {
	.page_kb = 64, .cont_shift = 5, .edge = 48, .naive_corrupts = true };
/* LPA2 keeps OA[49:48] in place, so 2^48 is no edge; OA[51:50] are apart. */
FIXTURE_VARIANT_ADD(cross, granule_4k_2p48) {
	.page_kb = 4, .cont_shift = 4, .edge = 48, .naive_corrupts = false };
FIXTURE_VARIANT_ADD(cross, granule_4k_2p50) {
	.page_kb = 4, .cont_shift = 4, .edge = 50, .naive_corrupts = true };
FIXTURE_VARIANT_ADD(cross, granule_16k_2p48) {
	.page_kb = 16, .cont_shift = 7, .edge = 48, .naive_corrupts = false };
FIXTURE_VARIANT_ADD(cross, granule_16k_2p50) {
	.page_kb = 16, .cont_shift = 7, .edge = 50, .naive_corrupts = true };

FIXTURE_SETUP(cross)
{
	const char *why = NULL;
	unsigned int shift = variant->page_kb == 4 ? 12 :
			     variant->page_kb == 16 ? 14 : 16;

	self->cont = 1U << variant->cont_shift;
	self->edge_pfn = 1ULL << (variant->edge - shift);
	/* The arena starts a block below the edge. */
	self->mm = nt_mm_create(variant->page_kb, 48, 52, self->edge_pfn - self->cont,
				8 * self->cont, true);
	ASSERT_FALSE(IS_ERR(self->mm));
	ASSERT_EQ(0, pb_vma_add(self->mm, NT_VA, NT_VA + 8 * pb_cont_size(&self->mm->geom),
				PB_VM_READ | PB_VM_WRITE | PB_VM_ANON, &why));
}

FIXTURE_TEARDOWN(cross)
{
	if (!IS_ERR_OR_NULL(self->mm))
		pb_mm_destroy(self->mm);
	nt_check_leaks(_metadata);
}

/*
 * Populate one folio of @order at the arena's start (the edge is @offset
 * pages into it, for a PA-misaligned folio), with or without naive stepping;
 * returns how many of its entries decode to the wrong PFN.
 */
static unsigned int cross_populate(struct __test_metadata *_metadata,
				   struct _test_data_cross *self, u64 va,
				   unsigned int order, bool naive)
{
	struct pb_mm *mm = self->mm;
	const struct pb_geom *g = &mm->geom;
	unsigned int i, bad = 0;
	const char *why = NULL;
	pb_pte_t *ptep;
	u64 head;

	mm->knobs[PB_KNOB_naive_pfn_step] = naive;
	if (pb_populate(mm, va, va + (pb_page_size(g) << order), order, false, &why))
		return U32_MAX;
	mm->knobs[PB_KNOB_naive_pfn_step] = 0;
	ptep = pb_pte_offset(mm, va, false);
	head = pb_pte_pfn(g, ptep[0]);
	for (i = 0; i < 1U << order; i++)
		bad += pb_pte_pfn(g, ptep[i]) != head + i;
	return bad;
}

TEST_F(cross, fixed_stepping_is_exact_and_clean)
{
	struct pb_mm *mm = self->mm;
	u64 block = pb_cont_size(&mm->geom);

	/* Two blocks from a block below the edge: CONT, crossing at block 1. */
	ASSERT_EQ(0, cross_populate(_metadata, self, NT_VA, variant->cont_shift + 1,
				    false));
	EXPECT_EQ(self->edge_pfn, pb_pte_pfn(&mm->geom,
					     *pb_pte_offset(mm, NT_VA + block, false)));
	EXPECT_TRUE(pb_pte_valid_cont(*pb_pte_offset(mm, NT_VA + block, false)));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

TEST_F(cross, mutation_naive_pfn_step)
{
	struct pb_mm *mm = self->mm;
	u64 block = pb_cont_size(&mm->geom);
	unsigned int bad;

	bad = cross_populate(_metadata, self, NT_VA, variant->cont_shift + 1, true);
	if (!variant->naive_corrupts) {
		/* OA[49:48] are in place with LPA2: naive is right here. */
		EXPECT_EQ(0, bad);
		EXPECT_EQ(0, pb_check_mm(mm));
		return;
	}
	/* Every entry of the block above the edge is wrong... */
	EXPECT_EQ(self->cont, bad);
	EXPECT_NE(self->edge_pfn, pb_pte_pfn(&mm->geom,
					     *pb_pte_offset(mm, NT_VA + block, false)));
	/* ...and the checker says so: PTEs outside any folio, mapcounts off. */
	EXPECT_GT(pb_check_mm(mm), 0);
	EXPECT_EQ(self->cont, mm->counters[PB_MMC_violations_freed]);
	EXPECT_GT(mm->counters[PB_MMC_violations_mapcount], 0);
}

TEST_HARNESS_MAIN
