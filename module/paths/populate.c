// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: mapping new folios into a private mm, as write faults do:
 * populate of a range, and the one-folio step that faults share.
 */
#include <linux/kernel.h>
#include <linux/errno.h>

#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/rmap.h"
#include "arch/contpte.h"
#include "paths/populate.h"
#include "paths/zap.h"

static bool pb_range_empty(struct pb_mm *mm, u64 start, u64 end, u64 *busy)
{
	u64 va, psize = pb_page_size(&mm->geom);

	for (va = start; va < end; va += psize) {
		pb_pte_t *ptep = pb_pte_offset(mm, va, false);

		if (!ptep) {
			va = pb_pmd_addr_end(mm, va, end) - psize;
			continue;
		}
		if (*ptep) {
			*busy = va;
			return false;
		}
	}
	return true;
}

/*
 * Map [start, end) of one VMA with new folios of @order, as write faults
 * would: one set_ptes() per folio, or with @per_pte one set_ptes(nr == 1) per
 * page from low to high, which folds each block on its last entry.  On
 * failure nothing stays mapped.
 */
int pb_populate(struct pb_mm *mm, u64 start, u64 end, unsigned int order,
		bool per_pte, const char **why)
{
	const struct pb_geom *g = &mm->geom;
	u64 fsize = pb_page_size(g) << order, va, busy;
	struct pb_vma *vma = pb_vma_find(mm, start);
	bool write;
	int ret;

	if (!vma || end > vma->end) {
		*why = "range is not inside one VMA";
		return -EINVAL;
	}
	if (order > pb_pmd_order(g)) {
		*why = "order is larger than the PMD order of the granule";
		return -EINVAL;
	}
	if ((start | end) & (fsize - 1)) {
		*why = "start and len must be multiples of the folio size";
		return -EINVAL;
	}
	if (!pb_range_empty(mm, start, end, &busy)) {
		*why = "range is already populated";
		return -EINVAL;
	}
	ret = pb_pgtable_prealloc(mm, start, end);
	if (ret) {
		*why = "out of memory for page tables";
		return ret;
	}
	write = vma->flags & PB_VM_WRITE;
	for (va = start; va < end; va += fsize) {
		ret = pb_map_new_folio(mm, vma, va, order, write, per_pte);
		if (ret) {
			pb_zap_range(mm, start, va);
			*why = "out of memory for folios (arena full?)";
			return ret;
		}
	}
	return 0;
}

/*
 * Map a new folio of @order at @va (aligned, tables present), as a fault
 * would: young, and dirty and writable for a write where the VMA allows.
 * The folio is anon and exclusive only in a private anon VMA; in a shared
 * anon one it is a shmem folio, file-like (shmem_fault()'s, mapped by
 * finish_fault() with folio_add_file_rmap_ptes()).
 */
int pb_map_new_folio(struct pb_mm *mm, struct pb_vma *vma, u64 va,
		     unsigned int order, bool write, bool per_pte)
{
	const struct pb_geom *g = &mm->geom;
	bool anon = pb_vma_is_anon(vma);
	unsigned int nr = 1U << order, i;
	pb_pte_t *ptep = pb_pte_offset(mm, va, false), pte;
	struct pb_page *head;
	u64 pfn;
	int ret;

	ret = pb_folio_alloc(mm->phys, order, anon, &pfn);
	if (ret)
		return ret;
	head = pb_pfn_to_page(mm->phys, pfn);
	/* The mappings take over the allocation's reference. */
	head->refcount += nr - 1;
	head->extra_refs = 0;
	pb_mm_count(mm, PB_MMC_refcount_atomics, 1);
	pb_rmap_add(mm, pfn, nr, anon);
	pb_mm_count(mm, PB_MMC_folios_mapped, 1);
	pte = pb_pfn_pte(g, pfn, pb_vma_prot(mm, vma, write));
	if (!per_pte) {
		pb_set_ptes(mm, va, ptep, pte, nr);
		return 0;
	}
	for (i = 0; i < nr; i++) {
		pb_set_ptes(mm, va + ((u64)i << g->page_shift), ptep + i, pte, 1);
		pte = pb_pte_advance(g, pte, 1, false);
	}
	return 0;
}
