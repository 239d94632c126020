/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the ptebatch selftests that use the kselftest harness: run a
 * command that must succeed, read an mm counter, count dump lines.
 */
#ifndef _PB_TEST_H
#define _PB_TEST_H

#include <stdarg.h>

#include "kselftest_harness.h"
#include "pb_util.h"

/* Run a command that must succeed; an ASSERT here ends the test. */
static inline __printf(3, 4) void pb_cmd_ok(struct __test_metadata *_metadata,
					    struct pb_ctl *c, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ASSERT_EQ(0, pb_cmd(c, "%s", line)) TH_LOG("'%s': %s", line, c->reply);
}

/* In a TEST_F whose fixture has a struct pb_ctl c. */
#define CMD(...) pb_cmd_ok(_metadata, &self->c, __VA_ARGS__)

/* A counter of mm @mm from mm_stats, or -1. */
static inline long long pb_mm_counter(struct pb_ctl *c, int mm, const char *name)
{
	if (pb_cmd(c, "mm_stats mm=%d", mm))
		return -1;
	return pb_lookup(c->reply, name);
}

/* Entries of mm's [va, va + nr pages) whose dump line has @what in it. */
static inline int pb_count_entries(struct pb_ctl *c, int mm,
				   unsigned long long va, unsigned int nr,
				   unsigned long long psize, const char *what)
{
	int count = 0;

	while (nr) {
		unsigned int n = nr > 512 ? 512 : nr;
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

/*
 * @cmd must fail with EINVAL and a one-line "error: " reply that contains
 * @reason, and change neither the page table at 0x40000000 of mm 0 nor its
 * counters.
 */
static inline void pb_expect_rejected(struct __test_metadata *_metadata,
				      struct pb_ctl *c, const char *cmd,
				      const char *reason)
{
	static char dump[PB_REPLY_MAX + 1], stats[PB_REPLY_MAX + 1];

	ASSERT_EQ(0, pb_cmd(c, "dump mm=0 va=0x40000000 nr=64"));
	memcpy(dump, c->reply, sizeof(dump));
	ASSERT_EQ(0, pb_cmd(c, "mm_stats mm=0"));
	memcpy(stats, c->reply, sizeof(stats));
	EXPECT_EQ(-EINVAL, pb_cmd(c, "%s", cmd));
	EXPECT_NE(NULL, strstr(c->reply, reason))
		TH_LOG("'%s' replied: %s", cmd, c->reply);
	EXPECT_EQ(0, strncmp(c->reply, "error: ", 7));
	EXPECT_EQ(strchr(c->reply, '\n'), c->reply + strlen(c->reply) - 1);
	ASSERT_EQ(0, pb_cmd(c, "dump mm=0 va=0x40000000 nr=64"));
	EXPECT_STREQ(dump, c->reply);
	ASSERT_EQ(0, pb_cmd(c, "mm_stats mm=0"));
	EXPECT_STREQ(stats, c->reply);
}

#endif /* _PB_TEST_H */
