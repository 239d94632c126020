/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the kernel oracle: seeded random contpte helper sequences on a
 * private mm, in lockstep with the running kernel's helpers.
 */
#ifndef _PB_TOOLS_KORACLE_H
#define _PB_TOOLS_KORACLE_H

#include <linux/types.h>

#include "uapi/ptebatch.h"
#include "model/report.h"

struct pb_koracle_args {
	u64 seed;		/* the first seed */
	u64 seeds;		/* how many seeds, one after the other */
	u64 steps;		/* steps per seed */
	unsigned int pa_bits;	/* of the model mm: 48 or 52 */
	u64 base_pfn;		/* of its arena: a multiple of CONT_PTES */
	/* Mutation knobs to turn on in each seed's mm (their help: "mutation:"). */
	bool mutations[PB_NR_KNOBS];
};

struct pb_koracle_result {
	u64 seeds, steps;	/* that ran */
	u64 compares, mismatches;
	/* The first mismatch (-EUCLEAN): where, and its records. */
	u64 seed, step;
	const char *op;
	struct pb_report report;
	/* Why it could not run (-EOPNOTSUPP, -EINVAL, -ENOMEM). */
	const char *why;
};

/*
 * Run @args->seeds seeds from @args->seed: 0; -EUCLEAN at the first step
 * with a mismatch; or -EOPNOTSUPP, -EINVAL or -ENOMEM with @res->why.
 */
int pb_koracle_run(const struct pb_koracle_args *args,
		   struct pb_koracle_result *res);

#endif /* _PB_TOOLS_KORACLE_H */
