// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch selftests: the kernel shadow.  The model's contpte helpers run in
 * lockstep with the running kernel's own (the kernel_shadow knob, and the
 * kernel_oracle command), on the guest's granule.  Where the kernel has no
 * contpte (amd64), both must refuse with EOPNOTSUPP and a reason, and the
 * tests skip.
 */
#include <sys/utsname.h>

#include "pb_test.h"

#define VA	0x40000000ULL	/* aligned to every granule's table size */
/*
 * The deterministic sample: seeds x steps of kernel_oracle, 1,000 seeds on
 * 4K; fewer on a granule whose blocks are larger, so that the compares,
 * and the guest time (about 5 s), stay alike.
 */
#define SAMPLE_SEEDS(cont)	(16000 / (cont))
#define SAMPLE_STEPS	100

FIXTURE(ks)
{
	struct pb_ctl c;
	unsigned long long psize, block;
	unsigned int cont, cont_shift;
	const char *kernel;	/* the running kernel's series, as a profile name */
};

FIXTURE_SETUP(ks)
{
	struct utsname u;
	int ret;

	ASSERT_EQ(0, pb_open(&self->c));
	ASSERT_EQ(0, uname(&u));
	ret = pb_cmd(&self->c, "kernel_oracle seeds=1 steps=1");
	if (strcmp(u.machine, "aarch64")) {
		/* No contpte here: refused, and why. */
		ASSERT_EQ(-EOPNOTSUPP, ret) TH_LOG("%s", self->c.reply);
		ASSERT_NE(NULL, strstr(self->c.reply, "has no contpte")) TH_LOG("%s",
										self->c.reply);
		CMD("mm_create");
		ASSERT_EQ(-EOPNOTSUPP, pb_set_knob(&self->c, 0, PB_KNOB_kernel_shadow, 1));
		ASSERT_NE(NULL, strstr(self->c.reply, "has no contpte"));
		ASSERT_EQ(0, pb_knob(&self->c, 0, PB_KNOB_kernel_shadow));
		SKIP(return, "%s: the running kernel has no contpte", u.machine);
	}
	ASSERT_EQ(0, ret) TH_LOG("%s", self->c.reply);
	self->kernel = strstr(self->c.reply, "kernel 6.12") ? "6.12" : "mainline";
	self->psize = sysconf(_SC_PAGESIZE);
	CMD("mm_create page_kb=%llu", self->psize >> 10);
	ASSERT_EQ(0, pb_reply_val(&self->c, "mm"));
	self->cont = pb_reply_val(&self->c, "cont_ptes");
	self->cont_shift = __builtin_ctz(self->cont);
	self->block = self->psize * self->cont;
	CMD("mmap mm=0 start=0x%llx len=0x%llx flags=r,w,anon", VA, 8 * self->block);
	SET_KNOB(0, PB_KNOB_kernel_shadow, 1);
}

FIXTURE_TEARDOWN(ks)
{
	pb_close(&self->c);
	/* The session's mms are gone, and every real folio with them. */
	EXPECT_EQ(0, pb_stat(PB_CNT_live_kernel_folios));
}

/* Compares made on mm 0 since @before; every one of them agreed. */
static long long ks_compares(struct __test_metadata *_metadata,
			     struct pb_ctl *c, long long before)
{
	long long n = pb_mm_counter(c, 0, PB_MMC_kernel_compares);

	EXPECT_EQ(0, pb_mm_counter(c, 0, PB_MMC_kernel_mismatches));
	EXPECT_EQ(0, pb_mm_counter(c, 0, PB_MMC_violations_kernel));
	EXPECT_LT(before, n);
	return n;
}

#define COMPARED() (n = ks_compares(_metadata, &self->c, n))

TEST_F(ks, knob_on_mirrors_and_off_stops)
{
	long long n = 0, live;

	EXPECT_EQ(1, pb_knob(&self->c, 0, PB_KNOB_kernel_shadow));
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	COMPARED();
	/* Real folios back what was mirrored, while the knob is on. */
	live = pb_stat(PB_CNT_live_kernel_folios);
	EXPECT_LT(0, live);
	SET_KNOB(0, PB_KNOB_kernel_shadow, 0);
	EXPECT_EQ(0, pb_stat(PB_CNT_live_kernel_folios));
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA + self->block,
	    self->block, self->cont_shift);
	EXPECT_EQ(n, pb_mm_counter(&self->c, 0, PB_MMC_kernel_compares));
	SET_KNOB(0, PB_KNOB_kernel_shadow, 1);
	CMD("ptep_get mm=0 va=0x%llx", VA + self->block);
	COMPARED();
}

