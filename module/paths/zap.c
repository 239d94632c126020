// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: unmapping: zap_pte_range() of a range, and exit_mmap() of a
 * whole mm.
 */
#include <linux/kernel.h>

#include "model/filemap.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/rmap.h"
#include "real/kmirror.h"
#include "arch/contpte.h"
#include "paths/batch.h"
#include "paths/gather.h"
#include "paths/huge.h"
#include "paths/zap.h"

/*
 * zap_present_folio_ptes()'s bookkeeping once the @nr entries from @va, which
 * mapped pages of one folio from @pfn, are cleared: the folio is marked dirty
 * if they were (folio_mark_dirty()), the rmap drops them, and the gather
 * flushes the range before it drops the folio's references.
 */
static void pb_zap_folio_cleared(struct pb_mm *mm, u64 va, struct pb_page *head,
				 u64 head_pfn, u64 pfn, unsigned int nr,
				 bool dirty)
{
	if (dirty)
		head->flags |= PB_PG_DIRTY;
	pb_rmap_remove_folio(mm, head, head_pfn, pfn, nr);
	pb_gather_add(mm, va, nr);
	pb_gather_put_folio(mm, head_pfn, nr);
}

void pb_zap_folio_ptes_cleared(struct pb_mm *mm, u64 va, u64 pfn,
			       unsigned int nr, bool dirty)
{
	u64 head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);

	pb_zap_folio_cleared(mm, va, head, head_pfn, pfn, nr, dirty);
}

/*
 * Unmap [start, end): batched, one clear and one rmap removal per folio
 * batch, or with the batch knob off one PTE at a time.  Cleared ranges are
 * flushed by the mmu_gather before the folios' references go.
 */
void pb_zap_range(struct pb_mm *mm, u64 start, u64 end)
{
	const struct pb_geom *g = &mm->geom;
	bool batch = mm->knobs[PB_KNOB_zap_batch];
	u64 va = start, next;

	pb_rmap_zap_begin(mm);
	for (; va < end; va = next) {
		pb_pte_t *ptep = pb_pte_offset(mm, va, false);
		unsigned int left, nr;

		next = pb_walk_addr_end(mm, va, end);
		/*
		 * zap_pmd_range(): a PMD leaf the range covers whole goes
		 * (zap_huge_pmd()); one it covers in part is split first.
		 */
		if (!ptep && pb_huge_pmd(mm, va)) {
			if (next - va == pb_pmd_size(g)) {
				pb_zap_huge_pmd(mm, va);
				continue;
			}
			pb_split_huge_pmd(mm, va);
			ptep = pb_pte_offset(mm, va, false);
		}
		if (!ptep)
			continue;
		left = (next - va) >> g->page_shift;
		for (; left; left -= nr, ptep += nr, va += (u64)nr << g->page_shift) {
			pb_pte_t pte = pb_ptep_get(mm, va, ptep);
			struct pb_page *head;
			u64 pfn, head_pfn;
			bool dirty;

			nr = 1;
			if (!pb_pte_present(pte))
				continue;
			/* The folio, looked up once for the batch's bookkeeping. */
			pfn = pb_pte_pfn(g, pte);
			head = pb_page_folio(mm->phys, pfn, &head_pfn);
			if ((pte & PB_PTE_SPECIAL) || !head) {
				pb_ptep_get_and_clear(mm, va, ptep);
				pb_gather_add(mm, va, 1);
				continue;
			}
			if (batch && head->order && left > 1)
				nr = pb_folio_pte_batch(mm, head, head_pfn, va,
							ptep, &pte, left, 0);
			/*
			 * Anon folios need no dirty state: only file ones,
			 * shmem's included, gather it (zap_present_folio_ptes()).
			 */
			dirty = false;
			if (head->flags & PB_PG_ANON) {
				pb_clear_full_ptes(mm, va, ptep, nr);
			} else {
				pte = pb_get_and_clear_full_ptes(mm, va, ptep, nr);
				dirty = pb_pte_dirty(pte);
			}
			pb_mm_count(mm, PB_MMC_zap_batches, 1);
			pb_zap_folio_cleared(mm, va, head, head_pfn, pfn, nr, dirty);
		}
	}
	pb_gather_finish(mm);
	pb_rmap_zap_end(mm);
}

/* Does a VMA of an mm of @mm's family other than @mm map @file? */
static bool pb_file_mapped_elsewhere(struct pb_mm *mm, u32 file)
{
	struct pb_phys *p = mm->phys;
	unsigned int m, i;

	for (m = 0; m < p->nr_mms; m++) {
		if (p->mms[m] == mm)
			continue;
		for (i = 0; i < p->mms[m]->nr_vmas; i++)
			if (p->mms[m]->vmas[i].file == file)
				return true;
	}
	return false;
}

/*
 * exit_mmap(): unmap every VMA, then close their files.  A file no other mm
 * of the family maps is gone (the model's files are unlinked: its inode is
 * evicted with truncate_inode_pages_final()), and its page cache with it.
 */
void pb_mm_teardown(struct pb_mm *mm)
{
	unsigned int i;

	for (i = 0; i < mm->nr_vmas; i++)
		pb_zap_range(mm, mm->vmas[i].start, mm->vmas[i].end);
	for (i = 0; i < mm->nr_vmas; i++) {
		u32 file = mm->vmas[i].file;

		if (!file || pb_file_mapped_elsewhere(mm, file))
			continue;
		/* Pieces of one mmap share it: a second eviction finds none. */
		pb_filemap_evict_file(mm->phys, file);
	}
	/* The kernel shadow's real folios go with the mm's own. */
	pb_kmirror_detach(mm);
}

void pb_mm_destroy(struct pb_mm *mm)
{
	pb_mm_teardown(mm);
	pb_mm_free(mm);
}
