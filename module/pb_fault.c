// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: page faults with copy-on-write, mprotect() with write-fault
 * avoidance, soft-dirty clearing, uffd-wp and pins.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "pb_model.h"

/* --- Faults ---------------------------------------------------------------------- */

/* Is every entry of [va, va + nr pages) empty? */
static bool pb_ptes_none(pb_pte_t *ptep, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (ptep[i])
			return false;
	return true;
}

/*
 * A fault on an empty entry: a folio of fault_order, or smaller where the
 * aligned range leaves the VMA or is partly populated.
 */
static int pb_fault_none(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			 pb_pte_t *ptep, bool write)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int order = mm->knobs[PB_KNOB_fault_order];
	unsigned int idx = (va >> g->page_shift) & (pb_ptrs_per_table(g) - 1);

	for (; order; order--) {
		u64 size = pb_page_size(g) << order, start = va & ~(size - 1);
		unsigned int first = idx & ~((1U << order) - 1);

		if (start >= vma->start && start + size <= vma->end &&
		    pb_ptes_none(ptep - idx + first, 1U << order))
			break;
	}
	pb_mm_count(mm, write ? PB_MMC_write_faults : PB_MMC_read_faults, 1);
	return pb_map_new_folio(mm, vma, va & ~((pb_page_size(g) << order) - 1),
				order, write, false);
}

/* wp_page_copy(): a private order-0 copy of the page, as upstream does. */
static int pb_fault_cow(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			pb_pte_t *ptep, pb_pte_t pte)
{
	const struct pb_geom *g = &mm->geom;
	u64 old_pfn = pb_pte_pfn(g, pte), old_head, new_pfn;
	struct pb_page *new;
	void *from, *to;
	int ret;

	ret = pb_folio_alloc(mm->phys, 0, true, &new_pfn);
	if (ret)
		return ret;
	from = pb_page_data(mm->phys, old_pfn);
	to = pb_page_data(mm->phys, new_pfn);
	if (from && to)
		memcpy(to, from, pb_page_size(g));
	new = pb_pfn_to_page(mm->phys, new_pfn);
	new->extra_refs = 0;
	pb_page_folio(mm->phys, old_pfn, &old_head);

	/* ptep_clear_flush(), which unfolds the block it breaks. */
	pb_ptep_get_and_clear(mm, va, ptep);
	pb_flush_tlb_page(mm, va);
	/* The copy is private: writable wherever the VMA is, file or anon. */
	pte = pb_pte_mkdirty(pb_pte_mkwrite(pb_vma_prot(mm, vma, true))) |
	      (pte & PB_PTE_SOFT_DIRTY);
	pb_rmap_add(mm, new_pfn, 1, true);
	pb_set_ptes(mm, va, ptep, pb_pfn_pte(g, new_pfn, pte), 1);
	pb_rmap_remove(mm, old_pfn, 1);
	pb_folio_put(mm->phys, old_head, 1);
	pb_mm_count(mm, PB_MMC_refcount_atomics, 1);
	pb_mm_count(mm, PB_MMC_cow_copies, 1);
	return 0;
}

/* A write fault on a present, read-only entry of a writable VMA. */
static int pb_fault_wp(struct pb_mm *mm, struct pb_vma *vma, u64 va,
		       pb_pte_t *ptep, pb_pte_t pte)
{
	const struct pb_geom *g = &mm->geom;
	u64 pfn = pb_pte_pfn(g, pte), head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);
	bool reuse;

	pb_mm_count(mm, PB_MMC_write_faults, 1);
	if (pte & PB_PTE_UFFD_WP) {
		/* The uffd handler resolves it by write-unprotecting. */
		pb_mm_count(mm, PB_MMC_uffd_wp_faults, 1);
		/* Unfold first: the block's other pages stay write-protected. */
		pb_contpte_try_unfold(mm, va, ptep, *ptep);
		pb_write_pte(mm, va, ptep, *ptep & ~PB_PTE_UFFD_WP);
		pte &= ~PB_PTE_UFFD_WP;
	}
	/*
	 * An exclusive anon page is reused; so is a small anon folio nobody
	 * else holds (wp_can_reuse_anon_folio() of 6.12, which copies large
	 * folios that are not exclusive).
	 */
	if (vma->flags & PB_VM_SHARED)
		reuse = true;
	else
		reuse = head && (head->flags & PB_PG_ANON) &&
			((head[pfn - head_pfn].flags & PB_PG_ANON_EXCLUSIVE) ||
			 (!head->order && head->refcount == 1));
	if (!reuse)
		return pb_fault_cow(mm, vma, va, ptep, pte);
	/* wp_page_reuse(): young, dirty, writable, soft-dirty; exclusive again. */
	if (head && (head->flags & PB_PG_ANON))
		head[pfn - head_pfn].flags |= PB_PG_ANON_EXCLUSIVE;
	pte = pb_pte_mkdirty(pb_pte_mkwrite(pb_pte_mkyoung(pte))) | PB_PTE_SOFT_DIRTY;
	pb_ptep_set_access_flags(mm, va, ptep, pte, true);
	pb_mm_count(mm, PB_MMC_wp_reuses, 1);
	return 0;
}

