// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the stats file, and the counters the stats command shows.
 */
#include <linux/kernel.h>

#include "lib/counters.h"
#include "model/mm.h"
#include "iface/reply.h"
#include "iface/session.h"
#include "iface/stats.h"

void pb_counters_snapshot(s64 snap[PB_NR_COUNTERS])
{
	int i;

	for (i = 0; i < PB_NR_COUNTERS; i++)
		snap[i] = atomic64_read(&pb_counters[i]);
}

void pb_stats_show(struct pb_reply *r, const s64 snap[PB_NR_COUNTERS])
{
	int i;

	for (i = 0; i < PB_NR_COUNTERS; i++)
		pb_reply_printf(r, "%s %lld\n", pb_counter_names[i],
				(long long)snap[i]);
}

static void pb_show_session_mms(struct pb_session *s, void *arg)
{
	struct pb_reply *r = arg;
	unsigned int i, c;

	for (i = 0; i < PB_SESSION_MMS; i++) {
		struct pb_mm *mm = s->mms[i];

		if (!mm)
			continue;
		for (c = 0; c < PB_NR_MM_COUNTERS; c++)
			pb_reply_printf(r, "mm.%llu.%u.%s %llu\n", s->id, i,
					pb_mm_counter_names[c],
					READ_ONCE(mm->counters[c]));
	}
}

static void pb_sum_session_mms(struct pb_session *s, void *arg)
{
	u64 *sums = arg;
	unsigned int i, c;

	for (i = 0; i < PB_SESSION_MMS; i++)
		for (c = 0; s->mms[i] && c < PB_NR_MM_COUNTERS; c++)
			sums[c] += READ_ONCE(s->mms[i]->counters[c]);
}

/*
 * The per-mm counters summed over every mm there has been (total.<counter>),
 * then each live session mm's own (mm.<session>.<mm>.<counter>).  The caller
 * holds the registry lock.
 */
void pb_mm_stats_show(struct pb_reply *r)
{
	u64 sums[PB_NR_MM_COUNTERS];
	unsigned int c;

	for (c = 0; c < PB_NR_MM_COUNTERS; c++)
		sums[c] = atomic64_read(&pb_mm_totals[c]);
	pb_sessions_walk(pb_sum_session_mms, sums);
	for (c = 0; c < PB_NR_MM_COUNTERS; c++)
		pb_reply_printf(r, "total.%s %llu\n", pb_mm_counter_names[c], sums[c]);
	pb_sessions_walk(pb_show_session_mms, r);
}
