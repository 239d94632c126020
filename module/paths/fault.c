// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: page faults: handle_mm_fault() for a user access, with new
 * folios, write-fault reuse and copy-on-write.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>

#include "model/filemap.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/rmap.h"
#include "model/shadow.h"
#include "model/tlb.h"
#include "arch/contpte.h"
#include "paths/fault.h"
#include "paths/huge.h"
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

/* fault_around_bytes' default (mm/memory.c), as whole pages. */
#define PB_FAULT_AROUND_BYTES	65536

/*
 * The largest order, at most fault_order and one of @orders, whose aligned
 * range around @va lies inside the VMA with every entry empty and, in a
 * file VMA, starts at a file index aligned to the order (a page cache
 * folio is aligned in its file; as thp_vma_suitable_order() asks of a
 * file VMA's vm_pgoff) and holds no page in the page cache; order 0 is the
 * fallback.
 */
static unsigned int pb_fault_order(struct pb_mm *mm, struct pb_vma *vma,
				   u64 va, pb_pte_t *ptep, u64 orders)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int order = mm->knobs[PB_KNOB_fault_order];
	unsigned int idx = (va >> g->page_shift) & (pb_ptrs_per_table(g) - 1);

	for (; order; order--) {
		u64 size = pb_page_size(g) << order, start = va & ~(size - 1);
		unsigned int first = idx & ~((1U << order) - 1);

		if ((orders & BIT_ULL(order)) && start >= vma->start &&
		    start + size <= vma->end &&
		    pb_ptes_none(ptep - idx + first, 1U << order) &&
		    !(vma->file &&
		      ((pb_vma_index(vma, start, g->page_shift) &
			((1ULL << order) - 1)) ||
		       pb_filemap_any(mm, vma, start, 1U << order))))
			break;
	}
	return order;
}

/*
 * __do_fault() through filemap_fault() or shmem_fault(): the folio of the
 * page cache holding @va's page, read in on a miss as a new folio of the
 * fault order.  Unlike upstream, a miss reads one folio where readahead
 * reads a window, and its size is fault_order's where readahead (or
 * shmem's huge= policy) picks it.
 */
static int pb_fault_get_folio(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			      pb_pte_t *ptep, u64 *pfn)
{
	const struct pb_geom *g = &mm->geom;
	u64 index = pb_vma_index(vma, va, g->page_shift), head_pfn;
	struct pb_page *head;
	unsigned int order;
	int ret;

	head = pb_filemap_lookup(mm->phys, vma->file, index, &head_pfn);
	if (!head) {
		order = pb_fault_order(mm, vma, va, ptep, U64_MAX);
		ret = pb_folio_alloc(mm->phys, order, false, &head_pfn);
		if (ret)
			return ret;
		head = pb_pfn_to_page(mm->phys, head_pfn);
		/* The page cache takes over the allocation's reference. */
		head->refcount = 0;
		head->extra_refs = 0;
		pb_filemap_add(mm->phys, head_pfn, vma->file,
			       index & ~((1ULL << order) - 1));
	}
	*pfn = head_pfn + index - pb_folio_index(head);
	return 0;
}

/*
 * do_fault_around(): filemap_map_pages() maps the pages of the window around
 * @va (fault_around_bytes, inside the VMA and its page table) that the page
 * cache holds and no entry maps, one run per folio; a run without @va is
 * old.  Returns true if @va was mapped.  None with a uffd-registered VMA
 * (uffd_disable_fault_around()) or a window of one page.
 */
static bool pb_fault_around(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			    pb_pte_t *ptep)
{
	const struct pb_geom *g = &mm->geom;
	u64 psize = pb_page_size(g), win = PB_FAULT_AROUND_BYTES;
	unsigned int idx = (va >> g->page_shift) & (pb_ptrs_per_table(g) - 1);
	u64 table = va - ((u64)idx << g->page_shift), from, to, a, head_pfn;
	bool mapped = false, hit;
	unsigned int nr;

	if (win <= psize || (vma->flags & PB_VM_UFFD_WP))
		return false;
	from = max(va & ~(win - 1), vma->start);
	to = min(min((va & ~(win - 1)) + win, vma->end),
		 table + ((u64)pb_ptrs_per_table(g) << g->page_shift));
	for (a = from; a < to; a += (u64)nr << g->page_shift) {
		pb_pte_t *p = ptep + ((s64)(a - va) >> g->page_shift);
		struct pb_page *head;
		u64 pfn, end, index;

		nr = 1;
		if (*p)
			continue;
		index = pb_vma_index(vma, a, g->page_shift);
		head = pb_filemap_lookup(mm->phys, vma->file, index, &head_pfn);
		if (!head)
			continue;
		pfn = head_pfn + index - pb_folio_index(head);
		end = min(to, a + ((head_pfn + (1ULL << head->order) - pfn)
				   << g->page_shift));
		while (a + ((u64)nr << g->page_shift) < end && !p[nr])
			nr++;
		hit = va >= a && va < a + ((u64)nr << g->page_shift);
		pb_map_cached(mm, vma, a, pfn, nr, false, hit, false);
		mapped |= hit;
	}
	return mapped;
}

