/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the violation report of a command, and its ending.
 *
 * While a command runs, every mm of its session holds the command's report
 * (pb_args.report), so the model records each violation it finds there.
 */
#ifndef _PB_IFACE_REPORT_H
#define _PB_IFACE_REPORT_H

#include "iface/parse.h"
#include "iface/reply.h"

struct pb_mm;

/* Lend the report of @a to @mm (every session mm already has it). */
void pb_mm_begin(struct pb_args *a, struct pb_mm *mm);
/* Before and after a command: lend the report to every mm, then take it back. */
void pb_report_lend(struct pb_args *a);
void pb_report_return(struct pb_args *a);

/* The recorded violations as reply lines. */
void pb_reply_violations(struct pb_reply *r, const struct pb_report *rep);
/*
 * After a command on @mm: run the checker if the mm's check knob is on, and
 * fail with -EUCLEAN, listing them, if the command found violations.
 */
int pb_mm_done(struct pb_args *a, struct pb_mm *mm, int ret);
/* List the violations found and fail with -EUCLEAN. */
int pb_report_fail(struct pb_args *a);

#endif /* _PB_IFACE_REPORT_H */
