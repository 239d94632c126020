// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of tools/oracle.c: the differential oracle, on every granule
 * with and without backing pages, and started from a model mm's layout
 * (the oracle command's mm=).
 */
#include "nt_mm.h"
#include "tools/import.h"

/* A trace, as the oracle command prints it, into a buffer of the test's. */
struct trace_buf {
	char *buf;
	size_t len, size;
	bool overflow;
};

static void trace_step(const struct pb_oracle_step *st, void *arg)
{
	struct trace_buf *t = arg;
	int n;

	n = snprintf(t->buf + t->len, t->size - t->len,
		     "step %llu op %s mm %u va 0x%llx-0x%llx order %u ret %d unfolds %llu/%llu tlbi %llu/%llu\n",
		     st->step, st->op, st->mm, st->start, st->end, st->order,
		     st->ret, st->unfolds[0], st->unfolds[1], st->tlbis[0],
		     st->tlbis[1]);
	if (n < 0 || (size_t)n >= t->size - t->len)
		t->overflow = true;
	else
		t->len += n;
}

FIXTURE(oracle)
{
	struct trace_buf trace[2];
};

FIXTURE_VARIANT(oracle)
{
	NT_GRANULE_FIELDS;
	bool backing;
};

FIXTURE_VARIANT_ADD(oracle, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(oracle, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(oracle, granule_64k) NT_GRANULE_64K;
FIXTURE_VARIANT_ADD(oracle, granule_4k_backing) {
	.page_kb = 4, .page_shift = 12, .cont_shift = 4, .backing = true };
FIXTURE_VARIANT_ADD(oracle, granule_16k_backing) {
	.page_kb = 16, .page_shift = 14, .cont_shift = 7, .backing = true };
FIXTURE_VARIANT_ADD(oracle, granule_64k_backing) {
	.page_kb = 64, .page_shift = 16, .cont_shift = 5, .backing = true };

/* Two trace buffers of a reply's size; false if out of memory. */
static bool trace_bufs_alloc(struct trace_buf *t)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		t[i].buf = calloc(1, PB_REPLY_MAX);
		t[i].size = PB_REPLY_MAX;
		if (!t[i].buf)
			return false;
	}
	return true;
}

static void trace_bufs_free(struct trace_buf *t)
{
	free(t[0].buf);
	free(t[1].buf);
}

FIXTURE_SETUP(oracle)
{
	ASSERT_TRUE(trace_bufs_alloc(self->trace));
}

FIXTURE_TEARDOWN(oracle)
{
	trace_bufs_free(self->trace);
	nt_check_leaks(_metadata);
}

/* Fifty seeds of sixty steps per variant: 300 seeds over the six. */
#define ORACLE_SEEDS	50
#define ORACLE_STEPS	60

/* In each profile: the batching of that kernel against one PTE at a time. */
TEST_F(oracle, batched_and_per_pte_families_agree)
{
	enum pb_profile profile;

	for (profile = 0; profile < PB_NR_PROFILES; profile++) {
		struct pb_oracle_args args = {
			.seed = 1, .seeds = ORACLE_SEEDS, .steps = ORACLE_STEPS,
			.page_kb = variant->page_kb, .backing = variant->backing,
			.profile = profile,
		};
		struct pb_oracle_result t = { };
		int ret;

		ret = pb_oracle_run(&args, &t);
		EXPECT_EQ(0, ret) TH_LOG("profile %d seed %llu step %llu op %s: kind %d",
					 profile, t.mismatch.seed, t.mismatch.step,
					 t.mismatch.op, t.mismatch.kind);
		/* No mismatch, and no violation recorded. */
		EXPECT_EQ(PB_ORACLE_OK, t.mismatch.kind);
		EXPECT_EQ(0, t.report.found);
		EXPECT_EQ(ORACLE_SEEDS, t.seeds);
		EXPECT_EQ(ORACLE_SEEDS * ORACLE_STEPS, t.steps);
		/* Batching never costs more, and over this many steps it saves. */
		EXPECT_LT(t.unfolds[0], t.unfolds[1]) TH_LOG("profile %d", profile);
		EXPECT_LT(t.tlbis[0], t.tlbis[1]) TH_LOG("profile %d", profile);
		EXPECT_EQ(0, atomic64_read(&pb_counters[PB_CNT_live_mms]));
		EXPECT_EQ(0, atomic64_read(&pb_counters[PB_CNT_live_folios]));
	}
}

/* The same seeds twice: the same trace, line for line, and the same totals. */
TEST_F(oracle, a_replay_is_identical)
{
	struct pb_oracle_args args = {
		.seed = 1000, .seeds = 3, .steps = ORACLE_STEPS,
		.page_kb = variant->page_kb, .backing = variant->backing,
		.trace = trace_step,
	};
	struct pb_oracle_result t[2] = { };
	unsigned int i, lines = 0;
	const char *p;

	for (i = 0; i < 2; i++) {
		args.trace_arg = &self->trace[i];
		ASSERT_EQ(0, pb_oracle_run(&args, &t[i]))
			TH_LOG("%s", self->trace[i].buf);
	}
	EXPECT_EQ(0, memcmp(&t[0], &t[1], sizeof(t[0])));
	EXPECT_EQ(3, t[0].seeds);
	EXPECT_FALSE(self->trace[0].overflow);
	EXPECT_STREQ(self->trace[0].buf, self->trace[1].buf);
	for (p = self->trace[0].buf; (p = strstr(p, "\nstep ")); p++)
		lines++;
	EXPECT_EQ(3 * ORACLE_STEPS - 1, lines);
	EXPECT_EQ(0, strncmp(self->trace[0].buf, "step 1 op ", 10));
}

/*
 * The oracle samples an mm's violation counter just before its checker runs,
 * so what pb_write_pte() or pb_access() counted during the step (bbm,
 * stale_tlb) goes unseen.  A free hook sums the counters of the oracle's mms
 * as they go: a run that passes must have recorded none.  These seeds make
 * the mprotect bug above break a block without break-before-make.
 */
#define NR_MMS_WATCHED	64

static struct {
	const void *mm[NR_MMS_WATCHED];
	u64 violations;
} mms_watched;

static void mm_malloc(const void *p, size_t size)
{
	int i;

	if (size != sizeof(struct pb_mm))
		return;
	for (i = 0; i < NR_MMS_WATCHED; i++) {
		if (!mms_watched.mm[i]) {
			mms_watched.mm[i] = p;
			break;
		}
	}
}

static void mm_free(const void *p)
{
	int i;

	for (i = 0; p && i < NR_MMS_WATCHED; i++) {
		if (mms_watched.mm[i] != p)
			continue;
		mms_watched.violations += ((const struct pb_mm *)p)->counters[PB_MMC_violations];
		mms_watched.mm[i] = NULL;
	}
}

TEST_F(oracle, a_violation_during_a_step_fails_the_run)
{
	static const u64 seeds[] = { 45, 46, 255 };
	unsigned int i;

	ASSERT_NE(0, __sanitizer_install_malloc_and_free_hooks(mm_malloc, mm_free));
	for (i = 0; i < ARRAY_SIZE(seeds); i++) {
		struct pb_oracle_args args = {
			.seed = seeds[i], .seeds = 1, .steps = ORACLE_STEPS,
			.page_kb = variant->page_kb, .backing = variant->backing,
		};
		struct pb_oracle_result t = { };
		u64 before = mms_watched.violations;
		int ret = pb_oracle_run(&args, &t);

		EXPECT_EQ(mms_watched.violations != before ? -EUCLEAN : 0, ret)
			TH_LOG("seed %llu: %llu violations", seeds[i],
			       mms_watched.violations - before);
	}
}

/*
 * In a shared VMA the write bit follows dirty, and dirty is per folio: a
 * per-PTE mprotect(r) that refolds a block spreads one page's dirty bit over
 * it, the batched one does not, and a later mprotect(rw) makes different
 * pages writable in the two families.  The old seeds (the false alarms of a
 * 1,000-seed sweep of 200 steps on the model of issue 9's audit) used to
 * fail with a view mismatch, and must pass.  The page cache, the zero page
 * and the wider oracle changed every random walk: in the 10,000-seed sweep
 * of each granule that Documentation/model.rst reports, only the seeds
 * below marked excused reach a differing write bit.  The madvise step moved
 * seed 7787's walk away from its differing write bit; the mremap step, which
 * took half of populate's share of the steps, moved 3274's (an mremap at
 * step 3), and a 2,000-seed sweep with both steps finds no seed excused.
 * Issue 12's black-box run found two more on 4K, the same false alarm (they
 * failed before "oracle: check a shared VMA's write bit, do not compare it"
 * and passed, excused, after it): 1463 at step 26 and 4181 at step 99.
 */
FIXTURE(oracle_seed)
{
};

FIXTURE_VARIANT(oracle_seed)
{
	unsigned int page_kb;
	u64 seed;
	bool excused;		/* the walk reaches a differing write bit */
};

FIXTURE_VARIANT_ADD(oracle_seed, granule_4k_seed_3274) { 4, 3274, false };
FIXTURE_VARIANT_ADD(oracle_seed, granule_16k_seed_239) { 16, 239, false };
FIXTURE_VARIANT_ADD(oracle_seed, granule_16k_seed_7787) { 16, 7787, false };
FIXTURE_VARIANT_ADD(oracle_seed, granule_16k_seed_487) { 16, 487, false };
FIXTURE_VARIANT_ADD(oracle_seed, granule_16k_seed_527) { 16, 527, false };
FIXTURE_VARIANT_ADD(oracle_seed, granule_16k_seed_857) { 16, 857, false };
FIXTURE_VARIANT_ADD(oracle_seed, granule_16k_seed_939) { 16, 939, false };
FIXTURE_VARIANT_ADD(oracle_seed, granule_64k_seed_634) { 64, 634, false };
FIXTURE_VARIANT_ADD(oracle_seed, granule_64k_seed_857) { 64, 857, false };
FIXTURE_VARIANT_ADD(oracle_seed, granule_4k_seed_1463) { 4, 1463, false };
FIXTURE_VARIANT_ADD(oracle_seed, granule_4k_seed_4181) { 4, 4181, false };

FIXTURE_SETUP(oracle_seed)
{
}

FIXTURE_TEARDOWN(oracle_seed)
{
	nt_check_leaks(_metadata);
}

TEST_F(oracle_seed, shared_write_bit_follows_dirty)
{
	struct pb_oracle_args args = {
		.seed = variant->seed, .seeds = 1, .steps = 200,
		.page_kb = variant->page_kb,
	};
	struct pb_oracle_result t = { };
	int ret;

	ret = pb_oracle_run(&args, &t);
	EXPECT_EQ(0, ret) TH_LOG("step %llu op %s mm %u va 0x%llx: kind %d, write %d/%d",
				 t.mismatch.step, t.mismatch.op, t.mismatch.mm,
				 t.mismatch.va, t.mismatch.kind,
				 t.mismatch.views[0].write,
				 t.mismatch.views[1].write);
	EXPECT_EQ(1, t.seeds);
	EXPECT_EQ(variant->excused, t.shared_write_excused > 0);
	EXPECT_EQ(0, t.report.found);
}

/*
 * What stays compared: a writable PTE in a shared VMA whose folio is dirty
 * nowhere would let a write escape dirty accounting.  A trace hook makes one
 * such PTE writable in the batched family only, and the step must fail.
 */
static struct {
	u64 va, step;
	unsigned int page_kb;
	bool dirty;		/* pick a PTE whose folio is dirty */
} tampered;

static bool folio_clean(struct pb_mm *mm, pb_pte_t pte)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_page *head;
	u64 head_pfn, va;
	unsigned int i, v;

	head = pb_page_folio(mm->phys, pb_pte_pfn(g, pte), &head_pfn);
	if (!head || (head->flags & PB_PG_DIRTY))
		return false;
	for (i = 0; i < NR_MMS_WATCHED; i++) {
		struct pb_mm *other = (struct pb_mm *)mms_watched.mm[i];

		if (!other || !other->knobs[PB_KNOB_zap_batch])
			continue;
		for (v = 0; v < other->nr_vmas; v++) {
			for (va = other->vmas[v].start; va < other->vmas[v].end;
			     va += pb_page_size(g)) {
				pb_pte_t *p = pb_pte_offset(other, va, false);
				u64 pfn = p ? pb_pte_pfn(g, *p) : 0;

				if (p && pb_pte_present(*p) && pb_pte_dirty(*p) &&
				    pfn >= head_pfn &&
				    pfn < head_pfn + (1ULL << head->order))
					return false;
			}
		}
	}
	return true;
}

