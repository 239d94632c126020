// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: mapping new folios into a private mm, as write faults do:
 * populate of a range, and the one-folio step that faults share.
 */
#include <linux/kernel.h>
#include <linux/errno.h>

#include "model/filemap.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/rmap.h"
#include "arch/contpte.h"
#include "paths/huge.h"
#include "paths/populate.h"
#include "paths/zap.h"

static bool pb_range_empty(struct pb_mm *mm, u64 start, u64 end, u64 *busy)
{
	u64 va, psize = pb_page_size(&mm->geom);

	for (va = start; va < end; va += psize) {
		pb_pte_t *ptep = pb_pte_offset(mm, va, false);

		if (!ptep && pb_huge_pmd(mm, va)) {
			*busy = va;
			return false;
		}
		if (!ptep) {
			va = pb_walk_addr_end(mm, va, end) - psize;
			continue;
		}
		if (*ptep) {
			*busy = va;
			return false;
		}
	}
	return true;
}

/* Does the page cache of @vma's file hold any of @nr pages from @va? */
bool pb_filemap_any(struct pb_mm *mm, const struct pb_vma *vma, u64 va,
		    unsigned int nr)
{
	u64 index = pb_vma_index(vma, va, mm->geom.page_shift), head_pfn;
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (pb_filemap_lookup(mm->phys, vma->file, index + i, &head_pfn))
			return true;
	return false;
}

/*
 * Populate from @va in a file VMA whose page cache holds some pages there:
 * they are mapped from it, one run per folio, and the others get new order-0
 * folios, up to @end or to the first @fsize-aligned range that the cache
 * holds nothing of.  Where it stopped, or failed, goes in *@next.
 */
static int pb_populate_cached(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			      u64 end, u64 fsize, bool write, bool per_pte,
			      u64 *next)
{
	const struct pb_geom *g = &mm->geom;
	u64 head_pfn, pfn;
	unsigned int nr;
	int ret = 0;

	for (; va < end; va += (u64)nr << g->page_shift) {
		u64 index = pb_vma_index(vma, va, g->page_shift);
		struct pb_page *head = pb_filemap_lookup(mm->phys, vma->file,
							 index, &head_pfn);

		nr = 1;
		if (!head && !(va & (fsize - 1)) &&
		    !pb_filemap_any(mm, vma, va, fsize >> g->page_shift))
			break;
		if (!head) {
			ret = pb_map_new_folio(mm, vma, va, 0, write, per_pte);
			if (ret)
				break;
			continue;
		}
		pfn = head_pfn + index - pb_folio_index(head);
		nr = min_t(u64, head_pfn + (1ULL << head->order) - pfn,
			   (end - va) >> g->page_shift);
		pb_map_cached(mm, vma, va, pfn, nr, write, true, per_pte);
	}
	*next = va;
	return ret;
}

/*
 * Map [start, end) of one VMA with new folios of @order, as write faults
 * would: one set_ptes() per folio, or with @per_pte one set_ptes(nr == 1) per
 * page from low to high, which folds each block on its last entry.  In a file
 * VMA, pages the page cache holds already are mapped from it, and new folios
 * join it.  On failure nothing stays mapped, and the tables it took go.
 */
int pb_populate(struct pb_mm *mm, u64 start, u64 end, unsigned int order,
		bool per_pte, const char **why)
{
	const struct pb_geom *g = &mm->geom;
	u64 fsize = pb_page_size(g) << order, va, next, busy;
	struct pb_vma *vma = pb_vma_find(mm, start);
	u32 mark = mm->table_serial;
	bool write, thp;
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
	/* A page cache folio is aligned in its file (see pb_fault_order()). */
	if (vma->file &&
	    (pb_vma_index(vma, start, g->page_shift) & ((1ULL << order) - 1))) {
		*why = "the file offset at va is not a multiple of the folio size";
		return -EINVAL;
	}
	if (!pb_range_empty(mm, start, end, &busy)) {
		*why = "range is already populated";
		return -EINVAL;
	}
	/*
	 * A PMD-order populate of a private anon VMA maps one PMD per folio
	 * where pb_thp_pmd_allowed() (thp_pmd, the PMD none), PTEs elsewhere,
	 * taking their tables as it goes; any other populate takes its
	 * tables first.
	 */
	thp = order == pb_pmd_order(g) && pb_vma_is_anon(vma);
	ret = thp ? 0 : pb_pgtable_prealloc(mm, start, end);
	if (ret) {
		pb_pgtable_free_new(mm, start, end, mark);
		*why = "out of memory for page tables";
		return ret;
	}
	write = vma->flags & PB_VM_WRITE;
	for (va = start; va < end; va = next) {
		next = va;
		if (thp && pb_thp_pmd_allowed(mm, vma, va)) {
			ret = pb_map_anon_pmd(mm, vma, va);
			if (!ret) {
				next = va + fsize;
				continue;
			}
		} else if (thp) {
			ret = pb_pgtable_prealloc(mm, va, va + fsize);
		}
		if (ret) {
			pb_zap_range(mm, start, va);
			pb_pgtable_free_new(mm, start, end, mark);
			pb_phys_trim(mm->phys);
			*why = "out of memory for a PMD THP or its page table";
			return ret;
		}
		if (vma->file && pb_filemap_any(mm, vma, va, 1U << order)) {
			ret = pb_populate_cached(mm, vma, va, end, fsize, write,
						 per_pte, &next);
		} else {
			ret = pb_map_new_folio(mm, vma, va, order, write,
					       per_pte);
			if (!ret)
				next = va + fsize;
		}
		if (ret) {
			pb_zap_range(mm, start, next);
			pb_pgtable_free_new(mm, start, end, mark);
			pb_phys_trim(mm->phys);
			*why = "out of memory for folios (arena full?)";
			return ret;
		}
	}
	return 0;
}

