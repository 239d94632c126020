// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of the kernel shadow's pure part (real/kdesc.c): descriptors
 * compared by meaning across output-address formats, the reason a
 * difference gives, and the model-PFN to real-folio translation table; and
 * of the native stand-in for the running kernel, which refuses the mirror
 * as a kernel without contpte does.
 */
#include "pb_native.h"
#include "real/kdesc.h"
#include "real/kcontpte.h"
#include "real/kmirror.h"

static pb_pte_t user_prot(const struct pb_geom *g)
{
	pb_pte_t prot = PB_PTE_VALID | PB_PTE_TABLE | PB_PTE_USER | PB_PTE_AF |
			PB_PTE_NG | PB_PTE_PXN | PB_PTE_UXN | PB_PTE_RDONLY;

	return g->lpa2 ? prot : prot | PB_ATTR_SH_INNER;
}

/* A 48-bit mm's entry and an LPA2 one of the same page and attributes agree. */
TEST(kdesc_same_meaning_across_oa_formats)
{
	struct pb_geom g48, g52;
	struct pb_kview a, b;
	const char *why = NULL;
	u64 pfn = 0x12345;

	ASSERT_EQ(0, pb_geom_init(&g48, 4, 48, 48, &why));
	ASSERT_EQ(0, pb_geom_init(&g52, 4, 48, 52, &why));
	ASSERT_TRUE(g52.lpa2);
	pb_kview_model(&g48, pb_pfn_pte(&g48, pfn, user_prot(&g48)) | PB_PTE_SOFT_DIRTY, &a);
	pb_kview_model(&g52, pb_pfn_pte(&g52, pfn, user_prot(&g52)), &b);
	EXPECT_TRUE(a.has_pfn);
	EXPECT_EQ(pfn, a.pfn);
	EXPECT_EQ(a.attrs, b.attrs);
	EXPECT_EQ(NULL, pb_kview_diff(&a, pfn, true, &b));
	/* Above 2^48 the LPA2 encoding keeps OA[51:50] in [9:8]: still equal. */
	pfn = (3ULL << 38) + 5;
	pb_kview_model(&g52, pb_pfn_pte(&g52, pfn, user_prot(&g52)), &b);
	EXPECT_EQ(pfn, b.pfn);
	EXPECT_EQ(a.attrs, b.attrs);
}

/* Each field a reason names, from the bit that differs. */
TEST(kdesc_diff_names_the_field)
{
	static const struct {
		u64 bit;
		const char *field;
	} cases[] = {
		{ PB_PTE_CONT, "cont" }, { PB_PTE_AF, "af" }, { PB_PTE_DBM, "dbm" },
		{ PB_PTE_RDONLY, "rdonly" }, { PB_PTE_DIRTY, "dirty" },
		{ PB_PTE_SPECIAL, "special" }, { PB_PTE_UFFD_WP, "uffd_wp" },
		{ PB_PTE_UXN, "xn" }, { PB_PTE_VALID, "valid" }, { BIT_ULL(60), "attr" },
	};
	struct pb_geom g;
	const char *why = NULL;
	struct pb_kview m, k;
	pb_pte_t pte;
	unsigned int i;

	ASSERT_EQ(0, pb_geom_init(&g, 16, 48, 48, &why));
	pte = pb_pfn_pte(&g, 0x400, user_prot(&g));
	pb_kview_model(&g, pte, &m);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		pb_kview_model(&g, pte ^ cases[i].bit, &k);
		EXPECT_STREQ(cases[i].field, pb_kview_diff(&m, 0x400, true, &k));
	}
	/* SH and soft-dirty are not compared. */
	pb_kview_model(&g, pte ^ PB_PTE_SH ^ PB_PTE_SOFT_DIRTY, &k);
	EXPECT_EQ(NULL, pb_kview_diff(&m, 0x400, true, &k));
	/* The PFN: through the translation, or none to be had. */
	EXPECT_STREQ("pfn", pb_kview_diff(&m, 0x401, true, &m));
	EXPECT_STREQ("pfn", pb_kview_diff(&m, 0x400, false, &m));
	/* None entries have no PFN to translate. */
	pb_kview_model(&g, 0, &m);
	EXPECT_FALSE(m.has_pfn);
	EXPECT_EQ(NULL, pb_kview_diff(&m, 0, false, &m));
	EXPECT_STREQ("get_and_clear_full_ptes",
		     pb_khelper_names[PB_KH_get_and_clear_full_ptes]);
}