static void tamper_step(const struct pb_oracle_step *st, void *arg)
{
	unsigned int i, v;
	u64 va;

	for (i = 0; i < NR_MMS_WATCHED && !tampered.va; i++) {
		struct pb_mm *mm = (struct pb_mm *)mms_watched.mm[i];

		if (!mm || !mm->knobs[PB_KNOB_zap_batch])
			continue;
		for (v = 0; v < mm->nr_vmas && !tampered.va; v++) {
			const struct pb_vma *vma = &mm->vmas[v];

			if ((vma->flags & (PB_VM_SHARED | PB_VM_WRITE)) !=
			    (PB_VM_SHARED | PB_VM_WRITE))
				continue;
			for (va = vma->start; va < vma->end && !tampered.va;
			     va += pb_page_size(&mm->geom)) {
				pb_pte_t *p = pb_pte_offset(mm, va, false);

				if (!p || !pb_pte_valid(*p) || pb_pte_write(*p) ||
				    pb_pte_cont(*p) || (*p & PB_PTE_UFFD_WP) ||
				    !(*p & PB_PTE_SOFT_DIRTY) ||
				    folio_clean(mm, *p) == tampered.dirty)
					continue;
				/* Writable and clean: DBM, still RDONLY. */
				*p |= PB_PTE_WRITE;
				tampered.va = va;
				tampered.step = st->step;
			}
		}
	}
}

