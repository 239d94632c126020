// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of paths/batch.c: folio_pte_batch(), where a batch stops and
 * which bits it respects or ignores, its stride over contiguous blocks, and
 * the buckets of the batch-size histogram.
 */
#include "nt_paths.h"

/* --- folio_pte_batch() ---------------------------------------------------------- */

#define RD	PB_FPB_RESPECT_DIRTY
#define RSD	PB_FPB_RESPECT_SOFT_DIRTY
#define RW	PB_FPB_RESPECT_WRITE
#define MW	PB_FPB_MERGE_WRITE
#define MYD	PB_FPB_MERGE_YOUNG_DIRTY

/*
 * A batch from @page of self->mm, from the entry as ptep_get() returns it;
 * *@w says whether the entry the batch leaves (merged with MERGE_WRITE) is
 * writable.
 */
static unsigned int batch_pte(struct _test_data_paths *self, u64 page,
			      unsigned int max_nr, unsigned int flags, pb_pte_t *merged)
{
	u64 va = nt_va(self->mm, page);
	pb_pte_t *ptep = nt_ptep_at(self->mm, va);
	struct pb_page *head;
	u64 head_pfn;

	*merged = pb_ptep_get(self->mm, va, ptep);
	head = pb_page_folio(self->mm->phys, pb_pte_pfn(&self->mm->geom, *merged),
			     &head_pfn);
	return pb_folio_pte_batch(self->mm, head, head_pfn, va, ptep, merged,
				  max_nr, flags);
}

static unsigned int batch(struct _test_data_paths *self, u64 page, unsigned int max_nr,
			  unsigned int flags, bool *w)
{
	pb_pte_t merged;
	unsigned int nr = batch_pte(self, page, max_nr, flags, &merged);

	*w = pb_pte_write(merged);
	return nr;
}

/* Rewrite the entry of @page with @fn applied, or with @set and @clear bits. */
static void rewrite(struct _test_data_paths *self, u64 page,
		    pb_pte_t (*fn)(pb_pte_t pte), pb_pte_t set, pb_pte_t clear)
{
	u64 va = nt_va(self->mm, page);
	pb_pte_t *ptep = nt_ptep_at(self->mm, va), pte = *ptep;

	if (fn)
		pte = fn(pte);
	pb_write_pte(self->mm, va, ptep, (pte | set) & ~clear);
}

/*
 * Without contpte every entry is looked at: a batch stops at the end of the
 * folio even where the next folio's PFNs follow, at max_nr, at an empty entry
 * and at a PFN gap.
 */
