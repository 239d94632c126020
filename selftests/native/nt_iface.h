/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the interface tests add to pb_native.h: the interface's headers, and
 * helpers to run ctl commands in a session and read their replies.  Only the
 * test_iface_* programs include this file; they link libiface.a.
 */
#ifndef _NT_IFACE_H
#define _NT_IFACE_H

#include "pb_native.h"

#include "iface/commands.h"
#include "iface/exec.h"
#include "iface/format.h"
#include "iface/parse.h"
#include "iface/reply.h"
#include "iface/report.h"
#include "iface/session.h"
#include "iface/stats.h"

/* Run one ctl command in @s; its result, with the reply in s->reply. */
static inline __printf(2, 3) int nt_run(struct pb_session *s, const char *fmt, ...)
{
	char line[PB_CMD_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return pb_session_exec(s, line, strlen(line));
}

/* The number after "@key " at the start of a line of the reply, or -1. */
static inline long long nt_reply_val(struct pb_session *s, const char *key)
{
	size_t len = strlen(key);
	const char *p = s->reply.buf;

	while (p && *p) {
		if (!strncmp(p, key, len) && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 0);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* The reply is one "error: " line, as every failing command must give. */
static inline bool nt_one_error_line(const struct pb_reply *r)
{
	const char *nl = strchr(r->buf, '\n');

	return !strncmp(r->buf, "error: ", 7) && nl && !nl[1] &&
	       strlen(r->buf) == r->len;
}

/* A counter or state value of mm @id, from mm_stats; -1 if it is not there. */
static inline long long nt_mm_stat(struct pb_session *s, int id,
				   enum pb_mm_counter c)
{
	if (nt_run(s, "mm_stats mm=%d", id))
		return -1;
	return nt_reply_val(s, pb_mm_counter_names[c]);
}

/* The names of an mm's state lines in mm_stats, from the UAPI's list. */
static const char *const nt_mm_state_names[PB_NR_MM_STATE] = {
#define PB_MM_STATE(name)	\
	[PB_MMS_##name] = #name,
#include "uapi/ptebatch_names.h"
};

/*
 * A session in *@sp whose mm 0 (made with @create, e.g. "page_kb=4
 * backing=1") has one anon VMA of @vma_len bytes at NT_VA, the first
 * @populated bytes of it populated with folios of @order.  *@sp is set first,
 * so that the teardown frees what a failed step left.
 */
static inline void nt_session_setup(struct __test_metadata *_metadata,
				    struct pb_session **sp, const char *create,
				    u64 vma_len, u64 populated, unsigned int order)
{
	struct pb_session *s = pb_session_create();

	*sp = IS_ERR(s) ? NULL : s;
	ASSERT_FALSE(IS_ERR(s));
	ASSERT_EQ(0, nt_run(s, "mm_create %s", create)) TH_LOG("%s", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "mmap mm=0 start=0x%llx len=0x%llx flags=r,w,anon",
			    NT_VA, vma_len)) TH_LOG("%s", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "populate mm=0 va=0x%llx len=0x%llx order=%u",
			    NT_VA, populated, order)) TH_LOG("%s", s->reply.buf);
}

/* The fixture teardown of a session test: all of it gone, nothing leaked. */
static inline void nt_session_teardown(struct __test_metadata *_metadata,
				       struct pb_session *s)
{
	if (s)
		pb_session_destroy(s);
	atomic_set(&pb_fail_nth, 0);
	nt_check_leaks(_metadata);
}

#endif /* _NT_IFACE_H */
