// SPDX-License-Identifier: GPL-2.0
/*
 * conformance: a real process and the model, step by step.
 *
 * One scenario table (steps[]) is read by two interpreters: the real one
 * runs it on anonymous memory of this process and of a child it forks,
 * synchronised by pipes; the model one runs it as ctl commands on a private
 * mm of the running kernel's series, with the guest's granule and the same
 * enabled mTHP order.  After every step both emit the same normalised
 * records: per page and process present, zero page, folio (named by the
 * order in which the scenario first saw it, since physical addresses
 * differ), index in the folio, order, mapcount, PFN changed since the
 * previous step; with the module's task_dump and task_folio also writable,
 * dirty, young, CONT (arm64), refcount, anon-exclusive, deferred split;
 * and per step the mTHP stats deltas against the model's counters.  Each
 * difference is either listed in departures[], naming the model.rst
 * departure that explains it, or fails the test; a listed one that no
 * longer happens fails too.
 *
 * Each variant switches one mTHP size on (hugepages-<N>kB/enabled
 * "madvise", with the private regions MADV_HUGEPAGE, and shmem_enabled
 * "always"; every other size "never"), or none (order 0);
 * a size the guest does not offer is a skip.  Every setting is restored.
 * Determinism, as a study on 6.12 found necessary: the probe's own memory
 * is MADV_NOHUGEPAGE, khugepaged sleeps, DAMON_STAT (mainline) is off, the
 * LRU is drained (drop_caches runs lru_add_drain_all()) before each
 * observation, stdio is flushed before fork.  Allocator-dependent things
 * (fold attempts, PFNs) are not compared.
 */
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "pb_test.h"

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define SCAN_SLEEP	THP_DIR "/khugepaged/scan_sleep_millisecs"
/*
 * DAMON_STAT ("mm/damon: introduce DAMON_STAT module", 6.17) samples the
 * physical address space in the background and clears the accessed bit of
 * what it samples (damon_folio_mkold()); on by default where
 * CONFIG_DAMON_STAT_ENABLED_DEFAULT is set, as in Debian's mainline kernels.
 */
#define DAMON_STAT	"/sys/module/damon_stat/parameters/enabled"
#define MAX_SIZES	24
#define MAX_PAGES	16384
#define MAX_FOLIOS	(2 * MAX_PAGES)
#define MAX_SHOWN	3

/* kpageflags bits (include/uapi/linux/kernel-page-flags.h). */
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_ZERO_PAGE		24

/* --- The scenario table -------------------------------------------------- */

enum op { OP_WRITE, OP_READ, OP_FORK, OP_MPROT_R, OP_MPROT_RW, OP_MUNMAP,
	  OP_DONTNEED, OP_EXIT, OP_CLEAR_REFS };
enum who { PARENT, CHILD };
/* Regions: A private (4 units), B private (1 unit), S shared anon (1 unit). */
enum region { RA, RB, RS, NR_REGIONS };

static const char *const region_names[NR_REGIONS] = { "A", "B", "S" };
static const unsigned int region_units[NR_REGIONS] = { 4, 1, 1 };
/*
 * The units of this run: region_units[], but no S at the PMD size, where the
 * kernel maps a shmem folio with a PMD and the model with PTEs (model.rst,
 * "Departures": a page-cache folio is never PMD-mapped).
 */
static unsigned int units[NR_REGIONS];

/*
 * A range: in region @r, from unit @unit, @off_half half units plus @off_pg
 * pages, for @len_half half units plus @len_pg pages.  A unit is a folio of
 * the size switched on, or 16 pages with none.
 */
struct range {
	enum region r;
	int unit, off_half, off_pg, len_half, len_pg;
};

struct step {
	const char *name;
	enum op op;
	enum who who;
	struct range rg;
	bool needs_soft_dirty;
};

#define RNG(r, u, oh, op, lh, lp)	{ r, u, oh, op, lh, lp }
#define UNITS(r, u, n)			RNG(r, u, 0, 0, 2 * (n), 0)

static const struct step steps[] = {
	{ "fault_write", OP_WRITE, PARENT, UNITS(RA, 0, 4) },
	{ "mprot_p0_r", OP_MPROT_R, PARENT, RNG(RA, 1, 0, 0, 0, 1) },
	{ "mprot_p0_rw", OP_MPROT_RW, PARENT, RNG(RA, 1, 0, 0, 0, 1) },
	{ "read_fault", OP_READ, PARENT, UNITS(RB, 0, 1) },
	{ "write_after_read", OP_WRITE, PARENT, RNG(RB, 0, 0, 0, 1, 0) },
	{ "shared_write", OP_WRITE, PARENT, UNITS(RS, 0, 1) },
	{ "fork", OP_FORK, PARENT },
	{ "child_cow_p0", OP_WRITE, CHILD, RNG(RA, 0, 0, 0, 0, 1) },
	{ "parent_cow_p0", OP_WRITE, PARENT, RNG(RA, 0, 0, 0, 0, 1) },
	{ "child_cow_partial", OP_WRITE, CHILD, RNG(RA, 1, 0, 1, 1, -1) },
	{ "child_shared_write", OP_WRITE, CHILD, RNG(RS, 0, 1, 0, 1, 0) },
	{ "mprotect_ro", OP_MPROT_R, PARENT, UNITS(RA, 0, 4) },
	{ "mprotect_rw", OP_MPROT_RW, PARENT, UNITS(RA, 0, 4) },
	{ "parent_write_p0_p1", OP_WRITE, PARENT, RNG(RA, 0, 0, 0, 0, 2) },
	{ "child_exit", OP_EXIT, CHILD },
	{ "parent_write_unshared", OP_WRITE, PARENT, RNG(RA, 2, 0, 1, 0, 1) },
	{ "munmap_half", OP_MUNMAP, PARENT, RNG(RA, 3, 0, 0, 1, 0) },
	{ "dontneed_half", OP_DONTNEED, PARENT, RNG(RA, 2, 1, 0, 1, 0) },
	{ "refault_half", OP_WRITE, PARENT, RNG(RA, 2, 1, 0, 1, 0) },
	{ "clear_refs", OP_CLEAR_REFS, PARENT, {}, true },
	{ "write_after_clear_refs", OP_WRITE, PARENT, RNG(RA, 0, 0, 2, 0, 2), true },
};

#define NR_STEPS	ARRAY_SIZE(steps)

/* --- Expected departures ----------------------------------------------- */

/*
 * A difference the model is known to show, keyed by step, observable and
 * configuration, with the model.rst departure or profile difference that
 * explains it.  min_kb/max_kb bound the mTHP size (0: order 0), and
 * @blocks asks for folios of a whole contpte block or more; series and
 * arch are NULL for any.  A page that departs carries the departure into
 * later steps (cmp()).  hits counts the pages (or counters) it excused.
 */
struct departure {
	const char *step, *field;
	unsigned long min_kb, max_kb;
	bool blocks;
	const char *series, *arch;
	const char *why;
	unsigned int hits;
};

static struct departure departures[] = {
	/*
	 * mprotect of a whole folio whose blocks the mprot_p0 steps unfolded:
	 * mainline's batched commit (modify_prot_commit_ptes() is set_ptes()
	 * on arm64, "arm64: Add batched versions of
	 * ptep_modify_prot_start/commit") folds them again.
	 */
	{ "mprotect_ro", "cont", 0, ~0UL, true, "mainline", "arm64",
	  "model.rst: mprotect batches of non-contiguous entries are committed without CONT" },
	{ NULL },
};

/* --- State ---------------------------------------------------------------- */

/* One page of one process after one step, as either interpreter sees it. */
struct pg {
	bool present, zero, write, dirty, young, cont, excl, deferred, partial;
	int order, idx, mapcount, refcount;
	long long head;		/* the side's own head PFN, -1 for none */
	int id;			/* the folio's name: order of first sight */
	bool pfn_changed;
};

