// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch selftests: task_dump and task_folio read this process's own page
 * tables (and a forked child's), and what they show is checked against what
 * the test did to its memory: present or none, writable after a write and
 * read-only after mprotect or fork, dirty and young after a write, the PFN
 * stable, the folio's order, counts and anon-exclusivity, CONT over an mTHP
 * folio on arm64 with 4K pages, a PMD-mapped THP, the zero page; and bad
 * input refused with a reason.
 *
 * Counts are read after "echo 1 > /proc/sys/vm/drop_caches", which drains
 * the per-CPU LRU batches (lru_add_drain_all()) that hold references of
 * their own.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <sched.h>

#include "pb_test.h"
#include "pb_task.h"

static int count_lines(const char *text)
{
	int n = 0;

	for (; (text = strchr(text, '\n')); text++)
		n++;
	return n;
}

/* The PFN that /proc/self/pagemap gives (root sees PFNs), or 0. */
static unsigned long long pagemap_pfn(const void *va, unsigned long psize)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	unsigned long long e = 0;

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (unsigned long)va / psize * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	/* Bit 63: present; bits 0-54: the PFN. */
	return (e >> 63) ? e & ((1ULL << 55) - 1) : 0;
}

static void drain_lru(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			perror("drop_caches");
		close(fd);
	}
}

FIXTURE(task)
{
	struct pb_ctl c;
	unsigned long psize;
	char *mem;
	size_t len;
	/* THP knobs changed by the test, restored by the teardown. */
	struct pb_knobs knobs;
};

FIXTURE_SETUP(task)
{
	self->psize = sysconf(_SC_PAGESIZE);
	self->mem = NULL;
	self->knobs.nr = 0;
	ASSERT_EQ(0, pb_open(&self->c));
}

FIXTURE_TEARDOWN(task)
{
	if (self->mem)
		munmap(self->mem, self->len);
	pb_knobs_restore(&self->knobs);
	pb_close(&self->c);
}

/* @len bytes of private anon memory, never THP: order-0 folios only. */
static char *map_small(FIXTURE_DATA(task) * self, size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	self->mem = p;
	self->len = len;
	return p;
}

/* task_dump of one page of this process (or @pid's) into @t. */
static void dump1(struct __test_metadata *_metadata, FIXTURE_DATA(task) * self,
		  const void *va, int pid, struct pb_dline *t)
{
	if (pid)
		CMD("task_dump va=%p pid=%d", va, pid);
	else
		CMD("task_dump va=%p", va);
	ASSERT_EQ(0, pb_dline_parse(self->c.reply, t)) TH_LOG("%s", self->c.reply);
	ASSERT_EQ((unsigned long)va, t->va);
}

/* The value of @key in the last task_folio reply. */
static long long fval(FIXTURE_DATA(task) * self, const char *key)
{
	return pb_reply_val(&self->c, key);
}

/* Before a touch nothing is mapped; a write maps a young, dirty, writable page. */
TEST_F(task, write_fault_maps_a_dirty_young_writable_page)
{
	char *p = map_small(self, 2 * self->psize);
	struct pb_dline t, u;

	ASSERT_NE(NULL, p);
	CMD("task_dump va=%p nr=2", p);
	ASSERT_EQ(0, pb_dline_parse(self->c.reply, &t));
	EXPECT_TRUE(t.none);
	EXPECT_EQ(2, count_lines(self->c.reply));
	EXPECT_NE(NULL, strstr(self->c.reply, " none\n0x")) TH_LOG("%s", self->c.reply);

	p[0] = 1;
	CMD("task_dump va=%p nr=2", p);
	ASSERT_EQ(0, pb_dline_parse(self->c.reply, &t)) TH_LOG("%s", self->c.reply);
	ASSERT_EQ(0, pb_dline_parse(strchr(self->c.reply, '\n') + 1, &u));
	EXPECT_FALSE(t.none);
	EXPECT_TRUE(u.none);
	EXPECT_TRUE(pb_dline_flag(&t, "V"));
	EXPECT_TRUE(pb_dline_flag(&t, "U"));
	EXPECT_TRUE(pb_dline_flag(&t, "AF"));
	EXPECT_TRUE(pb_dline_writable(&t)) TH_LOG("%s", t.flags);
	EXPECT_TRUE(pb_dline_dirty(&t)) TH_LOG("%s", t.flags);
	EXPECT_FALSE(pb_dline_flag(&t, "RO")) TH_LOG("%s", t.flags);
	EXPECT_FALSE(pb_dline_flag(&t, "CONT"));
	EXPECT_FALSE(pb_dline_flag(&t, "SP"));
	EXPECT_EQ(0, t.cont);
	EXPECT_EQ(0, t.pmd);
	EXPECT_TRUE(t.folio);
	EXPECT_EQ(0, t.order);
	EXPECT_EQ(t.pfn, t.head);
	EXPECT_EQ(0, t.idx);
#ifdef __aarch64__
	EXPECT_TRUE(pb_dline_flag(&t, "nG"));
	EXPECT_TRUE(pb_dline_flag(&t, "UXN"));
	EXPECT_TRUE(pb_dline_flag(&t, "PXN"));
#else
	EXPECT_TRUE(pb_dline_flag(&t, "NX"));
#endif
	/* The PFN is pagemap's, and stays while nothing moves the page. */
	EXPECT_EQ(pagemap_pfn(p, self->psize), t.pfn);
	CMD("task_dump va=%p", p);
	ASSERT_EQ(0, pb_dline_parse(self->c.reply, &u));
	EXPECT_EQ(t.pfn, u.pfn);
	EXPECT_EQ(t.desc, u.desc);
}

