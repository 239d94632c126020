/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the physical memory of a family of private mms: page frames,
 * folios with their refcounts and mapcounts, and the deferred-split queue.
 */
#ifndef _PB_MODEL_PHYS_H
#define _PB_MODEL_PHYS_H

#include <linux/types.h>
#include <linux/bits.h>

#include "uapi/ptebatch.h"
#include "model/desc.h"

/*
 * One pb_page per page frame of the arena, found from its PFN in O(1) through
 * a section table, as vmemmap does.  The head page of a folio carries the
 * folio's fields, as struct folio overlays struct page; the fields only a
 * large folio needs live in its first two tail pages, as upstream's struct
 * folio keeps _large_mapcount, _entire_mapcount, _nr_pages_mapped,
 * _pincount and the mm ids in its first tail pages (include/linux/mm_types.h).
 * 36 bytes: 9 MiB per GiB of 4K pages.
 *
 * The first tail page (order >= 1) holds: refcount, the pages mapped;
 * extra_refs, the large mapcount; mapping and pincount, the two mm id slots'
 * counts; index_lo and deferred_next, their ids (model/rmap.c).  The second
 * (order >= 2) holds: deferred_next, the deferred-split queue's back link;
 * extra_refs and refcount, the zap that queued it; mapping, the entire
 * mapcount and index_lo, the checker's PMDs seen (PMD-order folios only).
 */
struct pb_page {
	u16 flags;		/* PB_PG_* */
	u8 order;		/* order of the folio this page belongs to */
	u8 index_hi;		/* index bits 32..39 (head) */
	s32 mapcount;		/* PTEs that map this page */
	/* Folio fields, valid in the head page only. */
	u32 refcount;
	u32 pincount;
	u32 extra_refs;		/* references that are neither maps nor pins */
	union {
		/* Anon: deferred-split queue link, pfn offset + 1. */
		u32 deferred_next;
		/* File: page cache hash chain link, pfn offset + 1. */
		u32 cache_next;
	};
	u32 mapping;		/* the file whose page cache holds it, or 0 */
	/*
	 * Its first page's offset in that file, in pages, bits 0..31 (bits
	 * 32..39 in index_hi): below 2^40, as mmap sets vm_pgoff to
	 * start >> page_shift, with start below 2^52 and pages of 4K at least,
	 * and no VMA grows (mremap only moves).
	 */
	u32 index_lo;
	/* Scratch state of a walk over pages, one name per walk. */
	union {
		u32 seen_maps;	/* the checker: PTEs seen mapping the page */
		u32 pins_seen;	/* unpin: pages of the range in this folio */
	};
};

/* The file offset of a page cache folio, in pages. */
static inline u64 pb_folio_index(const struct pb_page *head)
{
	return ((u64)head->index_hi << 32) | head->index_lo;
}

static inline void pb_folio_set_index(struct pb_page *head, u64 index)
{
	head->index_lo = (u32)index;
	head->index_hi = index >> 32;
}

/* Pages of a large folio mapped at least once (_nr_pages_mapped). */
#define pb_nr_pages_mapped(head)	((head)[1].refcount)

/*
 * folio_large_mapcount(): every PTE mapping of the folio, each PMD once.  An
 * order-0 folio's is its page's mapcount, which the rmap keeps anyway, so
 * the add below leaves it alone.
 */
static inline u32 pb_folio_large_mapcount(const struct pb_page *head)
{
	return head->order ? head[1].extra_refs : (u32)head->mapcount;
}

static inline void pb_folio_large_mapcount_add(struct pb_page *head, s32 nr)
{
	if (head->order)
		head[1].extra_refs += nr;
}

/*
 * PMDs that map a PMD-order folio whole (_entire_mapcount); large_mapcount
 * counts each of them once.  The lvalue is valid for PMD-order folios only;
 * pb_folio_entire_mapcount() reads any folio's.
 */
#define pb_entire_mapcount(head)	((head)[2].mapping)

static inline u32 pb_folio_entire_mapcount(const struct pb_page *head)
{
	return head->order >= 2 ? pb_entire_mapcount(head) : 0;
}

/* The checker's PMDs seen mapping a PMD-order folio (check/check.c). */
#define pb_seen_pmds(head)		((head)[2].index_lo)

