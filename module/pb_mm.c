// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: a private mm: creation and teardown, VMAs, population, unmapping,
 * the rmap bookkeeping and simulated CPU accesses.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "pb_model.h"

const char *const pb_mm_counter_names[PB_NR_MM_COUNTERS] = {
	[PB_MMC_pte_writes] = "pte_writes",
	[PB_MMC_folds] = "folds",
	[PB_MMC_fold_attempts] = "fold_attempts",
	[PB_MMC_unfolds] = "unfolds",
	[PB_MMC_converts] = "converts",
	[PB_MMC_wrprotect_whole_blocks] = "wrprotect_whole_blocks",
	[PB_MMC_wrprotect_partial_blocks] = "wrprotect_partial_blocks",
	[PB_MMC_tlbi_page] = "tlbi_page",
	[PB_MMC_tlbi_range] = "tlbi_range",
	[PB_MMC_tlbi_mm] = "tlbi_mm",
	[PB_MMC_tlbi_skipped_bbml2] = "tlbi_skipped_bbml2",
	[PB_MMC_gather_flushes] = "gather_flushes",
	[PB_MMC_gather_forced_flushes] = "gather_forced_flushes",
	[PB_MMC_tlb_hits] = "tlb_hits",
	[PB_MMC_tlb_misses] = "tlb_misses",
	[PB_MMC_tlb_fills] = "tlb_fills",
	[PB_MMC_accesses] = "accesses",
	[PB_MMC_faults] = "faults",
	[PB_MMC_hw_af_updates] = "hw_af_updates",
	[PB_MMC_hw_dirty_updates] = "hw_dirty_updates",
	[PB_MMC_stale_tlb_writes] = "stale_tlb_writes",
	[PB_MMC_refcount_atomics] = "refcount_atomics",
	[PB_MMC_mapcount_atomics] = "mapcount_atomics",
	[PB_MMC_pt_pages] = "pt_pages",
	[PB_MMC_folios_mapped] = "folios_mapped",
	[PB_MMC_deferred_split_adds] = "deferred_split_adds",
	[PB_MMC_deferred_split_spurious] = "deferred_split_spurious",
	[PB_MMC_ptes_copied] = "ptes_copied",
	[PB_MMC_fork_batches] = "fork_batches",
	[PB_MMC_batch_size_1] = "batch_size_1",
	[PB_MMC_batch_size_small] = "batch_size_small",
	[PB_MMC_batch_size_cont] = "batch_size_cont",
	[PB_MMC_batch_size_large] = "batch_size_large",
	[PB_MMC_batch_size_pmd] = "batch_size_pmd",
	[PB_MMC_pinned_fallbacks] = "pinned_fallbacks",
	[PB_MMC_zap_batches] = "zap_batches",
	[PB_MMC_mprotect_batches] = "mprotect_batches",
	[PB_MMC_read_faults] = "read_faults",
	[PB_MMC_write_faults] = "write_faults",
	[PB_MMC_write_faults_avoided] = "write_faults_avoided",
	[PB_MMC_write_upgrades_denied] = "write_upgrades_denied",
	[PB_MMC_wp_reuses] = "wp_reuses",
	[PB_MMC_cow_copies] = "cow_copies",
	[PB_MMC_uffd_wp_faults] = "uffd_wp_faults",
	[PB_MMC_segv] = "segv",
	[PB_MMC_checks] = "checks",
	[PB_MMC_violations] = "violations",
	[PB_MMC_violations_misprogrammed] = "violations_misprogrammed",
	[PB_MMC_violations_bbm] = "violations_bbm",
	[PB_MMC_violations_refcount] = "violations_refcount",
	[PB_MMC_violations_mapcount] = "violations_mapcount",
	[PB_MMC_violations_freed] = "violations_freed",
	[PB_MMC_violations_dirty_lost] = "violations_dirty_lost",
	[PB_MMC_violations_stale_tlb] = "violations_stale_tlb",
};

atomic64_t pb_mm_totals[PB_NR_MM_COUNTERS];

