// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the ctl commands that call one contpte helper directly, with what
 * its caller in core mm would do around it (a flush, zap's bookkeeping).
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/overflow.h>

#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/tlb.h"
#include "arch/contpte.h"
#include "paths/gather.h"
#include "paths/zap.h"
#include "iface/cmd_helpers.h"
#include "iface/format.h"
#include "iface/parse.h"
#include "iface/report.h"
#include "iface/session.h"

/*
 * @nr entries from @va, as a helper takes them: page aligned, inside one VMA
 * and one last-level table, whose entry pointer is returned.
 */
static int pb_arg_ptes(struct pb_args *a, struct pb_mm *mm, u64 *vap,
		       unsigned int *nrp, pb_pte_t **ptepp)
{
	const struct pb_geom *g = &mm->geom;
	u64 va, nr, end;
	struct pb_vma *vma;
	pb_pte_t *ptep;
	int ret;

	/* One entry for the commands that take no nr. */
	nr = 1;
	ret = pb_arg_u64(a, "va", &va);
	if (!ret && pb_arg_given(a, "nr"))
		ret = pb_arg_u64(a, "nr", &nr);
	if (ret)
		return ret;
	if (va & (pb_page_size(g) - 1))
		return pb_err(a, "va 0x%llx is not page aligned", va);
	if (!nr || nr > pb_ptrs_per_table(g))
		return pb_err(a, "nr must be within 1..%u", pb_ptrs_per_table(g));
	if (check_add_overflow(va, nr << g->page_shift, &end))
		return pb_err(a, "va + nr overflows");
	vma = pb_vma_find(mm, va);
	if (!vma || end > vma->end)
		return pb_err(a, "range 0x%llx-0x%llx is not inside one VMA", va, end);
	if (pb_pmd_addr_end(mm, va, end) != end)
		return pb_err(a, "range 0x%llx-0x%llx crosses a page table", va, end);
	ptep = pb_pte_offset(mm, va, false);
	if (!ptep && pb_pmd_offset(mm, va) && pb_pmd_leaf(*pb_pmd_offset(mm, va)))
		return pb_err(a, "0x%llx is mapped by a PMD, which has no PTEs", va);
	if (!ptep)
		return pb_err(a, "nothing mapped at 0x%llx (no page table)", va);
	*vap = va;
	*nrp = nr;
	*ptepp = ptep;
	return 0;
}

int pb_cmd_ptep_get(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep, pte;
	char flags[96];
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep);
	if (ret)
		return ret;
	pte = pb_ptep_get(mm, va, ptep);
	pb_pte_flags_str(pte, flags, sizeof(flags));
	pb_reply_printf(&a->s->reply,
			"pte 0x%016llx\nraw 0x%016llx\npfn 0x%llx\nflags %s\n"
			"dirty %d\nyoung %d\nwrite %d\n", pte, *ptep,
			pb_pte_pfn(&mm->geom, pte), flags, pb_pte_dirty(pte),
			pb_pte_young(pte), pb_pte_write(pte));
	return 0;
}

int pb_cmd_wrprotect(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep);
	if (ret)
		return ret;
	pb_wrprotect_ptes(mm, va, ptep, nr);
	/* The caller's flush, as fork's flush_tlb_mm() or an mmu_gather. */
	if (!pb_mutation(mm, PB_KNOB_skip_wrprotect_flush))
		pb_flush_tlb_range(mm, va, va + ((u64)nr << mm->geom.page_shift));
	return pb_mm_done(a, mm, 0);
}

/* The @nr entries at @ptep must map consecutive pages of one folio. */
static int pb_arg_folio_run(struct pb_args *a, struct pb_mm *mm,
			    pb_pte_t *ptep, unsigned int nr)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_page *head;
	unsigned int i;
	u64 pfn, head_pfn;

	if (!pb_pte_present(*ptep))
		return pb_err(a, "no present entry at va");
	pfn = pb_pte_pfn(g, *ptep);
	head = pb_page_folio(mm->phys, pfn, &head_pfn);
	if (!head || pfn + nr > head_pfn + (1ULL << head->order))
		return pb_err(a, "the entries must map consecutive pages of one folio");
	for (i = 1; i < nr; i++)
		if (!pb_pte_present(ptep[i]) || pb_pte_pfn(g, ptep[i]) != pfn + i)
			return pb_err(a, "the entries must map consecutive pages of one folio");
	return 0;
}

/*
 * get_and_clear_full_ptes / clear_full_ptes, or with full=0 mainline's
 * get_and_clear_ptes / clear_ptes, with zap's bookkeeping.
 */
