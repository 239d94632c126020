/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: arm64 stage-1 descriptors and the geometry of a private mm.
 *
 * Descriptors are plain u64 values in module memory; the bits sit at their
 * arm64 positions (arch/arm64/include/asm/pgtable-hwdef.h and pgtable-prot.h)
 * and the helpers follow asm/pgtable.h.
 */
#ifndef _PB_MODEL_DESC_H
#define _PB_MODEL_DESC_H

#include <linux/types.h>
#include <linux/bits.h>

typedef u64 pb_pte_t;

/* Hardware bits, at their arm64 positions. */
#define PB_PTE_VALID		BIT_ULL(0)
#define PB_PTE_TABLE		BIT_ULL(1)	/* table at L0-2, page at L3 */
#define PB_PTE_ATTRINDX		GENMASK_ULL(4, 2)
#define PB_PTE_USER		BIT_ULL(6)	/* AP[1] */
#define PB_PTE_RDONLY		BIT_ULL(7)	/* AP[2] */
#define PB_PTE_SH		GENMASK_ULL(9, 8)	/* OA[51:50] with LPA2 */
#define PB_PTE_AF		BIT_ULL(10)
#define PB_PTE_NG		BIT_ULL(11)
#define PB_PTE_GP		BIT_ULL(50)
#define PB_PTE_DBM		BIT_ULL(51)	/* also the software write bit */
#define PB_PTE_CONT		BIT_ULL(52)
#define PB_PTE_PXN		BIT_ULL(53)
#define PB_PTE_UXN		BIT_ULL(54)
/* Software bits, ignored by the hardware walk. */
#define PB_PTE_DIRTY		BIT_ULL(55)
#define PB_PTE_SPECIAL		BIT_ULL(56)
#define PB_PTE_SOFT_DIRTY	BIT_ULL(57)
#define PB_PTE_UFFD_WP		BIT_ULL(58)
/* Not valid but present: PROT_NONE.  Reuses nG, as arm64 does since 6.10. */
#define PB_PTE_PRESENT_INVALID	PB_PTE_NG

#define PB_PTE_WRITE		PB_PTE_DBM

/* AttrIndx of normal memory, and the default attributes of a user page. */
#define PB_ATTR_NORMAL		(0ULL << 2)
#define PB_ATTR_SH_INNER	(3ULL << 8)

/* --- Geometry ------------------------------------------------------------- */

struct pb_geom {
	unsigned int page_shift;	/* 12, 14 or 16 */
	unsigned int va_bits;		/* 36..52 */
	unsigned int pa_bits;		/* 48 or 52 */
	unsigned int levels;		/* walk levels, derived */
	unsigned int bits_per_level;	/* page_shift - 3 */
	unsigned int cont_shift;	/* log2(CONT_PTES): 4, 7 or 5 */
	bool lpa2;			/* 52-bit OA with 4K/16K: OA[51:50] at [9:8] */
	/* Where the output address lives in a descriptor, derived. */
	u64 oa_low_mask;		/* OA bits stored in place */
	u64 oa_high_mask;		/* descriptor bits holding the top OA bits */
	unsigned int oa_high_shift;	/* from those bits to their OA position */
};

static inline u64 pb_page_size(const struct pb_geom *g)
{
	return 1ULL << g->page_shift;
}

static inline unsigned int pb_cont_ptes(const struct pb_geom *g)
{
	return 1U << g->cont_shift;
}

static inline u64 pb_cont_size(const struct pb_geom *g)
{
	return 1ULL << (g->page_shift + g->cont_shift);
}

static inline unsigned int pb_ptrs_per_table(const struct pb_geom *g)
{
	return 1U << g->bits_per_level;
}

/* The largest folio: one that a PMD maps, i.e. a whole last-level table. */
static inline unsigned int pb_pmd_order(const struct pb_geom *g)
{
	return g->bits_per_level;
}

static inline u64 pb_pmd_size(const struct pb_geom *g)
{
	return 1ULL << (g->page_shift + g->bits_per_level);
}

int pb_geom_init(struct pb_geom *g, unsigned int page_kb, unsigned int va_bits,
		 unsigned int pa_bits, const char **why);

/* Descriptor encoding: always by decode and re-encode of the output address. */
static inline u64 pb_pte_pfn(const struct pb_geom *g, pb_pte_t pte)
{
	u64 pa = (pte & g->oa_low_mask) |
		 ((pte & g->oa_high_mask) << g->oa_high_shift);

	return pa >> g->page_shift;
}

/* Everything but the output address. */
static inline pb_pte_t pb_pte_pgprot(const struct pb_geom *g, pb_pte_t pte)
{
	return pte & ~(g->oa_low_mask | g->oa_high_mask);
}