/*
 * do_read_fault() and do_shared_fault(): fault-around for a read, then the
 * faulting page from the page cache, mapped by finish_fault(): one page, or
 * for shmem (vma_is_anon_shmem()) without uffd the whole folio where it fits
 * in the VMA and the page table and no entry of it is mapped.  A shared
 * write maps it writable and dirty and marks the folio dirty
 * (fault_dirty_shared_page()).
 */
static int pb_fault_file(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			 pb_pte_t *ptep, bool write)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int idx = (va >> g->page_shift) & (pb_ptrs_per_table(g) - 1);
	u64 table = va - ((u64)idx << g->page_shift), pfn, head_pfn, fva, fend;
	bool shmem = (vma->flags & (PB_VM_SHARED | PB_VM_ANON)) ==
		     (PB_VM_SHARED | PB_VM_ANON);
	unsigned int nr = 1, nr_folio;
	struct pb_page *head;
	int ret;

	pb_mm_count(mm, write ? PB_MMC_write_faults : PB_MMC_read_faults, 1);
	if (!write && pb_fault_around(mm, vma, va, ptep))
		return 0;
	ret = pb_fault_get_folio(mm, vma, va, ptep, &pfn);
	if (ret)
		return ret;
	head = pb_page_folio(mm->phys, pfn, &head_pfn);
	nr_folio = 1U << head->order;
	fva = va - ((pfn - head_pfn) << g->page_shift);
	fend = fva + ((u64)nr_folio << g->page_shift);
	if (shmem && !(vma->flags & PB_VM_UFFD_WP) && nr_folio > 1 &&
	    fva >= max(vma->start, table) &&
	    fend <= min(vma->end,
			table + ((u64)pb_ptrs_per_table(g) << g->page_shift)) &&
	    pb_ptes_none(ptep - (pfn - head_pfn), nr_folio)) {
		nr = nr_folio;
		va = fva;
		pfn = head_pfn;
	}
	pb_map_cached(mm, vma, va, pfn, nr, write, true, false);
	return 0;
}

/*
 * A private order-0 anon copy of page @src for a COW (do_cow_fault(),
 * wp_page_copy()), its reference to be taken over by the mapping; and the
 * VMA has an anon_vma from now on.
 */
static int pb_alloc_copy(struct pb_mm *mm, struct pb_vma *vma, u64 src,
			 u64 *pfn)
{
	int ret = pb_folio_alloc(mm->phys, 0, true, pfn);

	if (ret)
		return ret;
	pb_page_copy(mm->phys, *pfn, src);
	pb_pfn_to_page(mm->phys, *pfn)->extra_refs = 0;
	vma->flags |= PB_VM_ANON_VMA;
	return 0;
}

/*
 * do_cow_fault(): a write fault on an empty entry of a private file mapping
 * copies the file's page, from the page cache, into a private order-0 anon
 * folio, mapped writable and dirty, in one fault.
 */
static int pb_fault_cow_none(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			     pb_pte_t *ptep)
{
	const struct pb_geom *g = &mm->geom;
	pb_pte_t pte;
	u64 src, pfn;
	int ret;

	ret = pb_fault_get_folio(mm, vma, va, ptep, &src);
	if (!ret)
		ret = pb_alloc_copy(mm, vma, src, &pfn);
	if (ret)
		return ret;
	pb_rmap_add(mm, pfn, 1, true);
	pb_mm_count(mm, PB_MMC_folios_mapped, 1);
	pb_mm_count(mm, PB_MMC_write_faults, 1);
	pb_mm_count(mm, PB_MMC_cow_copies, 1);
	pte = pb_pte_mkdirty(pb_pte_mkwrite(pb_vma_prot(mm, vma, true)));
	pb_set_ptes(mm, va, ptep, pb_pfn_pte(g, pfn, pte), 1);
	return 0;
}

/*
 * do_anonymous_page() of a read: the shared zero page (my_zero_pfn()),
 * special and read-only; a write then copies it (wp_page_copy()).
 */
