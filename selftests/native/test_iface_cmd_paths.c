// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of iface/cmd_paths.c: the ctl commands of the paths (fork,
 * touch, mprotect, clear_refs, pins, uffd_wp, oracle), their replies and
 * their bad input.
 */
#include "nt_iface.h"
#include "nt_mm.h"

FIXTURE(pcmd)
{
	struct pb_session *s;
	unsigned int cont;
	u64 psize, block;
};

FIXTURE_VARIANT(pcmd)
{
	NT_GRANULE_FIELDS;
};

FIXTURE_VARIANT_ADD(pcmd, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(pcmd, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(pcmd, granule_64k) NT_GRANULE_64K;

/* mm 0, with backing pages: four blocks of anon memory, the first two folded. */
FIXTURE_SETUP(pcmd)
{
	char create[32];

	self->psize = 1ULL << variant->page_shift;
	self->cont = 1U << variant->cont_shift;
	self->block = self->psize * self->cont;
	snprintf(create, sizeof(create), "page_kb=%u backing=1", variant->page_kb);
	nt_session_setup(_metadata, &self->s, create, 4 * self->block, 2 * self->block,
			 variant->cont_shift);
}

FIXTURE_TEARDOWN(pcmd)
{
	nt_session_teardown(_metadata, self->s);
}

/*
 * mremap moves the two folded blocks and replies the new address; bad input
 * fails with a clear reason and changes neither the entries nor the VMAs.
 */
TEST_F(pcmd, mremap_moves_and_refuses_bad_input)
{
	struct pb_session *s = self->s;
	u64 new = 0x80000000ULL, len = 2 * self->block;
	static const char *const bad[][2] = {
		{ "mremap mm=0 old=0x%llx len=0 new=0x80000000",
		  "error: len is zero or old + len overflows\n" },
		{ "mremap mm=0 old=0x%llx len=0x1000 new=0x80000200",
		  "error: old, len and new must be multiples of the page size\n" },
		{ "mremap mm=3 old=0x%llx len=0x10000 new=0x80000000",
		  "error: no mm 3 in this session\n" },
		{ "mremap mm=0 old=0x%llx len=0x10000", "error: missing argument 'new'\n" },
		{ "mremap mm=0 old=0x%llx len=0x100000000 new=0x80000000",
		  "error: mremap: old range is not inside one VMA\n" },
	};
	struct pb_mm *mm = s->mms[0];
	pb_pte_t first = nt_raw_at(mm, NT_VA);
	u64 writes = mm->counters[PB_MMC_pte_writes];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, nt_run(s, bad[i][0], NT_VA)) TH_LOG("%s", bad[i][0]);
		EXPECT_STREQ(bad[i][1], s->reply.buf);
		EXPECT_EQ(first, nt_raw_at(mm, NT_VA));
		EXPECT_EQ(writes, mm->counters[PB_MMC_pte_writes]);
		EXPECT_EQ(1, mm->nr_vmas);
	}
	ASSERT_EQ(0, nt_run(s, "mremap mm=0 old=0x%llx len=0x%llx new=0x%llx", NT_VA, len, new))
		TH_LOG("%s", s->reply.buf);
	EXPECT_STREQ("va 0x80000000\n", s->reply.buf);
	EXPECT_EQ(2 * self->cont, nt_mm_stat(s, 0, PB_MMC_mremap_ptes));
	EXPECT_EQ(2 * self->cont, nt_nr_cont_at(mm, new, 2 * self->cont));
	EXPECT_EQ(0, nt_raw_at(mm, NT_VA));
	EXPECT_EQ(2, mm->nr_vmas);
}