const struct pb_knob_desc pb_knobs[PB_NR_KNOBS] = {
	[PB_KNOB_contpte] = { "contpte", 1, 1,
		"use the contpte layer (0: plain per-PTE helpers)" },
	[PB_KNOB_autofold] = { "autofold", 1, 1,
		"fold a block on set_ptes(nr==1) of its last entry" },
	[PB_KNOB_bbml2] = { "bbml2", 0, 1,
		"BBML2_NOABORT: skip the TLBI between clear and set in convert" },
	[PB_KNOB_check] = { "check", 1, 1,
		"run the checker after every command" },
	[PB_KNOB_ad_policy] = { "ad_policy", 0, PB_AD_RANDOM,
		"entry a hardware A/D update lands on: 0 accessed, 1 first, 2 last, 3 random" },
	[PB_KNOB_seed] = { "seed", 1, U64_MAX - 1,
		"seed of the random A/D policy" },
	[PB_KNOB_gather_capacity] = { "gather_capacity", 64, PB_GATHER_MAX,
		"pages an mmu_gather holds before a forced flush" },
	[PB_KNOB_naive_pfn_step] = { "naive_pfn_step", 0, 1,
		"mutation: step PFNs by adding a granule to the descriptor" },
	[PB_KNOB_skip_wrprotect_flush] = { "skip_wrprotect_flush", 0, 1,
		"mutation: no TLB flush after a whole-block wrprotect" },
	[PB_KNOB_partial_wrprotect_no_unfold] = { "partial_wrprotect_no_unfold", 0, 1,
		"mutation: wrprotect part of a block without unfolding" },
	[PB_KNOB_skip_ad_gather] = { "skip_ad_gather", 0, 1,
		"mutation: ptep_get and convert do not gather A/D" },
	[PB_KNOB_batch] = { "batch", 1, 1,
		"batched fork, zap and mprotect (0: one PTE at a time)" },
	[PB_KNOB_fault_order] = { "fault_order", 0, PB_MAX_ORDER,
		"order of the folio a fault on an empty entry tries first" },
	[PB_KNOB_mprotect_upgrade] = { "mprotect_upgrade", 1, 1,
		"mprotect makes PTEs writable where can_change_pte_writable() allows" },
};

/*
 * An empty mm of geometry @g on arena @phys, with the default knobs.  The
 * caller sets what differs (check, or a parent's knobs).
 */
struct pb_mm *pb_mm_alloc(const struct pb_geom *g, struct pb_phys *phys,
			  u32 id)
{
	struct pb_mm *mm;
	int i;

	if (phys->nr_mms == PB_MAX_MMS)
		return ERR_PTR(-ENOSPC);
	mm = pb_zalloc(sizeof(*mm));
	if (!mm)
		return ERR_PTR(-ENOMEM);
	mm->geom = *g;
	mm->id = id;
	for (i = 0; i < PB_NR_KNOBS; i++)
		mm->knobs[i] = pb_knobs[i].def;
	mm->gather_start = U64_MAX;
	if (pb_tlb_init(&mm->tlb))
		goto free_mm;
	mm->gather_puts = pb_zalloc(PB_GATHER_MAX * sizeof(*mm->gather_puts));
	if (!mm->gather_puts)
		goto free_tlb;
	mm->phys = phys;
	if (pb_pgd_alloc(mm))
		goto free_gather;
	pb_phys_attach(phys, mm);
	pb_count(PB_CNT_live_mms, 1);
	return mm;

free_gather:
	pb_free(mm->gather_puts, PB_GATHER_MAX * sizeof(*mm->gather_puts));
free_tlb:
	pb_tlb_destroy(&mm->tlb);
free_mm:
	pb_free(mm, sizeof(*mm));
	return ERR_PTR(-ENOMEM);
}

struct pb_mm *pb_mm_create(const struct pb_mm_params *params, u32 id,
			   const char **why)
{
	struct pb_phys *phys;
	struct pb_geom g;
	struct pb_mm *mm;
	int ret;

	ret = pb_geom_init(&g, params->page_kb, params->va_bits,
			   params->pa_bits, why);
	if (ret)
		return ERR_PTR(ret);
	phys = pb_phys_create(&g, params->base_pfn, params->arena_pages,
			      params->backing);
	if (IS_ERR(phys)) {
		*why = PTR_ERR(phys) == -ENOMEM ? "out of memory" :
		       "arena does not fit the physical address size";
		return ERR_CAST(phys);
	}
	mm = pb_mm_alloc(&g, phys, id);
	if (IS_ERR(mm)) {
		*why = "out of memory";
		pb_phys_detach(phys, NULL);
		return mm;
	}
	mm->knobs[PB_KNOB_check] = params->check;
	mm->shadowed = params->check;
	return mm;
}