TEST_F(paths, folio_pte_batch_stops_at_folio_end_max_nr_holes_and_gaps)
{
	pb_pte_t prot = nt_prot_rw(self->g);
	struct pb_mm *mm = self->mm;
	u64 a, b, c, d;
	bool w;

	mm->knobs[PB_KNOB_contpte] = 0;
	nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	a = nt_folio(mm, 3);
	b = nt_folio(mm, 3);
	c = nt_folio(mm, 3);
	d = nt_folio(mm, 3);
	ASSERT_NE(NT_NO_FOLIO, d);
	/* A fresh arena hands out folios in PFN order: b's PFNs follow a's. */
	ASSERT_EQ(a + 8, b);
	nt_map(mm, nt_va(self->mm, 0), a, 0, 8, prot);
	nt_map(mm, nt_va(self->mm, 8), b, 0, 8, prot);
	/* c: pages 0-2, an empty entry, pages 4-7. */
	nt_map(mm, nt_va(self->mm, 16), c, 0, 3, prot);
	nt_map(mm, nt_va(self->mm, 20), c, 4, 4, prot);
	/* d: pages 0-3, then page 5 where page 4 would be. */
	nt_map(mm, nt_va(self->mm, 24), d, 0, 4, prot);
	nt_map(mm, nt_va(self->mm, 28), d, 5, 3, prot);

	EXPECT_EQ(8, batch(self, 0, 32, 0, &w));
	EXPECT_TRUE(w);
	EXPECT_EQ(6, batch(self, 2, 30, 0, &w));
	EXPECT_EQ(8, batch(self, 8, 24, 0, &w));
	EXPECT_EQ(1, batch(self, 7, 25, 0, &w));
	EXPECT_EQ(5, batch(self, 0, 5, 0, &w));
	EXPECT_EQ(1, batch(self, 0, 1, 0, &w));
	EXPECT_EQ(3, batch(self, 16, 16, 0, &w));
	EXPECT_EQ(4, batch(self, 20, 12, 0, &w));
	EXPECT_EQ(4, batch(self, 24, 8, 0, &w));
	EXPECT_EQ(3, batch(self, 28, 4, 0, &w));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * The write, dirty and soft-dirty bits end a batch only when respected; young
 * never.  MERGE_WRITE ORs the write bits of the batch, and only of the batch,
 * into the entry; MERGE_YOUNG_DIRTY the young and dirty bits.
 */
TEST_F(paths, folio_pte_batch_respects_and_merges_bits)
{
	pb_pte_t prot = nt_prot_rw(self->g), m;
	struct pb_mm *mm = self->mm;
	u64 f[6];
	unsigned int i;
	bool w;

	mm->knobs[PB_KNOB_contpte] = 0;
	nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		f[i] = nt_folio(mm, 3);
		ASSERT_NE(NT_NO_FOLIO, f[i]);
		nt_map(mm, nt_va(self->mm, 8 * i), f[i], 0, 8,
		       i == 4 ? prot | PB_PTE_SOFT_DIRTY : prot);
	}
	/* Folio 1 stays writable: its PFNs follow folio 0's. */
	ASSERT_EQ(f[0] + 8, f[1]);
	for (i = 4; i < 8; i++) {
		/* Folio 0: the second half write-protected (dirty stays). */
		rewrite(self, i, pb_pte_wrprotect, 0, 0);
		/* Folio 2: the first half clean, still writable. */
		rewrite(self, 16 + i - 4, pb_pte_mkclean, 0, 0);
		/* Folio 3: the first half old. */
		rewrite(self, 24 + i - 4, pb_pte_mkold, 0, 0);
		/* Folio 4: the second half not soft-dirty. */
		rewrite(self, 32 + i, NULL, 0, PB_PTE_SOFT_DIRTY);
		/* Folio 5: the first half write-protected. */
		rewrite(self, 40 + i - 4, pb_pte_wrprotect, 0, 0);
	}

	/* Write: ignored unless respected; MERGE_WRITE ORs what was batched. */
	EXPECT_EQ(8, batch(self, 0, 48, 0, &w));
	EXPECT_EQ(8, batch(self, 0, 48, RD | RSD, &w));
	EXPECT_EQ(4, batch(self, 0, 48, RW | MW, &w));
	EXPECT_TRUE(w);
	EXPECT_EQ(4, batch(self, 4, 44, RW | MW, &w));
	EXPECT_FALSE(w);
	/* Read-only to the folio's end: folio 1's writable pages are not ORed. */
	EXPECT_EQ(4, batch(self, 4, 44, MW, &w));
	EXPECT_FALSE(w);
	/* Read-only first, writable later: merged only with MERGE_WRITE. */
	EXPECT_EQ(8, batch(self, 40, 8, 0, &w));
	EXPECT_FALSE(w);
	EXPECT_EQ(8, batch(self, 40, 8, MW, &w));
	EXPECT_TRUE(w);
	EXPECT_EQ(4, batch(self, 40, 8, RW | MW, &w));
	EXPECT_FALSE(w);

	/* Dirty: ignored unless respected, also with the write bit respected. */
	EXPECT_EQ(4, batch(self, 16, 32, RD, &w));
	EXPECT_EQ(4, batch(self, 16, 32, RD | RW, &w));
	EXPECT_EQ(8, batch(self, 16, 32, RSD, &w));
	EXPECT_EQ(8, batch(self, 16, 32, RW | MW, &w));
	EXPECT_TRUE(w);
	/* Clean first, dirty later: merged only with MERGE_YOUNG_DIRTY. */
	EXPECT_EQ(8, batch_pte(self, 16, 32, 0, &m));
	EXPECT_FALSE(pb_pte_dirty(m));
	EXPECT_EQ(8, batch_pte(self, 16, 32, MYD, &m));
	EXPECT_TRUE(pb_pte_dirty(m));
	EXPECT_EQ(4, batch_pte(self, 16, 32, RD | MYD, &m));
	EXPECT_FALSE(pb_pte_dirty(m));

	/* Young: never respected; old first, young later: merged with MYD. */
	EXPECT_EQ(8, batch_pte(self, 24, 24, RD | RSD | RW, &m));
	EXPECT_FALSE(pb_pte_young(m));
	EXPECT_EQ(8, batch_pte(self, 24, 24, MYD, &m));
	EXPECT_TRUE(pb_pte_young(m));
	EXPECT_EQ(4, batch_pte(self, 24, 4, MYD, &m));
	EXPECT_FALSE(pb_pte_young(m));

	/* Soft-dirty: ignored unless respected. */
	EXPECT_EQ(4, batch(self, 32, 16, RD | RSD, &w));
	EXPECT_EQ(4, batch(self, 32, 16, RSD, &w));
	EXPECT_EQ(8, batch(self, 32, 16, RD, &w));
	EXPECT_EQ(8, batch(self, 32, 16, 0, &w));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * With contpte the batch strides over whole blocks (pte_batch_hint()) and
 * compares the gathered view of each: a block whose dirty state the hardware
 * put on another entry batches with a dirty one.
 */
TEST_F(paths, folio_pte_batch_strides_over_contiguous_blocks)
{
	unsigned int cont = self->cont, order = variant->cont_shift + 1;
	struct pb_mm *mm = self->mm;
	bool w;

	nt_add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	nt_populate(_metadata, mm, NT_VA, 4 * self->block, order, false);
	ASSERT_EQ(4 * cont, nt_nr_cont(mm, 0, 4 * cont));

	EXPECT_EQ(2 * cont, batch(self, 0, 4 * cont, RD, &w));
	EXPECT_EQ(2 * cont - 3, batch(self, 3, 4 * cont - 3, RD, &w));
	EXPECT_EQ(cont - 2, batch(self, 3, cont - 2, RD, &w));
	EXPECT_EQ(cont, batch(self, 3, cont, RD, &w));
	EXPECT_EQ(1, batch(self, 2 * cont - 1, 2 * cont + 1, RD, &w));

	/* Block 1 write-protected whole, in place: still contiguous. */
	pb_wrprotect_ptes(mm, nt_va(self->mm, cont), nt_ptep(mm, cont), cont);
	pb_flush_tlb_range(mm, nt_va(self->mm, cont), nt_va(self->mm, 2 * cont));
	EXPECT_EQ(4 * cont, nt_nr_cont(mm, 0, 4 * cont));
	EXPECT_EQ(2 * cont, batch(self, 0, 4 * cont, RD | MW, &w));
	EXPECT_TRUE(w);
	EXPECT_EQ(cont, batch(self, 0, 4 * cont, RD | RW | MW, &w));
	EXPECT_TRUE(w);
	EXPECT_EQ(cont, batch(self, cont, 3 * cont, RD | MW, &w));
	EXPECT_FALSE(w);

	/* Block 3 cleaned: it batches with block 2 only when dirty is ignored. */
	pb_clear_young_dirty_ptes(mm, nt_va(mm, 3 * cont), nt_ptep(mm, 3 * cont),
				  cont, false, true);
	pb_flush_tlb_range(mm, nt_va(self->mm, 3 * cont), nt_va(self->mm, 4 * cont));
	EXPECT_EQ(cont, batch(self, 2 * cont, 2 * cont, RD, &w));
	EXPECT_EQ(2 * cont, batch(self, 2 * cont, 2 * cont, 0, &w));
	/* A write whose dirty state lands on the block's last entry. */
	mm->knobs[PB_KNOB_ad_policy] = PB_AD_LAST;
	ASSERT_EQ(0, pb_access(mm, nt_va(self->mm, 3 * cont + 1), true, NULL));
	EXPECT_FALSE(pb_pte_dirty(nt_raw(mm, 3 * cont)));
	EXPECT_TRUE(pb_pte_dirty(nt_raw(mm, 4 * cont - 1)));
	EXPECT_EQ(2 * cont, batch(self, 2 * cont, 2 * cont, RD, &w));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/* The histogram's buckets: 1, 2..CONT-1, CONT, CONT+1..PTRS-1, PTRS and more. */
TEST_F(paths, batch_size_buckets_scale_with_the_granule)
{
	unsigned int cont = self->cont, ptrs = self->ptrs;
	const struct {
		unsigned int nr;
		enum pb_mm_counter c;
	} t[] = {
		{ 1, PB_MMC_batch_size_1 },
		{ 2, PB_MMC_batch_size_small },
		{ cont - 1, PB_MMC_batch_size_small },
		{ cont, PB_MMC_batch_size_cont },
		{ cont + 1, PB_MMC_batch_size_large },
		{ ptrs - 1, PB_MMC_batch_size_large },
		{ ptrs, PB_MMC_batch_size_pmd },
		{ 2 * ptrs, PB_MMC_batch_size_pmd },
	};
	enum pb_mm_counter c;
	unsigned int i, sum = 0;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		u64 before[PB_NR_MM_COUNTERS];

		NT_SNAP(self->mm, before);
		pb_count_batch(self->mm, t[i].nr);
		for (c = PB_MMC_batch_size_1; c <= PB_MMC_batch_size_pmd; c++) {
			EXPECT_EQ(c == t[i].c, nt_delta(self->mm, before, c))
				TH_LOG("nr %u: %s", t[i].nr, pb_mm_counter_names[c]);
			sum += nt_delta(self->mm, before, c);
		}
	}
	EXPECT_EQ(ARRAY_SIZE(t), sum);
}

TEST_HARNESS_MAIN
