// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: PMD-mapped THP (mm/huge_memory.c): a PMD-order anon folio mapped
 * by one PMD leaf, its fault, copy at fork, write-fault reuse, zap, and the
 * split into PTEs that everything else falls back to.
 *
 * A PMD leaf is a block descriptor in the table above the last level, with
 * a last-level table deposited under it (pgtable_trans_huge_deposit()), so
 * that a split cannot fail.  The folio's entire mapcount counts the PMDs,
 * large_mapcount counts each of them once, and each PMD holds one reference,
 * as upstream.  Both profiles share these paths: the PMD fault, copy, wp
 * reuse and split are the same in 6.12 and 7.3.  They differ in the huge
 * zero page that a read fault maps (use_zero_page): a write to it splits it
 * into zero-page PTEs in 6.12, and the PTE fault copies one page; 7.3's
 * do_huge_zero_wp_pmd() maps a new THP instead.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>

#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/rmap.h"
#include "model/shadow.h"
#include "model/tlb.h"
#include "arch/contpte.h"
#include "paths/gather.h"
#include "paths/huge.h"

/* The PMD leaf that maps @va, or NULL. */
pb_pte_t *pb_huge_pmd(struct pb_mm *mm, u64 va)
{
	pb_pte_t *pmdp = pb_pmd_offset(mm, va);

	return pmdp && pb_pmd_leaf(*pmdp) ? pmdp : NULL;
}

/*
 * thp_vma_allowable_order(PMD_ORDER) and pmd_none(): may a fault or a
 * populate map the PMD-aligned range around @va with one PMD?  With the
 * thp_pmd knob ("always"), in a private anon VMA that holds the whole range
 * and is not registered for uffd-wp (unlike upstream, which maps uffd-wp
 * PMDs), with the PMD order in thp_orders (hugepages-<PMD size>kB/enabled),
 * where no page table is there yet, in an arena whose base is PMD-aligned
 * (a block descriptor needs an aligned output address).
 */
bool pb_thp_pmd_allowed(struct pb_mm *mm, const struct pb_vma *vma, u64 va)
{
	const struct pb_geom *g = &mm->geom;
	u64 size = pb_pmd_size(g), haddr = va & ~(size - 1);
	pb_pte_t *pmdp;

	if (!mm->knobs[PB_KNOB_thp_pmd] || !pb_vma_is_anon(vma) ||
	    (vma->flags & PB_VM_UFFD_WP) ||
	    /* A folio is aligned in the arena: it must be in PA too. */
	    (mm->phys->base_pfn & ((1ULL << pb_pmd_order(g)) - 1)) ||
	    !(mm->knobs[PB_KNOB_thp_orders] & BIT_ULL(pb_pmd_order(g))) ||
	    haddr < vma->start || haddr + size > vma->end)
		return false;
	pmdp = pb_pmd_offset(mm, haddr);
	return !pmdp || !*pmdp;
}

/*
 * The huge zero folio: PMD-order frames outside the arena, below it where
 * there is room below the small zero page, else above; no folio, so it
 * reads as zeroes and nothing counts its mappings.
 */
static u64 pb_huge_zero_pfn(const struct pb_mm *mm)
{
	const struct pb_phys *p = mm->phys;
	u64 nr = 1ULL << pb_pmd_order(&mm->geom);

	if (p->base_pfn > nr)
		return (p->base_pfn - 1 - nr) & ~(nr - 1);
	return ALIGN(p->base_pfn + p->nr_pages + 1, nr);
}

/* is_huge_zero_pmd(): a special PMD leaf of the huge zero folio. */
bool pb_is_huge_zero_pmd(const struct pb_mm *mm, pb_pte_t pmd)
{
	return (pmd & PB_PTE_SPECIAL) &&
	       pb_pte_pfn(&mm->geom, pmd) == pb_huge_zero_pfn(mm);
}