static inline u32 pb_folio_seen_pmds(const struct pb_page *head)
{
	return head->order >= 2 ? pb_seen_pmds(head) : 0;
}

#define PB_PG_ALLOCATED		BIT(0)	/* part of a live folio */
#define PB_PG_HEAD		BIT(1)
#define PB_PG_ANON_EXCLUSIVE	BIT(2)	/* per page */
#define PB_PG_ANON		BIT(3)	/* folio (head) */
#define PB_PG_DIRTY		BIT(4)	/* folio dirty (head) */
#define PB_PG_HW_DIRTIED	BIT(5)	/* written by hardware since cleaned (page) */
#define PB_PG_DEFERRED		BIT(6)	/* on the deferred-split queue (head) */
#define PB_PG_FREED		BIT(7)	/* was a folio, now free: maps are bugs */
#define PB_PG_SEEN_DIRTY	BIT(8)	/* checker scratch: mapped with dirty visible */
#define PB_PG_MM_SHARED		BIT(9)	/* FOLIO_MM_IDS_SHARED_BIT (large head) */
#define PB_PG_PARTIAL		BIT(10)	/* folio_test_partially_mapped() (head) */

struct pb_section;
struct pb_mm;

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
	/* The shared zero page: outside the arena, mapped special. */
	u64 zero_pfn;
	u64 zap_epoch;		/* odd inside a zap (model/rmap.c) */
	u32 mm_id_serial;	/* the last folio_mm_id handed to an mm */
	/*
	 * CONFIG_NO_PAGE_MAPCOUNT: the kernel keeps no per-page mapcount of
	 * a large folio, only its total (model/rmap.c).
	 */
	bool no_page_mapcount;
	bool backing;		/* real backing pages for data */
	unsigned int nr_sections;
	struct pb_section **sections;
	/* With backing pages: each section's data pointer per page. */
	void ***section_data;
	u32 deferred_head;	/* pfn offset + 1 of the first queued folio */
	u64 deferred_len;
	/* The mms sharing this arena: a parent and its fork children. */
	struct pb_mm *mms[PB_MAX_MMS];
	unsigned int nr_mms;
	/* The page cache (model/filemap.c): chains of folios by file. */
	u32 *cache_buckets;
	unsigned int cache_bits;
	unsigned int cache_max_order;	/* no cached folio is larger */
	u32 nr_files;		/* the last file id handed out */
	u64 cache_folios;	/* folios the page cache holds */
	/* Live objects of this arena, mirrored in the global counters. */
	u64 live_folios;
	u64 live_pages;
};

struct pb_phys *pb_phys_create(const struct pb_geom *g, u64 base_pfn,
			       u64 nr_pages, bool backing);
int pb_phys_attach(struct pb_phys *p, struct pb_mm *mm);
/* The last mm to detach frees the arena; its folios must be gone by then. */
void pb_phys_detach(struct pb_phys *p, struct pb_mm *mm);
/* Free the sections that hold no folio (after a failed populate). */
void pb_phys_trim(struct pb_phys *p);
typedef void (*pb_folio_fn_t)(struct pb_phys *p, u64 head_pfn,
			    struct pb_page *head, void *arg);
void pb_phys_walk_folios(struct pb_phys *p, pb_folio_fn_t fn, void *arg);

#define PB_SECTION_PAGES	BIT(PB_SECTION_SHIFT)

/*
 * 576 KiB of pages, whole pages from vmalloc; the backing data pointers of an
 * arena with backing pages are in pb_phys.section_data, beside it.
 */
struct pb_section {
	struct pb_page pages[PB_SECTION_PAGES];
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
/* Copy the data of page @from into the new page @to (backing pages only). */
void pb_page_copy(struct pb_phys *p, u64 to, u64 from);

/*
 * Split a large folio whose references are all mappings into order-0 folios;
 * 0 or -ENOMEM.
 */
int pb_folio_split(struct pb_phys *p, u64 head_pfn);

/* The page @pfn is cleaned on purpose: what it holds may be dropped. */
void pb_page_mark_clean(struct pb_phys *p, u64 pfn);

#endif /* _PB_MODEL_PHYS_H */
