// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch selftests: task_maps reads this process's (and a child's) VMAs,
 * and what it counts is checked against what the test did to its memory:
 * order-0 pages, each mTHP size the kernel offers (switched on in turn and
 * restored), a PTE-mapped PMD THP, a partly unmapped folio, a forked
 * (shared) region and a file mapping; and against task_dump of the same
 * range, read independently: present pages, the pieces of folios by order,
 * PMD pages, young and dirty pages and, on arm64, the CONT blocks the
 * kernel folded.  Then the whole process against /proc/self/maps, a child
 * that maps, unmaps and exits while it is read, and bad input, which is
 * refused with a reason and leaves nothing behind.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>

#include "pb_test.h"
#include "pb_task.h"

static const char *const key_names[PB_NR_MAPS_KEYS] = {
#define PB_MAPS_KEY(name)	\
	[PB_MAPS_##name] = #name,
#include "../module/uapi/ptebatch_names.h"
};

static const char *const hist_names[PB_NR_MAPS_HISTS] = {
#define PB_MAPS_HIST(name)	\
	[PB_MAPS_HIST_##name] = #name,
#include "../module/uapi/ptebatch_names.h"
};

static const char *const info_names[PB_NR_MAPS_INFO] = {
#define PB_MAPS_INFO(name)	\
	[PB_MAPS_INFO_##name] = #name,
#include "../module/uapi/ptebatch_names.h"
};

/* One line of task_maps: a VMA's, or the total. */
struct mline {
	unsigned long long start, end;
	char prot[8], kind[16];
	unsigned long long key[PB_NR_MAPS_KEYS];
	unsigned long long hist[PB_NR_MAPS_HISTS][PB_MAX_ORDER + 1];
};

/* The value of " @key=" in the line at @line, as text, or NULL. */
static const char *tok(const char *line, const char *key)
{
	const char *end = strchrnul(line, '\n'), *p = line;
	size_t len = strlen(key);

	while ((p = strstr(p, key)) && p < end) {
		if (p > line && p[-1] == ' ' && p[len] == '=')
			return p + len + 1;
		p += len;
	}
	return NULL;
}

/* Parse a "vma ..." or "total ..." line: every key of the header, in order. */
static int parse_mline(const char *line, struct mline *m)
{
	const char *p, *prev = line;
	unsigned int i, o;
	char *e;

	memset(m, 0, sizeof(*m));
	if (!strncmp(line, "vma ", 4)) {
		if (sscanf(line, "vma start=0x%llx end=0x%llx prot=%7s kind=%15s",
			   &m->start, &m->end, m->prot, m->kind) != 4)
			return -1;
	} else if (strncmp(line, "total ", 6)) {
		return -1;
	}
	for (i = 0; i < PB_NR_MAPS_KEYS; i++) {
		p = tok(line, key_names[i]);
		if (!p || p < prev || !isdigit((unsigned char)*p))
			return -1;
		m->key[i] = strtoull(p, NULL, 10);
		prev = p;
	}
	for (i = 0; i < PB_NR_MAPS_HISTS; i++) {
		p = tok(line, hist_names[i]);
		if (!p || p < prev)
			return -1;
		prev = p;
		if (*p == '-')
			continue;
		while (isdigit((unsigned char)*p)) {
			o = strtoul(p, &e, 10);
			if (*e != ':' || o > PB_MAX_ORDER)
				return -1;
			m->hist[i][o] = strtoull(e + 1, &e, 10);
			p = *e == ',' ? e + 1 : e;
		}
	}
	return 0;
}

static long long info(const char *reply, enum pb_maps_info i)
{
	const char *p;

	if (strncmp(reply, "task_maps ", 10))
		return -1;
	p = tok(reply, info_names[i]);
	return p ? strtoll(p, NULL, 10) : -1;
}

/* The @n-th line (from 0) of @text that starts with @prefix, or NULL. */
static const char *nth_line(const char *text, const char *prefix, int n)
{
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, prefix, strlen(prefix)) && !n--)
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

FIXTURE(maps)
{
	struct pb_ctl c;
	unsigned long psize, pmd_size;
	unsigned int cont_ptes, pmd_order;
	/* THP knobs changed by the test, restored by the teardown. */
	struct pb_knobs knobs;
	pid_t child;
};

FIXTURE_SETUP(maps)
{
	self->psize = sysconf(_SC_PAGESIZE);
	self->pmd_size = self->psize * (self->psize / 8);
	self->pmd_order = __builtin_ctzl(self->pmd_size / self->psize);
	self->knobs.nr = 0;
	self->child = 0;
	ASSERT_EQ(0, pb_open(&self->c));
	/* The granule's contpte block, as the module reports it. */
	CMD("task_maps start=0x%lx len=0x%lx", (unsigned long)&self->c & -self->psize,
	    self->psize);
	self->cont_ptes = info(self->c.reply, PB_MAPS_INFO_cont_ptes);
#ifdef __aarch64__
	ASSERT_EQ(self->psize == 16384 ? 128 : 16, self->cont_ptes);
#else
	ASSERT_EQ(0, self->cont_ptes);
#endif
	ASSERT_EQ(self->pmd_order, info(self->c.reply, PB_MAPS_INFO_pmd_order));
	ASSERT_EQ(self->psize / 1024, info(self->c.reply, PB_MAPS_INFO_page_kb));
}

FIXTURE_TEARDOWN(maps)
{
	int status;

	pb_knobs_restore(&self->knobs);
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, &status, 0);
	}
	pb_close(&self->c);
}

