// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of task_maps' counts (real/maps.c): why a contpte block is
 * or is not folded, the pieces of folios by order, and the per-page counts,
 * fed with entries made up here as the guest's walk would read them.  The
 * guest's maps_test checks the same counts against real processes.
 */
#include "pb_native.h"
#include "real/maps.h"

#define SHIFT	12
#define CONT	16

/* @nr entries of one folio at @head of @order, from its page @idx. */
static void folio_ptes(struct pb_maps_pte *e, unsigned int nr, u64 head,
		       unsigned int order, unsigned int idx)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].present = true;
		e[i].folio = true;
		e[i].anon = true;
		e[i].exclusive = true;
		e[i].head_pfn = head;
		e[i].pfn = head + idx + i;
		e[i].order = order;
		e[i].attrs = 0x7;
	}
}

TEST(block_reasons)
{
	struct pb_maps_pte e[CONT];

	/* Nothing present: not a block to count. */
	memset(e, 0, sizeof(e));
	EXPECT_EQ(PB_NR_MAPS_KEYS, pb_maps_block_reason(e, CONT));
	/* One aligned folio of the block's size: could fold. */
	folio_ptes(e, CONT, 0x1000, 4, 0);
	EXPECT_EQ(PB_MAPS_cont_foldable, pb_maps_block_reason(e, CONT));
	/* Every entry CONT: folded; some of them: torn. */
	for (unsigned int i = 0; i < CONT; i++)
		e[i].cont = true;
	EXPECT_EQ(PB_MAPS_cont_folded, pb_maps_block_reason(e, CONT));
	e[3].cont = false;
	EXPECT_EQ(PB_MAPS_cont_torn, pb_maps_block_reason(e, CONT));
	/* An attribute of one entry differs (A/D do not count: attrs lack them). */
	folio_ptes(e, CONT, 0x1000, 4, 0);
	e[5].attrs = 0x5;
	EXPECT_EQ(PB_MAPS_cont_attrs, pb_maps_block_reason(e, CONT));
	/* A hole. */
	folio_ptes(e, CONT, 0x1000, 4, 0);
	e[15].present = false;
	EXPECT_EQ(PB_MAPS_cont_hole, pb_maps_block_reason(e, CONT));
	/* A larger folio, but not from a block-aligned PFN. */
	folio_ptes(e, CONT, 0x1000, 5, 8);
	EXPECT_EQ(PB_MAPS_cont_misaligned, pb_maps_block_reason(e, CONT));
	/* From an aligned one, but not in order. */
	folio_ptes(e, CONT, 0x1000, 5, 16);
	e[2].pfn = e[1].pfn;
	EXPECT_EQ(PB_MAPS_cont_misaligned, pb_maps_block_reason(e, CONT));
	/* Two folios of half a block each: mixed. */
	folio_ptes(e, CONT / 2, 0x1000, 3, 0);
	folio_ptes(e + CONT / 2, CONT / 2, 0x2000, 4, 0);
	EXPECT_EQ(PB_MAPS_cont_mixed, pb_maps_block_reason(e, CONT));
	/* Only folios too small to fill it: small. */
	folio_ptes(e, CONT / 2, 0x1000, 3, 0);
	folio_ptes(e + CONT / 2, CONT / 2, 0x2000, 3, 0);
	EXPECT_EQ(PB_MAPS_cont_small, pb_maps_block_reason(e, CONT));
	/* A page with no folio (the zero page) among them: small too. */
	e[0].folio = false;
	EXPECT_EQ(PB_MAPS_cont_small, pb_maps_block_reason(e, CONT));
	/* With holes too: still small, nothing could fill the block. */
	e[1].present = false;
	EXPECT_EQ(PB_MAPS_cont_small, pb_maps_block_reason(e, CONT));
}

