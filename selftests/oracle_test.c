// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch selftests: the differential oracle, batched against per-PTE, on
 * every granule with backing pages on and off.
 */
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "pb_util.h"
#include "pb_skip.h"

/*
 * Six variants of 17 seeds: 102 seeds per guest.  Each of the six guests
 * of make check (three machines and granules, two kernel series) runs its
 * own slot of 17 seeds a variant, so the six together run 102 distinct seeds
 * of each variant where each once ran the same 34.
 */
#define SEEDS	17
#define SLOTS	6
#define STEPS	40

/*
 * This guest's slot, 0..SLOTS-1: arm64 with 4K pages 0, arm64 with larger
 * pages 1, any other machine 2, and 3 more on a kernel that is not 6.12.
 * Where it runs is all it depends on, so a failing seed replays there.
 */
static unsigned int seed_slot(char *where, size_t size)
{
	unsigned int slot;
	struct utsname u;
	long psize = getpagesize();
	int mainline;

	if (uname(&u))
		return 0;
	mainline = strncmp(u.release, "6.12.", 5) != 0;
	if (strcmp(u.machine, "aarch64"))
		slot = 2;
	else
		slot = psize > 4096;
	slot += mainline ? 3 : 0;
	snprintf(where, size, "%s, %ld-byte pages, %s kernel", u.machine, psize,
		 mainline ? "mainline" : "6.12");
	return slot;
}

FIXTURE(oracle)
{
	struct pb_ctl c;
};

FIXTURE_VARIANT(oracle)
{
	unsigned int page_kb;
	int backing;
	unsigned long long first_seed;
};

FIXTURE_VARIANT_ADD(oracle, granule_4k)
{
	.page_kb = 4, .first_seed = 1,
};

FIXTURE_VARIANT_ADD(oracle, granule_4k_backing)
{
	.page_kb = 4, .backing = 1, .first_seed = 1001,
};

FIXTURE_VARIANT_ADD(oracle, granule_16k)
{
	.page_kb = 16, .first_seed = 2001,
};

FIXTURE_VARIANT_ADD(oracle, granule_16k_backing)
{
	.page_kb = 16, .backing = 1, .first_seed = 3001,
};

FIXTURE_VARIANT_ADD(oracle, granule_64k)
{
	.page_kb = 64, .first_seed = 4001,
};

FIXTURE_VARIANT_ADD(oracle, granule_64k_backing)
{
	.page_kb = 64, .backing = 1, .first_seed = 5001,
};

FIXTURE_SETUP(oracle)
{
	ASSERT_EQ(0, pb_open(&self->c));
}

FIXTURE_TEARDOWN(oracle)
{
	pb_close(&self->c);
}

/*
 * The oracle over @seeds from @seed in @profile: 0, with the unfolds of the
 * batched family and of the per-PTE one in @b and @p, or -1.
 */
static int run_seeds(struct __test_metadata *_metadata, struct pb_ctl *c,
		     const FIXTURE_VARIANT(oracle) * variant, const char *profile,
		     unsigned long long seed, long long *b, long long *p)
{
	EXPECT_EQ(0, pb_cmd(c, "oracle seed=%llu seeds=%d steps=%d page_kb=%u backing=%d kernel=%s",
			    seed, SEEDS, STEPS, variant->page_kb, variant->backing, profile))
		TH_LOG("%s", c->reply);
	if (_metadata->exit_code != KSFT_PASS)
		return -1;
	EXPECT_NE(NULL, strstr(c->reply, profile));
	EXPECT_EQ(SEEDS, pb_lookup(c->reply, "seeds"));
	EXPECT_EQ(SEEDS * STEPS, pb_lookup(c->reply, "steps"));
	/* Batching never costs more unfolds, and saves invalidations. */
	*b = pb_lookup(c->reply, "unfolds_batched");
	*p = pb_lookup(c->reply, "unfolds_per_pte");
	EXPECT_LE(*b, *p) TH_LOG("%s", profile);
	EXPECT_LT(pb_lookup(c->reply, "tlbi_batched"),
		  pb_lookup(c->reply, "tlbi_per_pte")) TH_LOG("%s", profile);
	return 0;
}

/*
 * In each kernel profile: that kernel's batching against one PTE at a time,
 * on this guest's slot of seeds.  Batching saves unfolds over most windows
 * of 17 seeds, not all: where the slot's saves none, the first window (slot
 * 0's, which saves some in every variant and profile) must.
 */