/* @len bytes at an address aligned to @align, of @raw_len mapped. */
static char *map_aligned(size_t len, size_t align, char **raw, size_t *raw_len)
{
	*raw_len = len + align;
	*raw = mmap(NULL, *raw_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*raw == MAP_FAILED)
		return NULL;
	return (char *)(((unsigned long)*raw + align - 1) & ~(align - 1));
}

/* What task_dump shows of a range, counted by the test itself. */
struct dumped {
	unsigned long long present, pmd_pages, young, dirty, cont_pages, folded;
	/* Pieces of folios: consecutive pages of one folio at consecutive VAs. */
	unsigned long long full[PB_MAX_ORDER + 1], partial[PB_MAX_ORDER + 1];
};

/* task_dump of [@va, @va + @nr pages) of @pid (0: this process) into @d. */
static void read_dump(struct __test_metadata *_metadata, FIXTURE_DATA(maps) * self,
		      unsigned long va, unsigned long nr, int pid, struct dumped *d)
{
	unsigned long long pfn, head = 0, run_head = 0, run_pfn = 0, run_pages = 0;
	unsigned int order, run_order = 0, blk_cont = 0, blk_n = 0, blk_y = 0, blk_d = 0;
	unsigned long i, n, done;
	const char *line;
	int in_run = 0;

	memset(d, 0, sizeof(*d));
	for (done = 0; done < nr; done += n) {
		n = nr - done > PB_DUMP_MAX ? PB_DUMP_MAX : nr - done;
		if (pid)
			CMD("task_dump va=0x%lx nr=%lu pid=%d", va + done * self->psize, n, pid);
		else
			CMD("task_dump va=0x%lx nr=%lu", va + done * self->psize, n);
		line = self->c.reply;
		for (i = 0; i < n; i++, line = strchr(line, '\n') + 1) {
			unsigned long page = done + i;
			int present, folio, y, dd;
			struct pb_dline t;

			ASSERT_EQ(0, pb_dline_parse(line, &t))
				TH_LOG("%.*s", (int)strcspn(line, "\n"), line);
			present = !t.none;
			folio = t.folio;
			pfn = t.pfn;
			head = t.head;
			order = t.order;
			/* The pieces, as task_maps' histogram makes them. */
			if (in_run && (!folio || head != run_head || pfn != run_pfn + run_pages)) {
				if (run_pages == 1ULL << run_order)
					d->full[run_order]++;
				else
					d->partial[run_order]++;
				in_run = 0;
			}
			if (folio && in_run) {
				run_pages++;
			} else if (folio) {
				in_run = 1;
				run_head = head;
				run_pfn = pfn;
				run_pages = 1;
				run_order = order;
			}
			/* pte_young() and pte_dirty() of the raw entry. */
			y = present && pb_dline_young(&t);
			dd = present && pb_dline_dirty(&t);
			d->present += present;
			d->pmd_pages += present && t.pmd;
			if (!self->cont_ptes) {
				d->young += y;
				d->dirty += dd;
				continue;
			}
			/* A folded block's A/D, gathered as ptep_get() does. */
			blk_n++;
			blk_cont += present && pb_dline_flag(&t, "CONT");
			blk_y += y;
			blk_d += dd;
			if (page % self->cont_ptes == self->cont_ptes - 1 || page == nr - 1) {
				if (blk_cont == self->cont_ptes) {
					d->folded++;
					d->young += blk_y ? blk_n : 0;
					d->dirty += blk_d ? blk_n : 0;
				} else {
					d->young += blk_y;
					d->dirty += blk_d;
				}
				d->cont_pages += blk_cont;
				blk_n = 0;
				blk_cont = 0;
				blk_y = 0;
				blk_d = 0;
			}
		}
	}
	if (in_run) {
		if (run_pages == 1ULL << run_order)
			d->full[run_order]++;
		else
			d->partial[run_order]++;
	}
}