/* A block cut by the VMA's end, or not aligned, is an edge. */
TEST(edges_and_gathered_ad)
{
	struct pb_maps_pte e[CONT];
	struct pb_maps_stats st;
	struct pb_maps_walk w;
	unsigned int i;

	pb_maps_begin(&w, &st, SHIFT, CONT, 64);
	folio_ptes(e, CONT / 2, 0x1000, 4, 0);
	pb_maps_ptes(&w, 0x10000, e, CONT / 2);
	folio_ptes(e, CONT, 0x1000, 4, 0);
	pb_maps_ptes(&w, 0x11000, e, CONT);
	pb_maps_end(&w);
	EXPECT_EQ(2, st.key[PB_MAPS_cont_blocks]);
	EXPECT_EQ(2, st.key[PB_MAPS_cont_edge]);
	EXPECT_EQ(64, st.key[PB_MAPS_pages]);

	/* Folded: one young and one dirty entry speak for all; else each its own. */
	pb_maps_begin(&w, &st, SHIFT, CONT, 2 * CONT);
	folio_ptes(e, CONT, 0x1000, 4, 0);
	for (i = 0; i < CONT; i++)
		e[i].cont = true;
	e[3].young = true;
	e[9].dirty = true;
	pb_maps_ptes(&w, 0x10000, e, CONT);
	folio_ptes(e, CONT, 0x2000, 4, 0);
	e[3].young = true;
	e[9].dirty = true;
	pb_maps_ptes(&w, 0x20000, e, CONT);
	pb_maps_end(&w);
	EXPECT_EQ(CONT + 1, st.key[PB_MAPS_young]);
	EXPECT_EQ(CONT + 1, st.key[PB_MAPS_dirty]);
	EXPECT_EQ(1, st.key[PB_MAPS_cont_folded]);
	EXPECT_EQ(1, st.key[PB_MAPS_cont_foldable]);
	EXPECT_EQ(2, st.hist[PB_MAPS_HIST_anon_full][4]);
}

/* Pieces: whole across blocks, split by a hole, file or anon. */
TEST(pieces_and_page_counts)
{
	struct pb_maps_pte e[CONT];
	struct pb_maps_stats st, sum;
	struct pb_maps_walk w;

	pb_maps_begin(&w, &st, SHIFT, CONT, 4 * CONT);
	/* A folio of two blocks, one block at a time: one full piece. */
	folio_ptes(e, CONT, 0x4000, 5, 0);
	e[0].pinned = true;
	pb_maps_ptes(&w, 0x100000, e, CONT);
	folio_ptes(e, CONT, 0x4000, 5, CONT);
	pb_maps_ptes(&w, 0x100000 + (CONT << SHIFT), e, CONT);
	/* Then a folio with a hole: two partial pieces, both partially mapped. */
	folio_ptes(e, CONT, 0x8000, 4, 0);
	e[7].present = false;
	e[7].folio = false;
	e[0].partially_mapped = true;
	e[8].partially_mapped = true;
	e[0].exclusive = false;
	pb_maps_ptes(&w, 0x100000 + (2 * CONT << SHIFT), e, CONT);
	/* A file folio's page, the zero page, a swap entry, a special page. */
	folio_ptes(e, 4, 0x9000, 0, 0);
	e[0].anon = false;
	e[0].exclusive = false;
	e[1].folio = false;
	e[1].anon = false;
	e[1].zero = true;
	memset(&e[2], 0, sizeof(e[2]));
	e[2].swap = true;
	e[3].folio = false;
	e[3].anon = false;
	pb_maps_ptes(&w, 0x100000 + (3 * CONT << SHIFT), e, 4);
	pb_maps_end(&w);

	EXPECT_EQ(1, st.hist[PB_MAPS_HIST_anon_full][5]);
	EXPECT_EQ(2, st.hist[PB_MAPS_HIST_anon_partial][4]);
	EXPECT_EQ(1, st.hist[PB_MAPS_HIST_file_full][0]);
	EXPECT_EQ(4, st.key[PB_MAPS_folios]);
	EXPECT_EQ(3, st.key[PB_MAPS_large_folios]);
	EXPECT_EQ(1, st.key[PB_MAPS_pinned]);
	EXPECT_EQ(2, st.key[PB_MAPS_partially_mapped]);
	EXPECT_EQ(2 * CONT + CONT - 1 + 3, st.key[PB_MAPS_present]);
	EXPECT_EQ(2 * CONT + CONT - 1, st.key[PB_MAPS_anon]);
	EXPECT_EQ(1, st.key[PB_MAPS_shared]);
	EXPECT_EQ(2 * CONT + CONT - 2, st.key[PB_MAPS_exclusive]);
	EXPECT_EQ(1, st.key[PB_MAPS_file]);
	EXPECT_EQ(1, st.key[PB_MAPS_zero]);
	EXPECT_EQ(1, st.key[PB_MAPS_swap]);
	EXPECT_EQ(1, st.key[PB_MAPS_nofolio]);
	EXPECT_EQ(2, st.key[PB_MAPS_cont_foldable]);
	EXPECT_EQ(1, st.key[PB_MAPS_cont_hole]);
	EXPECT_EQ(1, st.key[PB_MAPS_cont_edge]);

	/* The total adds VMAs up. */
	memset(&sum, 0, sizeof(sum));
	pb_maps_add(&sum, &st);
	pb_maps_add(&sum, &st);
	EXPECT_EQ(2 * st.key[PB_MAPS_present], sum.key[PB_MAPS_present]);
	EXPECT_EQ(2, sum.hist[PB_MAPS_HIST_anon_full][5]);
}

