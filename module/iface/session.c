// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: sessions, the registry of live sessions, and each session's mm
 * slots.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/mutex.h>

#include "lib/alloc.h"
#include "lib/counters.h"
#include "model/mm.h"
#include "paths/zap.h"
#include "iface/session.h"

static atomic64_t pb_next_session_id;

/* Every live session, for the per-mm part of the stats file. */
static DEFINE_MUTEX(pb_registry_lock);
static struct pb_session *pb_sessions;
/* Sessions open or being opened, at most PB_SESSIONS_MAX. */
static atomic_t pb_nr_sessions;

/* The lowest free mm id of a session, or PB_SESSION_MMS. */
int pb_session_free_slot(struct pb_session *s)
{
	int id;

	for (id = 0; id < PB_SESSION_MMS && s->mms[id]; id++)
		;
	return id;
}

void pb_session_add_mm(struct pb_session *s, struct pb_mm *mm)
{
	mutex_lock(&pb_registry_lock);
	s->mms[mm->id] = mm;
	mutex_unlock(&pb_registry_lock);
}

/*
 * The mm is zapped while the stats file still lists it, then taken out of its
 * slot and freed, its counters going to the totals, in one step under the
 * registry lock: a reader of stats never sees them in neither place.
 */
void pb_session_destroy_mm(struct pb_session *s, struct pb_mm *mm)
{
	pb_mm_teardown(mm);
	mutex_lock(&pb_registry_lock);
	s->mms[mm->id] = NULL;
	pb_mm_free(mm);
	mutex_unlock(&pb_registry_lock);
}

struct pb_session *pb_session_create(void)
{
	struct pb_session *s;
	int n = atomic_read(&pb_nr_sessions);

	/* Checked before anything is allocated: a full table costs nothing. */
	do {
		if (n >= PB_SESSIONS_MAX)
			return ERR_PTR(-ENFILE);
	} while (!atomic_try_cmpxchg(&pb_nr_sessions, &n, n + 1));
	s = pb_zalloc(sizeof(*s));
	if (!s)
		goto fail;
	/* A reply of PB_REPLY_MAX bytes fits, with vsnprintf()'s NUL after it. */
	s->reply.buf = pb_vzalloc(PB_REPLY_MAX + 1);
	if (!s->reply.buf) {
		pb_free(s, sizeof(*s));
		goto fail;
	}
	s->reply.size = PB_REPLY_MAX + 1;
	pb_account_init(&s->budget, atomic64_read(&pb_budget_bytes) /
			PB_SESSION_BUDGET_DIVISOR);
	mutex_init(&s->lock);
	s->id = atomic64_inc_return(&pb_next_session_id);
	mutex_lock(&pb_registry_lock);
	s->next = pb_sessions;
	pb_sessions = s;
	mutex_unlock(&pb_registry_lock);
	pb_count(PB_CNT_live_sessions, 1);
	pb_count(PB_CNT_sessions_opened, 1);
	return s;
fail:
	atomic_dec(&pb_nr_sessions);
	return ERR_PTR(-ENOMEM);
}

static void pb_session_release_mms(struct pb_session *s)
{
	unsigned int i;

	/* Any order: an arena goes with the last mm that uses it. */
	for (i = PB_SESSION_MMS; i-- > 0;)
		if (s->mms[i])
			pb_session_destroy_mm(s, s->mms[i]);
}

void pb_session_destroy(struct pb_session *s)
{
	struct pb_session **link;

	mutex_lock(&pb_registry_lock);
	for (link = &pb_sessions; *link != s; link = &(*link)->next)
		;
	*link = s->next;
	mutex_unlock(&pb_registry_lock);
	/* The mms' memory goes back to the session budget it came from. */
	pb_account_enter(&s->budget);
	pb_session_release_mms(s);
	pb_account_leave(&s->budget);
	mutex_destroy(&s->lock);
	pb_vfree(s->reply.buf, s->reply.size);
	pb_free(s, sizeof(*s));
	pb_count(PB_CNT_live_sessions, -1);
	atomic_dec(&pb_nr_sessions);
}

void pb_registry_lock_stats(void)
{
	mutex_lock(&pb_registry_lock);
}

void pb_registry_unlock_stats(void)
{
	mutex_unlock(&pb_registry_lock);
}

void pb_sessions_walk(void (*fn)(struct pb_session *s, void *arg), void *arg)
{
	struct pb_session *s;

	lockdep_assert_held(&pb_registry_lock);
	for (s = pb_sessions; s; s = s->next)
		fn(s, arg);
}