TEST_F(pcmd, fork_touch_mprotect_and_pins)
{
	struct pb_session *s = self->s;
	u64 uffd = NT_VA + 8 * self->block;

	ASSERT_EQ(0, nt_run(s, "touch mm=0 va=0x%llx write=1 val=0x55", NT_VA));
	EXPECT_STREQ("faulted 0\nval 0x55\n", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "fork mm=0")) TH_LOG("%s", s->reply.buf);
	EXPECT_EQ(1, nt_reply_val(s, "mm"));
	EXPECT_EQ(2, nt_mm_stat(s, 1, PB_MMC_fork_batches));
	EXPECT_EQ(2, nt_mm_stat(s, 1, PB_MMC_batch_size_cont));
	EXPECT_EQ(2, nt_mm_stat(s, 0, PB_MMC_wrprotect_whole_blocks));
	EXPECT_EQ(0, nt_mm_stat(s, 0, PB_MMC_unfolds));
	/* The child's write copies; the parent reads its own value. */
	ASSERT_EQ(0, nt_run(s, "touch mm=1 va=0x%llx write=1 val=0x66", NT_VA));
	EXPECT_STREQ("faulted 1\nsegv 0\nval 0x66\n", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "touch mm=0 va=0x%llx", NT_VA));
	EXPECT_STREQ("faulted 0\nval 0x55\n", s->reply.buf);
	EXPECT_EQ(1, nt_mm_stat(s, 1, PB_MMC_cow_copies));
	EXPECT_EQ(1, nt_mm_stat(s, 1, PB_MMC_unfolds));
	/* Outside any VMA: a SIGSEGV is a reply, not an error. */
	ASSERT_EQ(0, nt_run(s, "touch mm=0 va=0x%llx write=1", NT_VA + 4 * self->block));
	EXPECT_STREQ("faulted 1\nsegv 1\n", s->reply.buf);
	EXPECT_EQ(1, nt_mm_stat(s, 0, PB_MMC_segv));
	/* Shared pages: no upgrade; the parent's write faults copy too. */
	ASSERT_EQ(0, nt_run(s, "mprotect mm=0 va=0x%llx len=0x%llx prot=r", NT_VA,
			    self->block));
	ASSERT_EQ(0, nt_run(s, "mprotect mm=0 va=0x%llx len=0x%llx prot=rw", NT_VA,
			    self->block));
	EXPECT_EQ(self->cont, nt_mm_stat(s, 0, PB_MMC_write_upgrades_denied));
	EXPECT_EQ(0, nt_mm_stat(s, 0, PB_MMC_write_faults_avoided));
	ASSERT_EQ(0, nt_run(s, "touch mm=0 va=0x%llx write=1 val=0x77", NT_VA + 8));
	EXPECT_STREQ("faulted 1\nsegv 0\nval 0x77\n", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "touch mm=0 va=0x%llx", NT_VA));
	EXPECT_STREQ("faulted 0\nval 0x55\n", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "clear_refs mm=0"));
	/* The child's copy is exclusive: it can be pinned, and unpinned once. */
	ASSERT_EQ(0, nt_run(s, "pin mm=1 va=0x%llx len=0x%llx", NT_VA, self->psize));
	ASSERT_EQ(0, nt_run(s, "unpin mm=1 va=0x%llx len=0x%llx", NT_VA, self->psize));
	EXPECT_EQ(-EINVAL, nt_run(s, "unpin mm=1 va=0x%llx len=0x%llx", NT_VA, self->psize));
	EXPECT_STREQ("error: unpin: a page of the range is not pinned\n", s->reply.buf);
	EXPECT_EQ(-EINVAL, nt_run(s, "pin mm=0 va=0x%llx len=0x%llx", NT_VA + self->psize,
				  self->psize));
	EXPECT_STREQ("error: pin: only exclusive anon and shared pages can be pinned\n",
		     s->reply.buf);
	/* uffd-wp: only in a registered VMA; a write there faults to the handler. */
	EXPECT_EQ(-EINVAL, nt_run(s, "uffd_wp mm=0 va=0x%llx len=0x%llx", NT_VA, self->block));
	EXPECT_STREQ("error: uffd_wp: VMA is not registered for uffd-wp (mmap flag uffdwp)\n",
		     s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "mmap mm=0 start=0x%llx len=0x%llx flags=r,w,anon,uffdwp",
			    uffd, self->block));
	ASSERT_EQ(0, nt_run(s, "populate mm=0 va=0x%llx len=0x%llx order=%u", uffd,
			    self->block, variant->cont_shift));
	ASSERT_EQ(0, nt_run(s, "uffd_wp mm=0 va=0x%llx len=0x%llx wp=1", uffd, self->block));
	ASSERT_EQ(0, nt_run(s, "touch mm=0 va=0x%llx write=1 val=1", uffd));
	EXPECT_STREQ("faulted 1\nsegv 0\nval 0x1\n", s->reply.buf);
	EXPECT_EQ(1, nt_mm_stat(s, 0, PB_MMC_uffd_wp_faults));
	EXPECT_EQ(0, nt_mm_stat(s, 0, PB_MMC_violations));
	EXPECT_EQ(0, nt_mm_stat(s, 1, PB_MMC_violations));
	ASSERT_EQ(0, nt_run(s, "oracle seed=7 seeds=2 steps=30 page_kb=%u backing=1",
			    variant->page_kb));
	EXPECT_EQ(2, nt_reply_val(s, "seeds"));
	EXPECT_EQ(60, nt_reply_val(s, "steps"));
	EXPECT_LE(nt_reply_val(s, "unfolds_batched"), nt_reply_val(s, "unfolds_per_pte"));
	EXPECT_LE(nt_reply_val(s, "tlbi_batched"), nt_reply_val(s, "tlbi_per_pte"));
}

