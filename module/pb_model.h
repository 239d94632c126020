/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the private mm model.
 *
 * A private mm is a multi-level page table in the arm64 stage-1 descriptor
 * format, a model of physical memory (folios and pages), a TLB model, and a
 * checker for the architecture's rules.  The contpte-aware helpers of
 * pb_contpte.c run on it with the semantics of arm64's contpte.c.
 *
 * None of this touches the real MMU: descriptors are plain u64 values in
 * memory allocated with pb_zalloc(), and "hardware" accesses are simulated.
 */
#ifndef _PB_MODEL_H
#define _PB_MODEL_H

#include <linux/types.h>
#include <linux/bits.h>

#include "ptebatch.h"

/* --- Descriptors ---------------------------------------------------------- */

typedef u64 pb_pte_t;

/* Hardware bits, at their arm64 positions. */
#define PB_PTE_VALID		BIT_ULL(0)
#define PB_PTE_TABLE		BIT_ULL(1)	/* table at L0-2, page at L3 */
#define PB_PTE_ATTRINDX		GENMASK_ULL(4, 2)
#define PB_PTE_USER		BIT_ULL(6)	/* AP[1] */
#define PB_PTE_RDONLY		BIT_ULL(7)	/* AP[2] */
#define PB_PTE_SH		GENMASK_ULL(9, 8)	/* OA[51:50] with LPA2 */
#define PB_PTE_AF		BIT_ULL(10)
#define PB_PTE_NG		BIT_ULL(11)
#define PB_PTE_GP		BIT_ULL(50)
#define PB_PTE_DBM		BIT_ULL(51)	/* also the software write bit */
#define PB_PTE_CONT		BIT_ULL(52)
#define PB_PTE_PXN		BIT_ULL(53)
#define PB_PTE_UXN		BIT_ULL(54)
/* Software bits, ignored by the hardware walk. */
#define PB_PTE_DIRTY		BIT_ULL(55)
#define PB_PTE_SPECIAL		BIT_ULL(56)
#define PB_PTE_SOFT_DIRTY	BIT_ULL(57)
#define PB_PTE_UFFD_WP		BIT_ULL(58)
/* Not valid but present: PROT_NONE.  Reuses nG, as arm64 does since 6.10. */
#define PB_PTE_PRESENT_INVALID	PB_PTE_NG

#define PB_PTE_WRITE		PB_PTE_DBM

/* AttrIndx of normal memory, and the default attributes of a user page. */
#define PB_ATTR_NORMAL		(0ULL << 2)
#define PB_ATTR_SH_INNER	(3ULL << 8)

/* --- Geometry ------------------------------------------------------------- */

struct pb_geom {
	unsigned int page_shift;	/* 12, 14 or 16 */
	unsigned int va_bits;		/* 36..52 */
	unsigned int pa_bits;		/* 48 or 52 */
	unsigned int levels;		/* walk levels, derived */
	unsigned int bits_per_level;	/* page_shift - 3 */
	unsigned int cont_shift;	/* log2(CONT_PTES): 4, 7 or 5 */
	bool lpa2;			/* 52-bit OA with 4K/16K: OA[51:50] at [9:8] */
	/* Where the output address lives in a descriptor, derived. */
	u64 oa_low_mask;		/* OA bits stored in place */
	u64 oa_high_mask;		/* descriptor bits holding the top OA bits */
	unsigned int oa_high_shift;	/* from those bits to their OA position */
};

static inline u64 pb_page_size(const struct pb_geom *g)
{
	return 1ULL << g->page_shift;
}

static inline unsigned int pb_cont_ptes(const struct pb_geom *g)
{
	return 1U << g->cont_shift;
}

static inline u64 pb_cont_size(const struct pb_geom *g)
{
	return 1ULL << (g->page_shift + g->cont_shift);
}

static inline unsigned int pb_ptrs_per_table(const struct pb_geom *g)
{
	return 1U << g->bits_per_level;
}

/* The largest folio: one that a PMD maps, i.e. a whole last-level table. */
static inline unsigned int pb_pmd_order(const struct pb_geom *g)
{
	return g->bits_per_level;
}

int pb_geom_init(struct pb_geom *g, unsigned int page_kb, unsigned int va_bits,
		 unsigned int pa_bits, const char **why);

/* Descriptor encoding: always by decode and re-encode of the output address. */
static inline u64 pb_pte_pfn(const struct pb_geom *g, pb_pte_t pte)
{
	u64 pa = (pte & g->oa_low_mask) |
		 ((pte & g->oa_high_mask) << g->oa_high_shift);

	return pa >> g->page_shift;
}

