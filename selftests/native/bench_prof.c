// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch native bench driver: the commands of one folio size of
 * scripts/bench-guest.sh (mprotect round trip of a never-forked mm, first
 * and steady fork, zap, round trip of the forked mm) run on the model built
 * optimised and without sanitizers, so that a profiler (valgrind
 * --tool=callgrind, "make prof") sees where the instructions of each op go.
 * Not a benchmark: it prints each op's ns only to show it ran.
 *
 *   out/bench_prof [-o order] [-m MiB] [-g granule_kb] [-v variant] [-k 6.12|mainline]
 *
 * variant is pte-nocont, pte-cont, batch-nocont or batch-cont (default);
 * exits 1, with the command and its reply, if a command fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kernel.h>
#include <linux/err.h>

#include "iface/exec.h"
#include "iface/session.h"

static int run(struct pb_session *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (pb_session_exec(s, line, strlen(line))) {
		fprintf(stderr, "bench_prof: %s: %s", line, s->reply.buf);
		exit(1);
	}
	return 0;
}

/* The "ns N" line of the last reply. */
static unsigned long long reply_ns(struct pb_session *s)
{
	const char *p = strstr(s->reply.buf, "ns ");

	while (p && p != s->reply.buf && p[-1] != '\n')
		p = strstr(p + 1, "ns ");
	return p ? strtoull(p + 3, NULL, 0) : 0;
}

int main(int argc, char **argv)
{
	static const char *const ops[] = { "mprotect", "fork", "fork", "zap", "mprotect" };
	static const char *const names[] = { "pte-nocont", "pte-cont", "batch-nocont",
					     "batch-cont" };
	unsigned int order = 4, mib = 64, granule = 4, batch, cont, i, v = 3;
	const char *kernel = "6.12";
	struct pb_session *s;
	unsigned long long len;
	int opt;

	while ((opt = getopt(argc, argv, "o:m:g:v:k:")) != -1) {
		switch (opt) {
		case 'o':
			order = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'g':
			granule = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			for (v = 0; v < ARRAY_SIZE(names) && strcmp(optarg, names[v]); v++)
				;
			if (v == ARRAY_SIZE(names)) {
				fprintf(stderr, "bench_prof: -v %s: no such variant\n", optarg);
				return 2;
			}
			break;
		case 'k':
			kernel = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-o order] [-m MiB] [-g granule_kb] [-v variant] [-k profile]\n",
				argv[0]);
			return 2;
		}
	}
	batch = v >= 2;
	cont = v & 1;
	len = (unsigned long long)mib << 20;
	s = pb_session_create();
	if (IS_ERR(s))
		return 1;
	run(s, "mm_create page_kb=%u check=0 arena_pages=%llu kernel=%s", granule,
	    len / (granule * 1024), kernel);
	run(s, "set mm=0 fork_batch=%u zap_batch=%u mprotect_batch=%u contpte=%u",
	    batch, batch, batch, cont);
	run(s, "mmap mm=0 start=0x40000000 len=0x%llx", len);
	run(s, "populate mm=0 va=0x40000000 len=0x%llx order=%u", len, order);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		run(s, "bench mm=0 op=%s", ops[i]);
		printf("%s %s order=%u %s ns %llu\n", names[v], kernel, order, ops[i],
		       reply_ns(s));
	}
	run(s, "mm_destroy mm=0");
	pb_session_destroy(s);
	return 0;
}