/* Bad input: EINVAL, one line with the reason, and no change to any mm. */
TEST_F(pcmd, bad_path_commands_get_einval_and_change_nothing)
{
	const u64 va = NT_VA, p = self->psize, blk = self->block;
	struct pb_session *s = self->s;
	struct pb_mm *mm = s->mms[0];
	u64 counters[PB_NR_MM_COUNTERS];
	char line[256];
	const struct {
		const char *fmt;
		u64 va, len;
		const char *reason;
	} t[] = {
		{ "mprotect mm=0 va=0x%llx len=0x%llx prot=x", va, p,
		  "prot must be none, r or rw" },
		{ "mprotect mm=0 va=0x%llx len=0x%llx prot=r", va, 5 * blk,
		  "mprotect: range has a hole with no VMA" },
		{ "mprotect mm=0 va=0x%llx len=0x%llx prot=r", va + 8, p,
		  "va and len must be multiples of the page size" },
		{ "mprotect mm=0 va=0x%llx len=0x%llx prot=r", -p, 2 * p,
		  "len is zero or va + len overflows" },
		{ "mprotect mm=0 va=0x%llx len=0x%llx prot=r", va, 0,
		  "len is zero or va + len overflows" },
		{ "mprotect mm=3 va=0x%llx len=0x%llx prot=r", va, p, "no mm 3 in this session" },
		{ "touch mm=0 va=0x%llx write=1 val=0x%llx", va + 4, 1, NULL },
		{ "touch mm=0 va=0x%llx write=1 val=0x%llx", 1ULL << 48, 1, NULL },
		{ "touch mm=0 va=0x%llx write=2 val=0x%llx", va, 1, NULL },
		{ "fork mm=9", va, p, "no mm 9 in this session" },
		{ "pin mm=0 va=0x%llx len=0x%llx", va + 4 * blk, p,
		  "pin: a page of the range is not mapped" },
		{ "pin mm=0 va=0x%llx len=0x%llx", va + 2 * blk - p, 2 * p,
		  "pin: a page of the range is not mapped" },
		{ "unpin mm=0 va=0x%llx len=0x%llx", va, p,
		  "unpin: a page of the range is not pinned" },
		{ "uffd_wp mm=0 va=0x%llx len=0x%llx", va, 8 * blk,
		  "uffd_wp: range is not inside one VMA" },
		{ "uffd_wp mm=0 va=0x%llx len=0x%llx wp=1", va, p,
		  "uffd_wp: VMA is not registered for uffd-wp (mmap flag uffdwp)" },
		{ "madvise mm=0 va=0x%llx len=0x%llx advice=cold", va, p,
		  "advice must be dontneed or free" },
		{ "madvise mm=0 va=0x%llx len=0x%llx", va, p, "advice" },
		{ "madvise mm=0 va=0x%llx len=0x%llx advice=free", va, 8 * blk,
		  "madvise: range is not inside one VMA" },
		{ "oracle seed=0x%llx seeds=%llu page_kb=8", 1, 1,
		  "granule must be 4, 16 or 64 (KiB)" },
		{ "oracle seed=0x%llx seeds=%llu", 1, 0,
		  "seeds must be within 1..10000" },
		{ "oracle seed=0x%llx seeds=%llu steps=60 trace=1", 1, 10,
		  "trace=1 prints a line per step: at most 500 steps" },
		{ "oracle seed=0x%llx seeds=%llu", U64_MAX, 2, "seed + seeds overflows" },
	};
	unsigned int i;

	NT_SNAP(mm, counters);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		snprintf(line, sizeof(line), t[i].fmt, t[i].va, t[i].len);
		EXPECT_EQ(-EINVAL, nt_run(s, "%s", line)) TH_LOG("'%s': %s", line, s->reply.buf);
		EXPECT_TRUE(nt_one_error_line(&s->reply)) TH_LOG("'%s': %s", line, s->reply.buf);
		if (t[i].reason)
			EXPECT_NE(NULL, strstr(s->reply.buf, t[i].reason))
				TH_LOG("'%s': %s", line, s->reply.buf);
	}
	EXPECT_EQ(0, memcmp(counters, mm->counters, sizeof(counters)));
	EXPECT_EQ(NULL, s->mms[1]);
	EXPECT_EQ(1, mm->nr_vmas);
	EXPECT_EQ(0, nt_run(s, "check mm=0"));
}

