// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch selftests: task_import makes a private mm with this process's
 * (or a child's) layout, and the model's dump of it must agree with
 * task_dump of the process entry by entry: present or none, the folio's
 * order and the page's index in it, PMD or PTE mapped, writable, CONT, and
 * young and dirty (gathered over a folded block, as ptep_get() reads them).
 * PFNs differ (the model has an arena of its own): the test maps each real
 * folio to the model's folio at the same address and requires the map to be
 * one to one.  Layouts: each mTHP size in turn, a PTE-mapped PMD THP, a
 * partly unmapped THP, a forked (shared, read-only) region, a shared file
 * mapping; then check, and one bench op on the import; then bad input and
 * a racing child, which leave nothing behind.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>

#include "pb_test.h"
#include "pb_task.h"

static const char *const import_info_names[PB_NR_IMPORT_INFO] = {
#define PB_IMPORT_INFO(name)	\
	[PB_IMPORT_INFO_##name] = #name,
#include "../module/uapi/ptebatch_names.h"
};

static const char *const import_skip_names[PB_NR_IMPORT_SKIPS] = {
#define PB_IMPORT_SKIP(name)	\
	[PB_IMPORT_SKIP_##name] = #name,
#include "../module/uapi/ptebatch_names.h"
};

struct import {
	long long info[PB_NR_IMPORT_INFO];
	long long skip[PB_NR_IMPORT_SKIPS];
};

/* " key=N" of the line at @line (up to its end), or -1. */
static long long kv(const char *line, const char *key)
{
	const char *end = strchrnul(line, '\n'), *p = line;
	size_t len = strlen(key);

	while ((p = strstr(p, key)) && p < end) {
		if (p[-1] == ' ' && p[len] == '=')
			return strtoll(p + len + 1, NULL, 10);
		p += len;
	}
	return -1;
}

static int parse_import(const char *reply, struct import *im)
{
	const char *skipped = strstr(reply, "\nskipped ");
	int i;

	if (strncmp(reply, "task_import ", 12) || !skipped)
		return -1;
	for (i = 0; i < PB_NR_IMPORT_INFO; i++) {
		im->info[i] = kv(reply, import_info_names[i]);
		if (im->info[i] < 0)
			return -1;
	}
	for (i = 0; i < PB_NR_IMPORT_SKIPS; i++) {
		im->skip[i] = kv(skipped + 1, import_skip_names[i]);
		if (im->skip[i] < 0)
			return -1;
	}
	return 0;
}

FIXTURE(import)
{
	struct pb_ctl c;
	unsigned long psize, pmd_size;
	unsigned int cont_ptes, pmd_order;
	struct pb_knobs knobs;
	pid_t child;
};

FIXTURE_SETUP(import)
{
	self->psize = sysconf(_SC_PAGESIZE);
	self->pmd_size = self->psize * (self->psize / 8);
	self->pmd_order = __builtin_ctzl(self->pmd_size / self->psize);
#ifdef __aarch64__
	self->cont_ptes = self->psize == 16384 ? 128 : self->psize == 65536 ? 32 : 16;
#else
	self->cont_ptes = 0;
#endif
	self->knobs.nr = 0;
	self->child = 0;
	ASSERT_EQ(0, pb_open(&self->c));
}

FIXTURE_TEARDOWN(import)
{
	int status;

	pb_knobs_restore(&self->knobs);
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, &status, 0);
	}
	pb_close(&self->c);
}

/* @len bytes at an address aligned to @align. */
static char *map_aligned(size_t len, size_t align)
{
	char *raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (raw == MAP_FAILED)
		return NULL;
	return (char *)(((unsigned long)raw + align - 1) & ~(align - 1));
}

/*
 * @n private anonymous pages of @psize, small (MADV_NOHUGEPAGE), each written
 * with its index; NULL if mmap fails.
 */
static char *map_small_written(unsigned long n, size_t psize)
{
	char *p = mmap(NULL, n * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long i;

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, n * psize, MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++)
		p[i * psize] = i;
	return p;
}

#define MAX_FOLIOS	4096
#define MAX_PAGES	65536

/* pte_young() of entry @i of @l[0..@n), gathered over its block if folded. */
static int young_at(const struct pb_dline *l, unsigned long i, unsigned long n,
		    unsigned int cont_ptes)
{
	unsigned long j, k;
	int y = pb_dline_young(&l[i]);

	if (!cont_ptes || !pb_dline_flag(&l[i], "CONT"))
		return y;
	k = i - i % cont_ptes;
	for (j = k; j < k + cont_ptes && j < n; j++)
		y |= pb_dline_young(&l[j]);
	return y;
}

/*
 * Import [@va, @va + @nr pages) of @pid (0: this process), then compare the
 * model's dump with task_dump, run the checker and one bench op on the
 * import, and destroy it.  Returns the number of present pages compared.
 */
static unsigned long import_compare(struct __test_metadata *_metadata,
				    FIXTURE_DATA(import) * self, unsigned long va,
				    unsigned long nr, int pid, struct import *im)
{
	static unsigned long long real_head[MAX_FOLIOS], model_head[MAX_FOLIOS];
	static struct pb_dline rl[PB_DUMP_MAX], ml[PB_DUMP_MAX];
	static unsigned char young_before[MAX_PAGES];
	unsigned long done, n, i, j, k, present = 0, nf = 0;
	char ptxt[32] = "";
	long long mm;

	if (pid)
		snprintf(ptxt, sizeof(ptxt), " pid=%d", pid);
	/*
	 * The kernel ages entries while they are read (mainline with 16K pages
	 * clears a folded block's AF within seconds): the import's young must
	 * lie between what task_dump shows before it and after it.
	 */
	ASSERT_GE(MAX_PAGES, nr);
	for (done = 0; done < nr; done += n) {
		n = nr - done > PB_DUMP_MAX ? PB_DUMP_MAX : nr - done;
		CMD("task_dump va=0x%lx nr=%lu%s", va + done * self->psize, n, ptxt);
		ASSERT_EQ(0, pb_dlines_parse(self->c.reply, rl, n)) TH_LOG("%s", self->c.reply);
		for (i = 0; i < n; i++)
			young_before[done + i] = young_at(rl, i, n, self->cont_ptes);
	}
	CMD("task_import start=0x%lx len=0x%lx%s", va, nr * self->psize, ptxt);
	ASSERT_EQ(0, parse_import(self->c.reply, im)) TH_LOG("%s", self->c.reply);
	mm = im->info[PB_IMPORT_INFO_mm];
	EXPECT_EQ(pid, im->info[PB_IMPORT_INFO_pid]);
	for (done = 0; done < nr; done += n) {
		n = nr - done > PB_DUMP_MAX ? PB_DUMP_MAX : nr - done;
		CMD("task_dump va=0x%lx nr=%lu%s", va + done * self->psize, n, ptxt);
		ASSERT_EQ(0, pb_dlines_parse(self->c.reply, rl, n)) TH_LOG("%s", self->c.reply);
		CMD("dump mm=%lld va=0x%lx nr=%lu", mm, va + done * self->psize, n);
		ASSERT_EQ(0, pb_dlines_parse(self->c.reply, ml, n)) TH_LOG("%s", self->c.reply);
		for (i = 0; i < n; i++) {
			const struct pb_dline *r = &rl[i], *m = &ml[i];
			int ry = young_at(rl, i, n, self->cont_ptes), rd = pb_dline_dirty(r);
			int my = young_at(ml, i, n, self->cont_ptes), md = pb_dline_dirty(m);

			ASSERT_EQ(r->none, m->none) TH_LOG("va 0x%llx", r->va);
			if (r->none)
				continue;
			present++;
			ASSERT_EQ(r->folio, m->folio) TH_LOG("va 0x%llx", r->va);
			EXPECT_EQ(r->order, m->order) TH_LOG("va 0x%llx", r->va);
			EXPECT_EQ(r->idx, m->idx) TH_LOG("va 0x%llx", r->va);
			EXPECT_EQ(r->pmd, m->pmd) TH_LOG("va 0x%llx", r->va);
			/* The model's entries are arm64's on every host: DBM. */
			EXPECT_EQ(pb_dline_writable(r), pb_dline_flag(m, "DBM"))
				TH_LOG("va 0x%llx: %s / %s", r->va, r->flags, m->flags);
			EXPECT_EQ(pb_dline_flag(r, "CONT"), pb_dline_flag(m, "CONT"))
				TH_LOG("va 0x%llx: %s / %s", r->va, r->flags, m->flags);
			/* A folded block's A/D is the OR over it (ptep_get()). */
			if (pb_dline_flag(r, "CONT") && self->cont_ptes) {
				k = i - i % self->cont_ptes;
				for (j = k; j < k + self->cont_ptes && j < n; j++) {
					rd |= pb_dline_dirty(&rl[j]);
					md |= pb_dline_dirty(&ml[j]);
				}
			}
			if (!r->pmd) {
				EXPECT_LE(ry, my) TH_LOG("va 0x%llx: %s / %s", r->va, r->flags,
							 m->flags);
				EXPECT_LE(my, young_before[done + i])
					TH_LOG("va 0x%llx: %s / %s", r->va, r->flags, m->flags);
				EXPECT_EQ(rd, md) TH_LOG("va 0x%llx: %s / %s", r->va, r->flags,
							 m->flags);
			}
			/* The PFNs through the import: one folio for one folio. */
			for (k = 0; k < nf; k++)
				if (real_head[k] == r->head || model_head[k] == m->head)
					break;
			if (k == nf) {
				ASSERT_GT(MAX_FOLIOS, nf);
				real_head[nf] = r->head;
				model_head[nf++] = m->head;
			}
			EXPECT_EQ(real_head[k], r->head) TH_LOG("va 0x%llx", r->va);
			EXPECT_EQ(model_head[k], m->head) TH_LOG("va 0x%llx", r->va);
			EXPECT_EQ(r->pfn - r->head, m->pfn - m->head);
		}
	}
	EXPECT_EQ(present, im->info[PB_IMPORT_INFO_imported]);
	EXPECT_EQ(nf, im->info[PB_IMPORT_INFO_folios]);
	CMD("check mm=%lld", mm);
	EXPECT_NE(NULL, strstr(self->c.reply, "violations 0"));
	CMD("bench mm=%lld op=fork", mm);
	EXPECT_EQ(0, strncmp(self->c.reply, "ns ", 3)) TH_LOG("%s", self->c.reply);
	CMD("mm_destroy mm=%lld", mm);
	return present;
}

TEST_F(import, mthp_sizes_in_turn)
{
	unsigned int order, tried = 0;
	char path[128];
	struct import im;

	if (pb_knobs_set(&self->knobs, PB_THP_DIR "/enabled", "madvise"))
		SKIP(return, "no transparent huge pages in this kernel");
	for (order = 2; order < self->pmd_order; order++) {
		snprintf(path, sizeof(path), PB_THP_DIR "/hugepages-%lukB/enabled",
			 (self->psize << order) / 1024);
		if (!access(path, F_OK))
			ASSERT_EQ(0, pb_knobs_set(&self->knobs, path, "never"));
	}
	for (order = 2; order < self->pmd_order; order++) {
		size_t sz = self->psize << order;
		char *p;

		snprintf(path, sizeof(path), PB_THP_DIR "/hugepages-%lukB/enabled", sz / 1024);
		if (access(path, F_OK))
			continue;
		ASSERT_EQ(0, pb_knob_write(path, "always"));
		p = map_aligned(2 * sz, 2 * sz);
		ASSERT_NE(NULL, p);
		memset(p, 1, sz);
		import_compare(_metadata, self, (unsigned long)p, 2 << order, 0, &im);
		ASSERT_EQ(0, pb_knob_write(path, "never"));
		EXPECT_EQ(0, im.skip[PB_IMPORT_SKIP_misaligned]);
		EXPECT_EQ(1UL << order, im.info[PB_IMPORT_INFO_imported]);
		tried++;
	}
	TH_LOG("%u mTHP sizes imported", tried);
}

/* A PMD THP, PTE-mapped by an mprotect round trip; then half unmapped. */
TEST_F(import, pte_mapped_and_partly_unmapped_thp)
{
	unsigned long n = self->pmd_size / self->psize;
	struct import im;
	char *p;

	if (pb_knobs_set(&self->knobs, PB_THP_DIR "/enabled", "madvise"))
		SKIP(return, "no transparent huge pages in this kernel");
	p = map_aligned(self->pmd_size, self->pmd_size);
	ASSERT_NE(NULL, p);
	madvise(p, self->pmd_size, MADV_HUGEPAGE);
	memset(p, 1, self->pmd_size);
	CMD("task_dump va=%p nr=1", p);
	if (!strstr(self->c.reply, " pmd=1"))
		SKIP(return, "no PMD THP allocated");
	/* PMD-mapped first: imported as a PMD. */
	import_compare(_metadata, self, (unsigned long)p, n, 0, &im);
	/* No collapse of the split THP back into a PMD: see pb_khugepaged_busy(). */
	ASSERT_EQ(0, madvise(p, self->pmd_size, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, pb_khugepaged_busy(&self->knobs));
	ASSERT_EQ(0, mprotect(p + self->psize, self->psize, PROT_READ));
	ASSERT_EQ(0, mprotect(p + self->psize, self->psize, PROT_READ | PROT_WRITE));
	EXPECT_EQ(n, import_compare(_metadata, self, (unsigned long)p, n, 0, &im));
	ASSERT_EQ(0, madvise(p + self->pmd_size / 2, self->pmd_size / 4, MADV_DONTNEED));
	EXPECT_EQ(n - n / 4, import_compare(_metadata, self, (unsigned long)p, n, 0, &im));
}

/* After fork both sides map the pages read-only and not exclusive. */
TEST_F(import, forked_region)
{
	unsigned long n = 8;
	int pipefd[2], status;
	struct import im;
	char *p, c;

	p = map_small_written(n, self->psize);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, pipe(pipefd));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[0]);
	EXPECT_EQ(n, import_compare(_metadata, self, (unsigned long)p, n, 0, &im));
	EXPECT_EQ(n, import_compare(_metadata, self, (unsigned long)p, n, self->child, &im));
	/* The parent writes one: exclusive (and writable) again. */
	p[0] = 7;
	EXPECT_EQ(n, import_compare(_metadata, self, (unsigned long)p, n, 0, &im));
	close(pipefd[1]);
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	munmap(p, n * self->psize);
}