/* Everything but the output address. */
static inline pb_pte_t pb_pte_pgprot(const struct pb_geom *g, pb_pte_t pte)
{
	return pte & ~(g->oa_low_mask | g->oa_high_mask);
}

static inline pb_pte_t pb_pfn_pte(const struct pb_geom *g, u64 pfn,
				  pb_pte_t prot)
{
	u64 pa = pfn << g->page_shift;

	return pb_pte_pgprot(g, prot) | (pa & g->oa_low_mask) |
	       ((pa >> g->oa_high_shift) & g->oa_high_mask);
}

/*
 * The descriptor @nr pages on.  The naive form adds the granules to the raw
 * descriptor, as set_ptes() did before "arm64/mm: Make set_ptes() robust when
 * OAs cross 48-bit boundary": the carry out of the low OA field lands in
 * attribute bits.
 */
static inline pb_pte_t pb_pte_advance(const struct pb_geom *g, pb_pte_t pte,
				      u64 nr, bool naive)
{
	if (naive)
		return pte + (nr << g->page_shift);
	return pb_pfn_pte(g, pb_pte_pfn(g, pte) + nr, pte);
}

static inline bool pb_pte_valid(pb_pte_t pte)
{
	return pte & PB_PTE_VALID;
}

static inline bool pb_pte_present(pb_pte_t pte)
{
	return pte & (PB_PTE_VALID | PB_PTE_PRESENT_INVALID);
}

static inline bool pb_pte_cont(pb_pte_t pte)
{
	return pte & PB_PTE_CONT;
}

static inline bool pb_pte_valid_cont(pb_pte_t pte)
{
	return (pte & (PB_PTE_VALID | PB_PTE_CONT)) ==
	       (PB_PTE_VALID | PB_PTE_CONT);
}

static inline bool pb_pte_write(pb_pte_t pte)
{
	return pte & PB_PTE_WRITE;
}

static inline bool pb_pte_hw_dirty(pb_pte_t pte)
{
	return (pte & PB_PTE_DBM) && !(pte & PB_PTE_RDONLY);
}

static inline bool pb_pte_dirty(pb_pte_t pte)
{
	return (pte & PB_PTE_DIRTY) || pb_pte_hw_dirty(pte);
}

static inline bool pb_pte_young(pb_pte_t pte)
{
	return pte & PB_PTE_AF;
}

static inline bool pb_pte_protnone(pb_pte_t pte)
{
	return !(pte & PB_PTE_VALID) && (pte & PB_PTE_PRESENT_INVALID);
}

static inline pb_pte_t pb_pte_mkclean(pb_pte_t pte)
{
	pte &= ~PB_PTE_DIRTY;
	/* A writable clean entry is read-only until DBM marks it dirty. */
	if (pte & PB_PTE_DBM)
		pte |= PB_PTE_RDONLY;
	return pte;
}

static inline pb_pte_t pb_pte_mkdirty(pb_pte_t pte)
{
	pte |= PB_PTE_DIRTY;
	if (pte & PB_PTE_WRITE)
		pte &= ~PB_PTE_RDONLY;
	return pte;
}

static inline pb_pte_t pb_pte_mkold(pb_pte_t pte)
{
	return pte & ~PB_PTE_AF;
}

static inline pb_pte_t pb_pte_mkyoung(pb_pte_t pte)
{
	return pte | PB_PTE_AF;
}

/* Read-only, moving a hardware-dirty state into the software dirty bit. */
static inline pb_pte_t pb_pte_wrprotect(pb_pte_t pte)
{
	if (pb_pte_hw_dirty(pte))
		pte |= PB_PTE_DIRTY;
	pte &= ~PB_PTE_WRITE;
	return pte | PB_PTE_RDONLY;
}

static inline pb_pte_t pb_pte_mkwrite(pb_pte_t pte)
{
	pte |= PB_PTE_WRITE;
	if (pte & PB_PTE_DIRTY)
		pte &= ~PB_PTE_RDONLY;
	return pte;
}

/* Decoded flags of a descriptor for dumps, e.g. "V U RO AF DBM CONT D". */
void pb_pte_flags_str(pb_pte_t pte, char *buf, size_t size);

/* --- Physical memory ------------------------------------------------------ */

/*
 * One pb_page per page frame of the arena, found from its PFN in O(1) through
 * a section table, as vmemmap does.  The head page of a folio carries the
 * folio's fields, as struct folio overlays struct page.
 */
