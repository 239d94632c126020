// SPDX-License-Identifier: GPL-2.0
/*
 * bench_real: time the real kernel in the guest, to stand beside the
 * model's figures.
 *
 *   bench_real GUEST > real.tsv
 *
 * For the base page, then for each mTHP size in turn ("always", all the
 * others "never"), with 256 MiB of populated anonymous memory, PTE-mapped at
 * every size (a PMD-sized THP is split to PTEs, see pte_map_thps()): the
 * parent's fork() alone (the child waits on a pipe and exits untimed),
 * munmap() of 256 MiB, and an
 * mprotect(PROT_READ)+mprotect(PROT_READ|PROT_WRITE) round trip, the
 * workload of upstream's "Optimize mprotect() for large folios" series.
 * Then, with base pages only, the seed-002 microbenchmark: a write per page
 * of 64 MiB after
 * mprotect(PROT_READ)+mprotect(PROT_READ|PROT_WRITE), and after soft-dirty
 * clearing through /proc/self/clear_refs.
 *
 * One tab-separated row per measurement on stdout, without a header:
 *
 *   guest granule_kb op variant folio_kb median_ns min_ns max_ns runs bytes
 *
 * Times are CLOCK_MONOTONIC; under QEMU's -icount shift=0 they count guest
 * instructions, not wall time.  It first waits until the guest clock runs
 * steadily (see settle_clock()).  Progress goes to stderr, one line a step.
 *
 * Every mTHP "enabled" setting is restored at exit, on error and on
 * SIGINT, SIGTERM or SIGHUP.  Exit status: 0 done, 1 failed, 4 (kselftest
 * skip) without transparent hugepages in sysfs or when not root.
 */
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "pb_util.h"

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define RUNS		5
#define MAX_SIZES	32
#define BIG_BYTES	(256UL << 20)
#define SMALL_BYTES	(64UL << 20)
#define PMD_ALIGN	(2UL << 20)
#define SMAPS_ROLLUP	"/proc/self/smaps_rollup"
#define SPIN_LOOPS	300000UL
#define SETTLE_SAMPLES	40
#define SETTLE_MAX_NS	(10ULL * 1000000000ULL)

/* One mTHP size: its sysfs files and the "enabled" value found at start. */
struct thp_size {
	unsigned long kb;
	char enabled[128];
	char counter[128];
	char saved[16];
	bool changed;
};

static struct thp_size sizes[MAX_SIZES];
static int nr_sizes;
static const char *guest;
static size_t page_size;
static size_t map_align;
/* A last-level table maps this much: mTHP sizes below it are PTE-mapped. */
static size_t pmd_size;

static __printf(1, 2) void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench_real: %s: ", guest);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void restore_all(void)
{
	int i;

	for (i = 0; i < nr_sizes; i++)
		if (sizes[i].changed)
			pb_write_str(sizes[i].enabled, sizes[i].saved);
}

static void on_signal(int sig)
{
	restore_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int cmp_kb(const void *a, const void *b)
{
	const struct thp_size *x = a, *y = b;

	return (x->kb > y->kb) - (x->kb < y->kb);
}

/* The mTHP sizes in sysfs, smallest first, with their current settings. */
static int find_sizes(void)
{
	struct dirent *de;
	struct thp_size *s;
	char buf[256], *open_br, *close_br;
	unsigned long kb;
	DIR *dir;
	int ret;

	dir = opendir(THP_DIR);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && nr_sizes < MAX_SIZES) {
		if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		s = &sizes[nr_sizes];
		s->kb = kb;
		snprintf(s->enabled, sizeof(s->enabled),
			 THP_DIR "/hugepages-%lukB/enabled", kb);
		snprintf(s->counter, sizeof(s->counter),
			 THP_DIR "/hugepages-%lukB/stats/anon_fault_alloc", kb);
		/* Order 1 has only shmem_enabled: anonymous memory cannot. */
		if (access(s->enabled, F_OK))
			continue;
		ret = pb_read_file(s->enabled, buf, sizeof(buf));
		if (ret < 0) {
			closedir(dir);
			return ret;
		}
		/* "always inherit madvise [never]": keep the bracketed one. */
		open_br = strchr(buf, '[');
		close_br = open_br ? strchr(open_br, ']') : NULL;
		if (!close_br || close_br - open_br - 1 >= (int)sizeof(s->saved)) {
			closedir(dir);
			return -EINVAL;
		}
		memcpy(s->saved, open_br + 1, close_br - open_br - 1);
		nr_sizes++;
	}
	closedir(dir);
	qsort(sizes, nr_sizes, sizeof(sizes[0]), cmp_kb);
	return 0;
}