/* Fold by set_ptes(nr == 1), set_ptes(nr > 1) of whole blocks, unfold. */
TEST_F(ks, fold_set_ptes_and_unfold_agree)
{
	long long n = 0;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u per_pte=1", VA,
	    2 * self->block, self->cont_shift + 1);
	COMPARED();
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_folds));
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA + 2 * self->block,
	    2 * self->block, self->cont_shift);
	COMPARED();
	EXPECT_EQ(4 * (int)self->cont,
		  pb_count_entries(&self->c, 0, VA, 4 * self->cont, self->psize, "cont=1"));
	/* A write fault in a read-only block: set_access_flags unfolds it. */
	CMD("wrprotect mm=0 va=0x%llx nr=%u", VA, self->cont);
	COMPARED();
	CMD("set_access_flags mm=0 va=0x%llx write=1", VA + self->psize);
	COMPARED();
	EXPECT_LE(1, pb_mm_counter(&self->c, 0, PB_MMC_unfolds));
}

/* The hardware's A/D on one entry, gathered by ptep_get and the young tests. */
TEST_F(ks, ad_gather_and_young_agree)
{
	long long n = 0;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	COMPARED();
	CMD("young mm=0 va=0x%llx flush=0", VA);
	COMPARED();
	CMD("access mm=0 va=0x%llx write=1 val=7", VA + 3 * self->psize);
	CMD("ptep_get mm=0 va=0x%llx", VA);
	COMPARED();
	CMD("young mm=0 va=0x%llx flush=1", VA + self->psize);
	COMPARED();
	CMD("young mm=0 va=0x%llx flush=1", VA + self->psize);
	COMPARED();
}

TEST_F(ks, wrprotect_whole_and_partial_blocks_agree)
{
	long long n = 0;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 4 * self->block,
	    self->cont_shift);
	COMPARED();
	CMD("wrprotect mm=0 va=0x%llx nr=%u", VA, 2 * self->cont);
	COMPARED();
	EXPECT_EQ(2, pb_mm_counter(&self->c, 0, PB_MMC_wrprotect_whole_blocks));
	CMD("wrprotect mm=0 va=0x%llx nr=2", VA + 2 * self->block + 3 * self->psize);
	COMPARED();
	EXPECT_EQ(1, pb_mm_counter(&self->c, 0, PB_MMC_wrprotect_partial_blocks));
}

TEST_F(ks, get_and_clear_and_clear_young_dirty_agree)
{
	long long n = 0;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 4 * self->block,
	    self->cont_shift + 1);
	COMPARED();
	CMD("access mm=0 va=0x%llx write=1 val=1", VA + self->psize);
	CMD("get_and_clear mm=0 va=0x%llx nr=%u full=1", VA, self->cont);
	COMPARED();
	/* full=0 is get_and_clear_ptes(), mainline's only. */
	CMD("get_and_clear mm=0 va=0x%llx nr=3 full=%d", VA + self->block + self->psize,
	    !strcmp(self->kernel, "6.12"));
	COMPARED();
	CMD("clear_young_dirty mm=0 va=0x%llx nr=%u young=1 dirty=1",
	    VA + 2 * self->block + 2 * self->psize, self->cont);
	COMPARED();
	CMD("clear_full mm=0 va=0x%llx nr=2 full=1", VA + 3 * self->block);
	COMPARED();
}

/* The paths above the helpers, with the knob on: all agree, children too. */
TEST_F(ks, paths_with_the_knob_agree)
{
	long long n = 0;
	int child;

	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, 4 * self->block,
	    self->cont_shift);
	COMPARED();
	CMD("fork mm=0");
	child = pb_reply_val(&self->c, "mm");
	COMPARED();
	CMD("touch mm=0 va=0x%llx write=1 val=3", VA + 5 * self->psize);
	CMD("touch mm=%d va=0x%llx write=1 val=4", child, VA + self->block);
	COMPARED();
	EXPECT_LT(0, pb_mm_counter(&self->c, child, PB_MMC_kernel_compares));
	EXPECT_EQ(0, pb_mm_counter(&self->c, child, PB_MMC_kernel_mismatches));
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=r", VA, 2 * self->block);
	CMD("mprotect mm=0 va=0x%llx len=0x%llx prot=rw", VA, 2 * self->block);
	CMD("madvise mm=0 va=0x%llx len=0x%llx advice=free", VA + 2 * self->block,
	    self->block);
	CMD("madvise mm=0 va=0x%llx len=0x%llx advice=dontneed", VA + 3 * self->block,
	    self->psize * 3);
	CMD("munmap mm=0 va=0x%llx len=0x%llx", VA, self->block + self->psize);
	COMPARED();
	CMD("mm_destroy mm=%d", child);
	CMD("mm_destroy mm=0");
	EXPECT_EQ(0, pb_stat(PB_CNT_live_kernel_folios));
}