/*
 * map_anon_folio_pmd_nopf() of the new folio at @pfn into @pmdp, whose
 * table is deposited: young, dirty and, in a writable VMA, writable
 * (maybe_pmd_mkwrite(pmd_mkdirty())), for a read fault too.  The folio goes
 * on the deferred-split queue, not partially mapped
 * (deferred_split_folio(folio, false), for the underused-THP shrinker).
 */
static void pb_set_anon_pmd(struct pb_mm *mm, struct pb_vma *vma, u64 haddr,
			    pb_pte_t *pmdp, u64 pfn)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_page *head = pb_pfn_to_page(mm->phys, pfn);
	pb_pte_t pmd;

	/* The PMD takes over the allocation's reference. */
	head->extra_refs = 0;
	vma->flags |= PB_VM_ANON_VMA;
	pb_rmap_add_pmd(mm, pfn, true);
	pb_mm_count(mm, PB_MMC_folios_mapped, 1);
	pb_mm_count(mm, PB_MMC_pmd_maps, 1);
	pmd = pb_pte_to_pmd(pb_pfn_pte(g, pfn, pb_vma_prot(mm, vma, true)));
	if (!(vma->flags & PB_VM_WRITE))
		pmd = pb_pte_wrprotect(pmd);
	pb_write_pmd(mm, haddr, pmdp, pmd);
	pb_deferred_add(mm->phys, pfn);
}

/*
 * __do_huge_pmd_anonymous_page(): a new exclusive anon folio of the PMD
 * order with its table deposited, mapped by pb_set_anon_pmd().  0, -EEXIST
 * if the PMD is not none, or -ENOMEM with nothing changed.
 */
int pb_map_anon_pmd(struct pb_mm *mm, struct pb_vma *vma, u64 va)
{
	const struct pb_geom *g = &mm->geom;
	u64 haddr = va & ~(pb_pmd_size(g) - 1), pfn;
	pb_pte_t *pmdp;
	int ret;

	ret = pb_folio_alloc(mm->phys, pb_pmd_order(g), true, &pfn);
	if (ret)
		return ret;
	pmdp = pb_pmd_deposit(mm, haddr);
	if (IS_ERR_OR_NULL(pmdp)) {
		pb_folio_put(mm->phys, pfn, 1);
		return pmdp ? PTR_ERR(pmdp) : -EEXIST;
	}
	pb_set_anon_pmd(mm, vma, haddr, pmdp, pfn);
	return 0;
}

/*
 * do_huge_pmd_anonymous_page() of a read with use_zero_page (the knob, on
 * by default as upstream's): set_huge_zero_folio(), the huge zero folio
 * mapped special and read-only, its table deposited.  0, -EEXIST, -ERANGE
 * (no room for it in the PA space) or -ENOMEM with nothing changed.
 */
int pb_map_huge_zero_pmd(struct pb_mm *mm, struct pb_vma *vma, u64 va)
{
	const struct pb_geom *g = &mm->geom;
	u64 haddr = va & ~(pb_pmd_size(g) - 1), end;
	pb_pte_t *pmdp;

	/* An arena at the top of the PA space leaves no room: PTEs then. */
	end = (pb_huge_zero_pfn(mm) << g->page_shift) + pb_pmd_size(g);
	if (g->pa_bits < 64 && end > 1ULL << g->pa_bits)
		return -ERANGE;
	pmdp = pb_pmd_deposit(mm, haddr);
	if (IS_ERR_OR_NULL(pmdp))
		return pmdp ? PTR_ERR(pmdp) : -EEXIST;
	/* vmf_anon_prepare() comes first, for the zero folio too: fork copies it. */
	vma->flags |= PB_VM_ANON_VMA;
	pb_write_pmd(mm, haddr, pmdp,
		     pb_pte_to_pmd(pb_pfn_pte(g, pb_huge_zero_pfn(mm),
					      pb_vma_prot(mm, vma, false))) |
		     PB_PTE_SPECIAL);
	pb_mm_count(mm, PB_MMC_zero_page_faults, 1);
	return 0;
}

/*
 * __split_huge_zero_page_pmd(): pmdp_huge_clear_flush(), then one
 * special PTE of the small zero page per page (set_pte_at() one at a time:
 * one frame, so no block folds), keeping uffd-wp, and pmd_populate().
 */