/* Set @nr entries from @va to @pte, in one set_ptes() or one per page. */
static void pb_map_ptes(struct pb_mm *mm, u64 va, pb_pte_t pte,
			unsigned int nr, bool per_pte)
{
	const struct pb_geom *g = &mm->geom;
	pb_pte_t *ptep = pb_pte_offset(mm, va, false);
	unsigned int i;

	if (!per_pte) {
		pb_set_ptes(mm, va, ptep, pte, nr);
		return;
	}
	for (i = 0; i < nr; i++) {
		pb_set_ptes(mm, va + ((u64)i << g->page_shift), ptep + i, pte, 1);
		pte = pb_pte_advance(g, pte, 1, false);
	}
}

/*
 * Map a new folio of @order at @va (aligned, tables present), as a fault
 * would: young, and dirty and writable for a write where the VMA allows.
 * The folio is anon and exclusive only in a private anon VMA, which then has
 * an anon_vma.  Any other VMA maps a file, shmem's included: the folio joins
 * the page cache (filemap_add_folio()) and is mapped as a file folio
 * (finish_fault()'s folio_add_file_rmap_ptes()).  A write to a shared one
 * marks it dirty (fault_dirty_shared_page()).
 */
int pb_map_new_folio(struct pb_mm *mm, struct pb_vma *vma, u64 va,
		     unsigned int order, bool write, bool per_pte)
{
	const struct pb_geom *g = &mm->geom;
	bool anon = pb_vma_is_anon(vma);
	unsigned int nr = 1U << order;
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
	if (anon)
		vma->flags |= PB_VM_ANON_VMA;
	else
		pb_filemap_add(mm->phys, pfn, vma->file,
			       pb_vma_index(vma, va, g->page_shift));
	if (write && (vma->flags & PB_VM_SHARED))
		head->flags |= PB_PG_DIRTY;
	pb_rmap_add(mm, pfn, nr, anon);
	pb_mm_count(mm, PB_MMC_folios_mapped, 1);
	pb_map_ptes(mm, va, pb_pfn_pte(g, pfn, pb_vma_prot(mm, vma, write)), nr,
		    per_pte);
	return 0;
}

/*
 * Map @nr pages of a folio the page cache holds, from @pfn at @va, as
 * set_pte_range() does: one folio_add_file_rmap_ptes() and one set_ptes(),
 * or one per page with @per_pte.  A prefaulted run is old
 * (arch_wants_old_prefaulted_pte(): arm64 has hardware AF).
 */
void pb_map_cached(struct pb_mm *mm, struct pb_vma *vma, u64 va, u64 pfn,
		   unsigned int nr, bool write, bool young, bool per_pte)
{
	struct pb_page *head = pb_page_folio(mm->phys, pfn, NULL);
	pb_pte_t pte = pb_pfn_pte(&mm->geom, pfn, pb_vma_prot(mm, vma, write));

	head->refcount += nr;
	pb_mm_count(mm, PB_MMC_refcount_atomics, 1);
	if (write && (vma->flags & PB_VM_SHARED))
		head->flags |= PB_PG_DIRTY;
	pb_rmap_add(mm, pfn, nr, false);
	pb_mm_count(mm, PB_MMC_page_cache_maps, 1);
	pb_map_ptes(mm, va, young ? pte : pb_pte_mkold(pte), nr, per_pte);
}