/*
 * task_maps of exactly [@va, @va + @len) of @pid (one VMA) into @m, and the
 * same range's task_dump must agree with it: entry by entry what both read
 * (young within what a dump before and one after show).
 */
static void maps_one(struct __test_metadata *_metadata, FIXTURE_DATA(maps) * self,
		     void *va, size_t len, int pid, struct mline *m)
{
	unsigned long nr = len / self->psize;
	struct dumped d, before;
	struct mline total;
	unsigned int o;

	/*
	 * The kernel may age the entries (clear AF, as reclaim's and the THP
	 * shrinkers' rmap walks do) while the test reads them, and nothing
	 * sets AF without an access, which the test does not make: young is
	 * checked between a dump before and one after.
	 */
	read_dump(_metadata, self, (unsigned long)va, nr, pid, &before);
	if (pid)
		CMD("task_maps start=%p len=0x%zx pid=%d", va, len, pid);
	else
		CMD("task_maps start=%p len=0x%zx", va, len);
	ASSERT_EQ(1, info(self->c.reply, PB_MAPS_INFO_vmas))
		TH_LOG("%s", self->c.reply);
	ASSERT_EQ(1, info(self->c.reply, PB_MAPS_INFO_listed));
	ASSERT_EQ(pid, info(self->c.reply, PB_MAPS_INFO_pid));
	ASSERT_EQ(0, parse_mline(nth_line(self->c.reply, "vma ", 0), m))
		TH_LOG("%s", self->c.reply);
	ASSERT_EQ(0, parse_mline(nth_line(self->c.reply, "total ", 0), &total));
	/* One VMA: the total is its line. */
	EXPECT_EQ(0, memcmp(m->key, total.key, sizeof(m->key)));
	EXPECT_EQ(0, memcmp(m->hist, total.hist, sizeof(m->hist)));
	EXPECT_EQ((unsigned long)va, m->start);
	EXPECT_EQ((unsigned long)va + len, m->end);
	EXPECT_EQ(nr, m->key[PB_MAPS_pages]);
	EXPECT_EQ(0, m->key[PB_MAPS_unread]);
	EXPECT_EQ(0, m->key[PB_MAPS_cont_torn]);
	/* The keys' own sums. */
	EXPECT_EQ(m->key[PB_MAPS_present], m->key[PB_MAPS_anon] + m->key[PB_MAPS_file] +
		  m->key[PB_MAPS_zero] + m->key[PB_MAPS_nofolio]);
	EXPECT_EQ(m->key[PB_MAPS_anon], m->key[PB_MAPS_exclusive] + m->key[PB_MAPS_shared]);
	EXPECT_EQ(m->key[PB_MAPS_cont_blocks],
		  m->key[PB_MAPS_cont_folded] + m->key[PB_MAPS_cont_foldable] +
		  m->key[PB_MAPS_cont_attrs] + m->key[PB_MAPS_cont_misaligned] +
		  m->key[PB_MAPS_cont_mixed] + m->key[PB_MAPS_cont_hole] +
		  m->key[PB_MAPS_cont_small] + m->key[PB_MAPS_cont_edge] +
		  m->key[PB_MAPS_cont_torn]);

	read_dump(_metadata, self, (unsigned long)va, nr, pid, &d);
	EXPECT_EQ(d.present, m->key[PB_MAPS_present]);
	EXPECT_EQ(d.pmd_pages, m->key[PB_MAPS_pmd_pages]);
	EXPECT_LE(d.young, m->key[PB_MAPS_young]);
	EXPECT_GE(before.young, m->key[PB_MAPS_young]);
	if (d.young != before.young)
		TH_LOG("young aged from %llu to %llu while read", before.young, d.young);
	EXPECT_EQ(d.dirty, m->key[PB_MAPS_dirty]);
	EXPECT_EQ(d.folded, m->key[PB_MAPS_cont_folded]);
	if (self->cont_ptes)
		EXPECT_EQ(d.folded * self->cont_ptes, d.cont_pages);
	for (o = 0; o <= PB_MAX_ORDER; o++) {
		EXPECT_EQ(d.full[o], m->hist[PB_MAPS_HIST_anon_full][o] +
				     m->hist[PB_MAPS_HIST_file_full][o])
			TH_LOG("order %u", o);
		EXPECT_EQ(d.partial[o], m->hist[PB_MAPS_HIST_anon_partial][o] +
					m->hist[PB_MAPS_HIST_file_partial][o])
			TH_LOG("order %u", o);
	}
}

