// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency in the guest, on its CPUs at once:
 *
 * - hammer: STRESS_PROCS processes x STRESS_THREADS threads, each thread with
 *   STRESS_SESSIONS sessions of its own (reopened now and then) and one
 *   session its process shares, run the model's commands (mm_create, mmap,
 *   populate, fork, touch, mprotect, munmap, check, oracle, mm_destroy) for
 *   PTEBATCH_STRESS_S seconds (default 15); every command must succeed.  A
 *   reader of the stats file runs throughout: each read must parse whole,
 *   list no more mms (mm.<session>.<mm> sections) than live_mms, and no
 *   counter that only grows (total.*, commands, allocs, ...) may go
 *   backwards between reads.  At the end the live counters are back where
 *   they were.
 * - a thread closes a session's fd while another thread runs a long command
 *   (oracle, bench) on it: the command finishes, the session goes with the
 *   last reference, nothing is left.
 * - rmmod while sessions are open (or a command runs) is refused with EBUSY
 *   or EWOULDBLOCK, and the module works as before.
 */
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "pb_test.h"

#define STRESS_PROCS	2
#define STRESS_THREADS	3
#define STRESS_SESSIONS	2
#define STRESS_DEFAULT_S	15

/* Counters that only grow while the module is loaded. */
static const enum pb_counter grow_only[] = {
	PB_CNT_sessions_opened, PB_CNT_commands, PB_CNT_command_errors,
	PB_CNT_allocs, PB_CNT_alloc_failures_injected, PB_CNT_budget_refusals,
};

