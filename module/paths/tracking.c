// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: tracking: soft-dirty clearing (clear_refs), uffd-wp, GUP pins.
 */
#include <linux/kernel.h>
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
#include "paths/mprotect.h"
#include "paths/tracking.h"

struct pb_modify_ops {
	/* Leave this entry as it is (optional). */
	bool (*skip)(struct pb_mm *mm, const struct pb_vma *vma, u64 va,
		     pb_pte_t pte);
	/* The new value of a present entry. */
	pb_pte_t (*fn)(struct pb_mm *mm, const struct pb_vma *vma, pb_pte_t pte,
		       bool wp);
};

/*
 * ptep_modify_prot_start()/commit() on each present entry of [start, end) of
 * @vma, one PTE at a time as clear_refs and uffd-wp do: ops->fn returns the
 * new value; ops->skip leaves an entry untouched.  PMD leaves are the
 * callers'.
 */
static void pb_modify_each(struct pb_mm *mm, const struct pb_vma *vma,
			   u64 start, u64 end, const struct pb_modify_ops *ops,
			   bool wp)
{
	const struct pb_geom *g = &mm->geom;
	u64 va;

	for (va = start; va < end; va += pb_page_size(g)) {
		pb_pte_t *ptep = pb_pte_offset(mm, va, false), old;

		if (!ptep) {
			va = pb_walk_addr_end(mm, va, end) - pb_page_size(g);
			continue;
		}
		if (!pb_pte_present(*ptep))
			continue;
		if (ops->skip && ops->skip(mm, vma, va, pb_ptep_get(mm, va, ptep)))
			continue;
		old = pb_ptep_get_and_clear(mm, va, ptep);
		pb_set_ptes(mm, va, ptep, ops->fn(mm, vma, old, wp), 1);
		pb_gather_add(mm, va, 1);
	}
}

static pb_pte_t pb_clear_sd_fn(struct pb_mm *mm, const struct pb_vma *vma,
			       pb_pte_t pte, bool wp)
{
	return pb_pte_wrprotect(pte) & ~PB_PTE_SOFT_DIRTY;
}

/*
 * pte_is_pinned(): clear_refs leaves alone a writable entry of a private
 * (COW) mapping whose folio may be pinned, so that the pin and the mapping
 * keep seeing one page.
 */
static bool pb_clear_sd_skip(struct pb_mm *mm, const struct pb_vma *vma,
			     u64 va, pb_pte_t pte)
{
	struct pb_page *head;

	if (!pb_pte_write(pte) || (vma->flags & PB_VM_SHARED) ||
	    !mm->phys->pins)
		return false;
	head = pb_page_folio(mm->phys, pb_pte_pfn(&mm->geom, pte), NULL);
	return head && pb_folio_maybe_dma_pinned(head);
}

static const struct pb_modify_ops pb_clear_sd_ops = {
	.skip = pb_clear_sd_skip,
	.fn = pb_clear_sd_fn,
};

/*
 * clear_soft_dirty_pmd(): a PMD leaf stays whole; pmdp_invalidate() and its
 * flush, then write-protected and without soft-dirty, keeping its A/D.
 */
static void pb_clear_sd_pmd(struct pb_mm *mm, pb_pte_t *pmdp, u64 va,
			    void *arg)
{
	pb_pte_t old = *pmdp;

	if (pb_pte_valid(old)) {
		pb_write_pmd(mm, va, pmdp,
			     (old & ~PB_PTE_VALID) | PB_PTE_PRESENT_INVALID);
		pb_flush_tlb_range(mm, va, va + pb_pmd_size(&mm->geom));
	}
	pb_write_pmd(mm, va, pmdp, pb_pte_wrprotect(old) & ~PB_PTE_SOFT_DIRTY);
}

/* echo 4 > /proc/PID/clear_refs: track soft-dirty from now, in every VMA. */
void pb_clear_soft_dirty(struct pb_mm *mm)
{
	unsigned int i;

	for (i = 0; i < mm->nr_vmas; i++) {
		mm->vmas[i].flags |= PB_VM_SOFTDIRTY;
		pb_walk_pmd_leaves(mm, mm->vmas[i].start, mm->vmas[i].end,
				   pb_clear_sd_pmd, NULL);
		pb_modify_each(mm, &mm->vmas[i], mm->vmas[i].start,
			       mm->vmas[i].end, &pb_clear_sd_ops, false);
	}
	pb_gather_finish(mm);
}

/*
 * uffd_wp_range(): write-protect, or resolve.  Resolving goes through
 * change_protection() with MM_CP_TRY_CHANGE_WRITABLE, so an entry that
 * can_change_pte_writable() allows (an exclusive anon page, say) becomes
 * writable again instead of taking a write fault.
 */