/*
 * handle_mm_fault() for a user access at @va.  Returns 0 when the access can
 * be retried, -EFAULT for a SIGSEGV (no VMA, or no permission), -ENOMEM.
 */
int pb_handle_fault(struct pb_mm *mm, u64 va, bool write, const char **why)
{
	struct pb_vma *vma = pb_vma_find(mm, va);
	pb_pte_t *ptep, pte;

	if (!vma || !(vma->flags & PB_VM_READ) ||
	    (write && !(vma->flags & PB_VM_WRITE))) {
		pb_mm_count(mm, PB_MMC_segv, 1);
		*why = "SIGSEGV";
		return -EFAULT;
	}
	ptep = pb_pte_offset(mm, va, true);
	if (IS_ERR(ptep)) {
		*why = "out of memory for page tables";
		return PTR_ERR(ptep);
	}
	va &= ~(pb_page_size(&mm->geom) - 1);
	pte = pb_ptep_get(mm, va, ptep);
	if (!pb_pte_present(pte)) {
		*why = "out of memory for a folio";
		return pb_fault_none(mm, vma, va, ptep, write);
	}
	if (write && !pb_pte_write(pte)) {
		*why = "out of memory for a copy";
		return pb_fault_wp(mm, vma, va, ptep, pte);
	}
	/* A spurious fault: the hardware did not set AF (or dirty). */
	pb_mm_count(mm, write ? PB_MMC_write_faults : PB_MMC_read_faults, 1);
	pte = pb_pte_mkyoung(pte);
	if (write)
		pte = pb_pte_mkdirty(pte);
	pb_ptep_set_access_flags(mm, va, ptep, pte, write);
	return 0;
}

/* --- Per-PTE modification walks ------------------------------------------------- */

/*
 * ptep_modify_prot_start()/commit() on each present entry of [start, end),
 * one PTE at a time as clear_refs and uffd-wp do: @fn returns the new value.
 */
static void pb_modify_each(struct pb_mm *mm, u64 start, u64 end,
			   pb_pte_t (*fn)(struct pb_mm *mm, u64 va, pb_pte_t pte,
					  void *arg),
			   void *arg)
{
	const struct pb_geom *g = &mm->geom;
	u64 va;

	for (va = start; va < end; va += pb_page_size(g)) {
		pb_pte_t *ptep = pb_pte_offset(mm, va, false), old;

		if (!ptep) {
			va = pb_pmd_addr_end(mm, va, end) - pb_page_size(g);
			continue;
		}
		if (!pb_pte_present(*ptep))
			continue;
		old = pb_ptep_get_and_clear(mm, va, ptep);
		pb_set_ptes(mm, va, ptep, fn(mm, va, old, arg), 1);
		pb_gather_add(mm, va, 1);
	}
}

static pb_pte_t pb_clear_sd_fn(struct pb_mm *mm, u64 va, pb_pte_t pte,
			       void *arg)
{
	return pb_pte_wrprotect(pte) & ~PB_PTE_SOFT_DIRTY;
}

