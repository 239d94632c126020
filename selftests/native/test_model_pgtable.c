// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of model/pgtable.c: how many levels a granule and a VA size
 * give, tables allocated on demand at both ends of the VA space, and the
 * tables of a failed command undone.
 */
#include "nt_mm.h"

FIXTURE(pgt)
{
	struct pb_mm *mm;
	u64 top;		/* 1 << va_bits */
	u64 psize;
};

FIXTURE_VARIANT(pgt)
{
	unsigned int page_kb, va_bits, levels;
};

FIXTURE_VARIANT_ADD(pgt, granule_4k_va36) { .page_kb = 4, .va_bits = 36, .levels = 3 };
FIXTURE_VARIANT_ADD(pgt, granule_4k_va39) { .page_kb = 4, .va_bits = 39, .levels = 3 };
FIXTURE_VARIANT_ADD(pgt, granule_4k_va48) { .page_kb = 4, .va_bits = 48, .levels = 4 };
FIXTURE_VARIANT_ADD(pgt, granule_4k_va52) { .page_kb = 4, .va_bits = 52, .levels = 5 };
FIXTURE_VARIANT_ADD(pgt, granule_16k_va36) { .page_kb = 16, .va_bits = 36, .levels = 2 };
FIXTURE_VARIANT_ADD(pgt, granule_16k_va47) { .page_kb = 16, .va_bits = 47, .levels = 3 };
FIXTURE_VARIANT_ADD(pgt, granule_16k_va48) { .page_kb = 16, .va_bits = 48, .levels = 4 };
FIXTURE_VARIANT_ADD(pgt, granule_64k_va42) { .page_kb = 64, .va_bits = 42, .levels = 2 };
FIXTURE_VARIANT_ADD(pgt, granule_64k_va52) { .page_kb = 64, .va_bits = 52, .levels = 3 };

FIXTURE_SETUP(pgt)
{
	self->mm = nt_mm_create(variant->page_kb, variant->va_bits, 52, 0, 1 << 12, true);
	ASSERT_FALSE(IS_ERR(self->mm));
	self->top = 1ULL << variant->va_bits;
	self->psize = pb_page_size(&self->mm->geom);
}

FIXTURE_TEARDOWN(pgt)
{
	if (!IS_ERR_OR_NULL(self->mm))
		pb_mm_destroy(self->mm);
	nt_check_leaks(_metadata);
}

TEST_F(pgt, tables_on_demand_at_both_ends_of_the_va_space)
{
	struct pb_mm *mm = self->mm;
	unsigned int levels = variant->levels;
	u64 len = pb_cont_size(&mm->geom), table;
	const char *why = NULL;
	pb_pte_t *a, *b;

	ASSERT_EQ(levels, mm->geom.levels);
	/* The top table alone, then a walk that allocates the rest. */
	EXPECT_EQ(1, mm->counters[PB_MMC_pt_pages]);
	EXPECT_EQ(1, atomic64_read(&pb_counters[PB_CNT_live_pt_pages]));
	EXPECT_EQ(NULL, pb_pte_offset(mm, self->top - self->psize, false));
	ASSERT_EQ(0, pb_vma_add(mm, self->top - len, self->top,
				PB_VM_READ | PB_VM_WRITE | PB_VM_ANON, &why));
	ASSERT_EQ(0, pb_vma_add(mm, 0, len, PB_VM_READ | PB_VM_ANON, &why));
	EXPECT_EQ(-EINVAL, pb_vma_add(mm, self->top, self->top + len, PB_VM_READ, &why));
	ASSERT_EQ(0, pb_populate(mm, self->top - self->psize, self->top, 0, false, &why));
	EXPECT_EQ(levels, mm->counters[PB_MMC_pt_pages]);
	/* The same last-level table: nothing new, and entries side by side. */
	ASSERT_EQ(0, pb_populate(mm, self->top - len, self->top - self->psize, 0, false,
				 &why));
	EXPECT_EQ(levels, mm->counters[PB_MMC_pt_pages]);
	a = pb_pte_offset(mm, self->top - self->psize, false);
	b = pb_pte_offset(mm, self->top - 2 * self->psize, false);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(a, b + 1);
	/* The other end shares only the top table. */
	ASSERT_EQ(0, pb_populate(mm, 0, len, 0, false, &why));
	EXPECT_EQ(2 * levels - 1, mm->counters[PB_MMC_pt_pages]);
	EXPECT_EQ(2 * levels - 1, atomic64_read(&pb_counters[PB_CNT_live_pt_pages]));
	/* A last-level table maps PTRS_PER_TABLE pages. */
	table = self->psize * pb_ptrs_per_table(&mm->geom);
	EXPECT_EQ(table, pb_pmd_addr_end(mm, 0, self->top));
	EXPECT_EQ(self->top, pb_pmd_addr_end(mm, self->top - table, self->top));
	EXPECT_EQ(len, pb_pmd_addr_end(mm, 0, len));
	EXPECT_EQ(0, pb_check_mm(mm));
	/* Unmapped, the tables stay until the mm goes (teardown counts them). */
	pb_zap_range(mm, 0, len);
	EXPECT_EQ(2 * levels - 1, mm->counters[PB_MMC_pt_pages]);
}