static pb_pte_t pb_uffd_wp_fn(struct pb_mm *mm, const struct pb_vma *vma,
			      pb_pte_t pte, bool wp)
{
	if (wp)
		return pb_pte_wrprotect(pte) | PB_PTE_UFFD_WP;
	pte &= ~PB_PTE_UFFD_WP;
	if (!pb_pte_write(pte) && pb_can_change_pte_writable(mm, vma, pte))
		pte = pb_pte_mkwrite(pte);
	return pte;
}

static const struct pb_modify_ops pb_uffd_wp_ops = {
	.fn = pb_uffd_wp_fn,
};

/* UFFDIO_WRITEPROTECT on a range of one VMA registered for uffd-wp. */
int pb_uffd_wp(struct pb_mm *mm, u64 start, u64 end, bool wp, const char **why)
{
	struct pb_vma *vma = pb_vma_find(mm, start);

	if (!vma || end > vma->end) {
		*why = "range is not inside one VMA";
		return -EINVAL;
	}
	if (!(vma->flags & PB_VM_UFFD_WP)) {
		*why = "VMA is not registered for uffd-wp (mmap flag uffdwp)";
		return -EINVAL;
	}
	/*
	 * A VMA registered for uffd-wp gets no PMD leaf
	 * (pb_thp_pmd_allowed()); were there one, it would be split.
	 */
	pb_split_huge_pmds(mm, start, end);
	pb_modify_each(mm, vma, start, end, &pb_uffd_wp_ops, wp);
	pb_gather_finish(mm);
	return 0;
}

/*
 * May the page at @pfn, mapped in @vma, be pinned as it is?  A page of a
 * shared VMA, file or shmem, yes: gup_must_unshare() is false in a shared
 * mapping, as only a COW mapping has a copy to break (the model's pin is
 * FOLL_PIN, not FOLL_LONGTERM, which writable_file_mapping_allowed() would
 * refuse for a file that wants dirty tracking).  In a private VMA only an
 * exclusive anon page: FOLL_PIN would unshare any other anon page first
 * (gup_must_unshare()), and unlike upstream the model refuses the pin rather
 * than fault.  The zero page is no folio: refused.
 */
static bool pb_pin_allowed(struct pb_mm *mm, const struct pb_vma *vma, u64 pfn)
{
	u64 head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);

	if (!head || !vma)
		return false;
	if (vma->flags & PB_VM_SHARED)
		return true;
	return (head->flags & PB_PG_ANON) &&
	       (head[pfn - head_pfn].flags & PB_PG_ANON_EXCLUSIVE);
}

/*
 * A GUP pin of every page of a range (pin) or its release: pages of shared
 * mappings and exclusive anon pages (pb_pin_allowed()).  Nothing changes
 * unless every page qualifies.
 */
int pb_pin(struct pb_mm *mm, u64 start, u64 end, bool pin, const char **why)
{
	const struct pb_geom *g = &mm->geom;
	int pass;
	u64 va;

	/*
	 * 0: reset the counts, 1: check everything, 2: change.  Unlike
	 * upstream, whose GUP pins a PMD-mapped THP as it is, the model
	 * splits a PMD leaf before it pins its pages (so that no PMD leaf
	 * maps a pinned folio, which copy_huge_pmd() would have to split);
	 * the checks ask the PMD's head page, whose exclusivity the split
	 * gives every page.
	 */
	for (pass = 0; pass < 3; pass++) {
		if (pass == 2 && pin)
			pb_split_huge_pmds(mm, start, end);
		for (va = start; va < end; va += pb_page_size(g)) {
			pb_pte_t *ptep = pb_pte_offset(mm, va, false);
			pb_pte_t *pmdp = ptep ? NULL : pb_huge_pmd(mm, va);
			struct pb_page *head;
			u64 pfn, head_pfn;

			if (!pmdp && (!ptep || !pb_pte_present(*ptep))) {
				*why = "a page of the range is not mapped";
				return -EINVAL;
			}
			pfn = pb_pte_pfn(g, pmdp ? *pmdp : *ptep);
			if (!pb_pin_allowed(mm, pb_vma_find(mm, va), pfn)) {
				*why = "only exclusive anon and shared pages can be pinned";
				return -EINVAL;
			}
			head = pb_page_folio(mm->phys, pfn, &head_pfn);
			if (pass == 0) {
				head->pins_seen = 0;
				continue;
			}
			if (pass == 1) {
				/* Unpinning needs a pin for every page of the folio. */
				if (!pin && ++head->pins_seen > head->pincount) {
					*why = "a page of the range is not pinned";
					return -EINVAL;
				}
				continue;
			}
			head->pincount += pin ? 1 : -1;
			if (pin)
				head->refcount += pb_folio_pin_refs(head);
			else
				head->refcount -= pb_folio_pin_refs(head);
			mm->phys->pins += pin ? 1 : -1;
		}
	}
	return 0;
}