/* The sum of a histogram's pieces. */
static unsigned long long pieces(const struct mline *m, enum pb_maps_hist h)
{
	unsigned long long n = 0;
	unsigned int o;

	for (o = 0; o <= PB_MAX_ORDER; o++)
		n += m->hist[h][o];
	return n;
}

/* Order-0 pages: half of a region touched, written or read. */
TEST_F(maps, small_pages)
{
	size_t len = 32 * self->psize, raw_len;
	char *raw, *p = map_aligned(len, self->pmd_size, &raw, &raw_len);
	struct mline m;
	unsigned int i;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, madvise(raw, raw_len, MADV_NOHUGEPAGE));
	maps_one(_metadata, self, p, len, 0, &m);
	EXPECT_EQ(0, m.key[PB_MAPS_present]);
	EXPECT_EQ(0, m.key[PB_MAPS_folios]);
	EXPECT_EQ(0, m.key[PB_MAPS_cont_blocks]);
	EXPECT_STREQ("anon", m.kind);
	EXPECT_STREQ("rw-p", m.prot);
	/* Every other page written: 16 dirty exclusive pages. */
	for (i = 0; i < 32; i += 2)
		p[i * self->psize] = 1;
	maps_one(_metadata, self, p, len, 0, &m);
	EXPECT_EQ(16, m.key[PB_MAPS_present]);
	EXPECT_EQ(16, m.key[PB_MAPS_anon]);
	EXPECT_EQ(16, m.key[PB_MAPS_exclusive]);
	EXPECT_EQ(0, m.key[PB_MAPS_shared]);
	EXPECT_EQ(16, m.key[PB_MAPS_dirty]);
	EXPECT_EQ(16, m.key[PB_MAPS_young]);
	EXPECT_EQ(16, m.key[PB_MAPS_folios]);
	EXPECT_EQ(0, m.key[PB_MAPS_large_folios]);
	EXPECT_EQ(16, m.hist[PB_MAPS_HIST_anon_full][0]);
	EXPECT_EQ(16, pieces(&m, PB_MAPS_HIST_anon_full));
	EXPECT_EQ(0, m.key[PB_MAPS_pinned]);
	if (self->cont_ptes) {
		/* Each block has pages, none of a folio that could fill it. */
		EXPECT_EQ(32 / self->cont_ptes + !!(32 % self->cont_ptes),
			  m.key[PB_MAPS_cont_blocks]);
		EXPECT_EQ(m.key[PB_MAPS_cont_blocks],
			  m.key[PB_MAPS_cont_small] + m.key[PB_MAPS_cont_edge]);
	}
	/* A read of an untouched page maps the zero page. */
	EXPECT_EQ(0, p[self->psize]);
	maps_one(_metadata, self, p, len, 0, &m);
	EXPECT_EQ(17, m.key[PB_MAPS_present]);
	EXPECT_EQ(1, m.key[PB_MAPS_zero]);
	EXPECT_EQ(16, m.key[PB_MAPS_anon]);
	munmap(raw, raw_len);
}