static void pb_split_huge_zero_pmd(struct pb_mm *mm, u64 haddr, pb_pte_t *pmdp)
{
	const struct pb_geom *g = &mm->geom;
	pb_pte_t old = *pmdp, pte, *ptep = pb_pmd_deposited(mm, haddr);
	unsigned int i;

	pb_write_pmd(mm, haddr, pmdp, 0);
	pb_flush_tlb_range(mm, haddr, haddr + pb_pmd_size(g));
	pte = pb_pfn_pte(g, mm->phys->zero_pfn, pb_pmd_to_pte(old));
	for (i = 0; i < (1U << pb_pmd_order(g)); i++)
		pb_set_ptes(mm, haddr + ((u64)i << g->page_shift), ptep + i, pte, 1);
	pb_write_pmd(mm, haddr, pmdp, pb_pmd_table_desc(mm, haddr));
	pb_mm_count(mm, PB_MMC_pmd_splits, 1);
}

/*
 * __split_huge_pmd_locked() of an anon PMD (6.12 and 7.3 alike):
 * pmdp_invalidate() and its flush, the folio marked dirty if the PMD was
 * (folio_set_dirty()), the references and PTE rmap of every page
 * (folio_ref_add(), folio_add_anon_rmap_ptes() with the head page's
 * exclusivity for all), one set_ptes() of all the PTEs with the PMD's
 * write, young, dirty, soft-dirty and uffd-wp bits into the deposited table,
 * which folds every block (CONT where the blocks allow), then the PMD's rmap
 * removal and pmd_populate().
 */
void pb_split_huge_pmd(struct pb_mm *mm, u64 va)
{
	const struct pb_geom *g = &mm->geom;
	u64 size = pb_pmd_size(g), haddr = va & ~(size - 1), head_pfn;
	unsigned int nr = 1U << pb_pmd_order(g);
	pb_pte_t *pmdp = pb_huge_pmd(mm, haddr), old, pte;
	struct pb_page *head;
	bool exclusive;

	if (!pmdp)
		return;
	old = *pmdp;
	if (pb_is_huge_zero_pmd(mm, old)) {
		pb_split_huge_zero_pmd(mm, haddr, pmdp);
		return;
	}
	/* pmdp_invalidate(): not valid but still present, then the flush. */
	pb_write_pmd(mm, haddr, pmdp, (old & ~PB_PTE_VALID) | PB_PTE_PRESENT_INVALID);
	if (!pb_mutation(mm, PB_KNOB_skip_pmd_split_flush))
		pb_flush_tlb_range(mm, haddr, haddr + size);
	head_pfn = pb_pte_pfn(g, old);
	head = pb_pfn_to_page(mm->phys, head_pfn);
	if (pb_pte_dirty(old))
		head->flags |= PB_PG_DIRTY;
	exclusive = head->flags & PB_PG_ANON_EXCLUSIVE;
	head->refcount += nr - 1;
	pb_mm_count(mm, PB_MMC_refcount_atomics, 1);
	pb_rmap_add(mm, head_pfn, nr, exclusive);
	pte = pb_pmd_to_pte(old);
	pb_set_ptes(mm, haddr, pb_pmd_deposited(mm, haddr), pte, nr);
	pb_rmap_remove_pmd(mm, head_pfn);
	pb_write_pmd(mm, haddr, pmdp, pb_pmd_table_desc(mm, haddr));
	pb_mm_count(mm, PB_MMC_pmd_splits, 1);
}

static void pb_split_one(struct pb_mm *mm, pb_pte_t *pmdp, u64 va, void *arg)
{
	pb_split_huge_pmd(mm, va);
}

/* Split every PMD leaf that [start, end) overlaps. */
void pb_split_huge_pmds(struct pb_mm *mm, u64 start, u64 end)
{
	pb_walk_pmd_leaves(mm, start, end, pb_split_one, NULL);
}