/*
 * madvise through the commands: free splits the folio a range covers in
 * part and counts it, dontneed zaps, and a file VMA refuses free.
 */
TEST_F(pcmd, madvise_free_and_dontneed)
{
	struct pb_session *s = self->s;
	u64 file = NT_VA + 4 * self->block;

	ASSERT_EQ(0, nt_run(s, "madvise mm=0 va=0x%llx len=0x%llx advice=free", NT_VA,
			    self->psize));
	EXPECT_EQ(1, nt_mm_stat(s, 0, PB_MMC_folio_splits));
	EXPECT_EQ(1, nt_mm_stat(s, 0, PB_MMC_lazyfree_folios));
	ASSERT_EQ(0, nt_run(s, "folio mm=0 va=0x%llx", NT_VA + self->psize));
	EXPECT_EQ(0, nt_reply_val(s, "order"));
	ASSERT_EQ(0, nt_run(s, "madvise mm=0 va=0x%llx len=0x%llx advice=dontneed", NT_VA,
			    self->block));
	ASSERT_EQ(0, nt_run(s, "dump mm=0 va=0x%llx", NT_VA));
	EXPECT_NE(NULL, strstr(s->reply.buf, " none"));
	ASSERT_EQ(0, nt_run(s, "mmap mm=0 start=0x%llx len=0x%llx flags=r,w,shared", file,
			    self->block));
	EXPECT_EQ(-EINVAL, nt_run(s, "madvise mm=0 va=0x%llx len=0x%llx advice=free", file,
				  self->psize));
	EXPECT_STREQ("error: madvise: MADV_FREE needs a private anon VMA\n", s->reply.buf);
	EXPECT_EQ(0, nt_run(s, "check mm=0"));
}

/* One pin, two pages to unpin: EINVAL, and the pin must still be there. */
TEST_F(pcmd, unpin_of_more_pages_than_pinned_changes_nothing)
{
	struct pb_session *s = self->s;

	ASSERT_EQ(0, nt_run(s, "pin mm=0 va=0x%llx len=0x%llx", NT_VA, self->psize));
	EXPECT_EQ(-EINVAL, nt_run(s, "unpin mm=0 va=0x%llx len=0x%llx", NT_VA,
				  2 * self->psize));
	EXPECT_TRUE(nt_one_error_line(&s->reply)) TH_LOG("%s", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "folio mm=0 va=0x%llx", NT_VA));
	EXPECT_EQ(1, nt_reply_val(s, "pincount"));
	EXPECT_EQ(self->cont + 1, nt_reply_val(s, "refcount"));
	EXPECT_EQ(0, nt_run(s, "check mm=0")) TH_LOG("%s", s->reply.buf);
}

