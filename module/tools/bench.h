/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: in-kernel timing of one path on a private mm.
 */
#ifndef _PB_TOOLS_BENCH_H
#define _PB_TOOLS_BENCH_H

#include <linux/types.h>

#include "model/mm.h"

#include "paths/fork.h"

int pb_bench_fork(struct pb_mm *mm, bool zap, u64 *ns, struct pb_fork_times *t,
		  u64 child_counts[PB_NR_MM_COUNTERS]);
int pb_bench_mprotect(struct pb_mm *mm, u64 *ns);
int pb_bench_zap_partial(struct pb_mm *mm, u64 stride, u64 *ns);

/* The bounds: what each op's bytes of entries cost at the least. */
enum pb_bench_bound {
	PB_BENCH_MEMCPY,	/* fork: a copy */
	PB_BENCH_MEMSET,	/* zap: a clear */
	PB_BENCH_RMW,		/* mprotect round trip: two read-modify-writes */
};

int pb_bench_bound(enum pb_bench_bound op, u64 bytes, u64 *ns);
/* The semantic floor of a fork of @mm: -ENOENT if nothing is mapped. */
int pb_bench_floor(struct pb_mm *mm, u64 *ns);

#endif /* _PB_TOOLS_BENCH_H */