static inline pb_pte_t pb_pfn_pte(const struct pb_geom *g, u64 pfn,
				  pb_pte_t prot)
{
	u64 pa = pfn << g->page_shift;

	return pb_pte_pgprot(g, prot) | (pa & g->oa_low_mask) |
	       ((pa >> g->oa_high_shift) & g->oa_high_mask);
}

/*
 * The descriptor @nr pages on.  The naive form adds the granules to the raw
 * descriptor, as set_ptes() did before "arm64/mm: Make set_ptes() robust when
 * OAs cross 48-bit boundary": the carry out of the low OA field lands in
 * attribute bits.
 */
static inline pb_pte_t pb_pte_advance(const struct pb_geom *g, pb_pte_t pte,
				      u64 nr, bool naive)
{
	if (naive)
		return pte + (nr << g->page_shift);
	return pb_pfn_pte(g, pb_pte_pfn(g, pte) + nr, pte);
}

static inline bool pb_pte_valid(pb_pte_t pte)
{
	return pte & PB_PTE_VALID;
}

static inline bool pb_pte_present(pb_pte_t pte)
{
	return pte & (PB_PTE_VALID | PB_PTE_PRESENT_INVALID);
}

static inline bool pb_pte_cont(pb_pte_t pte)
{
	return pte & PB_PTE_CONT;
}

static inline bool pb_pte_valid_cont(pb_pte_t pte)
{
	return (pte & (PB_PTE_VALID | PB_PTE_CONT)) ==
	       (PB_PTE_VALID | PB_PTE_CONT);
}

static inline bool pb_pte_write(pb_pte_t pte)
{
	return pte & PB_PTE_WRITE;
}

static inline bool pb_pte_hw_dirty(pb_pte_t pte)
{
	return (pte & PB_PTE_DBM) && !(pte & PB_PTE_RDONLY);
}

static inline bool pb_pte_dirty(pb_pte_t pte)
{
	return (pte & PB_PTE_DIRTY) || pb_pte_hw_dirty(pte);
}

static inline bool pb_pte_young(pb_pte_t pte)
{
	return pte & PB_PTE_AF;
}

static inline bool pb_pte_protnone(pb_pte_t pte)
{
	return !(pte & PB_PTE_VALID) && (pte & PB_PTE_PRESENT_INVALID);
}

static inline pb_pte_t pb_pte_mkclean(pb_pte_t pte)
{
	pte &= ~PB_PTE_DIRTY;
	/* A writable clean entry is read-only until DBM marks it dirty. */
	if (pte & PB_PTE_DBM)
		pte |= PB_PTE_RDONLY;
	return pte;
}

static inline pb_pte_t pb_pte_mkdirty(pb_pte_t pte)
{
	pte |= PB_PTE_DIRTY;
	if (pte & PB_PTE_WRITE)
		pte &= ~PB_PTE_RDONLY;
	return pte;
}

static inline pb_pte_t pb_pte_mkold(pb_pte_t pte)
{
	return pte & ~PB_PTE_AF;
}

static inline pb_pte_t pb_pte_mkyoung(pb_pte_t pte)
{
	return pte | PB_PTE_AF;
}

/*
 * pte_wrprotect(): read-only; hardware dirty (DBM without RDONLY) is kept
 * as software dirty.  Without a branch: RDONLY moved up to DBM's place
 * masks DBM, and what is left moves up to DIRTY's place.
 */
static inline pb_pte_t pb_pte_wrprotect(pb_pte_t pte)
{
	pb_pte_t hw = pte & ~(pte * (PB_PTE_DBM / PB_PTE_RDONLY)) & PB_PTE_DBM;

	pte |= hw * (PB_PTE_DIRTY / PB_PTE_DBM);
	pte &= ~PB_PTE_WRITE;
	return pte | PB_PTE_RDONLY;
}

static inline pb_pte_t pb_pte_mkwrite(pb_pte_t pte)
{
	pte |= PB_PTE_WRITE;
	if (pte & PB_PTE_DIRTY)
		pte &= ~PB_PTE_RDONLY;
	return pte;
}

/*
 * A PMD-level entry that maps a block (pmd_trans_huge()): present, valid or
 * PROT_NONE, with the table bit clear.  A table descriptor has it set, and
 * pmd_none() is 0.
 */
static inline bool pb_pmd_leaf(pb_pte_t pmd)
{
	return pb_pte_present(pmd) && !(pmd & PB_PTE_TABLE);
}

/* pmd_mkhuge(): the block descriptor with the attributes of a page's @pte. */
static inline pb_pte_t pb_pte_to_pmd(pb_pte_t pte)
{
	return pte & ~(PB_PTE_TABLE | PB_PTE_CONT);
}

/* pmd_pte(): a page descriptor with a PMD leaf's attributes and OA. */
static inline pb_pte_t pb_pmd_to_pte(pb_pte_t pmd)
{
	return pmd | PB_PTE_TABLE;
}

#endif /* _PB_MODEL_DESC_H */
