/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pbmaps --plot: a gnuplot script and its data beside the PNG asked for,
 * then gnuplot, if it is on PATH.  pbmaps runs where the module is (a guest,
 * an arm64 box), gnuplot wherever it is installed: when it is missing the
 * script stays, to be run where it is.  Plain libc, so that the native tests
 * run it on the host without the module.
 */
#ifndef _PB_PLOT_H
#define _PB_PLOT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define PB_PLOT_ORDERS	32	/* orders a histogram may list */

/* One what-if row: a bench of @op, contpte @cont, batched or per PTE. */
struct pb_plot_whatif {
	int cont, batched;
	const char *op;
	unsigned long long ns, tlbi, unfolds, atomics;
};

/* The histograms task_maps replies, in the columns of the plot. */
static const char *const pb_plot_hists[] = {
	"anon_full", "anon_partial", "file_full", "file_partial",
};

/*
 * " @name=order:n,..." of task_maps' line @line into @n (by order); "-" or
 * no such key leave it zero.  -EINVAL on an order past PB_PLOT_ORDERS.
 */
static inline int pb_plot_hist(const char *line, const char *name,
			       unsigned long long n[PB_PLOT_ORDERS])
{
	const char *end = line + strcspn(line, "\n"), *p = line;
	size_t len = strlen(name);
	unsigned long order;
	char *e;

	while ((p = strstr(p, name)) && p < end &&
	       !(p > line && p[-1] == ' ' && p[len] == '='))
		p += len;
	if (!p || p >= end)
		return 0;
	for (p += len + 1; *p >= '0' && *p <= '9'; p = e + (*e == ',')) {
		order = strtoul(p, &e, 10);
		if (*e != ':' || order >= PB_PLOT_ORDERS)
			return -EINVAL;
		n[order] = strtoull(e + 1, &e, 10);
	}
	return 0;
}

/* A size as gnuplot's x label: 4K, 64K, 2M. */
static inline void pb_plot_size(char *buf, size_t size, unsigned long long bytes)
{
	if (bytes >= 1ULL << 30 && !(bytes % (1ULL << 30)))
		snprintf(buf, size, "%lluG", bytes >> 30);
	else if (bytes >= 1ULL << 20 && !(bytes % (1ULL << 20)))
		snprintf(buf, size, "%lluM", bytes >> 20);
	else
		snprintf(buf, size, "%lluK", bytes >> 10);
}

static inline const struct pb_plot_whatif *
pb_plot_find(const struct pb_plot_whatif *w, unsigned int nw, int cont, int batched,
	     const char *op)
{
	unsigned int i;

	for (i = 0; i < nw; i++)
		if (w[i].cont == cont && w[i].batched == batched && !strcmp(w[i].op, op))
			return &w[i];
	return NULL;
}

/*
 * FILE.dat and FILE.gp for the PNG @png (FILE is @png without ".png"; the
 * names go to @gp and @dat): index 0 the folio pieces of task_maps' @total
 * line by size (@psize bytes a page), a column per histogram; with @nw
 * what-if rows, index 1 the ns of each op, per PTE against batched, contpte
 * on and off.  -EINVAL for a name gnuplot could not take, -errno if a file
 * cannot be written.
 */
