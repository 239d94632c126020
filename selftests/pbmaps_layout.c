// SPDX-License-Identifier: GPL-2.0
/*
 * pbmaps_layout: a process whose layout is known, for pbmaps_test and the
 * demo to read with pbmaps.  Inside a PROT_NONE reservation, each region
 * between PROT_NONE guard pages so that no two VMAs merge:
 *
 *   anon    4 folios of ORDER (-o, default 0) pages, aligned to the folio
 *           size and written after the fork below, so exclusive; large
 *           folios where the caller switched that mTHP size on
 *           (hugepages-<size>kB/enabled), as cow.c and split_huge_page_test
 *           leave the sysfs knobs to their callers
 *   file    8 pages of a file it writes (in TMPDIR or /tmp, then unlinks),
 *           mapped private and populated: page cache pages
 *   shared  8 anonymous pages written before a fork (MADV_NOHUGEPAGE: order
 *           0), shared with the child, which waits too
 *
 * Then one line on stdout, the regions' starts (as task_maps prints them)
 * and sizes in pages, and it waits until killed; the child dies with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#define LAYOUT_FILE_PAGES	8
#define LAYOUT_SHARED_PAGES	8
#define LAYOUT_FOLIOS		4

static void die(const char *what)
{
	fprintf(stderr, "pbmaps_layout: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Write every page of [@p, @p + @len), so that each is present. */
static void touch(char *p, size_t len, size_t psize)
{
	size_t off;

	for (off = 0; off < len; off += psize)
		p[off] = 1;
}

/* @n pages of a file, mapped private at @at and read; the file unlinked. */
static void map_file(char *at, size_t n, size_t psize)
{
	const char *dir = getenv("TMPDIR") ?: "/tmp";
	char name[256], *buf, *p;
	size_t i;
	int fd;

	snprintf(name, sizeof(name), "%s/pbmaps_layout.%d", dir, getpid());
	fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(name);
	buf = calloc(1, psize);
	if (!buf)
		die("calloc");
	for (i = 0; i < n; i++) {
		memset(buf, 'a' + i % 26, psize);
		if (write(fd, buf, psize) != (ssize_t)psize)
			die("write");
	}
	free(buf);
	/* MAP_POPULATE: every page read in and mapped, as a read of each would. */
	p = mmap(at, n * psize, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap of the file");
	close(fd);
	unlink(name);
}

int main(int argc, char **argv)
{
	size_t psize = sysconf(_SC_PAGESIZE), folio, anon_len, len;
	unsigned long order = 0;
	char *res, *anon, *file, *shared;
	pid_t child;
	int opt;

	while ((opt = getopt(argc, argv, "o:")) != -1) {
		char *end;

		if (opt != 'o')
			goto usage;
		order = strtoul(optarg, &end, 10);
		if (*end || order > 13)
			goto usage;
	}
	if (optind != argc)
		goto usage;
	folio = psize << order;
	anon_len = LAYOUT_FOLIOS * folio;
	/* Room to align the anon region, and a guard page after each region. */
	len = 2 * anon_len + (LAYOUT_FILE_PAGES + LAYOUT_SHARED_PAGES + 4) * psize;
	res = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		die("mmap of the reservation");
	anon = (char *)(((unsigned long)res + psize + folio - 1) & ~(folio - 1));
	file = anon + anon_len + psize;
	shared = file + (LAYOUT_FILE_PAGES + 1) * psize;

	if (mmap(shared, LAYOUT_SHARED_PAGES * psize, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		die("mmap of the shared region");
	if (madvise(shared, LAYOUT_SHARED_PAGES * psize, MADV_NOHUGEPAGE) && errno != EINVAL)
		die("madvise");
	touch(shared, LAYOUT_SHARED_PAGES * psize, psize);
	map_file(file, LAYOUT_FILE_PAGES, psize);
	if (mmap(anon, anon_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		die("mmap of the anon region");

	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(0);
		for (;;)
			pause();
	}
	/* After the fork: the child has the VMA but none of these pages. */
	touch(anon, anon_len, psize);

	printf("pbmaps_layout pid=%d child=%d page_kb=%zu order=%lu", getpid(), child,
	       psize / 1024, order);
	printf(" anon=%p anon_pages=%zu file=%p file_pages=%u shared=%p shared_pages=%u\n",
	       anon, anon_len / psize, file, LAYOUT_FILE_PAGES, shared, LAYOUT_SHARED_PAGES);
	fflush(stdout);
	for (;;)
		pause();
usage:
	fprintf(stderr, "usage: pbmaps_layout [-o ORDER]  (ORDER 0..13)\n");
	return 2;
}
