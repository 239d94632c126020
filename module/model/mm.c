// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: a private mm: creation and freeing, knobs and counters, VMAs.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "lib/alloc.h"
#include "lib/counters.h"
#include "model/filemap.h"
#include "model/mm.h"
#include "model/pgtable.h"

const char *const pb_mm_counter_names[PB_NR_MM_COUNTERS] = {
#define PB_MM_COUNTER(name)	\
	[PB_MMC_##name] = #name,
#include "uapi/ptebatch_names.h"
};

atomic64_t pb_mm_totals[PB_NR_MM_COUNTERS];

const struct pb_knob_desc pb_knobs[PB_NR_KNOBS] = {
#define PB_KNOB(name, def, max, help)	\
	[PB_KNOB_##name] = { #name, def, max, help },
#include "uapi/ptebatch_names.h"
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
	mm->mm_id = ++phys->mm_id_serial;
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

	if (params->profile >= PB_NR_PROFILES) {
		*why = "no such kernel profile";
		return ERR_PTR(-EINVAL);
	}
	if (params->no_page_mapcount && params->profile == PB_PROFILE_6_12) {
		*why = "no_page_mapcount=1 needs kernel=mainline (6.12 keeps page mapcounts)";
		return ERR_PTR(-EINVAL);
	}
	ret = pb_geom_init(&g, params->page_kb, params->va_bits,
			   params->pa_bits, why);
	if (ret)
		return ERR_PTR(ret);
	phys = pb_phys_create(&g, params->base_pfn, params->arena_pages,
			      params->backing);
	if (IS_ERR(phys)) {
		*why = PTR_ERR(phys) == -ENOMEM ? "out of memory" :
		       "arena_pages must be 1..4294967294, the arena within pa_bits";
		return ERR_CAST(phys);
	}
	phys->no_page_mapcount = params->no_page_mapcount;
	mm = pb_mm_alloc(&g, phys, id);
	if (IS_ERR(mm)) {
		*why = "out of memory";
		pb_phys_detach(phys, NULL);
		return mm;
	}
	mm->knobs[PB_KNOB_check] = params->check;
	mm->shadowed = params->check;
	pb_mm_set_profile(mm, params->profile);
	return mm;
}

/*
 * 6.12 batches fork ("mm/memory: optimize fork() with PTE-mapped THP", 6.9)
 * and zap ("mm/memory: optimize unmap/zap with PTE-mapped THP", 6.10), but
 * changes protection and moves PTEs one at a time; mprotect batches since
 * "mm: optimize mprotect() by PTE batching" (6.17), mremap since "mm:
 * optimize mremap() by PTE batching" (6.17).
 */
void pb_mm_set_profile(struct pb_mm *mm, enum pb_profile profile)
{
	mm->profile = profile;
	mm->knobs[PB_KNOB_mprotect_batch] = profile != PB_PROFILE_6_12;
	mm->knobs[PB_KNOB_mremap_batch] = profile != PB_PROFILE_6_12;
}

/* Free @mm, whose VMAs no longer map anything; its counters go to the totals. */
void pb_mm_free(struct pb_mm *mm)
{
	unsigned int i;

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
	u64 psize = pb_page_size(&mm->geom), mapped = 0;
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
		*why = "too many VMAs (PB_MAX_VMAS)";
		return -ENOSPC;
	}
	/* Unlike upstream (RLIMIT_AS), one fixed bound, PB_MM_MAPPED_MAX. */
	for (i = 0; i < mm->nr_vmas; i++)
		mapped += mm->vmas[i].end - mm->vmas[i].start;
	if (end - start > PB_MM_MAPPED_MAX - mapped) {
		*why = "the mm's VMAs would map more than PB_MM_MAPPED_MAX bytes";
		return -ENOSPC;
	}
	mm->vmas[mm->nr_vmas].start = start;
	mm->vmas[mm->nr_vmas].end = end;
	mm->vmas[mm->nr_vmas].flags = flags;
	mm->vmas[mm->nr_vmas].origin = ++mm->vma_serial;
	mm->vmas[mm->nr_vmas].file = 0;
	mm->vmas[mm->nr_vmas].pad = 0;
	mm->vmas[mm->nr_vmas].pgoff = start >> mm->geom.page_shift;
	/* Shared or file-backed: a file of its own (shmem_zero_setup()). */
	if ((flags & (PB_VM_ANON | PB_VM_SHARED)) != PB_VM_ANON)
		mm->vmas[mm->nr_vmas].file = pb_file_new(mm->phys);
	mm->nr_vmas++;
	return 0;
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
	mm->vmas[mm->nr_vmas].pgoff = pb_vma_index(vma, va, mm->geom.page_shift);
	vma->end = va;
	mm->nr_vmas++;
	return 0;
}

/*
 * What vma_merge() does after mprotect_fixup() or mremap's copy_vma(): VMAs
 * that touch, came from one mmap (one anon_vma, or one file) at contiguous
 * offsets (can_vma_merge_after() compares vm_pgoff) and have the same flags
 * become one again.
 */
void pb_vma_merge(struct pb_mm *mm)
{
	unsigned int i, j;

again:
	for (i = 0; i < mm->nr_vmas; i++) {
		for (j = 0; j < mm->nr_vmas; j++) {
			struct pb_vma *a = &mm->vmas[i], *b = &mm->vmas[j];

			/* is_mergeable_anon_vma(): one may have none yet. */
			if (a->end != b->start || a->origin != b->origin ||
			    b->pgoff != pb_vma_index(a, a->end, mm->geom.page_shift) ||
			    ((a->flags ^ b->flags) & ~PB_VM_ANON_VMA))
				continue;
			a->end = b->end;
			a->flags |= b->flags & PB_VM_ANON_VMA;
			mm->vmas[j] = mm->vmas[--mm->nr_vmas];
			goto again;
		}
	}
}

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
	/*
	 * vm_page_prot of a writable shared VMA that wants no write notify
	 * (shmem, vma_set_page_prot()) is writable: a read maps the page
	 * writable and clean (DBM with RDONLY) and the first write dirties
	 * it in hardware, without a fault.
	 */
	else if ((vma->flags & PB_VM_SHARED) && (vma->flags & PB_VM_WRITE) &&
		 !pb_vma_wants_writenotify(vma))
		prot = pb_pte_mkwrite(prot);
	return prot;
}

/* Is any block of @mm folded? */
bool pb_mm_has_cont(struct pb_mm *mm)
{
	unsigned int i;

	for (i = 0; i < mm->nr_vmas; i++) {
		const struct pb_geom *g = &mm->geom;
		u64 va;

		for (va = mm->vmas[i].start; va < mm->vmas[i].end;) {
			pb_pte_t *ptep = pb_pte_offset(mm, va, false);

			if (!ptep) {
				va = pb_walk_addr_end(mm, va, mm->vmas[i].end);
				continue;
			}
			if (pb_pte_valid_cont(*ptep))
				return true;
			va += pb_cont_size(g);
		}
	}
	return false;
}
