/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the private mm.
 *
 * A private mm is a multi-level page table in the arm64 stage-1 descriptor
 * format (model/pgtable.c), a model of physical memory that it shares with
 * its fork children (model/phys.c), a TLB model (model/tlb.c), VMAs, knobs
 * and counters.  None of this touches the real MMU: descriptors are plain
 * u64 values in memory allocated with pb_zalloc(), and "hardware" accesses
 * are simulated (model/cpu.c).
 */
#ifndef _PB_MODEL_MM_H
#define _PB_MODEL_MM_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/bits.h>
#include <linux/atomic.h>

#include "uapi/ptebatch.h"
#include "model/desc.h"
#include "model/phys.h"
#include "model/tlb.h"
#include "model/report.h"

#define PB_VM_READ	BIT(0)
#define PB_VM_WRITE	BIT(1)
#define PB_VM_SHARED	BIT(2)
#define PB_VM_ANON	BIT(3)
#define PB_VM_SOFTDIRTY	BIT(4)	/* soft-dirty tracking on (VM_SOFTDIRTY clear) */
#define PB_VM_UFFD_WP	BIT(5)	/* registered for uffd write-protect */
/*
 * vma->anon_vma is set: an anon folio was mapped here, or in the VMA it was
 * forked from (anon_vma_fork()), so fork copies its entries.  The model sets
 * it; mmap's flags cannot.
 */
#define PB_VM_ANON_VMA	BIT(6)

struct pb_vma {
	u64 start, end;
	u32 flags;
	/* The mmap it came from: only pieces of one mmap merge again. */
	u32 origin;
	/* The file it maps (model/filemap.h), or 0 for private anon. */
	u32 file;
	u32 pad;
	/*
	 * vm_pgoff: the file offset of start, in pages (for an anon VMA the
	 * page index it was created at, as upstream).  mmap sets it to
	 * start >> page_shift; a split keeps it continuous and mremap moves
	 * it with the VMA, so a moved file VMA maps the same file pages.
	 */
	u64 pgoff;
};

/*
 * linear_page_index(): the index in @vma's file of the page at @va, which
 * @vma must contain.
 */
static inline u64 pb_vma_index(const struct pb_vma *vma, u64 va,
			       unsigned int page_shift)
{
	return vma->pgoff + ((va - vma->start) >> page_shift);
}

/*
 * vma_address(): where @vma maps the page of index @index (its file's, or
 * for an anon page the linear index it got in the VMA it faulted in, which
 * fork copies and mremap keeps); false if @vma does not cover it.
 */
static inline bool pb_vma_address(const struct pb_vma *vma, u64 index,
				  unsigned int page_shift, u64 *va)
{
	u64 pages = (vma->end - vma->start) >> page_shift;

	if (index < vma->pgoff || index - vma->pgoff >= pages)
		return false;
	*va = vma->start + ((index - vma->pgoff) << page_shift);
	return true;
}

/*
 * vma_is_anonymous(): only a private anon VMA has anon folios.
 * MAP_SHARED|MAP_ANONYMOUS is shmem (mmap_region() calls shmem_zero_setup()),
 * whose folios are file folios: never anon, never anon-exclusive.
 */
static inline bool pb_vma_is_anon(const struct pb_vma *vma)
{
	return (vma->flags & (PB_VM_ANON | PB_VM_SHARED)) == PB_VM_ANON;
}

/*
 * vma_wants_writenotify() (mm/vma.c): does a writable shared VMA keep its
 * PTEs read-only so that the first write faults?  A shared file VMA stands
 * for a filesystem with page_mkwrite and dirty accounting: yes.  Shmem (a
 * shared anon VMA) has neither: only soft-dirty tracking or uffd-wp need the
 * write faults there.
 */
static inline bool pb_vma_wants_writenotify(const struct pb_vma *vma)
{
	if (!(vma->flags & PB_VM_SHARED) || !(vma->flags & PB_VM_WRITE))
		return false;
	if (!(vma->flags & PB_VM_ANON))
		return true;
	return vma->flags & (PB_VM_SOFTDIRTY | PB_VM_UFFD_WP);
}

/* The knobs of uapi's PB_KNOB list, with their defaults, maxima and help. */
struct pb_knob_desc {
	const char *name;
	u64 def;
	u64 max;
	const char *help;
};

extern const struct pb_knob_desc pb_knobs[PB_NR_KNOBS];

extern const char *const pb_mm_counter_names[PB_NR_MM_COUNTERS];
/* The counters of every mm that has gone, for the stats file's totals. */
extern atomic64_t pb_mm_totals[PB_NR_MM_COUNTERS];

/* The id of an mm that no session holds (the bench's fork child). */
#define PB_MM_ID_NONE	U32_MAX