/*
 * PMD-mapped THP through the commands, on an mm without backing pages (a
 * 64K granule's PMD is 512 MiB): the thp_pmd knob and its bad value,
 * populate and a fault that map PMDs, dump's pmd=1, folio's entire
 * mapcount, the helpers' refusal, and the pmd_* counters of fork, COW,
 * munmap, mprotect and madvise.
 */
TEST_F(pcmd, pmd_thp_through_the_commands)
{
	struct pb_session *s = self->s;
	unsigned int order = variant->page_shift - 3;
	u64 pmd = self->psize << order, second = NT_VA + pmd;

	ASSERT_EQ(0, nt_run(s, "mm_create page_kb=%u", variant->page_kb));
	ASSERT_EQ(1, nt_reply_val(s, "mm"));
	ASSERT_EQ(0, nt_run(s, "mmap mm=1 start=0x%llx len=0x%llx flags=r,w,anon",
			    NT_VA, 2 * pmd));
	EXPECT_EQ(-EINVAL, nt_run(s, "set mm=1 thp_pmd=2"));
	EXPECT_TRUE(nt_one_error_line(&s->reply)) TH_LOG("%s", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "knobs mm=1"));
	EXPECT_EQ(0, nt_reply_val(s, "thp_pmd"));
	ASSERT_EQ(0, nt_run(s, "set mm=1 thp_pmd=1"));
	ASSERT_EQ(0, nt_run(s, "populate mm=1 va=0x%llx len=0x%llx order=%u", NT_VA, pmd,
			    order)) TH_LOG("%s", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "dump mm=1 va=0x%llx", NT_VA + self->psize));
	EXPECT_NE(NULL, strstr(s->reply.buf, " cont=0 pmd=1\n")) TH_LOG("%s", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "folio mm=1 va=0x%llx", NT_VA + self->psize));
	EXPECT_EQ(1, nt_reply_val(s, "entire_mapcount"));
	EXPECT_EQ(1, nt_reply_val(s, "pmd"));
	EXPECT_EQ(1, nt_reply_val(s, "refcount"));
	EXPECT_EQ(1, nt_reply_val(s, "large_mapcount"));
	EXPECT_EQ(0, nt_reply_val(s, "mapcount"));
	EXPECT_EQ(1, nt_reply_val(s, "exclusive"));
	EXPECT_EQ(1, nt_reply_val(s, "deferred"));
	EXPECT_EQ(0, nt_reply_val(s, "partially_mapped"));
	EXPECT_EQ(order, nt_reply_val(s, "order"));
	EXPECT_EQ(-EINVAL, nt_run(s, "ptep_get mm=1 va=0x%llx", NT_VA));
	EXPECT_NE(NULL, strstr(s->reply.buf, "is mapped by a PMD")) TH_LOG("%s", s->reply.buf);
	EXPECT_EQ(1, nt_mm_stat(s, 1, PB_MMC_pmd_maps));
	EXPECT_EQ(1, nt_mm_stat(s, 1, PB_MMC_pmd_writes));
	ASSERT_EQ(0, nt_run(s, "mm_stats mm=1"));
	EXPECT_EQ(1, nt_reply_val(s, "deferred_split_queue"));

	ASSERT_EQ(0, nt_run(s, "fork mm=1"));
	ASSERT_EQ(2, nt_reply_val(s, "mm"));
	EXPECT_EQ(1, nt_mm_stat(s, 2, PB_MMC_pmd_copies));
	ASSERT_EQ(0, nt_run(s, "touch mm=1 va=0x%llx write=1", NT_VA));
	EXPECT_EQ(1, nt_reply_val(s, "faulted"));
	EXPECT_EQ(1, nt_mm_stat(s, 1, PB_MMC_pmd_splits));
	EXPECT_EQ(1, nt_mm_stat(s, 1, PB_MMC_cow_copies));
	ASSERT_EQ(0, nt_run(s, "munmap mm=2 va=0x%llx len=0x%llx", NT_VA, pmd));
	EXPECT_EQ(1, nt_mm_stat(s, 2, PB_MMC_pmd_zaps));

	ASSERT_EQ(0, nt_run(s, "touch mm=1 va=0x%llx write=1", second));
	EXPECT_EQ(2, nt_mm_stat(s, 1, PB_MMC_pmd_maps));
	ASSERT_EQ(0, nt_run(s, "mprotect mm=1 va=0x%llx len=0x%llx prot=r", second, pmd));
	EXPECT_EQ(1, nt_mm_stat(s, 1, PB_MMC_pmd_changes));
	ASSERT_EQ(0, nt_run(s, "madvise mm=1 va=0x%llx len=0x%llx advice=free", second, pmd));
	EXPECT_EQ(1, nt_mm_stat(s, 1, PB_MMC_lazyfree_folios));
	EXPECT_EQ(0, nt_mm_stat(s, 1, PB_MMC_violations));
	ASSERT_EQ(0, nt_run(s, "mm_destroy mm=2"));
	ASSERT_EQ(0, nt_run(s, "mm_destroy mm=1"));
}