TEST_F(oracle, a_clean_shared_folio_writable_is_a_mismatch)
{
	struct pb_oracle_args args = {
		.seed = 1, .seeds = ORACLE_SEEDS, .steps = ORACLE_STEPS,
		.page_kb = variant->page_kb, .backing = variant->backing,
		.trace = tamper_step,
	};
	struct pb_oracle_result t = { };

	ASSERT_NE(0, __sanitizer_install_malloc_and_free_hooks(mm_malloc, mm_free));
	memset(&tampered, 0, sizeof(tampered));
	ASSERT_EQ(-EUCLEAN, pb_oracle_run(&args, &t));
	ASSERT_NE(0, tampered.va);
	EXPECT_EQ(PB_ORACLE_VIEW, t.mismatch.kind);
	EXPECT_EQ(tampered.va, t.mismatch.va);
	EXPECT_TRUE(t.mismatch.views[0].write);
	EXPECT_FALSE(t.mismatch.views[1].write);
}

/*
 * What is excused: the same PTE made writable where its folio is dirty (so
 * writeback would write-protect it again) is only a write bit that the two
 * families may set differently.  The first run finds the step where the hook
 * strikes; a run that stops at that step compares it and excuses it.
 */
TEST_F(oracle, a_dirty_shared_folio_writable_is_excused)
{
	struct pb_oracle_args args = {
		.seed = 1, .seeds = 1, .steps = ORACLE_STEPS,
		.page_kb = variant->page_kb, .backing = variant->backing,
		.trace = tamper_step,
	};
	struct pb_oracle_result t = { };
	u64 seed;

	ASSERT_NE(0, __sanitizer_install_malloc_and_free_hooks(mm_malloc, mm_free));
	/* The first seed whose walk gives the hook a PTE to make writable. */
	for (seed = 1; seed <= ORACLE_SEEDS; seed++) {
		memset(&tampered, 0, sizeof(tampered));
		tampered.dirty = true;
		args.seed = seed;
		memset(&t, 0, sizeof(t));
		pb_oracle_run(&args, &t);
		if (tampered.va)
			break;
	}
	ASSERT_NE(0, tampered.va);
	args.steps = tampered.step;
	memset(&tampered, 0, sizeof(tampered));
	tampered.dirty = true;
	memset(&t, 0, sizeof(t));
	EXPECT_EQ(0, pb_oracle_run(&args, &t))
		TH_LOG("seed %llu step %llu: kind %d va 0x%llx", seed, args.steps,
		       t.mismatch.kind, t.mismatch.va);
	EXPECT_NE(0, tampered.va);
	EXPECT_LT(0, t.shared_write_excused);
}

