// SPDX-License-Identifier: GPL-2.0
/*
 * pbmaps: a process's folios and contpte blocks, as task_maps counts them,
 * in the spirit of tools/mm/thpmaps; and with --what-if, what a fork, an
 * exit (zap) and an mprotect round trip of its layout cost in the model,
 * per PTE against batched, contpte on and off (Documentation/task_maps.rst).
 *
 *   pbmaps [--json] [PID]            the per-VMA table and the totals
 *   pbmaps --what-if [--json] [PID]  and the model's costs of its import
 *   pbmaps --plot FILE.png [...]     and FILE.gp, FILE.dat, then gnuplot
 *
 * Without PID, pbmaps itself.  Needs the module loaded, and root for
 * another process.
 */
#include <getopt.h>
#include <stdbool.h>

#include "pb_plot.h"
#include "pb_util.h"

static const char *const key_names[PB_NR_MAPS_KEYS] = {
#define PB_MAPS_KEY(name)	\
	[PB_MAPS_##name] = #name,
#include "../module/uapi/ptebatch_names.h"
};

/* The columns of the table: a few of task_maps' keys. */
static const enum pb_maps_key columns[] = {
	PB_MAPS_present, PB_MAPS_anon, PB_MAPS_file, PB_MAPS_large_folios,
	PB_MAPS_pmd_thps, PB_MAPS_exclusive, PB_MAPS_shared, PB_MAPS_cont_folded,
	PB_MAPS_cont_foldable,
};

/* The next line of a reply, or NULL. */
static const char *next_line(const char *line)
{
	line = strchr(line, '\n');
	return line ? line + 1 : NULL;
}

/* " @key=" of the line @line, as text up to the next blank, or NULL. */
static const char *val(const char *line, const char *key, char *buf, size_t size)
{
	const char *end = strchrnul(line, '\n'), *p = line;
	size_t len = strlen(key);

	while ((p = strstr(p, key)) && p < end) {
		if (p > line && p[-1] == ' ' && p[len] == '=') {
			p += len + 1;
			snprintf(buf, size, "%.*s", (int)strcspn(p, "\t\n "), p);
			return buf;
		}
		p += len;
	}
	return NULL;
}

static void print_json_line(const char *line, bool vma)
{
	char buf[256];
	unsigned int i;

	printf("{");
	if (vma) {
		printf("\"start\": \"%s\", ", val(line, "start", buf, sizeof(buf)) ?: "");
		printf("\"end\": \"%s\", ", val(line, "end", buf, sizeof(buf)) ?: "");
		printf("\"prot\": \"%s\", ", val(line, "prot", buf, sizeof(buf)) ?: "");
		printf("\"kind\": \"%s\", ", val(line, "kind", buf, sizeof(buf)) ?: "");
	}
	for (i = 0; i < PB_NR_MAPS_KEYS; i++)
		printf("%s\"%s\": %s", i ? ", " : "", key_names[i],
		       val(line, key_names[i], buf, sizeof(buf)) ?: "null");
	printf("}");
}

static void print_row(const char *line, const char *name)
{
	char buf[64];
	unsigned int i;

	printf("%-36s", name);
	for (i = 0; i < ARRAY_SIZE(columns); i++)
		printf(" %9s", val(line, key_names[columns[i]], buf, sizeof(buf)) ?: "?");
	printf("\n");
}

/* The table (or JSON) of task_maps' reply @reply. */
static void show_maps(const char *reply, bool json)
{
	const char *line;
	char a[32], b[32], p[8], k[16], name[80];
	bool first = true;
	unsigned int i;

	if (json) {
		printf("{\"task_maps\": \"%.*s\", \"vmas\": [", (int)strcspn(reply, "\n"), reply);
	} else {
		printf("%.*s\n%-36s", (int)strcspn(reply, "\n"), reply, "vma");
		for (i = 0; i < ARRAY_SIZE(columns); i++)
			printf(" %9.9s", key_names[columns[i]]);
		printf("\n");
	}
	for (line = reply; line && *line; line = next_line(line)) {
		if (!strncmp(line, "vma ", 4)) {
			if (json) {
				printf("%s", first ? "" : ", ");
				print_json_line(line, true);
				first = false;
				continue;
			}
			snprintf(name, sizeof(name), "%s-%s %s %s",
				 val(line, "start", a, sizeof(a)) ?: "?",
				 val(line, "end", b, sizeof(b)) ?: "?",
				 val(line, "prot", p, sizeof(p)) ?: "?",
				 val(line, "kind", k, sizeof(k)) ?: "?");
			print_row(line, name);
		} else if (!strncmp(line, "total ", 6)) {
			if (json) {
				printf("], \"total\": ");
				print_json_line(line, false);
			} else {
				print_row(line, "total");
			}
		}
	}
}

/* Counter @c of bench's "issued" line in @reply: what the op issued. */
static unsigned long long issued(const char *reply, enum pb_mm_counter c)
{
	const char *line = strstr(reply, "\nissued ");
	char buf[32];

	return line ? strtoull(val(line + 1, pb_mm_counter_names[c], buf, sizeof(buf)) ?: "0",
			       NULL, 10) : 0;
}

/* The counters a what-if row shows, summed from bench's reply. */
static unsigned long long tlbis(const char *r)
{
	return issued(r, PB_MMC_tlbi_page) + issued(r, PB_MMC_tlbi_range) +
	       issued(r, PB_MMC_tlbi_mm);
}

static unsigned long long atomics(const char *r)
{
	return issued(r, PB_MMC_refcount_atomics) + issued(r, PB_MMC_mapcount_atomics);
}

/* Unfold every folded block of mm @mm in the VMAs of task_maps' @reply. */
static int unfold_all(struct pb_ctl *c, int mm, const char *reply, unsigned long psize)
{
	unsigned long long block = psize;
	unsigned long long start, end, va, i;
	const char *line, *l;
	char *copy = strdup(reply), buf[32];

	if (!copy)
		return -ENOMEM;
	if (val(copy, "cont_ptes", buf, sizeof(buf)) && atoi(buf) > 0)
		block *= atoi(buf);
	for (line = copy; line && *line; line = next_line(line)) {
		if (strncmp(line, "vma ", 4) || !val(line, "start", buf, sizeof(buf)))
			continue;
		start = strtoull(buf, NULL, 16);
		end = strtoull(val(line, "end", buf, sizeof(buf)) ?: "0", NULL, 16);
		for (va = start; va < end; va += PB_DUMP_MAX * psize) {
			unsigned long long n = (end - va) / psize;
			unsigned long long folded[PB_DUMP_MAX], nf = 0;

			if (n > PB_DUMP_MAX)
				n = PB_DUMP_MAX;
			if (pb_cmd(c, "dump mm=%d va=0x%llx nr=%llu", mm, va, n))
				continue;
			for (l = c->reply, i = 0; l && *l && i < n; i++) {
				unsigned long long a = strtoull(l, NULL, 16);
				const char *e = strchrnul(l, '\n');
				const char *cont = strstr(l, "CONT");

				/* The first entry of a block unfolds it whole. */
				if (cont && cont < e && !(a % block))
					folded[nf++] = a;
				l = *e ? e + 1 : e;
			}
			for (i = 0; i < nf; i++)
				pb_cmd(c, "unfold mm=%d va=0x%llx", mm, folded[i]);
		}
	}
	free(copy);
	return 0;
}

/*
 * Import pid @pid, bench each op in each variant, and print a row of each;
 * the rows go to @w too (@nw of them, ARRAY_SIZE(ops) * 4 at most).
 */
static int import_costs(struct pb_ctl *c, int pid, const char *maps, bool json,
			struct pb_plot_whatif *w, unsigned int *nw)
{
	static const char *const ops[] = { "fork", "zap", "mprotect" };
	unsigned long long ns;
	unsigned long psize = sysconf(_SC_PAGESIZE);
	char pidarg[32] = "", buf[32];
	int mm, cont, batch, ret;
	unsigned int o;
	bool first = true;

	if (pid)
		snprintf(pidarg, sizeof(pidarg), " pid=%d", pid);
	ret = pb_cmd(c, "task_import%s", pidarg);
	if (ret) {
		fprintf(stderr, "pbmaps: %s", c->reply);
		return ret;
	}
	if (json)
		printf(", \"%s\": \"%.*s\", \"what_if\": [", "task_import",
		       (int)strcspn(c->reply, "\n"), c->reply);
	else
		printf("\n%s", c->reply);
	mm = atoi(val(c->reply, "mm", buf, sizeof(buf)) ?: "-1");
	if (!json)
		printf("%-8s %-8s %-9s %12s %8s %8s %10s\n", "contpte", "batched", "op", "ns",
		       "tlbi", "unfolds", "atomics");
	for (cont = 1; cont >= 0; cont--) {
		if (!cont) {
			unfold_all(c, mm, maps, psize);
			if (pb_cmd(c, "set mm=%d contpte=0 autofold=0", mm)) {
				fprintf(stderr, "pbmaps: %s", c->reply);
				break;
			}
		}
		for (batch = 0; batch <= 1; batch++) {
			pb_cmd(c, "set mm=%d fork_batch=%d zap_batch=%d mprotect_batch=%d", mm,
			       batch, batch, batch);
			for (o = 0; o < ARRAY_SIZE(ops); o++) {
				if (pb_cmd(c, "bench mm=%d op=%s", mm, ops[o]) ||
				    sscanf(c->reply, "ns %llu", &ns) != 1 ||
				    !strstr(c->reply, "\nissued ")) {
					fprintf(stderr, "pbmaps: bench op=%s: %s", ops[o],
						c->reply);
					continue;
				}
				w[*nw] = (struct pb_plot_whatif){
					cont, batch, ops[o], ns, tlbis(c->reply),
					issued(c->reply, PB_MMC_unfolds), atomics(c->reply),
				};
				(*nw)++;
				if (json) {
					printf("%s{\"contpte\": %d, \"batched\": %d, ",
					       first ? "" : ", ", cont, batch);
					printf("\"op\": \"%s\", \"ns\": %llu, ", ops[o], ns);
					printf("\"tlbi\": %llu, \"unfolds\": %llu, ",
					       tlbis(c->reply), issued(c->reply, PB_MMC_unfolds));
					printf("\"atomics\": %llu}", atomics(c->reply));
					first = false;
					continue;
				}
				printf("%-8d %-8d %-9s %12llu %8llu %8llu %10llu\n", cont, batch,
				       ops[o], ns, tlbis(c->reply),
				       issued(c->reply, PB_MMC_unfolds), atomics(c->reply));
			}
		}
	}
	if (json)
		printf("]");
	pb_cmd(c, "mm_destroy mm=%d", mm);
	return 0;
}

/* --plot @png: 1 if it fails, with the reason. */
static int write_plot(const char *png, const char *maps, const struct pb_plot_whatif *w,
		      unsigned int nw)
{
	const char *total = strstr(maps, "\ntotal ");
	char gp[4096], dat[4096];
	int ret;

	ret = pb_plot_write(png, total ? total + 1 : "", sysconf(_SC_PAGESIZE), w, nw, gp, dat,
			    sizeof(gp));
	if (ret == -EINVAL) {
		fprintf(stderr, "pbmaps: --plot %s: a name without quotes or backslashes, please\n",
			png);
		return 1;
	}
	if (ret) {
		fprintf(stderr, "pbmaps: --plot %s: %s\n", png, strerror(-ret));
		return 1;
	}
	ret = pb_plot_run(gp, png);
	if (ret == -ENOENT) {
		fprintf(stderr,
			"pbmaps: --plot: gnuplot is not on PATH: wrote %s and %s; run 'gnuplot %s' where gnuplot is installed to make %s\n",
			gp, dat, gp, png);
		return 1;
	}
	if (ret) {
		fprintf(stderr, "pbmaps: --plot: gnuplot %s failed to make %s\n", gp, png);
		return 1;
	}
	fprintf(stderr, "pbmaps: wrote %s (gnuplot %s, data %s)\n", png, gp, dat);
	return 0;
}

#define PBMAPS_USAGE "usage: pbmaps [--json] [--what-if] [--plot FILE.png] [PID]\n"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "what-if", no_argument, NULL, 'w' },
		{ "plot", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct pb_plot_whatif w[12];
	bool json = false, whatif = false;
	const char *png = NULL;
	unsigned int nw = 0;
	struct pb_ctl c;
	char *maps;
	int pid = 0, opt, ret;

	while ((opt = getopt_long(argc, argv, "jwp:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'w':
			whatif = true;
			break;
		case 'p':
			png = optarg;
			break;
		case 'h':
			printf(PBMAPS_USAGE);
			return 0;
		default:
			fprintf(stderr, PBMAPS_USAGE);
			return 2;
		}
	}
	if (optind < argc)
		pid = atoi(argv[optind]);
	if (pb_open(&c)) {
		perror("pbmaps: " PB_DEBUGFS_DIR "/ctl");
		return 1;
	}
	ret = pid ? pb_cmd(&c, "task_maps pid=%d", pid) : pb_cmd(&c, "task_maps");
	if (ret) {
		fprintf(stderr, "pbmaps: %s", c.reply);
		return 1;
	}
	maps = strdup(c.reply);
	if (!maps)
		return 1;
	show_maps(maps, json);
	if (whatif)
		ret = import_costs(&c, pid, maps, json, w, &nw);
	if (json)
		printf("}\n");
	fflush(stdout);
	if (!ret && png)
		ret = write_plot(png, maps, w, nw);
	free(maps);
	pb_close(&c);
	return ret ? 1 : 0;
}