/* The sample, and the same run twice makes the same compares. */
TEST_F_TIMEOUT(ks, kernel_oracle_sample_is_clean, 300)
{
	long long before = pb_stat(PB_CNT_live_kernel_folios), compares;
	int seeds = SAMPLE_SEEDS(self->cont);

	CMD("kernel_oracle seed=1 seeds=%d steps=%d", seeds, SAMPLE_STEPS);
	EXPECT_NE(NULL, strstr(self->c.reply, self->kernel));
	EXPECT_EQ(seeds, pb_reply_val(&self->c, "seeds"));
	EXPECT_EQ(seeds * SAMPLE_STEPS, pb_reply_val(&self->c, "steps"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "mismatches"));
	compares = pb_reply_val(&self->c, "compares");
	/* Most steps compare a block or more: more compares than steps. */
	EXPECT_LT(seeds * SAMPLE_STEPS, compares);
	EXPECT_EQ(before, pb_stat(PB_CNT_live_kernel_folios));
	CMD("kernel_oracle seed=5 seeds=20 steps=%d", SAMPLE_STEPS);
	compares = pb_reply_val(&self->c, "compares");
	CMD("kernel_oracle seed=5 seeds=20 steps=%d", SAMPLE_STEPS);
	EXPECT_EQ(compares, pb_reply_val(&self->c, "compares"));
}

/*
 * Each mutation knob that changes what a contpte helper writes is caught;
 * the ones that only drop a TLB flush (skip_*_flush) change no descriptor
 * and are out of the helper level's reach: they must stay clean, so that
 * a change in either is seen.  naive_pfn_step corrupts only where a folio
 * crosses an output-address edge (2^50 with LPA2, which the model mm has
 * with pa_bits=52 on 4K and 16K): the arena starts a block below it.
 */
TEST_F_TIMEOUT(ks, mutations_are_caught, 300)
{
	unsigned long long edge = 1ULL << (50 - __builtin_ctzll(self->psize));
	unsigned long long edge_seed = 0;
	unsigned int k, caught = 0;

	for (k = 0; k < PB_NR_KNOBS; k++) {
		const char *name = pb_knobs_info[k].name;
		bool flush = strstr(name, "flush");
		char extra[96] = "";
		int ret;

		if (strncmp(pb_knobs_info[k].tail, "\t# mutation:", 12))
			continue;
		if (k == PB_KNOB_naive_pfn_step)
			snprintf(extra, sizeof(extra), "pa_bits=52 base_pfn=0x%llx",
				 edge - self->cont);
		/*
		 * A flush mutation is invisible here (entries are compared,
		 * not the TLB): a few seeds show that it stays clean.  A
		 * caught one stops at its first mismatch.
		 */
		ret = pb_cmd(&self->c, "kernel_oracle seed=1 seeds=%d steps=%d %s=1 %s",
			     flush ? 20 : 200, SAMPLE_STEPS, name, extra);
		if (flush) {
			EXPECT_EQ(0, ret) TH_LOG("%s: %s", name, self->c.reply);
			continue;
		}
		EXPECT_EQ(-EUCLEAN, ret) TH_LOG("%s: %s", name, self->c.reply);
		EXPECT_NE(NULL, strstr(self->c.reply, "violation kernel"));
		EXPECT_NE(NULL, strstr(self->c.reply, "error: kernel_oracle: mismatch seed="));
		EXPECT_LT(0, pb_reply_val(&self->c, "mismatches"));
		if (k == PB_KNOB_naive_pfn_step)
			ASSERT_EQ(1, sscanf(strstr(self->c.reply, "mismatch seed="),
					    "mismatch seed=%llu", &edge_seed));
		caught++;
	}
	EXPECT_EQ(3, caught);
	/*
	 * The seeds that caught the PFN step at the edge, up to the one that
	 * did, are clean with no mutation: the catch is the mutation's.
	 */
	ASSERT_LE(1, edge_seed);
	CMD("kernel_oracle seed=1 seeds=%llu steps=%d pa_bits=52 base_pfn=0x%llx",
	    edge_seed, SAMPLE_STEPS, edge - self->cont);
	EXPECT_EQ((long long)edge_seed, pb_reply_val(&self->c, "seeds"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "mismatches"));
	EXPECT_EQ(0, pb_stat(PB_CNT_live_kernel_folios));
}