TEST(kxlate_by_folio)
{
	struct pb_kxlate x = { };
	u64 real = 0;
	unsigned int i;
	int cookie[3];

	EXPECT_FALSE(pb_kxlate_pfn(&x, 5, &real));
	ASSERT_EQ(0, pb_kxlate_insert(&x, 0x100, 4, 0x9000, &cookie[0]));
	ASSERT_EQ(0, pb_kxlate_insert(&x, 0x10, 0, 0x7777, &cookie[1]));
	ASSERT_EQ(0, pb_kxlate_insert(&x, 0x200, 9, 0x40000, &cookie[2]));
	ASSERT_EQ(3, x.nr);
	for (i = 1; i < x.nr; i++)
		EXPECT_LT(x.ent[i - 1].model_head, x.ent[i].model_head);
	EXPECT_TRUE(pb_kxlate_pfn(&x, 0x10f, &real));
	EXPECT_EQ(0x900f, real);
	EXPECT_FALSE(pb_kxlate_pfn(&x, 0x110, &real));
	EXPECT_FALSE(pb_kxlate_pfn(&x, 0x11, &real));
	EXPECT_TRUE(pb_kxlate_pfn(&x, 0x3ff, &real));
	EXPECT_EQ(0x401ff, real);
	/* Overlaps: one inside an entry, one that covers an entry's head. */
	EXPECT_EQ(1, pb_kxlate_overlap(&x, 0x108, 1));
	EXPECT_EQ(1, pb_kxlate_overlap(&x, 0xc0, 7));
	EXPECT_EQ(-1, pb_kxlate_overlap(&x, 0x110, 4));
	EXPECT_EQ(-1, pb_kxlate_overlap(&x, 0x11, 0));
	EXPECT_EQ(&cookie[0], pb_kxlate_remove(&x, 1));
	EXPECT_FALSE(pb_kxlate_pfn(&x, 0x100, &real));
	EXPECT_EQ(2, x.nr);
	/* It grows past its first size. */
	for (i = 0; i < 40; i++)
		ASSERT_EQ(0, pb_kxlate_insert(&x, 0x1000 + 2 * i, 1, 0x20000 + 2 * i, NULL));
	EXPECT_TRUE(pb_kxlate_pfn(&x, 0x1000 + 2 * 39 + 1, &real));
	EXPECT_EQ(0x20000 + 2 * 39 + 1, real);
	pb_kxlate_free(&x);
	EXPECT_EQ(0, x.nr);
}

/* An allocation failure while growing leaves the table as it was. */
TEST(kxlate_insert_out_of_memory)
{
	struct pb_kxlate x = { };
	u64 real;

	atomic_set(&pb_fail_nth, 1);
	EXPECT_EQ(-ENOMEM, pb_kxlate_insert(&x, 0x100, 0, 0x200, NULL));
	EXPECT_EQ(0, x.nr);
	EXPECT_FALSE(pb_kxlate_pfn(&x, 0x100, &real));
	atomic_set(&pb_fail_nth, 0);
	pb_kxlate_free(&x);
}

/* The stand-in has no kernel to mirror: EOPNOTSUPP, and the reason. */
TEST(stub_refuses_the_mirror)
{
	struct pb_kshadow *ks = NULL;
	unsigned int ps, cs;
	const char *why = NULL;
	struct pb_mm *mm;

	EXPECT_EQ(-EOPNOTSUPP, pb_kshadow_geometry(&ps, &cs, &why));
	EXPECT_NE(NULL, strstr(why, "no contpte"));
	why = NULL;
	EXPECT_EQ(-EOPNOTSUPP, pb_kshadow_create(12, 4, &ks, &why));
	EXPECT_NE(NULL, strstr(why, "no contpte"));
	EXPECT_EQ(NULL, ks);
	mm = nt_mm_create(4, 48, 48, 1 << 20, 1 << 12, false);
	ASSERT_FALSE(IS_ERR(mm));
	why = NULL;
	EXPECT_EQ(-EOPNOTSUPP, pb_kmirror_attach(mm, &why));
	EXPECT_NE(NULL, strstr(why, "no contpte"));
	EXPECT_EQ(NULL, mm->kmirror);
	pb_mm_destroy(mm);
	nt_check_leaks(_metadata);
}

TEST_HARNESS_MAIN