void pb_mm_destroy(struct pb_mm *mm)
{
	unsigned int i;

	for (i = 0; i < mm->nr_vmas; i++)
		pb_zap_range(mm, mm->vmas[i].start, mm->vmas[i].end);
	for (i = 0; i < PB_NR_MM_COUNTERS; i++)
		atomic64_add(mm->counters[i], &pb_mm_totals[i]);
	pb_pgd_free(mm);
	pb_free(mm->gather_puts, PB_GATHER_MAX * sizeof(*mm->gather_puts));
	pb_tlb_destroy(&mm->tlb);
	pb_phys_detach(mm->phys, mm);
	pb_free(mm, sizeof(*mm));
	pb_count(PB_CNT_live_mms, -1);
}

/* --- VMAs -------------------------------------------------------------------- */

struct pb_vma *pb_vma_find(struct pb_mm *mm, u64 va)
{
	unsigned int i;

	for (i = 0; i < mm->nr_vmas; i++)
		if (va >= mm->vmas[i].start && va < mm->vmas[i].end)
			return &mm->vmas[i];
	return NULL;
}

int pb_vma_add(struct pb_mm *mm, u64 start, u64 end, u32 flags,
	       const char **why)
{
	u64 psize = pb_page_size(&mm->geom);
	unsigned int i;

	if ((start | end) & (psize - 1)) {
		*why = "start and len must be multiples of the page size";
		return -EINVAL;
	}
	if (start >= end || end > (1ULL << mm->geom.va_bits)) {
		*why = "range is empty or beyond the VA size";
		return -EINVAL;
	}
	if ((flags & PB_VM_WRITE) && !(flags & PB_VM_READ)) {
		*why = "a writable VMA must be readable";
		return -EINVAL;
	}
	for (i = 0; i < mm->nr_vmas; i++) {
		if (start < mm->vmas[i].end && end > mm->vmas[i].start) {
			*why = "range overlaps an existing VMA";
			return -EINVAL;
		}
	}
	if (mm->nr_vmas == PB_MAX_VMAS) {
		*why = "too many VMAs";
		return -ENOSPC;
	}
	mm->vmas[mm->nr_vmas].start = start;
	mm->vmas[mm->nr_vmas].end = end;
	mm->vmas[mm->nr_vmas].flags = flags;
	mm->nr_vmas++;
	return 0;
}

/* --- rmap ------------------------------------------------------------------------ */

void pb_rmap_add(struct pb_mm *mm, u64 pfn, unsigned int nr, bool exclusive)
{
	u64 head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);
	struct pb_page *page = head + (pfn - head_pfn);
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (page[i].mapcount++ == 0 && head->order)
			pb_nr_pages_mapped(head)++;
		if (exclusive)
			page[i].flags |= PB_PG_ANON_EXCLUSIVE;
	}
	head->large_mapcount += nr;
	pb_mm_count(mm, PB_MMC_mapcount_atomics, 1);
}

/*
 * A large anon folio left partly mapped is queued for deferred split.  Taking
 * a whole folio away in one call never queues it; one page at a time queues it
 * on the first page, spuriously when the rest follow.
 */
void pb_rmap_remove(struct pb_mm *mm, u64 pfn, unsigned int nr)
{
	u64 head_pfn;
	struct pb_page *head = pb_page_folio(mm->phys, pfn, &head_pfn);
	struct pb_page *page = head + (pfn - head_pfn);
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (--page[i].mapcount)
			continue;
		/* Unmapped everywhere: what the hardware wrote is gone or saved. */
		page[i].flags &= ~PB_PG_HW_DIRTIED;
		if (head->order)
			pb_nr_pages_mapped(head)--;
	}
	head->large_mapcount -= nr;
	pb_mm_count(mm, PB_MMC_mapcount_atomics, 1);
	/* Queued while partly mapped, now wholly unmapped: it was for nothing. */
	if ((head->flags & PB_PG_DEFERRED) && head->order &&
	    !pb_nr_pages_mapped(head))
		pb_mm_count(mm, PB_MMC_deferred_split_spurious, 1);
	if (head->order && (head->flags & PB_PG_ANON) &&
	    !(head->flags & PB_PG_DEFERRED) && pb_nr_pages_mapped(head) &&
	    pb_nr_pages_mapped(head) < (1U << head->order)) {
		pb_deferred_add(mm->phys, head_pfn);
		pb_mm_count(mm, PB_MMC_deferred_split_adds, 1);
	}
}

/* --- Population ------------------------------------------------------------------ */