TEST_F(import, shared_file_mapping)
{
	char name[] = "/tmp/pb_import_XXXXXX";
	unsigned long n = 4, i;
	struct import im;
	int fd = mkstemp(name);
	char *p;

	ASSERT_LE(0, fd);
	unlink(name);
	ASSERT_EQ(0, ftruncate(fd, n * self->psize));
	p = mmap(NULL, n * self->psize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < n - 1; i++)
		p[i * self->psize] = 1;
	EXPECT_EQ(n - 1, import_compare(_metadata, self, (unsigned long)p, n, 0, &im));
	munmap(p, n * self->psize);
	close(fd);
}

/* The whole process: what is not imported is said, the rest checks. */
TEST_F(import, whole_process)
{
	struct import im;
	long long sum = 0;
	int i;

	CMD("task_import");
	ASSERT_EQ(0, parse_import(self->c.reply, &im)) TH_LOG("%s", self->c.reply);
	TH_LOG("%s", self->c.reply);
	EXPECT_LT(0, im.info[PB_IMPORT_INFO_imported]);
	EXPECT_LE(im.info[PB_IMPORT_INFO_vmas_imported], im.info[PB_IMPORT_INFO_vmas]);
	for (i = PB_IMPORT_SKIP_swap; i < PB_NR_IMPORT_SKIPS; i++)
		if (i != PB_IMPORT_SKIP_cont)
			sum += im.skip[i];
	/* Every present page read is imported or left out for a reason. */
	EXPECT_LE(im.info[PB_IMPORT_INFO_present],
		  im.info[PB_IMPORT_INFO_imported] + sum);
	CMD("check mm=%lld", im.info[PB_IMPORT_INFO_mm]);
	CMD("bench mm=%lld op=mprotect", im.info[PB_IMPORT_INFO_mm]);
	CMD("mm_destroy mm=%lld", im.info[PB_IMPORT_INFO_mm]);
}

