/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: rendering the counters.
 */
#ifndef _PB_IFACE_STATS_H
#define _PB_IFACE_STATS_H

#include <linux/types.h>

#include "uapi/ptebatch.h"
#include "iface/reply.h"

void pb_counters_snapshot(s64 snap[PB_NR_COUNTERS]);
/* The global counters: "name value" lines. */
void pb_stats_show(struct pb_reply *r, const s64 snap[PB_NR_COUNTERS]);
/* Per-mm counters of every session, appended to the stats file. */
void pb_mm_stats_show(struct pb_reply *r);
/*
 * The stats file, rendered whole as one snapshot into a buffer sized to it
 * (at most PB_STATS_MAX bytes), or NULL when it cannot be allocated; freed
 * with pb_stats_free().
 */
struct pb_reply *pb_stats_render(void);
void pb_stats_free(struct pb_reply *r);

#endif /* _PB_IFACE_STATS_H */
