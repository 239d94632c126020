// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the simulated CPU.  User accesses go through the TLB model; a
 * miss walks the table and makes the hardware's access-flag and dirty-state
 * updates (FEAT_HAFDBS), on one entry of a contiguous block.
 */
#include <linux/kernel.h>
#include <linux/errno.h>

#include "model/cpu.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/report.h"
#include "model/shadow.h"
#include "model/tlb.h"

static unsigned int pb_ad_target(struct pb_mm *mm, u64 va)
{
	unsigned int cont = pb_cont_ptes(&mm->geom);

	switch (mm->knobs[PB_KNOB_ad_policy]) {
	case PB_AD_FIRST:
		return 0;
	case PB_AD_LAST:
		return cont - 1;
	case PB_AD_RANDOM:
		/* xorshift64, seeded by the seed knob. */
		if (!mm->rng)
			mm->rng = mm->knobs[PB_KNOB_seed] | 1;
		mm->rng ^= mm->rng << 13;
		mm->rng ^= mm->rng >> 7;
		mm->rng ^= mm->rng << 17;
		return mm->rng & (cont - 1);
	default:
		return (va >> mm->geom.page_shift) & (cont - 1);
	}
}

/* The hardware A/D update of a walk (FEAT_HAFDBS): AF, and DBM's dirty. */
static pb_pte_t pb_hw_update_ad(struct pb_mm *mm, pb_pte_t pte, bool write)
{
	if (!pb_pte_young(pte)) {
		pte |= PB_PTE_AF;
		pb_mm_count(mm, PB_MMC_hw_af_updates, 1);
	}
	if (write && (pte & PB_PTE_RDONLY)) {
		pte &= ~PB_PTE_RDONLY;
		pb_mm_count(mm, PB_MMC_hw_dirty_updates, 1);
	}
	return pte;
}

/*
 * A user access at @va, as a CPU with FEAT_HAFDBS makes it: through the TLB
 * first; on a miss, a walk that faults or sets AF and, for a write through a
 * DBM entry, clears RDONLY.  For a contiguous block the update lands on the
 * entry the ad_policy knob picks.  Returns 0 or -EFAULT (a fault).  @val is
 * written, or read back, when the arena has backing pages.
 */
int pb_access(struct pb_mm *mm, u64 va, bool write, u64 *val)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_tlb_entry *e = pb_tlb_lookup(mm, va);
	pb_pte_t *ptep = pb_pte_offset(mm, va, false), pte, cur;
	pb_pte_t *pmdp = ptep || !mm->had_pmd_leaf ? NULL : pb_pmd_offset(mm, va);
	unsigned int cont = pb_cont_ptes(g);
	u64 pfn, head_pfn, idx = 0;
	struct pb_page *head;
	void *data;

	pb_mm_count(mm, PB_MMC_accesses, 1);
	if (pmdp && !pb_pmd_leaf(*pmdp))
		pmdp = NULL;
	cur = ptep ? *ptep : 0;
	/* Under a PMD leaf: the page's view of the block. */
	if (pmdp) {
		idx = (va >> g->page_shift) & (pb_ptrs_per_table(g) - 1);
		cur = pb_pte_advance(g, pb_pmd_to_pte(*pmdp), idx, false);
	}
	if (e && (!write || !(e->pte & PB_PTE_RDONLY))) {
		pb_mm_count(mm, PB_MMC_tlb_hits, 1);
		pte = e->pte;
		/* What the TLB allows must be what the table says now. */
		pfn = pb_pte_pfn(g, pte);
		if (e->block)
			pfn += (va >> g->page_shift) & (cont - 1);
		else if (e->pmd)
			pfn += (va >> g->page_shift) & (pb_ptrs_per_table(g) - 1);
		if (!pb_pte_valid(cur) || pb_pte_pfn(g, cur) != pfn ||
		    (write && (cur & PB_PTE_RDONLY) && !(cur & PB_PTE_DBM))) {
			if (write)
				pb_mm_count(mm, PB_MMC_stale_tlb_writes, 1);
			pb_violation(mm, PB_V_stale_tlb, va, pte, cur);
		}
	} else {
		pb_pte_t *target;
		u64 base;

		pb_mm_count(mm, PB_MMC_tlb_misses, 1);
		if (!pb_pte_valid(cur) || !(cur & PB_PTE_USER) ||
		    (write && (cur & PB_PTE_RDONLY) && !(cur & PB_PTE_DBM))) {
			pb_mm_count(mm, PB_MMC_faults, 1);
			return -EFAULT;
		}
		if (pmdp) {
			/* A PMD block: one descriptor, one TLB entry. */
			base = va & ~(pb_pmd_size(g) - 1);
			pte = pb_hw_update_ad(mm, *pmdp, write);
			if (pte != *pmdp)
				pb_write_pmd(mm, base, pmdp, pte);
			pb_tlb_fill_pmd(mm, va, pte);
			pfn = pb_pte_pfn(g, cur);
			goto mapped;
		}
		target = ptep;
		base = va;
		if (pb_pte_cont(cur)) {
			unsigned int idx = (va >> g->page_shift) & (cont - 1);
			unsigned int t = pb_ad_target(mm, va);

			target = ptep - idx + t;
			base = (va & ~(pb_cont_size(g) - 1)) + ((u64)t << g->page_shift);
		}
		pte = pb_hw_update_ad(mm, *target, write);
		if (pte != *target)
			pb_write_pte(mm, base, target, pte);
		/* The TLB holds the translation the walk produced. */
		pte = pb_pfn_pte(g, pb_pte_pfn(g, cur), (cur | PB_PTE_AF) &
				 ~(write ? PB_PTE_RDONLY : 0));
		pb_tlb_fill(mm, va, pb_pte_cont(cur) ?
			    pb_pfn_pte(g, pb_pte_pfn(g, pte) & ~((u64)cont - 1), pte) : pte);
		pfn = pb_pte_pfn(g, cur);
	}
mapped:
	head = pb_page_folio(mm->phys, pfn, &head_pfn);
	if (!head) {
		/* No folio: the zero page (or a special mapping) reads 0. */
		if (val && !write)
			*val = 0;
		return 0;
	}
	if (write)
		head[pfn - head_pfn].flags |= PB_PG_HW_DIRTIED;
	data = pb_page_data(mm->phys, pfn);
	if (data && val) {
		u64 *word = data + (va & (pb_page_size(g) - 8));

		if (write)
			*word = *val;
		else
			*val = *word;
	}
	return 0;
}
