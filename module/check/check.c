// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the whole-mm checker, after a command's flushes.
 *
 * - Misprogramming the Contiguous bit (Arm ARM, DDI 0487, D8.7.1, as
 *   contpte.c cites it): the entries of a block with CONT set must all be
 *   valid, CONT, map consecutive pages from a block-aligned address and agree
 *   on the hardware attributes.  Access and dirty state may differ: the
 *   hardware updates one entry of a block (FEAT_HAFDBS).  The software bits
 *   (special, soft-dirty, uffd-wp) must agree too, and one folio must hold
 *   the block: __contpte_try_fold() folds only such blocks.  An invalid entry
 *   never has CONT (contpte_set_ptes() warns on one).
 * - Refcounts and mapcounts, as mm/rmap.c keeps them: a folio's refcount is
 *   its mappings (PTEs, and PMD leaves that map a PMD-order folio whole and
 *   count in its entire mapcount) + pin references (GUP_PIN_COUNTING_BIAS per pin of a small
 *   folio, 1 of a large one) + extra references, each page's mapcount is the
 *   number of PTEs that map it, in every mm sharing the arena, and no PTE maps
 *   a page outside a live folio.  An anon-exclusive page is mapped by at most
 *   one PTE in all those mms (PageAnonExclusive, which fork's
 *   folio_try_dup_anon_rmap_ptes() clears before it shares a page).
 * - Dirty state: a page the hardware wrote must stay dirty somewhere (a PTE,
 *   its contiguous block, or the folio, which zap marks with
 *   folio_mark_dirty()) until it is cleaned on purpose.
 *
 * Break-before-make is checked as each descriptor is written, in
 * model/shadow.c; stale TLB use as each access is made, in model/cpu.c.
 */
#include <linux/kernel.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/report.h"
#include "model/rmap.h"
#include "check/check.h"

static pb_pte_t pb_hw_attrs(const struct pb_mm *mm, pb_pte_t pte)
{
	pte = pb_pte_pgprot(&mm->geom, pte);
	/* Hardware A/D state lands on one entry; software bits are not seen. */
	if (pte & PB_PTE_DBM)
		pte &= ~PB_PTE_RDONLY;
	return pte & ~(PB_PTE_AF | PB_PTE_DIRTY | PB_PTE_SPECIAL |
		       PB_PTE_SOFT_DIRTY | PB_PTE_UFFD_WP);
}

/*
 * The software bits a block's entries share: contpte folds only entries that
 * are equal but for access and dirty (__contpte_try_fold()'s pgprot check).
 */
static pb_pte_t pb_sw_attrs(pb_pte_t pte)
{
	return pte & (PB_PTE_SPECIAL | PB_PTE_SOFT_DIRTY | PB_PTE_UFFD_WP);
}

/* Does one folio hold the @nr pages from @pfn, as a CONT block needs? */
static bool pb_one_folio(struct pb_mm *mm, u64 pfn, unsigned int nr)
{
	u64 head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);

	/* No live folio at all is the freed rule's, per entry. */
	return !head || pfn + nr <= head_pfn + (1ULL << head->order);
}

/* The entries of the leaf table at @base that [start, end) covers. */
static void pb_table_span(const struct pb_geom *g, u64 base, u64 start, u64 end,
			  unsigned int *first, unsigned int *last)
{
	unsigned int n = pb_ptrs_per_table(g);

	*first = start > base ? (start - base) >> g->page_shift : 0;
	*last = end - base < ((u64)n << g->page_shift) ?
		(end - base) >> g->page_shift : n;
}

static void pb_check_blocks(struct pb_mm *mm, pb_pte_t *table, u64 base,
			    u64 start, u64 end, void *arg)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int cont = pb_cont_ptes(g), first, n, b, i;

	pb_table_span(g, base, start, end, &first, &n);
	for (b = first; b < n; b += cont) {
		pb_pte_t *blk = table + b, ref = 0, attrs;
		u64 va = base + ((u64)b << g->page_shift), pfn0;

		for (i = 0; i < cont && !ref; i++)
			if (pb_pte_valid_cont(blk[i]))
				ref = blk[i];
		if (!ref) {
			/* CONT on an invalid entry: contpte_set_ptes() never sets it. */
			for (i = 0; i < cont; i++) {
				if (!pb_pte_cont(blk[i]))
					continue;
				pb_violation(mm, PB_V_misprogrammed,
					     va + ((u64)i << g->page_shift), 0,
					     blk[i]);
				break;
			}
			continue;
		}
		pfn0 = pb_pte_pfn(g, ref) - (i - 1);
		attrs = pb_hw_attrs(mm, ref);
		for (i = 0; i < cont; i++) {
			pb_pte_t pte = blk[i];

			if (pb_pte_valid_cont(pte) && !(pfn0 & (cont - 1)) &&
			    pb_pte_pfn(g, pte) == pfn0 + i &&
			    pb_hw_attrs(mm, pte) == attrs &&
			    pb_sw_attrs(pte) == pb_sw_attrs(ref))
				continue;
			pb_violation(mm, PB_V_misprogrammed,
				     va + ((u64)i << g->page_shift), ref, pte);
			break;
		}
		/* Per-folio A/D and the batch strides need one folio. */
		if (i == cont && !pb_one_folio(mm, pfn0, cont))
			pb_violation(mm, PB_V_misprogrammed, va, ref,
				     blk[cont - 1]);
	}
}