/* mprotect(PROT_READ) makes the entry read-only, keeping its page. */
TEST_F(task, mprotect_read_makes_the_entry_read_only)
{
	char *p = map_small(self, self->psize);
	struct pb_dline t, u;

	ASSERT_NE(NULL, p);
	p[0] = 1;
	dump1(_metadata, self, p, 0, &t);
	ASSERT_EQ(0, mprotect(p, self->psize, PROT_READ));
	dump1(_metadata, self, p, 0, &u);
	EXPECT_TRUE(pb_dline_flag(&u, "RO")) TH_LOG("%s", u.flags);
	EXPECT_FALSE(pb_dline_writable(&u)) TH_LOG("%s", u.flags);
	/* The dirty state moves to the software bit, it is not lost. */
	EXPECT_TRUE(pb_dline_flag(&u, "D")) TH_LOG("%s", u.flags);
	EXPECT_EQ(t.pfn, u.pfn);
	ASSERT_EQ(0, mprotect(p, self->psize, PROT_READ | PROT_WRITE));
	p[0] = 2;
	dump1(_metadata, self, p, 0, &u);
	EXPECT_TRUE(pb_dline_writable(&u)) TH_LOG("%s", u.flags);
	EXPECT_EQ(t.pfn, u.pfn);
}

/* PROT_NONE keeps the page, present but not valid: the line says so. */
TEST_F(task, prot_none_shows_protnone)
{
	char *p = map_small(self, self->psize);
	struct pb_dline t, u;

	ASSERT_NE(NULL, p);
	p[0] = 1;
	dump1(_metadata, self, p, 0, &t);
	ASSERT_EQ(0, mprotect(p, self->psize, PROT_NONE));
	dump1(_metadata, self, p, 0, &u);
	EXPECT_FALSE(u.none);
	EXPECT_STREQ("PROTNONE", u.flags);
	EXPECT_EQ(t.pfn, u.pfn);
	EXPECT_TRUE(u.folio);
	CMD("task_folio va=%p", p);
	EXPECT_EQ(t.pfn, fval(self, "pfn"));
	EXPECT_EQ(1, fval(self, "mapcount"));
}

/* An exclusive anon order-0 folio: one reference, one mapping. */
TEST_F(task, folio_of_an_exclusive_anon_page)
{
	char *p = map_small(self, self->psize);
	struct pb_dline t;

	ASSERT_NE(NULL, p);
	p[0] = 1;
	dump1(_metadata, self, p, 0, &t);
	drain_lru();
	/* Any address in the page names it. */
	CMD("task_folio va=%p", p + 8);
	EXPECT_EQ(t.pfn, fval(self, "pfn"));
	EXPECT_EQ(t.pfn, fval(self, "head"));
	EXPECT_EQ(0, fval(self, "order"));
	EXPECT_EQ(1, fval(self, "refcount")) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(1, fval(self, "mapcount"));
	EXPECT_EQ(1, fval(self, "large_mapcount"));
	EXPECT_EQ(0, fval(self, "pincount"));
	EXPECT_EQ(1, fval(self, "anon"));
	EXPECT_EQ(1, fval(self, "exclusive"));
	EXPECT_EQ(0, fval(self, "deferred"));
	EXPECT_EQ(0, fval(self, "file"));
	EXPECT_EQ(0, fval(self, "index"));
	EXPECT_EQ(0, fval(self, "entire_mapcount"));
	EXPECT_EQ(0, fval(self, "pmd"));
	EXPECT_EQ(0, fval(self, "partially_mapped"));
}