/*
 * Found by fuzz_seq: the walks of fork, mprotect, clear_refs, MADV_FREE,
 * mremap and munmap stepped over a VMA one last-level table at a time,
 * populated or not (the 128 TiB that the fuzzer mapped, before
 * PB_MM_MAPPED_MAX, took minutes).  They skip a missing upper table whole,
 * as walk_pgd_range() and copy_page_range() skip pgd_none() and pud_none().
 * A VMA of half the largest size with one block at its far end, and every walk
 * over it: the block is still found, copied, moved and zapped.  (How long
 * the walks take is a benchmark's business, not a test's.)
 */
TEST_F(pcmd, walks_skip_missing_upper_tables)
{
	/* Half the limit: the fixture maps a little of its own. */
	const u64 len = PB_MM_MAPPED_MAX / 2, start = 2 * len, to = 4 * len;
	const u64 far = len - self->block;
	const struct {
		const char *fmt;
		u64 a, b, c;
	} cmds[] = {
		{ "fork mm=0" },
		{ "mprotect mm=0 va=0x%llx len=0x%llx prot=r", start, len },
		{ "clear_refs mm=0" },
		{ "madvise mm=0 va=0x%llx len=0x%llx advice=free", start, len },
		{ "mremap mm=0 old=0x%llx len=0x%llx new=0x%llx", start, len, to },
		{ "munmap mm=0 va=0x%llx len=0x%llx", to, len },
	};
	struct pb_session *s = self->s;
	unsigned int i;

	ASSERT_EQ(0, nt_run(s, "mmap mm=0 start=0x%llx len=0x%llx flags=r,w,anon",
			    start, len)) TH_LOG("%s", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "populate mm=0 va=0x%llx len=0x%llx order=%u",
			    start + far, self->block, variant->cont_shift))
		TH_LOG("%s", s->reply.buf);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		ASSERT_EQ(0, nt_run(s, cmds[i].fmt, cmds[i].a, cmds[i].b, cmds[i].c))
			TH_LOG("%s: %s", cmds[i].fmt, s->reply.buf);
		/* The block at the far end was found: copied, moved, zapped. */
		if (i == 0)
			ASSERT_EQ(0, nt_run(s, "folio mm=1 va=0x%llx", start + far));
		if (i == 4)
			ASSERT_EQ(0, nt_run(s, "folio mm=0 va=0x%llx", to + far));
	}
	EXPECT_NE(0, nt_run(s, "folio mm=0 va=0x%llx", to + far));
	EXPECT_EQ(0, nt_run(s, "folio mm=1 va=0x%llx", start + far));
	ASSERT_EQ(0, nt_run(s, "mm_destroy mm=1"));
}

