// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the violation report of a command: the only place that lends
 * the model a report, and the only place that shows what it recorded.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "model/mm.h"
#include "model/report.h"
#include "check/check.h"
#include "iface/report.h"
#include "iface/session.h"

void pb_mm_begin(struct pb_args *a, struct pb_mm *mm)
{
	mm->report = &a->report;
}

void pb_report_lend(struct pb_args *a)
{
	unsigned int i;

	memset(&a->report, 0, sizeof(a->report));
	for (i = 0; i < PB_SESSION_MMS; i++)
		if (a->s->mms[i])
			pb_mm_begin(a, a->s->mms[i]);
}

void pb_report_return(struct pb_args *a)
{
	unsigned int i;

	for (i = 0; i < PB_SESSION_MMS; i++)
		if (a->s->mms[i])
			a->s->mms[i]->report = NULL;
}

void pb_reply_violations(struct pb_reply *r, const struct pb_report *rep)
{
	unsigned int i;

	for (i = 0; i < rep->nr; i++)
		pb_reply_printf(r, "violation %s mm=%u va=0x%llx old=0x%016llx new=0x%016llx\n",
				pb_violation_names[rep->rec[i].kind],
				rep->rec[i].mm, rep->rec[i].va, rep->rec[i].old,
				rep->rec[i].new);
}

int pb_report_fail(struct pb_args *a)
{
	u64 found = a->report.found;

	pb_reply_violations(&a->s->reply, &a->report);
	/* Listed once: a later check of another mm lists only its own. */
	a->report.nr = 0;
	a->report.found = 0;
	pb_reply_printf(&a->s->reply, "error: checker: %llu violation%s\n",
			found, found == 1 ? "" : "s");
	return -EUCLEAN;
}

int pb_mm_done(struct pb_args *a, struct pb_mm *mm, int ret)
{
	if (!ret && mm->knobs[PB_KNOB_check])
		pb_check_mm(mm);
	if (ret || !a->report.found)
		return ret;
	return pb_report_fail(a);
}