/* Turn on the size @kb alone, or none when @kb is the base page. */
static int select_size(unsigned long kb)
{
	const char *want;
	int i, ret;

	for (i = 0; i < nr_sizes; i++) {
		want = sizes[i].kb == kb ? "always" : "never";
		sizes[i].changed = true;
		ret = pb_write_str(sizes[i].enabled, want);
		if (ret) {
			say("cannot write '%s' to %s: %s", want,
			    sizes[i].enabled, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static long long fault_count(const struct thp_size *s)
{
	char buf[64];

	if (!s || pb_read_file(s->counter, buf, sizeof(buf)) < 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* Outside the timed part: did the faults get folios of the asked size? */
static void check_faults(const struct thp_size *s, long long before,
			 size_t bytes)
{
	long long after = fault_count(s);
	unsigned long want;

	if (!s)
		return;
	want = bytes / (s->kb << 10);
	if (before < 0 || after < 0)
		say("warning: cannot read %s", s->counter);
	else if (after - before < (long long)want)
		say("warning: only %lld of %lu faults got %lu KiB folios (%s)",
		    after - before, want, s->kb, s->counter);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A fixed run of user-space instructions (some 600,000 on arm64). */
static unsigned long long spin_ns(void)
{
	unsigned long long t0 = now_ns();
	unsigned long i;

	for (i = 0; i < SPIN_LOOPS; i++)
		asm volatile("" : : : "memory");
	return now_ns() - t0;
}

/*
 * For a while after boot, QEMU's -icount clock can jump a whole timer tick
 * ahead while the guest is busy, which would double some timings.  Wait
 * until a fixed loop takes the same time SETTLE_SAMPLES times in a row.
 */
static void settle_clock(void)
{
	unsigned long long t, best = ~0ULL, start = now_ns();
	int streak = 0;

	say("waiting for the guest clock to settle");
	while (streak < SETTLE_SAMPLES) {
		if (now_ns() - start > SETTLE_MAX_NS) {
			say("warning: the guest clock did not settle in %llu s; timings may be off",
			    SETTLE_MAX_NS / 1000000000ULL);
			return;
		}
		t = spin_ns();
		if (t + t / 10 < best)
			streak = 0;
		if (t < best)
			best = t;
		streak = t <= best + best / 10 ? streak + 1 : 0;
	}
	say("the guest clock settled after %llu ms; a %lu-step loop takes %llu ns",
	    (now_ns() - start) / 1000000, SPIN_LOOPS, best);
}

static int cmp_ns(const void *a, const void *b)
{
	const unsigned long long *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

static void report(const char *op, unsigned long folio_kb,
		   unsigned long long *ns, size_t bytes)
{
	qsort(ns, RUNS, sizeof(ns[0]), cmp_ns);
	printf("%s\t%zu\t%s\treal\t%lu\t%llu\t%llu\t%llu\t%d\t%zu\n",
	       guest, page_size >> 10, op, folio_kb,
	       ns[RUNS / 2], ns[0], ns[RUNS - 1], RUNS, bytes);
	fflush(stdout);
}

/*
 * Private anonymous memory aligned to the largest folio size, so that the
 * first fault of each aligned block can take a large folio.
 */
static char *map_aligned(size_t bytes)
{
	size_t over = bytes + map_align;
	char *raw, *p;

	raw = mmap(NULL, over, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		say("mmap of %zu bytes failed: %s", over, strerror(errno));
		return NULL;
	}
	p = (char *)(((uintptr_t)raw + map_align - 1) & ~(map_align - 1));
	if (p > raw)
		munmap(raw, p - raw);
	if (raw + over > p + bytes)
		munmap(p + bytes, raw + over - (p + bytes));
	return p;
}

/* One byte per base page: the first pass faults, later ones may too. */
static void touch(char *p, size_t bytes)
{
	size_t off;

	for (off = 0; off < bytes; off += page_size)
		p[off] = 1;
	/* Keep every store, inside the timed part. */
	asm volatile("" : : "r" (p) : "memory");
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Kilobytes of PMD-mapped anonymous THP in this process, or -1. */
static long anon_huge_kb(void)
{
	char buf[4096], *line;
	long kb = -1;

	if (pb_read_file(SMAPS_ROLLUP, buf, sizeof(buf)) < 0)
		return -1;
	line = strstr(buf, "\nAnonHugePages:");
	if (line)
		kb = strtol(line + strlen("\nAnonHugePages:"), NULL, 10);
	return kb;
}

/*
 * PTE-map the PMD-mapped THPs of [p, p + bytes), as upstream's batching
 * benchmarks do (the "PTE-mapped THP" cases of the fork and mprotect
 * series): mprotect() of one page inside each PMD to PROT_READ splits the
 * PMD mapping (split_huge_pmd()), and mprotect() back to PROT_READ |
 * PROT_WRITE leaves the folio whole and PTE-mapped.
 */
static int pte_map_thps(char *p, size_t bytes)
{
	size_t off;

	for (off = 0; off < bytes; off += pmd_size) {
		if (mprotect(p + off, page_size, PROT_READ) ||
		    mprotect(p + off, page_size, PROT_READ | PROT_WRITE)) {
			say("mprotect to PTE-map a THP failed: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static char *map_populated(const struct thp_size *s, size_t bytes)
{
	long long before = fault_count(s);
	char *p = map_aligned(bytes);
	long huge_kb;

	if (!p)
		return NULL;
	touch(p, bytes);
	check_faults(s, before, bytes);
	if (s && (s->kb << 10) >= pmd_size && pte_map_thps(p, bytes)) {
		munmap(p, bytes);
		return NULL;
	}
	/* Every size is PTE-mapped: nothing is left PMD-mapped. */
	huge_kb = anon_huge_kb();
	if (huge_kb != 0)
		say("warning: %ld KiB PMD-mapped (AnonHugePages in %s), not PTE-mapped",
		    huge_kb, SMAPS_ROLLUP);
	return p;
}

/*
 * The parent's fork() alone: from the call to its return in the parent.
 * Parent and child share one CPU and the child waits on a pipe until the
 * time is taken, so that neither its first run nor its exit (which zaps its
 * copy) count; upstream's batching series timed fork() the same way.
 */
static int bench_fork(const struct thp_size *s, unsigned long folio_kb)
{
	unsigned long long ns[RUNS], t0;
	int i, status, fds[2];
	cpu_set_t cpus, saved;
	char c;
	pid_t pid;
	char *p;

	p = map_populated(s, BIG_BYTES);
	if (!p)
		return -1;
	sched_getaffinity(0, sizeof(saved), &saved);
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	for (i = 0; i < RUNS; i++) {
		if (pipe(fds)) {
			say("pipe failed: %s", strerror(errno));
			break;
		}
		t0 = now_ns();
		pid = fork();
		if (!pid) {
			close(fds[1]);
			_exit(read(fds[0], &c, 1) < 0);
		}
		ns[i] = now_ns() - t0;
		close(fds[0]);
		close(fds[1]);
		if (pid < 0) {
			say("fork failed: %s", strerror(errno));
			break;
		}
		if (waitpid(pid, &status, 0) != pid) {
			say("waitpid failed: %s", strerror(errno));
			break;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			say("the forked child ended with status 0x%x", status);
			break;
		}
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	munmap(p, BIG_BYTES);
	if (i < RUNS)
		return -1;
	report("fork", folio_kb, ns, BIG_BYTES);
	return 0;
}

static int bench_munmap(const struct thp_size *s, unsigned long folio_kb)
{
	unsigned long long ns[RUNS], t0;
	char *p;
	int i;

	for (i = 0; i < RUNS; i++) {
		p = map_populated(s, BIG_BYTES);
		if (!p)
			return -1;
		t0 = now_ns();
		if (munmap(p, BIG_BYTES)) {
			say("munmap failed: %s", strerror(errno));
			return -1;
		}
		ns[i] = now_ns() - t0;
	}
	report("munmap", folio_kb, ns, BIG_BYTES);
	return 0;
}

/*
 * mprotect(PROT_READ) then mprotect(PROT_READ | PROT_WRITE) of 256 MiB
 * populated with @s's folios, PTE-mapped: the round trip that upstream's
 * "mm: Optimize mprotect() by PTE batching" (6.17) batches per folio
 * (mprotect_folio_pte_batch() in change_pte_range()).  Unlike the series'
 * test, which PTE-maps PMD THPs or maps 64K mTHP, this maps each size in
 * turn, the PMD size PTE-mapped too; and it times each round trip, not 40.
 */
static int bench_mprotect(const struct thp_size *s, unsigned long folio_kb)
{
	unsigned long long ns[RUNS], t0;
	char *p;
	int i;

	p = map_populated(s, BIG_BYTES);
	if (!p)
		return -1;
	for (i = 0; i < RUNS; i++) {
		t0 = now_ns();
		if (mprotect(p, BIG_BYTES, PROT_READ) ||
		    mprotect(p, BIG_BYTES, PROT_READ | PROT_WRITE)) {
			say("mprotect failed: %s", strerror(errno));
			munmap(p, BIG_BYTES);
			return -1;
		}
		ns[i] = now_ns() - t0;
	}
	munmap(p, BIG_BYTES);
	report("mprotect", folio_kb, ns, BIG_BYTES);
	return 0;
}

static int bench_size(const struct thp_size *s)
{
	unsigned long folio_kb = s ? s->kb : page_size >> 10;

	if (select_size(folio_kb))
		return -1;
	if (s)
		say("%lu KiB folios (hugepages-%lukB always, others never)",
		    folio_kb, folio_kb);
	else
		say("%lu KiB base pages (every mTHP size never)", folio_kb);
	say("  fork() alone x%d with 256 MiB populated, PTE-mapped", RUNS);
	if (bench_fork(s, folio_kb))
		return -1;
	say("  munmap x%d of 256 MiB, populating each", RUNS);
	if (bench_munmap(s, folio_kb))
		return -1;
	say("  mprotect RO+RW x%d of 256 MiB populated, PTE-mapped", RUNS);
	return bench_mprotect(s, folio_kb);
}

/*
 * seed-002: a write per page after an mprotect RO->RW round trip, which
 * can map exclusive anonymous pages writable again, against one after
 * soft-dirty clearing, which must leave them to the write fault.
 */
static int bench_seed002(void)
{
	unsigned long long mprot[RUNS], clear[RUNS], t0;
	long mprot_flt = 0, clear_flt = 0;
	unsigned long base_kb = page_size >> 10;
	char *p;
	int i, ret;

	if (select_size(base_kb))
		return -1;
	say("seed-002: a write per page of 64 MiB, x%d interleaved:", RUNS);
	say("  after mprotect RO+RW, and after soft-dirty clear_refs");
	for (i = 0; i < RUNS; i++) {
		p = map_populated(NULL, SMALL_BYTES);
		if (!p)
			return -1;
		if (mprotect(p, SMALL_BYTES, PROT_READ) ||
		    mprotect(p, SMALL_BYTES, PROT_READ | PROT_WRITE)) {
			say("mprotect failed: %s", strerror(errno));
			munmap(p, SMALL_BYTES);
			return -1;
		}
		mprot_flt -= minor_faults();
		t0 = now_ns();
		touch(p, SMALL_BYTES);
		mprot[i] = now_ns() - t0;
		mprot_flt += minor_faults();
		munmap(p, SMALL_BYTES);

		p = map_populated(NULL, SMALL_BYTES);
		if (!p)
			return -1;
		ret = pb_write_str("/proc/self/clear_refs", "4");
		if (ret) {
			say("writing 4 to /proc/self/clear_refs failed: %s",
			    strerror(-ret));
			munmap(p, SMALL_BYTES);
			return -1;
		}
		clear_flt -= minor_faults();
		t0 = now_ns();
		touch(p, SMALL_BYTES);
		clear[i] = now_ns() - t0;
		clear_flt += minor_faults();
		munmap(p, SMALL_BYTES);
	}
	/* Without soft-dirty support (arm64) clear_refs 4 protects nothing. */
	say("  write faults per run: %ld after mprotect, %ld after clear_refs",
	    mprot_flt / RUNS, clear_flt / RUNS);
	report("write_after_mprotect", base_kb, mprot, SMALL_BYTES);
	report("write_after_clear_refs", base_kb, clear, SMALL_BYTES);
	return 0;
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal };
	int i, ret = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s GUEST > results.tsv\n", argv[0]);
		return 1;
	}
	guest = argv[1];
	page_size = sysconf(_SC_PAGESIZE);
	/* A table of 8-byte entries fills one page. */
	pmd_size = page_size / 8 * page_size;

	if (access(THP_DIR, F_OK)) {
		say("no %s: transparent hugepages are not built in; skipping",
		    THP_DIR);
		return KSFT_SKIP;
	}
	if (geteuid()) {
		say("must run as root to switch mTHP sizes; skipping");
		return KSFT_SKIP;
	}
	ret = find_sizes();
	if (ret) {
		say("cannot read the mTHP sizes in %s: %s", THP_DIR,
		    strerror(-ret));
		return 1;
	}
	if (!nr_sizes) {
		say("no hugepages-<N>kB folders in %s (no mTHP); skipping",
		    THP_DIR);
		return KSFT_SKIP;
	}

	/* Restore the settings if killed from the console or by a timeout. */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < (int)ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);

	map_align = PMD_ALIGN;
	if ((sizes[nr_sizes - 1].kb << 10) > map_align)
		map_align = sizes[nr_sizes - 1].kb << 10;

	say("%zu KiB pages, %d mTHP sizes from %lu KiB to %lu KiB, %d runs each",
	    page_size >> 10, nr_sizes, sizes[0].kb, sizes[nr_sizes - 1].kb,
	    RUNS);

	settle_clock();
	ret = bench_size(NULL);
	for (i = 0; !ret && i < nr_sizes; i++)
		ret = bench_size(&sizes[i]);
	if (!ret)
		ret = bench_seed002();

	restore_all();
	say("restored the mTHP settings");
	if (ret) {
		say("failed");
		return 1;
	}
	say("done");
	return 0;
}