/* PMD leaves: whole, or cut by the range; a migration entry; unread pages. */
TEST(pmd_leaves_and_unread)
{
	struct pb_maps_stats st;
	struct pb_maps_walk w;
	struct pb_maps_pte e;

	pb_maps_begin(&w, &st, SHIFT, CONT, 3 * 512 + 8);
	folio_ptes(&e, 1, 0x40000, 9, 0);
	pb_maps_pmd(&w, 0x200000, &e, 512);
	/* The next PMD, its second half only. */
	folio_ptes(&e, 1, 0x80000, 9, 256);
	pb_maps_pmd(&w, 0x400000 + (256 << SHIFT), &e, 256);
	memset(&e, 0, sizeof(e));
	e.swap = true;
	pb_maps_pmd(&w, 0x600000, &e, 512);
	pb_maps_unread(&w, 8);
	pb_maps_end(&w);
	EXPECT_EQ(2, st.key[PB_MAPS_pmd_thps]);
	EXPECT_EQ(768, st.key[PB_MAPS_pmd_pages]);
	EXPECT_EQ(768, st.key[PB_MAPS_present]);
	EXPECT_EQ(512, st.key[PB_MAPS_swap]);
	EXPECT_EQ(8, st.key[PB_MAPS_unread]);
	EXPECT_EQ(3 * 512 + 8, st.key[PB_MAPS_pages]);
	EXPECT_EQ(1, st.hist[PB_MAPS_HIST_anon_full][9]);
	EXPECT_EQ(1, st.hist[PB_MAPS_HIST_anon_partial][9]);
	EXPECT_EQ(0, st.key[PB_MAPS_cont_blocks]);
}

/* x86: no contpte block, no block counts; the chunks are only entries. */
TEST(no_cont_granule)
{
	struct pb_maps_pte e[CONT];
	struct pb_maps_stats st;
	struct pb_maps_walk w;

	pb_maps_begin(&w, &st, SHIFT, 0, CONT);
	folio_ptes(e, CONT, 0x1000, 4, 0);
	pb_maps_ptes(&w, 0x10000, e, CONT);
	pb_maps_end(&w);
	EXPECT_EQ(0, st.key[PB_MAPS_cont_blocks]);
	EXPECT_EQ(0, st.key[PB_MAPS_cont_foldable]);
	EXPECT_EQ(1, st.hist[PB_MAPS_HIST_anon_full][4]);
}

TEST_HARNESS_MAIN