static const enum pb_counter live[] = {
	PB_CNT_live_sessions, PB_CNT_live_mms, PB_CNT_live_pt_pages,
	PB_CNT_live_folios, PB_CNT_live_data_pages, PB_CNT_live_bytes,
	PB_CNT_live_kernel_folios,
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int stress_seconds(void)
{
	const char *e = getenv("PTEBATCH_STRESS_S");
	int s = e ? atoi(e) : 0;

	return s > 0 ? s : STRESS_DEFAULT_S;
}

/* --- The worker threads --------------------------------------------------------- */

struct worker {
	pthread_t tid;
	unsigned int seed;
	double deadline;
	struct pb_ctl *shared;
	pthread_mutex_t *shared_lock;
	unsigned long commands, errors;
	char first_error[256];
};

static void worker_fail(struct worker *w, struct pb_ctl *c, const char *line, int ret)
{
	if (!w->errors++)
		snprintf(w->first_error, sizeof(w->first_error), "'%.80s': %d %.160s",
			 line, ret, c->reply);
}

static __printf(3, 4) int wcmd(struct worker *w, struct pb_ctl *c, const char *fmt, ...)
{
	char line[PB_CMD_MAX];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ret = pb_cmd(c, "%s", line);
	w->commands++;
	if (ret)
		worker_fail(w, c, line, ret);
	return ret;
}

/* One round on a session with no mm: build, work on, check and drop two mms. */
static void worker_round(struct worker *w, struct pb_ctl *c)
{
	unsigned int r = rand_r(&w->seed);
	unsigned long long va = 0x40000000ULL + (r % 4) * 0x10000;

	if (wcmd(w, c, "mm_create page_kb=4 backing=%u", r & 1))
		return;
	if (!wcmd(w, c, "mmap mm=0 start=0x40000000 len=0x80000 flags=r,w,anon") &&
	    !wcmd(w, c, "populate mm=0 va=0x40000000 len=0x80000 order=%u", r % 5) &&
	    !wcmd(w, c, "fork mm=0")) {
		wcmd(w, c, "touch mm=0 va=0x%llx write=1 val=%u", va + 0x1000, r);
		wcmd(w, c, "mprotect mm=0 va=0x%llx len=0x8000 prot=r", va);
		wcmd(w, c, "munmap mm=1 va=0x%llx len=0x4000", va + 0x4000);
		wcmd(w, c, "check mm=0");
		wcmd(w, c, "check mm=1");
		wcmd(w, c, "mm_destroy mm=1");
	}
	wcmd(w, c, "mm_destroy mm=0");
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pb_ctl c[STRESS_SESSIONS];
	unsigned int i, round = 0;

	for (i = 0; i < STRESS_SESSIONS; i++)
		if (pb_open(&c[i]))
			worker_fail(w, &c[i], "open", -errno);
	while (!w->errors && now_s() < w->deadline) {
		for (i = 0; i < STRESS_SESSIONS; i++)
			worker_round(w, &c[i]);
		/* The process's shared session: commands of any thread. */
		pthread_mutex_lock(w->shared_lock);
		wcmd(w, w->shared, "oracle seed=%u steps=20", rand_r(&w->seed) % 1000 + 1);
		pthread_mutex_unlock(w->shared_lock);
		wcmd(w, w->shared, "stats");
		/* Sessions come and go while the others work. */
		if (++round % 4 == 0) {
			pb_close(&c[round % STRESS_SESSIONS]);
			if (pb_open(&c[round % STRESS_SESSIONS]))
				worker_fail(w, &c[0], "reopen", -errno);
		}
	}
	for (i = 0; i < STRESS_SESSIONS; i++)
		pb_close(&c[i]);
	return NULL;
}

/* One process: its threads and the session they share.  Exits 0 if all went well. */
static int hammer_proc(unsigned int p, double deadline)
{
	struct worker w[STRESS_THREADS] = {};
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	unsigned long commands = 0, errors = 0;
	struct pb_ctl shared;
	unsigned int t;

	if (pb_open(&shared))
		return 1;
	for (t = 0; t < STRESS_THREADS; t++) {
		w[t].seed = p * 100 + t + 1;
		w[t].deadline = deadline;
		w[t].shared = &shared;
		w[t].shared_lock = &lock;
		if (pthread_create(&w[t].tid, NULL, worker_main, &w[t]))
			return 1;
	}
	for (t = 0; t < STRESS_THREADS; t++) {
		pthread_join(w[t].tid, NULL);
		commands += w[t].commands;
		errors += w[t].errors;
		if (w[t].errors)
			ksft_print_msg("process %u thread %u: %lu errors, first %s\n", p, t,
				       w[t].errors, w[t].first_error);
	}
	pb_close(&shared);
	ksft_print_msg("process %u: %u threads, %lu commands, %lu errors\n", p,
		       STRESS_THREADS, commands, errors);
	return errors ? 1 : 0;
}

/* --- The stats reader --------------------------------------------------------- */

struct reader {
	pthread_t tid;
	int stop;
	unsigned long reads, bad;
	char first_bad[256];
};

static void reader_bad(struct reader *r, const char *fmt, long long a, long long b)
{
	if (!r->bad++)
		snprintf(r->first_bad, sizeof(r->first_bad), fmt, a, b);
}

/* The number of mm.<sid>.<mm>. sections, or -1 if a line does not parse. */
static long long mm_sections(const char *p)
{
	long long lines = 0;

	while (*p) {
		unsigned long long sid;
		unsigned int mm;
		int n = 0;

		if (sscanf(p, "mm.%llu.%u.%*[a-z_0-9] %*u%n", &sid, &mm, &n) < 2 || !n ||
		    p[n] != '\n')
			return -1;
		lines++;
		p += n + 1;
	}
	return lines % PB_NR_MM_COUNTERS ? -1 : lines / PB_NR_MM_COUNTERS;
}

static void *reader_main(void *arg)
{
	unsigned long long cnt[PB_NR_COUNTERS], total[PB_NR_MM_COUNTERS];
	unsigned long long pcnt[PB_NR_COUNTERS], ptotal[PB_NR_MM_COUNTERS];
	struct reader *r = arg;
	bool first = true;
	const char *rest;
	unsigned int i;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		long long mms;

		if (pb_stats(cnt, total, &rest)) {
			reader_bad(r, "the stats file does not parse (%lld %lld)", 0, 0);
			continue;
		}
		r->reads++;
		mms = mm_sections(rest);
		if (mms < 0)
			reader_bad(r, "an mm line does not parse (%lld %lld)", mms, 0);
		else if (mms > (long long)cnt[PB_CNT_live_mms])
			reader_bad(r, "%lld mm sections, live_mms %lld", mms,
				   cnt[PB_CNT_live_mms]);
		for (i = 0; !first && i < ARRAY_SIZE(grow_only); i++)
			if (cnt[grow_only[i]] < pcnt[grow_only[i]])
				reader_bad(r, "a global counter went back: %lld after %lld",
					   cnt[grow_only[i]], pcnt[grow_only[i]]);
		/* pt_pages is a gauge: tables freed lower it. */
		for (i = 0; !first && i < PB_NR_MM_COUNTERS; i++)
			if (total[i] < ptotal[i] && i != PB_MMC_pt_pages)
				reader_bad(r, "a total. counter went back: %lld after %lld",
					   total[i], ptotal[i]);
		memcpy(pcnt, cnt, sizeof(cnt));
		memcpy(ptotal, total, sizeof(total));
		first = false;
	}
	return NULL;
}

static void live_read(struct __test_metadata *_metadata, unsigned long long v[PB_NR_COUNTERS])
{
	ASSERT_EQ(0, pb_stats(v, NULL, NULL));
}

