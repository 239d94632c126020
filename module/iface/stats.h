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

#endif /* _PB_IFACE_STATS_H */
