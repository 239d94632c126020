// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the one allocation helper, its fault injection and the counters.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/atomic.h>

#include "ptebatch.h"

atomic64_t pb_counters[PB_NR_COUNTERS];

const char *const pb_counter_names[PB_NR_COUNTERS] = {
	[PB_CNT_live_sessions] = "live_sessions",
	[PB_CNT_live_mms] = "live_mms",
	[PB_CNT_live_pt_pages] = "live_pt_pages",
	[PB_CNT_live_folios] = "live_folios",
	[PB_CNT_live_data_pages] = "live_data_pages",
	[PB_CNT_live_bytes] = "live_bytes",
	[PB_CNT_sessions_opened] = "sessions_opened",
	[PB_CNT_commands] = "commands",
	[PB_CNT_command_errors] = "command_errors",
	[PB_CNT_allocs] = "allocs",
	[PB_CNT_alloc_failures_injected] = "alloc_failures_injected",
};

atomic_t pb_fail_nth;

/* Consume one step of fail_nth; true when this allocation must fail. */
static bool pb_should_fail(void)
{
	int old = atomic_read(&pb_fail_nth);

	while (old > 0) {
		if (atomic_try_cmpxchg(&pb_fail_nth, &old, old - 1))
			return old == 1;
	}
	return false;
}

/*
 * Every object of the module is allocated here, so that one knob can make any
 * allocation fail and live_bytes accounts for all of them.
 */
void *pb_zalloc(size_t size)
{
	void *p;

	if (pb_should_fail()) {
		pb_count(PB_CNT_alloc_failures_injected, 1);
		return NULL;
	}
	p = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	pb_count(PB_CNT_allocs, 1);
	pb_count(PB_CNT_live_bytes, size);
	return p;
}

void pb_free(void *p, size_t size)
{
	if (!p)
		return;
	pb_count(PB_CNT_live_bytes, -(s64)size);
	kvfree(p);
}
