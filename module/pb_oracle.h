/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the differential oracle, batched against per-PTE.
 */
#ifndef _PB_ORACLE_H
#define _PB_ORACLE_H

#include "ptebatch.h"

struct pb_oracle_args {
	u64 seed;		/* the first seed */
	u64 seeds;		/* how many seeds, one after the other */
	u64 steps;		/* steps per seed */
	unsigned int page_kb;
	bool backing;
	bool trace;		/* one reply line per step */
};

/* Sums over the seeds that ran: [0] batched, [1] per-PTE. */
struct pb_oracle_totals {
	u64 seeds, steps;
	u64 unfolds[2], tlbis[2];
};

int pb_oracle_run(const struct pb_oracle_args *args, struct pb_reply *reply,
		  struct pb_oracle_totals *totals);

#endif /* _PB_ORACLE_H */
