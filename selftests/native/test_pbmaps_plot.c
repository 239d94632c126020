// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of selftests/pb_plot.h, pbmaps --plot's writer: the data and
 * the gnuplot script from a task_maps total line and what-if rows, the PNG
 * that gnuplot makes of them (scripts/setup installs gnuplot-nox), the
 * clear error without gnuplot, and names it refuses.
 */
/* The harness first, as pb_native.h has it: its __printf() wins. */
#include "kselftest_harness.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "../pb_plot.h"

/* Pieces by order, as task_maps would reply them; psize 4K. */
#define TOTAL "total pages=9 present=9 anon_full=0:18,4:3 anon_partial=4:1 " \
	      "file_full=0:342,9:2 file_partial=-"

FIXTURE(plot)
{
	char dir[64], png[128], gp[256], dat[256];
	struct pb_plot_whatif w[12];
};

FIXTURE_SETUP(plot)
{
	static const char *const ops[] = { "fork", "zap", "mprotect" };
	unsigned int i;

	snprintf(self->dir, sizeof(self->dir), "/tmp/pb_plot.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->png, sizeof(self->png), "%s/out.png", self->dir);
	/* ns: per PTE 1000 + 10 * i, batched half that. */
	for (i = 0; i < 12; i++)
		self->w[i] = (struct pb_plot_whatif){ !(i / 6), i / 3 % 2, ops[i % 3],
						      (i / 3 % 2 ? 500 : 1000) + 10 * (i % 3),
						      1, 0, 2 };
}

FIXTURE_TEARDOWN(plot)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	EXPECT_EQ(0, system(cmd));
}

/* The whole file @name, or NULL. */
static char *slurp(const char *name)
{
	static char buf[8192];
	FILE *f = fopen(name, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static int is_png(const char *name)
{
	unsigned char head[8] = { };
	FILE *f = fopen(name, "rb");
	int ok;

	if (!f)
		return 0;
	ok = fread(head, 1, 8, f) == 8 && !memcmp(head, "\x89PNG\r\n\x1a\n", 8);
	fclose(f);
	return ok;
}

/*
 * A row per order that has pieces, its size from the page size; the
 * what-if block per op and contpte state; the four histogram series and the
 * two of the savings in the script; and a PNG.
 */
TEST_F(plot, writes_data_script_and_png)
{
	char row[320], *s;
	unsigned int i;

	ASSERT_EQ(0, pb_plot_write(self->png, TOTAL, 4096, self->w, 12, self->gp, self->dat,
				   sizeof(self->gp)));
	snprintf(row, sizeof(row), "%s/out.gp", self->dir);
	EXPECT_STREQ(row, self->gp);
	s = slurp(self->dat);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\n4K 18 0 342 0\n")) TH_LOG("%s", s);
	EXPECT_NE(NULL, strstr(s, "\n64K 3 1 0 0\n")) TH_LOG("%s", s);
	EXPECT_NE(NULL, strstr(s, "\n2M 0 0 2 0\n")) TH_LOG("%s", s);
	for (i = 0; i < 12; i++) {
		if (self->w[i].batched)
			continue;
		snprintf(row, sizeof(row), "\n%s,%s %llu %llu\n", self->w[i].op,
			 self->w[i].cont ? "contpte" : "no-contpte", self->w[i].ns,
			 self->w[i + 3].ns);
		EXPECT_NE(NULL, strstr(s, row)) TH_LOG("%s not in %s", row, s);
	}
	s = slurp(self->gp);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "set output '")) TH_LOG("%s", s);
	EXPECT_NE(NULL, strstr(s, "set logscale y")) TH_LOG("%s", s);
	for (i = 0; i < 4; i++) {
		snprintf(row, sizeof(row), "using %u", i + 2);
		EXPECT_NE(NULL, strstr(s, row)) TH_LOG("%s", s);
	}
	EXPECT_NE(NULL, strstr(s, "title 'anon full'"));
	EXPECT_NE(NULL, strstr(s, "title 'anon partial'"));
	EXPECT_NE(NULL, strstr(s, "title 'file full'"));
	EXPECT_NE(NULL, strstr(s, "title 'file partial'"));
	EXPECT_NE(NULL, strstr(s, "index 1 using 2:xtic(1) title 'per PTE'"));
	EXPECT_NE(NULL, strstr(s, "title 'batched'"));
	if (!pb_plot_on_path("gnuplot"))
		SKIP(return, "gnuplot is not installed (scripts/setup installs gnuplot-nox)");
	EXPECT_EQ(0, pb_plot_run(self->gp, self->png));
	EXPECT_TRUE(is_png(self->png));
}

/* Without --what-if: the histogram alone, no index 1. */
TEST_F(plot, without_what_if_the_histogram_only)
{
	ASSERT_EQ(0, pb_plot_write(self->png, TOTAL, 16384, NULL, 0, self->gp, self->dat,
				   sizeof(self->gp)));
	EXPECT_NE(NULL, strstr(slurp(self->dat), "\n256K 3 1 0 0\n"));
	EXPECT_EQ(NULL, strstr(slurp(self->dat), "per_pte"));
	EXPECT_EQ(NULL, strstr(slurp(self->gp), "index 1"));
}

/* gnuplot missing from PATH: -ENOENT, the script and data stay, no PNG. */
TEST_F(plot, no_gnuplot_on_path)
{
	char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	struct stat st;

	ASSERT_EQ(0, pb_plot_write(self->png, TOTAL, 4096, self->w, 12, self->gp, self->dat,
				   sizeof(self->gp)));
	setenv("PATH", self->dir, 1);
	EXPECT_EQ(-ENOENT, pb_plot_run(self->gp, self->png));
	if (path)
		setenv("PATH", path, 1);
	free(path);
	EXPECT_EQ(0, stat(self->gp, &st));
	EXPECT_EQ(0, stat(self->dat, &st));
	EXPECT_NE(0, stat(self->png, &st));
}

/* A name gnuplot's quoting cannot take, or an order past the table: nothing. */
TEST_F(plot, bad_names_and_orders_write_nothing)
{
	char png[160];
	struct stat st;

	snprintf(png, sizeof(png), "%s/it's.png", self->dir);
	EXPECT_EQ(-EINVAL, pb_plot_write(png, TOTAL, 4096, NULL, 0, self->gp, self->dat,
					 sizeof(self->gp)));
	EXPECT_EQ(-EINVAL, pb_plot_write(self->png, "total anon_full=40:1", 4096, NULL, 0,
					 self->gp, self->dat, sizeof(self->gp)));
	EXPECT_NE(0, stat(self->gp, &st));
	EXPECT_NE(0, stat(self->dat, &st));
}

TEST_HARNESS_MAIN