/* One side: the records of this step and the last, and the folio names. */
struct side {
	const char *name;
	struct pg cur[2][MAX_PAGES], prev[2][MAX_PAGES];
	long long ids[MAX_FOLIOS];	/* head PFN of each folio name */
	bool seen[MAX_FOLIOS];
	int nr_ids;
	/* counters for the per-step stats comparison */
	long long fault_alloc, split_deferred, partially_mapped;
};

struct thp_size {
	unsigned long kb;
	char saved[16], saved_shmem[16];
	bool has_shmem;
};

static struct side real_side = { .name = "real" }, model_side = { .name = "model" };
static struct thp_size sizes[MAX_SIZES];
static int nr_sizes;
static char saved_top[16], saved_scan[32], saved_damon[8];
static size_t psize;
static unsigned int unit_pages;
static unsigned long long region_va[NR_REGIONS], region_len[NR_REGIONS];
static unsigned int region_first[NR_REGIONS];	/* page index in records */
static unsigned int nr_pages;
static char series[16];
static bool is_arm64, have_task, soft_dirty, have_kprobes;
static pid_t child_pid;
static int to_child[2], from_child[2], ctl_fd = -1;
static int model_child = -1;
/* The departure each page of the parent [0] and the child [1] carries. */
static struct departure *carried[2][MAX_PAGES];
static unsigned long cur_kb;

/* --- sysfs -------------------------------------------------------------- */