/*
 * After fork the parent's entry is read-only and the page shared: not
 * exclusive, two references, two mappings.  The child, through pid= and by
 * itself, maps the same page.  A write in the parent then copies it.
 */
TEST_F(task, fork_shares_the_page_read_only)
{
	int to_child[2], to_parent[2], status;
	char *p = map_small(self, self->psize);
	unsigned long long child_pfn = 0;
	struct pb_dline t, u, c;
	pid_t pid;
	char go;

	ASSERT_NE(NULL, p);
	p[0] = 1;
	dump1(_metadata, self, p, 0, &t);
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct pb_ctl cc;
		struct pb_dline ct;
		int ok;

		/* A session of its own: the parent's is not for two writers. */
		ok = !pb_open(&cc) && !pb_cmd(&cc, "task_dump va=%p", p) &&
		     !pb_dline_parse(cc.reply, &ct);
		child_pfn = ok ? ct.pfn : 0;
		if (write(to_parent[1], &child_pfn, sizeof(child_pfn)) < 0)
			_exit(1);
		/* Stay until the parent has looked. */
		if (read(to_child[0], &go, 1) < 0)
			_exit(1);
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(sizeof(child_pfn), read(to_parent[0], &child_pfn, sizeof(child_pfn)));
	EXPECT_EQ(t.pfn, child_pfn);
	dump1(_metadata, self, p, 0, &u);
	EXPECT_EQ(t.pfn, u.pfn);
	EXPECT_FALSE(pb_dline_writable(&u)) TH_LOG("%s", u.flags);
	EXPECT_TRUE(pb_dline_flag(&u, "RO")) TH_LOG("%s", u.flags);
	dump1(_metadata, self, p, pid, &c);
	EXPECT_EQ(t.pfn, c.pfn);
	EXPECT_FALSE(pb_dline_writable(&c)) TH_LOG("%s", c.flags);
	drain_lru();
	CMD("task_folio va=%p", p);
	EXPECT_EQ(2, fval(self, "refcount")) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(2, fval(self, "mapcount"));
	EXPECT_EQ(2, fval(self, "large_mapcount"));
	EXPECT_EQ(1, fval(self, "anon"));
	EXPECT_EQ(0, fval(self, "exclusive"));
	CMD("task_folio va=%p pid=%d", p, pid);
	EXPECT_EQ(t.pfn, fval(self, "pfn"));
	EXPECT_EQ(0, fval(self, "exclusive"));
	EXPECT_EQ(2, fval(self, "mapcount"));

	/* COW: the parent's write takes a new page, exclusive again. */
	p[0] = 2;
	dump1(_metadata, self, p, 0, &u);
	EXPECT_NE(t.pfn, u.pfn);
	EXPECT_TRUE(pb_dline_writable(&u));
	CMD("task_folio va=%p", p);
	EXPECT_EQ(1, fval(self, "exclusive"));
	dump1(_metadata, self, p, pid, &c);
	EXPECT_EQ(t.pfn, c.pfn);

	ASSERT_EQ(1, write(to_child[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

/* MAP_SHARED|MAP_ANONYMOUS is shmem: a file folio, never anon. */
TEST_F(task, shared_anon_page_is_a_file_page)
{
	char *p = mmap(NULL, 2 * self->psize, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	self->mem = p;
	self->len = 2 * self->psize;
	p[0] = 1;
	p[self->psize] = 1;
	CMD("task_folio va=%p", p + self->psize);
	EXPECT_EQ(1, fval(self, "file"));
	EXPECT_EQ(1, fval(self, "index"));
	EXPECT_EQ(0, fval(self, "anon"));
	EXPECT_EQ(0, fval(self, "exclusive"));
	EXPECT_EQ(1, fval(self, "dirty"));
	CMD("task_folio va=%p", p);
	EXPECT_EQ(1, fval(self, "file"));
	EXPECT_EQ(0, fval(self, "index"));
}

/* A read of untouched private anon memory maps the zero page: no folio. */
TEST_F(task, read_fault_maps_the_zero_page)
{
	char *p = map_small(self, self->psize);
	struct pb_dline t;

	ASSERT_NE(NULL, p);
	/* A load the compiler keeps: the read fault. */
	EXPECT_EQ(0, __atomic_load_n(p, __ATOMIC_RELAXED));
	dump1(_metadata, self, p, 0, &t);
	EXPECT_FALSE(t.none);
	EXPECT_TRUE(pb_dline_flag(&t, "SP")) TH_LOG("%s", t.flags);
	EXPECT_FALSE(t.folio);
	EXPECT_NE(NULL, strstr(self->c.reply, "folio=none"));
	EXPECT_FALSE(pb_dline_writable(&t));
	EXPECT_EQ(-EINVAL, pb_cmd(&self->c, "task_folio va=%p", p));
	EXPECT_NE(NULL, strstr(self->c.reply, "maps the zero page")) TH_LOG("%s", self->c.reply);
}

/*
 * A 64K mTHP folio (hugepages-64kB/enabled=always): every page of it names
 * the same head and its own index; CONT on arm64 where 64K is the contpte
 * block (4K pages).  The same memory with THP off is order 0 and not CONT.
 */
TEST_F(task, mthp_64k_folio_has_its_order_and_cont)
{
	unsigned int order = __builtin_ctzl(65536 / self->psize), i, n;
	int cont_expected = 0;
	struct pb_dline t;
	char *p, *raw;
	const char *line;

	if (self->psize > 16384)
		SKIP(return, "64K is one page or less of order 2 here");
	if (pb_knobs_set(&self->knobs, PB_THP_DIR "/hugepages-64kB/enabled", "always"))
		SKIP(return, "no hugepages-64kB (mTHP) in this kernel");
#ifdef __aarch64__
	cont_expected = self->psize == 4096;
#endif
	n = 1U << order;
	raw = mmap(NULL, 2 * 65536, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, raw);
	self->mem = raw;
	self->len = 2 * 65536;
	p = (char *)(((unsigned long)raw + 65535) & ~65535UL);
	p[0] = 1;
	CMD("task_dump va=%p nr=%u", p, n);
	line = self->c.reply;
	for (i = 0; i < n; i++, line = strchr(line, '\n') + 1) {
		ASSERT_EQ(0, pb_dline_parse(line, &t)) TH_LOG("%s", line);
		ASSERT_TRUE(t.folio) TH_LOG("%s", line);
		if (t.order != order)
			SKIP(return, "no order-%u folio allocated (fallback): %.80s", order, line);
		EXPECT_EQ(i, t.idx);
		EXPECT_EQ(t.head + i, t.pfn);
		EXPECT_EQ(pagemap_pfn(p + i * self->psize, self->psize), t.pfn);
		EXPECT_EQ(cont_expected, t.cont) TH_LOG("%s", line);
		EXPECT_EQ(cont_expected, pb_dline_flag(&t, "CONT"));
	}
	drain_lru();
	CMD("task_folio va=%p", p + self->psize);
	EXPECT_EQ(order, fval(self, "order"));
	EXPECT_EQ(n, fval(self, "refcount")) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(1, fval(self, "mapcount"));
	EXPECT_EQ(n, fval(self, "large_mapcount"));
	EXPECT_EQ(1, fval(self, "exclusive"));
	EXPECT_EQ(0, fval(self, "deferred"));
	EXPECT_EQ(0, fval(self, "entire_mapcount"));

	/* Half of it unmapped: partially mapped, queued for deferred split. */
	if (order >= 2) {
		ASSERT_EQ(0, munmap(p + 65536 / 2, 65536 / 2));
		drain_lru();
		CMD("task_folio va=%p", p);
		EXPECT_EQ(1, fval(self, "deferred")) TH_LOG("%s", self->c.reply);
		EXPECT_EQ(n / 2, fval(self, "large_mapcount"));
		EXPECT_EQ(1, fval(self, "partially_mapped"));
	}
}

/* A PMD-mapped THP: pmd=1 lines and the folio's entire mapcount. */
TEST_F(task, pmd_thp_shows_pmd)
{
	unsigned long pmd_size = self->psize * (self->psize / 8);
	unsigned int order = __builtin_ctzl(pmd_size / self->psize);
	struct pb_dline t, u;
	char *p, *raw;

	if (pb_knobs_set(&self->knobs, PB_THP_DIR "/enabled", "madvise"))
		SKIP(return, "no transparent huge pages in this kernel");
	raw = mmap(NULL, 2 * pmd_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, raw);
	self->mem = raw;
	self->len = 2 * pmd_size;
	p = (char *)(((unsigned long)raw + pmd_size - 1) & ~(pmd_size - 1));
	ASSERT_EQ(0, madvise(p, pmd_size, MADV_HUGEPAGE));
	p[0] = 1;
	dump1(_metadata, self, p + 3 * self->psize, 0, &t);
	if (!t.pmd)
		SKIP(return, "no THP allocated: %.80s", self->c.reply);
	EXPECT_EQ(order, t.order);
	EXPECT_EQ(3, t.idx);
	EXPECT_EQ(t.head + 3, t.pfn);
	EXPECT_EQ(pagemap_pfn(p + 3 * self->psize, self->psize), t.pfn);
	EXPECT_TRUE(pb_dline_writable(&t));
	EXPECT_TRUE(pb_dline_dirty(&t));
	dump1(_metadata, self, p, 0, &u);
	EXPECT_EQ(1, u.pmd);
	EXPECT_EQ(t.head, u.pfn);
	drain_lru();
	CMD("task_folio va=%p", p + 3 * self->psize);
	EXPECT_EQ(1, fval(self, "pmd"));
	EXPECT_EQ(order, fval(self, "order"));
	EXPECT_EQ(1, fval(self, "entire_mapcount"));
	EXPECT_EQ(1, fval(self, "large_mapcount"));
	EXPECT_EQ(0, fval(self, "mapcount"));
	EXPECT_EQ(1, fval(self, "refcount")) TH_LOG("%s", self->c.reply);
	EXPECT_EQ(1, fval(self, "exclusive"));
}

TEST_F(task, bad_input_is_refused)
{
	char *p = map_small(self, 2 * self->psize);
	pid_t gone;

	ASSERT_NE(NULL, p);
	p[0] = 1;
	ASSERT_EQ(0, munmap(p + self->psize, self->psize));
	/* Unmapped: dump shows none, folio has nothing to show. */
	CMD("task_dump va=%p", p + self->psize);
	EXPECT_NE(NULL, strstr(self->c.reply, " none\n"));
	pb_expect_error(_metadata, &self->c, -EINVAL, "nothing mapped at", "task_folio va=%p",
			p + self->psize);
	pb_expect_error(_metadata, &self->c, -EINVAL, "nr must be within 1..512",
			"task_dump va=%p nr=0", p);
	pb_expect_error(_metadata, &self->c, -EINVAL, "nr must be within 1..512",
			"task_dump va=%p nr=513", p);
	pb_expect_error(_metadata, &self->c, -EINVAL, "not page aligned", "task_dump va=%p", p + 8);
	pb_expect_error(_metadata, &self->c, -EINVAL,
			"passes the end of the process's address space", "task_dump va=0x%lx",
			-self->psize);
	pb_expect_error(_metadata, &self->c, -EINVAL, "beyond the process's address space",
			"task_folio va=0x%lx", -self->psize);
	pb_expect_error(_metadata, &self->c, -EINVAL, "pid must be within", "task_dump va=%p pid=0",
			p);
	pb_expect_error(_metadata, &self->c, -EINVAL, "kernel thread", "task_dump va=%p pid=2", p);
	pb_expect_error(_metadata, &self->c, -EINVAL, "kernel thread", "task_folio va=%p pid=2", p);
	pb_expect_error(_metadata, &self->c, -EINVAL, "missing argument 'va'", "task_dump");
	pb_expect_error(_metadata, &self->c, -EINVAL, "unknown", "task_dump va=%p mm=0", p);
	/* A pid that was, and is no more. */
	gone = pb_gone_pid();
	ASSERT_LT(0, gone);
	pb_expect_error(_metadata, &self->c, -ESRCH, "no process has this pid",
			"task_dump va=%p pid=%d", p, gone);
	pb_expect_error(_metadata, &self->c, -ESRCH, "no process has this pid",
			"task_folio va=%p pid=%d", p, gone);
}

/* Another process's tables are the administrator's; one's own are not. */
TEST_F(task, pid_needs_cap_sys_admin)
{
	char *p = map_small(self, self->psize);
	int status;
	pid_t pid;

	ASSERT_NE(NULL, p);
	p[0] = 1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct pb_ctl cc;
		int ok;

		if (pb_open(&cc) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		ok = pb_cmd(&cc, "task_dump va=%p pid=1", p) == -EPERM &&
		     strstr(cc.reply, "CAP_SYS_ADMIN") &&
		     !pb_cmd(&cc, "task_dump va=%p", p) && !strstr(cc.reply, "none");
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
