/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: sessions.
 *
 * A session is one open() of ctl.  Its lock serialises its commands; sessions
 * share nothing but the global counters.
 */
#ifndef _PB_IFACE_SESSION_H
#define _PB_IFACE_SESSION_H

#include <linux/types.h>
#include <linux/mutex.h>

#include "uapi/ptebatch.h"
#include "lib/alloc.h"
#include "iface/reply.h"

struct pb_mm;

struct pb_session {
	struct mutex lock;		/* serialises this session's commands */
	u64 id;
	u64 nr_commands;
	struct pb_reply reply;
	/*
	 * The session's memory budget: what its commands allocate (its mms,
	 * the oracle's and bench's own), not the session and its reply.
	 */
	struct pb_account budget;
	/* Set and cleared under pb_registry_lock too, for the stats file. */
	struct pb_mm *mms[PB_SESSION_MMS];
	struct pb_session *next;
	/* The command being parsed, split in place. */
	char line[PB_CMD_MAX];
};

/*
 * A new session, or ERR_PTR(-ENFILE) when PB_SESSIONS_MAX are open, or
 * ERR_PTR(-ENOMEM).
 */
struct pb_session *pb_session_create(void);
void pb_session_destroy(struct pb_session *s);
/*
 * The registry lock, held across one rendering of the stats file: session
 * mms join and leave the registry, and fold their counters into the totals,
 * under it, so the file is one snapshot.
 */
void pb_registry_lock_stats(void);
void pb_registry_unlock_stats(void);
/* Call @fn on every live session; the caller holds the registry lock. */
void pb_sessions_walk(void (*fn)(struct pb_session *s, void *arg), void *arg);

/* The lowest free mm id of a session, or PB_SESSION_MMS. */
int pb_session_free_slot(struct pb_session *s);
void pb_session_add_mm(struct pb_session *s, struct pb_mm *mm);
/* Take @mm out of its slot and destroy it. */
void pb_session_destroy_mm(struct pb_session *s, struct pb_mm *mm);

#endif /* _PB_IFACE_SESSION_H */