static void live_expect_back(struct __test_metadata *_metadata,
			     const unsigned long long before[PB_NR_COUNTERS])
{
	unsigned long long after[PB_NR_COUNTERS];
	unsigned int i;

	live_read(_metadata, after);
	for (i = 0; i < ARRAY_SIZE(live); i++)
		EXPECT_EQ(before[live[i]], after[live[i]])
			TH_LOG("%s", pb_counter_names[live[i]]);
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, hammer, 600)
{
	unsigned long long before[PB_NR_COUNTERS], cnt[PB_NR_COUNTERS];
	double deadline = now_s() + stress_seconds();
	struct reader r = {};
	unsigned int p, failed = 0;
	pid_t pids[STRESS_PROCS];
	const char *rest;
	struct pb_ctl c;
	int status;

	live_read(_metadata, before);
	ASSERT_EQ(0, pthread_create(&r.tid, NULL, reader_main, &r));
	for (p = 0; p < STRESS_PROCS; p++) {
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (!pids[p])
			_exit(hammer_proc(p, deadline));
	}
	for (p = 0; p < STRESS_PROCS; p++) {
		ASSERT_EQ(pids[p], waitpid(pids[p], &status, 0));
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(r.tid, NULL);
	ksft_print_msg("%u processes x %u threads x %u sessions (+1 shared each) for %d s\n",
		       STRESS_PROCS, STRESS_THREADS, STRESS_SESSIONS, stress_seconds());
	ksft_print_msg("stats reads %lu, bad %lu\n", r.reads, r.bad);
	EXPECT_EQ(0, failed);
	EXPECT_LT(0, r.reads);
	EXPECT_EQ(0, r.bad) TH_LOG("first: %s", r.first_bad);
	live_expect_back(_metadata, before);

	/* At rest, the stats file lists exactly the session mms live_mms counts. */
	ASSERT_EQ(0, pb_open(&c));
	ASSERT_EQ(0, pb_cmd(&c, "mm_create")) TH_LOG("%s", c.reply);
	ASSERT_EQ(0, pb_cmd(&c, "mm_create")) TH_LOG("%s", c.reply);
	ASSERT_EQ(0, pb_stats(cnt, NULL, &rest));
	EXPECT_EQ(cnt[PB_CNT_live_mms], mm_sections(rest));
	EXPECT_EQ(before[PB_CNT_live_mms] + 2, cnt[PB_CNT_live_mms]);
	pb_close(&c);
	live_expect_back(_metadata, before);
}

/* --- Close and rmmod while a command runs ----------------------------------------- */

struct long_cmd {
	pthread_t tid;
	pid_t task;
	int done;
	int fd;
	const char *line;
	ssize_t ret;
	int err;
};

static void *long_cmd_main(void *arg)
{
	struct long_cmd *l = arg;

	__atomic_store_n(&l->task, gettid(), __ATOMIC_RELAXED);
	l->ret = write(l->fd, l->line, strlen(l->line));
	l->err = errno;
	__atomic_store_n(&l->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Start @line on @fd in a thread; back once its mms show in live_mms. */
static void long_cmd_start(struct __test_metadata *_metadata, struct long_cmd *l,
			   int fd, const char *line, unsigned long long mms)
{
	double limit = now_s() + 30;

	l->fd = fd;
	l->line = line;
	ASSERT_EQ(0, pthread_create(&l->tid, NULL, long_cmd_main, l));
	while (pb_stat(PB_CNT_live_mms) <= (long long)mms && now_s() < limit &&
	       !__atomic_load_n(&l->done, __ATOMIC_ACQUIRE))
		usleep(1000);
	ASSERT_TRUE(now_s() < limit) TH_LOG("%s did not start", line);
}

/*
 * Wait until thread @l sits in its write(), as /proc's syscall file says,
 * or has finished it.
 */
static bool in_write(struct long_cmd *l)
{
	double limit = now_s() + 30;
	char path[64], buf[64];
	pid_t task;

	while (now_s() < limit) {
		task = __atomic_load_n(&l->task, __ATOMIC_RELAXED);
		snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", task);
		if (__atomic_load_n(&l->done, __ATOMIC_ACQUIRE) ||
		    (task && pb_read_file(path, buf, sizeof(buf)) > 0 &&
		     atoi(buf) == SYS_write))
			return true;
		usleep(1000);
	}
	return false;
}

static int delete_module(void)
{
	return syscall(__NR_delete_module, PB_DEBUGFS_NAME, O_NONBLOCK) ? -errno : 0;
}

FIXTURE(closing) {
	unsigned long long before[PB_NR_COUNTERS];
	struct pb_ctl c;
};

FIXTURE_VARIANT(closing) {
	const char *setup[3];
	const char *line;
	bool seconds;	/* long enough that the close surely overlaps it */
};

/* Long enough to be running when the fd goes: seconds in a guest. */
FIXTURE_VARIANT_ADD(closing, oracle) {
	.line = "oracle seed=1 seeds=10 steps=200",
	.seconds = true,
};

FIXTURE_VARIANT_ADD(closing, bench_fork) {
	/* Tens of ms: the close may come after the command. */
	.setup = { "mm_create page_kb=4", "mmap mm=0 start=0x40000000 len=0x4000000",
		   "populate mm=0 va=0x40000000 len=0x4000000 order=4" },
	.line = "bench mm=0 op=fork",
};

FIXTURE_SETUP(closing)
{
	unsigned int i;

	live_read(_metadata, self->before);
	ASSERT_EQ(0, pb_open(&self->c));
	for (i = 0; i < ARRAY_SIZE(variant->setup) && variant->setup[i]; i++)
		ASSERT_EQ(0, pb_cmd(&self->c, "%s", variant->setup[i])) TH_LOG("%s", self->c.reply);
}

FIXTURE_TEARDOWN(closing)
{
	pb_close(&self->c);
}

/*
 * The fd is closed while the command runs and while a second write waits
 * for the session's lock: both complete, and the session goes with the
 * last of them.
 */
TEST_F_TIMEOUT(closing, fd_closed_during_a_long_command, 300)
{
	unsigned long long mms = pb_stat(PB_CNT_live_mms);
	struct long_cmd l = {}, waiter = {};
	double t0 = now_s();
	bool overlapped;

	long_cmd_start(_metadata, &l, self->c.fd, variant->line, mms);
	waiter.fd = self->c.fd;
	waiter.line = "version";
	ASSERT_EQ(0, pthread_create(&waiter.tid, NULL, long_cmd_main, &waiter));
	ASSERT_TRUE(in_write(&waiter));
	overlapped = !__atomic_load_n(&l.done, __ATOMIC_ACQUIRE);
	ASSERT_EQ(0, close(self->c.fd));
	self->c.fd = -1;
	pthread_join(l.tid, NULL);
	pthread_join(waiter.tid, NULL);
	ksft_print_msg("'%s' ran %.2f s; its fd was closed %s\n", variant->line,
		       now_s() - t0, overlapped ? "while it ran" : "after it");
	if (variant->seconds)
		EXPECT_TRUE(overlapped);
	EXPECT_EQ((ssize_t)strlen(variant->line), l.ret) TH_LOG("errno %d", l.err);
	EXPECT_EQ((ssize_t)strlen(waiter.line), waiter.ret) TH_LOG("errno %d", waiter.err);
	live_expect_back(_metadata, self->before);
}

/*
 * rmmod is refused while a session is open, while only a running command
 * holds it, and while the stats file is open; the module works after.
 */
TEST_F_TIMEOUT(closing, rmmod_refused_while_in_use, 300)
{
	unsigned long long mms = pb_stat(PB_CNT_live_mms);
	struct long_cmd l = {};
	struct pb_ctl c2;
	int ret, fd;

	ret = delete_module();
	if (ret == -ENOENT)
		SKIP(return, "ptebatch is not a loaded module");
	EXPECT_TRUE(ret == -EBUSY || ret == -EWOULDBLOCK) TH_LOG("delete_module: %d", ret);

	/*
	 * Only a command of seconds: after a shorter one, nothing would hold
	 * the module and the delete would unload it under the other tests.
	 */
	if (variant->seconds) {
		long_cmd_start(_metadata, &l, self->c.fd, variant->line, mms);
		ASSERT_EQ(0, close(self->c.fd));
		self->c.fd = -1;
		ASSERT_FALSE(__atomic_load_n(&l.done, __ATOMIC_ACQUIRE));
		ret = delete_module();
		EXPECT_TRUE(ret == -EBUSY || ret == -EWOULDBLOCK)
			TH_LOG("delete_module: %d", ret);
		pthread_join(l.tid, NULL);
		EXPECT_EQ((ssize_t)strlen(variant->line), l.ret) TH_LOG("errno %d", l.err);
	}
	pb_close(&self->c);

	fd = open(PB_DEBUGFS_DIR "/stats", O_RDONLY);
	ASSERT_LE(0, fd);
	ret = delete_module();
	EXPECT_TRUE(ret == -EBUSY || ret == -EWOULDBLOCK) TH_LOG("delete_module: %d", ret);
	close(fd);

	/* Clean after: nothing left, and a new session works. */
	live_expect_back(_metadata, self->before);
	ASSERT_EQ(0, pb_open(&c2));
	EXPECT_EQ(0, pb_cmd(&c2, "version"));
	EXPECT_EQ(0, strncmp(c2.reply, "ptebatch ", 9));
	pb_close(&c2);
}

TEST_HARNESS_MAIN
