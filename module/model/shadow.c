// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the break-before-make shadow of every leaf descriptor write.
 *
 * The Arm ARM (DDI 0487, "Using break-before-make when updating translation
 * table entries") requires a live entry's output address, or its Contiguous
 * bit, to change only through an invalid entry and a TLB invalidation.  A
 * write of a valid entry over a valid one that is not a safe attribute
 * change, or over an invalid one whose previous valid value no invalidation
 * has covered yet, is a bbm violation.
 */
#include <linux/kernel.h>

#include "model/mm.h"
#include "model/pgtable.h"
#include "model/report.h"
#include "model/shadow.h"

/*
 * May a live entry change from @old to @new without break-before-make?  As
 * arm64's pgattr_change_is_safe() (arch/arm64/mm/mmu.c): the output address
 * must stay, non-global must not become global, and only PXN, RDONLY, the
 * write bit (DBM) and nG may change among the hardware bits, besides the
 * software bits.  Unlike upstream, AF may change too (the hardware and
 * ptep_test_and_clear_young() change it in place on user mappings, where
 * upstream checks only kernel mappings), and a CONT entry may change these
 * bits, where upstream forbids any change to a live contiguous mapping:
 * contpte.c write-protects and ages whole blocks in place, which the Arm ARM
 * (DDI 0487) D8.7.1 rule on the Contiguous bit allows until the caller's
 * flush.  With BBML2_NOABORT, CONT itself may change in place.
 */
static bool pb_live_change_ok(const struct pb_mm *mm, pb_pte_t old,
			      pb_pte_t new)
{
	pb_pte_t safe = PB_PTE_PXN | PB_PTE_RDONLY | PB_PTE_DBM | PB_PTE_AF |
			PB_PTE_NG | PB_PTE_DIRTY | PB_PTE_SPECIAL |
			PB_PTE_SOFT_DIRTY | PB_PTE_UFFD_WP;

	if (pb_pte_pfn(&mm->geom, old) != pb_pte_pfn(&mm->geom, new))
		return false;
	/* BBML2_NOABORT allows changing the contiguous hint in place. */
	if (mm->knobs[PB_KNOB_bbml2])
		safe |= PB_PTE_CONT;
	/* Non-global to global is never safe. */
	if (old & ~new & PB_PTE_NG)
		return false;
	return !((pb_pte_pgprot(&mm->geom, old) ^ pb_pte_pgprot(&mm->geom, new)) & ~safe);
}

static pb_pte_t *pb_shadow(const struct pb_mm *mm, pb_pte_t *ptep)
{
	return ptep + pb_ptrs_per_table(&mm->geom);
}

/*
 * The break-before-make rules of one descriptor write, @old to @new, whose
 * last valid value before an invalidation is kept in *@shadow.
 */
static void pb_bbm_write(struct pb_mm *mm, u64 va, pb_pte_t old, pb_pte_t new,
			 pb_pte_t *shadow)
{
	if (pb_pte_valid(old)) {
		if (pb_pte_valid(new) && !pb_live_change_ok(mm, old, new))
			pb_violation(mm, PB_V_bbm, va, old, new);
		else if (!pb_pte_valid(new) && !*shadow)
			*shadow = old;
	} else if (pb_pte_valid(new) && *shadow) {
		/* Made again before the old one was invalidated. */
		if (!pb_live_change_ok(mm, *shadow, new))
			pb_violation(mm, PB_V_bbm, va, *shadow, new);
	}
}

/* A leaf descriptor write in an mm with BBM shadows. */
void pb_write_pte_checked(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			  pb_pte_t new)
{
	pb_pte_t old = *ptep;

	*ptep = new;
	pb_bbm_write(mm, va, old, new, pb_shadow(mm, ptep));
}

/*
 * A PMD-level descriptor write over a PMD leaf, or of one (set_pmd_at(),
 * pmdp_invalidate(), pmd_populate() of a split, a clear): the same rules,
 * with the shadow of the leaf kept in the first shadow slot of the table
 * deposited under it, which an invalidation of the leaf's first page clears
 * (the whole PMD is flushed wherever the kernel invalidates one).  A table
 * descriptor over a leaf a TLB may still hold changes the block size without
 * break-before-make.
 */
void pb_write_pmd(struct pb_mm *mm, u64 va, pb_pte_t *pmdp, pb_pte_t new)
{
	pb_pte_t old = *pmdp;

	pb_mm_count(mm, PB_MMC_pmd_writes, 1);
	if (pb_pmd_leaf(new))
		mm->had_pmd_leaf = true;
	*pmdp = new;
	if (mm->shadowed)
		pb_bbm_write(mm, va, old, new,
			     pb_shadow(mm, pb_pmd_deposited(mm, va)));
}

static void pb_clear_shadow(struct pb_mm *mm, pb_pte_t *table, u64 base,
			    u64 start, u64 end, void *arg)
{
	unsigned int i, n = pb_ptrs_per_table(&mm->geom);
	pb_pte_t *shadow = pb_shadow(mm, table);

	for (i = 0; i < n; i++) {
		u64 va = base + ((u64)i << mm->geom.page_shift);

		if (va >= start && va < end)
			shadow[i] = 0;
	}
}

void pb_shadow_invalidated(struct pb_mm *mm, u64 start, u64 end)
{
	if (mm->shadowed)
		pb_walk_leaf_tables(mm, start, end, pb_clear_shadow, NULL);
}
