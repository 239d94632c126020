/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native tests' view of one mm: the pages of a test range from NT_VA, the
 * entries and folios that map them, and the set-up steps that a test must not
 * get wrong silently (each asserts).  Helpers named _at take an address;
 * the others take a page index of the range, which nt_va() turns into an
 * address.  It needs nothing from the interface: model tests include it.
 */
#ifndef _NT_MM_H
#define _NT_MM_H

#include "pb_native.h"

/* The address of page @page of the test range. */
static inline u64 nt_va(const struct pb_mm *mm, u64 page)
{
	return NT_VA + (page << mm->geom.page_shift);
}

/* --- By address --------------------------------------------------------------------- */

/* The leaf entry of @va, or NULL where no table is; allocates nothing. */
static inline pb_pte_t *nt_ptep_at(struct pb_mm *mm, u64 va)
{
	return pb_pte_offset(mm, va, false);
}

/* The raw descriptor at @va, 0 where no table is. */
static inline pb_pte_t nt_raw_at(struct pb_mm *mm, u64 va)
{
	pb_pte_t *ptep = nt_ptep_at(mm, va);

	return ptep ? *ptep : 0;
}

/* What ptep_get() returns at @va: the block's gathered view. */
static inline pb_pte_t nt_pte_at(struct pb_mm *mm, u64 va)
{
	pb_pte_t *ptep = nt_ptep_at(mm, va);

	return ptep ? pb_ptep_get(mm, va, ptep) : 0;
}

static inline u64 nt_pfn_at(struct pb_mm *mm, u64 va)
{
	return pb_pte_pfn(&mm->geom, nt_raw_at(mm, va));
}

/* The head page of the folio mapped at @va, and its PFN. */
static inline struct pb_page *nt_folio_at(struct pb_mm *mm, u64 va, u64 *head_pfn)
{
	return pb_page_folio(mm->phys, nt_pfn_at(mm, va), head_pfn);
}

/* The page mapped at @va. */
static inline struct pb_page *nt_page_at(struct pb_mm *mm, u64 va)
{
	return pb_pfn_to_page(mm->phys, nt_pfn_at(mm, va));
}

/* How many of @nr entries from @va are valid and contiguous. */
static inline unsigned int nt_nr_cont_at(struct pb_mm *mm, u64 va, unsigned int nr)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr; i++)
		n += pb_pte_valid_cont(nt_raw_at(mm, va + ((u64)i << mm->geom.page_shift)));
	return n;
}

/* How many of @nr entries from @va are writable, as ptep_get() says. */
static inline unsigned int nt_nr_writable_at(struct pb_mm *mm, u64 va, unsigned int nr)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr; i++)
		n += pb_pte_write(nt_pte_at(mm, va + ((u64)i << mm->geom.page_shift)));
	return n;
}

static inline void nt_add_vma(struct __test_metadata *_metadata, struct pb_mm *mm,
			      u64 start, u64 len, u32 flags)
{
	const char *why = NULL;

	ASSERT_EQ(0, pb_vma_add(mm, start, start + len, flags, &why))
		TH_LOG("pb_vma_add: %s", why);
}

/* Folios of @order over [va, va + len), batched or one PTE at a time. */
static inline void nt_populate(struct __test_metadata *_metadata, struct pb_mm *mm,
			       u64 va, u64 len, unsigned int order, bool per_pte)
{
	const char *why = NULL;

	ASSERT_EQ(0, pb_populate(mm, va, va + len, order, per_pte, &why))
		TH_LOG("pb_populate: %s", why);
}

/* --- By page index of the test range ------------------------------------------------ */

/* The leaf entry of page @page. */
static inline pb_pte_t *nt_ptep(struct pb_mm *mm, u64 page)
{
	return nt_ptep_at(mm, nt_va(mm, page));
}

static inline pb_pte_t nt_raw(struct pb_mm *mm, u64 page)
{
	return nt_raw_at(mm, nt_va(mm, page));
}

static inline u64 nt_pfn(struct pb_mm *mm, u64 page)
{
	return nt_pfn_at(mm, nt_va(mm, page));
}

/* How many of pages [first, first + nr) are valid and contiguous. */
static inline unsigned int nt_nr_cont(struct pb_mm *mm, u64 first, unsigned int nr)
{
	return nt_nr_cont_at(mm, nt_va(mm, first), nr);
}

/* Pages [first, first + nr) populated with folios of @order. */
static inline void nt_populate_pages(struct __test_metadata *_metadata,
				     struct pb_mm *mm, u64 first, u64 nr,
				     unsigned int order, bool per_pte)
{
	nt_populate(_metadata, mm, nt_va(mm, first), nr << mm->geom.page_shift, order,
		    per_pte);
}

/* Make pages [first, first + nr) old and clean, then flush, as MADV_FREE does. */
static inline void nt_make_old_clean(struct pb_mm *mm, u64 first, unsigned int nr)
{
	pb_clear_young_dirty_ptes(mm, nt_va(mm, first), nt_ptep(mm, first), nr, true, true);
	pb_flush_tlb_range(mm, nt_va(mm, first), nt_va(mm, first + nr));
}

/* --- Counters and hand-made mappings ------------------------------------------------ */

