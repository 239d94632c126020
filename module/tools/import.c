// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: task_import's model side.  Each folio of the process becomes a
 * populate of its order where its first page would be (as a fault makes a
 * folio: pb_populate()), then the pages the process does not map of it are
 * zapped, the entries made read-only, old or clean where the process's are,
 * anon pages that the process shares (!PageAnonExclusive(), after a fork)
 * lose their exclusive mark, and blocks are folded or unfolded as the
 * process's are.  Unlike upstream no fault or fork happened here: the state
 * is set directly, through the model's own helpers, so that the checker
 * sees a state a real mm can be in.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "model/desc.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/shadow.h"
#include "model/tlb.h"
#include "arch/contpte.h"
#include "paths/huge.h"
#include "paths/populate.h"
#include "paths/zap.h"
#include "tools/import.h"

/* The page of @src at @va, or NULL: the list is in address order. */
static const struct pb_import_page *pb_import_find(const struct pb_import_src *src,
						   u64 va)
{
	u32 lo = 0, hi = src->nr_pages;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (src->page[mid].va == va)
			return &src->page[mid];
		if (src->page[mid].va < va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* @q is the page of @p's folio that belongs at @va, if @fva is its start. */
static bool pb_import_same(const struct pb_import_page *p,
			   const struct pb_import_page *q, u64 fva, u64 va,
			   unsigned int shift)
{
	return q && q->head_pfn == p->head_pfn &&
	       q->pfn - q->head_pfn == (va - fva) >> shift;
}

static int pb_import_vmas(struct pb_mm *mm, const struct pb_import_src *src,
			  struct pb_import_result *res)
{
	const char *why;
	u32 i, flags;
	int ret;

	for (i = 0; i < src->listed; i++) {
		const struct pb_import_vma *v = &src->vma[i];

		flags = (v->read ? PB_VM_READ : 0) | (v->write ? PB_VM_WRITE : 0);
		if (v->shared)
			flags |= PB_VM_SHARED;
		/*
		 * Shared and anon is the model's shmem, which only a snapshot
		 * of a model mm lists: a process's shmem is a file VMA
		 * (shmem_zero_setup() gives MAP_SHARED|MAP_ANONYMOUS a file).
		 */
		if (v->kind == PB_MAPS_KIND_ANON)
			flags |= PB_VM_ANON;
		/* -w- has no model VMA: a writable VMA must be readable here. */
		if (v->write)
			flags |= PB_VM_READ;
		ret = pb_vma_add(mm, v->start, v->end, flags, &why);
		/* Past PB_MAX_VMAS, PB_MM_MAPPED_MAX or the model's VA size. */
		if (ret == -ENOSPC || ret == -EINVAL) {
			res->skip[PB_IMPORT_SKIP_vma_limit] +=
				(v->end - v->start) >> src->page_shift;
			continue;
		}
		if (ret)
			return ret;
		res->vmas++;
	}
	return 0;
}

/* Unfold every folded block of [@start, @end), that each entry be set alone. */
static void pb_import_unfold(struct pb_mm *mm, u64 start, u64 end)
{
	u64 csize = pb_cont_size(&mm->geom), va;
	pb_pte_t *ptep;

	for (va = start & ~(csize - 1); va < end; va += csize) {
		ptep = pb_pte_offset(mm, va, false);
		if (ptep && pb_pte_valid_cont(*ptep))
			pb_contpte_try_unfold(mm, va, ptep, *ptep);
	}
}

/* One mapped page of the folio: the process's permission, A/D, exclusivity. */
static void pb_import_attrs(struct pb_mm *mm, const struct pb_import_page *q)
{
	const struct pb_geom *g = &mm->geom;
	pb_pte_t *ptep = pb_pte_offset(mm, q->va, false);
	bool young, dirty;
	struct pb_page *pg;
	pb_pte_t want;

	if (!ptep || !pb_pte_present(*ptep))
		return;
	if (!(q->flags & PB_IMPORT_PG_WRITE) && pb_pte_write(*ptep))
		pb_wrprotect_ptes(mm, q->va, ptep, 1);
	young = !(q->flags & PB_IMPORT_PG_YOUNG) && pb_pte_young(*ptep);
	dirty = !(q->flags & PB_IMPORT_PG_DIRTY) && pb_pte_dirty(*ptep);
	if (young || dirty)
		pb_clear_young_dirty_ptes(mm, q->va, ptep, 1, young, dirty);
	/*
	 * And the reverse, as the hardware or a fault sets them: a page
	 * written and then made read-only (mprotect()) is dirty in a VMA
	 * whose populate maps it clean.
	 */
	want = *ptep;
	if (q->flags & PB_IMPORT_PG_YOUNG)
		want = pb_pte_mkyoung(want);
	if (q->flags & PB_IMPORT_PG_DIRTY)
		want = pb_pte_mkdirty(want);
	if (want != *ptep)
		pb_ptep_set_access_flags(mm, q->va, ptep, want,
					 q->flags & PB_IMPORT_PG_DIRTY);
	/*
	 * A page the process shares with a parent or child (or kept after
	 * the child exited): read-only, and reused or copied by a write
	 * fault as wp_can_reuse_anon_folio() decides.
	 */
	pg = pb_pfn_to_page(mm->phys, pb_pte_pfn(g, *ptep));
	if (pg && (q->flags & PB_IMPORT_PG_ANON) && !(q->flags & PB_IMPORT_PG_EXCL) &&
	    !pb_pte_write(*ptep))
		pg->flags &= ~PB_PG_ANON_EXCLUSIVE;
}

/*
 * A PMD leaf: the same, from its first page's entry, as a fork leaves one
 * (pb_copy_huge_pmd(): write-protected, and the head page not exclusive).
 */
static void pb_import_pmd_attrs(struct pb_mm *mm, u64 fva,
				const struct pb_import_page *q)
{
	pb_pte_t *pmdp = pb_huge_pmd(mm, fva), pmd;
	struct pb_page *head;

	if (!pmdp || !q)
		return;
	pmd = *pmdp;
	if (!(q->flags & PB_IMPORT_PG_WRITE))
		pmd = pb_pte_wrprotect(pmd);
	pmd = q->flags & PB_IMPORT_PG_YOUNG ? pb_pte_mkyoung(pmd) : pb_pte_mkold(pmd);
	pmd = q->flags & PB_IMPORT_PG_DIRTY ? pb_pte_mkdirty(pmd) : pb_pte_mkclean(pmd);
	if (pmd != *pmdp)
		pb_write_pmd(mm, fva, pmdp, pmd);
	head = pb_pfn_to_page(mm->phys, pb_pte_pfn(&mm->geom, pmd));
	if (head && (q->flags & PB_IMPORT_PG_ANON) &&
	    !(q->flags & PB_IMPORT_PG_EXCL) && !pb_pte_write(pmd))
		head->flags &= ~PB_PG_ANON_EXCLUSIVE;
}

/* Fold the blocks of [@fva, @fend) that the process has folded. */
static void pb_import_fold(struct pb_mm *mm, const struct pb_import_src *src,
			   const struct pb_import_page *p, u64 fva, u64 fend,
			   struct pb_import_result *res)
{
	unsigned int shift = src->page_shift, n = pb_cont_ptes(&mm->geom), i;
	u64 csize = pb_cont_size(&mm->geom), va;
	const struct pb_import_page *q;
	pb_pte_t *ptep;

	if (!src->cont_ptes || fend - fva < csize)
		return;
	for (va = fva; va + csize <= fend; va += csize) {
		for (i = 0; i < n; i++) {
			u64 a = va + ((u64)i << shift);

			q = pb_import_find(src, a);
			if (!pb_import_same(p, q, fva, a, shift) ||
			    !(q->flags & PB_IMPORT_PG_CONT))
				break;
		}
		if (i < n)
			continue;
		ptep = pb_pte_offset(mm, va, false);
		if (!ptep || pb_pte_valid_cont(*ptep))
			continue;
		if (!mm->knobs[PB_KNOB_contpte] || pb_contpte_foldable(mm, va, ptep)) {
			res->skip[PB_IMPORT_SKIP_cont] += n;
			continue;
		}
		pb_contpte_fold(mm, va, ptep);
	}
}

/* The folio of @p, at @fva, made and then shaped as the process's. */
static int pb_import_folio(struct pb_mm *mm, const struct pb_import_src *src,
			   const struct pb_import_page *p, u64 fva,
			   struct pb_import_result *res)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int shift = src->page_shift;
	u64 fend = fva + (pb_page_size(g) << p->order), va;
	const struct pb_import_page *q;
	u64 thp_pmd = mm->knobs[PB_KNOB_thp_pmd];
	u64 thp_orders = mm->knobs[PB_KNOB_thp_orders];
	const char *why;
	bool pmd;
	int ret;

	/* A PMD leaf where the process has one: the THP knobs allow it. */
	if (p->flags & PB_IMPORT_PG_PMD) {
		mm->knobs[PB_KNOB_thp_pmd] = 1;
		mm->knobs[PB_KNOB_thp_orders] |= BIT_ULL(pb_pmd_order(g));
	}
	ret = pb_populate(mm, fva, fend, p->order, false, &why);
	mm->knobs[PB_KNOB_thp_pmd] = thp_pmd;
	mm->knobs[PB_KNOB_thp_orders] = thp_orders;
	if (ret)
		return ret;
	res->folios++;
	pb_va_entry(mm, fva, &pmd);
	if (pmd && !(p->flags & PB_IMPORT_PG_PMD))
		pb_split_huge_pmd(mm, fva);
	if (pmd && (p->flags & PB_IMPORT_PG_PMD)) {
		/* Mapped whole, as the process maps it. */
		pb_import_pmd_attrs(mm, fva, pb_import_find(src, fva));
		res->imported += (fend - fva) >> shift;
		return 0;
	}
	pb_import_unfold(mm, fva, fend);
	for (va = fva; va < fend; va += pb_page_size(g)) {
		q = pb_import_find(src, va);
		if (!pb_import_same(p, q, fva, va, shift)) {
			pb_zap_range(mm, va, va + pb_page_size(g));
			continue;
		}
		pb_import_attrs(mm, q);
		res->imported++;
	}
	pb_import_fold(mm, src, p, fva, fend, res);
	return 0;
}

int pb_import_build(struct pb_mm *mm, const struct pb_import_src *src,
		    struct pb_import_result *res, const char **why)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int shift = src->page_shift;
	const struct pb_import_page *p;
	struct pb_vma *vma;
	u64 fva, fsize;
	bool pmd;
	u32 i;
	int ret;

	memset(res, 0, sizeof(*res));
	memcpy(res->skip, src->skip, sizeof(res->skip));
	ret = pb_import_vmas(mm, src, res);
	if (ret) {
		*why = ret == -ENOMEM ?
		       "out of memory: the session's budget_bytes, or the kernel's" :
		       "a VMA of the process cannot be made";
		return ret;
	}
	for (i = 0; i < src->nr_pages; i++) {
		p = &src->page[i];
		vma = pb_vma_find(mm, p->va);
		if (!vma) {
			res->skip[PB_IMPORT_SKIP_vma_limit]++;
			continue;
		}
		/* Made already, with an earlier page of its folio. */
		if (pb_pte_present(pb_va_entry(mm, p->va, &pmd)))
			continue;
		if (!(p->flags & PB_IMPORT_PG_ANON) != !pb_vma_is_anon(vma)) {
			res->skip[PB_IMPORT_SKIP_kind]++;
			continue;
		}
		fsize = pb_page_size(g) << p->order;
		fva = p->va - ((p->pfn - p->head_pfn) << shift);
		if (p->order > pb_pmd_order(g) || (fva & (fsize - 1)) ||
		    fva < vma->start || fva + fsize > vma->end) {
			res->skip[PB_IMPORT_SKIP_misaligned]++;
			continue;
		}
		ret = pb_import_folio(mm, src, p, fva, res);
		if (ret == -ENOMEM) {
			*why = "out of memory: the session's budget_bytes, or the kernel's";
			return ret;
		}
		/* Another folio's pages are in its range: not where it can be. */
		if (ret)
			res->skip[PB_IMPORT_SKIP_misaligned]++;
	}
	/* What the attribute changes above left in the TLB goes. */
	pb_flush_tlb_mm(mm);
	return 0;
}

