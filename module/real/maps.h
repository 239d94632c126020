/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the counts of task_maps, made from the entries that the walk of
 * a real process (task.c) reads under their locks.  Pure arithmetic, so the
 * native tests run it: no kernel call, no lock, no allocation.
 */
#ifndef _PB_REAL_MAPS_H
#define _PB_REAL_MAPS_H

#include <linux/types.h>

#include "uapi/ptebatch.h"

/* The most entries of a contpte block of any granule: 16K pages' 128. */
#define PB_MAPS_BLOCK_MAX	128

/* What a VMA is, as task_maps' kind= says. */
enum pb_maps_kind {
	PB_MAPS_KIND_ANON,	/* vma_is_anonymous() */
	PB_MAPS_KIND_FILE,	/* vm_file, shmem included */
	PB_MAPS_KIND_SPECIAL,	/* neither: vdso, vvar and such */
	PB_MAPS_KIND_PFNMAP,	/* VM_PFNMAP or VM_IO: not read */
	PB_MAPS_KIND_HUGETLB,	/* tables of its own: not read */
	PB_NR_MAPS_KINDS
};

#define PB_MAPS_KIND_NAMES { "anon", "file", "special", "pfnmap", "hugetlb" }

/* One PTE as the walk read it (or one page of a PMD leaf). */
struct pb_maps_pte {
	u64 pfn;
	u64 head_pfn;		/* the folio's first page, when folio */
	/* The attributes a fold compares: no output address, A/D or CONT. */
	u64 attrs;
	u8 order;
	bool present;
	bool swap;		/* not none and not present: swap, migration... */
	bool folio;		/* a live folio, as vm_normal_page() finds it */
	bool zero;		/* the shared zero page */
	bool anon;
	bool exclusive;		/* PageAnonExclusive() */
	bool young;
	bool dirty;
	bool cont;
	bool pinned;		/* folio_maybe_dma_pinned() */
	bool partially_mapped;	/* folio_test_partially_mapped() */
};

/* The counts of a VMA, or of all of them. */
struct pb_maps_stats {
	u64 key[PB_NR_MAPS_KEYS];
	/* Pieces of folios by order: PB_MAPS_HIST_<anon|file>_<full|partial>. */
	u64 hist[PB_NR_MAPS_HISTS][PB_MAX_ORDER + 1];
};

/* One VMA of task_maps' reply: the part of it in the range asked. */
struct pb_maps_vma {
	u64 start, end;
	char prot[5];		/* "rwxp" or "rw-s", as /proc/PID/maps */
	u8 kind;		/* enum pb_maps_kind */
	struct pb_maps_stats st;
};

/* The whole reply of task_maps, and the walk's room. */
struct pb_maps_result {
	u32 pid;
	unsigned int page_shift;
	unsigned int cont_ptes;	/* 0 where there is no contpte (x86) */
	unsigned int pmd_order;
	u32 nr_vmas;		/* the VMAs in the range */
	u32 listed;		/* those in vma[]: the first PB_MAPS_VMAS_MAX */
	struct pb_maps_stats total;
	struct pb_maps_vma vma[PB_MAPS_VMAS_MAX];
	/* A VMA's counts while they are made, and a block's entries. */
	struct pb_maps_stats cur;
	struct pb_maps_pte blk[PB_MAPS_BLOCK_MAX];
};

/*
 * A walk through one VMA's entries, in address order.  A run is a piece of
 * a folio: consecutive pages of it at consecutive addresses; it is full when
 * it is the whole folio.
 */
struct pb_maps_walk {
	struct pb_maps_stats *st;
	unsigned int page_shift;
	unsigned int cont_ptes;	/* entries of a contpte block, 0: none */
	bool in_run;
	u64 run_va, run_pfn, run_head;
	u64 run_pages;
	u8 run_order;
	bool run_anon;
};

/*
 * Start a VMA's walk of @pages pages into @st, counted from zero, with
 * @cont_ptes entries a contpte block (0: the granule has none) and pages of
 * 1 << @page_shift bytes.
 */
void pb_maps_begin(struct pb_maps_walk *w, struct pb_maps_stats *st,
		   unsigned int page_shift, unsigned int cont_ptes, u64 pages);
/*
 * The @nr entries from @va: a whole aligned contpte block when @nr is
 * cont_ptes and @va is aligned to it, else a piece of a block cut by the end
 * of the VMA or range (or any run of entries if cont_ptes is 0).  A folded
 * block's A/D bits are gathered into all of @e, as ptep_get() gathers them.
 */
void pb_maps_ptes(struct pb_maps_walk *w, u64 va, struct pb_maps_pte *e,
		  unsigned int nr);
/* A PMD leaf mapping @nr pages from @va: @e is its first page. */
void pb_maps_pmd(struct pb_maps_walk *w, u64 va, const struct pb_maps_pte *e,
		 unsigned int nr);
/* @nr pages the walk could not read (a PUD leaf, a bad table entry). */
void pb_maps_unread(struct pb_maps_walk *w, u64 nr);
/* End the walk: close the last run. */
void pb_maps_end(struct pb_maps_walk *w);
/* Add @from's counts to @to. */
void pb_maps_add(struct pb_maps_stats *to, const struct pb_maps_stats *from);
/*
 * Why the whole block of @e[0..@nr) is, or is not, folded: one of the
 * PB_MAPS_cont_* keys but edge, or PB_NR_MAPS_KEYS when nothing in it is
 * present.
 */
enum pb_maps_key pb_maps_block_reason(const struct pb_maps_pte *e,
				      unsigned int nr);

#endif /* _PB_REAL_MAPS_H */
