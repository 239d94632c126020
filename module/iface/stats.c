// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the stats file, and the counters the stats command shows.
 */
#include <linux/kernel.h>

#include "lib/alloc.h"
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

/* The most digits a counter value printed with %llu or %lld can take. */
#define PB_VALUE_DIGITS	20

/*
 * The stats file is measured first, then rendered into a buffer of that
 * size, both under the registry lock, so that no session mm comes or goes
 * in between.  The counters of live mms can still move (their commands do
 * not take the lock), so each line gets room for a value of the most
 * digits: the rendering can only be shorter.
 */
struct pb_reply *pb_stats_render(void)
{
	struct pb_reply m = { }, *r = NULL;
	s64 snap[PB_NR_COUNTERS];
	size_t size;

	pb_registry_lock_stats();
	pb_counters_snapshot(snap);
	pb_stats_show(&m, snap);
	pb_mm_stats_show(&m);
	size = min_t(size_t, m.len + m.lines * PB_VALUE_DIGITS + 1, PB_STATS_MAX);
	/* The reply and its text in one buffer, past the budget if need be. */
	r = pb_vzalloc_unbudgeted(sizeof(*r) + size);
	if (r) {
		r->buf = (char *)(r + 1);
		r->size = size;
		pb_stats_show(r, snap);
		pb_mm_stats_show(r);
	}
	pb_registry_unlock_stats();
	return r;
}

void pb_stats_free(struct pb_reply *r)
{
	if (r)
		pb_vfree(r, sizeof(*r) + r->size);
}
