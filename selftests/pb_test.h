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

#endif /* _PB_TEST_H */