/* echo 4 > /proc/PID/clear_refs: track soft-dirty from now, in every VMA. */
void pb_clear_soft_dirty(struct pb_mm *mm)
{
	unsigned int i;

	for (i = 0; i < mm->nr_vmas; i++) {
		mm->vmas[i].flags |= PB_VM_SOFTDIRTY;
		pb_modify_each(mm, mm->vmas[i].start, mm->vmas[i].end,
			       pb_clear_sd_fn, NULL);
	}
	pb_gather_finish(mm);
}

static pb_pte_t pb_uffd_wp_fn(struct pb_mm *mm, u64 va, pb_pte_t pte,
			      void *arg)
{
	if (*(bool *)arg)
		return pb_pte_wrprotect(pte) | PB_PTE_UFFD_WP;
	return pte & ~PB_PTE_UFFD_WP;
}

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
	pb_modify_each(mm, start, end, pb_uffd_wp_fn, &wp);
	pb_gather_finish(mm);
	return 0;
}

/* --- Pins ------------------------------------------------------------------------ */

/*
 * A GUP pin of every page of a range (pin) or its release.  Only exclusive
 * anon pages can be pinned, as FOLL_PIN unshares first; nothing changes unless
 * every page qualifies.
 */
int pb_pin(struct pb_mm *mm, u64 start, u64 end, bool pin, const char **why)
{
	const struct pb_geom *g = &mm->geom;
	int pass;
	u64 va;

	/* 0: reset the counts, 1: check everything, 2: change. */
	for (pass = 0; pass < 3; pass++) {
		for (va = start; va < end; va += pb_page_size(g)) {
			pb_pte_t *ptep = pb_pte_offset(mm, va, false);
			struct pb_page *head;
			u64 pfn, head_pfn;

			if (!ptep || !pb_pte_present(*ptep)) {
				*why = "a page of the range is not mapped";
				return -EINVAL;
			}
			pfn = pb_pte_pfn(g, *ptep);
			head = pb_page_folio(mm->phys, pfn, &head_pfn);
			if (!head || !(head->flags & PB_PG_ANON) ||
			    !(head[pfn - head_pfn].flags & PB_PG_ANON_EXCLUSIVE)) {
				*why = "only exclusive anon pages can be pinned";
				return -EINVAL;
			}
			if (pass == 0) {
				head->scratch = 0;
				continue;
			}
			if (pass == 1) {
				/* Unpinning needs a pin for every page of the folio. */
				if (!pin && ++head->scratch > head->pincount) {
					*why = "a page of the range is not pinned";
					return -EINVAL;
				}
				continue;
			}
			head->pincount += pin ? 1 : -1;
			head->refcount += pin ? 1 : -1;
			mm->phys->pins += pin ? 1 : -1;
		}
	}
	return 0;
}

/* --- mprotect -------------------------------------------------------------------- */

/*
 * can_change_pte_writable(): may mprotect() make this PTE writable, sparing
 * the write fault?  Private: only an exclusive anon page.  Shared: only a PTE
 * already dirty (dirty accounting).  Never protnone, never with a soft-dirty
 * fault pending or uffd-wp.
 */
static bool pb_can_change_pte_writable(struct pb_mm *mm,
				       const struct pb_vma *vma, pb_pte_t pte)
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
		/* Writable PTEs only where a shared VMA needs no write notify. */
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
		bool writable, was_cont;

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
			 * Several entries that were not contiguous go back as
			 * they were: set_ptes() would set CONT on a whole block
			 * whose old entries a TLB may still hold.  Contiguous
			 * ones go back through set_ptes(), which folds the
			 * whole blocks again.
			 */
			if (was_cont || run == 1)
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
 * Split the VMA containing @va at @va.  Returns 0 (also when @va is already a
 * boundary or in no VMA) or -ENOSPC.
 */
int pb_vma_split(struct pb_mm *mm, u64 va)
{
	struct pb_vma *vma = pb_vma_find(mm, va);

	if (!vma || vma->start == va)
		return 0;
	if (mm->nr_vmas == PB_MAX_VMAS)
		return -ENOSPC;
	mm->vmas[mm->nr_vmas] = *vma;
	mm->vmas[mm->nr_vmas].start = va;
	vma->end = va;
	mm->nr_vmas++;
	return 0;
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
	return 0;
}