struct pb_page {
	u16 flags;		/* PB_PG_* */
	u8 order;		/* order of the folio this page belongs to */
	u8 pad;
	s32 mapcount;		/* PTEs that map this page */
	/* Folio fields, valid in the head page only. */
	u32 refcount;
	u32 large_mapcount;	/* total PTE mappings of the folio */
	u32 pincount;
	u32 extra_refs;		/* references that are neither maps nor pins */
	u32 deferred_next;	/* deferred-split queue link: pfn offset + 1 */
	u32 scratch;		/* the checker's per-page map count */
};

/* Pages of a large folio mapped at least once, kept in its first tail page. */
#define pb_nr_pages_mapped(head)	((head)[1].refcount)

#define PB_PG_ALLOCATED		BIT(0)	/* part of a live folio */
#define PB_PG_HEAD		BIT(1)
#define PB_PG_ANON_EXCLUSIVE	BIT(2)	/* per page */
#define PB_PG_ANON		BIT(3)	/* folio (head) */
#define PB_PG_DIRTY		BIT(4)	/* folio dirty (head) */
#define PB_PG_HW_DIRTIED	BIT(5)	/* written by hardware since cleaned (page) */
#define PB_PG_DEFERRED		BIT(6)	/* on the deferred-split queue (head) */
#define PB_PG_FREED		BIT(7)	/* was a folio, now free: maps are bugs */
#define PB_PG_SEEN_DIRTY	BIT(8)	/* checker scratch: mapped with dirty visible */

struct pb_section;
struct pb_mm;

/* Private mms per session, which is also the most that share one arena. */
#define PB_MAX_MMS	16
/* The arena is described in sections of this many pages. */
#define PB_SECTION_SHIFT	14

/* The physical memory of a family of mms (a parent and its fork children). */
struct pb_phys {
	struct pb_geom geom;
	u64 base_pfn;
	u64 nr_pages;		/* arena capacity */
	u64 next_pfn;		/* allocation cursor */
	u64 high_water;		/* no folio was ever allocated from here up */
	u64 meta_bytes;		/* the arena's own metadata: sections, pages */
	u64 pins;		/* GUP pins held on the arena's folios */
	bool backing;		/* real backing pages for data */
	unsigned int nr_sections;
	struct pb_section **sections;
	u32 deferred_head;	/* pfn offset + 1 of the first queued folio */
	u64 deferred_len;
	/* The mms sharing this arena: a parent and its fork children. */
	struct pb_mm *mms[PB_MAX_MMS];
	unsigned int nr_mms;
	/* Live objects of this arena, mirrored in the global counters. */
	u64 live_folios;
	u64 live_pages;
};

struct pb_phys *pb_phys_create(const struct pb_geom *g, u64 base_pfn,
			       u64 nr_pages, bool backing);
int pb_phys_attach(struct pb_phys *p, struct pb_mm *mm);
/* The last mm to detach frees the arena; its folios must be gone by then. */
void pb_phys_detach(struct pb_phys *p, struct pb_mm *mm);
typedef void (*pb_folio_fn_t)(struct pb_phys *p, u64 head_pfn,
			    struct pb_page *head, void *arg);
void pb_phys_walk_folios(struct pb_phys *p, pb_folio_fn_t fn, void *arg);

#define PB_SECTION_PAGES	BIT(PB_SECTION_SHIFT)

struct pb_section {
	struct pb_page pages[PB_SECTION_PAGES];
	/* Backing data of each page, when the arena has backing pages. */
	void **data;
};

/* The page of @pfn, or NULL if it is outside the arena or never touched. */
static inline struct pb_page *pb_pfn_to_page(struct pb_phys *p, u64 pfn)
{
	u64 off = pfn - p->base_pfn;
	struct pb_section *sec;

	if (pfn < p->base_pfn || off >= p->nr_pages)
		return NULL;
	sec = p->sections[off >> PB_SECTION_SHIFT];
	return sec ? &sec->pages[off & (PB_SECTION_PAGES - 1)] : NULL;
}

/* The head page of the live folio that @pfn belongs to, or NULL. */
static inline struct pb_page *pb_page_folio(struct pb_phys *p, u64 pfn,
					    u64 *head_pfn)
{
	struct pb_page *page = pb_pfn_to_page(p, pfn);
	u64 head;

	if (!page || !(page->flags & PB_PG_ALLOCATED))
		return NULL;
	head = p->base_pfn + ((pfn - p->base_pfn) & ~((1ULL << page->order) - 1));
	if (head_pfn)
		*head_pfn = head;
	return page - (pfn - head);
}