static bool pb_block_dirty(struct pb_mm *mm, pb_pte_t *first)
{
	unsigned int i;

	for (i = 0; i < pb_cont_ptes(&mm->geom); i++)
		if (pb_pte_dirty(first[i]))
			return true;
	return false;
}

/* @arg is the mm being checked, which the violations count in. */
static void pb_count_maps(struct pb_mm *mm, pb_pte_t *table, u64 base,
			  u64 start, u64 end, void *arg)
{
	struct pb_mm *checking = arg;
	const struct pb_geom *g = &mm->geom;
	unsigned int n, i;

	pb_table_span(g, base, start, end, &i, &n);
	for (; i < n; i++) {
		pb_pte_t pte = table[i], *first;
		struct pb_page *page;

		if (!pb_pte_present(pte) || (pte & PB_PTE_SPECIAL))
			continue;
		page = pb_pfn_to_page(mm->phys, pb_pte_pfn(g, pte));
		if (!page || !(page->flags & PB_PG_ALLOCATED)) {
			pb_violation(checking, PB_V_freed,
				     base + ((u64)i << g->page_shift), 0, pte);
			continue;
		}
		page->seen_maps++;
		/* Dirty is visible in the entry, or anywhere in its block. */
		first = table + (i & ~(pb_cont_ptes(g) - 1));
		if (pb_pte_dirty(pte) ||
		    (pb_pte_cont(pte) && pb_block_dirty(mm, first)))
			page->flags |= PB_PG_SEEN_DIRTY;
	}
}

/*
 * A PMD leaf of @mm that is not special (the huge zero folio): a block
 * descriptor with CONT clear (THP never uses the contiguous PMD hint) that
 * maps, from its head page, a live folio of the PMD order; it counts once
 * in the folio's entire mapcount, and its dirty state covers every page.
 * @arg is the mm being checked.
 */
static void pb_count_pmd(struct pb_mm *mm, pb_pte_t *pmdp, u64 va, void *arg)
{
	struct pb_mm *checking = arg;
	const struct pb_geom *g = &mm->geom;
	pb_pte_t pmd = *pmdp;
	u64 pfn = pb_pte_pfn(g, pmd), head_pfn, i;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);

	/* The huge zero folio, special: no folio to count. */
	if (pmd & PB_PTE_SPECIAL)
		return;
	if (!head) {
		pb_violation(checking, PB_V_freed, va, 0, pmd);
		return;
	}
	if (pb_pte_cont(pmd) || head_pfn != pfn ||
	    head->order != pb_pmd_order(g)) {
		pb_violation(checking, PB_V_misprogrammed, va, 0, pmd);
		return;
	}
	pb_seen_pmds(head)++;
	if (pb_pte_dirty(pmd))
		for (i = 0; i < (1ULL << head->order); i++)
			head[i].flags |= PB_PG_SEEN_DIRTY;
}

static void pb_folio_violation(struct pb_mm *mm, enum pb_violation v, u64 pfn,
			       u64 expected, u64 actual)
{
	pb_violation(mm, v, pfn << mm->geom.page_shift, expected, actual);
}

static void pb_folio_reset_seen(struct pb_phys *p, u64 head_pfn,
				struct pb_page *head, void *arg)
{
	u64 i;

	for (i = 0; i < (1ULL << head->order); i++) {
		head[i].seen_maps = 0;
		head[i].flags &= ~PB_PG_SEEN_DIRTY;
	}
	if (head->order >= 2)
		pb_seen_pmds(head) = 0;
}

static void pb_folio_check(struct pb_phys *p, u64 head_pfn,
			   struct pb_page *head, void *arg)
{
	struct pb_mm *mm = arg;
	u32 pmds = pb_folio_seen_pmds(head), large = pb_folio_large_mapcount(head);
	u32 entire = pb_folio_entire_mapcount(head);
	u64 i, nr = 1ULL << head->order, maps = pmds, pins;

