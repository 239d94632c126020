// SPDX-License-Identifier: GPL-2.0
/*
 * fail_nth swept over every allocation of each command, in the guest: the
 * model commands of failnth_cmds.h (also swept natively, in
 * native/test_iface_failnth), then task_dump of this process and, where the
 * kernel has contpte, kernel_oracle and a fork of an mm with kernel_shadow=1.
 * For nth = 1, 2, ... each attempt, in a fresh session from the same starting
 * state, must fail with ENOMEM and a one-line "out of memory" reason, leave
 * every live counter of the stats file where it was (page tables taken before
 * the failure included), leave the checker clean on every mm, and a retry
 * without fail_nth must succeed.  The sweep ends at the first nth the command
 * does not reach, and prints how many points it swept.
 */
#include <sys/mman.h>
#include <time.h>

#include "pb_test.h"
#include "failnth_cmds.h"

#define FN_MAX_POINTS	5000

static const enum pb_counter fn_live[] = {
	PB_CNT_live_sessions, PB_CNT_live_mms, PB_CNT_live_pt_pages,
	PB_CNT_live_folios, PB_CNT_live_data_pages, PB_CNT_live_bytes,
	PB_CNT_live_kernel_folios,
};

/* A page of this process that task_dump reads. */
static char *fn_page;

static int fn_knob(const char *val)
{
	return pb_write_str(PB_DEBUGFS_DIR "/fail_nth", val);
}

/* What is left of fail_nth: the allocations before the failure. */
static long fn_knob_left(void)
{
	char buf[32];

	if (pb_read_file(PB_DEBUGFS_DIR "/fail_nth", buf, sizeof(buf)) < 0)
		return -1;
	return atol(buf);
}

static void fn_check_all(struct __test_metadata *_metadata, struct pb_ctl *c,
			 const char *name, unsigned int nth)
{
	int i;

	for (i = 0; i < PB_SESSION_MMS; i++) {
		if (pb_cmd(c, "mm_stats mm=%d", i))
			continue;
		EXPECT_EQ(0, pb_cmd(c, "check mm=%d", i))
			TH_LOG("%s, nth %u, mm %d: %s", name, nth, i, c->reply);
	}
}

FIXTURE(fn) {
	struct pb_ctl c;
	char cmd[PB_CMD_MAX];
	const char *setup[FN_MAX_SETUP];
};