/*
 * Started from a snapshot of an mm (a PMD THP, folded and partly unmapped
 * folios, shared anon pages, shmem, a file): both families are made of it
 * alike, and its VMAs, not the six, are where the steps go.
 */
FIXTURE(from_mm)
{
	struct pb_mm *mm, *child;
	struct pb_import_src *src;
	struct trace_buf trace[2];
};

FIXTURE_VARIANT(from_mm)
{
	NT_GRANULE_FIELDS;
};

FIXTURE_VARIANT_ADD(from_mm, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(from_mm, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(from_mm, granule_64k) NT_GRANULE_64K;

FIXTURE_SETUP(from_mm)
{
	ASSERT_TRUE(trace_bufs_alloc(self->trace));
	self->src = calloc(1, sizeof(*self->src));
	ASSERT_NE(NULL, self->src);
	self->mm = nt_mm_create(variant->page_kb, 48, 48, 0, 1 << 16, true);
	ASSERT_FALSE(IS_ERR_OR_NULL(self->mm));
	self->child = nt_mixed_layout(_metadata, self->mm);
	pb_import_snapshot(self->mm, self->src);
	ASSERT_LT(0, self->src->nr_pages);
}

FIXTURE_TEARDOWN(from_mm)
{
	if (self->child)
		pb_mm_destroy(self->child);
	if (!IS_ERR_OR_NULL(self->mm))
		pb_mm_destroy(self->mm);
	free(self->src);
	trace_bufs_free(self->trace);
	nt_check_leaks(_metadata);
}

#define FROM_MM_SEEDS	6
#define FROM_MM_STEPS	40

TEST_F(from_mm, the_families_agree_in_each_profile)
{
	enum pb_profile profile;

	for (profile = 0; profile < PB_NR_PROFILES; profile++) {
		struct pb_oracle_args args = {
			.seed = 1, .seeds = FROM_MM_SEEDS, .steps = FROM_MM_STEPS,
			.profile = profile, .src = self->src, .arena_pages = 1 << 16,
		};
		struct pb_oracle_result t = { };
		int ret;

		ret = pb_oracle_run(&args, &t);
		EXPECT_EQ(0, ret) TH_LOG("profile %d seed %llu step %llu op %s: kind %d va 0x%llx",
					 profile, t.mismatch.seed, t.mismatch.step,
					 t.mismatch.op, t.mismatch.kind, t.mismatch.va);
		EXPECT_EQ(FROM_MM_SEEDS, t.seeds);
		EXPECT_EQ(0, t.report.found);
		/* Made whole: every page listed, every VMA. */
		EXPECT_EQ(self->src->nr_pages, t.import.imported);
		EXPECT_EQ(self->mm->nr_vmas, t.import.vmas);
		EXPECT_LE(t.unfolds[0], t.unfolds[1]);
		EXPECT_LE(t.tlbis[0], t.tlbis[1]);
		/* Only the fixture's mm and its child are left. */
		EXPECT_EQ(2, atomic64_read(&pb_counters[PB_CNT_live_mms]));
	}
}

/* Every step's range lies in one of the snapshot's VMAs, and each is drawn. */
TEST_F(from_mm, the_steps_draw_from_its_vmas)
{
	struct pb_oracle_args args = {
		.seed = 7, .seeds = 4, .steps = FROM_MM_STEPS, .src = self->src,
		.arena_pages = 1 << 16, .trace = trace_step,
		.trace_arg = &self->trace[0],
	};
	struct pb_oracle_result t = { };
	unsigned long long start, end;
	unsigned int i, drawn = 0, lines = 0;
	const char *p;
	int n;

	ASSERT_EQ(0, pb_oracle_run(&args, &t)) TH_LOG("%s", self->trace[0].buf);
	ASSERT_FALSE(self->trace[0].overflow);
	for (p = self->trace[0].buf; (p = strstr(p, " va 0x")); p++) {
		n = sscanf(p, " va 0x%llx-0x%llx", &start, &end);
		ASSERT_EQ(2, n);
		lines++;
		for (i = 0; i < self->src->listed; i++) {
			if (start >= self->src->vma[i].start && end <= self->src->vma[i].end)
				break;
		}
		EXPECT_GT(self->src->listed, i) TH_LOG("0x%llx-0x%llx", start, end);
		if (i < self->src->listed)
			drawn |= 1U << i;
	}
	EXPECT_EQ(4 * FROM_MM_STEPS, lines);
	EXPECT_EQ((1U << self->src->listed) - 1, drawn);
}

/*
 * A source none of whose VMAs can be made (above the VA size): -ENOENT,
 * before any step, and nothing left behind.
 */
TEST_F(from_mm, a_source_without_a_vma_to_make_is_refused)
{
	struct pb_oracle_args args = {
		.seed = 1, .seeds = 1, .steps = 1, .src = self->src,
		.arena_pages = 1 << 16,
	};
	struct pb_oracle_result t = { };

	memset(self->src, 0, sizeof(*self->src));
	self->src->page_shift = variant->page_shift;
	self->src->va_bits = 48;
	self->src->nr_vmas = 1;
	self->src->listed = 1;
	self->src->vma[0] = (struct pb_import_vma){ .start = 1ULL << 48,
		.end = (1ULL << 48) + (1ULL << variant->page_shift), .read = true,
		.kind = PB_MAPS_KIND_ANON };
	EXPECT_EQ(-ENOENT, pb_oracle_run(&args, &t));
	EXPECT_EQ(0, t.import.vmas);
	EXPECT_EQ(1, t.import.skip[PB_IMPORT_SKIP_vma_limit]);
	EXPECT_EQ(0, t.seeds);
	EXPECT_EQ(2, atomic64_read(&pb_counters[PB_CNT_live_mms]));
}

/* The same seeds twice from the same mm: the same trace and totals. */
TEST_F(from_mm, a_replay_is_identical)
{
	struct pb_oracle_args args = {
		.seed = 100, .seeds = 3, .steps = FROM_MM_STEPS, .src = self->src,
		.arena_pages = 1 << 16, .trace = trace_step,
	};
	struct pb_oracle_result t[2] = { };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		args.trace_arg = &self->trace[i];
		ASSERT_EQ(0, pb_oracle_run(&args, &t[i])) TH_LOG("%s", self->trace[i].buf);
	}
	EXPECT_EQ(0, memcmp(&t[0], &t[1], sizeof(t[0])));
	EXPECT_STREQ(self->trace[0].buf, self->trace[1].buf);
	EXPECT_LT(0, strlen(self->trace[0].buf));
}

TEST_HARNESS_MAIN