struct pb_table;
struct pb_table_chunk;
struct pb_kmirror;

struct pb_mm {
	u32 id;
	/* mm->mm_id: who maps a large folio (model/rmap.c); never 0. */
	u32 mm_id;
	/* The kernel series it follows; a fork child inherits it. */
	enum pb_profile profile;
	struct pb_geom geom;
	struct pb_phys *phys;
	struct pb_table *pgd;
	struct pb_vma vmas[PB_MAX_VMAS];
	unsigned int nr_vmas;
	struct pb_tlb tlb;
	u64 knobs[PB_NR_KNOBS];
	u64 counters[PB_NR_MM_COUNTERS];
	u64 rng;			/* state of the seeded A/D policy */
	/* Where violations are recorded: lent by the caller, or NULL. */
	struct pb_report *report;
	bool shadowed;			/* created with check=1: BBM shadows */
	/*
	 * A PMD leaf was ever written here: until then, walks, the TLB and
	 * the checker skip the PMD level, which costs the PTE-only mms
	 * nothing.
	 */
	bool had_pmd_leaf;
	u32 vma_serial;			/* the last VMA origin handed out */
	u32 table_serial;
	u64 pt_bytes;			/* page tables, with their headers */
	/* The tables' headers (model/pgtable.c): chunks, and the free ones. */
	struct pb_table_chunk *pt_chunks;
	struct pb_table *pt_free;
	/*
	 * The mmu_gather (paths/gather.c): a range to flush, puts after it,
	 * and the slots the puts take.
	 */
	u64 gather_start, gather_end, gather_slots;
	struct pb_gather_put {
		u64 head_pfn;
		u32 nr;
	} *gather_puts;
	unsigned int nr_gather_puts;
	/*
	 * The kernel_shadow knob's mirror (real/kmirror.c), made when the
	 * knob is set or by the fork that makes a child; busy while a
	 * mirrored helper runs, so that the helpers it calls are not
	 * mirrored again.
	 */
	struct pb_kmirror *kmirror;
	bool kmirror_busy;
};

/*
 * Only the mm's own command writes its counters, but the stats file reads
 * them meanwhile (READ_ONCE() in iface/stats.c, under the registry lock, not
 * the session's): a marked store, so that the reader never sees a torn or
 * re-stored value (KCSAN, and the native TSan stress, report the plain one).
 */
static inline void pb_mm_count(struct pb_mm *mm, enum pb_mm_counter c, u64 n)
{
	WRITE_ONCE(mm->counters[c], mm->counters[c] + n);
}

/*
 * A mutation knob: on, it injects a known bug.  Every injected bug is read
 * through here, so that grep finds them all.
 */
static inline bool pb_mutation(const struct pb_mm *mm, enum pb_knob k)
{
	return mm->knobs[k];
}

struct pb_mm_params {
	enum pb_profile profile;	/* 0: mainline */
	unsigned int page_kb, va_bits, pa_bits;
	u64 base_pfn, arena_pages;
	bool backing, check;
	bool no_page_mapcount;		/* mainline only */
};

/*
 * CONFIG_NO_PAGE_MAPCOUNT of the kernel the module is built for ("mm:
 * CONFIG_NO_PAGE_MAPCOUNT to prepare for not maintain per-page mapcounts in
 * large folios", 6.15): the default of a mainline mm.
 */
#ifdef CONFIG_NO_PAGE_MAPCOUNT
#define PB_NO_PAGE_MAPCOUNT_BUILT	true
#else
#define PB_NO_PAGE_MAPCOUNT_BUILT	false
#endif

struct pb_mm *pb_mm_alloc(const struct pb_geom *g, struct pb_phys *phys,
			  u32 id);
struct pb_mm *pb_mm_create(const struct pb_mm_params *params, u32 id,
			   const char **why);
/* Set @mm's profile, and the knobs whose defaults follow it. */
void pb_mm_set_profile(struct pb_mm *mm, enum pb_profile profile);
/* Free an mm whose VMAs hold no mapping (paths/zap.c's pb_mm_destroy()). */
void pb_mm_free(struct pb_mm *mm);

int pb_vma_add(struct pb_mm *mm, u64 start, u64 end, u32 flags,
	       const char **why);
struct pb_vma *pb_vma_find(struct pb_mm *mm, u64 va);
int pb_vma_split(struct pb_mm *mm, u64 va);
void pb_vma_merge(struct pb_mm *mm);
pb_pte_t pb_vma_prot(const struct pb_mm *mm, const struct pb_vma *vma,
		     bool write);
bool pb_mm_has_cont(struct pb_mm *mm);

#endif /* _PB_MODEL_MM_H */