/*
 * The oracle started from the import: both its families are made of the
 * process's layout and agree step by step; what it cannot take is refused
 * with a reason, and nothing is left behind.
 */
TEST_F(import, oracle_from_the_import)
{
	unsigned long long before[PB_NR_COUNTERS], after[PB_NR_COUNTERS];
	struct import im;
	long long mm, empty;

	ASSERT_EQ(0, pb_ctl_stats(&self->c, before));
	CMD("task_import");
	ASSERT_EQ(0, parse_import(self->c.reply, &im)) TH_LOG("%s", self->c.reply);
	mm = im.info[PB_IMPORT_INFO_mm];
	CMD("oracle mm=%lld seed=1 seeds=2 steps=20", mm);
	TH_LOG("%s", self->c.reply);
	EXPECT_EQ(2, pb_reply_val(&self->c, "seeds"));
	EXPECT_EQ(self->psize / 1024, pb_reply_val(&self->c, "page_kb"));
	EXPECT_EQ(im.info[PB_IMPORT_INFO_vmas_imported], pb_reply_val(&self->c, "vmas"));
	/* The import's own mm, made again: every page it has. */
	EXPECT_EQ(im.info[PB_IMPORT_INFO_imported], pb_reply_val(&self->c, "imported"));
	EXPECT_EQ(im.info[PB_IMPORT_INFO_imported], pb_reply_val(&self->c, "present"));
	EXPECT_EQ(im.info[PB_IMPORT_INFO_folios], pb_reply_val(&self->c, "folios"));
	EXPECT_EQ(0, pb_reply_val(&self->c, "skipped"));
	pb_expect_error(_metadata, &self->c, -EINVAL, "with mm=, drop page_kb= and kernel=",
			"oracle mm=%lld page_kb=4", mm);
	pb_expect_error(_metadata, &self->c, -EINVAL, "with mm=, drop page_kb= and kernel=",
			"oracle mm=%lld kernel=6.12", mm);
	CMD("mm_destroy mm=%lld", mm);
	pb_expect_error(_metadata, &self->c, -EINVAL, "no mm", "oracle mm=%lld", mm);
	pb_expect_error(_metadata, &self->c, -EINVAL, "mm must be within",
			"oracle mm=%d", PB_SESSION_MMS);
	CMD("mm_create page_kb=%zu", self->psize / 1024);
	empty = pb_reply_val(&self->c, "mm");
	pb_expect_error(_metadata, &self->c, -EINVAL, "has no VMA for the steps",
			"oracle mm=%lld", empty);
	CMD("mm_destroy mm=%lld", empty);
	ASSERT_EQ(0, pb_ctl_stats(&self->c, after));
	EXPECT_EQ(before[PB_CNT_live_mms], after[PB_CNT_live_mms]);
	EXPECT_EQ(before[PB_CNT_live_folios], after[PB_CNT_live_folios]);
	EXPECT_EQ(before[PB_CNT_live_bytes], after[PB_CNT_live_bytes]);
}

