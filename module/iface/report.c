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
#include "real/kmirror.h"
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

	for (i = 0; i < rep->nr; i++) {
		const struct pb_violation_rec *v = &rep->rec[i];

		pb_reply_printf(r, "violation %s mm=%u va=0x%llx old=0x%016llx new=0x%016llx",
				pb_violation_names[v->kind], v->mm, v->va, v->old,
				v->new);
		/* A kernel mismatch: old is the model's value, new the kernel's. */
		if (v->helper)
			pb_reply_printf(r, " helper=%s field=%s", v->helper,
					v->field);
		pb_reply_printf(r, "\n");
	}
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
	/* The kernel_shadow mirror could not get a real folio: say so. */
	if (!ret && mm->kmirror && mm->kmirror->err) {
		unsigned int order = mm->kmirror->err_order;

		mm->kmirror->err = 0;
		pb_err(a, "kernel_shadow: no real folio of order %u: out of memory",
		       order);
		return -ENOMEM;
	}
	if (!ret && mm->knobs[PB_KNOB_check])
		pb_check_mm(mm);
	if (ret || !a->report.found)
		return ret;
	return pb_report_fail(a);
}