/* Every mTHP size below the PMD's, switched on alone in turn. */
TEST_F(maps, mthp_sizes)
{
	unsigned int order, tried = 0, cont_order = self->cont_ptes ?
		__builtin_ctz(self->cont_ptes) : 0;
	char path[128];

	if (pb_knobs_set(&self->knobs, PB_THP_DIR "/enabled", "madvise"))
		SKIP(return, "no transparent huge pages in this kernel");
	/* All sizes off (never) first, then one at a time. */
	for (order = 2; order < self->pmd_order; order++) {
		snprintf(path, sizeof(path), PB_THP_DIR "/hugepages-%lukB/enabled",
			 (self->psize << order) / 1024);
		if (!access(path, F_OK))
			ASSERT_EQ(0, pb_knobs_set(&self->knobs, path, "never"));
	}
	for (order = 2; order < self->pmd_order; order++) {
		size_t sz = self->psize << order, len, raw_len;
		unsigned long n = 1UL << order;
		struct mline m;
		char *raw, *p;

		snprintf(path, sizeof(path), PB_THP_DIR "/hugepages-%lukB/enabled", sz / 1024);
		if (access(path, F_OK))
			continue;
		ASSERT_EQ(0, pb_knob_write(path, "always"));
		/* Two folios' worth, and at least a block. */
		len = 2 * sz > self->cont_ptes * self->psize ? 2 * sz :
		      self->cont_ptes * self->psize;
		p = map_aligned(len, len, &raw, &raw_len);
		ASSERT_NE(NULL, p);
		p[0] = 1;
		maps_one(_metadata, self, p, len, 0, &m);
		ASSERT_EQ(0, pb_knob_write(path, "never"));
		if (m.key[PB_MAPS_large_folios] != 1) {
			TH_LOG("order %u: no folio allocated (fallback)", order);
			munmap(raw, raw_len);
			continue;
		}
		tried++;
		EXPECT_EQ(n, m.key[PB_MAPS_present]) TH_LOG("order %u", order);
		EXPECT_EQ(n, m.key[PB_MAPS_exclusive]);
		EXPECT_EQ(1, m.key[PB_MAPS_folios]);
		EXPECT_EQ(1, m.hist[PB_MAPS_HIST_anon_full][order]);
		EXPECT_EQ(1, pieces(&m, PB_MAPS_HIST_anon_full));
		EXPECT_EQ(0, pieces(&m, PB_MAPS_HIST_anon_partial));
		EXPECT_EQ(0, m.key[PB_MAPS_partially_mapped]);
		EXPECT_EQ(0, m.key[PB_MAPS_pmd_thps]);
		if (!self->cont_ptes)
			continue;
		if (order >= cont_order) {
			/* Whole blocks of one folio: folded, or it could be. */
			EXPECT_EQ(n / self->cont_ptes, m.key[PB_MAPS_cont_blocks]);
			EXPECT_EQ(n / self->cont_ptes,
				  m.key[PB_MAPS_cont_folded] + m.key[PB_MAPS_cont_foldable]);
		} else {
			/* One block, the folio too small to fill it. */
			EXPECT_EQ(1, m.key[PB_MAPS_cont_blocks]);
			EXPECT_EQ(1, m.key[PB_MAPS_cont_small]);
		}
		munmap(raw, raw_len);
	}
	if (!tried)
		SKIP(return, "no mTHP size below the PMD's gave a folio");
}

/* Half of a large folio unmapped: a partial piece, partially mapped. */
TEST_F(maps, partly_unmapped_folio)
{
	unsigned int order = 4;
	size_t sz = self->psize << order, raw_len;
	char path[128], *raw, *p;
	struct mline m;

	if (pb_knobs_set(&self->knobs, PB_THP_DIR "/enabled", "madvise"))
		SKIP(return, "no transparent huge pages in this kernel");
	snprintf(path, sizeof(path), PB_THP_DIR "/hugepages-%lukB/enabled", sz / 1024);
	if (pb_knobs_set(&self->knobs, path, "always"))
		SKIP(return, "no hugepages-%lukB", sz / 1024);
	p = map_aligned(sz, sz, &raw, &raw_len);
	ASSERT_NE(NULL, p);
	p[0] = 1;
	maps_one(_metadata, self, p, sz, 0, &m);
	if (m.hist[PB_MAPS_HIST_anon_full][order] != 1) {
		munmap(raw, raw_len);
		SKIP(return, "no order-%u folio allocated", order);
	}
	ASSERT_EQ(0, munmap(p + sz / 2, sz / 2));
	maps_one(_metadata, self, p, sz / 2, 0, &m);
	EXPECT_EQ(1U << (order - 1), m.key[PB_MAPS_present]);
	EXPECT_EQ(1, m.hist[PB_MAPS_HIST_anon_partial][order]);
	EXPECT_EQ(0, pieces(&m, PB_MAPS_HIST_anon_full));
	EXPECT_EQ(1, m.key[PB_MAPS_partially_mapped]);
	if (self->cont_ptes && order >= (unsigned int)__builtin_ctz(self->cont_ptes))
		EXPECT_EQ(0, m.key[PB_MAPS_cont_folded]);
	munmap(raw, raw_len);
}

