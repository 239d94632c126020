// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the global counters and their names, from uapi's PB_COUNTER list.
 */
#include <linux/string.h>

#include "lib/counters.h"

atomic64_t pb_counters[PB_NR_COUNTERS];

const char *const pb_counter_names[PB_NR_COUNTERS] = {
#define PB_COUNTER(name)	\
	[PB_CNT_##name] = #name,
#include "uapi/ptebatch_names.h"
};

bool pb_counter_is_live(enum pb_counter c)
{
	return !strncmp(pb_counter_names[c], "live_", 5);
}
