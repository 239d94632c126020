// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: violation counting and records.
 */
#include <linux/kernel.h>
#include <linux/build_bug.h>

#include "model/mm.h"
#include "model/report.h"

const char *const pb_violation_names[PB_NR_VIOLATIONS] = {
#define PB_VIOLATION(name)	\
	[PB_V_##name] = #name,
#include "uapi/ptebatch_names.h"
};

static void pb_violation_record(struct pb_mm *mm, enum pb_violation v, u64 va,
				u64 old, u64 new, const char *helper,
				const char *field)
{
	struct pb_report *r = mm->report;

	/* violations_<kind> must follow the kinds' order, from the first. */
#define PB_VIOLATION(name) {					\
	BUILD_BUG_ON(PB_MMC_violations_misprogrammed + PB_V_##name !=	\
		     PB_MMC_violations_##name);				\
}

#include "uapi/ptebatch_names.h"
	pb_mm_count(mm, PB_MMC_violations, 1);
	pb_mm_count(mm, PB_MMC_violations_misprogrammed + v, 1);
	if (!r)
		return;
	r->found++;
	if (r->nr < PB_MAX_REPORTED) {
		r->rec[r->nr].kind = v;
		r->rec[r->nr].mm = mm->id;
		r->rec[r->nr].va = va;
		r->rec[r->nr].old = old;
		r->rec[r->nr].new = new;
		r->rec[r->nr].helper = helper;
		r->rec[r->nr].field = field;
		r->nr++;
	}
}

void pb_violation(struct pb_mm *mm, enum pb_violation v, u64 va, u64 old,
		  u64 new)
{
	pb_violation_record(mm, v, va, old, new, NULL, NULL);
}

void pb_violation_kernel(struct pb_mm *mm, u64 va, u64 model, u64 kernel,
			 const char *helper, const char *field)
{
	pb_mm_count(mm, PB_MMC_kernel_mismatches, 1);
	pb_violation_record(mm, PB_V_kernel, va, model, kernel, helper, field);
}
