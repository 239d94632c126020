/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the ptebatch selftests that use the kselftest harness: run a
 * command that must succeed, count dump lines, check a rejected command.
 */
#ifndef _PB_TEST_H
#define _PB_TEST_H

#include <stdarg.h>

#include "kselftest_harness.h"
#include "pb_util.h"
#include "pb_skip.h"

/* Run a command that must succeed; an ASSERT here ends the test. */
static inline __printf(3, 4) void pb_cmd_ok(struct __test_metadata *_metadata,
					    struct pb_ctl *c, const char *fmt, ...)
{
	char line[PB_CMD_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ASSERT_EQ(0, pb_cmd(c, "%s", line)) TH_LOG("'%s': %s", line, c->reply);
}

/* In a TEST_F whose fixture has a struct pb_ctl c. */
#define CMD(...) pb_cmd_ok(_metadata, &self->c, __VA_ARGS__)

/* Set a knob that must take the value, in such a TEST_F. */
#define SET_KNOB(mm, id, val) do {					\
	enum pb_knob __knob = (id);					\
									\
	ASSERT_EQ(0, pb_set_knob(&self->c, mm, __knob, val))		\
		TH_LOG("set %s: %s", pb_knobs_info[__knob].name, self->c.reply); \
} while (0)

/* Every counter of mm @mm; a reply that does not parse ends the test. */
static inline void pb_mm_stats_ok(struct __test_metadata *_metadata,
				  struct pb_ctl *c, int mm,
				  unsigned long long v[PB_NR_MM_COUNTERS])
{
	ASSERT_EQ(0, pb_mm_stats(c, mm, v)) TH_LOG("%s", c->reply);
}

/* In such a TEST_F. */
#define MM_STATS(mm, v) pb_mm_stats_ok(_metadata, &self->c, mm, v)

/* Entries of mm's [va, va + nr pages) whose dump line has @what in it. */
static inline int pb_count_entries(struct pb_ctl *c, int mm,
				   unsigned long long va, unsigned int nr,
				   unsigned long long psize, const char *what)
{
	int count = 0;

	while (nr) {
		unsigned int n = nr > PB_DUMP_MAX ? PB_DUMP_MAX : nr;
		char *p;

		if (pb_cmd(c, "dump mm=%d va=0x%llx nr=%u", mm, va, n))
			return -1;
		for (p = c->reply; (p = strstr(p, what)); p++)
			count++;
		va += n * psize;
		nr -= n;
	}
	return count;
}

/* The part of an mm that a rejected command must leave as it was. */
struct pb_watch {
	int mm;
	unsigned long long va;
	unsigned int nr;	/* pages from va, in one dump */
};

/*
 * @cmd must fail with EINVAL and a one-line "error: " reply that contains
 * @reason, and change neither the entries @w names nor the counters of its
 * mm.  The caller's fixture chooses @w to cover what its set-up populated.
 */
static inline void pb_expect_rejected(struct __test_metadata *_metadata,
				      struct pb_ctl *c,
				      const struct pb_watch *w,
				      const char *cmd, const char *reason)
{
	static char dump[PB_REPLY_MAX + 1], stats[PB_REPLY_MAX + 1];

	ASSERT_GE(PB_DUMP_MAX, w->nr);
	ASSERT_EQ(0, pb_cmd(c, "dump mm=%d va=0x%llx nr=%u", w->mm, w->va, w->nr));
	memcpy(dump, c->reply, sizeof(dump));
	ASSERT_EQ(0, pb_cmd(c, "mm_stats mm=%d", w->mm));
	memcpy(stats, c->reply, sizeof(stats));
	EXPECT_EQ(-EINVAL, pb_cmd(c, "%s", cmd));
	EXPECT_NE(NULL, strstr(c->reply, reason))
		TH_LOG("'%s' replied: %s", cmd, c->reply);
	EXPECT_EQ(0, strncmp(c->reply, "error: ", 7));
	EXPECT_EQ(strchr(c->reply, '\n'), c->reply + strlen(c->reply) - 1);
	ASSERT_EQ(0, pb_cmd(c, "dump mm=%d va=0x%llx nr=%u", w->mm, w->va, w->nr));
	EXPECT_STREQ(dump, c->reply);
	ASSERT_EQ(0, pb_cmd(c, "mm_stats mm=%d", w->mm));
	EXPECT_STREQ(stats, c->reply);
}

#endif /* _PB_TEST_H */