/*
 * The bench's round trip of a never-forked mm gives every page its upgrade
 * back, so it leaves the mm as it found it, entry for entry (contpte blocks
 * folded again, anon-exclusive kept), in every variant: make bench times it
 * on the fresh parents before their first fork.
 */
TEST_F(pcmd, bench_round_trip_of_a_never_forked_mm_changes_nothing)
{
	struct pb_session *s = self->s;
	unsigned int n = 4 * self->cont, v, i, id;
	pb_pte_t *before = calloc(n, sizeof(*before));
	struct pb_mm *mm;

	ASSERT_NE(NULL, before);
	for (v = 0; v < 4; v++) {
		/* A fresh mm per variant: contpte=0 needs one with no block. */
		ASSERT_EQ(0, nt_run(s, "mm_create page_kb=%llu", self->psize >> 10))
			TH_LOG("%s", s->reply.buf);
		id = v + 1;
		mm = s->mms[id];
		ASSERT_NE(NULL, mm);
		ASSERT_EQ(0, nt_run(s, "set mm=%u mprotect_batch=%u contpte=%u", id, v & 1,
				    v >> 1)) TH_LOG("%s", s->reply.buf);
		ASSERT_EQ(0, nt_run(s, "mmap mm=%u start=0x%llx len=0x%llx", id, NT_VA,
				    4 * self->block)) TH_LOG("%s", s->reply.buf);
		/* Two blocks of contpte-sized folios, two of small ones. */
		ASSERT_EQ(0, nt_run(s, "populate mm=%u va=0x%llx len=0x%llx order=%u", id,
				    NT_VA, 2 * self->block, __builtin_ctz(self->cont)))
			TH_LOG("%s", s->reply.buf);
		ASSERT_EQ(0, nt_run(s, "populate mm=%u va=0x%llx len=0x%llx order=0", id,
				    NT_VA + 2 * self->block, 2 * self->block))
			TH_LOG("%s", s->reply.buf);
		for (i = 0; i < n; i++)
			before[i] = nt_raw_at(mm, NT_VA + i * self->psize);
		ASSERT_EQ(0, nt_run(s, "bench mm=%u op=mprotect", id)) TH_LOG("%s", s->reply.buf);
		for (i = 0; i < n; i++)
			EXPECT_EQ(before[i], nt_raw_at(mm, NT_VA + i * self->psize))
				TH_LOG("variant %u, page %u", v, i);
		EXPECT_EQ(n, nt_mm_stat(s, id, PB_MMC_write_faults_avoided));
		EXPECT_EQ(0, nt_mm_stat(s, id, PB_MMC_write_upgrades_denied));
	}
	free(before);
}