/*
 * zap_huge_pmd() of an anon PMD: pmdp_huge_get_and_clear_full(), the rmap
 * removal, zap_deposited_table(), and the gather: the range to flush and the
 * folio's one reference, dropped after the flush (tlb_remove_page_size()).
 */
void pb_zap_huge_pmd(struct pb_mm *mm, u64 va)
{
	const struct pb_geom *g = &mm->geom;
	pb_pte_t *pmdp = pb_huge_pmd(mm, va), old;
	u64 head_pfn;

	old = *pmdp;
	pb_write_pmd(mm, va, pmdp, 0);
	pb_pmd_free_deposit(mm, va);
	pb_gather_add(mm, va, 1ULL << pb_pmd_order(g));
	pb_mm_count(mm, PB_MMC_pmd_zaps, 1);
	/* The huge zero folio: no rmap, no reference. */
	if (pb_is_huge_zero_pmd(mm, old))
		return;
	head_pfn = pb_pte_pfn(g, old);
	pb_rmap_remove_pmd(mm, head_pfn);
	pb_gather_put_folio(mm, head_pfn, 1);
}

/*
 * Before a walk of [start, end) that works on PTEs: zap_pmd_range(),
 * change_pmd_range() and the like split a PMD leaf the range covers only in
 * part (__split_huge_pmd()).  Those it covers whole are left for @whole, or
 * split too when it is NULL.
 */
struct pb_huge_walk {
	u64 start, end;
	pb_pmd_fn_t whole;
	void *arg;
};

static void pb_huge_walk_one(struct pb_mm *mm, pb_pte_t *pmdp, u64 va,
			     void *arg)
{
	struct pb_huge_walk *w = arg;

	if (w->whole && va >= w->start && va + pb_pmd_size(&mm->geom) <= w->end)
		w->whole(mm, pmdp, va, w->arg);
	else
		pb_split_huge_pmd(mm, va);
}

void pb_huge_pmd_range(struct pb_mm *mm, u64 start, u64 end, pb_pmd_fn_t whole,
		       void *arg)
{
	struct pb_huge_walk w = { start, end, whole, arg };

	pb_walk_pmd_leaves(mm, start, end, pb_huge_walk_one, &w);
}

/*
 * copy_huge_pmd() of an anon PMD leaf at @va into @dst, whose PMD fork has
 * prepared (pb_pmd_deposit() with the table deposited): folio_get(),
 * folio_try_dup_anon_rmap_pmd() (which clears the head page's
 * exclusivity), and both PMDs write-protected (pmdp_set_wrprotect()), the
 * child's old (pmd_mkold()) and without uffd-wp unless its VMA is
 * registered.  Upstream splits the parent's PMD when the folio may be
 * pinned; in the model a PMD leaf never maps a pinned folio (pin splits
 * the PMD first, and only an exclusive page can be pinned), so the dup
 * cannot fail.
 */
void pb_copy_huge_pmd(struct pb_mm *dst, struct pb_mm *src,
		      const struct pb_vma *dst_vma, u64 va)
{
	const struct pb_geom *g = &src->geom;
	pb_pte_t *src_pmdp = pb_huge_pmd(src, va), pmd = *src_pmdp;
	pb_pte_t *dst_pmdp = pb_pmd_offset(dst, va);
	u64 head_pfn = pb_pte_pfn(g, pmd);
	struct pb_page *head = pb_pfn_to_page(src->phys, head_pfn);

	/* The huge zero folio is shared as it is (mm_get_huge_zero_folio()). */
	if (!pb_is_huge_zero_pmd(src, pmd)) {
		head->refcount++;
		pb_mm_count(dst, PB_MMC_refcount_atomics, 1);
		head->flags &= ~PB_PG_ANON_EXCLUSIVE;
		pb_rmap_add_pmd(dst, head_pfn, false);
	}
	if (pb_pte_write(pmd)) {
		pmd = pb_pte_wrprotect(pmd);
		pb_write_pmd(src, va, src_pmdp, pmd);
	}
	pmd = pb_pte_mkold(pmd);
	if (!(dst_vma->flags & PB_VM_UFFD_WP))
		pmd &= ~PB_PTE_UFFD_WP;
	pb_write_pmd(dst, va, dst_pmdp, pmd);
	pb_mm_count(dst, PB_MMC_pmd_copies, 1);
}

