// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of iface/format.c: descriptors as dump, ptep_get and
 * get_and_clear show them, and the page and folio records that dump and
 * task_dump, folio and task_folio print.
 */
#include "nt_iface.h"
#include "nt_mm.h"

FIXTURE(format)
{
	struct pb_geom g48;
};

FIXTURE_VARIANT(format)
{
	NT_GRANULE_FIELDS;
};

FIXTURE_VARIANT_ADD(format, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(format, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(format, granule_64k) NT_GRANULE_64K;

FIXTURE_SETUP(format)
{
	const char *why = NULL;

	ASSERT_EQ(0, pb_geom_init(&self->g48, variant->page_kb, 48, 48, &why));
}

FIXTURE_TEARDOWN(format)
{
	nt_check_leaks(_metadata);
}

TEST_F(format, flags_string)
{
	const struct pb_geom *g = &self->g48;
	char buf[96];

	pb_pte_flags_str(0, buf, sizeof(buf));
	ASSERT_STREQ("-", buf);
	pb_pte_flags_str(PB_PTE_PRESENT_INVALID, buf, sizeof(buf));
	ASSERT_STREQ("PROTNONE", buf);
	pb_pte_flags_str(pb_pfn_pte(g, 7, nt_prot_rw(g)) | PB_PTE_CONT, buf,
			 sizeof(buf));
	ASSERT_STREQ("V,U,AF,nG,DBM,CONT,PXN,UXN,D", buf);
	pb_pte_flags_str(pb_pte_wrprotect(pb_pfn_pte(g, 7, nt_prot_rw(g))) |
			 PB_PTE_SOFT_DIRTY | PB_PTE_UFFD_WP | PB_PTE_SPECIAL,
			 buf, sizeof(buf));
	ASSERT_STREQ("V,U,RO,AF,nG,PXN,UXN,D,SP,SD,WP", buf);
	/* A short buffer truncates, NUL-terminated. */
	pb_pte_flags_str(nt_prot_rw(g), buf, 6);
	ASSERT_STREQ("V,U,A", buf);
}

/* The x86 flags of task_dump on amd64: the same names where they exist. */
TEST_F(format, view_flags_of_x86)
{
	char buf[96];

	pb_view_flags_str(BIT(PB_VF_V) | BIT(PB_VF_U) | BIT(PB_VF_RO) |
			  BIT(PB_VF_AF) | BIT(PB_VF_D) | BIT(PB_VF_SD) |
			  BIT(PB_VF_NX), buf, sizeof(buf));
	ASSERT_STREQ("V,U,RO,AF,D,SD,NX", buf);
	pb_view_flags_str(PB_VF_PROTNONE | BIT(PB_VF_U), buf, sizeof(buf));
	ASSERT_STREQ("PROTNONE", buf);
	/* The model's decoding never names NX: arm64 has none. */
	ASSERT_EQ(0, pb_view_pte_flags(~0ULL & ~PB_PTE_PRESENT_INVALID) & BIT(PB_VF_NX));
}

/* The dump line of each kind of page, from the record alone. */
TEST_F(format, page_lines)
{
	char buf[512];
	struct pb_reply r = { .buf = buf, .size = sizeof(buf) };
	struct pb_page_view v = {
		.va = 0x40010000, .desc = 0x0060000000000f43ULL, .pfn = 0x123,
		.flags = BIT(PB_VF_V) | BIT(PB_VF_CONT), .present = true,
	};

	buf[0] = '\0';
	pb_format_page(&r, &v);
	v.folio = true;
	v.head_pfn = 0x120;
	v.order = 4;
	pb_format_page(&r, &v);
	v.pmd = true;
	v.flags = BIT(PB_VF_V);
	pb_format_page(&r, &v);
	v.present = false;
	v.desc = 0x5;
	pb_format_page(&r, &v);
	ASSERT_STREQ("0x000040010000 0x0060000000000f43 V,CONT pfn=0x123 folio=none cont=1\n"
		     "0x000040010000 0x0060000000000f43 V,CONT pfn=0x123 folio=0x120 order=4 idx=3 cont=1\n"
		     "0x000040010000 0x0060000000000f43 V pfn=0x123 folio=0x120 order=4 idx=3 cont=0 pmd=1\n"
		     "0x000040010000 0x0000000000000005 none\n", buf);
}

/* The lines of folio, every field where the record puts it. */
TEST_F(format, folio_lines)
{
	char buf[512];
	struct pb_reply r = { .buf = buf, .size = sizeof(buf) };
	struct pb_folio_view v = {
		.pfn = 0x203, .head_pfn = 0x200, .index = 0x13, .order = 9,
		.refcount = 7, .mapcount = -1, .large_mapcount = 5,
		.pincount = 2, .entire_mapcount = 1, .file = 3, .anon = false,
		.exclusive = true, .deferred = true, .dirty = true, .pmd = true,
		.partially_mapped = true,
	};

	buf[0] = '\0';
	pb_format_folio(&r, &v);
	ASSERT_STREQ("pfn 0x203\nhead 0x200\norder 9\nrefcount 7\nmapcount -1\n"
		     "large_mapcount 5\npincount 2\nanon 0\nexclusive 1\ndeferred 1\n"
		     "dirty 1\nfile 3\nindex 0x13\nentire_mapcount 1\npmd 1\n"
		     "partially_mapped 1\n", buf);
}

TEST_HARNESS_MAIN
