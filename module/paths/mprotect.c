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
#include "model/shadow.h"
#include "model/tlb.h"
#include "arch/contpte.h"
#include "paths/batch.h"
#include "paths/gather.h"
#include "paths/huge.h"
#include "paths/mprotect.h"

/*
 * can_change_pte_writable(): may mprotect() make this PTE writable, sparing
 * the write fault?  Private: only an exclusive anon page.  Shared: only a PTE
 * already dirty (dirty accounting).  Never protnone, never with a soft-dirty
 * fault pending or uffd-wp.  A shared VMA that wants no write notify (shmem:
 * pb_vma_wants_writenotify()) never asks: its new protection is writable
 * already (pb_pte_modify()), as upstream's pte_modify() with its
 * vm_page_prot is.
 */
/* What can_change_pte_writable() asks of the entry and the VMA alone. */
static bool pb_entry_may_upgrade(const struct pb_vma *vma, pb_pte_t pte)
{
	if (!(vma->flags & PB_VM_WRITE) || !pb_pte_valid(pte))
		return false;
	if ((vma->flags & PB_VM_SOFTDIRTY) && !(pte & PB_PTE_SOFT_DIRTY))
		return false;
	return !(pte & PB_PTE_UFFD_WP);
}

static bool pb_can_change_writable(const struct pb_vma *vma, pb_pte_t pte,
				   const struct pb_page *head,
				   const struct pb_page *page)
{
	if (!pb_entry_may_upgrade(vma, pte))
		return false;
	if (vma->flags & PB_VM_SHARED)
		return pb_pte_dirty(pte);
	return head && (head->flags & PB_PG_ANON) &&
	       (page->flags & PB_PG_ANON_EXCLUSIVE);
}

bool pb_can_change_pte_writable(struct pb_mm *mm, const struct pb_vma *vma,
				pb_pte_t pte)
{
	u64 pfn = pb_pte_pfn(&mm->geom, pte), head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);

	return pb_can_change_writable(vma, pte, head,
				      head ? head + (pfn - head_pfn) : NULL);
}

/*
 * The VMA's new protection, before any write upgrade: the same for every
 * entry, so the callers compute it once per range.
 */
static pb_pte_t pb_new_prot(struct pb_mm *mm, const struct pb_vma *vma)
{
	pb_pte_t prot = pb_vma_prot(mm, vma, false);

	/*
	 * vm_page_prot: read-only, with the write upgrade per sub-batch
	 * after, but in a VMA that wants no write notify (shmem), whose
	 * protection is writable.  PROT_NONE: present but invalid.
	 */
	if (!(vma->flags & PB_VM_READ))
		prot = (prot & ~(PB_PTE_VALID | PB_PTE_USER)) | PB_PTE_PRESENT_INVALID;
	return prot;
}

/* The PTE for the new protection @prot (pb_new_prot()) of @old. */
static pb_pte_t pb_pte_modify(const struct pb_geom *g, pb_pte_t prot,
			      pb_pte_t old)
{
	pb_pte_t keep = old & (PB_PTE_AF | PB_PTE_DIRTY | PB_PTE_SOFT_DIRTY |
			       PB_PTE_UFFD_WP | PB_PTE_SPECIAL);

	if (pb_pte_hw_dirty(old))
		keep |= PB_PTE_DIRTY;
	prot = (prot & ~(PB_PTE_AF | PB_PTE_DIRTY | PB_PTE_SOFT_DIRTY)) | keep;
	/* pte_modify(): a dirty entry made writable is dirty in hardware too. */
	if (pb_pte_write(prot) && (prot & PB_PTE_DIRTY))
		prot = pb_pte_mkdirty(prot);
	return pb_pfn_pte(g, pb_pte_pfn(g, old), prot);
}

/*
 * Does @pte, of the new protection, get the write upgrade?  @page is the
 * page it maps, @head its folio, or both NULL.
 */
static bool pb_upgradable(const struct pb_vma *vma, pb_pte_t pte,
			  const struct pb_page *head, const struct pb_page *page,
			  bool upgrade)
{
	return upgrade && !pb_pte_write(pte) &&
	       pb_can_change_writable(vma, pte, head, page);
}