	if (pmds != entire)
		pb_folio_violation(mm, PB_V_mapcount, head_pfn, pmds, entire);
	for (i = 0; i < nr; i++) {
		/* The page's mappings: its PTEs, and the PMDs of the folio. */
		u32 mapped = head[i].seen_maps + pmds;

		if (head[i].seen_maps != head[i].mapcount)
			pb_folio_violation(mm, PB_V_mapcount, head_pfn + i,
					   head[i].seen_maps, head[i].mapcount);
		maps += head[i].seen_maps;
		/* PageAnonExclusive: one PTE or PMD of one mm maps it, or none. */
		if ((head[i].flags & PB_PG_ANON_EXCLUSIVE) && mapped > 1)
			pb_folio_violation(mm, PB_V_exclusive, head_pfn + i, 1,
					   mapped);
		if ((head[i].flags & PB_PG_HW_DIRTIED) && mapped &&
		    !(head[i].flags & PB_PG_SEEN_DIRTY) &&
		    !(head->flags & PB_PG_DIRTY))
			pb_folio_violation(mm, PB_V_dirty_lost, head_pfn + i, 1, 0);
	}
	/* large_mapcount: every PTE, and each PMD once. */
	if (maps != large)
		pb_folio_violation(mm, PB_V_mapcount, head_pfn, maps, large);
	/* Each PMD holds one reference, as each PTE does. */
	pins = head->pincount * pb_folio_pin_refs(head);
	if (head->refcount != maps + pins + head->extra_refs)
		pb_folio_violation(mm, PB_V_refcount, head_pfn,
				   maps + pins + head->extra_refs, head->refcount);
}

/*
 * Walk the leaf tables over @mm's VMAs, each widened to whole contiguous
 * blocks, in address order and merged where they then touch, so that every
 * block is seen once.  Nothing maps outside a VMA; an entry that did would
 * still show, as a mapcount its walk does not find.  The VMAs are kept in
 * no order: an insertion sort of their indices (few, and mostly in order
 * already) puts them in address order, and one pass merges them.
 */
static void pb_walk_vma_ranges(struct pb_mm *mm, u64 align, pb_leaf_fn_t fn,
			       pb_pmd_fn_t pmd_fn, void *arg)
{
	const struct pb_vma *vmas = mm->vmas;
	unsigned int i, j, n = mm->nr_vmas;
	u8 order[PB_MAX_VMAS];
	u64 start, end;

	BUILD_BUG_ON(PB_MAX_VMAS > 256);
	for (i = 0; i < n; i++) {
		for (j = i; j && vmas[order[j - 1]].start > vmas[i].start; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (i = 0; i < n;) {
		start = vmas[order[i]].start & ~(align - 1);
		end = ALIGN(vmas[order[i]].end, align);
		for (i++; i < n && (vmas[order[i]].start & ~(align - 1)) <= end; i++)
			end = max(end, ALIGN(vmas[order[i]].end, align));
		if (fn)
			pb_walk_leaf_tables(mm, start, end, fn, arg);
		else
			pb_walk_pmd_leaves(mm, start, end, pmd_fn, arg);
	}
}

static void pb_walk_vma_leaves(struct pb_mm *mm, pb_leaf_fn_t fn, void *arg)
{
	pb_walk_vma_ranges(mm, pb_cont_size(&mm->geom), fn, NULL, arg);
}

/* The PMD leaves over @mm's VMAs, each widened to whole PMDs, once each. */
static void pb_walk_vma_pmds(struct pb_mm *mm, pb_pmd_fn_t fn, void *arg)
{
	pb_walk_vma_ranges(mm, pb_pmd_size(&mm->geom), NULL, fn, arg);
}

/* What of pb_check_mm() is @mm's own: its blocks. */
u64 pb_check_mm_tables(struct pb_mm *mm)
{
	u64 before = mm->counters[PB_MMC_violations];

	pb_mm_count(mm, PB_MMC_checks, 1);
	pb_walk_vma_leaves(mm, pb_check_blocks, NULL);
	return mm->counters[PB_MMC_violations] - before;
}

/*
 * Check @mm's page table and the folios of its arena against every mm that
 * shares the arena.  Returns the number of violations found.
 */
u64 pb_check_mm(struct pb_mm *mm)
{
	struct pb_phys *p = mm->phys;
	u64 before = mm->counters[PB_MMC_violations];
	unsigned int i;

	pb_check_mm_tables(mm);
	pb_phys_walk_folios(p, pb_folio_reset_seen, NULL);
	for (i = 0; i < p->nr_mms; i++) {
		pb_walk_vma_leaves(p->mms[i], pb_count_maps, mm);
		if (p->mms[i]->had_pmd_leaf)
			pb_walk_vma_pmds(p->mms[i], pb_count_pmd, mm);
	}
	pb_phys_walk_folios(p, pb_folio_check, mm);
	return mm->counters[PB_MMC_violations] - before;
}
