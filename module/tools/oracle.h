/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the differential oracle, batched against per-PTE.
 */
#ifndef _PB_TOOLS_ORACLE_H
#define _PB_TOOLS_ORACLE_H

#include <linux/types.h>

#include "uapi/ptebatch.h"
#include "model/report.h"
#include "tools/import.h"

/* One step, as a trace sees it: [0] batched, [1] per-PTE. */
struct pb_oracle_step {
	u64 step;
	const char *op;
	unsigned int mm;
	u64 start, end;
	unsigned int order;
	int ret;		/* the batched family's result */
	u64 unfolds[2], tlbis[2];
};

struct pb_oracle_args {
	u64 seed;		/* the first seed */
	u64 seeds;		/* how many seeds, one after the other */
	u64 steps;		/* steps per seed */
	unsigned int page_kb;
	bool backing;
	/* The kernel profile of both families (0: mainline). */
	enum pb_profile profile;
	/*
	 * NULL: each family starts as one mm with the oracle's six VMAs.
	 * Else it starts as pb_import_build() makes @src (a process's layout,
	 * or a model mm's), of its granule and VA size, in an arena of
	 * @arena_pages; the steps draw their ranges from its VMAs.
	 */
	const struct pb_import_src *src;
	u64 arena_pages;
	bool no_page_mapcount;	/* with @src; else the profile's default */
	/* Called after every step when set. */
	void (*trace)(const struct pb_oracle_step *step, void *arg);
	void *trace_arg;
};

/* The logical view of one PTE, the same whatever the batching. */
struct pb_oracle_view {
	bool present, valid, write, uffd_wp, soft_dirty;
	u64 folio_idx;		/* page within its folio */
	unsigned int order;
	u32 refcount, mapcount, large_mapcount, pincount;
	u32 entire_mapcount;
	bool pmd;		/* mapped by a PMD leaf */
	bool exclusive;
	u64 data;
};

enum pb_oracle_fail {
	PB_ORACLE_OK,
	PB_ORACLE_NR_MMS,	/* the families hold a and b mms */
	PB_ORACLE_NR_VMAS,	/* mm holds a and b VMAs */
	PB_ORACLE_VMAS,		/* the VMAs at va differ */
	PB_ORACLE_VIEW,		/* the PTE at va differs: views[] */
	PB_ORACLE_VIOLATIONS,	/* the checker found violations in family a */
	PB_ORACLE_UNFOLDS,	/* batched made a unfolds, per-PTE b */
	PB_ORACLE_TLBIS,	/* batched made a TLB invalidations, per-PTE b */
	PB_ORACLE_RESULTS,	/* the step returned a (batched) and b */
};

struct pb_oracle_mismatch {
	enum pb_oracle_fail kind;
	u64 seed, step;
	const char *op;
	unsigned int mm;
	u64 va;
	s64 a, b;
	struct pb_oracle_view views[2];
};

struct pb_oracle_result {
	/* Sums over the seeds that ran: [0] batched, [1] per-PTE. */
	u64 seeds, steps;
	u64 unfolds[2], tlbis[2];
	/* PTE comparisons whose write bits differed in a shared VMA, excused. */
	u64 shared_write_excused;
	/* With a @src: what each family's first mm was made of it. */
	struct pb_import_result import;
	/* The first mismatch (-EUCLEAN), and the violations behind it. */
	struct pb_oracle_mismatch mismatch;
	struct pb_report report;
};

/*
 * Run @args->seeds seeds from @args->seed.  0; -EUCLEAN on a mismatch,
 * described in @res; -ENOENT if @args->src gave no VMA (res->import says
 * why); or an errno of the model (-ENOMEM).
 */
int pb_oracle_run(const struct pb_oracle_args *args,
		  struct pb_oracle_result *res);

#endif /* _PB_TOOLS_ORACLE_H */
