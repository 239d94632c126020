// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's stress_test natively, under ThreadSanitizer: threads with
 * sessions of their own and one they share run commands through
 * pb_session_exec() under the session's lock, as the ctl file's write does,
 * while sessions come and go and a reader renders the stats file as its
 * open does (pb_stats_open() in iface/debugfs.c), and another thread arms
 * and disarms fail_nth.  TSan reports any data race; the program checks the
 * same invariants as the guest's reader (mm sections no more than live_mms,
 * no total going backwards) and that the live counters end at zero.
 *
 *   make -C selftests/native tsan [TSAN_S=seconds]
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/err.h>
#include <linux/kernel.h>

#include "lib/alloc.h"
#include "lib/counters.h"
#include "model/mm.h"
#include "iface/exec.h"
#include "iface/reply.h"
#include "iface/session.h"
#include "iface/stats.h"

#define THREADS		4
#define SESSIONS	2

static int stop;

#define STOPPED()	__atomic_load_n(&stop, __ATOMIC_RELAXED)
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int failures;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static __printf(1, 2) void fail(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	if (failures++ < 10) {
		printf("# ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	pthread_mutex_unlock(&out_lock);
}

/* One command under the session's lock, as the ctl write runs it. */
static int run(struct pb_session *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	mutex_lock(&s->lock);
	ret = pb_session_exec(s, line, strlen(line));
	/* Out of memory is what the fail_nth thread asks for. */
	if (ret && ret != -ENOMEM)
		fail("'%s': %d %.120s", line, ret, s->reply.buf);
	mutex_unlock(&s->lock);
	return ret;
}

struct worker {
	pthread_t tid;
	unsigned int seed;
	struct pb_session *shared;
	unsigned long rounds;
};

static void round_on(struct worker *w, struct pb_session *s)
{
	unsigned int r = rand_r(&w->seed);

	if (run(s, "mm_create page_kb=4 backing=%u", r & 1))
		return;
	if (!run(s, "mmap mm=0 start=0x40000000 len=0x40000 flags=r,w,anon") &&
	    !run(s, "populate mm=0 va=0x40000000 len=0x40000 order=%u", r % 5) &&
	    !run(s, "fork mm=0")) {
		run(s, "touch mm=0 va=0x40001000 write=1 val=%u", r);
		run(s, "mprotect mm=0 va=0x40000000 len=0x8000 prot=r");
		run(s, "munmap mm=1 va=0x40004000 len=0x4000");
		run(s, "check mm=0");
		run(s, "mm_destroy mm=1");
	}
	run(s, "mm_destroy mm=0");
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pb_session *s[SESSIONS] = {};
	unsigned int i;

	while (!STOPPED()) {
		for (i = 0; i < SESSIONS; i++) {
			if (!s[i])
				s[i] = pb_session_create();
			/* ERR_PTR(-ENOMEM) while fail_nth is armed. */
			if (IS_ERR(s[i]))
				s[i] = NULL;
			if (s[i])
				round_on(w, s[i]);
		}
		run(w->shared, "oracle seed=%u steps=10", rand_r(&w->seed) % 100 + 1);
		run(w->shared, "stats");
		/* Sessions come and go while the others work. */
		i = ++w->rounds % SESSIONS;
		if (s[i]) {
			pb_session_destroy(s[i]);
			s[i] = NULL;
		}
	}
	for (i = 0; i < SESSIONS; i++)
		if (s[i])
			pb_session_destroy(s[i]);
	return NULL;
}

/* The stats file's open: one snapshot under the registry lock. */
static void *reader_main(void *arg)
{
	static char buf[PB_STATS_MAX];
	struct pb_reply r = { .buf = buf, .size = sizeof(buf) };
	u64 prev[PB_NR_MM_COUNTERS] = {}, total;
	unsigned long *reads = arg;
	s64 snap[PB_NR_COUNTERS];
	unsigned int c;

	while (!STOPPED()) {
		long long sections = 0;
		const char *p;

		pb_reply_reset(&r);
		pb_registry_lock_stats();
		pb_counters_snapshot(snap);
		pb_stats_show(&r, snap);
		pb_mm_stats_show(&r);
		pb_registry_unlock_stats();
		(*reads)++;
		for (p = r.buf; (p = strstr(p, "\nmm.")); p++)
			sections++;
		if (sections % PB_NR_MM_COUNTERS ||
		    sections / PB_NR_MM_COUNTERS > snap[PB_CNT_live_mms])
			fail("%lld mm lines, live_mms %lld", sections,
			     (long long)snap[PB_CNT_live_mms]);
		for (c = 0; c < PB_NR_MM_COUNTERS; c++) {
			char name[64];

			snprintf(name, sizeof(name), "\ntotal.%s ", pb_mm_counter_names[c]);
			p = strstr(r.buf, name);
			total = p ? strtoull(p + strlen(name), NULL, 10) : 0;
			/* pt_pages is a gauge: tables freed lower it. */
			if (!p || (total < prev[c] && c != PB_MMC_pt_pages))
				fail("total.%s went back: %llu after %llu", pb_mm_counter_names[c],
				     (unsigned long long)total, (unsigned long long)prev[c]);
			prev[c] = total;
		}
	}
	return NULL;
}

/* Now and then, one allocation of some thread fails. */
static void *injector_main(void *arg)
{
	unsigned long *armed = arg;
	unsigned int seed = 1;

	while (!STOPPED()) {
		atomic_set(&pb_fail_nth, rand_r(&seed) % 500 + 1);
		(*armed)++;
		usleep(20000);
	}
	atomic_set(&pb_fail_nth, 0);
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 10, t0 = now_s();
	struct worker w[THREADS] = {};
	pthread_t reader, injector;
	unsigned long reads = 0, armed = 0, rounds = 0;
	struct pb_session *shared;
	unsigned int i;

	printf("TAP version 13\n1..1\n");
	shared = pb_session_create();
	if (IS_ERR(shared))
		return 1;
	pthread_create(&reader, NULL, reader_main, &reads);
	pthread_create(&injector, NULL, injector_main, &armed);
	for (i = 0; i < THREADS; i++) {
		w[i].seed = i + 1;
		w[i].shared = shared;
		pthread_create(&w[i].tid, NULL, worker_main, &w[i]);
	}
	while (now_s() - t0 < secs)
		usleep(100000);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < THREADS; i++) {
		pthread_join(w[i].tid, NULL);
		rounds += w[i].rounds;
	}
	pthread_join(reader, NULL);
	pthread_join(injector, NULL);
	pb_session_destroy(shared);
	for (i = 0; i <= PB_CNT_live_bytes; i++)
		if (atomic64_read(&pb_counters[i]))
			fail("%s is %lld at the end", pb_counter_names[i],
			     (long long)atomic64_read(&pb_counters[i]));
	printf("# %u threads x %u sessions (+1 shared) for %.0f s: %lu rounds, ",
	       THREADS, SESSIONS, secs, rounds);
	printf("%lu stats snapshots, fail_nth armed %lu times\n", reads, armed);
	printf("%sok 1 stress under tsan\n", failures ? "not " : "");
	return failures ? 1 : 0;
}
