/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: shared declarations.
 *
 * Everything declared here builds both in the kernel and, against the shims in
 * selftests/native/shim, as an ordinary Linux program.
 */
#ifndef _PTEBATCH_H
#define _PTEBATCH_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/mutex.h>

#define PTEBATCH_VERSION	"0.1.0"

/* A command line, as written to ctl, is at most this long. */
#define PB_CMD_MAX		4096
/* The reply to one command is at most this long. */
#define PB_REPLY_MAX		(64 * 1024)

/*
 * Global counters, shown in the stats file in this order.  The live-object
 * counters (live_*) must read zero when no session is open.
 */
enum pb_counter {
	PB_CNT_live_sessions,
	PB_CNT_live_mms,
	PB_CNT_live_pt_pages,
	PB_CNT_live_folios,
	PB_CNT_live_data_pages,
	PB_CNT_live_bytes,
	PB_CNT_sessions_opened,
	PB_CNT_commands,
	PB_CNT_command_errors,
	PB_CNT_allocs,
	PB_CNT_alloc_failures_injected,
	PB_NR_COUNTERS
};

extern atomic64_t pb_counters[PB_NR_COUNTERS];
extern const char *const pb_counter_names[PB_NR_COUNTERS];

static inline void pb_count(enum pb_counter c, s64 delta)
{
	atomic64_add(delta, &pb_counters[c]);
}

/* Fault injection: the Nth allocation from now fails, once (0: off). */
extern atomic_t pb_fail_nth;

void *pb_zalloc(size_t size);
void pb_free(void *p, size_t size);

/* A reply: the answer to a command, or a rendering of the stats file. */
struct pb_reply {
	char *buf;
	size_t len;
	size_t size;
	bool overflow;
};

__printf(2, 3) void pb_reply_printf(struct pb_reply *r, const char *fmt, ...);
void pb_reply_reset(struct pb_reply *r);

/*
 * A session is one open() of ctl.  Its lock serialises its commands; sessions
 * share nothing but the global counters.
 */
struct pb_mm;

#define PB_SESSION_MMS	16

struct pb_session {
	struct mutex lock;		/* serialises this session's commands */
	u64 id;
	u64 nr_commands;
	struct pb_reply reply;
	/* Set and cleared under pb_registry_lock too, for the stats file. */
	struct pb_mm *mms[PB_SESSION_MMS];
	struct pb_session *next;
	/* The command being parsed, split in place. */
	char line[PB_CMD_MAX];
};

struct pb_session *pb_session_create(void);
void pb_session_destroy(struct pb_session *s);
int pb_session_exec(struct pb_session *s, const char *line, size_t len);

void pb_counters_snapshot(s64 *snap);
void pb_stats_show(struct pb_reply *r, const s64 *snap);
/* Per-mm counters of every session, appended to the stats file. */
void pb_mm_stats_show(struct pb_reply *r);
void pb_session_release_mms(struct pb_session *s);
extern struct mutex pb_registry_lock;
void pb_sessions_walk(void (*fn)(struct pb_session *s, void *arg), void *arg);
/* The stats file's buffer: room for the counters of many mms. */
#define PB_STATS_MAX	(1024 * 1024)

#endif /* _PTEBATCH_H */