/* A PMD THP: pmd_thps; split to PTEs by a round trip of mprotect. */
TEST_F(maps, pmd_thp_and_pte_mapped_thp)
{
	size_t raw_len;
	char *raw, *p;
	struct mline m;

	if (pb_knobs_set(&self->knobs, PB_THP_DIR "/enabled", "madvise"))
		SKIP(return, "no transparent huge pages in this kernel");
	p = map_aligned(self->pmd_size, self->pmd_size, &raw, &raw_len);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, madvise(p, self->pmd_size, MADV_HUGEPAGE));
	p[0] = 1;
	maps_one(_metadata, self, p, self->pmd_size, 0, &m);
	if (m.key[PB_MAPS_pmd_thps] != 1) {
		munmap(raw, raw_len);
		SKIP(return, "no THP allocated");
	}
	EXPECT_EQ(1UL << self->pmd_order, m.key[PB_MAPS_pmd_pages]);
	EXPECT_EQ(1UL << self->pmd_order, m.key[PB_MAPS_present]);
	EXPECT_EQ(1UL << self->pmd_order, m.key[PB_MAPS_exclusive]);
	EXPECT_EQ(1, m.hist[PB_MAPS_HIST_anon_full][self->pmd_order]);
	EXPECT_EQ(0, m.key[PB_MAPS_cont_blocks]);
	/* No collapse of the split THP back into a PMD: see pb_khugepaged_busy(). */
	ASSERT_EQ(0, madvise(p, self->pmd_size, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, pb_khugepaged_busy(&self->knobs));
	/* A page read-only and back: the PMD is split, the folio is not. */
	ASSERT_EQ(0, mprotect(p + self->psize, self->psize, PROT_READ));
	ASSERT_EQ(0, mprotect(p + self->psize, self->psize, PROT_READ | PROT_WRITE));
	maps_one(_metadata, self, p, self->pmd_size, 0, &m);
	EXPECT_EQ(0, m.key[PB_MAPS_pmd_thps]);
	EXPECT_EQ(1UL << self->pmd_order, m.key[PB_MAPS_present]);
	EXPECT_EQ(1, m.hist[PB_MAPS_HIST_anon_full][self->pmd_order]) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(1, m.key[PB_MAPS_large_folios]);
	if (self->cont_ptes) {
		/* Every block is the folio's: folded, or why not. */
		EXPECT_EQ((1UL << self->pmd_order) / self->cont_ptes,
			  m.key[PB_MAPS_cont_blocks]);
		EXPECT_EQ(m.key[PB_MAPS_cont_blocks],
			  m.key[PB_MAPS_cont_folded] + m.key[PB_MAPS_cont_foldable] +
			  m.key[PB_MAPS_cont_attrs]);
	}
	munmap(raw, raw_len);
}

/* A forked child shares the pages: shared in both, exclusive in neither. */
TEST_F(maps, forked_region_is_shared)
{
	size_t len = 16 * self->psize, raw_len;
	char *raw, *p = map_aligned(len, self->pmd_size, &raw, &raw_len);
	int pipefd[2], status;
	struct mline m;
	char c;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, madvise(raw, raw_len, MADV_NOHUGEPAGE));
	memset(p, 1, len);
	ASSERT_EQ(0, pipe(pipefd));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		close(pipefd[1]);
		/* Until the parent closes its end. */
		if (read(pipefd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[0]);
	maps_one(_metadata, self, p, len, 0, &m);
	EXPECT_EQ(16, m.key[PB_MAPS_shared]);
	EXPECT_EQ(0, m.key[PB_MAPS_exclusive]);
	maps_one(_metadata, self, p, len, self->child, &m);
	EXPECT_EQ(16, m.key[PB_MAPS_shared]);
	EXPECT_EQ(0, m.key[PB_MAPS_exclusive]);
	/* A write in the parent copies: exclusive again there. */
	p[0] = 2;
	maps_one(_metadata, self, p, len, 0, &m);
	EXPECT_EQ(15, m.key[PB_MAPS_shared]);
	EXPECT_EQ(1, m.key[PB_MAPS_exclusive]);
	close(pipefd[1]);
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	munmap(raw, raw_len);
}

