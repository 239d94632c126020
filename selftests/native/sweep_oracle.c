// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch native oracle sweep: run the differential oracle over many seeds
 * on each granule, one seed at a time so that a mismatch does not end the
 * sweep, and list every seed that fails.  Not part of "make run": a sweep of
 * 1,000 seeds of 200 steps on three granules takes minutes.
 *
 *   make -C selftests/native sweep SWEEP_ARGS="-n 1000 -s 200"
 *   out/sweep_oracle [-f first] [-n seeds] [-s steps] [-g 4,16,64] [-b] [-v]
 *                    [-k 6.12|mainline]
 *
 * Prints one line per failing seed (with -v also one per seed in which the
 * oracle excused a write bit of a shared VMA) and one summary line per
 * granule (with the number of such seeds), then "sweep: N seeds, M failed";
 * exits 1 if any seed failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/kernel.h>

#include "tools/oracle.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-f first_seed] [-n seeds] [-s steps] [-g 4,16,64] [-b] [-v] [-k 6.12|mainline]\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long first = 1, seeds = 1000, steps = 200, failed = 0;
	unsigned long long total = 0;
	char granules[64] = "4,16,64", *tok, *save;
	static const char *const profiles[PB_NR_PROFILES] = PB_PROFILE_NAMES;
	enum pb_profile profile = PB_PROFILE_MAINLINE;
	bool backing = false, verbose = false;
	int opt;

	while ((opt = getopt(argc, argv, "f:n:s:g:bvk:")) != -1) {
		switch (opt) {
		case 'f':
			first = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			seeds = strtoull(optarg, NULL, 0);
			break;
		case 's':
			steps = strtoull(optarg, NULL, 0);
			break;
		case 'g':
			snprintf(granules, sizeof(granules), "%s", optarg);
			break;
		case 'b':
			backing = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'k':
			for (profile = 0; profile < PB_NR_PROFILES; profile++)
				if (!strcmp(optarg, profiles[profile]))
					break;
			if (profile == PB_NR_PROFILES)
				print_usage(argv[0]);
			break;
		default:
			print_usage(argv[0]);
		}
	}
	if (optind != argc || !seeds || !steps)
		print_usage(argv[0]);

	for (tok = strtok_r(granules, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned int page_kb = strtoul(tok, NULL, 0);
		unsigned long long s, bad = 0, excused = 0;
		u64 unfolds[2] = { }, tlbis[2] = { };
		double t0 = now();

		if (page_kb != 4 && page_kb != 16 && page_kb != 64)
			print_usage(argv[0]);
		for (s = first; s < first + seeds; s++) {
			struct pb_oracle_args args = {
				.seed = s, .seeds = 1, .steps = steps,
				.page_kb = page_kb, .backing = backing,
				.profile = profile,
			};
			struct pb_oracle_result res = { };
			const struct pb_oracle_mismatch *m = &res.mismatch;
			int ret = pb_oracle_run(&args, &res);

			if (ret) {
				bad++;
				printf("FAIL page_kb=%u seed=%llu: ret %d kind %d",
				       page_kb, s, ret, m->kind);
				printf(" step %llu op %s mm %u va 0x%llx a %lld b %lld\n",
				       m->step, m->op ? m->op : "-", m->mm, m->va,
				       m->a, m->b);
				fflush(stdout);
				continue;
			}
			excused += !!res.shared_write_excused;
			if (verbose && res.shared_write_excused)
				printf("EXCUSED page_kb=%u seed=%llu: %llu write bits\n",
				       page_kb, s, res.shared_write_excused);
			unfolds[0] += res.unfolds[0];
			unfolds[1] += res.unfolds[1];
			tlbis[0] += res.tlbis[0];
			tlbis[1] += res.tlbis[1];
		}
		printf("kernel=%s page_kb=%u backing=%d seeds %llu..%llu steps %llu: ",
		       profiles[profile], page_kb, backing, first,
		       first + seeds - 1, steps);
		printf("%llu failed, %llu with shared write bits excused, ",
		       bad, excused);
		printf("unfolds %llu/%llu, tlbi %llu/%llu, %.1f s\n",
		       unfolds[0], unfolds[1], tlbis[0], tlbis[1], now() - t0);
		fflush(stdout);
		total += seeds;
		failed += bad;
	}
	printf("sweep: %llu seeds, %llu failed\n", total, failed);
	return failed ? 1 : 0;
}