/* A mutation on the knob's mm: the command fails and names the helper. */
TEST_F(ks, knob_reports_a_mismatch)
{
	CMD("populate mm=0 va=0x%llx len=0x%llx order=%u", VA, self->block,
	    self->cont_shift);
	SET_KNOB(0, PB_KNOB_partial_wrprotect_no_unfold, 1);
	EXPECT_EQ(-EUCLEAN, pb_cmd(&self->c, "wrprotect mm=0 va=0x%llx nr=2", VA));
	EXPECT_NE(NULL, strstr(self->c.reply, "helper=wrprotect_ptes field=cont"))
		TH_LOG("%s", self->c.reply);
	EXPECT_LT(0, pb_mm_counter(&self->c, 0, PB_MMC_kernel_mismatches));
	EXPECT_EQ(pb_mm_counter(&self->c, 0, PB_MMC_kernel_mismatches),
		  pb_mm_counter(&self->c, 0, PB_MMC_violations_kernel));
}

/* Bad input: a clear error, and nothing changed. */
TEST_F(ks, bad_input_is_refused)
{
	static const char *const bad[][2] = {
		{ "kernel_oracle seeds=0", "seeds must be within 1..10000" },
		{ "kernel_oracle steps=10001", "steps must be within 1..10000" },
		{ "kernel_oracle pa_bits=50", "pa_bits must be 48 or 52" },
		{ "kernel_oracle foo=1", "unknown argument 'foo'" },
		{ "kernel_oracle contpte=1", "unknown argument 'contpte'" },
		{ "kernel_oracle skip_ad_gather=2", "must be 0 or 1" },
		{ "kernel_oracle seed=18446744073709551615 seeds=2", "overflows" },
		{ "set mm=0 kernel_shadow=2", "within 0..1" },
		{ "set mm=0 contpte=0", "needs contpte=1 and autofold=1" },
		{ "set mm=0 autofold=0", "needs contpte=1 and autofold=1" },
	};
	long long n = pb_mm_counter(&self->c, 0, PB_MMC_kernel_compares);
	unsigned int i;
	int mm;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "%s", bad[i][0])) TH_LOG("%s", bad[i][0]);
		EXPECT_NE(NULL, strstr(self->c.reply, bad[i][1]))
			TH_LOG("%s: %s", bad[i][0], self->c.reply);
	}
	EXPECT_EQ(1, pb_knob(&self->c, 0, PB_KNOB_kernel_shadow));
	EXPECT_EQ(1, pb_knob(&self->c, 0, PB_KNOB_contpte));
	EXPECT_EQ(1, pb_knob(&self->c, 0, PB_KNOB_autofold));
	EXPECT_EQ(n, pb_mm_counter(&self->c, 0, PB_MMC_kernel_compares));

	/* mms the kernel's helpers cannot match: EOPNOTSUPP, knob left off. */
	CMD("mm_create page_kb=%d", self->psize == 4096 ? 16 : 4);
	mm = pb_reply_val(&self->c, "mm");
	EXPECT_EQ(-EOPNOTSUPP, pb_set_knob(&self->c, mm, PB_KNOB_kernel_shadow, 1));
	EXPECT_NE(NULL, strstr(self->c.reply, "granule")) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(0, pb_knob(&self->c, mm, PB_KNOB_kernel_shadow));
	CMD("mm_create page_kb=%llu kernel=%s", self->psize >> 10,
	    strcmp(self->kernel, "6.12") ? "6.12" : "mainline");
	mm = pb_reply_val(&self->c, "mm");
	EXPECT_EQ(-EOPNOTSUPP, pb_set_knob(&self->c, mm, PB_KNOB_kernel_shadow, 1));
	EXPECT_NE(NULL, strstr(self->c.reply, "profile")) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(0, pb_knob(&self->c, mm, PB_KNOB_kernel_shadow));
	CMD("mm_create page_kb=%llu base_pfn=%u", self->psize >> 10, self->cont + 1);
	mm = pb_reply_val(&self->c, "mm");
	EXPECT_EQ(-EOPNOTSUPP, pb_set_knob(&self->c, mm, PB_KNOB_kernel_shadow, 1));
	EXPECT_NE(NULL, strstr(self->c.reply, "base_pfn")) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(0, pb_knob(&self->c, mm, PB_KNOB_kernel_shadow));
	SET_KNOB(mm, PB_KNOB_contpte, 0);
	EXPECT_EQ(-EOPNOTSUPP, pb_set_knob(&self->c, mm, PB_KNOB_kernel_shadow, 1));
	EXPECT_NE(NULL, strstr(self->c.reply, "needs contpte=1")) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(0, pb_knob(&self->c, mm, PB_KNOB_kernel_shadow));
}

TEST_HARNESS_MAIN
