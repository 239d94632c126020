// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the model's pages and folios as dump and folio show them.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/view.h"

u32 pb_view_pte_flags(pb_pte_t pte)
{
	static const pb_pte_t bits[PB_NR_VF] = {
		[PB_VF_V] = PB_PTE_VALID, [PB_VF_U] = PB_PTE_USER,
		[PB_VF_RO] = PB_PTE_RDONLY, [PB_VF_AF] = PB_PTE_AF,
		[PB_VF_NG] = PB_PTE_NG, [PB_VF_DBM] = PB_PTE_DBM,
		[PB_VF_CONT] = PB_PTE_CONT, [PB_VF_PXN] = PB_PTE_PXN,
		[PB_VF_UXN] = PB_PTE_UXN, [PB_VF_D] = PB_PTE_DIRTY,
		[PB_VF_SP] = PB_PTE_SPECIAL, [PB_VF_SD] = PB_PTE_SOFT_DIRTY,
		[PB_VF_WP] = PB_PTE_UFFD_WP,
	};
	u32 flags = 0;
	unsigned int i;

	if (pb_pte_protnone(pte))
		return PB_VF_PROTNONE;
	for (i = 0; i < PB_NR_VF; i++)
		if (pte & bits[i])
			flags |= BIT(i);
	return flags;
}

void pb_view_page(struct pb_mm *mm, u64 va, struct pb_page_view *v)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_page *head;
	u64 head_pfn;
	bool pmd;
	pb_pte_t pte = pb_va_entry(mm, va, &pmd);

	memset(v, 0, sizeof(*v));
	v->va = va;
	v->desc = pte;
	if (!pb_pte_present(pte))
		return;
	v->present = true;
	v->pmd = pmd;
	v->pfn = pb_pte_pfn(g, pte);
	v->flags = pb_view_pte_flags(pte);
	head = pb_page_folio(mm->phys, v->pfn, &head_pfn);
	if (head) {
		v->folio = true;
		v->head_pfn = head_pfn;
		v->order = head->order;
	}
}

enum pb_view_miss pb_view_folio(struct pb_mm *mm, u64 va,
				struct pb_folio_view *v)
{
	struct pb_page *head, *page;
	u64 head_pfn, pfn;
	pb_pte_t pte;
	bool pmd;

	memset(v, 0, sizeof(*v));
	pte = pb_va_entry(mm, va & ~(pb_page_size(&mm->geom) - 1), &pmd);
	if (!pb_pte_present(pte))
		return PB_VIEW_NOTHING;
	pfn = pb_pte_pfn(&mm->geom, pte);
	head = pb_page_folio(mm->phys, pfn, &head_pfn);
	/* The zero page, or a page of the huge zero folio: special. */
	if (!head && (pte & PB_PTE_SPECIAL))
		return PB_VIEW_ZERO;
	if (!head)
		return PB_VIEW_NO_FOLIO;
	page = head + (pfn - head_pfn);
	v->pfn = pfn;
	v->head_pfn = head_pfn;
	v->order = head->order;
	v->refcount = head->refcount;
	v->mapcount = page->mapcount;
	v->large_mapcount = pb_folio_large_mapcount(head);
	v->pincount = head->pincount;
	v->anon = head->flags & PB_PG_ANON;
	/* A PMD mapping's exclusivity is its head page's. */
	v->exclusive = (pmd ? head : page)->flags & PB_PG_ANON_EXCLUSIVE;
	v->deferred = head->flags & PB_PG_DEFERRED;
	v->dirty = head->flags & PB_PG_DIRTY;
	/* The page cache's (mapping, index) of the page, file 0 if none. */
	v->file = head->mapping;
	v->index = head->mapping ? pb_folio_index(head) + (pfn - head_pfn) : 0;
	/* The PMDs that map the folio whole, and whether one maps it here. */
	v->entire_mapcount = pb_folio_entire_mapcount(head);
	v->pmd = pmd;
	v->partially_mapped = head->flags & PB_PG_PARTIAL;
	return PB_VIEW_OK;
}