static int pb_fault_zero(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			 pb_pte_t *ptep)
{
	pb_pte_t pte = pb_pfn_pte(&mm->geom, mm->phys->zero_pfn,
				  pb_vma_prot(mm, vma, false));

	pb_mm_count(mm, PB_MMC_read_faults, 1);
	pb_mm_count(mm, PB_MMC_zero_page_faults, 1);
	pb_set_ptes(mm, va, ptep, pte | PB_PTE_SPECIAL, 1);
	return 0;
}

/*
 * A fault on an empty entry.  In a private anon VMA a read maps the zero
 * page and a write an anon folio (do_anonymous_page()) of fault_order, or
 * smaller where the aligned range leaves the VMA or is partly populated, of
 * only the orders of the thp_orders knob, as alloc_anon_folio() tries only
 * the enabled mTHP sizes (thp_vma_allowable_orders()), and never order 1,
 * which THP_ORDERS_ALL_ANON leaves out; order 0 is the fallback.  Any other
 * VMA maps a file, shmem's included (do_fault()).
 */
static int pb_fault_none(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			 pb_pte_t *ptep, bool write)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int order;
	u64 orders;

	if (!pb_vma_is_anon(vma)) {
		if (write && !(vma->flags & PB_VM_SHARED))
			return pb_fault_cow_none(mm, vma, va, ptep);
		return pb_fault_file(mm, vma, va, ptep, write);
	}
	if (!write)
		return pb_fault_zero(mm, vma, va, ptep);
	/*
	 * With PMD THPs on, the PTE fault tries only the smaller orders, as
	 * alloc_anon_folio() (BIT(PMD_ORDER) - 1); without, a PMD-order
	 * folio is mapped with PTEs.
	 */
	orders = mm->knobs[PB_KNOB_thp_orders];
	if (mm->knobs[PB_KNOB_thp_pmd])
		orders &= BIT_ULL(pb_pmd_order(g)) - 1;
	order = pb_fault_order(mm, vma, va, ptep, orders);
	pb_mm_count(mm, PB_MMC_write_faults, 1);
	return pb_map_new_folio(mm, vma, va & ~((pb_page_size(g) << order) - 1),
				order, write, false);
}

/*
 * wp_page_copy(): a private order-0 copy of the page, as upstream does; of
 * the zero page, a zeroed one.
 */
static int pb_fault_cow(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			pb_pte_t *ptep, pb_pte_t pte)
{
	const struct pb_geom *g = &mm->geom;
	u64 old_pfn = pb_pte_pfn(g, pte), old_head, new_pfn;
	struct pb_page *old;
	int ret;

	ret = pb_alloc_copy(mm, vma, old_pfn, &new_pfn);
	if (ret)
		return ret;
	old = pb_page_folio(mm->phys, old_pfn, &old_head);

	/* ptep_clear_flush(), which unfolds the block it breaks. */
	pb_ptep_get_and_clear(mm, va, ptep);
	pb_flush_tlb_page(mm, va);
	/* The copy is private: writable wherever the VMA is, file or anon. */
	pte = pb_pte_mkdirty(pb_pte_mkwrite(pb_vma_prot(mm, vma, true))) |
	      (pte & PB_PTE_SOFT_DIRTY);
	pb_rmap_add(mm, new_pfn, 1, true);
	pb_set_ptes(mm, va, ptep, pb_pfn_pte(g, new_pfn, pte), 1);
	if (old) {
		pb_rmap_remove(mm, old_pfn, 1);
		pb_folio_put(mm->phys, old_head, 1);
		pb_mm_count(mm, PB_MMC_refcount_atomics, 1);
	}
	pb_mm_count(mm, PB_MMC_cow_copies, 1);
	return 0;
}

/*
 * The mainline profile's __wp_can_reuse_large_anon_folio() ("mm: Copy-on-Write
 * (COW) reuse support for PTE-mapped THP", 6.15): a large anon folio with
 * more than one mapping, all of them in this mm as its MM owner tracking says
 * (model/rmap.c), and no reference but its mappings (no pin, no other holder)
 * is this mm's alone, and the faulting page is reused.
 */