/* The descriptor attributes of a new mapping in @vma. */
pb_pte_t pb_vma_prot(const struct pb_mm *mm, const struct pb_vma *vma,
		     bool write)
{
	pb_pte_t prot = PB_PTE_VALID | PB_PTE_TABLE | PB_PTE_USER | PB_PTE_AF |
			PB_PTE_NG | PB_PTE_PXN | PB_PTE_UXN | PB_ATTR_NORMAL;

	/* With LPA2, bits [9:8] hold OA[51:50] and shareability is in TCR. */
	if (!mm->geom.lpa2)
		prot |= PB_ATTR_SH_INNER;
	/* A new mapping is soft-dirty: it changed since any clear_refs. */
	prot |= PB_PTE_SOFT_DIRTY | PB_PTE_RDONLY;
	/* A private file mapping stays read-only: writes copy. */
	if (write && (vma->flags & (PB_VM_ANON | PB_VM_SHARED)))
		prot = pb_pte_mkdirty(pb_pte_mkwrite(prot));
	return prot;
}

static bool pb_range_empty(struct pb_mm *mm, u64 start, u64 end, u64 *busy)
{
	u64 va, psize = pb_page_size(&mm->geom);

	for (va = start; va < end; va += psize) {
		pb_pte_t *ptep = pb_pte_offset(mm, va, false);

		if (!ptep) {
			va = pb_pmd_addr_end(mm, va, end) - psize;
			continue;
		}
		if (*ptep) {
			*busy = va;
			return false;
		}
	}
	return true;
}

/*
 * Map [start, end) of one VMA with new folios of @order, as write faults
 * would: one set_ptes() per folio, or with @per_pte one set_ptes(nr == 1) per
 * page from low to high, which folds each block on its last entry.  On
 * failure nothing stays mapped.
 */
int pb_populate(struct pb_mm *mm, u64 start, u64 end, unsigned int order,
		bool per_pte, const char **why)
{
	const struct pb_geom *g = &mm->geom;
	u64 fsize = pb_page_size(g) << order, va, busy;
	struct pb_vma *vma = pb_vma_find(mm, start);
	bool write;
	int ret;

	if (!vma || end > vma->end) {
		*why = "range is not inside one VMA";
		return -EINVAL;
	}
	if (order > pb_pmd_order(g)) {
		*why = "order is larger than the PMD order of the granule";
		return -EINVAL;
	}
	if ((start | end) & (fsize - 1)) {
		*why = "start and len must be multiples of the folio size";
		return -EINVAL;
	}
	if (!pb_range_empty(mm, start, end, &busy)) {
		*why = "range is already populated";
		return -EINVAL;
	}
	ret = pb_pgtable_prealloc(mm, start, end);
	if (ret) {
		*why = "out of memory for page tables";
		return ret;
	}
	write = vma->flags & PB_VM_WRITE;
	for (va = start; va < end; va += fsize) {
		ret = pb_map_new_folio(mm, vma, va, order, write, per_pte);
		if (ret) {
			pb_zap_range(mm, start, va);
			*why = "out of memory for folios (arena full?)";
			return ret;
		}
	}
	return 0;
}

/*
 * Map a new folio of @order at @va (aligned, tables present), as a fault
 * would: young, and dirty and writable for a write where the VMA allows.
 */
int pb_map_new_folio(struct pb_mm *mm, struct pb_vma *vma, u64 va,
		     unsigned int order, bool write, bool per_pte)
{
	const struct pb_geom *g = &mm->geom;
	bool anon = vma->flags & PB_VM_ANON;
	unsigned int nr = 1U << order, i;
	pb_pte_t *ptep = pb_pte_offset(mm, va, false), pte;
	struct pb_page *head;
	u64 pfn;
	int ret;

	ret = pb_folio_alloc(mm->phys, order, anon, &pfn);
	if (ret)
		return ret;
	head = pb_pfn_to_page(mm->phys, pfn);
	/* The mappings take over the allocation's reference. */
	head->refcount += nr - 1;
	head->extra_refs = 0;
	pb_mm_count(mm, PB_MMC_refcount_atomics, 1);
	pb_rmap_add(mm, pfn, nr, anon);
	pb_mm_count(mm, PB_MMC_folios_mapped, 1);
	pte = pb_pfn_pte(g, pfn, pb_vma_prot(mm, vma, write));
	if (!per_pte) {
		pb_set_ptes(mm, va, ptep, pte, nr);
		return 0;
	}
	for (i = 0; i < nr; i++) {
		pb_set_ptes(mm, va + ((u64)i << g->page_shift), ptep + i, pte, 1);
		pte = pb_pte_advance(g, pte, 1, false);
	}
	return 0;
}

/* --- Unmapping ------------------------------------------------------------------- */

/*
 * Unmap [start, end): batched, one clear and one rmap removal per folio
 * batch, or with the batch knob off one PTE at a time.  Cleared ranges are
 * flushed by the mmu_gather before the folios' references go.
 */
