// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: page faults: handle_mm_fault() for a user access, with new
 * folios, write-fault reuse and copy-on-write.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/rmap.h"
#include "model/shadow.h"
#include "model/tlb.h"
#include "arch/contpte.h"
#include "paths/fault.h"
#include "paths/populate.h"

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
 * do_cow_fault(): a write fault on an empty entry of a private file mapping
 * maps a private order-0 anon copy of the file page, writable and dirty, in
 * one fault.  Unlike upstream, the model has no page cache to copy from: the
 * copy starts as a new file page reads, zeroed.
 */
static int pb_fault_cow_none(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			     pb_pte_t *ptep)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_page *head;
	pb_pte_t pte;
	u64 pfn;
	int ret;

	ret = pb_folio_alloc(mm->phys, 0, true, &pfn);
	if (ret)
		return ret;
	head = pb_pfn_to_page(mm->phys, pfn);
	/* The mapping takes over the allocation's reference. */
	head->extra_refs = 0;
	pb_rmap_add(mm, pfn, 1, true);
	pb_mm_count(mm, PB_MMC_folios_mapped, 1);
	pb_mm_count(mm, PB_MMC_write_faults, 1);
	pb_mm_count(mm, PB_MMC_cow_copies, 1);
	pte = pb_pte_mkdirty(pb_pte_mkwrite(pb_vma_prot(mm, vma, true)));
	pb_set_ptes(mm, va, ptep, pb_pfn_pte(g, pfn, pte), 1);
	return 0;
}

/*
 * A fault on an empty entry: a folio of fault_order, or smaller where the
 * aligned range leaves the VMA or is partly populated.  In a private anon VMA
 * it is an anon folio (do_anonymous_page()) of only the orders of the
 * thp_orders knob, as alloc_anon_folio() tries only the enabled mTHP sizes
 * (thp_vma_allowable_orders()), and never order 1, which THP_ORDERS_ALL_ANON
 * leaves out; order 0 is the fallback.  In a shared one, shmem's included,
 * it is a file folio (do_shared_fault()).
 */
static int pb_fault_none(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			 pb_pte_t *ptep, bool write)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int order = mm->knobs[PB_KNOB_fault_order];
	unsigned int idx = (va >> g->page_shift) & (pb_ptrs_per_table(g) - 1);
	u64 orders = pb_vma_is_anon(vma) ? mm->knobs[PB_KNOB_thp_orders] : U64_MAX;

	if (write && !(vma->flags & (PB_VM_ANON | PB_VM_SHARED)))
		return pb_fault_cow_none(mm, vma, va, ptep);

	for (; order; order--) {
		u64 size = pb_page_size(g) << order, start = va & ~(size - 1);
		unsigned int first = idx & ~((1U << order) - 1);

		if ((orders & BIT_ULL(order)) && start >= vma->start &&
		    start + size <= vma->end &&
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
	bool shared = vma->flags & PB_VM_SHARED, reuse;

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
	 * A shared VMA, shmem included, reuses the page (do_wp_page()'s
	 * wp_page_shared()).  In a private one an exclusive anon page is
	 * reused; so is a small anon folio nobody else holds
	 * (wp_can_reuse_anon_folio() of 6.12, which copies large folios that
	 * are not exclusive).
	 */
	if (shared)
		reuse = true;
	else
		reuse = head && (head->flags & PB_PG_ANON) &&
			((head[pfn - head_pfn].flags & PB_PG_ANON_EXCLUSIVE) ||
			 (!head->order && head->refcount == 1));
	if (!reuse)
		return pb_fault_cow(mm, vma, va, ptep, pte);
	/*
	 * wp_page_reuse(): young, dirty, writable, soft-dirty.  A reused anon
	 * page is exclusive again (do_wp_page()); a page of a shared VMA is
	 * never anon-exclusive (wp_page_shared() leaves the folio as it is).
	 */
	if (!shared && head && (head->flags & PB_PG_ANON))
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
