/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: a page and a folio as dump and folio show them, whoever mapped
 * them.
 *
 * The model's private mms and a real process (real/task.c) both fill these
 * records, and iface/format.c prints them with one formatter, so that the
 * lines of dump and task_dump, and of folio and task_folio, cannot drift
 * apart.  Flags are decoded into the neutral PB_VF_* bits by whoever knows
 * the descriptor's layout: the model's arm64 one here, the running kernel's
 * (arm64 or x86) in real/.
 */
#ifndef _PB_MODEL_VIEW_H
#define _PB_MODEL_VIEW_H

#include <linux/types.h>
#include <linux/bits.h>

#include "model/desc.h"

struct pb_mm;

/* The flags a dump line names, in its order (iface/format.c has the names). */
enum pb_view_flag {
	PB_VF_V,	/* valid (arm64), present (x86) */
	PB_VF_U,	/* user: AP[1], _PAGE_USER */
	PB_VF_RO,	/* a hardware write faults: AP[2], !_PAGE_RW */
	PB_VF_AF,	/* accessed */
	PB_VF_NG,	/* not global (arm64) */
	PB_VF_DBM,	/* arm64 DBM, the software write bit */
	PB_VF_CONT,	/* arm64 contiguous hint */
	PB_VF_PXN,
	PB_VF_UXN,
	PB_VF_D,	/* arm64 PTE_DIRTY (software); x86 Dirty or SavedDirty */
	PB_VF_SP,	/* special: no struct page to count */
	PB_VF_SD,	/* soft-dirty */
	PB_VF_WP,	/* uffd-wp */
	PB_VF_NX,	/* x86 no-execute */
	PB_NR_VF
};

/* Not valid, but present: the whole line says PROTNONE. */
#define PB_VF_PROTNONE		BIT(PB_NR_VF)

/* One page, as a dump line shows it. */
struct pb_page_view {
	u64 va;
	/*
	 * The entry itself, not gathered over a contpte block.  A page that a
	 * PMD leaf maps shows the leaf with the page's output address, as its
	 * PTE would be after a split (pmd set).
	 */
	u64 desc;
	u64 pfn;
	u64 head_pfn;		/* the folio's first page, when folio */
	u32 flags;		/* BIT(PB_VF_*), or PB_VF_PROTNONE */
	u8 order;
	bool present;		/* else the line says none */
	bool folio;		/* the PFN is a page of a live folio */
	bool pmd;
};

/* The folio that maps one page, as folio shows it. */
struct pb_folio_view {
	u64 pfn;
	u64 head_pfn;
	u64 index;		/* the page's index in its file, or 0 */
	u32 order;
	u32 refcount;
	s32 mapcount;		/* this page's PTE mappings */
	u32 large_mapcount;	/* the folio's mappings, a PMD counting one */
	u32 pincount;
	u32 entire_mapcount;
	u32 file;		/* the page cache's file, or 0 */
	bool anon;
	bool exclusive;		/* this page's (a PMD mapping: the head's) */
	bool deferred;		/* on the deferred-split queue */
	bool dirty;
	bool pmd;
	bool partially_mapped;
};

/* Why a page has no folio to show, the same for an mm and a process. */
enum pb_view_miss {
	PB_VIEW_OK,
	PB_VIEW_NOTHING,	/* nothing mapped */
	PB_VIEW_ZERO,		/* the zero page or the huge zero folio */
	PB_VIEW_NO_FOLIO,	/* a special or not-refcounted page */
};

/* The PB_VF_* flags of a descriptor of the model's (arm64) layout. */
u32 pb_view_pte_flags(pb_pte_t pte);
/* The page at the page-aligned @va of @mm. */
void pb_view_page(struct pb_mm *mm, u64 va, struct pb_page_view *v);
/* The folio mapped at @va of @mm, or why there is none. */
enum pb_view_miss pb_view_folio(struct pb_mm *mm, u64 va,
				struct pb_folio_view *v);

#endif /* _PB_MODEL_VIEW_H */