/* KEY=N of the "issued" line of the last reply, or -1. */
static long long issued_count(struct pb_session *s, enum pb_mm_counter c)
{
	const char *line = strstr(s->reply.buf, "issued "), *p;
	char key[64];

	if (!line)
		return -1;
	snprintf(key, sizeof(key), " %s=", pb_mm_counter_names[c]);
	p = strstr(line, key);
	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/*
 * bench replies the atomics its op issued, the forked child's too: a fork
 * counts its folio_ref_add() and rmap dup on the new mm, so the parent's own
 * counters do not move.  Per PTE, one of each per page; batched, one per
 * folio (each folio is within one table).  The child's exit drops as many.
 */
TEST_F(pcmd, bench_replies_the_atomics_of_fork_and_exit)
{
	struct pb_session *s = self->s;
	unsigned int order = __builtin_ctz(self->cont), n = 2 * self->cont, b, id;
	long long parent, per;

	for (b = 0; b <= 1; b++) {
		ASSERT_EQ(0, nt_run(s, "mm_create page_kb=%llu", self->psize >> 10))
			TH_LOG("%s", s->reply.buf);
		id = b + 1;
		ASSERT_EQ(0, nt_run(s, "set mm=%u fork_batch=%u zap_batch=%u", id, b, b))
			TH_LOG("%s", s->reply.buf);
		ASSERT_EQ(0, nt_run(s, "mmap mm=%u start=0x%llx len=0x%llx", id, NT_VA,
				    2 * self->block)) TH_LOG("%s", s->reply.buf);
		ASSERT_EQ(0, nt_run(s, "populate mm=%u va=0x%llx len=0x%llx order=%u", id,
				    NT_VA, 2 * self->block, order)) TH_LOG("%s", s->reply.buf);
		per = b ? 2 : n;
		parent = nt_mm_stat(s, id, PB_MMC_refcount_atomics);
		ASSERT_EQ(0, nt_run(s, "bench mm=%u op=fork", id)) TH_LOG("%s", s->reply.buf);
		EXPECT_EQ(per, issued_count(s, PB_MMC_refcount_atomics)) TH_LOG("%s", s->reply.buf);
		EXPECT_EQ(per, issued_count(s, PB_MMC_mapcount_atomics)) TH_LOG("%s", s->reply.buf);
		EXPECT_EQ(parent, nt_mm_stat(s, id, PB_MMC_refcount_atomics));
		ASSERT_EQ(0, nt_run(s, "bench mm=%u op=zap", id)) TH_LOG("%s", s->reply.buf);
		EXPECT_EQ(per, issued_count(s, PB_MMC_refcount_atomics)) TH_LOG("%s", s->reply.buf);
		EXPECT_EQ(per, issued_count(s, PB_MMC_mapcount_atomics)) TH_LOG("%s", s->reply.buf);
		/* An mprotect round trip takes no reference and maps nothing. */
		ASSERT_EQ(0, nt_run(s, "bench mm=%u op=mprotect", id)) TH_LOG("%s", s->reply.buf);
		EXPECT_EQ(0, issued_count(s, PB_MMC_refcount_atomics)) TH_LOG("%s", s->reply.buf);
		EXPECT_LT(0, issued_count(s, PB_MMC_pte_writes)) TH_LOG("%s", s->reply.buf);
		/* The floor works on copies: no issued line. */
		ASSERT_EQ(0, nt_run(s, "bench mm=%u op=floor", id)) TH_LOG("%s", s->reply.buf);
		EXPECT_EQ(-1, issued_count(s, PB_MMC_refcount_atomics));
	}
}

/*
 * A zap's issued line is the child's exit alone: the same whether the
 * untimed fork before it had a writable parent to write-protect (the first)
 * or one already read-only (the second), though the parent's own counters
 * moved the first time.
 */
TEST_F(pcmd, bench_zap_issued_is_the_exit_alone)
{
	struct pb_session *s = self->s;
	unsigned int order = __builtin_ctz(self->cont), c;
	long long first[PB_NR_MM_COUNTERS], writes;

	ASSERT_EQ(0, nt_run(s, "mm_create page_kb=%llu", self->psize >> 10));
	ASSERT_EQ(0, nt_run(s, "mmap mm=1 start=0x%llx len=0x%llx", NT_VA, 2 * self->block));
	ASSERT_EQ(0, nt_run(s, "populate mm=1 va=0x%llx len=0x%llx order=%u", NT_VA,
			    2 * self->block, order)) TH_LOG("%s", s->reply.buf);
	writes = nt_mm_stat(s, 1, PB_MMC_pte_writes);
	ASSERT_EQ(0, nt_run(s, "bench mm=1 op=zap")) TH_LOG("%s", s->reply.buf);
	for (c = 0; c < PB_NR_MM_COUNTERS; c++)
		first[c] = issued_count(s, c);
	EXPECT_LT(0, first[PB_MMC_refcount_atomics]);
	/* The untimed fork write-protected the parent's entries. */
	EXPECT_LT(writes, nt_mm_stat(s, 1, PB_MMC_pte_writes));
	ASSERT_EQ(0, nt_run(s, "bench mm=1 op=zap")) TH_LOG("%s", s->reply.buf);
	for (c = 0; c < PB_NR_MM_COUNTERS; c++)
		EXPECT_EQ(first[c], issued_count(s, c)) TH_LOG("%s", pb_mm_counter_names[c]);
}

TEST_HARNESS_MAIN