/* Allocate a naturally aligned folio; 0 or -ENOMEM.  refcount starts at 1. */
int pb_folio_alloc(struct pb_phys *p, unsigned int order, bool anon,
		   u64 *head_pfn);
/* Drop @nr references; true when the last one went and freed the folio. */
bool pb_folio_put(struct pb_phys *p, u64 head_pfn, u32 nr);
void pb_deferred_add(struct pb_phys *p, u64 head_pfn);
/* Backing data of a page, or NULL without backing pages. */
void *pb_page_data(struct pb_phys *p, u64 pfn);

/* --- TLB -------------------------------------------------------------------- */

struct pb_tlb_entry {
	u64 va;			/* page or block aligned */
	pb_pte_t pte;		/* the descriptor it was filled from */
	u32 next;		/* hash chain: index + 1 */
	bool block;		/* covers a whole contiguous block */
	bool used;
};

struct pb_tlb {
	struct pb_tlb_entry *entries;
	u32 *buckets;
	u32 nr_buckets;
	u32 capacity;
	u32 nr;
	u32 free_head;
};

/* --- The mm ------------------------------------------------------------------ */

enum pb_violation {
	PB_V_MISPROGRAMMED,
	PB_V_BBM,
	PB_V_REFCOUNT,
	PB_V_MAPCOUNT,
	PB_V_FREED,
	PB_V_DIRTY_LOST,
	PB_V_STALE_TLB,
	PB_NR_VIOLATIONS
};

/* Violations reported in detail per command; the rest are only counted. */
#define PB_MAX_REPORTED	8
/* The largest folio order of any granule: a 64K granule's PMD order. */
#define PB_MAX_ORDER	13
/* Most pages an mmu_gather can hold. */
#define PB_GATHER_MAX	4096

#define PB_VM_READ	BIT(0)
#define PB_VM_WRITE	BIT(1)
#define PB_VM_SHARED	BIT(2)
#define PB_VM_ANON	BIT(3)
#define PB_VM_SOFTDIRTY	BIT(4)	/* soft-dirty tracking on (VM_SOFTDIRTY clear) */
#define PB_VM_UFFD_WP	BIT(5)	/* registered for uffd write-protect */

#define PB_MAX_VMAS	64

struct pb_vma {
	u64 start, end;
	u32 flags;
};

enum pb_ad_policy {
	PB_AD_ACCESSED,		/* the entry of the accessed page */
	PB_AD_FIRST,		/* the first entry of the block */
	PB_AD_LAST,		/* the last entry of the block */
	PB_AD_RANDOM,		/* a seeded random entry of the block */
};

/* Knobs of an mm (pb_knobs[] describes them); mutations inject known bugs. */
enum pb_knob {
	PB_KNOB_contpte,
	PB_KNOB_autofold,
	PB_KNOB_bbml2,
	PB_KNOB_check,
	PB_KNOB_ad_policy,
	PB_KNOB_seed,
	PB_KNOB_gather_capacity,
	PB_KNOB_naive_pfn_step,
	PB_KNOB_skip_wrprotect_flush,
	PB_KNOB_partial_wrprotect_no_unfold,
	PB_KNOB_skip_ad_gather,
	PB_KNOB_batch,
	PB_KNOB_fault_order,
	PB_KNOB_mprotect_upgrade,
	PB_NR_KNOBS
};

struct pb_knob_desc {
	const char *name;
	u64 def;
	u64 max;
	const char *help;
};

extern const struct pb_knob_desc pb_knobs[PB_NR_KNOBS];