static bool pb_can_reuse_large_anon(const struct pb_page *head)
{
	if (pb_folio_large_mapcount(head) <= 1)
		return false;
	if (pb_folio_maybe_mapped_shared(head))
		return false;
	return head->refcount == pb_folio_large_mapcount(head);
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
	 * (wp_can_reuse_anon_folio()), and in the mainline profile a large
	 * one that only this mm maps; 6.12 copies large folios that are not
	 * exclusive.
	 */
	if (shared)
		reuse = true;
	else
		reuse = head && (head->flags & PB_PG_ANON) &&
			((head[pfn - head_pfn].flags & PB_PG_ANON_EXCLUSIVE) ||
			 (!head->order && head->refcount == 1) ||
			 (head->order && mm->profile == PB_PROFILE_MAINLINE &&
			  pb_can_reuse_large_anon(head)));
	if (!reuse)
		return pb_fault_cow(mm, vma, va, ptep, pte);
	/*
	 * wp_page_reuse(): young, dirty, writable, soft-dirty.  A reused anon
	 * page is exclusive again (do_wp_page()); a page of a shared VMA is
	 * never anon-exclusive (wp_page_shared() leaves the folio as it is).
	 */
	if (!shared && head && (head->flags & PB_PG_ANON))
		head[pfn - head_pfn].flags |= PB_PG_ANON_EXCLUSIVE;
	/* wp_page_shared(): fault_dirty_shared_page() dirties the folio. */
	if (shared && head)
		head->flags |= PB_PG_DIRTY;
	pte = pb_pte_mkdirty(pb_pte_mkwrite(pb_pte_mkyoung(pte))) | PB_PTE_SOFT_DIRTY;
	pb_ptep_set_access_flags(mm, va, ptep, pte, true);
	pb_mm_count(mm, PB_MMC_wp_reuses, 1);
	return 0;
}

/*
 * The PMD level of __handle_mm_fault(): on a none PMD that allows a THP,
 * create_huge_pmd() (do_huge_pmd_anonymous_page(): the huge zero folio for
 * a read with use_zero_page, else a new THP); on a
 * PMD leaf, wp_huge_pmd() for a write to a read-only one
 * (do_huge_pmd_wp_page()), else huge_pmd_set_accessed().  -EAGAIN falls
 * back to the PTE fault (VM_FAULT_FALLBACK): a THP that cannot be
 * allocated, or a PMD split for a copy.
 */
static int pb_fault_huge(struct pb_mm *mm, struct pb_vma *vma, u64 va,
			 bool write)
{
	pb_pte_t *pmdp = pb_huge_pmd(mm, va);
	int ret;

	if (!pmdp) {
		if (!write && mm->knobs[PB_KNOB_use_zero_page])
			ret = pb_map_huge_zero_pmd(mm, vma, va);
		else
			ret = pb_map_anon_pmd(mm, vma, va);
		if (ret)
			return -EAGAIN;
		pb_mm_count(mm, write ? PB_MMC_write_faults : PB_MMC_read_faults, 1);
		return 0;
	}
	if (write && !pb_pte_write(*pmdp)) {
		ret = pb_huge_pmd_wp(mm, vma, va);
		if (!ret)
			pb_mm_count(mm, PB_MMC_write_faults, 1);
		return ret;
	}
	pb_mm_count(mm, write ? PB_MMC_write_faults : PB_MMC_read_faults, 1);
	pb_huge_pmd_set_accessed(mm, va, write);
	return 0;
}

static int pb_do_fault(struct pb_mm *mm, u64 va, bool write, const char **why)
{
	struct pb_vma *vma = pb_vma_find(mm, va);
	pb_pte_t *ptep, pte;
	int ret;

	if (!vma || !(vma->flags & PB_VM_READ) ||
	    (write && !(vma->flags & PB_VM_WRITE))) {
		pb_mm_count(mm, PB_MMC_segv, 1);
		*why = "SIGSEGV";
		return -EFAULT;
	}
	/* __handle_mm_fault(): the PMD level first. */
	if (pb_huge_pmd(mm, va) || pb_thp_pmd_allowed(mm, vma, va)) {
		ret = pb_fault_huge(mm, vma, va, write);
		if (ret != -EAGAIN)
			return ret;
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

/*
 * handle_mm_fault() for a user access at @va.  Returns 0 when the access can
 * be retried, -EFAULT for a SIGSEGV (no VMA, or no permission), -ENOMEM.
 * Unlike upstream, where the tables a failed fault took stay until
 * free_pgtables(), a fault that fails undoes them: a failed command leaves
 * nothing behind here (pb_pgtable_free_new()).
 */
int pb_handle_fault(struct pb_mm *mm, u64 va, bool write, const char **why)
{
	u64 page = va & ~(pb_page_size(&mm->geom) - 1);
	u32 mark = mm->table_serial;
	int ret = pb_do_fault(mm, va, write, why);

	if (ret == -ENOMEM)
		pb_pgtable_free_new(mm, page, page + pb_page_size(&mm->geom), mark);
	return ret;
}