FIXTURE_VARIANT(fn) {
	int idx;	/* in fn_cmds[], or -1 to -3 for the guest's own */
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
FIXTURE_VARIANT_ADD(fn, task_dump) { .idx = -1 };
FIXTURE_VARIANT_ADD(fn, kernel_oracle) { .idx = -2 };
FIXTURE_VARIANT_ADD(fn, fork_kernel_shadow) { .idx = -3 };

/*
 * A fork of an mm with kernel_shadow=1: the child's mirror of the kernel's
 * helpers is made in the fork, whose failure must be ENOMEM like any other.
 * The mm has the kernel's granule, as the mirror needs.
 */
static char fn_ks_create[64];
static const char *const fn_ks_setup[FN_MAX_SETUP] = {
	fn_ks_create, "set mm=0 kernel_shadow=1",
	"mmap mm=0 start=0x40000000 len=0x400000 flags=r,w,anon",
	"populate mm=0 va=0x40000000 len=0x400000 order=0",
};

FIXTURE_SETUP(fn)
{
	self->c.fd = -1;
	ASSERT_EQ(12, ARRAY_SIZE(fn_cmds));
	memset(self->setup, 0, sizeof(self->setup));
	if (variant->idx >= 0) {
		const struct fn_cmd *fc = &fn_cmds[variant->idx];

		memcpy(self->setup, fc->setup, sizeof(self->setup));
		snprintf(self->cmd, sizeof(self->cmd), "%s", fc->cmd);
	} else if (variant->idx == -1) {
		fn_page = mmap(NULL, 4 * getpagesize(), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		ASSERT_NE(MAP_FAILED, fn_page);
		snprintf(self->cmd, sizeof(self->cmd), "task_dump va=%p nr=4 pid=%d",
			 (void *)fn_page, getpid());
	} else if (variant->idx == -2) {
		snprintf(self->cmd, sizeof(self->cmd), "kernel_oracle seed=2 seeds=2 steps=10");
	} else {
		snprintf(fn_ks_create, sizeof(fn_ks_create), "mm_create page_kb=%d",
			 getpagesize() / 1024);
		memcpy(self->setup, fn_ks_setup, sizeof(self->setup));
		snprintf(self->cmd, sizeof(self->cmd), "fork mm=0");
	}
	ASSERT_EQ(0, pb_open(&self->c));
	if (variant->idx == -2 && pb_cmd(&self->c, "%s", self->cmd) == -EOPNOTSUPP)
		SKIP(return, "no contpte in this kernel: %.200s", self->c.reply);
	if (variant->idx == -3) {
		ASSERT_EQ(0, pb_cmd(&self->c, "%s", fn_ks_create));
		if (pb_cmd(&self->c, "set mm=0 kernel_shadow=1") == -EOPNOTSUPP)
			SKIP(return, "no kernel shadow here: %.200s", self->c.reply);
	}
	pb_close(&self->c);
}

FIXTURE_TEARDOWN(fn)
{
	fn_knob("0");
	pb_close(&self->c);
}

TEST_F_TIMEOUT(fn, every_allocation_fails_cleanly, 120)
{
	unsigned long long before[PB_NR_COUNTERS], after[PB_NR_COUNTERS];
	struct timespec t0, t1;
	unsigned int nth, i, points = 0;
	char val[16];
	int ret = -1;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (nth = 1; nth <= FN_MAX_POINTS; nth++) {
		ASSERT_EQ(0, pb_open(&self->c));
		for (i = 0; i < FN_MAX_SETUP && self->setup[i]; i++)
			ASSERT_EQ(0, pb_cmd(&self->c, "%s", self->setup[i]))
				TH_LOG("%s: %s", self->setup[i], self->c.reply);
		ASSERT_EQ(0, pb_stats(before, NULL, NULL));
		snprintf(val, sizeof(val), "%u", nth);
		ASSERT_EQ(0, fn_knob(val));
		ret = pb_cmd(&self->c, "%s", self->cmd);
		left = fn_knob_left();
		ASSERT_EQ(0, fn_knob("0"));
		if (!ret) {
			/* Done: the command made fewer than nth allocations. */
			EXPECT_LT(0, left);
			fn_check_all(_metadata, &self->c, self->cmd, nth);
			pb_close(&self->c);
			break;
		}
		points++;
		EXPECT_EQ(0, left);
		EXPECT_EQ(-ENOMEM, ret) TH_LOG("%s, nth %u: %s", self->cmd, nth, self->c.reply);
		EXPECT_NE(NULL, strstr(self->c.reply, "out of memory"))
			TH_LOG("%s, nth %u: %s", self->cmd, nth, self->c.reply);
		EXPECT_NE(NULL, strstr(self->c.reply, "error: "));
		EXPECT_EQ(strlen(self->c.reply) - 1, strcspn(self->c.reply, "\n"));
		ASSERT_EQ(0, pb_stats(after, NULL, NULL));
		EXPECT_EQ(before[PB_CNT_alloc_failures_injected] + 1,
			  after[PB_CNT_alloc_failures_injected]);
		for (i = 0; i < ARRAY_SIZE(fn_live); i++) {
			enum pb_counter id = fn_live[i];

			EXPECT_EQ(before[id], after[id]) {
				TH_LOG("%s, nth %u: %s %llu, was %llu", self->cmd, nth,
				       pb_counter_names[id], after[id], before[id]);
			}
		}
		fn_check_all(_metadata, &self->c, self->cmd, nth);
		/* The same command, with memory, succeeds on what is left. */
		EXPECT_EQ(0, pb_cmd(&self->c, "%s", self->cmd))
			TH_LOG("retry after nth %u: %s", nth, self->c.reply);
		fn_check_all(_metadata, &self->c, self->cmd, nth);
		pb_close(&self->c);
		if (ret != -ENOMEM || _metadata->exit_code == KSFT_FAIL)
			break;
	}
	EXPECT_EQ(0, ret) TH_LOG("%s: never succeeded", self->cmd);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ksft_print_msg("fail_nth '%s': %u points swept in %.1f s\n", self->cmd, points,
		       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
}

TEST_HARNESS_MAIN