/* Per-mm counters, shown by the mm_stats command and in the stats file. */
enum pb_mm_counter {
	PB_MMC_pte_writes,
	PB_MMC_folds,
	PB_MMC_fold_attempts,
	PB_MMC_unfolds,
	PB_MMC_converts,
	PB_MMC_wrprotect_whole_blocks,
	PB_MMC_wrprotect_partial_blocks,
	PB_MMC_tlbi_page,
	PB_MMC_tlbi_range,
	PB_MMC_tlbi_mm,
	PB_MMC_tlbi_skipped_bbml2,
	PB_MMC_gather_flushes,
	PB_MMC_gather_forced_flushes,
	PB_MMC_tlb_hits,
	PB_MMC_tlb_misses,
	PB_MMC_tlb_fills,
	PB_MMC_accesses,
	PB_MMC_faults,
	PB_MMC_hw_af_updates,
	PB_MMC_hw_dirty_updates,
	PB_MMC_stale_tlb_writes,
	PB_MMC_refcount_atomics,
	PB_MMC_mapcount_atomics,
	PB_MMC_pt_pages,
	PB_MMC_folios_mapped,
	PB_MMC_deferred_split_adds,
	PB_MMC_deferred_split_spurious,
	PB_MMC_ptes_copied,
	PB_MMC_fork_batches,
	PB_MMC_batch_size_1,
	PB_MMC_batch_size_small,
	PB_MMC_batch_size_cont,
	PB_MMC_batch_size_large,
	PB_MMC_batch_size_pmd,
	PB_MMC_pinned_fallbacks,
	PB_MMC_zap_batches,
	PB_MMC_mprotect_batches,
	PB_MMC_read_faults,
	PB_MMC_write_faults,
	PB_MMC_write_faults_avoided,
	PB_MMC_write_upgrades_denied,
	PB_MMC_wp_reuses,
	PB_MMC_cow_copies,
	PB_MMC_uffd_wp_faults,
	PB_MMC_segv,
	PB_MMC_checks,
	PB_MMC_violations,
	PB_MMC_violations_misprogrammed,
	PB_MMC_violations_bbm,
	PB_MMC_violations_refcount,
	PB_MMC_violations_mapcount,
	PB_MMC_violations_freed,
	PB_MMC_violations_dirty_lost,
	PB_MMC_violations_stale_tlb,
	PB_NR_MM_COUNTERS
};

extern const char *const pb_mm_counter_names[PB_NR_MM_COUNTERS];
/* The counters of every mm that has gone, for the stats file's totals. */
extern atomic64_t pb_mm_totals[PB_NR_MM_COUNTERS];

struct pb_table;

struct pb_mm {
	u32 id;
	struct pb_geom geom;
	struct pb_phys *phys;
	struct pb_table *pgd;
	struct pb_vma vmas[PB_MAX_VMAS];
	unsigned int nr_vmas;
	struct pb_tlb tlb;
	u64 knobs[PB_NR_KNOBS];
	u64 counters[PB_NR_MM_COUNTERS];
	u64 rng;			/* state of the seeded A/D policy */
	struct pb_reply *report;	/* where violations are reported */
	unsigned int nr_reported;
	u64 cmd_violations;		/* the violations counter as the command began */
	struct pb_mm *checking;		/* the mm a family-wide check reports to */
	bool shadowed;			/* created with check=1: BBM shadows */
	u32 table_serial;
	u64 pt_bytes;			/* page tables, with their headers */
	/* The mmu_gather: a range to flush and folio references to drop after. */
	u64 gather_start, gather_end, gather_pages;
	struct pb_gather_put {
		u64 head_pfn;
		u32 nr;
	} *gather_puts;
	unsigned int nr_gather_puts;
};

/* pb_pgtable.c */
int pb_pgd_alloc(struct pb_mm *mm);
void pb_pgd_free(struct pb_mm *mm);
pb_pte_t *pb_pte_offset(struct pb_mm *mm, u64 va, bool alloc);
int pb_pgtable_prealloc(struct pb_mm *mm, u64 start, u64 end);
u64 pb_pmd_addr_end(const struct pb_mm *mm, u64 va, u64 end);
typedef void (*pb_leaf_fn_t)(struct pb_mm *mm, pb_pte_t *table, u64 va,
			   u64 start, u64 end);
void pb_walk_leaf_tables(struct pb_mm *mm, u64 start, u64 end, pb_leaf_fn_t fn);

/* pb_tlb.c */
int pb_tlb_init(struct pb_tlb *t);
void pb_tlb_destroy(struct pb_tlb *t);
struct pb_tlb_entry *pb_tlb_lookup(struct pb_mm *mm, u64 va);
void pb_tlb_fill(struct pb_mm *mm, u64 va, pb_pte_t pte);
void pb_flush_tlb_page(struct pb_mm *mm, u64 va);
void pb_flush_tlb_range(struct pb_mm *mm, u64 start, u64 end);
void pb_flush_tlb_mm(struct pb_mm *mm);
void pb_gather_add(struct pb_mm *mm, u64 va, u64 nr);
void pb_gather_put_folio(struct pb_mm *mm, u64 head_pfn, u32 nr);
void pb_gather_finish(struct pb_mm *mm);

/* pb_check.c */