/*
 * The sub-batch of the batch @new (@nr entries, mapping pages from @page of
 * the folio @head, or one entry without a folio) from entry @i: the pages
 * that agree with page @i on the write upgrade, which exclusivity decides
 * page by page (commit_anon_folio_batch() upstream); the entries differ in
 * nothing else that it asks.  *@can: whether they get it.
 */
static unsigned int pb_sub_batch(const struct pb_vma *vma, pb_pte_t new,
				 const struct pb_page *head,
				 const struct pb_page *page, unsigned int i,
				 unsigned int nr, bool upgrade, bool *can)
{
	unsigned int run;
	bool excl;

	*can = pb_upgradable(vma, new, head, head ? page + i : NULL, upgrade);
	/*
	 * Only a private anon page's exclusivity differs from page to page:
	 * where it is not asked, every page agrees with page @i.
	 */
	if (!upgrade || pb_pte_write(new) || !pb_entry_may_upgrade(vma, new) ||
	    (vma->flags & PB_VM_SHARED) || !head || !(head->flags & PB_PG_ANON))
		return nr - i;
	excl = page[i].flags & PB_PG_ANON_EXCLUSIVE;
	for (run = 1; i + run < nr; run++)
		if (!(page[i + run].flags & PB_PG_ANON_EXCLUSIVE) != !excl)
			break;
	return run;
}

/*
 * Unfold, before the batch is cleared, every folded block in which a
 * sub-batch ends.  Cleared without an unfold, such a block would be
 * committed in parts by set_ptes(), which leaves its entries without CONT
 * while a TLB may still hold the block, with no invalidation in between: a
 * change of the contiguous bit without break-before-make.  The unfold
 * (contpte_convert()) invalidates the block first, as 6.12's per-PTE
 * ptep_modify_prot_start() does for every block it changes.  Unlike
 * upstream: the batched commit of 6.17 does not unfold (get_and_clear_ptes(),
 * then set_ptes() per sub-batch in commit_anon_folio_batch()), a sequence the
 * checker flags.  Blocks that a sub-batch covers whole stay folded.
 */
static void pb_unfold_split_blocks(struct pb_mm *mm, const struct pb_vma *vma,
				   u64 va, pb_pte_t *ptep, pb_pte_t new,
				   const struct pb_page *head,
				   const struct pb_page *page, unsigned int nr,
				   bool upgrade)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int i, end;
	bool can;

	for (i = 0; i < nr; i = end) {
		u64 at;

		end = i + pb_sub_batch(vma, new, head, page, i, nr, upgrade, &can);
		at = va + ((u64)end << g->page_shift);
		if (end < nr && (at & (pb_cont_size(g) - 1)))
			pb_contpte_try_unfold(mm, at, ptep + end, ptep[end]);
	}
}