/*
 * A write to the huge zero folio: the mainline profile's
 * do_huge_zero_wp_pmd() maps a new THP (pmdp_huge_clear_flush(), then
 * map_anon_folio_pmd_pf() with the deposited table), falling back to a
 * split when none can be allocated; 6.12's do_huge_pmd_wp_page() splits it
 * into zero-page PTEs, and the PTE fault then copies one page.
 */
static int pb_huge_zero_wp(struct pb_mm *mm, struct pb_vma *vma, u64 haddr,
			   pb_pte_t *pmdp)
{
	const struct pb_geom *g = &mm->geom;
	u64 pfn;

	if (mm->profile == PB_PROFILE_MAINLINE &&
	    !pb_folio_alloc(mm->phys, pb_pmd_order(g), true, &pfn)) {
		pb_write_pmd(mm, haddr, pmdp, 0);
		pb_flush_tlb_range(mm, haddr, haddr + pb_pmd_size(g));
		pb_set_anon_pmd(mm, vma, haddr, pmdp, pfn);
		return 0;
	}
	pb_split_huge_pmd(mm, haddr);
	return -EAGAIN;
}

/*
 * do_huge_pmd_wp_page(), the same in 6.12 and 7.3 but for the huge zero
 * folio (pb_huge_zero_wp()): a write fault on a read-only PMD leaf reuses
 * the whole folio when its head page is anon-exclusive or the PMD holds its
 * only reference (which makes it exclusive again, folio_move_anon_rmap()),
 * with pmdp_set_access_flags(): young, dirty, writable, soft-dirty.
 * Otherwise it splits the PMD (__split_huge_pmd()) and returns -EAGAIN: the
 * PTE fault then copies the one page (VM_FAULT_FALLBACK).  A uffd-wp PMD is
 * split too (the PTE fault then resolves the marker).
 */
int pb_huge_pmd_wp(struct pb_mm *mm, struct pb_vma *vma, u64 va)
{
	const struct pb_geom *g = &mm->geom;
	u64 haddr = va & ~(pb_pmd_size(g) - 1);
	pb_pte_t *pmdp = pb_huge_pmd(mm, haddr), pmd = *pmdp;
	struct pb_page *head = pb_pfn_to_page(mm->phys, pb_pte_pfn(g, pmd));

	if (pb_is_huge_zero_pmd(mm, pmd))
		return pb_huge_zero_wp(mm, vma, haddr, pmdp);
	if (!(pmd & PB_PTE_UFFD_WP) &&
	    ((head->flags & PB_PG_ANON_EXCLUSIVE) || head->refcount == 1)) {
		head->flags |= PB_PG_ANON_EXCLUSIVE;
		pmd = pb_pte_mkdirty(pb_pte_mkwrite(pb_pte_mkyoung(pmd))) |
		      PB_PTE_SOFT_DIRTY;
		/*
		 * Only permissions and A/D change, in place: no flush, as
		 * arm64's pmdp_set_access_flags(); a TLB entry still read-only
		 * misses on a write.
		 */
		pb_write_pmd(mm, haddr, pmdp, pmd);
		pb_mm_count(mm, PB_MMC_wp_reuses, 1);
		return 0;
	}
	pb_split_huge_pmd(mm, haddr);
	return -EAGAIN;
}

/* huge_pmd_set_accessed(): touch_pmd() of a spurious fault. */
void pb_huge_pmd_set_accessed(struct pb_mm *mm, u64 va, bool write)
{
	u64 haddr = va & ~(pb_pmd_size(&mm->geom) - 1);
	pb_pte_t *pmdp = pb_huge_pmd(mm, haddr), pmd = pb_pte_mkyoung(*pmdp);

	if (write)
		pmd = pb_pte_mkdirty(pmd);
	if (pmd != *pmdp)
		pb_write_pmd(mm, haddr, pmdp, pmd);
}
