// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: mprotect(): change_pte_range(), batched with folio_pte_batch()
 * or one PTE at a time, and the write upgrade that spares write faults
 * (can_change_pte_writable()).
 */
#include <linux/kernel.h>
#include <linux/errno.h>

#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "arch/contpte.h"
#include "paths/batch.h"
#include "paths/gather.h"
#include "paths/mprotect.h"

/*
 * can_change_pte_writable(): may mprotect() make this PTE writable, sparing
 * the write fault?  Private: only an exclusive anon page.  Shared: only a PTE
 * already dirty (dirty accounting).  Never protnone, never with a soft-dirty
 * fault pending or uffd-wp.
 */
bool pb_can_change_pte_writable(struct pb_mm *mm, const struct pb_vma *vma,
				pb_pte_t pte)
{
	u64 pfn = pb_pte_pfn(&mm->geom, pte), head_pfn;
	struct pb_page *head;

	if (!(vma->flags & PB_VM_WRITE) || !pb_pte_valid(pte))
		return false;
	if ((vma->flags & PB_VM_SOFTDIRTY) && !(pte & PB_PTE_SOFT_DIRTY))
		return false;
	if (pte & PB_PTE_UFFD_WP)
		return false;
	if (vma->flags & PB_VM_SHARED)
		return pb_pte_dirty(pte);
	head = pb_page_folio(mm->phys, pfn, &head_pfn);
	return head && (head->flags & PB_PG_ANON) &&
	       (head[pfn - head_pfn].flags & PB_PG_ANON_EXCLUSIVE);
}

/* The PTE for the VMA's new protection, before any write upgrade. */
static pb_pte_t pb_pte_modify(struct pb_mm *mm, const struct pb_vma *vma,
			      pb_pte_t old)
{
	pb_pte_t keep = old & (PB_PTE_AF | PB_PTE_DIRTY | PB_PTE_SOFT_DIRTY |
			       PB_PTE_UFFD_WP | PB_PTE_SPECIAL);
	pb_pte_t prot;

	if (pb_pte_hw_dirty(old))
		keep |= PB_PTE_DIRTY;
	if (!(vma->flags & PB_VM_READ)) {
		prot = pb_vma_prot(mm, vma, false);
		prot = (prot & ~(PB_PTE_VALID | PB_PTE_USER)) | PB_PTE_PRESENT_INVALID;
	} else {
		/* Read-only: the write upgrade, per sub-batch, comes after. */
		prot = pb_vma_prot(mm, vma, false);
	}
	prot = (prot & ~(PB_PTE_AF | PB_PTE_DIRTY | PB_PTE_SOFT_DIRTY)) | keep;
	return pb_pfn_pte(&mm->geom, pb_pte_pfn(&mm->geom, old), prot);
}