/* A shared file mapping: file pages, kind=file, prot rw-s. */
TEST_F(maps, file_mapping)
{
	size_t len = 8 * self->psize;
	char path[] = "/tmp/maps_testXXXXXX", *p;
	struct mline m;
	int fd;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	unlink(path);
	ASSERT_EQ(0, ftruncate(fd, len));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, len / 2);
	maps_one(_metadata, self, p, len, 0, &m);
	EXPECT_STREQ("file", m.kind);
	EXPECT_STREQ("rw-s", m.prot);
	EXPECT_EQ(len / 2 / self->psize, m.key[PB_MAPS_file]);
	EXPECT_EQ(len / 2 / self->psize, m.key[PB_MAPS_present]);
	EXPECT_EQ(0, m.key[PB_MAPS_anon]);
	EXPECT_EQ(0, pieces(&m, PB_MAPS_HIST_anon_full) + pieces(&m, PB_MAPS_HIST_anon_partial));
	EXPECT_LE(1, pieces(&m, PB_MAPS_HIST_file_full) + pieces(&m, PB_MAPS_HIST_file_partial));
	munmap(p, len);
	close(fd);
}

/* The whole process: a line per VMA of /proc/self/maps, the total their sum. */
TEST_F(maps, whole_process_matches_proc_maps)
{
	unsigned long long s, e, sum[PB_NR_MAPS_KEYS] = { 0 };
	char text[16384], *line, *next, *vsys;
	struct mline m, total;
	int i = 0, n, vmas, got;
	unsigned int k;

	n = pb_read_file("/proc/self/maps", text, sizeof(text));
	ASSERT_LT(0, n);
	CMD("task_maps");
	vmas = info(self->c.reply, PB_MAPS_INFO_vmas);
	ASSERT_LT(0, vmas);
	ASSERT_GE(PB_MAPS_VMAS_MAX, vmas) TH_LOG("too many VMAs for one reply");
	EXPECT_EQ(vmas, info(self->c.reply, PB_MAPS_INFO_listed));
	for (line = text; *line; line = *next ? next + 1 : next) {
		next = strchrnul(line, '\n');
		vsys = strstr(line, "[vsyscall]");
		/* The gate VMA of x86 is no VMA of the mm. */
		if (vsys && vsys < next)
			continue;
		got = sscanf(line, "%llx-%llx", &s, &e);
		ASSERT_EQ(2, got) TH_LOG("%.60s", line);
		ASSERT_EQ(0, parse_mline(nth_line(self->c.reply, "vma ", i), &m)) TH_LOG("%d", i);
		EXPECT_EQ(s, m.start) TH_LOG("%.60s", line);
		EXPECT_EQ(e, m.end);
		EXPECT_EQ(0, strncmp(line + strcspn(line, " ") + 1, m.prot, 4));
		for (k = 0; k < PB_NR_MAPS_KEYS; k++)
			sum[k] += m.key[k];
		i++;
	}
	EXPECT_EQ(vmas, i);
	ASSERT_EQ(0, parse_mline(nth_line(self->c.reply, "total ", 0), &total));
	EXPECT_EQ(0, memcmp(sum, total.key, sizeof(sum)));
	EXPECT_LT(0, total.key[PB_MAPS_present]);
}

/* More VMAs than a reply lists: the first PB_MAPS_VMAS_MAX, and all in the total. */
TEST_F(maps, vmas_past_the_listed_limit)
{
	unsigned int nr = PB_MAPS_VMAS_MAX + 6, i;
	size_t len = 2 * nr * self->psize;
	char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mline m, total;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, len, MADV_NOHUGEPAGE));
	/* Every other page writable: 2 * nr VMAs that cannot merge. */
	for (i = 0; i < nr; i++) {
		ASSERT_EQ(0, mprotect(p + 2 * i * self->psize, self->psize,
				      PROT_READ | PROT_WRITE));
		p[2 * i * self->psize] = 1;
	}
	CMD("task_maps start=%p len=0x%zx", p, len);
	EXPECT_EQ(2 * nr, info(self->c.reply, PB_MAPS_INFO_vmas));
	EXPECT_EQ(PB_MAPS_VMAS_MAX, info(self->c.reply, PB_MAPS_INFO_listed));
	EXPECT_EQ(NULL, nth_line(self->c.reply, "vma ", PB_MAPS_VMAS_MAX));
	ASSERT_EQ(0, parse_mline(nth_line(self->c.reply, "vma ", PB_MAPS_VMAS_MAX - 1), &m));
	EXPECT_EQ((unsigned long)p + (PB_MAPS_VMAS_MAX - 1) * self->psize, m.start);
	ASSERT_EQ(0, parse_mline(nth_line(self->c.reply, "total ", 0), &total));
	EXPECT_EQ(2 * nr, total.key[PB_MAPS_pages]);
	EXPECT_EQ(nr, total.key[PB_MAPS_present]);
	EXPECT_EQ(nr, total.hist[PB_MAPS_HIST_anon_full][0]);
	munmap(p, len);
}