/* PB_IMPORT_PAGES_MAX pages are imported, the rest counted as left out. */
TEST_F(import, pages_past_the_limit)
{
	unsigned long n = PB_IMPORT_PAGES_MAX + 64;
	struct import im;
	char *p;

	/* 128 MiB of 4K pages; with larger pages too much for the guest. */
	if (self->psize != 4096)
		SKIP(return, "the limit is tested with 4K pages only");
	p = map_small_written(n, self->psize);
	ASSERT_NE(NULL, p);
	CMD("task_import start=%p len=0x%lx", p, n * self->psize);
	ASSERT_EQ(0, parse_import(self->c.reply, &im)) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(n, im.info[PB_IMPORT_INFO_present]);
	EXPECT_EQ(PB_IMPORT_PAGES_MAX, im.info[PB_IMPORT_INFO_imported]);
	EXPECT_EQ(n - PB_IMPORT_PAGES_MAX, im.skip[PB_IMPORT_SKIP_pages_limit]);
	CMD("mm_destroy mm=%lld", im.info[PB_IMPORT_INFO_mm]);
	munmap(p, n * self->psize);
}

TEST_F(import, bad_input_leaves_nothing)
{
	size_t len = 4 * self->psize;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t gone;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + self->psize, self->psize));
	pb_expect_error(_metadata, &self->c, -EINVAL, "no VMA of the process is in the range",
			"task_import start=%p len=0x%lx", p + self->psize, self->psize);
	pb_expect_error(_metadata, &self->c, -EINVAL, "page aligned", "task_import start=%p",
			p + 8);
	pb_expect_error(_metadata, &self->c, -EINVAL, "len must not be 0",
			"task_import start=%p len=0", p);
	pb_expect_error(_metadata, &self->c, -EINVAL, "pid must be within", "task_import pid=0");
	pb_expect_error(_metadata, &self->c, -EINVAL, "kernel thread", "task_import pid=2");
	pb_expect_error(_metadata, &self->c, -EINVAL, "kernel", "task_import kernel=none");
	gone = pb_gone_pid();
	ASSERT_LT(0, gone);
	pb_expect_error(_metadata, &self->c, -ESRCH, "no process has this pid",
			"task_import pid=%d", gone);
	munmap(p, len);
}