/* The bracketed choice of a sysfs setting ("always [never]"), or the text. */
static int read_choice(const char *path, char *out, size_t size)
{
	char buf[256], *o, *c;
	int ret = pb_read_file(path, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	o = strchr(buf, '[');
	c = o ? strchr(o, ']') : NULL;
	if (!o) {
		o = buf - 1;
		c = strchrnul(buf, '\n');
	}
	if (!c || c - o - 1 >= (int)size)
		return -EINVAL;
	memcpy(out, o + 1, c - o - 1);
	out[c - o - 1] = '\0';
	return 0;
}

static long long read_ll(const char *path)
{
	char buf[64];

	if (pb_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

static int find_sizes(void)
{
	char path[256];
	struct dirent *de;
	unsigned long kb;
	DIR *dir = opendir(THP_DIR);

	if (!dir)
		return -errno;
	nr_sizes = 0;
	while ((de = readdir(dir)) && nr_sizes < MAX_SIZES) {
		struct thp_size *s = &sizes[nr_sizes];

		if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		snprintf(path, sizeof(path), THP_DIR "/hugepages-%lukB/enabled", kb);
		/* Order 1 has only shmem_enabled: anonymous memory cannot. */
		if (read_choice(path, s->saved, sizeof(s->saved)))
			continue;
		snprintf(path, sizeof(path), THP_DIR "/hugepages-%lukB/shmem_enabled", kb);
		s->has_shmem = !read_choice(path, s->saved_shmem, sizeof(s->saved_shmem));
		s->kb = kb;
		nr_sizes++;
	}
	closedir(dir);
	return nr_sizes ? 0 : -ENOENT;
}

static void restore_sizes(void)
{
	char path[256];
	int i;

	for (i = 0; i < nr_sizes; i++) {
		snprintf(path, sizeof(path), THP_DIR "/hugepages-%lukB/enabled", sizes[i].kb);
		pb_write_str(path, sizes[i].saved);
		if (!sizes[i].has_shmem)
			continue;
		snprintf(path, sizeof(path), THP_DIR "/hugepages-%lukB/shmem_enabled",
			 sizes[i].kb);
		pb_write_str(path, sizes[i].saved_shmem);
	}
	if (saved_top[0])
		pb_write_str(THP_DIR "/enabled", saved_top);
	if (saved_scan[0])
		pb_write_str(SCAN_SLEEP, saved_scan);
	if (saved_damon[0])
		pb_write_str(DAMON_STAT, saved_damon);
}

/*
 * Size @kb alone on, or none with 0: "madvise" for anonymous memory, which
 * the scenario's private regions ask for with MADV_HUGEPAGE, and "always"
 * for shmem.  The mTHP stats are system-wide: with anon "always", a fault
 * of any other process in the guest (the runner, this process's own heap)
 * could take a folio of the size and count in anon_fault_alloc.
 */
static int select_size(unsigned long kb)
{
	char path[256];
	int i, ret;

	ret = pb_write_str(THP_DIR "/enabled", "never");
	if (!ret)
		ret = pb_write_str(SCAN_SLEEP, "3600000");
	if (!ret && saved_damon[0])
		ret = pb_write_str(DAMON_STAT, "N");
	for (i = 0; !ret && i < nr_sizes; i++) {
		bool on = sizes[i].kb == kb;

		snprintf(path, sizeof(path), THP_DIR "/hugepages-%lukB/enabled", sizes[i].kb);
		ret = pb_write_str(path, on ? "madvise" : "never");
		if (ret || !sizes[i].has_shmem)
			continue;
		snprintf(path, sizeof(path), THP_DIR "/hugepages-%lukB/shmem_enabled",
			 sizes[i].kb);
		ret = pb_write_str(path, on ? "always" : "never");
	}
	return ret;
}

static long long size_stat(unsigned long kb, const char *name)
{
	char path[256];

	if (!kb)
		return 0;
	snprintf(path, sizeof(path), THP_DIR "/hugepages-%lukB/stats/%s", kb, name);
	return read_ll(path);
}

/* lru_add_drain_all(): per-CPU LRU batches hold references otherwise. */
static void drain_lru(void)
{
	pb_write_str("/proc/sys/vm/drop_caches", "1");
}

/* MADV_NOHUGEPAGE on every mapping this process has now. */
static void probe_nohugepage(void)
{
	static char maps[65536];
	unsigned long lo, hi;
	char *p = maps;

	if (pb_read_file("/proc/self/maps", maps, sizeof(maps)) < 0)
		return;
	while (*p) {
		if (sscanf(p, "%lx-%lx", &lo, &hi) == 2)
			madvise((void *)lo, hi - lo, MADV_NOHUGEPAGE);
		p = strchrnul(p, '\n');
		if (*p)
			p++;
	}
}

/*
 * And once before main(), before the harness touches the data and bss: a
 * large folio the harness's process took there (the records are megabytes
 * of bss) would reach each test through fork(), and its blocks would fold
 * and unfold in the scenario's fork (found by the kprobe count).
 */
static void __attribute__((constructor)) probe_nohugepage_early(void)
{
	probe_nohugepage();
}

/* --- Ranges --------------------------------------------------------------- */

static void range_pages(const struct range *rg, unsigned int *first, unsigned int *nr)
{
	int h = unit_pages / 2;

	*first = rg->unit * unit_pages + rg->off_half * h + rg->off_pg;
	*nr = rg->len_half * h + rg->len_pg;
}

static unsigned long long range_va(const struct range *rg)
{
	unsigned int first, nr;

	range_pages(rg, &first, &nr);
	return region_va[rg->r] + first * psize;
}

static size_t range_len(const struct range *rg)
{
	unsigned int first, nr;

	range_pages(rg, &first, &nr);
	return nr * psize;
}

/*
 * Folios above SAMPLE_ABOVE pages are observed at the pages the steps
 * treat differently (the first four, both sides of the half, the last two)
 * and every 16th, so that the largest sizes keep to the time budget; both
 * interpreters and the comparison skip the others alike.
 */
#define SAMPLE_ABOVE	64

static bool observed(unsigned int i)
{
	unsigned int u = unit_pages, j = i % u;

	if (u <= SAMPLE_ABOVE)
		return true;
	return j < 4 || (j >= u / 2 - 2 && j < u / 2 + 2) || j >= u - 2 || !(j % 16);
}

/* Is page @i of the records (all regions in a row) observed? */
static bool page_observed(unsigned int i)
{
	int r;

	for (r = NR_REGIONS - 1; region_first[r] > i; r--)
		;
	return observed(i - region_first[r]);
}

/* --- The real interpreter ----------------------------------------------- */

struct child_cmd {
	enum op op;
	unsigned long long va;
	size_t len;
};

static void do_access(unsigned long long va, size_t len, bool write)
{
	size_t off;

	for (off = 0; off < len; off += psize) {
		char *p = (char *)(uintptr_t)(va + off);

		/* Atomic accesses, so that the compiler keeps each one. */
		if (write)
			__atomic_store_n(p, 1, __ATOMIC_RELAXED);
		else
			(void)__atomic_load_n(p, __ATOMIC_RELAXED);
	}
}

static int real_op(enum op op, unsigned long long va, size_t len)
{
	void *p = (void *)(uintptr_t)va;

	switch (op) {
	case OP_WRITE:
		do_access(va, len, true);
		return 0;
	case OP_READ:
		do_access(va, len, false);
		return 0;
	case OP_MPROT_R:
		return mprotect(p, len, PROT_READ);
	case OP_MPROT_RW:
		return mprotect(p, len, PROT_READ | PROT_WRITE);
	case OP_MUNMAP:
		return munmap(p, len);
	case OP_DONTNEED:
		return madvise(p, len, MADV_DONTNEED);
	case OP_CLEAR_REFS:
		return pb_write_str("/proc/self/clear_refs", "4");
	default:
		return -EINVAL;
	}
}

static void child_loop(void)
{
	struct child_cmd cmd;
	char ok;

	/* Only the parent talks to the module; the child ends with it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(ctl_fd);
	close(to_child[1]);
	close(from_child[0]);

	while (read(to_child[0], &cmd, sizeof(cmd)) == sizeof(cmd)) {
		if (cmd.op == OP_EXIT)
			_exit(0);
		ok = !real_op(cmd.op, cmd.va, cmd.len);
		if (write(from_child[1], &ok, 1) != 1)
			_exit(1);
	}
	_exit(0);
}

/* Run one step for real; 0 or -errno. */
static int real_step(const struct step *s)
{
	struct child_cmd cmd = { s->op, 0, 0 };
	int status;
	char ok;

	if (s->op == OP_FORK) {
		fflush(stdout);
		fflush(stderr);
		if (pipe(to_child) || pipe(from_child))
			return -errno;
		child_pid = fork();
		if (child_pid < 0)
			return -errno;
		if (!child_pid)
			child_loop();
		close(to_child[0]);
		close(from_child[1]);
		return 0;
	}
	if (s->op != OP_CLEAR_REFS) {
		cmd.va = range_va(&s->rg);
		cmd.len = range_len(&s->rg);
	}
	if (s->who == PARENT)
		return real_op(s->op, cmd.va, cmd.len) ? -errno : 0;
	if (write(to_child[1], &cmd, sizeof(cmd)) != sizeof(cmd))
		return -EIO;
	if (s->op == OP_EXIT) {
		if (waitpid(child_pid, &status, 0) != child_pid || status)
			return -ECHILD;
		close(to_child[1]);
		close(from_child[0]);
		child_pid = 0;
		return 0;
	}
	if (read(from_child[0], &ok, 1) != 1 || !ok)
		return -EIO;
	return 0;
}

static unsigned long long pread64_at(int fd, unsigned long long idx, bool *ok)
{
	unsigned long long v = 0;

	*ok = pread(fd, &v, sizeof(v), idx * sizeof(v)) == sizeof(v);
	return v;
}

/* Folios found by kpage_folio() in this observation, to scan each once. */
static struct { long long head; int order; } kfolios[MAX_FOLIOS];
static int nr_kfolios;

/* The head PFN and order of the folio of @pfn from kpageflags. */
static void kpage_folio(int kflags, unsigned long long pfn, long long *head, int *order)
{
	unsigned long long h = pfn, t;
	bool ok;
	unsigned long long f;
	int n;

	for (n = nr_kfolios - 1; n >= 0; n--) {
		if (pfn >= (unsigned long long)kfolios[n].head &&
		    pfn < (unsigned long long)kfolios[n].head + (1ULL << kfolios[n].order)) {
			*head = kfolios[n].head;
			*order = kfolios[n].order;
			return;
		}
	}
	f = pread64_at(kflags, pfn, &ok);
	while (ok && (f >> KPF_COMPOUND_TAIL & 1) && pfn - h < (1ULL << 13))
		f = pread64_at(kflags, --h, &ok);
	*head = h;
	*order = 0;
	if (f >> KPF_COMPOUND_HEAD & 1) {
		for (t = h + 1, n = 1; n < (1 << 13); t++, n++) {
			f = pread64_at(kflags, t, &ok);
			if (!ok || !(f >> KPF_COMPOUND_TAIL & 1))
				break;
		}
		*order = __builtin_ctz(n);
	}
	if (nr_kfolios < MAX_FOLIOS) {
		kfolios[nr_kfolios].head = h;
		kfolios[nr_kfolios++].order = *order;
	}
}

/* Is @name one of the comma-separated @flags (a string of flags alone)? */
static bool has_flag(const char *flags, const char *name)
{
	size_t len = strlen(name);
	const char *p = flags;

	while ((p = strstr(p, name))) {
		if ((p == flags || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/*
 * Parse a dump (or task_dump) line into @g; the folio fields come later.
 * An x86 entry (@x86) has no DBM: writable is the absence of RO, and dirty
 * is D alone.  Only this line is read, and its flags field apart: a search
 * that ran on into the next lines found their flags (a page after an
 * mprotect()ed one read as read-only).
 */
static void parse_dump_line(const char *reply, struct pg *g, bool x86)
{
	char line[256], flags[128];
	const char *f;

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(reply, "\n"), reply);
	memset(g, 0, sizeof(*g));
	g->head = -1;
	g->id = -1;
	if (sscanf(line, "%*s %*s %127s", flags) != 1 || !strcmp(flags, "none"))
		return;
	g->present = true;
	if (x86) {
		g->write = !has_flag(flags, "RO");
		g->dirty = has_flag(flags, "D");
	} else {
		g->write = has_flag(flags, "DBM");
		g->dirty = has_flag(flags, "D") || (g->write && !has_flag(flags, "RO"));
	}
	g->young = has_flag(flags, "AF");
	g->cont = has_flag(flags, "CONT");
	f = strstr(line, " folio=");
	/*
	 * No folio behind a present entry: in this scenario, the zero page or
	 * the huge zero folio (which 6.12 does not mark special).
	 */
	if (!f || !strncmp(f, " folio=none", 11)) {
		g->zero = true;
		return;
	}
	g->head = strtoll(f + 7, NULL, 0);
	f = strstr(line, " order=");
	g->order = f ? atoi(f + 7) : 0;
	f = strstr(line, " idx=");
	g->idx = f ? atoi(f + 5) : 0;
}

/* The folio fields of the page at @va, from a folio (or task_folio) reply. */
static void parse_folio(const char *reply, struct pg *g)
{
	g->refcount = pb_lookup(reply, "refcount");
	g->mapcount = pb_lookup(reply, "mapcount");
	g->excl = pb_lookup(reply, "exclusive") == 1;
	g->deferred = pb_lookup(reply, "deferred") == 1;
	g->partial = pb_lookup(reply, "partially_mapped") == 1;
}

/*
 * Observe @nr pages from @va with dump-like lines: "dump mm=N" for the
 * model, "task_dump pid=N" for a real process.  0 or -errno.
 */
static int observe_dump(struct pb_ctl *c, const char *who, unsigned long long va,
			unsigned int nr, struct pg *out, bool real)
{
	unsigned int i;
	char *line;

	if (pb_cmd(c, "%sdump %s va=0x%llx nr=%u", real ? "task_" : "",
		   who, va, nr))
		return -EIO;
	line = c->reply;
	for (i = 0; i < nr; i++) {
		if (!*line)
			return -EPROTO;
		parse_dump_line(line, &out[i], real && !is_arm64);
		line = strchrnul(line, '\n');
		if (*line)
			line++;
	}
	return 0;
}

/* observe_dump() in pieces of at most PB_DUMP_MAX pages. */
static int observe_dumps(struct pb_ctl *c, const char *who, unsigned long long va,
			 unsigned int nr, struct pg *out, bool real)
{
	unsigned int done, k;

	for (done = 0; done < nr; done += k) {
		k = nr - done > PB_DUMP_MAX ? PB_DUMP_MAX : nr - done;
		if (observe_dump(c, who, va + done * psize, k, out + done, real))
			return -EIO;
	}
	return 0;
}

/*
 * observe_dumps() of the observed pages of a region of @nr pages from @va,
 * each run of them in a row; the others keep what the caller put there.
 */
static int observe_region(struct pb_ctl *c, const char *who, unsigned long long va,
			  unsigned int nr, struct pg *out, bool real)
{
	unsigned int i, j;

	for (i = 0; i < nr; i = j) {
		for (; i < nr && !observed(i); i++)
			;
		for (j = i; j < nr && observed(j); j++)
			;
		if (j > i && observe_dumps(c, who, va + i * psize, j - i, out + i, real))
			return -EIO;
	}
	return 0;
}

static int observe_folios(struct pb_ctl *c, const char *cmd, const char *who,
			  unsigned long long va, unsigned int nr, struct pg *out)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (!out[i].present || out[i].zero || !observed(i))
			continue;
		if (pb_cmd(c, "%s %s va=0x%llx", cmd, who, va + i * psize))
			return -EIO;
		parse_folio(c->reply, &out[i]);
	}
	return 0;
}

/* Observe process @pid (0: none) into @out[nr_pages]. */
static int real_observe(struct pb_ctl *c, pid_t pid, struct pg *out)
{
	char path[64], who[32];
	int pm, kflags, kcount, r, ret = 0;
	unsigned int i;

	memset(out, 0, sizeof(*out) * nr_pages);
	for (i = 0; i < nr_pages; i++)
		out[i].head = -1, out[i].id = -1;
	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	snprintf(who, sizeof(who), "pid=%d", pid);
	nr_kfolios = 0;
	pm = open(path, O_RDONLY);
	kflags = open("/proc/kpageflags", O_RDONLY);
	kcount = open("/proc/kpagecount", O_RDONLY);
	if (pm < 0 || kflags < 0 || kcount < 0) {
		ret = -errno;
		goto out;
	}
	for (r = 0; r < NR_REGIONS; r++) {
		unsigned int n = units[r] * unit_pages;
		struct pg *g = out + region_first[r];

		if (have_task) {
			ret = observe_region(c, who, region_va[r], n, g, true);
			if (!ret)
				ret = observe_folios(c, "task_folio", who, region_va[r], n, g);
			if (ret)
				goto out;
			continue;
		}
		for (i = 0; i < n; i++) {
			unsigned long long vpn = region_va[r] / psize + i;
			unsigned long long e, pfn, f;
			bool ok;

			if (!observed(i))
				continue;
			e = pread64_at(pm, vpn, &ok);
			if (!ok || !(e >> 63))
				continue;
			pfn = e & ((1ULL << 55) - 1);
			g[i].present = true;
			f = pread64_at(kflags, pfn, &ok);
			if (f >> KPF_ZERO_PAGE & 1) {
				g[i].zero = true;
				continue;
			}
			kpage_folio(kflags, pfn, &g[i].head, &g[i].order);
			g[i].idx = pfn - g[i].head;
			g[i].mapcount = pread64_at(kcount, pfn, &ok);
		}
	}
out:
	if (pm >= 0)
		close(pm);
	if (kflags >= 0)
		close(kflags);
	if (kcount >= 0)
		close(kcount);
	return ret;
}

/* --- Real folds and unfolds: a kprobe ------------------------------------ */

/*
 * Every fold and unfold of arm64's contpte code goes through the static
 * contpte_convert(mm, addr, ptep, pte) with the block's new entry: CONT set
 * from __contpte_try_fold(), clear from __contpte_try_unfold()
 * (arch/arm64/mm/contpte.c, 6.12 and mainline alike).  A kprobe on it that
 * records @addr (x1) and @pte (x3) tells them apart, and where.
 * __contpte_try_unfold() itself cannot be counted: contpte.c's own callers
 * may inline it.  Fold attempts, which depend on where PFNs land, are not
 * counted.  The probe fires in every process: only events inside the
 * scenario's regions count (the probe's own bss and heap can hold a large
 * folio that the harness's process took before the test began).
 */
#define TRACING		"/sys/kernel/tracing"
#define KP_CONVERT	"ptebatch_conf_convert"
#define KP_ENABLE	TRACING "/events/kprobes/" KP_CONVERT "/enable"
#define PTE_CONT_BIT	52

/* Empty the trace buffer (an open with O_TRUNC does). */
static int trace_clear(void)
{
	int fd = open(TRACING "/trace", O_WRONLY | O_TRUNC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void kprobe_remove(void)
{
	pb_write_str(KP_ENABLE, "0");
	/* A write without O_TRUNC leaves the other probes in kprobe_events. */
	pb_write_str(TRACING "/kprobe_events", "-:" KP_CONVERT);
}

/* Probe contpte_convert(); false (and why, once) where that cannot be. */
static bool kprobe_add(void)
{
	static bool told;
	const char *why = NULL;

	if (!is_arm64)
		return false;
	if (access(TRACING "/kprobe_events", F_OK))
		mount("nodev", TRACING, "tracefs", 0, NULL);
	kprobe_remove();
	if (access(TRACING "/kprobe_events", W_OK))
		why = "no " TRACING "/kprobe_events (CONFIG_KPROBE_EVENTS, tracefs)";
	else if (pb_write_str(TRACING "/kprobe_events",
			      "p:" KP_CONVERT " contpte_convert addr=%x1:x64 pte=%x3:x64"))
		why = "contpte_convert cannot be probed";
	else if (pb_write_str(KP_ENABLE, "1") || trace_clear())
		why = "the kprobe cannot be enabled";
	if (!why)
		return true;
	kprobe_remove();
	if (!told)
		ksft_print_msg("real folds and unfolds not compared: %s\n", why);
	told = true;
	return false;
}

/*
 * The folds and unfolds the trace holds since trace_clear(); 0 or -errno.
 * A trace without an event of the probe is left as it is: it has nothing
 * to drop, and emptying it took 40 ms a call in the 16K guest (1.2 to 1.5 s
 * of each size's run there, at two calls a step).
 */
static int kprobe_counts(long long *folds, long long *unfolds)
{
	static char buf[1 << 20];
	unsigned long long pte, addr;
	bool any = false;
	const char *p;
	int ret, r;

	*folds = *unfolds = 0;
	ret = pb_read_file(TRACING "/trace", buf, sizeof(buf));
	if (ret < 0)
		return ret;
	for (p = buf; (p = strstr(p, KP_CONVERT ": ")); p++) {
		const char *v = strstr(p, " addr=");

		any = true;
		if (!v || sscanf(v, " addr=%llx pte=%llx", &addr, &pte) != 2)
			return -EPROTO;
		for (r = 0; r < NR_REGIONS; r++)
			if (addr - region_va[r] < region_len[r])
				break;
		if (r == NR_REGIONS)
			continue;
		if (pte >> PTE_CONT_BIT & 1)
			(*folds)++;
		else
			(*unfolds)++;
	}
	return any ? trace_clear() : 0;
}

/* --- The model interpreter ---------------------------------------------- */

static int model_step(struct pb_ctl *c, const struct step *s)
{
	static const char *const ops[] = {
		[OP_MPROT_R] = "mprotect", [OP_MPROT_RW] = "mprotect",
		[OP_MUNMAP] = "munmap", [OP_DONTNEED] = "madvise",
	};
	int mm = s->who == PARENT ? 0 : model_child;
	unsigned long long va, len, off;

	switch (s->op) {
	case OP_FORK:
		if (pb_cmd(c, "fork mm=0"))
			return -EIO;
		model_child = pb_reply_val(c, "mm");
		return 0;
	case OP_EXIT:
		if (pb_cmd(c, "mm_destroy mm=%d", model_child))
			return -EIO;
		model_child = -1;
		return 0;
	case OP_CLEAR_REFS:
		return pb_cmd(c, "clear_refs mm=%d", mm) ? -EIO : 0;
	default:
		break;
	}
	va = range_va(&s->rg);
	len = range_len(&s->rg);
	if (s->op == OP_WRITE || s->op == OP_READ) {
		for (off = 0; off < len; off += psize)
			if (pb_cmd(c, "touch mm=%d va=0x%llx write=%d", mm, va + off,
				   s->op == OP_WRITE) || pb_reply_val(c, "segv") == 1)
				return -EIO;
		return 0;
	}
	if (pb_cmd(c, "%s mm=%d va=0x%llx len=0x%llx%s", ops[s->op], mm, va, len,
		   s->op == OP_MPROT_R ? " prot=r" : s->op == OP_MPROT_RW ? " prot=rw" :
		   s->op == OP_DONTNEED ? " advice=dontneed" : ""))
		return -EIO;
	return 0;
}

static int model_observe(struct pb_ctl *c, int mm, struct pg *out)
{
	char who[16];
	unsigned int i;
	int r;

	memset(out, 0, sizeof(*out) * nr_pages);
	for (i = 0; i < nr_pages; i++)
		out[i].head = -1, out[i].id = -1;
	if (mm < 0)
		return 0;
	snprintf(who, sizeof(who), "mm=%d", mm);
	for (r = 0; r < NR_REGIONS; r++) {
		unsigned int n = units[r] * unit_pages;
		struct pg *g = out + region_first[r];

		if (observe_region(c, who, region_va[r], n, g, false))
			return -EIO;
		if (observe_folios(c, "folio", who, region_va[r], n, g))
			return -EIO;
	}
	return 0;
}

/* --- Normalising and comparing ------------------------------------------ */

/* Name the folios of this step's records in the order first seen. */
static void name_folios(struct side *sd)
{
	bool seen_now[MAX_FOLIOS] = { false };
	unsigned int p, i;
	int k;

	for (p = 0; p < 2; p++) {
		for (i = 0; i < nr_pages; i++) {
			struct pg *g = &sd->cur[p][i];

			if (g->head < 0 || !page_observed(i))
				continue;
			for (k = 0; k < sd->nr_ids; k++)
				if (sd->seen[k] && sd->ids[k] == g->head)
					break;
			if (k == sd->nr_ids && sd->nr_ids < MAX_FOLIOS) {
				sd->ids[sd->nr_ids] = g->head;
				sd->seen[sd->nr_ids++] = true;
			}
			g->id = k;
			seen_now[k] = true;
			g->pfn_changed = sd->prev[p][i].id != g->id || sd->prev[p][i].idx != g->idx;
		}
	}
	/* A folio gone from every record is retired: its PFN may come back. */
	for (k = 0; k < sd->nr_ids; k++)
		if (!seen_now[k])
			sd->seen[k] = false;
}

/* CONT_PTES of arm64's granules (arch/arm64/include/asm/pgtable-hwdef.h). */
static unsigned long cont_block_kb(void)
{
	return psize / 1024 * (psize == 4096 ? 16 : psize == 16384 ? 128 : 32);
}

/* Does @d apply to this guest and the size switched on? */
static bool departure_applies(const struct departure *d)
{
	if (cur_kb < d->min_kb || cur_kb > d->max_kb)
		return false;
	if (d->blocks && cur_kb < cont_block_kb())
		return false;
	if (d->series && strcmp(d->series, series))
		return false;
	return !d->arch || !strcmp(d->arch, is_arm64 ? "arm64" : "amd64");
}

static struct departure *find_departure(const char *step, const char *field)
{
	struct departure *d;

	for (d = departures; d->step; d++)
		if ((!strcmp(d->step, step) || !strcmp(d->step, "*")) &&
		    !strcmp(d->field, field) && departure_applies(d))
			return d;
	return NULL;
}

struct diffs {
	unsigned int unexpected, expected, compares;
	long long folds, unfolds;	/* the real ones the kprobe saw */
	unsigned long long steps_differing;	/* bit per step of steps[] */
};

/* No diagnostics: a run that is meant to differ. */
static bool quiet;

static void differ(struct diffs *dd, const char *step, const char *field, const char *where,
		   long long real, long long model, struct departure **carry)
{
	struct departure *d = find_departure(step, field);
	const char *how = ": ";
	static char last[128];
	static unsigned int shown;
	char key[128];

	snprintf(key, sizeof(key), "%s/%s", step, field);
	if (strcmp(key, last)) {
		snprintf(last, sizeof(last), "%s", key);
		shown = 0;
	}
	if (!d && carry && *carry && !strcmp((*carry)->field, field)) {
		d = *carry;
		how = ", carried: ";
	}
	if (d && carry)
		*carry = d;
	if (d) {
		d->hits++;
		dd->expected++;
	} else {
		dd->unexpected++;
	}
	if (!quiet && shown++ < MAX_SHOWN)
		ksft_print_msg("%s %lukB %s %s %s: real %lld model %lld%s%s\n",
			       d ? "departure" : "DIFF", cur_kb, step, where, field, real,
			       model, d ? how : "", d ? d->why : "");
}

/*
 * Compare one observable.  @carry is the departure that this page shows
 * since an earlier step (NULL where nothing is carried): the model and the
 * kernel left it in different states there, so later steps find the same
 * field different until a step makes both agree again.
 */
static void cmp(struct diffs *dd, const char *step, const char *where, const char *field,
		long long real, long long model, struct departure **carry)
{
	dd->compares++;
	if (real != model)
		differ(dd, step, field, where, real, model, carry);
	else if (carry && *carry && !strcmp((*carry)->field, field))
		*carry = NULL;
}

static void print_pg(const char *side, const struct pg *g)
{
	printf(" %s p%d z%d f%d i%d o%d w%d d%d y%d c%d m%d r%d x%d q%d", side, g->present,
	       g->zero, g->id, g->idx, g->order, g->write, g->dirty, g->young, g->cont,
	       g->mapcount, g->refcount, g->excl, g->deferred);
}

/*
 * CONFORMANCE_TRACE=<page>,... prints both records of those pages of the
 * records (A first, then B, then S) after every step, to study a difference;
 * a page that is not observed has no records.
 */
static void trace_step(const char *step)
{
	const char *t = getenv("CONFORMANCE_TRACE");
	unsigned int p, i;
	char *end;

	while (t && *t) {
		i = strtoul(t, &end, 0);
		if (end == t)
			break;
		t = *end ? end + 1 : end;
		for (p = 0; p < 2 && i < nr_pages && page_observed(i); p++) {
			printf("# trace %lukB %s %c%u", cur_kb, step, p ? 'C' : 'P', i);
			print_pg("real", &real_side.cur[p][i]);
			print_pg("model", &model_side.cur[p][i]);
			printf("\n");
		}
	}
}

static void compare_step(struct diffs *dd, const char *step)
{
	unsigned int p, i, reg;
	char where[48];

	for (p = 0; p < 2; p++) {
		for (i = 0; i < nr_pages; i++) {
			const struct pg *r = &real_side.cur[p][i], *m = &model_side.cur[p][i];
			struct departure **carry = &carried[p][i];

			for (reg = NR_REGIONS - 1; region_first[reg] > i; reg--)
				;
			if (!observed(i - region_first[reg]))
				continue;
			snprintf(where, sizeof(where), "%s%s%u", p ? "C" : "P",
				 region_names[reg], i - region_first[reg]);
			cmp(dd, step, where, "present", r->present, m->present, carry);
			if (!r->present || !m->present)
				continue;
			cmp(dd, step, where, "zero", r->zero, m->zero, carry);
			if (r->zero || m->zero)
				continue;
			cmp(dd, step, where, "id", r->id, m->id, carry);
			cmp(dd, step, where, "idx", r->idx, m->idx, carry);
			cmp(dd, step, where, "order", r->order, m->order, carry);
			cmp(dd, step, where, "pfn_changed", r->pfn_changed, m->pfn_changed, carry);
			cmp(dd, step, where, "mapcount", r->mapcount, m->mapcount, carry);
			if (!have_task)
				continue;
			cmp(dd, step, where, "write", r->write, m->write, carry);
			cmp(dd, step, where, "dirty", r->dirty, m->dirty, carry);
			cmp(dd, step, where, "young", r->young, m->young, carry);
			if (is_arm64)
				cmp(dd, step, where, "cont", r->cont, m->cont, carry);
			cmp(dd, step, where, "refcount", r->refcount, m->refcount, carry);
			cmp(dd, step, where, "excl", r->excl, m->excl, carry);
			cmp(dd, step, where, "deferred", r->deferred, m->deferred, carry);
			cmp(dd, step, where, "partial", r->partial, m->partial, carry);
		}
	}
}

/*
 * The folios that @sd's records show partially mapped (each folio has
 * observed pages).  Not the deferred split queue: a PMD THP joins it when
 * it is mapped ("mm: split underused THPs", 6.12), partially mapped or not.
 */
static long long partial_folios(const struct side *sd)
{
	static bool counted[MAX_FOLIOS];
	long long n = 0;
	unsigned int p, i;

	memset(counted, 0, sizeof(counted));
	for (p = 0; p < 2; p++)
		for (i = 0; i < nr_pages; i++) {
			const struct pg *g = &sd->cur[p][i];

			if (g->partial && g->id >= 0 && !counted[g->id]) {
				counted[g->id] = true;
				n++;
			}
		}
	return n;
}

/*
 * The mTHP stats of the size switched on against the model: split_deferred
 * against deferred_split_adds, nr_anon_partially_mapped against the folios
 * that the model's records show partially mapped, and anon_fault_alloc
 * against the private anon folios of that order that the model's records
 * show new in this step.
 */
static void compare_stats(struct diffs *dd, struct pb_ctl *c, const char *step,
			  unsigned int order)
{
	long long fa = size_stat(cur_kb, "anon_fault_alloc");
	long long sd = size_stat(cur_kb, "split_deferred");
	long long pm = size_stat(cur_kb, "nr_anon_partially_mapped");
	unsigned long long tot[PB_NR_MM_COUNTERS];
	long long adds = 0, partial, new_folios = 0;
	unsigned int i;
	int k;

	if (!cur_kb)
		return;
	if (!pb_stats(NULL, tot, NULL))
		adds = tot[PB_MMC_deferred_split_adds];
	partial = partial_folios(&model_side);
	for (k = 0; k < model_side.nr_ids; k++) {
		bool before = false, now = false;
		unsigned int p;

		for (p = 0; p < 2; p++)
			for (i = 0; i < region_first[RS]; i++) {
				if (model_side.prev[p][i].id == k &&
				    model_side.prev[p][i].order == (int)order)
					before = true;
				if (model_side.cur[p][i].id == k &&
				    model_side.cur[p][i].order == (int)order)
					now = true;
			}
		new_folios += now && !before;
	}
	dd->compares += 3;
	if (fa - real_side.fault_alloc != new_folios)
		differ(dd, step, "anon_fault_alloc", "stats", fa - real_side.fault_alloc,
		       new_folios, NULL);
	if (sd - real_side.split_deferred != adds - model_side.split_deferred)
		differ(dd, step, "split_deferred", "stats", sd - real_side.split_deferred,
		       adds - model_side.split_deferred, NULL);
	if (pm >= 0 && pm - real_side.partially_mapped != partial - model_side.partially_mapped)
		differ(dd, step, "nr_anon_partially_mapped", "stats",
		       pm - real_side.partially_mapped,
		       partial - model_side.partially_mapped, NULL);
	real_side.fault_alloc = fa;
	real_side.split_deferred = sd;
	model_side.split_deferred = adds;
}

/* --- The test ------------------------------------------------------------ */

FIXTURE(conformance)
{
	struct pb_ctl c;
	void *map[NR_REGIONS];
	size_t map_len[NR_REGIONS];
};

FIXTURE_VARIANT(conformance)
{
	unsigned long kb;	/* the mTHP size switched on; 0: none */
};

FIXTURE_VARIANT_ADD(conformance, order0) { .kb = 0 };
FIXTURE_VARIANT_ADD(conformance, thp_16kB) { .kb = 16 };
FIXTURE_VARIANT_ADD(conformance, thp_32kB) { .kb = 32 };
FIXTURE_VARIANT_ADD(conformance, thp_64kB) { .kb = 64 };
FIXTURE_VARIANT_ADD(conformance, thp_128kB) { .kb = 128 };
FIXTURE_VARIANT_ADD(conformance, thp_256kB) { .kb = 256 };
FIXTURE_VARIANT_ADD(conformance, thp_512kB) { .kb = 512 };
FIXTURE_VARIANT_ADD(conformance, thp_1024kB) { .kb = 1024 };
FIXTURE_VARIANT_ADD(conformance, thp_2048kB) { .kb = 2048 };
FIXTURE_VARIANT_ADD(conformance, thp_4096kB) { .kb = 4096 };
FIXTURE_VARIANT_ADD(conformance, thp_8192kB) { .kb = 8192 };
FIXTURE_VARIANT_ADD(conformance, thp_16384kB) { .kb = 16384 };
FIXTURE_VARIANT_ADD(conformance, thp_32768kB) { .kb = 32768 };

/* Map @len bytes aligned to @len at a fresh address. */
static void *map_aligned(size_t len, int flags, size_t *got)
{
	char *p = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE, flags, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)p + len - 1) & ~(uintptr_t)(len - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + len, p + len - a);
	*got = len;
	return a;
}

/*
 * Does soft-dirty work here?  A write after clear_refs sets pagemap bit 55.
 * The probe runs in a child: clear_refs starts soft-dirty tracking in every
 * VMA of the process, which would change this one's write faults and
 * mprotect upgrades (can_change_pte_writable()) before the scenario's own
 * clear_refs step.
 */
static bool probe_soft_dirty(void)
{
	unsigned long long e = 0;
	int fd, status;
	char *p;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid) {
		if (waitpid(pid, &status, 0) != pid)
			return false;
		return WIFEXITED(status) && WEXITSTATUS(status) == 1;
	}
	p = mmap(NULL, psize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(0);
	__atomic_store_n(p, 1, __ATOMIC_RELAXED);
	if (pb_write_str("/proc/self/clear_refs", "4"))
		_exit(0);
	__atomic_store_n(p, 2, __ATOMIC_RELAXED);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &e, 8, (uintptr_t)p / psize * 8) != 8)
		_exit(0);
	_exit(e >> 55 & 1);
}

static void unmap_regions(FIXTURE_DATA(conformance) * self)
{
	int i;

	for (i = 0; i < NR_REGIONS; i++) {
		if (self->map[i])
			munmap(self->map[i], self->map_len[i]);
		self->map[i] = NULL;
	}
}

FIXTURE_SETUP(conformance)
{
	struct utsname u;
	int i;

	psize = getpagesize();
	ASSERT_EQ(0, uname(&u));
	is_arm64 = !strcmp(u.machine, "aarch64");
	snprintf(series, sizeof(series), "%s",
		 strncmp(u.release, "6.12.", 5) ? "mainline" : "6.12");
	cur_kb = variant->kb;
	if (cur_kb && cur_kb * 1024 <= psize)
		SKIP(return, "%lukB is not above the base page", cur_kb);
	ASSERT_EQ(0, find_sizes());
	for (i = 0; i < nr_sizes && sizes[i].kb != cur_kb; i++)
		;
	if (cur_kb && i == nr_sizes)
		SKIP(return, "no hugepages-%lukB in " THP_DIR, cur_kb);
	/* A last-level table maps psize / 8 pages: that is the PMD size. */
	if (cur_kb * 1024 > psize / 8 * psize)
		SKIP(return, "%lukB is above the PMD size", cur_kb);
	/*
	 * Above two contpte blocks and below half the PMD size, a folio only
	 * has more blocks, each treated as at two, and region A (four units,
	 * aligned to its length) crosses no table, as it does at half the PMD
	 * size: such a size of more than 256 pages (8192 kB on 16K, 14 s of
	 * its guest's conformance_test) is skipped.
	 */
	if (cur_kb > 2 * cont_block_kb() && cur_kb * 1024 < psize / 16 * psize &&
	    cur_kb * 1024 / psize > 256)
		SKIP(return, "%lukB: more blocks than two, below half the PMD size", cur_kb);
	unit_pages = cur_kb ? cur_kb * 1024 / psize : 16;
	/* A, B and S: six units, five at the PMD size (no S). */
	if (unit_pages * (cur_kb * 1024 == psize / 8 * psize ? 5 : 6) > MAX_PAGES)
		SKIP(return, "%lukB folios need more than %d pages of records", cur_kb,
		     MAX_PAGES);
	ASSERT_EQ(0, pb_open(&self->c));
	ctl_fd = self->c.fd;

	/* The probe's memory takes no mTHP: it is NOHUGEPAGE before any is on. */
	ksft_print_msg("conformance %lukB: %s kernel, %zu-byte pages\n", cur_kb, series, psize);
	probe_nohugepage();
	soft_dirty = probe_soft_dirty();
	ASSERT_EQ(0, read_choice(THP_DIR "/enabled", saved_top, sizeof(saved_top)));
	ASSERT_EQ(0, read_choice(SCAN_SLEEP, saved_scan, sizeof(saved_scan)));
	/* No DAMON_STAT (6.12, or not built): nothing samples in the background. */
	if (read_choice(DAMON_STAT, saved_damon, sizeof(saved_damon)))
		saved_damon[0] = '\0';
	ASSERT_EQ(0, select_size(cur_kb));

	/* Does task_dump exist?  Without it only userspace's view compares. */
	have_task = !pb_cmd(&self->c, "task_dump pid=%d va=0x%llx nr=1", getpid(),
			    (unsigned long long)(uintptr_t)&psize & ~(psize - 1));
	if (!have_task)
		ksft_print_msg("no task_dump: comparing pagemap, kpagecount and kpageflags only\n");
	have_kprobes = kprobe_add();
}

FIXTURE_TEARDOWN(conformance)
{
	if (child_pid > 0) {
		kill(child_pid, SIGKILL);
		waitpid(child_pid, NULL, 0);
		close(to_child[1]);
		close(from_child[0]);
		child_pid = 0;
	}
	unmap_regions(self);
	restore_sizes();
	if (have_kprobes)
		kprobe_remove();
	have_kprobes = false;
	if (self->c.fd >= 0)
		pb_close(&self->c);
}

/*
 * Run the scenario on fresh regions and a fresh model mm of @profile,
 * counting compares and differences in @dd.  0, or -errno with the step
 * that failed in *@failed.
 */
static int run_scenario(FIXTURE_DATA(conformance) * self, const char *profile,
			struct diffs *dd, const char **failed)
{
	unsigned int s, order = cur_kb ? __builtin_ctz(unit_pages) : 0;
	bool pmd = cur_kb * 1024 == psize / 8 * psize;	/* a table's worth */
	unsigned long long tot[PB_NR_MM_COUNTERS], model_folds, model_unfolds;
	long long real_folds = 0, real_unfolds = 0;
	struct pb_ctl *c = &self->c;
	struct departure *d;
	int i, ret;

	*failed = "set-up";
	model_child = -1;
	memcpy(units, region_units, sizeof(units));
	if (pmd)
		units[RS] = 0;
	for (i = 0; i < NR_REGIONS; i++) {
		size_t len = units[i] * unit_pages * psize;

		self->map[i] = NULL;
		self->map_len[i] = 0;
		if (len)
			self->map[i] = map_aligned(len, (i == RS ? MAP_SHARED : MAP_PRIVATE) |
						   MAP_ANONYMOUS, &self->map_len[i]);
		if (len && !self->map[i])
			return -ENOMEM;
		/* The size is "madvise" for anonymous memory: see select_size(). */
		if (len && i != RS && madvise(self->map[i], len, MADV_HUGEPAGE))
			return -errno;
		region_va[i] = (uintptr_t)self->map[i];
		region_len[i] = self->map_len[i];
		region_first[i] = i ? region_first[i - 1] + units[i - 1] * unit_pages : 0;
	}
	nr_pages = region_first[NR_REGIONS - 1] + units[NR_REGIONS - 1] * unit_pages;

	/* The model: the profile's series, the granule, the enabled order. */
	/* The checker runs once a step, not after every touch and folio. */
	if (pb_cmd(c, "mm_create page_kb=%zu kernel=%s", psize / 1024, profile) ||
	    pb_reply_val(c, "mm") != 0 ||
	    pb_cmd(c, "set mm=0 fault_order=%u thp_orders=0x%x thp_pmd=%d check=0", order,
		   cur_kb ? 1U << order : 0, pmd))
		return -EIO;
	for (i = 0; i < NR_REGIONS; i++)
		if (units[i] &&
		    pb_cmd(c, "mmap mm=0 start=0x%llx len=0x%zx flags=r,w,%sanon", region_va[i],
			   self->map_len[i], i == RS ? "shared," : ""))
			return -EIO;

	memset(&real_side.cur, 0, sizeof(real_side.cur));
	memset(&model_side.cur, 0, sizeof(model_side.cur));
	memset(carried, 0, sizeof(carried));
	real_side.nr_ids = 0;
	model_side.nr_ids = 0;
	for (d = departures; d->step; d++)
		d->hits = 0;
	drain_lru();
	real_side.fault_alloc = size_stat(cur_kb, "anon_fault_alloc");
	real_side.split_deferred = size_stat(cur_kb, "split_deferred");
	real_side.partially_mapped = size_stat(cur_kb, "nr_anon_partially_mapped");
	if (pb_stats(NULL, tot, NULL))
		return -EPROTO;
	model_side.split_deferred = tot[PB_MMC_deferred_split_adds];
	model_side.partially_mapped = 0;
	model_folds = tot[PB_MMC_folds];
	model_unfolds = tot[PB_MMC_unfolds];

	for (s = 0; s < NR_STEPS; s++) {
		const struct step *st = &steps[s];
		unsigned int before = dd->unexpected;

		if (st->needs_soft_dirty && !soft_dirty)
			continue;
		/* A step on a region this run leaves out. */
		if (st->op != OP_FORK && st->op != OP_EXIT && st->op != OP_CLEAR_REFS &&
		    !units[st->rg.r])
			continue;
		*failed = st->name;
		/* Drop what the observations left in the trace. */
		ret = have_kprobes ? kprobe_counts(&real_folds, &real_unfolds) : 0;
		if (!ret)
			ret = real_step(st);
		if (!ret && have_kprobes)
			ret = kprobe_counts(&real_folds, &real_unfolds);
		if (!ret)
			ret = model_step(c, st);
		if (ret)
			return ret;
		if (have_kprobes) {
			if (pb_stats(NULL, tot, NULL))
				return -EPROTO;
			cmp(dd, st->name, "kprobes", "folds", real_folds,
			    tot[PB_MMC_folds] - model_folds, NULL);
			cmp(dd, st->name, "kprobes", "unfolds", real_unfolds,
			    tot[PB_MMC_unfolds] - model_unfolds, NULL);
			model_folds = tot[PB_MMC_folds];
			model_unfolds = tot[PB_MMC_unfolds];
			dd->folds += real_folds;
			dd->unfolds += real_unfolds;
		}
		memcpy(real_side.prev, real_side.cur, sizeof(real_side.cur));
		memcpy(model_side.prev, model_side.cur, sizeof(model_side.cur));
		drain_lru();
		ret = real_observe(c, getpid(), real_side.cur[0]);
		if (!ret)
			ret = real_observe(c, child_pid, real_side.cur[1]);
		if (!ret && pb_cmd(c, "check mm=0"))
			ret = -EUCLEAN;
		if (!ret && model_child >= 0 && pb_cmd(c, "check mm=%d", model_child))
			ret = -EUCLEAN;
		if (!ret)
			ret = model_observe(c, 0, model_side.cur[0]);
		if (!ret)
			ret = model_observe(c, model_child, model_side.cur[1]);
		if (ret)
			return ret;
		name_folios(&real_side);
		name_folios(&model_side);
		compare_step(dd, st->name);
		trace_step(st->name);
		compare_stats(dd, c, st->name, order);
		if (dd->unexpected > before)
			dd->steps_differing |= 1ULL << s;
	}
	*failed = "mm_destroy";
	if (pb_cmd(c, "mm_destroy mm=0"))
		return -EIO;
	unmap_regions(self);
	return 0;
}

TEST_F_TIMEOUT(conformance, scenario, 300)
{
	struct diffs dd = { 0 };
	struct departure *d;
	struct timespec t0, t1;
	const char *failed;
	double secs;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = run_scenario(self, series, &dd, &failed);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", failed, self->c.reply);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ksft_print_msg("conformance %lukB: %zu steps, %u compares, %u departures, %u unexpected,",
		       cur_kb, NR_STEPS, dd.compares, dd.expected, dd.unexpected);
	if (have_kprobes)
		printf(" %lld folds, %lld unfolds,", dd.folds, dd.unfolds);
	printf(" %.1f s\n", secs);
	EXPECT_EQ(0, dd.unexpected);
	for (d = departures; d->step; d++) {
		if (!departure_applies(d))
			continue;
		if (!soft_dirty && strstr(d->step, "clear_refs"))
			continue;
		EXPECT_NE(0, d->hits)
			TH_LOG("expected departure %s/%s no longer happens (%s)", d->step,
			       d->field, d->why);
	}
}

/*
 * The comparison can fail: the model of the other series differs from this
 * kernel where the profiles differ, and first at parent_write_unshared,
 * whose COW of a large folio that only this process maps copies the page
 * in 6.12 and reuses it since 6.15 ("mm: Copy-on-Write (COW) reuse support
 * for PTE-mapped THP").  One size is enough: the smallest mTHP size.
 */
TEST_F_TIMEOUT(conformance, other_series_differs, 300)
{
	const char *other = strcmp(series, "6.12") ? "6.12" : "mainline";
	struct diffs dd = { 0 };
	unsigned int s, first = NR_STEPS;
	const char *failed;
	int i, ret;

	for (i = 0; i < nr_sizes; i++)
		if (sizes[i].kb * 1024 > psize && sizes[i].kb < cur_kb)
			SKIP(return, "one size is enough: the smallest");
	if (!cur_kb)
		SKIP(return, "order 0: the profiles differ only for large folios");
	quiet = true;
	ret = run_scenario(self, other, &dd, &failed);
	quiet = false;
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", failed, self->c.reply);
	for (s = 0; s < NR_STEPS; s++)
		if (dd.steps_differing >> s & 1) {
			first = first < s ? first : s;
			ksft_print_msg("the %s model differs at %s\n", other, steps[s].name);
		}
	ASSERT_GT(NR_STEPS, first) TH_LOG("the %s model agrees with this kernel", other);
	EXPECT_STREQ("parent_write_unshared", steps[first].name);
}

/*
 * The mTHP stats are system-wide, so other processes must not enter them:
 * the scenario again on the smallest size while a child of this process
 * faults fresh anonymous memory without MADV_HUGEPAGE, over and over.
 * With the size "always" for all anonymous memory, the child's faults
 * counted in anon_fault_alloc and failed every step.
 */
TEST_F_TIMEOUT(conformance, other_processes_fault, 300)
{
	const size_t len = 1 << 20;
	unsigned long *rounds;
	struct diffs dd = { 0 };
	const char *failed;
	int i, ret, status;
	pid_t noise;

	for (i = 0; i < nr_sizes; i++)
		if (sizes[i].kb * 1024 > psize && sizes[i].kb < cur_kb)
			SKIP(return, "one size is enough: the smallest");
	if (!cur_kb)
		SKIP(return, "order 0: no mTHP stats to disturb");
	rounds = mmap(NULL, psize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rounds);
	fflush(stdout);
	fflush(stderr);
	noise = fork();
	ASSERT_LE(0, noise);
	if (!noise) {
		for (;;) {
			char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			size_t off;

			if (p == MAP_FAILED)
				_exit(1);
			for (off = 0; off < len; off += psize)
				p[off] = 1;
			munmap(p, len);
			__atomic_add_fetch(rounds, 1, __ATOMIC_RELAXED);
		}
	}
	ret = run_scenario(self, series, &dd, &failed);
	kill(noise, SIGKILL);
	ASSERT_EQ(noise, waitpid(noise, &status, 0));
	ksft_print_msg("conformance %lukB: %lu MiB faulted elsewhere, %u unexpected\n",
		       cur_kb, __atomic_load_n(rounds, __ATOMIC_RELAXED),
		       dd.unexpected);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", failed, self->c.reply);
	EXPECT_LT(0, __atomic_load_n(rounds, __ATOMIC_RELAXED))
		TH_LOG("the other process never faulted");
	EXPECT_EQ(0, dd.unexpected);
	munmap(rounds, psize);
}

int main(int argc, char **argv)
{
	struct pb_ctl c;

	if (geteuid()) {
		ksft_print_msg("conformance: must run as root (mTHP sysfs, pagemap PFNs)\n");
		return KSFT_SKIP;
	}
	if (find_sizes()) {
		ksft_print_msg("conformance: no mTHP sizes in " THP_DIR "\n");
		return KSFT_SKIP;
	}
	if (pb_open(&c)) {
		ksft_print_msg("conformance: no " PB_DEBUGFS_DIR "/ctl: load ptebatch\n");
		return KSFT_SKIP;
	}
	pb_close(&c);
	return test_harness_run(argc, argv);
}
