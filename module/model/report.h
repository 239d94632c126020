/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: violation records.
 *
 * The model prints nothing.  A violation moves the mm's counters and, while
 * a caller has lent the mm a report, is recorded there for the caller to
 * show: the first PB_MAX_REPORTED in detail, all of them in the count.
 */
#ifndef _PB_MODEL_REPORT_H
#define _PB_MODEL_REPORT_H

#include <linux/types.h>

#include "uapi/ptebatch.h"

struct pb_mm;

struct pb_violation_rec {
	enum pb_violation kind;
	u32 mm;			/* the id of the mm it was found in */
	u64 va;			/* or, for the folio kinds, a physical address */
	u64 old, new;		/* descriptors, or expected and actual values */
	/* A kernel mismatch: the helper, and the field that differs. */
	const char *helper, *field;
};

struct pb_report {
	struct pb_violation_rec rec[PB_MAX_REPORTED];
	unsigned int nr;	/* records kept in rec[] */
	u64 found;		/* violations while the report was lent */
};

extern const char *const pb_violation_names[PB_NR_VIOLATIONS];

/* Count a violation in @mm and record it in the report @mm holds, if any. */
void pb_violation(struct pb_mm *mm, enum pb_violation v, u64 va, u64 old,
		  u64 new);
/*
 * A mismatch with the running kernel's helper (real/kmirror.c): @old is the
 * model's value, @new the kernel's.
 */
void pb_violation_kernel(struct pb_mm *mm, u64 va, u64 model, u64 kernel,
			 const char *helper, const char *field);

#endif /* _PB_MODEL_REPORT_H */