/* The counters of @mm into @b, to take deltas from with nt_delta(). */
#define NT_SNAP(mm, b)	memcpy(b, (mm)->counters, sizeof((mm)->counters))

static inline u64 nt_delta(const struct pb_mm *mm, const u64 *before,
			   enum pb_mm_counter c)
{
	return mm->counters[c] - before[c];
}

/* The attributes populate gives a writable anon page: valid, dirty, young. */
static inline pb_pte_t nt_prot_rw(const struct pb_geom *g)
{
	pb_pte_t prot = PB_PTE_VALID | PB_PTE_TABLE | PB_PTE_USER | PB_PTE_AF |
			PB_PTE_NG | PB_PTE_PXN | PB_PTE_UXN | PB_ATTR_NORMAL |
			PB_PTE_DBM | PB_PTE_DIRTY;

	return g->lpa2 ? prot : prot | PB_ATTR_SH_INNER;
}

/*
 * A folio for a test to map by hand, or NT_NO_FOLIO; the allocation's
 * reference stays until the arena goes.
 */
#define NT_NO_FOLIO	U64_MAX

static inline u64 nt_folio(struct pb_mm *mm, unsigned int order)
{
	u64 pfn;

	if (pb_folio_alloc(mm->phys, order, true, &pfn))
		return NT_NO_FOLIO;
	return pfn;
}

/*
 * Map pages [first, first + nr) of the folio at @head_pfn from @va with one
 * set_ptes(), keeping the refcount and the mapcounts as populate does.
 */
static inline void nt_map(struct pb_mm *mm, u64 va, u64 head_pfn,
			  unsigned int first, unsigned int nr, pb_pte_t prot)
{
	struct pb_page *head = pb_pfn_to_page(mm->phys, head_pfn);
	pb_pte_t *ptep = pb_pte_offset(mm, va, true);

	head->refcount += nr;
	pb_rmap_add(mm, head_pfn + first, nr, true);
	pb_set_ptes(mm, va, ptep, pb_pfn_pte(&mm->geom, head_pfn + first, prot),
		    nr);
}

/* After a helper cleared @nr entries of one folio: zap's bookkeeping. */
static inline void nt_unmapped(struct pb_mm *mm, u64 va, u64 pfn,
			       unsigned int nr)
{
	pb_zap_folio_ptes_cleared(mm, va, pfn, nr, false);
	pb_gather_finish(mm);
}

/*
 * A layout with every kind of page that task_import lists: a PMD THP;
 * folded blocks; a folio partly unmapped; order-2 and order-0 folios, some
 * made read-only by mprotect (dirty, in a read-only VMA); anon pages shared
 * with a fork child (not exclusive) and two mapped after it (exclusive);
 * shmem; a private file VMA's page-cache folios.  In the empty @mm from
 * NT_VA, over six PMDs; returns the fork child, which the caller destroys.
 */
static inline struct pb_mm *nt_mixed_layout(struct __test_metadata *_metadata,
					    struct pb_mm *mm)
{
	const u32 rw = PB_VM_READ | PB_VM_WRITE;
	u64 ps = pb_page_size(&mm->geom), pmd = pb_pmd_size(&mm->geom);
	u64 blk = pb_cont_size(&mm->geom), va = NT_VA + pmd + 4 * blk;
	unsigned int cont = mm->geom.cont_shift;
	const char *why = NULL;
	struct pb_mm *child;

	mm->knobs[PB_KNOB_thp_pmd] = 1;
	nt_add_vma(_metadata, mm, NT_VA, 2 * pmd, rw | PB_VM_ANON);
	nt_populate(_metadata, mm, NT_VA, pmd, pb_pmd_order(&mm->geom), false);
	nt_populate(_metadata, mm, NT_VA + pmd, 4 * blk, cont, false);
	pb_zap_range(mm, NT_VA + pmd + 2 * blk + ps, NT_VA + pmd + 3 * blk);
	nt_populate(_metadata, mm, va, 8 * ps, 2, true);
	nt_populate(_metadata, mm, va + 8 * ps, 3 * ps, 0, false);
	/* At a folio boundary: a folio across VMAs is not importable. */
	EXPECT_EQ(0, pb_mprotect(mm, va, va + 4 * ps, PB_VM_READ, &why)) TH_LOG("%s", why);
	nt_add_vma(_metadata, mm, NT_VA + 4 * pmd, 2 * blk, rw | PB_VM_SHARED | PB_VM_ANON);
	nt_populate(_metadata, mm, NT_VA + 4 * pmd, 2 * blk, 2, false);
	nt_add_vma(_metadata, mm, NT_VA + 5 * pmd, 2 * blk, rw);
	nt_populate(_metadata, mm, NT_VA + 5 * pmd, blk, cont, false);
	child = pb_fork(mm, 1, &why);
	EXPECT_FALSE(IS_ERR_OR_NULL(child)) TH_LOG("%s", why);
	nt_populate(_metadata, mm, NT_VA + pmd + 6 * blk, 2 * ps, 0, false);
	EXPECT_EQ(0, pb_check_mm(mm));
	return IS_ERR(child) ? NULL : child;
}

#endif /* _NT_MM_H */