/*
 * A session budget too small for the import, from the read's list to the
 * last folio: ENOMEM naming the budget, and no mm or byte left behind.
 */
TEST_F(import, budget_too_small_leaves_nothing)
{
	unsigned long long before[PB_NR_COUNTERS], after[PB_NR_COUNTERS];
	unsigned long n = 2048, budget;
	int ret, refused = 0, done = 0;
	struct pb_ctl s;
	struct import im;
	char *p;

	p = map_small_written(n, self->psize);
	ASSERT_NE(NULL, p);
	for (budget = 64 << 10; budget <= 8 << 20 && !done; budget += 128 << 10) {
		ASSERT_EQ(0, pb_open(&s));
		ASSERT_EQ(0, pb_cmd(&s, "session budget_bytes=%lu", budget)) TH_LOG("%s", s.reply);
		ASSERT_EQ(0, pb_ctl_stats(&self->c, before));
		ret = pb_cmd(&s, "task_import start=%p len=0x%lx", p, n * self->psize);
		if (!ret) {
			ASSERT_EQ(0, parse_import(s.reply, &im)) TH_LOG("%s", s.reply);
			EXPECT_EQ(n, im.info[PB_IMPORT_INFO_imported]);
			done = 1;
		} else {
			EXPECT_EQ(-ENOMEM, ret) TH_LOG("budget %lu: %s", budget, s.reply);
			EXPECT_NE(NULL, strstr(s.reply, "budget")) TH_LOG("%s", s.reply);
			ASSERT_EQ(0, pb_ctl_stats(&self->c, after));
			EXPECT_EQ(before[PB_CNT_live_mms], after[PB_CNT_live_mms]);
			EXPECT_EQ(before[PB_CNT_live_bytes], after[PB_CNT_live_bytes]);
			refused++;
		}
		pb_close(&s);
	}
	TH_LOG("%d budgets refused before one sufficed", refused);
	EXPECT_LT(1, refused);
	EXPECT_TRUE(done);
	munmap(p, n * self->psize);
}