static inline int pb_plot_write(const char *png, const char *total, unsigned long psize,
				const struct pb_plot_whatif *w, unsigned int nw,
				char *gp, char *dat, size_t size)
{
	static const char *const ops[] = { "fork", "zap", "mprotect" };
	unsigned long long h[4][PB_PLOT_ORDERS] = { };
	size_t len = strlen(png);
	unsigned int i, o, c;
	char label[24];
	FILE *f;

	if (len > 4 && !strcmp(png + len - 4, ".png"))
		len -= 4;
	if (strpbrk(png, "'\"\\\n") || len + 5 > size)
		return -EINVAL;
	snprintf(gp, size, "%.*s.gp", (int)len, png);
	snprintf(dat, size, "%.*s.dat", (int)len, png);
	for (i = 0; i < 4; i++)
		if (pb_plot_hist(total, pb_plot_hists[i], h[i]))
			return -EINVAL;

	f = fopen(dat, "w");
	if (!f)
		return -errno;
	fprintf(f, "# pbmaps: folio pieces by size (task_maps' total)\n# size");
	for (i = 0; i < 4; i++)
		fprintf(f, " %s", pb_plot_hists[i]);
	fprintf(f, "\n");
	for (o = 0; o < PB_PLOT_ORDERS; o++) {
		if (!(h[0][o] | h[1][o] | h[2][o] | h[3][o]))
			continue;
		pb_plot_size(label, sizeof(label), (unsigned long long)psize << o);
		fprintf(f, "%s %llu %llu %llu %llu\n", label, h[0][o], h[1][o], h[2][o],
			h[3][o]);
	}
	if (nw) {
		fprintf(f, "\n\n# pbmaps --what-if: ns of each op\n# op per_pte batched\n");
		for (c = 2; c-- > 0;)
			for (o = 0; o < 3; o++) {
				const struct pb_plot_whatif *p = pb_plot_find(w, nw, c, 0, ops[o]);
				const struct pb_plot_whatif *b = pb_plot_find(w, nw, c, 1, ops[o]);

				if (p && b)
					fprintf(f, "%s,%s %llu %llu\n", ops[o],
						c ? "contpte" : "no-contpte", p->ns, b->ns);
			}
	}
	if (fclose(f))
		return -errno;

	f = fopen(gp, "w");
	if (!f)
		return -errno;
	fprintf(f, "# pbmaps --plot: gnuplot %s makes %s\n", gp, png);
	fprintf(f, "set terminal pngcairo size 900,%u\nset output '%s'\n", nw ? 900 : 480,
		png);
	fprintf(f, "set style data histograms\nset style histogram clustered gap 1\n");
	fprintf(f, "set style fill solid 0.8 border -1\nset key top right\nset grid ytics\n");
	if (nw)
		fprintf(f, "set multiplot layout 2,1\n");
	fprintf(f, "set title 'folio pieces by size (full: the whole folio mapped)'\n");
	/* Log: a process has far more small pieces than large ones. */
	fprintf(f, "set xlabel 'folio size'\nset ylabel 'pieces (log scale)'\n");
	fprintf(f, "set logscale y\nset yrange [0.8:*]\n");
	fprintf(f, "plot '%s' index 0 using 2:xtic(1) title 'anon full', \\\n", dat);
	fprintf(f, "     '' index 0 using 3 title 'anon partial', \\\n");
	fprintf(f, "     '' index 0 using 4 title 'file full', \\\n");
	fprintf(f, "     '' index 0 using 5 title 'file partial'\n");
	if (nw) {
		fprintf(f, "set title \"what if: the model's ns of each op, %s\"\n",
			"per PTE and batched");
		fprintf(f, "unset logscale y\nset yrange [0:*]\nset xtics rotate by -20\n");
		fprintf(f, "set xlabel 'op, contpte on or off'\nset ylabel 'ns (model)'\n");
		fprintf(f, "plot '%s' index 1 using 2:xtic(1) title 'per PTE', \\\n", dat);
		fprintf(f, "     '' index 1 using 3 title 'batched'\n");
		fprintf(f, "unset multiplot\n");
	}
	if (fclose(f))
		return -errno;
	return 0;
}

/* An executable @name in a directory of PATH. */
static inline int pb_plot_on_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *e;
	char file[4096];

	for (p = path; p && *p; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ":");
		snprintf(file, sizeof(file), "%.*s/%s", (int)(e - p), p, name);
		if (e > p && !access(file, X_OK))
			return 1;
	}
	return 0;
}

/*
 * gnuplot @gp: 0 when it ran and @png starts with the PNG signature,
 * -ENOENT when gnuplot is not on PATH, -EIO when it failed.
 */
static inline int pb_plot_run(const char *gp, const char *png)
{
	static const unsigned char magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char head[8];
	int status;
	pid_t pid;
	FILE *f;

	if (!pb_plot_on_path("gnuplot"))
		return -ENOENT;
	unlink(png);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		execlp("gnuplot", "gnuplot", gp, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -EIO;
	f = fopen(png, "rb");
	if (!f)
		return -EIO;
	status = fread(head, 1, sizeof(head), f) == sizeof(head) &&
		 !memcmp(head, magic, sizeof(magic));
	fclose(f);
	return status ? 0 : -EIO;
}

#endif /* _PB_PLOT_H */