static int pb_cmd_clear(struct pb_args *a, bool get)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep, pte;
	u64 va, pfn;
	char flags[96];
	bool dirty, full;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep);
	if (!ret)
		ret = pb_arg_bool(a, "full", &full);
	if (!ret && !full && mm->profile == PB_PROFILE_6_12)
		ret = pb_err(a, "full=0 is %s, which kernel 6.12 does not have",
			     get ? "get_and_clear_ptes()" : "clear_ptes()");
	if (!ret)
		ret = pb_arg_folio_run(a, mm, ptep, nr);
	if (ret)
		return ret;
	pfn = pb_pte_pfn(&mm->geom, *ptep);
	dirty = false;
	if (get) {
		pte = full ? pb_get_and_clear_full_ptes(mm, va, ptep, nr) :
			     pb_get_and_clear_ptes(mm, va, ptep, nr);
		pb_pte_flags_str(pte, flags, sizeof(flags));
		pb_reply_printf(&a->s->reply, "pte 0x%016llx\nflags %s\ndirty %d\nyoung %d\n",
				pte, flags, pb_pte_dirty(pte), pb_pte_young(pte));
		dirty = pb_pte_dirty(pte);
	} else if (full) {
		pb_clear_full_ptes(mm, va, ptep, nr);
	} else {
		pb_clear_ptes(mm, va, ptep, nr);
	}
	pb_zap_folio_ptes_cleared(mm, va, pfn, nr, dirty);
	pb_gather_finish(mm);
	return pb_mm_done(a, mm, 0);
}

int pb_cmd_get_and_clear(struct pb_args *a)
{
	return pb_cmd_clear(a, true);
}

int pb_cmd_clear_full(struct pb_args *a)
{
	return pb_cmd_clear(a, false);
}

int pb_cmd_young(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep;
	bool flush, young;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep);
	if (!ret)
		ret = pb_arg_bool(a, "flush", &flush);
	if (ret)
		return ret;
	young = flush ? pb_ptep_clear_flush_young(mm, va, ptep) :
			pb_ptep_test_and_clear_young(mm, va, ptep);
	pb_reply_printf(&a->s->reply, "young %d\n", young);
	return pb_mm_done(a, mm, 0);
}

int pb_cmd_set_access_flags(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep, entry;
	bool write, changed;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep);
	if (!ret)
		ret = pb_arg_bool(a, "write", &write);
	if (ret)
		return ret;
	if (!pb_pte_valid(*ptep))
		return pb_err(a, "no valid entry at 0x%llx", va);
	if (write && !(pb_vma_find(mm, va)->flags & PB_VM_WRITE))
		return pb_err(a, "write=1 in a VMA without write");
	/* What a fault handler asks for: young, and writable dirty on write. */
	entry = pb_pte_mkyoung(pb_ptep_get(mm, va, ptep) & ~PB_PTE_CONT);
	if (write)
		entry = pb_pte_mkdirty(pb_pte_mkwrite(entry));
	changed = pb_ptep_set_access_flags(mm, va, ptep, entry, write);
	pb_reply_printf(&a->s->reply, "changed %d\n", changed);
	return pb_mm_done(a, mm, 0);
}

int pb_cmd_clear_young_dirty(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep;
	bool young, dirty;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep);
	if (!ret)
		ret = pb_arg_bool(a, "young", &young);
	if (!ret)
		ret = pb_arg_bool(a, "dirty", &dirty);
	if (ret)
		return ret;
	if (!young && !dirty)
		return pb_err(a, "nothing to clear: young=0 dirty=0");
	pb_clear_young_dirty_ptes(mm, va, ptep, nr, young, dirty);
	pb_flush_tlb_range(mm, va & ~(pb_cont_size(&mm->geom) - 1),
			   ALIGN(va + ((u64)nr << mm->geom.page_shift),
				 pb_cont_size(&mm->geom)));
	return pb_mm_done(a, mm, 0);
}

int pb_cmd_fold(struct pb_args *a)
{
	const char *why;
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep);
	if (ret)
		return ret;
	if (!mm->knobs[PB_KNOB_contpte])
		return pb_err(a, "fold: contpte is off for this mm");
	if (pb_pte_valid_cont(*ptep))
		return pb_err(a, "fold: block at 0x%llx is already folded", va);
	why = pb_contpte_foldable(mm, va, ptep);
	if (why)
		return pb_err(a, "fold: block at 0x%llx cannot fold: %s", va, why);
	pb_contpte_fold(mm, va, ptep);
	return pb_mm_done(a, mm, 0);
}

int pb_cmd_unfold(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep);
	if (ret)
		return ret;
	if (!pb_pte_valid_cont(*ptep))
		return pb_err(a, "unfold: no folded block at 0x%llx", va);
	pb_contpte_try_unfold(mm, va, ptep, *ptep);
	return pb_mm_done(a, mm, 0);
}