TEST_F_TIMEOUT(oracle, seeds_agree, 300)
{
	static const char *const profiles[] = { "6.12", "mainline" };
	long long live = pb_stat(PB_CNT_live_folios), b, p;
	unsigned long long seed;
	unsigned int i, slot;
	char where[128];

	ASSERT_LE(0, live);
	slot = seed_slot(where, sizeof(where));
	seed = variant->first_seed + (unsigned long long)slot * SEEDS;
	/* What a failure replays: oracle seed=N steps=40 page_kb= backing= kernel=. */
	ksft_print_msg("oracle: seeds %llu..%llu (slot %u of 0..%u: %s)\n",
		       seed, seed + SEEDS - 1, slot, SLOTS - 1, where);
	/* Before anything can fail: the test's process ends with _exit(). */
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, run_seeds(_metadata, &self->c, variant, profiles[i], seed, &b, &p));
		if (b == p && slot) {
			ksft_print_msg("oracle: %s: no unfold saved; seeds %llu..%llu too\n",
				       profiles[i], variant->first_seed,
				       variant->first_seed + SEEDS - 1);
			fflush(stdout);
			ASSERT_EQ(0, run_seeds(_metadata, &self->c, variant, profiles[i],
					       variant->first_seed, &b, &p));
		}
		EXPECT_LT(b, p) TH_LOG("%s: no unfold saved", profiles[i]);
	}
	/* Every mm the oracle made is gone. */
	EXPECT_EQ(live, pb_stat(PB_CNT_live_folios));
	EXPECT_EQ(0, pb_stat(PB_CNT_live_mms));
}

TEST_F(oracle, replay_is_deterministic)
{
	char first[PB_REPLY_MAX + 1];

	ASSERT_EQ(0, pb_cmd(&self->c,
			    "oracle seed=%llu steps=25 page_kb=%u backing=%d trace=1",
			    variant->first_seed, variant->page_kb, variant->backing))
		TH_LOG("%s", self->c.reply);
	memcpy(first, self->c.reply, sizeof(first));
	EXPECT_NE(NULL, strstr(first, "step 25 op "));
	ASSERT_EQ(0, pb_cmd(&self->c,
			    "oracle seed=%llu steps=25 page_kb=%u backing=%d trace=1",
			    variant->first_seed, variant->page_kb, variant->backing));
	EXPECT_STREQ(first, self->c.reply);
}

/*
 * A deterministic sample of the native sweep (selftests/native, "make
 * sweep", in the profile each variant names): 200 steps a seed, as the
 * sweep runs them, around the seeds whose
 * shared-VMA write bits differ between the families (compared as dirty
 * accounting allows, see Documentation/model.rst), and at the old false
 * alarms of issue 9.
 */
FIXTURE(oracle_sample)
{
	struct pb_ctl c;
};

FIXTURE_VARIANT(oracle_sample)
{
	unsigned int page_kb;
	unsigned long long seed;
	int seeds;
	const char *kernel;	/* the profile, mainline when NULL */
	/*
	 * Some write bits differ, and are excused: in the 10,000-seed sweep
	 * of each granule, only at the seeds that the native test_tools_oracle.c
	 * names.
	 */
	int excused;
};

/* Excused no longer: the mremap step changed the walk of 3274. */
FIXTURE_VARIANT_ADD(oracle_sample, granule_4k_around_3274)
{
	.page_kb = 4, .seed = 3270, .seeds = 10,
};

FIXTURE_VARIANT_ADD(oracle_sample, granule_16k_around_239)
{
	.page_kb = 16, .seed = 235, .seeds = 10,
};

FIXTURE_VARIANT_ADD(oracle_sample, granule_16k_around_7787)
{
	.page_kb = 16, .seed = 7783, .seeds = 10,
};

FIXTURE_VARIANT_ADD(oracle_sample, granule_16k_seed_487)
{
	.page_kb = 16, .seed = 487, .seeds = 1,
};

FIXTURE_VARIANT_ADD(oracle_sample, granule_16k_seed_527)
{
	.page_kb = 16, .seed = 527, .seeds = 1,
};

FIXTURE_VARIANT_ADD(oracle_sample, granule_16k_seed_857)
{
	.page_kb = 16, .seed = 857, .seeds = 1,
};

FIXTURE_VARIANT_ADD(oracle_sample, granule_16k_seed_939)
{
	.page_kb = 16, .seed = 939, .seeds = 1,
};

FIXTURE_VARIANT_ADD(oracle_sample, granule_64k_around_634)
{
	.page_kb = 64, .seed = 630, .seeds = 10,
};

FIXTURE_VARIANT_ADD(oracle_sample, granule_64k_seed_857)
{
	.page_kb = 64, .seed = 857, .seeds = 1,
};

/*
 * Issue 12's black-box run: mprotect-rw in a shared mapping, the false alarm
 * of a shared write bit, in the guests' own profiles.
 */
FIXTURE_VARIANT_ADD(oracle_sample, granule_4k_seed_1463_6_12)
{
	.page_kb = 4, .seed = 1463, .seeds = 1, .kernel = "6.12",
};

FIXTURE_VARIANT_ADD(oracle_sample, granule_4k_seed_1463)
{
	.page_kb = 4, .seed = 1463, .seeds = 1,
};

