/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer targets share: the module's interface built natively,
 * one ctl write run as pb_ctl_write() runs it, the caps that keep one input
 * to milliseconds, and the checks made after every input.
 *
 * The caps are the harness's, not the module's: the module's memory budget
 * is set low with its own knob (pb_budget_init(), as budget_bytes would),
 * and oracle, kernel_oracle and bench lines that ask for more work than
 * PBF_ORACLE_STEPS or PBF_MEMCPY_BYTES are not run at all.
 */
#ifndef _PB_FUZZ_H
#define _PB_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/errno.h>

#include "lib/alloc.h"
#include "lib/counters.h"
#include "model/mm.h"
#include "iface/exec.h"
#include "iface/session.h"

/* The memory budget: a few populates of a few MiB, then ENOMEM. */
#define PBF_BUDGET		(16 * 1024 * 1024ULL)
/* seeds * steps of one oracle or kernel_oracle line. */
#define PBF_ORACLE_STEPS	32ULL
/* bytes of bench op=memcpy. */
#define PBF_MEMCPY_BYTES	(1024 * 1024ULL)

/*
 * libFuzzer's entry points, under names of our own: the asm labels give
 * them the names that libFuzzer calls.
 */
int pbf_initialize(int *argc, char ***argv) __asm__("LLVMFuzzerInitialize");
int pbf_test_one_input(const u8 *data, size_t size) __asm__("LLVMFuzzerTestOneInput");

static inline void pbf_init(void)
{
	pb_budget_init(PBF_BUDGET);
}

/* The largest value of key= on @line (kstrtou64's base 0), or @def. */
static inline unsigned long long pbf_key_max(const char *line, const char *key,
					     unsigned long long def)
{
	size_t klen = strlen(key);
	unsigned long long v, max = 0;
	bool seen = false;
	const char *p;

	for (p = line; (p = strstr(p, key)); p += klen) {
		if ((p != line && p[-1] != ' ' && p[-1] != '\t') || p[klen] != '=')
			continue;
		/* strtoull() takes "-1" as ULLONG_MAX: refused, as it should. */
		v = strtoull(p + klen + 1, NULL, 0);
		max = seen && max > v ? max : v;
		seen = true;
	}
	return seen ? max : def;
}

/* Whether the harness runs @line (NUL-terminated) at all: see the caps. */
static inline bool pbf_allowed(const char *line)
{
	const char *p = line + strspn(line, " \t");
	size_t n = strcspn(p, " \t");
	unsigned long long seeds, steps;

	if ((n == 6 && !strncmp(p, "oracle", n)) ||
	    (n == 13 && !strncmp(p, "kernel_oracle", n))) {
		seeds = pbf_key_max(p, "seeds", 1);
		/* Without steps=, the defaults (50 and 100) are over the cap. */
		steps = pbf_key_max(p, "steps", PBF_ORACLE_STEPS + 1);
		return seeds <= PBF_ORACLE_STEPS && steps <= PBF_ORACLE_STEPS &&
		       seeds * steps <= PBF_ORACLE_STEPS;
	}
	if (n == 5 && !strncmp(p, "bench", n))
		return pbf_key_max(p, "bytes", 0) <= PBF_MEMCPY_BYTES;
	return true;
}

static inline void pbf_fail(const char *what, const char *line,
			    const struct pb_session *s)
{
	fprintf(stderr, "fuzz: %s\nfuzz: line '%s'\nfuzz: reply '%.*s'\n", what,
		line, (int)s->reply.len, s->reply.buf);
	abort();
}

/*
 * A session's mms have had a mutation knob on: from then on a checker
 * violation is the injected bug that the knob promises, not a finding.
 */
static inline bool pbf_mutated(const struct pb_session *s)
{
	int i, k;

	for (i = 0; i < PB_SESSION_MMS; i++)
		for (k = 0; s->mms[i] && k < PB_NR_KNOBS; k++)
			if (!strncmp(pb_knobs[k].help, "mutation:", 9) &&
			    s->mms[i]->knobs[k])
				return true;
	return false;
}

/*
 * One ctl write of @len bytes, as pb_ctl_write() makes it: a copy of at
 * most PB_CMD_MAX + 1 bytes (in a buffer of its own size, so that ASan sees
 * any read past it), then pb_session_exec() under the session's lock.
 *
 * Then what Documentation/ptebatch.rst promises of every reply: at most
 * PB_REPLY_MAX bytes; a failure is a negative errno with an "error: " line,
 * and EINVAL's reply is that one line alone.  And a checker violation
 * (EUCLEAN with "violation" lines) of a command on the session's mms
 * counts as a finding unless a mutation knob has been on (*@mutated).
 */
static inline int pbf_write(struct pb_session *s, const u8 *data, size_t len,
			    bool *mutated)
{
	char shown[PB_CMD_MAX + 2];
	size_t n = min_t(size_t, len, PB_CMD_MAX + 1);
	char *line = malloc(n ? n : 1);
	const char *r;
	int ret;

	memcpy(line, data, n);
	memcpy(shown, data, n);
	shown[n] = '\0';
	if (memchr(shown, '\0', n) || pbf_allowed(shown)) {
		mutex_lock(&s->lock);
		ret = pb_session_exec(s, line, n);
		mutex_unlock(&s->lock);
	} else {
		ret = 1;	/* not run */
	}
	free(line);
	if (ret == 1)
		return 0;
	r = s->reply.buf;
	if (s->reply.len > PB_REPLY_MAX || strlen(r) != s->reply.len)
		pbf_fail("reply length", shown, s);
	if (ret > 0 || ret < -4095)
		pbf_fail("result not 0 or an errno", shown, s);
	if (ret && strncmp(r, "error: ", 7) && !strstr(r, "\nerror: "))
		pbf_fail("failed without an 'error: ' line", shown, s);
	if (ret == -EINVAL &&
	    (strncmp(r, "error: ", 7) || strchr(r, '\n') != r + s->reply.len - 1))
		pbf_fail("EINVAL without one 'error: ' line alone", shown, s);
	*mutated = *mutated || pbf_mutated(s);
	if (ret == -EUCLEAN && !*mutated &&
	    (!strncmp(r, "violation ", 10) || strstr(r, "\nviolation ")))
		pbf_fail("checker violation without a mutation knob", shown, s);
	return ret;
}

/* Every live counter back at zero once the input's session is gone. */
static inline void pbf_check_live(void)
{
	int i;

	for (i = 0; i <= PB_CNT_live_kernel_folios; i++) {
		if (atomic64_read(&pb_counters[i])) {
			fprintf(stderr, "fuzz: %s is %lld after the session\n",
				pb_counter_names[i],
				(long long)atomic64_read(&pb_counters[i]));
			abort();
		}
	}
}

#endif /* _PB_FUZZ_H */
