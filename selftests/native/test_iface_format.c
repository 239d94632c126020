// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of iface/format.c: descriptors as dump, ptep_get and
 * get_and_clear show them.
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

TEST_HARNESS_MAIN