/* A child that maps, unmaps and exits while it is imported. */
TEST_F(import, racing_child)
{
	unsigned long long before[PB_NR_COUNTERS], after[PB_NR_COUNTERS];
	int status, ret, i, ok = 0, gone = 0;
	struct import im;

	ASSERT_EQ(0, pb_ctl_stats(&self->c, before));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		for (i = 0; i < 300; i++) {
			char *q = mmap(NULL, 64 * self->psize, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (q == MAP_FAILED)
				_exit(1);
			memset(q, 1, 64 * self->psize);
			munmap(q, 64 * self->psize);
		}
		_exit(0);
	}
	for (i = 0; i < 100000 && !gone; i++) {
		ret = pb_cmd(&self->c, "task_import pid=%d", self->child);
		if (!ret) {
			ok++;
			ASSERT_EQ(0, parse_import(self->c.reply, &im)) TH_LOG("%s", self->c.reply);
			CMD("mm_destroy mm=%lld", im.info[PB_IMPORT_INFO_mm]);
			continue;
		}
		ASSERT_EQ(-ESRCH, ret) TH_LOG("%s", self->c.reply);
		if (waitpid(self->child, &status, WNOHANG) == self->child)
			self->child = 0;
		gone = 1;
	}
	if (self->child) {
		ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
		self->child = 0;
	}
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	TH_LOG("%d imports of the live child", ok);
	ASSERT_EQ(0, pb_ctl_stats(&self->c, after));
	EXPECT_EQ(before[PB_CNT_live_bytes], after[PB_CNT_live_bytes]);
	EXPECT_EQ(before[PB_CNT_live_mms], after[PB_CNT_live_mms]);
}

TEST_HARNESS_MAIN