void pb_zap_range(struct pb_mm *mm, u64 start, u64 end)
{
	const struct pb_geom *g = &mm->geom;
	bool batch = mm->knobs[PB_KNOB_batch];
	u64 va = start, next;

	for (; va < end; va = next) {
		pb_pte_t *ptep = pb_pte_offset(mm, va, false);
		unsigned int left, nr;

		next = pb_pmd_addr_end(mm, va, end);
		if (!ptep)
			continue;
		left = (next - va) >> g->page_shift;
		for (; left; left -= nr, ptep += nr, va += (u64)nr << g->page_shift) {
			pb_pte_t pte = pb_ptep_get(mm, va, ptep);
			struct pb_page *head;
			bool writable;
			u64 head_pfn;

			nr = 1;
			if (!pb_pte_present(pte))
				continue;
			head = pb_page_folio(mm->phys, pb_pte_pfn(g, pte), &head_pfn);
			if ((pte & PB_PTE_SPECIAL) || !head) {
				pb_ptep_get_and_clear(mm, va, ptep);
				pb_gather_add(mm, va, 1);
				continue;
			}
			if (batch && head->order && left > 1)
				nr = pb_folio_pte_batch(mm, va, ptep, pte, left,
							PB_FPB_IGNORE_DIRTY |
							PB_FPB_IGNORE_SOFT_DIRTY,
							&writable);
			if (head->flags & PB_PG_ANON) {
				pb_clear_full_ptes(mm, va, ptep, nr);
			} else {
				pte = pb_get_and_clear_full_ptes(mm, va, ptep, nr);
				if (pb_pte_dirty(pte))
					head->flags |= PB_PG_DIRTY;
			}
			pb_rmap_remove(mm, pb_pte_pfn(g, pte), nr);
			pb_mm_count(mm, PB_MMC_zap_batches, 1);
			pb_gather_add(mm, va, nr);
			pb_gather_put_folio(mm, head_pfn, nr);
		}
	}
	pb_gather_finish(mm);
}

/* --- Simulated CPU accesses -------------------------------------------------------- */

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
	unsigned int cont = pb_cont_ptes(g);
	u64 pfn, head_pfn;
	struct pb_page *head;
	void *data;

	pb_mm_count(mm, PB_MMC_accesses, 1);
	cur = ptep ? *ptep : 0;
	if (e && (!write || !(e->pte & PB_PTE_RDONLY))) {
		pb_mm_count(mm, PB_MMC_tlb_hits, 1);
		pte = e->pte;
		/* What the TLB allows must be what the table says now. */
		pfn = pb_pte_pfn(g, pte) + (e->block ? (va >> g->page_shift) & (cont - 1) : 0);
		if (!pb_pte_valid(cur) || pb_pte_pfn(g, cur) != pfn ||
		    (write && (cur & PB_PTE_RDONLY) && !(cur & PB_PTE_DBM))) {
			if (write)
				pb_mm_count(mm, PB_MMC_stale_tlb_writes, 1);
			pb_violation(mm, PB_V_STALE_TLB, va, pte, cur);
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
		target = ptep;
		base = va;
		if (pb_pte_cont(cur)) {
			unsigned int idx = (va >> g->page_shift) & (cont - 1);
			unsigned int t = pb_ad_target(mm, va);

			target = ptep - idx + t;
			base = (va & ~(pb_cont_size(g) - 1)) + ((u64)t << g->page_shift);
		}
		pte = *target;
		if (!pb_pte_young(pte)) {
			pte |= PB_PTE_AF;
			pb_mm_count(mm, PB_MMC_hw_af_updates, 1);
		}
		if (write && (pte & PB_PTE_RDONLY)) {
			pte &= ~PB_PTE_RDONLY;
			pb_mm_count(mm, PB_MMC_hw_dirty_updates, 1);
		}
		if (pte != *target)
			pb_write_pte(mm, base, target, pte);
		/* The TLB holds the translation the walk produced. */
		pte = pb_pfn_pte(g, pb_pte_pfn(g, cur), (cur | PB_PTE_AF) &
				 ~(write ? PB_PTE_RDONLY : 0));
		pb_tlb_fill(mm, va, pb_pte_cont(cur) ?
			    pb_pfn_pte(g, pb_pte_pfn(g, pte) & ~((u64)cont - 1), pte) : pte);
		pfn = pb_pte_pfn(g, cur);
	}
	head = pb_page_folio(mm->phys, pfn, &head_pfn);
	if (!head)
		return 0;
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
