/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the global counters (uapi's PB_COUNTER list), kept with atomics so
 * that every session and the stats file can move and read them.
 */
#ifndef _PB_LIB_COUNTERS_H
#define _PB_LIB_COUNTERS_H

#include <linux/types.h>
#include <linux/atomic.h>

#include "uapi/ptebatch.h"

extern atomic64_t pb_counters[PB_NR_COUNTERS];
extern const char *const pb_counter_names[PB_NR_COUNTERS];

static inline void pb_count(enum pb_counter c, s64 delta)
{
	atomic64_add(delta, &pb_counters[c]);
}

/* Is @c a live-object counter, which must read zero with no session open? */
bool pb_counter_is_live(enum pb_counter c);

#endif /* _PB_LIB_COUNTERS_H */