/* A child that maps, unmaps and exits while it is read: 0 or ESRCH, never else. */
TEST_F(maps, racing_child)
{
	int status, ok = 0, gone = 0, ret, i;

	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		time_t stop = time(NULL) + 3;

		/* A few seconds, however fast the guest is. */
		for (i = 0; time(NULL) < stop; i++) {
			char *q = mmap(NULL, 64 * self->psize, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (q == MAP_FAILED)
				_exit(1);
			memset(q, 1, 64 * self->psize);
			if (!(i % 50) && !fork())
				_exit(0);
			munmap(q + self->psize, 8 * self->psize);
			munmap(q, 64 * self->psize);
		}
		_exit(0);
	}
	for (i = 0; i < 100000 && !gone; i++) {
		ret = pb_cmd(&self->c, "task_maps pid=%d", self->child);
		if (!ret) {
			ok++;
			ASSERT_EQ(0, strncmp(self->c.reply, "task_maps ", 10));
			ASSERT_NE(NULL, nth_line(self->c.reply, "total ", 0));
			continue;
		}
		ASSERT_EQ(-ESRCH, ret) TH_LOG("%s", self->c.reply);
		EXPECT_EQ(0, strncmp(self->c.reply, "error: pid ", 11));
		/* Exited (not yet reaped: "no mm"), or reaped. */
		if (waitpid(self->child, &status, WNOHANG) == self->child)
			self->child = 0;
		gone = 1;
	}
	if (self->child) {
		ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
		self->child = 0;
	}
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	TH_LOG("%d reads of the live child", ok);
	EXPECT_LT(0, ok);
}

TEST_F(maps, bad_input_is_refused)
{
	size_t len = 4 * self->psize;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t gone;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + self->psize, self->psize));
	pb_expect_error(_metadata, &self->c, -EINVAL, "no VMA of the process is in the range",
			"task_maps start=%p len=0x%lx", p + self->psize, self->psize);
	pb_expect_error(_metadata, &self->c, -EINVAL, "page aligned", "task_maps start=%p", p + 8);
	pb_expect_error(_metadata, &self->c, -EINVAL, "page aligned", "task_maps start=%p len=0x10",
			p);
	pb_expect_error(_metadata, &self->c, -EINVAL, "len must not be 0",
			"task_maps start=%p len=0", p);
	pb_expect_error(_metadata, &self->c, -EINVAL, "overflows",
			"task_maps start=0x%lx len=0x%lx", -self->psize, 2 * self->psize);
	pb_expect_error(_metadata, &self->c, -EINVAL,
			"passes the end of the process's address space", "task_maps start=0x%lx",
			-self->psize);
	pb_expect_error(_metadata, &self->c, -EINVAL, "pid must be within", "task_maps pid=0");
	pb_expect_error(_metadata, &self->c, -EINVAL, "kernel thread", "task_maps pid=2");
	pb_expect_error(_metadata, &self->c, -EINVAL, "unknown", "task_maps mm=0");
	gone = pb_gone_pid();
	ASSERT_LT(0, gone);
	pb_expect_error(_metadata, &self->c, -ESRCH, "no process has this pid", "task_maps pid=%d",
			gone);
	munmap(p, len);
}

/* Another process's VMAs are the administrator's; one's own are not. */
TEST_F(maps, pid_needs_cap_sys_admin)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct pb_ctl cc;
		int ok;

		if (pb_open(&cc) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		ok = pb_cmd(&cc, "task_maps pid=1") == -EPERM &&
		     strstr(cc.reply, "CAP_SYS_ADMIN") &&
		     !pb_cmd(&cc, "task_maps") && nth_line(cc.reply, "total ", 0);
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