/* change_pte_range() over one leaf range of one VMA. */
static void pb_change_ptes(struct pb_mm *mm, const struct pb_vma *vma, u64 va,
			   u64 end)
{
	const struct pb_geom *g = &mm->geom;
	bool batch = mm->knobs[PB_KNOB_batch];
	bool upgrade = mm->knobs[PB_KNOB_mprotect_upgrade] &&
		       (vma->flags & PB_VM_WRITE);
	pb_pte_t *ptep = pb_pte_offset(mm, va, false);
	unsigned int left = (end - va) >> g->page_shift, nr, i, run;

	for (; left; left -= nr, ptep += nr, va += (u64)nr << g->page_shift) {
		pb_pte_t pte = pb_ptep_get(mm, va, ptep), new;
		struct pb_page *head;
		bool writable, was_cont, was_valid;

		nr = 1;
		if (!pb_pte_present(pte))
			continue;
		head = pb_page_folio(mm->phys, pb_pte_pfn(g, pte), NULL);
		/*
		 * Unlike upstream, a shared VMA's batch respects dirty: the
		 * upgrade there depends on each PTE's dirty bit, and a merged
		 * batch would make clean PTEs writable without a write notify.
		 */
		if (batch && head && head->order && left > 1)
			nr = pb_folio_pte_batch(mm, va, ptep, pte, left,
						PB_FPB_RESPECT_WRITE |
						(vma->flags & PB_VM_SHARED ? 0 :
						 PB_FPB_IGNORE_DIRTY), &writable);
		/* Whether the batch was contiguous, before an edge unfolds. */
		was_cont = pb_pte_cont(pte);
		was_valid = pb_pte_valid(pte);
		/* modify_prot_start_ptes(): A/D of the batch gathered. */
		pte = nr == 1 ? pb_ptep_get_and_clear(mm, va, ptep) :
				pb_get_and_clear_full_ptes(mm, va, ptep, nr);
		new = pb_pte_modify(mm, vma, pte);
		pb_mm_count(mm, PB_MMC_mprotect_batches, 1);
		/* Exclusivity is per page: commit in sub-batches that agree. */
		for (i = 0; i < nr; i += run) {
			pb_pte_t sub = pb_pte_advance(g, new, i, false);
			bool can = upgrade && !pb_pte_write(sub) &&
				   pb_can_change_pte_writable(mm, vma, sub);

			for (run = 1; i + run < nr; run++) {
				pb_pte_t p = pb_pte_advance(g, new, i + run, false);

				if ((upgrade && !pb_pte_write(p) &&
				     pb_can_change_pte_writable(mm, vma, p)) != can)
					break;
			}
			if (can) {
				sub = pb_pte_mkwrite(sub);
				pb_mm_count(mm, PB_MMC_write_faults_avoided, run);
			} else if (upgrade && !pb_pte_write(sub) &&
				   pb_pte_valid(sub)) {
				pb_mm_count(mm, PB_MMC_write_upgrades_denied, run);
			}
			/*
			 * Several valid entries that were not contiguous go
			 * back as they were: set_ptes() would set CONT on a
			 * whole block whose old entries a TLB may still hold.
			 * Contiguous ones, and invalid (PROT_NONE) ones that
			 * no TLB holds, go back through set_ptes(), which
			 * folds the whole blocks again.
			 */
			if (was_cont || !was_valid || run == 1)
				pb_set_ptes(mm, va + ((u64)i << g->page_shift),
					    ptep + i, sub, run);
			else
				pb_raw_set_ptes(mm, va + ((u64)i << g->page_shift),
						ptep + i, sub, run);
		}
		pb_gather_add(mm, va, nr);
	}
}

/*
 * mprotect(start, end - start, prot) over VMAs that cover the range without
 * holes: @prot takes PB_VM_READ and PB_VM_WRITE (0 is PROT_NONE).
 */
int pb_mprotect(struct pb_mm *mm, u64 start, u64 end, u32 prot,
		const char **why)
{
	unsigned int i, splits = 0;
	u64 va;

	for (va = start; va < end;) {
		struct pb_vma *vma = pb_vma_find(mm, va);

		if (!vma) {
			*why = "range has a hole with no VMA";
			return -EINVAL;
		}
		va = vma->end;
	}
	splits = (pb_vma_find(mm, start)->start != start) +
		 (pb_vma_find(mm, end - 1)->end != end);
	if (mm->nr_vmas + splits > PB_MAX_VMAS) {
		*why = "too many VMAs";
		return -ENOSPC;
	}
	pb_vma_split(mm, start);
	pb_vma_split(mm, end);
	for (i = 0; i < mm->nr_vmas; i++) {
		struct pb_vma *vma = &mm->vmas[i];
		u64 next;

		if (vma->start >= end || vma->end <= start)
			continue;
		vma->flags = (vma->flags & ~(PB_VM_READ | PB_VM_WRITE)) | prot;
		for (va = vma->start; va < vma->end; va = next) {
			next = pb_pmd_addr_end(mm, va, vma->end);
			if (pb_pte_offset(mm, va, false))
				pb_change_ptes(mm, vma, va, next);
		}
	}
	pb_gather_finish(mm);
	pb_vma_merge(mm);
	return 0;
}