/* One present page of @mm at @va into @src, unless the list is full. */
static void pb_import_snap_page(struct pb_mm *mm, u64 va,
				struct pb_import_src *src)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_import_page *q;
	struct pb_page *head;
	u64 pfn, head_pfn;
	pb_pte_t pte;
	bool pmd;

	pte = pb_va_entry(mm, va, &pmd);
	if (!pb_pte_present(pte))
		return;
	src->present++;
	pfn = pb_pte_pfn(g, pte);
	head = pb_page_folio(mm->phys, pfn, &head_pfn);
	if (!head) {
		src->skip[PB_IMPORT_SKIP_nofolio]++;
		return;
	}
	q = pb_import_src_next(src);
	if (!q)
		return;
	q->va = va;
	q->pfn = pfn;
	q->head_pfn = head_pfn;
	q->order = head->order;
	/* As real/task.c reads a process's: the raw entry, the folio's flags. */
	q->flags = (head->flags & PB_PG_ANON ? PB_IMPORT_PG_ANON : 0) |
		   (head[pmd ? 0 : pfn - head_pfn].flags & PB_PG_ANON_EXCLUSIVE ?
		    PB_IMPORT_PG_EXCL : 0) |
		   (pb_pte_young(pte) ? PB_IMPORT_PG_YOUNG : 0) |
		   (pb_pte_dirty(pte) ? PB_IMPORT_PG_DIRTY : 0) |
		   (pb_pte_write(pte) ? PB_IMPORT_PG_WRITE : 0) |
		   (!pmd && pb_pte_valid_cont(pte) ? PB_IMPORT_PG_CONT : 0) |
		   (pmd ? PB_IMPORT_PG_PMD : 0);
}

