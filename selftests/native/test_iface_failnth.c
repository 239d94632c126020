// SPDX-License-Identifier: GPL-2.0
/*
 * fail_nth swept over every allocation of each command of failnth_cmds.h,
 * natively: for nth = 1, 2, ... each attempt (in a fresh session, from the
 * same starting state) must fail with ENOMEM and a one-line reason, leave
 * every live counter where it was and the checker clean on every mm, and a
 * retry without fail_nth must succeed; the sweep ends at the first nth that
 * the command does not reach.  Nothing may stay, not even the page tables
 * taken before the failure (Documentation/model.rst, "Commands").  The guests
 * run the same list (failnth_test).
 */
#include "nt_iface.h"
#include "../failnth_cmds.h"

/* A sweep that never ends is a command that allocates without bound. */
#define FN_MAX_POINTS	20000

static const enum pb_counter fn_live[] = {
	PB_CNT_live_sessions, PB_CNT_live_mms, PB_CNT_live_pt_pages,
	PB_CNT_live_folios, PB_CNT_live_data_pages, PB_CNT_live_bytes,
	PB_CNT_live_kernel_folios,
};

static void fn_live_read(s64 v[ARRAY_SIZE(fn_live)])
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fn_live); i++)
		v[i] = atomic64_read(&pb_counters[fn_live[i]]);
}

static struct pb_session *fn_start(struct __test_metadata *_metadata,
				   const struct fn_cmd *fc)
{
	struct pb_session *s = pb_session_create();
	unsigned int i;

	if (IS_ERR(s))
		return NULL;
	for (i = 0; i < FN_MAX_SETUP && fc->setup[i]; i++)
		EXPECT_EQ(0, nt_run(s, "%s", fc->setup[i])) TH_LOG("%s", s->reply.buf);
	return s;
}

/* The checker finds nothing on any mm of the session. */
static void fn_check_all(struct __test_metadata *_metadata, struct pb_session *s,
			 const struct fn_cmd *fc, unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < PB_SESSION_MMS; i++)
		if (s->mms[i])
			EXPECT_EQ(0, nt_run(s, "check mm=%u", i))
				TH_LOG("%s, nth %u, mm %u: %s", fc->name, nth, i, s->reply.buf);
}

FIXTURE(fn) {
	int unused;
};

FIXTURE_VARIANT(fn) {
	unsigned int idx;
};

FIXTURE_VARIANT_ADD(fn, mm_create) { .idx = 0 };
FIXTURE_VARIANT_ADD(fn, mmap) { .idx = 1 };
FIXTURE_VARIANT_ADD(fn, populate) { .idx = 2 };
FIXTURE_VARIANT_ADD(fn, populate_per_pte) { .idx = 3 };
FIXTURE_VARIANT_ADD(fn, fork) { .idx = 4 };
FIXTURE_VARIANT_ADD(fn, touch_cow) { .idx = 5 };
FIXTURE_VARIANT_ADD(fn, mprotect) { .idx = 6 };
FIXTURE_VARIANT_ADD(fn, munmap) { .idx = 7 };
FIXTURE_VARIANT_ADD(fn, touch_new) { .idx = 8 };
FIXTURE_VARIANT_ADD(fn, mremap) { .idx = 9 };
FIXTURE_VARIANT_ADD(fn, oracle) { .idx = 10 };
FIXTURE_VARIANT_ADD(fn, oracle_backing) { .idx = 11 };

FIXTURE_SETUP(fn)
{
	ASSERT_EQ(ARRAY_SIZE(fn_cmds), 12);
}

FIXTURE_TEARDOWN(fn)
{
	atomic_set(&pb_fail_nth, 0);
	nt_check_leaks(_metadata);
}

TEST_F_TIMEOUT(fn, every_allocation_fails_cleanly, 600)
{
	const struct fn_cmd *fc = &fn_cmds[variant->idx];
	s64 before[ARRAY_SIZE(fn_live)], after[ARRAY_SIZE(fn_live)];
	s64 injected, allocs, made = 0;
	unsigned int nth, i, points = 0;
	struct pb_session *s;
	int ret = -1;

	for (nth = 1; nth <= FN_MAX_POINTS; nth++) {
		s = fn_start(_metadata, fc);
		ASSERT_NE(NULL, s);
		fn_live_read(before);
		injected = atomic64_read(&pb_counters[PB_CNT_alloc_failures_injected]);
		allocs = atomic64_read(&pb_counters[PB_CNT_allocs]);
		atomic_set(&pb_fail_nth, nth);
		ret = nt_run(s, "%s", fc->cmd);
		if (!ret) {
			/* Done: the command made fewer than nth allocations. */
			made = atomic64_read(&pb_counters[PB_CNT_allocs]) - allocs;
			EXPECT_LT(0, atomic_read(&pb_fail_nth));
			EXPECT_EQ(nth - made, atomic_read(&pb_fail_nth));
			atomic_set(&pb_fail_nth, 0);
			fn_check_all(_metadata, s, fc, nth);
			pb_session_destroy(s);
			break;
		}
		points++;
		atomic_set(&pb_fail_nth, 0);
		EXPECT_EQ(-ENOMEM, ret) TH_LOG("%s, nth %u: %s", fc->name, nth, s->reply.buf);
		EXPECT_TRUE(nt_one_error_line(&s->reply)) TH_LOG("%s", s->reply.buf);
		EXPECT_NE(NULL, strstr(s->reply.buf, "out of memory"))
			TH_LOG("%s, nth %u: %s", fc->name, nth, s->reply.buf);
		EXPECT_EQ(injected + 1,
			  atomic64_read(&pb_counters[PB_CNT_alloc_failures_injected]));
		fn_live_read(after);
		for (i = 0; i < ARRAY_SIZE(fn_live); i++) {
			EXPECT_EQ(before[i], after[i]) {
				TH_LOG("%s, nth %u: %s %lld, was %lld", fc->name, nth,
				       pb_counter_names[fn_live[i]],
				       (long long)after[i], (long long)before[i]);
			}
		}
		fn_check_all(_metadata, s, fc, nth);
		/* The same command, with memory, succeeds on what is left. */
		EXPECT_EQ(0, nt_run(s, "%s", fc->cmd))
			TH_LOG("%s retry after nth %u: %s", fc->name, nth, s->reply.buf);
		fn_check_all(_metadata, s, fc, nth);
		pb_session_destroy(s);
		if (ret != -ENOMEM || _metadata->exit_code == KSFT_FAIL)
			break;
	}
	EXPECT_EQ(0, ret) TH_LOG("%s: %s", fc->name, "no success");
	/* Every allocation of the successful attempt was failed once. */
	EXPECT_EQ(made, points);
	ksft_print_msg("fail_nth %s: %u points swept\n", fc->name, points);
}

TEST_HARNESS_MAIN