FIXTURE_VARIANT_ADD(oracle_sample, granule_4k_seed_4181_6_12)
{
	.page_kb = 4, .seed = 4181, .seeds = 1, .kernel = "6.12",
};

FIXTURE_VARIANT_ADD(oracle_sample, granule_4k_seed_4181)
{
	.page_kb = 4, .seed = 4181, .seeds = 1,
};

FIXTURE_SETUP(oracle_sample)
{
	ASSERT_EQ(0, pb_open(&self->c));
}

FIXTURE_TEARDOWN(oracle_sample)
{
	pb_close(&self->c);
}

TEST_F_TIMEOUT(oracle_sample, seeds_agree, 300)
{
	ASSERT_EQ(0, pb_cmd(&self->c, "oracle seed=%llu seeds=%d steps=200 page_kb=%u kernel=%s",
			    variant->seed, variant->seeds, variant->page_kb,
			    variant->kernel ?: "mainline"))
		TH_LOG("%s", self->c.reply);
	EXPECT_EQ(variant->seeds, pb_lookup(self->c.reply, "seeds"));
	EXPECT_EQ(variant->seeds * 200, pb_lookup(self->c.reply, "steps"));
	/* -1 when the reply has no such line. */
	EXPECT_LE(variant->excused, pb_lookup(self->c.reply, "shared_write_excused"));
	EXPECT_EQ(0, pb_stat(PB_CNT_live_mms));
}

FIXTURE(oracle_bad)
{
	struct pb_ctl c;
};

FIXTURE_VARIANT(oracle_bad)
{
	const char *cmd;	/* a format: arg fills a %llu */
	unsigned long long arg;
	const char *reason;
};

FIXTURE_VARIANT_ADD(oracle_bad, granule)
{
	.cmd = "oracle page_kb=8", .reason = "granule must be 4, 16 or 64",
};

FIXTURE_VARIANT_ADD(oracle_bad, no_seeds)
{
	.cmd = "oracle seeds=0", .reason = "within 1.." PB_STR(PB_ORACLE_MAX),
};

FIXTURE_VARIANT_ADD(oracle_bad, too_many_steps)
{
	.cmd = "oracle steps=%llu", .arg = PB_ORACLE_MAX + 1,
	.reason = "within 1.." PB_STR(PB_ORACLE_MAX),
};

FIXTURE_VARIANT_ADD(oracle_bad, seed_overflow)
{
	.cmd = "oracle seed=0xffffffffffffffff seeds=2", .reason = "overflows",
};

FIXTURE_VARIANT_ADD(oracle_bad, trace_too_long)
{
	.cmd = "oracle steps=%llu trace=1", .arg = PB_ORACLE_TRACE_MAX + 1,
	.reason = "at most " PB_STR(PB_ORACLE_TRACE_MAX) " steps",
};

FIXTURE_VARIANT_ADD(oracle_bad, unknown_key)
{
	.cmd = "oracle foo=0", .reason = "unknown argument 'foo'",
};

/* mm= (import_test runs the oracle from an imported mm). */
FIXTURE_VARIANT_ADD(oracle_bad, mm_missing)
{
	.cmd = "oracle mm=0", .reason = "no mm 0 in this session",
};

FIXTURE_VARIANT_ADD(oracle_bad, mm_out_of_range)
{
	.cmd = "oracle mm=%llu", .arg = PB_SESSION_MMS,
	.reason = "mm must be within 0..",
};

FIXTURE_VARIANT_ADD(oracle_bad, mm_and_page_kb)
{
	.cmd = "oracle mm=0 page_kb=16", .reason = "with mm=, drop page_kb= and kernel=",
};

FIXTURE_VARIANT_ADD(oracle_bad, mm_and_kernel)
{
	.cmd = "oracle mm=0 kernel=mainline", .reason = "with mm=, drop page_kb= and kernel=",
};

FIXTURE_SETUP(oracle_bad)
{
	ASSERT_EQ(0, pb_open(&self->c));
}

FIXTURE_TEARDOWN(oracle_bad)
{
	pb_close(&self->c);
}

TEST_F(oracle_bad, einval_with_reason)
{
	unsigned long long before[PB_NR_COUNTERS], after[PB_NR_COUNTERS];
	char cmd[PB_CMD_MAX];

	snprintf(cmd, sizeof(cmd), variant->cmd, variant->arg);
	/* Through ctl: reading the stats file allocates. */
	ASSERT_EQ(0, pb_ctl_stats(&self->c, before)) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "%s", cmd));
	EXPECT_NE(NULL, strstr(self->c.reply, variant->reason))
		TH_LOG("'%s' replied: %s", cmd, self->c.reply);
	/* Rejected before anything was allocated. */
	ASSERT_EQ(0, pb_ctl_stats(&self->c, after)) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(before[PB_CNT_allocs], after[PB_CNT_allocs]);
}

TEST_HARNESS_MAIN