void pb_import_snapshot(struct pb_mm *mm, struct pb_import_src *src)
{
	const struct pb_geom *g = &mm->geom;
	u64 va, next, a;
	bool pmd;
	u32 i;

	memset(src, 0, offsetof(struct pb_import_src, page));
	src->page_shift = g->page_shift;
	src->cont_ptes = pb_cont_ptes(g);
	src->va_bits = g->va_bits;
	src->nr_vmas = mm->nr_vmas;
	src->listed = mm->nr_vmas;
	src->nr_pages = 0;
	for (i = 0; i < mm->nr_vmas; i++) {
		const struct pb_vma *vma = &mm->vmas[i];
		struct pb_import_vma *v = &src->vma[i];

		v->start = vma->start;
		v->end = vma->end;
		v->read = vma->flags & PB_VM_READ;
		v->write = vma->flags & PB_VM_WRITE;
		v->shared = vma->flags & PB_VM_SHARED;
		v->kind = vma->flags & PB_VM_ANON ? PB_MAPS_KIND_ANON :
			  PB_MAPS_KIND_FILE;
		/* Only what is populated costs: holes go a table at a time. */
		for (va = vma->start; va < vma->end; va = next) {
			next = pb_walk_addr_end(mm, va, vma->end);
			if (!pb_pte_offset(mm, va, false) &&
			    !pb_pte_present(pb_va_entry(mm, va, &pmd)))
				continue;
			for (a = va; a < next; a += pb_page_size(g))
				pb_import_snap_page(mm, a, src);
		}
	}
}