void pb_check_invalidated(struct pb_mm *mm, u64 start, u64 end);
void pb_violation(struct pb_mm *mm, enum pb_violation v, u64 va, u64 old,
		  u64 new);
u64 pb_check_mm(struct pb_mm *mm);
void pb_page_mark_clean(struct pb_mm *mm, u64 pfn);

/* pb_contpte.c */
void pb_raw_set_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep, pb_pte_t pte,
		     unsigned int nr);
pb_pte_t pb_raw_get_and_clear(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
void pb_contpte_try_unfold(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			   pb_pte_t pte);
const char *pb_contpte_foldable(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
void pb_contpte_fold(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
pb_pte_t pb_ptep_get(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
void pb_set_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep, pb_pte_t pte,
		 unsigned int nr);
pb_pte_t pb_ptep_get_and_clear(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
pb_pte_t pb_get_and_clear_full_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				    unsigned int nr);
void pb_clear_full_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			unsigned int nr);
void pb_wrprotect_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
		       unsigned int nr);
void pb_ptep_set_wrprotect(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
bool pb_ptep_test_and_clear_young(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
bool pb_ptep_clear_flush_young(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
bool pb_ptep_set_access_flags(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			      pb_pte_t entry, bool dirty);
void pb_clear_young_dirty_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			       unsigned int nr, bool young, bool dirty);

/* pb_fork.c: folio_pte_batch(), fork and zap */
#define PB_FPB_IGNORE_DIRTY		BIT(0)
#define PB_FPB_IGNORE_SOFT_DIRTY	BIT(1)
#define PB_FPB_RESPECT_WRITE		BIT(2)

unsigned int pb_folio_pte_batch(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				pb_pte_t pte, unsigned int max_nr,
				unsigned int flags, bool *any_writable);
void pb_count_batch(struct pb_mm *mm, unsigned int nr);
struct pb_mm *pb_fork(struct pb_mm *parent, u32 id, const char **why);

/* pb_fault.c: faults, mprotect, soft-dirty, uffd-wp and pins */
int pb_handle_fault(struct pb_mm *mm, u64 va, bool write, const char **why);
int pb_mprotect(struct pb_mm *mm, u64 start, u64 end, u32 prot,
		const char **why);
void pb_clear_soft_dirty(struct pb_mm *mm);
int pb_uffd_wp(struct pb_mm *mm, u64 start, u64 end, bool wp,
	       const char **why);
int pb_pin(struct pb_mm *mm, u64 start, u64 end, bool pin, const char **why);

/* pb_mm.c */
struct pb_mm *pb_mm_alloc(const struct pb_geom *g, struct pb_phys *phys,
			  u32 id);
struct pb_mm_params {
	unsigned int page_kb, va_bits, pa_bits;
	u64 base_pfn, arena_pages;
	bool backing, check;
};

struct pb_mm *pb_mm_create(const struct pb_mm_params *params, u32 id,
			   const char **why);
void pb_mm_destroy(struct pb_mm *mm);
int pb_vma_add(struct pb_mm *mm, u64 start, u64 end, u32 flags,
	       const char **why);
struct pb_vma *pb_vma_find(struct pb_mm *mm, u64 va);
int pb_populate(struct pb_mm *mm, u64 start, u64 end, unsigned int order,
		bool per_pte, const char **why);
int pb_map_new_folio(struct pb_mm *mm, struct pb_vma *vma, u64 va,
		     unsigned int order, bool write, bool per_pte);
pb_pte_t pb_vma_prot(const struct pb_mm *mm, const struct pb_vma *vma,
		     bool write);
int pb_vma_split(struct pb_mm *mm, u64 va);
void pb_zap_range(struct pb_mm *mm, u64 start, u64 end);
int pb_access(struct pb_mm *mm, u64 va, bool write, u64 *val);
void pb_rmap_add(struct pb_mm *mm, u64 pfn, unsigned int nr, bool exclusive);
void pb_rmap_remove(struct pb_mm *mm, u64 pfn, unsigned int nr);

static inline void pb_mm_count(struct pb_mm *mm, enum pb_mm_counter c, u64 n)
{
	mm->counters[c] += n;
}

void pb_write_pte_checked(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			  pb_pte_t new);

/* Every leaf descriptor write goes through here, where the checker sees it. */
static inline void pb_write_pte(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				pb_pte_t new)
{
	pb_mm_count(mm, PB_MMC_pte_writes, 1);
	if (mm->shadowed)
		pb_write_pte_checked(mm, va, ptep, new);
	else
		*ptep = new;
}

#endif /* _PB_MODEL_H */
