// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the running kernel's contpte helpers on a shadow PTE table.
 *
 * The table is one page of the module's, never installed in a TTBR, so no
 * MMU walks it and no hardware access or dirty update ever lands on it.  Its
 * entries map real folios (folio_alloc(), real/kmirror.c asks for them) and
 * are non-executable (PXN|UXN as the model's) and untagged (AttrIndx
 * MT_NORMAL): __set_ptes() therefore has neither the I-cache to sync nor
 * MTE tags to initialise.
 *
 * It belongs to a private mm_struct that no task uses: zeroed, so its ASID
 * (context.id) is 0, it has no mmu notifiers and is neither init_mm nor
 * efi_mm (contpte.c's mm_is_user() is true).  The TLB maintenance that
 * contpte_convert() and the flush helpers issue then targets ASID 0 at the
 * mm's VAs.  That is safe: an invalidation only drops cached translations,
 * which are walked again from the live tables; no task runs with this mm,
 * so none has a translation of this table to drop.  At worst it drops a
 * live entry of ASID 0 (the reserved ASID) at that VA, at a refill's cost.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "lib/alloc.h"
#include "lib/counters.h"
#include "real/kcontpte.h"

/*
 * Without contpte (amd64, or the native build, which compiles this file as
 * it is) only the refusing half below is built.
 */
#if defined(CONFIG_ARM64) && defined(CONFIG_ARM64_CONTPTE)
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/mmu_notifier.h>
#include <linux/pgtable.h>
#include <linux/bug.h>

struct pb_kshadow {
	struct mm_struct *mm;
	size_t mm_size;
	struct vm_area_struct vma;
	pte_t *table;
};

/*
 * The inline wrappers of asm/pgtable.h reference two symbols the kernel
 * does not export to modules, so modpost would refuse them.  Neither call
 * is reachable here, so each has a module-local definition that warns if
 * it ever is, rather than a local copy of the wrappers:
 *   - mte_sync_tags(), from __set_ptes() -> __sync_cache_and_tags(): only
 *     for a tagged entry (pte_tagged(), AttrIndx MT_NORMAL_TAGGED), and the
 *     shadow's entries are untagged;
 *   - __mmu_notifier_arch_invalidate_secondary_tlbs(), from the TLB flush
 *     helpers: only if mm_has_notifiers(), and nothing registers one on the
 *     shadow's private mm.
 * A call that reaches the kernel's own contpte.c resolves to the kernel's.
 * (A third, mainline's sme_do_dvmsync(), follows.)
 */
void mte_sync_tags(pte_t pte, unsigned int nr_pages)
{
	WARN_ONCE(1, "ptebatch: the kernel shadow mapped a tagged entry");
}

void __mmu_notifier_arch_invalidate_secondary_tlbs(struct mm_struct *mm,
						   unsigned long start,
						   unsigned long end)
{
	WARN_ONCE(1, "ptebatch: the kernel shadow's mm has an mmu notifier");
}

#ifdef CONFIG_ARM64_ERRATUM_4193714
/*
 * Mainline's TLB flush inlines (asm/tlbflush.h, sme_dvmsync()) call this,
 * not exported, on a CPU with the erratum, for the CPUs in the mm's
 * cpumask.  The shadow's mm never ran anywhere: its cpumask is empty, so
 * the kernel's would signal no CPU, and so does this one; it warns if the
 * mask is ever not empty.
 */
void sme_do_dvmsync(const struct cpumask *mask)
{
	WARN_ONCE(!cpumask_empty(mask),
		  "ptebatch: the kernel shadow's mm has run on a CPU");
}
#endif

int pb_kshadow_geometry(unsigned int *page_shift, unsigned int *cont_shift,
			const char **why)
{
	*page_shift = PAGE_SHIFT;
	*cont_shift = ilog2(CONT_PTES);
	return 0;
}

int pb_kshadow_create(unsigned int page_shift, unsigned int cont_shift,
		      struct pb_kshadow **out, const char **why)
{
	struct pb_kshadow *ks;

	if (page_shift != PAGE_SHIFT) {
		*why = "the mm's granule is not the kernel's PAGE_SIZE";
		return -EOPNOTSUPP;
	}
	if ((1U << cont_shift) != CONT_PTES) {
		*why = "the mm's CONT_PTES is not the kernel's";
		return -EOPNOTSUPP;
	}
	ks = pb_zalloc(sizeof(*ks));
	if (!ks)
		goto nomem;
	ks->mm_size = sizeof(*ks->mm) + cpumask_size();
	ks->mm = pb_zalloc(ks->mm_size);
	/* A page of its own: PTRS_PER_PTE entries, aligned as a table is. */
	ks->table = pb_vzalloc(PAGE_SIZE);
	if (!ks->mm || !ks->table) {
		pb_kshadow_destroy(ks);
		goto nomem;
	}
	ks->vma.vm_mm = ks->mm;
	*out = ks;
	return 0;
nomem:
	*why = "out of memory for the shadow table";
	return -ENOMEM;
}

void pb_kshadow_destroy(struct pb_kshadow *ks)
{
	if (!ks)
		return;
	pb_vfree(ks->table, PAGE_SIZE);
	pb_free(ks->mm, ks->mm_size);
	pb_free(ks, sizeof(*ks));
}

int pb_kshadow_folio_alloc(unsigned int order, u64 *real_head, void **cookie)
{
	struct folio *folio;

	if (order > MAX_PAGE_ORDER)
		return -ENOMEM;
	/* Real memory: within the module's budget, as pb_zalloc()'s. */
	if (!pb_budget_charge(PAGE_SIZE << order))
		return -ENOMEM;
	/* As pb_zalloc(): fail under pressure rather than wake the OOM killer. */
	folio = folio_alloc(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN,
			    order);
	if (!folio) {
		pb_budget_uncharge(PAGE_SIZE << order);
		return -ENOMEM;
	}
	*real_head = folio_pfn(folio);
	*cookie = folio;
	pb_count(PB_CNT_live_kernel_folios, 1);
	return 0;
}

void pb_kshadow_folio_free(void *cookie)
{
	struct folio *folio = cookie;

	pb_budget_uncharge(folio_size(folio));
	folio_put(folio);
	pb_count(PB_CNT_live_kernel_folios, -1);
}

/* PTE_MAYBE_SHARED: SH where it is a descriptor field, nothing with LPA2. */
u64 pb_kshadow_mkpte(u64 pfn, u64 attrs, bool has_pfn)
{
	if (!has_pfn)
		return attrs;
	return pte_val(pfn_pte(pfn, __pgprot(attrs | PTE_MAYBE_SHARED)));
}

void pb_kshadow_view(u64 val, struct pb_kview *v)
{
	pte_t pte = __pte(val);

	v->has_pfn = pte_present(pte);
	v->pfn = v->has_pfn ? pte_pfn(pte) : 0;
	if (v->has_pfn)
		val ^= pte_val(pfn_pte(v->pfn, __pgprot(0)));
	v->attrs = val & ~PB_KDESC_IGNORED;
}

void pb_kshadow_write(struct pb_kshadow *ks, unsigned int idx, u64 val)
{
	WRITE_ONCE(ks->table[idx], __pte(val));
}

u64 pb_kshadow_read(struct pb_kshadow *ks, unsigned int idx)
{
	return pte_val(READ_ONCE(ks->table[idx]));
}

/*
 * ptep_set_access_flags() (asm/pgtable.h) hands a non-contiguous entry to
 * __ptep_set_access_flags() (arch/arm64/mm/fault.c), which is not exported.
 * So only the contiguous branch is the kernel's code; the other is the
 * module's statement of it: nothing to do if the entry equals @entry, else
 * add AF, write and dirty, RDONLY taking the more permissive of the two,
 * and report a change.
 */
static int pb_kshadow_set_access_flags(struct pb_kshadow *ks,
				       unsigned long addr, pte_t *ptep,
				       pte_t entry, int dirty)
{
	pte_t orig = __ptep_get(ptep);
	pteval_t bits, val;

	entry = pte_mknoncont(entry);
	if (pte_valid_cont(orig))
		return contpte_ptep_set_access_flags(&ks->vma, addr, ptep, entry,
						     dirty);
	if (pte_same(orig, entry))
		return 0;
	bits = pte_val(entry) & (PTE_RDONLY | PTE_AF | PTE_WRITE | PTE_DIRTY);
	val = ((pte_val(orig) ^ PTE_RDONLY) | (bits ^ PTE_RDONLY)) ^ PTE_RDONLY;
	WRITE_ONCE(*ptep, __pte(val));
	if (dirty)
		flush_tlb_page(&ks->vma, addr);
	return 1;
}

u64 pb_kshadow_call(struct pb_kshadow *ks, const struct pb_kcall *c)
{
	unsigned long addr = c->va;
	pte_t *ptep = ks->table + ((addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1));
	struct mm_struct *mm = ks->mm;
	cydp_t flags = 0;

	switch (c->op) {
	case PB_KH_set_ptes:
		set_ptes(mm, addr, ptep, __pte(c->pte), c->nr);
		return 0;
	case PB_KH_ptep_get:
		return pte_val(ptep_get(ptep));
	case PB_KH_ptep_get_and_clear:
		return pte_val(ptep_get_and_clear(mm, addr, ptep));
	case PB_KH_get_and_clear_full_ptes:
		return pte_val(get_and_clear_full_ptes(mm, addr, ptep, c->nr, 1));
	case PB_KH_clear_full_ptes:
		clear_full_ptes(mm, addr, ptep, c->nr, 1);
		return 0;
	/*
	 * get_and_clear_ptes() and clear_ptes() (include/linux/pgtable.h,
	 * 6.17) are the full forms with full == 0; 6.12 has neither, but its
	 * full forms take the argument.
	 */
	case PB_KH_get_and_clear_ptes:
		return pte_val(get_and_clear_full_ptes(mm, addr, ptep, c->nr, 0));
	case PB_KH_clear_ptes:
		clear_full_ptes(mm, addr, ptep, c->nr, 0);
		return 0;
	case PB_KH_wrprotect_ptes:
		wrprotect_ptes(mm, addr, ptep, c->nr);
		return 0;
	case PB_KH_ptep_test_and_clear_young:
		return ptep_test_and_clear_young(&ks->vma, addr, ptep);
	case PB_KH_ptep_clear_flush_young:
		return ptep_clear_flush_young(&ks->vma, addr, ptep);
	case PB_KH_ptep_set_access_flags:
		return pb_kshadow_set_access_flags(ks, addr, ptep, __pte(c->pte),
						   c->dirty);
	case PB_KH_clear_young_dirty_ptes:
		if (c->young)
			flags |= CYDP_CLEAR_YOUNG;
		if (c->dirty)
			flags |= CYDP_CLEAR_DIRTY;
		clear_young_dirty_ptes(&ks->vma, addr, ptep, c->nr, flags);
		return 0;
	case PB_NR_KHELPERS:
		break;
	}
	WARN_ON_ONCE(1);
	return 0;
}

#else /* !(CONFIG_ARM64 && CONFIG_ARM64_CONTPTE) */

/* Without contpte there is nothing to run: every entry point refuses. */
int pb_kshadow_geometry(unsigned int *page_shift, unsigned int *cont_shift,
			const char **why)
{
	*why = "the running kernel has no contpte (CONFIG_ARM64_CONTPTE)";
	return -EOPNOTSUPP;
}

int pb_kshadow_create(unsigned int page_shift, unsigned int cont_shift,
		      struct pb_kshadow **out, const char **why)
{
	*why = "the running kernel has no contpte (CONFIG_ARM64_CONTPTE)";
	return -EOPNOTSUPP;
}

void pb_kshadow_destroy(struct pb_kshadow *ks)
{
}

int pb_kshadow_folio_alloc(unsigned int order, u64 *real_head, void **cookie)
{
	return -EOPNOTSUPP;
}

void pb_kshadow_folio_free(void *cookie)
{
}

u64 pb_kshadow_mkpte(u64 pfn, u64 attrs, bool has_pfn)
{
	return 0;
}

void pb_kshadow_view(u64 val, struct pb_kview *v)
{
	memset(v, 0, sizeof(*v));
}

void pb_kshadow_write(struct pb_kshadow *ks, unsigned int idx, u64 val)
{
}

u64 pb_kshadow_read(struct pb_kshadow *ks, unsigned int idx)
{
	return 0;
}

u64 pb_kshadow_call(struct pb_kshadow *ks, const struct pb_kcall *c)
{
	return 0;
}

#endif