/* change_pte_range() over one leaf range of one VMA. */
static void pb_change_ptes(struct pb_mm *mm, const struct pb_vma *vma, u64 va,
			   u64 end)
{
	const struct pb_geom *g = &mm->geom;
	bool batch = mm->knobs[PB_KNOB_mprotect_batch];
	bool upgrade = mm->knobs[PB_KNOB_mprotect_upgrade] &&
		       (vma->flags & PB_VM_WRITE);
	pb_pte_t *ptep = pb_pte_offset(mm, va, false);
	unsigned int left = (end - va) >> g->page_shift, nr, i, run;
	pb_pte_t prot = pb_new_prot(mm, vma);

	for (; left; left -= nr, ptep += nr, va += (u64)nr << g->page_shift) {
		pb_pte_t pte = pb_ptep_get(mm, va, ptep), new;
		struct pb_page *head, *page = NULL;
		bool was_cont, was_valid;
		u64 pfn, head_pfn;

		nr = 1;
		if (!pb_pte_present(pte))
			continue;
		/* The folio, looked up once for the batch's every page. */
		pfn = pb_pte_pfn(g, pte);
		head = pb_page_folio(mm->phys, pfn, &head_pfn);
		if (head)
			page = head + (pfn - head_pfn);
		/*
		 * Unlike upstream, a shared VMA's batch respects dirty: the
		 * upgrade there depends on each PTE's dirty bit, and a merged
		 * batch would make clean PTEs writable without a write notify.
		 */
		if (batch && head && head->order && left > 1)
			nr = pb_folio_pte_batch(mm, head, head_pfn, va, ptep,
						&pte, left,
						PB_FPB_RESPECT_SOFT_DIRTY |
						PB_FPB_RESPECT_WRITE |
						(vma->flags & PB_VM_SHARED ?
						 PB_FPB_RESPECT_DIRTY : 0));
		/* Whether the batch was contiguous, before an edge unfolds. */
		was_cont = pb_pte_cont(pte);
		was_valid = pb_pte_valid(pte);
		if (upgrade && nr > 1)
			pb_unfold_split_blocks(mm, vma, va, ptep,
					       pb_pte_modify(g, prot, pte), head,
					       page, nr, upgrade);
		/*
		 * modify_prot_start_ptes(): arm64's is get_and_clear_ptes(),
		 * the batch's A/D gathered ("arm64: Add batched versions of
		 * ptep_modify_prot_start/commit", 6.17); 6.12's per-PTE
		 * ptep_modify_prot_start() is ptep_get_and_clear().
		 */
		pte = batch ? pb_get_and_clear_ptes(mm, va, ptep, nr) :
			      pb_ptep_get_and_clear(mm, va, ptep);
		new = pb_pte_modify(g, prot, pte);
		pb_mm_count(mm, PB_MMC_mprotect_batches, 1);
		/* Exclusivity is per page: commit in sub-batches that agree. */
		for (i = 0; i < nr; i += run) {
			pb_pte_t sub = i ? pb_pte_advance(g, new, i, false) : new;
			bool can;

			run = pb_sub_batch(vma, new, head, page, i, nr, upgrade,
					   &can);
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
 * change_huge_pmd() of a PMD leaf that one VMA holds whole:
 * pmdp_invalidate_ad() and its flush, then the new protection
 * (pmd_modify()) with the write upgrade where can_change_pmd_writable()
 * allows, which asks what can_change_pte_writable() asks of the head page
 * (a PMD's exclusivity is its head page's), then set_pmd_at().  A PMD
 * counts once in write_faults_avoided or write_upgrades_denied.
 */
static void pb_change_huge_pmd(struct pb_mm *mm, const struct pb_vma *vma,
			       u64 va)
{
	pb_pte_t *pmdp = pb_huge_pmd(mm, va), old = *pmdp, new;
	bool upgrade = mm->knobs[PB_KNOB_mprotect_upgrade] &&
		       (vma->flags & PB_VM_WRITE);

	if (pb_pte_valid(old)) {
		pb_write_pmd(mm, va, pmdp,
			     (old & ~PB_PTE_VALID) | PB_PTE_PRESENT_INVALID);
		pb_flush_tlb_range(mm, va, va + pb_pmd_size(&mm->geom));
	}
	new = pb_pte_modify(&mm->geom, pb_new_prot(mm, vma), pb_pmd_to_pte(old));
	if (upgrade && !pb_pte_write(new) &&
	    pb_can_change_pte_writable(mm, vma, new)) {
		new = pb_pte_mkwrite(new);
		pb_mm_count(mm, PB_MMC_write_faults_avoided, 1);
	} else if (upgrade && !pb_pte_write(new) && pb_pte_valid(new)) {
		pb_mm_count(mm, PB_MMC_write_upgrades_denied, 1);
	}
	pb_write_pmd(mm, va, pmdp, pb_pte_to_pmd(new));
	pb_mm_count(mm, PB_MMC_pmd_changes, 1);
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
		*why = "too many VMAs (PB_MAX_VMAS)";
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
			next = pb_walk_addr_end(mm, va, vma->end);
			/*
			 * change_pmd_range(): a PMD leaf inside the VMA changes
			 * whole; one the VMA (split at the range's ends)
			 * covers in part is split first, as
			 * vma_adjust_trans_huge() and __split_huge_pmd() do.
			 */
			if (pb_huge_pmd(mm, va)) {
				if (next - va == pb_pmd_size(&mm->geom)) {
					pb_change_huge_pmd(mm, vma, va);
					continue;
				}
				pb_split_huge_pmd(mm, va);
			}
			if (pb_pte_offset(mm, va, false))
				pb_change_ptes(mm, vma, va, next);
		}
	}
	pb_gather_finish(mm);
	pb_vma_merge(mm);
	return 0;
}