/*
 * pb_pgtable_free_new(): what a failed command allocated goes, once empty;
 * older tables stay though empty, and newer ones that map something stay.
 */
TEST_F(pgt, free_new_takes_only_new_empty_tables)
{
	struct pb_mm *mm = self->mm;
	unsigned int levels = variant->levels;
	u64 len = pb_cont_size(&mm->geom), table, top = self->top;
	const char *why = NULL;
	u32 mark;

	table = self->psize * pb_ptrs_per_table(&mm->geom);
	ASSERT_EQ(0, pb_vma_add(mm, 0, 2 * table, PB_VM_READ | PB_VM_WRITE | PB_VM_ANON,
				&why));
	ASSERT_EQ(0, pb_vma_add(mm, top - len, top, PB_VM_READ | PB_VM_WRITE | PB_VM_ANON,
				&why));
	ASSERT_EQ(0, pb_populate(mm, 0, self->psize, 0, false, &why));
	pb_zap_range(mm, 0, self->psize);
	ASSERT_EQ(levels, mm->counters[PB_MMC_pt_pages]);
	mark = mm->table_serial;
	/* A new empty leaf, and a new path of tables that maps a page. */
	ASSERT_EQ(0, pb_pgtable_prealloc(mm, table, 2 * table));
	ASSERT_EQ(levels + 1, mm->counters[PB_MMC_pt_pages]);
	ASSERT_EQ(0, pb_populate(mm, top - self->psize, top, 0, false, &why));
	ASSERT_EQ(2 * levels, mm->counters[PB_MMC_pt_pages]);
	pb_pgtable_free_new(mm, 0, top, mark);
	EXPECT_EQ(2 * levels - 1, mm->counters[PB_MMC_pt_pages]);
	EXPECT_EQ(2 * levels - 1, atomic64_read(&pb_counters[PB_CNT_live_pt_pages]));
	EXPECT_NE(NULL, nt_ptep_at(mm, 0));
	EXPECT_EQ(NULL, nt_ptep_at(mm, table));
	EXPECT_NE(0, nt_raw_at(mm, top - self->psize));
	/* Emptied, the new path goes too, but for the top table. */
	pb_zap_range(mm, top - self->psize, top);
	pb_pgtable_free_new(mm, 0, top, mark);
	EXPECT_EQ(levels, mm->counters[PB_MMC_pt_pages]);
	EXPECT_EQ(NULL, nt_ptep_at(mm, top - self->psize));
	EXPECT_EQ(0, pb_check_mm(mm));
	/*
	 * A failed populate leaves the tables as they were: the allocation
	 * that fails is the new path's last, the leaf's (an upper table takes
	 * two, its entries and its children; headers come from the mm's
	 * chunk, which has free ones).
	 */
	mark = mm->table_serial;
	atomic_set(&pb_fail_nth, 2 * levels - 3);
	EXPECT_EQ(-ENOMEM, pb_populate(mm, top - len, top, 0, false, &why));
	atomic_set(&pb_fail_nth, 0);
	EXPECT_EQ(levels, mm->counters[PB_MMC_pt_pages]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * A table's header comes from the mm's chunk, not an allocation of its own:
 * with the path above them in place, new leaf tables take one allocation
 * each (their entries), and freed ones give their headers back for reuse.
 */
TEST_F(pgt, leaf_tables_take_one_allocation_each)
{
	struct pb_mm *mm = self->mm;
	u64 table = self->psize * pb_ptrs_per_table(&mm->geom), allocs;
	const char *why = NULL;
	unsigned int round;

	ASSERT_EQ(0, pb_vma_add(mm, 0, 3 * table, PB_VM_READ | PB_VM_WRITE | PB_VM_ANON,
				&why));
	ASSERT_EQ(0, pb_pgtable_prealloc(mm, 0, table));
	for (round = 0; round < 2; round++) {
		allocs = atomic64_read(&pb_counters[PB_CNT_allocs]);
		ASSERT_EQ(0, pb_pgtable_prealloc(mm, table, 3 * table));
		EXPECT_EQ(2, atomic64_read(&pb_counters[PB_CNT_allocs]) - allocs)
			TH_LOG("round %u", round);
		EXPECT_NE(NULL, nt_ptep_at(mm, 2 * table));
		pb_pgtable_free_new(mm, table, 3 * table, 1);
		EXPECT_EQ(NULL, nt_ptep_at(mm, 2 * table));
	}
}

TEST_HARNESS_MAIN
