// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests: arm64 descriptors and the geometry of a private mm.  Output
 * addresses of 48 and 52 bits on each granule, where the high OA bits live,
 * and PFN stepping across 2^48 (and 2^50 with LPA2) by decode/re-encode and
 * by the naive "add a granule" that seed 004 fixes.
 */
#include "nt_mm.h"

FIXTURE(desc)
{
	struct pb_geom g48, g52;
};

FIXTURE_VARIANT(desc)
{
	NT_GRANULE_FIELDS;
};

FIXTURE_VARIANT_ADD(desc, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(desc, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(desc, granule_64k) NT_GRANULE_64K;

FIXTURE_SETUP(desc)
{
	const char *why = NULL;

	ASSERT_EQ(0, pb_geom_init(&self->g48, variant->page_kb, 48, 48, &why));
	ASSERT_EQ(0, pb_geom_init(&self->g52, variant->page_kb, 48, 52, &why));
}

FIXTURE_TEARDOWN(desc)
{
	nt_check_leaks(_metadata);
}

/* Every attribute bit that is not an output-address bit for @g. */
static pb_pte_t all_attrs(const struct pb_geom *g)
{
	pb_pte_t prot = PB_PTE_VALID | PB_PTE_TABLE | PB_PTE_ATTRINDX |
			PB_PTE_USER | PB_PTE_RDONLY | PB_PTE_AF | PB_PTE_NG |
			PB_PTE_GP | PB_PTE_DBM | PB_PTE_CONT | PB_PTE_PXN |
			PB_PTE_UXN | PB_PTE_DIRTY | PB_PTE_SPECIAL |
			PB_PTE_SOFT_DIRTY | PB_PTE_UFFD_WP;

	return g->lpa2 ? prot : prot | PB_PTE_SH;
}

/* A few PFNs at the edges of the PA size, and a spread between. */
static void check_round_trip(struct __test_metadata *_metadata,
			     const struct pb_geom *g)
{
	u64 max_pfn = 1ULL << (g->pa_bits - g->page_shift);
	u64 pfns[64], x = 0x9e3779b97f4a7c15ULL;
	pb_pte_t prot = all_attrs(g);
	unsigned int i, n = 0;

	pfns[n++] = 0;
	pfns[n++] = 1;
	pfns[n++] = max_pfn - 1;
	pfns[n++] = max_pfn >> 1;
	pfns[n++] = (max_pfn >> 1) - 1;
	while (n < ARRAY_SIZE(pfns)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pfns[n++] = x & (max_pfn - 1);
	}
	for (i = 0; i < n; i++) {
		pb_pte_t pte = pb_pfn_pte(g, pfns[i], prot);

		ASSERT_EQ(pfns[i], pb_pte_pfn(g, pte))
			TH_LOG("pa_bits %u pfn 0x%llx pte 0x%llx", g->pa_bits,
			       pfns[i], pte);
		/* The attributes survive, and only they are in the pgprot. */
		ASSERT_EQ(prot, pb_pte_pgprot(g, pte));
		ASSERT_EQ(pb_pfn_pte(g, 0, prot), pb_pte_pgprot(g, pte));
		/* Re-encoding with a descriptor as prot drops its old OA. */
		ASSERT_EQ(pte, pb_pfn_pte(g, pfns[i], pb_pfn_pte(g, pfns[n - 1 - i], prot)));
	}
}

TEST_F(desc, geometry)
{
	unsigned int cont = 1U << variant->cont_shift;

	ASSERT_EQ(variant->page_shift, self->g48.page_shift);
	ASSERT_EQ(variant->cont_shift, self->g48.cont_shift);
	ASSERT_EQ(cont, pb_cont_ptes(&self->g48));
	ASSERT_EQ(1ULL << variant->page_shift, pb_page_size(&self->g48));
	ASSERT_EQ((u64)cont << variant->page_shift, pb_cont_size(&self->g48));
	ASSERT_EQ(1U << (variant->page_shift - 3), pb_ptrs_per_table(&self->g48));
	ASSERT_EQ(variant->page_shift - 3, pb_pmd_order(&self->g48));
	/* LPA2 is the 52-bit OA of the 4K and 16K granules only. */
	ASSERT_FALSE(self->g48.lpa2);
	ASSERT_EQ(variant->page_kb != 64, self->g52.lpa2);
}

TEST_F(desc, levels_follow_granule_and_va_bits)
{
	unsigned int va_bits, bpl = variant->page_shift - 3;

	for (va_bits = 36; va_bits <= 52; va_bits++) {
		unsigned int bits = va_bits - variant->page_shift;
		unsigned int levels = (bits + bpl - 1) / bpl;
		const char *why = NULL;
		struct pb_geom g;

		ASSERT_EQ(0, pb_geom_init(&g, variant->page_kb, va_bits, 48, &why));
		ASSERT_EQ(levels, g.levels) TH_LOG("va_bits %u", va_bits);
		/* The top level is folded smaller, never larger. */
		ASSERT_LE(bits - (levels - 1) * bpl, bpl);
		ASSERT_GT(bits - (levels - 1) * bpl, 0);
	}
	/* The architecture's own cases. */
	if (variant->page_kb == 4) {
		struct pb_geom g;
		const char *why;

		pb_geom_init(&g, 4, 39, 48, &why);
		ASSERT_EQ(3, g.levels);
		pb_geom_init(&g, 4, 48, 48, &why);
		ASSERT_EQ(4, g.levels);
		pb_geom_init(&g, 4, 52, 52, &why);
		ASSERT_EQ(5, g.levels);
	} else if (variant->page_kb == 16) {
		ASSERT_EQ(4, self->g48.levels);
	} else {
		ASSERT_EQ(3, self->g48.levels);
	}
}

TEST_F(desc, bad_geometry_is_einval_with_a_reason)
{
	static const unsigned int bad[][3] = {
		{ 0, 48, 48 }, { 8, 48, 48 }, { 32, 48, 48 }, { 128, 48, 48 },
		{ 4, 35, 48 }, { 4, 53, 48 }, { 4, 64, 48 }, { 4, 0, 48 },
		{ 4, 48, 47 }, { 4, 48, 50 }, { 4, 48, 64 }, { 4, 48, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		unsigned int kb = bad[i][0] ? (bad[i][0] == 4 ? variant->page_kb :
					       bad[i][0]) : 0;
		const char *why = NULL;
		struct pb_geom g;

		EXPECT_EQ(-EINVAL, pb_geom_init(&g, kb, bad[i][1], bad[i][2], &why))
			TH_LOG("case %u", i);
		EXPECT_NE(NULL, why);
	}
}

TEST_F(desc, pfn_round_trip_48bit)
{
	check_round_trip(_metadata, &self->g48);
}

TEST_F(desc, pfn_round_trip_52bit)
{
	check_round_trip(_metadata, &self->g52);
}

/* 64K keeps OA[51:48] in bits [15:12]; LPA2 keeps OA[51:50] in bits [9:8]. */
TEST_F(desc, high_oa_bits_placement)
{
	const struct pb_geom *g = &self->g52;
	unsigned int k;

	for (k = 0; k < 16; k++) {
		u64 pa = ((u64)k << 48) | (1ULL << 47) | (1ULL << g->page_shift);
		pb_pte_t pte = pb_pfn_pte(g, pa >> g->page_shift, PB_PTE_VALID);

		if (!g->lpa2) {
			ASSERT_EQ((u64)k, (pte >> 12) & 0xf);
			/* Nothing at OA[51:48]'s natural place. */
			ASSERT_EQ(0, pte & GENMASK_ULL(51, 48));
			ASSERT_EQ(pa & GENMASK_ULL(47, 16), pte & GENMASK_ULL(47, 16));
		} else {
			ASSERT_EQ((u64)k >> 2, (pte >> 8) & 0x3);
			/* OA[49:48] in place, and nothing at 50 (GP) and 51 (DBM). */
			ASSERT_EQ((u64)(k & 3), (pte >> 48) & 0x3);
			ASSERT_EQ(0, pte & GENMASK_ULL(51, 50));
			ASSERT_EQ(pa & GENMASK_ULL(49, g->page_shift),
				  pte & GENMASK_ULL(49, g->page_shift));
		}
		ASSERT_EQ(PB_PTE_VALID, pb_pte_pgprot(g, pte));
		ASSERT_EQ(pa >> g->page_shift, pb_pte_pfn(g, pte));
	}
	/* With 48-bit OAs, the OA is [47:page_shift]; [9:8] are SH again. */
	ASSERT_EQ(GENMASK_ULL(variant->page_shift - 1, 0),
		  pb_pte_pgprot(&self->g48, GENMASK_ULL(variant->page_shift - 1, 0)));
	ASSERT_EQ(GENMASK_ULL(63, 48),
		  pb_pte_pgprot(&self->g48, GENMASK_ULL(63, variant->page_shift)));
}

/* Step @nr pages from @pfn; the fixed stepping must land on pfn + nr. */
static pb_pte_t step(const struct pb_geom *g, u64 pfn, u64 nr, bool naive)
{
	return pb_pte_advance(g, pb_pfn_pte(g, pfn, nt_prot_rw(g)), nr, naive);
}

TEST_F(desc, advance_across_2p48)
{
	const struct pb_geom *g = &self->g52;
	u64 edge = 1ULL << (48 - g->page_shift);	/* the PFN at 2^48 */
	u64 nr;

	for (nr = 1; nr <= 4; nr++) {
		pb_pte_t fixed = step(g, edge - 1, nr, false);
		pb_pte_t naive = step(g, edge - 1, nr, true);

		ASSERT_EQ(edge - 1 + nr, pb_pte_pfn(g, fixed));
		ASSERT_EQ(nt_prot_rw(g), pb_pte_pgprot(g, fixed));
		if (g->lpa2) {
			/* OA[49:48] are in place: the carry is still OA. */
			ASSERT_EQ(fixed, naive);
		} else {
			/* 64K: the carry lands in bit 48, not in OA[48]. */
			ASSERT_NE(edge - 1 + nr, pb_pte_pfn(g, naive));
			ASSERT_EQ(nr - 1, pb_pte_pfn(g, naive));
			ASSERT_NE(0, naive & BIT_ULL(48));
		}
	}
	/* Below the edge both agree. */
	ASSERT_EQ(step(g, edge - 9, 4, false), step(g, edge - 9, 4, true));
}

TEST_F(desc, advance_across_2p50_lpa2)
{
	const struct pb_geom *g = &self->g52;
	u64 edge = 1ULL << (50 - g->page_shift);	/* the PFN at 2^50 */
	pb_pte_t fixed = step(g, edge - 1, 1, false);
	pb_pte_t naive = step(g, edge - 1, 1, true);

	ASSERT_EQ(edge, pb_pte_pfn(g, fixed));
	ASSERT_EQ(nt_prot_rw(g), pb_pte_pgprot(g, fixed));
	if (!g->lpa2) {
		/* 64K: OA[51:48] are all in [15:12]; bit 50 is not special. */
		ASSERT_NE(edge, pb_pte_pfn(g, naive));
		return;
	}
	/* LPA2: OA[51:50] live in [9:8]; the carry lands in GP (bit 50). */
	ASSERT_NE(edge, pb_pte_pfn(g, naive));
	ASSERT_EQ(0, pb_pte_pfn(g, naive));
	ASSERT_NE(0, naive & PB_PTE_GP);
}

TEST_F(desc, advance_48bit_naive_is_exact)
{
	const struct pb_geom *g = &self->g48;
	u64 max_pfn = 1ULL << (48 - g->page_shift);

	ASSERT_EQ(step(g, 0x1234, 77, false), step(g, 0x1234, 77, true));
	ASSERT_EQ(max_pfn - 1, pb_pte_pfn(g, step(g, max_pfn - 10, 9, false)));
}

TEST_F(desc, attribute_algebra)
{
	const struct pb_geom *g = &self->g48;
	pb_pte_t rw = pb_pfn_pte(g, 0x42, nt_prot_rw(g));
	pb_pte_t clean = pb_pte_mkclean(rw), hw, ro;

	/* Populate's writable entry: dirty, young, writable, not RDONLY. */
	ASSERT_TRUE(pb_pte_write(rw));
	ASSERT_TRUE(pb_pte_dirty(rw));
	ASSERT_TRUE(pb_pte_young(rw));
	ASSERT_EQ(0, rw & PB_PTE_RDONLY);
	/* Clean and writable is RDONLY until DBM clears it. */
	ASSERT_FALSE(pb_pte_dirty(clean));
	ASSERT_TRUE(pb_pte_write(clean));
	ASSERT_NE(0, clean & PB_PTE_RDONLY);
	ASSERT_EQ(rw, pb_pte_mkdirty(clean));
	/* The hardware's dirty: RDONLY cleared, no software bit. */
	hw = clean & ~PB_PTE_RDONLY;
	ASSERT_TRUE(pb_pte_hw_dirty(hw));
	ASSERT_TRUE(pb_pte_dirty(hw));
	/* wrprotect moves it into the software bit. */
	ro = pb_pte_wrprotect(hw);
	ASSERT_FALSE(pb_pte_write(ro));
	ASSERT_FALSE(pb_pte_hw_dirty(ro));
	ASSERT_TRUE(pb_pte_dirty(ro));
	ASSERT_NE(0, ro & PB_PTE_DIRTY);
	ASSERT_NE(0, ro & PB_PTE_RDONLY);
	/* A clean entry stays clean through wrprotect. */
	ASSERT_FALSE(pb_pte_dirty(pb_pte_wrprotect(clean)));
	/* mkwrite of a dirty read-only entry is writable and dirty again. */
	ASSERT_EQ(rw, pb_pte_mkwrite(ro));
	ASSERT_EQ(clean, pb_pte_mkwrite(pb_pte_wrprotect(clean)));
	ASSERT_EQ(rw & ~PB_PTE_AF, pb_pte_mkold(rw));
	ASSERT_EQ(rw, pb_pte_mkyoung(pb_pte_mkold(rw)));
	ASSERT_EQ(pb_pte_pfn(g, rw), pb_pte_pfn(g, pb_pte_wrprotect(rw)));
	/* PROT_NONE: present, not valid. */
	ASSERT_TRUE(pb_pte_protnone(PB_PTE_PRESENT_INVALID));
	ASSERT_TRUE(pb_pte_present(PB_PTE_PRESENT_INVALID));
	ASSERT_FALSE(pb_pte_valid(PB_PTE_PRESENT_INVALID));
	ASSERT_FALSE(pb_pte_protnone(rw));
}

TEST_HARNESS_MAIN
