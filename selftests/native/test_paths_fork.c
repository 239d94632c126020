// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests: the paths built from the helpers (issue 4).  folio_pte_batch()
 * and the batch-size histogram; fork, zap and mprotect, batched and one PTE at
 * a time, with exact counters derived from the geometry; faults; a fork that
 * fails at every allocation; and the command layer of the paths.
 */
#include "pb_native.h"

FIXTURE(paths)
{
	struct pb_mm *mm;		/* the defaults: batched, contpte */
	struct pb_mm *other;		/* a second family, when a test needs one */
	struct pb_mm *kids[4];		/* fork children, gone in teardown */
	unsigned int nr_kids;
	const struct pb_geom *g;
	unsigned int cont, ptrs;
	u64 psize, block;
};

FIXTURE_VARIANT(paths)
{
	NT_GRANULE_FIELDS;
};

FIXTURE_VARIANT_ADD(paths, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(paths, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(paths, granule_64k) NT_GRANULE_64K;

#define RW_ANON		(PB_VM_READ | PB_VM_WRITE | PB_VM_ANON)
#define RW_SHARED	(PB_VM_READ | PB_VM_WRITE | PB_VM_SHARED)

FIXTURE_SETUP(paths)
{
	self->mm = nt_mm_create(variant->page_kb, 48, 48, 1 << 20, 1 << 16, true);
	ASSERT_FALSE(IS_ERR(self->mm));
	self->g = &self->mm->geom;
	self->cont = pb_cont_ptes(self->g);
	self->ptrs = pb_ptrs_per_table(self->g);
	self->psize = pb_page_size(self->g);
	self->block = pb_cont_size(self->g);
	ASSERT_EQ(1U << variant->cont_shift, self->cont);
}

FIXTURE_TEARDOWN(paths)
{
	atomic_set(&pb_fail_nth, 0);
	while (self->nr_kids)
		pb_mm_destroy(self->kids[--self->nr_kids]);
	if (!IS_ERR_OR_NULL(self->other))
		pb_mm_destroy(self->other);
	if (!IS_ERR_OR_NULL(self->mm))
		pb_mm_destroy(self->mm);
	nt_check_leaks(_metadata);
}

/* --- Helpers ------------------------------------------------------------------ */

static u64 va_of(struct _test_data_paths *self, u64 page)
{
	return NT_VA + page * self->psize;
}

static pb_pte_t *ptep_of(struct pb_mm *mm, u64 va)
{
	return pb_pte_offset(mm, va, false);
}

/* The raw descriptor at @va, 0 where no table is. */
static pb_pte_t raw_at(struct pb_mm *mm, u64 va)
{
	pb_pte_t *ptep = ptep_of(mm, va);

	return ptep ? *ptep : 0;
}

/* What ptep_get() returns at @va. */
static pb_pte_t pte_at(struct pb_mm *mm, u64 va)
{
	pb_pte_t *ptep = ptep_of(mm, va);

	return ptep ? pb_ptep_get(mm, va, ptep) : 0;
}

static u64 pfn_at(struct pb_mm *mm, u64 va)
{
	return pb_pte_pfn(&mm->geom, raw_at(mm, va));
}

/* The head page of the folio mapped at @va, and its PFN. */
static struct pb_page *folio_at(struct pb_mm *mm, u64 va, u64 *head_pfn)
{
	return pb_page_folio(mm->phys, pfn_at(mm, va), head_pfn);
}

/* The page mapped at @va. */
static struct pb_page *page_at(struct pb_mm *mm, u64 va)
{
	return pb_pfn_to_page(mm->phys, pfn_at(mm, va));
}

/* How many of @nr entries from @va are valid and contiguous. */
static unsigned int nr_cont(struct pb_mm *mm, u64 va, unsigned int nr)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr; i++)
		n += pb_pte_valid_cont(raw_at(mm, va + ((u64)i << mm->geom.page_shift)));
	return n;
}

/* How many of @nr entries from @va are writable, as ptep_get() says. */
static unsigned int nr_writable(struct pb_mm *mm, u64 va, unsigned int nr)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr; i++)
		n += pb_pte_write(pte_at(mm, va + ((u64)i << mm->geom.page_shift)));
	return n;
}

static void add_vma(struct __test_metadata *_metadata, struct pb_mm *mm, u64 start,
		    u64 len, u32 flags)
{
	const char *why = NULL;

	ASSERT_EQ(0, pb_vma_add(mm, start, start + len, flags, &why))
		TH_LOG("pb_vma_add: %s", why);
}

static void populate(struct __test_metadata *_metadata, struct pb_mm *mm, u64 va,
		     u64 len, unsigned int order)
{
	const char *why = NULL;

	ASSERT_EQ(0, pb_populate(mm, va, va + len, order, false, &why))
		TH_LOG("pb_populate: %s", why);
}

static struct pb_mm *fork_child(struct __test_metadata *_metadata,
				struct _test_data_paths *self, struct pb_mm *parent)
{
	const char *why = NULL;
	struct pb_mm *child;

	child = pb_fork(parent, 1 + self->nr_kids, &why);
	if (IS_ERR(child)) {
		TH_LOG("fork: %s", why);
		return NULL;
	}
	self->kids[self->nr_kids++] = child;
	return child;
}

/* The last child forked, destroyed now (an exit). */
static void exit_child(struct _test_data_paths *self)
{
	pb_mm_destroy(self->kids[--self->nr_kids]);
}

/* A second mm of the same geometry, with backing pages or not. */
static struct pb_mm *other_mm(struct _test_data_paths *self, bool backing)
{
	struct pb_mm_params p = {
		.page_kb = self->psize >> 10, .va_bits = 48, .pa_bits = 48,
		.base_pfn = 1 << 20, .arena_pages = 1 << 16, .backing = backing,
		.check = true,
	};
	const char *why = NULL;

	self->other = pb_mm_create(&p, 0, &why);
	return IS_ERR(self->other) ? NULL : self->other;
}

/*
 * A user access as the touch command makes it: the CPU's, and on a fault the
 * kernel's handling and a retry.  0, or the fault's error.
 */
static int touch(struct pb_mm *mm, u64 va, bool write, u64 *val)
{
	const char *why = NULL;
	int ret;

	if (!pb_access(mm, va, write, val))
		return 0;
	ret = pb_handle_fault(mm, va, write, &why);
	if (ret)
		return ret;
	return pb_access(mm, va, write, val) ? -EIO : 0;
}

/* Write every page of [va, va + nr pages); the write faults that took. */
static u64 write_all(struct __test_metadata *_metadata, struct pb_mm *mm, u64 va,
		     unsigned int nr)
{
	u64 before = mm->counters[PB_MMC_write_faults], val = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		EXPECT_EQ(0, touch(mm, va + ((u64)i << mm->geom.page_shift), true, &val))
			TH_LOG("page %u", i);
		val++;
	}
	return mm->counters[PB_MMC_write_faults] - before;
}

/* The value at @va through the page table (backing pages), or U64_MAX. */
static u64 peek(struct pb_mm *mm, u64 va)
{
	u64 val = U64_MAX;

	if (touch(mm, va, false, &val))
		return U64_MAX;
	return val;
}

static int poke(struct pb_mm *mm, u64 va, u64 val)
{
	return touch(mm, va, true, &val);
}

static int protect(struct __test_metadata *_metadata, struct pb_mm *mm, u64 start,
		   u64 end, u32 prot)
{
	const char *why = NULL;
	int ret = pb_mprotect(mm, start, end, prot, &why);

	EXPECT_EQ(0, ret) TH_LOG("mprotect: %s", why);
	return ret;
}

#define SNAP(mm, b)	memcpy(b, (mm)->counters, sizeof((mm)->counters))

static u64 delta(const struct pb_mm *mm, const u64 *before, enum pb_mm_counter c)
{
	return mm->counters[c] - before[c];
}

/* --- folio_pte_batch() ---------------------------------------------------------- */

/*
 * A batch from @page of self->mm, from the entry as ptep_get() returns it.
 * any_writable starts wrong for the first entry: the batch must set it.
 */
static unsigned int batch(struct _test_data_paths *self, u64 page, unsigned int max_nr,
			  unsigned int flags, bool *any_writable)
{
	u64 va = va_of(self, page);
	pb_pte_t *ptep = ptep_of(self->mm, va), pte = pb_ptep_get(self->mm, va, ptep);

	*any_writable = !pb_pte_write(pte);
	return pb_folio_pte_batch(self->mm, va, ptep, pte, max_nr, flags, any_writable);
}

/* Rewrite the entry of @page with @fn applied, or with @set and @clear bits. */
static void rewrite(struct _test_data_paths *self, u64 page,
		    pb_pte_t (*fn)(pb_pte_t pte), pb_pte_t set, pb_pte_t clear)
{
	u64 va = va_of(self, page);
	pb_pte_t *ptep = ptep_of(self->mm, va), pte = *ptep;

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
	add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	a = nt_folio(mm, 3);
	b = nt_folio(mm, 3);
	c = nt_folio(mm, 3);
	d = nt_folio(mm, 3);
	ASSERT_NE(NT_NO_FOLIO, d);
	/* A fresh arena hands out folios in PFN order: b's PFNs follow a's. */
	ASSERT_EQ(a + 8, b);
	nt_map(mm, va_of(self, 0), a, 0, 8, prot);
	nt_map(mm, va_of(self, 8), b, 0, 8, prot);
	/* c: pages 0-2, an empty entry, pages 4-7. */
	nt_map(mm, va_of(self, 16), c, 0, 3, prot);
	nt_map(mm, va_of(self, 20), c, 4, 4, prot);
	/* d: pages 0-3, then page 5 where page 4 would be. */
	nt_map(mm, va_of(self, 24), d, 0, 4, prot);
	nt_map(mm, va_of(self, 28), d, 5, 3, prot);

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
 * The write bit ends a batch only with RESPECT_WRITE, dirty only without
 * IGNORE_DIRTY, soft-dirty only without IGNORE_SOFT_DIRTY; young never.
 * any_writable is the OR over the batch, and only over the batch.
 */
TEST_F(paths, folio_pte_batch_respects_and_ignores_bits)
{
	const unsigned int all = PB_FPB_IGNORE_DIRTY | PB_FPB_IGNORE_SOFT_DIRTY;
	pb_pte_t prot = nt_prot_rw(self->g);
	struct pb_mm *mm = self->mm;
	u64 f[6];
	unsigned int i;
	bool w;

	mm->knobs[PB_KNOB_contpte] = 0;
	add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		f[i] = nt_folio(mm, 3);
		ASSERT_NE(NT_NO_FOLIO, f[i]);
		nt_map(mm, va_of(self, 8 * i), f[i], 0, 8,
		       i == 4 ? prot | PB_PTE_SOFT_DIRTY : prot);
	}
	/* Folio 1 stays writable: its PFNs follow folio 0's. */
	ASSERT_EQ(f[0] + 8, f[1]);
	for (i = 4; i < 8; i++) {
		/* Folio 0: the second half write-protected (dirty stays). */
		rewrite(self, i, pb_pte_wrprotect, 0, 0);
		/* Folio 2: the second half clean, still writable. */
		rewrite(self, 16 + i, pb_pte_mkclean, 0, 0);
		/* Folio 3: the second half old. */
		rewrite(self, 24 + i, pb_pte_mkold, 0, 0);
		/* Folio 4: the second half not soft-dirty. */
		rewrite(self, 32 + i, NULL, 0, PB_PTE_SOFT_DIRTY);
		/* Folio 5: the first half write-protected. */
		rewrite(self, 40 + i - 4, pb_pte_wrprotect, 0, 0);
	}

	/* Write: ignored unless respected; any_writable ORs what was batched. */
	EXPECT_EQ(8, batch(self, 0, 48, 0, &w));
	EXPECT_TRUE(w);
	EXPECT_EQ(8, batch(self, 0, 48, all, &w));
	EXPECT_EQ(4, batch(self, 0, 48, PB_FPB_RESPECT_WRITE, &w));
	EXPECT_TRUE(w);
	EXPECT_EQ(4, batch(self, 4, 44, PB_FPB_RESPECT_WRITE, &w));
	EXPECT_FALSE(w);
	/* Read-only to the folio's end: folio 1's writable pages are not ORed. */
	EXPECT_EQ(4, batch(self, 4, 44, 0, &w));
	EXPECT_FALSE(w);
	/* Read-only first, writable later: merged without RESPECT_WRITE. */
	EXPECT_EQ(8, batch(self, 40, 8, 0, &w));
	EXPECT_TRUE(w);
	EXPECT_EQ(4, batch(self, 40, 8, PB_FPB_RESPECT_WRITE, &w));
	EXPECT_FALSE(w);

	/* Dirty: respected unless ignored, also with the write bit respected. */
	EXPECT_EQ(4, batch(self, 16, 32, 0, &w));
	EXPECT_EQ(4, batch(self, 16, 32, PB_FPB_RESPECT_WRITE, &w));
	EXPECT_EQ(8, batch(self, 16, 32, PB_FPB_IGNORE_DIRTY, &w));
	EXPECT_EQ(8, batch(self, 16, 32, PB_FPB_IGNORE_DIRTY | PB_FPB_RESPECT_WRITE, &w));
	EXPECT_TRUE(w);

	/* Young: always ignored. */
	EXPECT_EQ(8, batch(self, 24, 24, 0, &w));
	EXPECT_EQ(8, batch(self, 24, 24, PB_FPB_RESPECT_WRITE, &w));

	/* Soft-dirty: respected unless ignored. */
	EXPECT_EQ(4, batch(self, 32, 16, 0, &w));
	EXPECT_EQ(4, batch(self, 32, 16, PB_FPB_IGNORE_DIRTY, &w));
	EXPECT_EQ(8, batch(self, 32, 16, PB_FPB_IGNORE_SOFT_DIRTY, &w));
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

	add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	populate(_metadata, mm, NT_VA, 4 * self->block, order);
	ASSERT_EQ(4 * cont, nr_cont(mm, NT_VA, 4 * cont));

	EXPECT_EQ(2 * cont, batch(self, 0, 4 * cont, 0, &w));
	EXPECT_EQ(2 * cont - 3, batch(self, 3, 4 * cont - 3, 0, &w));
	EXPECT_EQ(cont - 2, batch(self, 3, cont - 2, 0, &w));
	EXPECT_EQ(cont, batch(self, 3, cont, 0, &w));
	EXPECT_EQ(1, batch(self, 2 * cont - 1, 2 * cont + 1, 0, &w));

	/* Block 1 write-protected whole, in place: still contiguous. */
	pb_wrprotect_ptes(mm, va_of(self, cont), ptep_of(mm, va_of(self, cont)), cont);
	pb_flush_tlb_range(mm, va_of(self, cont), va_of(self, 2 * cont));
	EXPECT_EQ(4 * cont, nr_cont(mm, NT_VA, 4 * cont));
	EXPECT_EQ(2 * cont, batch(self, 0, 4 * cont, 0, &w));
	EXPECT_TRUE(w);
	EXPECT_EQ(cont, batch(self, 0, 4 * cont, PB_FPB_RESPECT_WRITE, &w));
	EXPECT_TRUE(w);
	EXPECT_EQ(cont, batch(self, cont, 3 * cont, 0, &w));
	EXPECT_FALSE(w);

	/* Block 3 cleaned: it batches with block 2 only when dirty is ignored. */
	pb_clear_young_dirty_ptes(mm, va_of(self, 3 * cont), ptep_of(mm, va_of(self, 3 * cont)),
				  cont, false, true);
	pb_flush_tlb_range(mm, va_of(self, 3 * cont), va_of(self, 4 * cont));
	EXPECT_EQ(cont, batch(self, 2 * cont, 2 * cont, 0, &w));
	EXPECT_EQ(2 * cont, batch(self, 2 * cont, 2 * cont, PB_FPB_IGNORE_DIRTY, &w));
	/* A write whose dirty state lands on the block's last entry. */
	mm->knobs[PB_KNOB_ad_policy] = PB_AD_LAST;
	ASSERT_EQ(0, pb_access(mm, va_of(self, 3 * cont + 1), true, NULL));
	EXPECT_FALSE(pb_pte_dirty(raw_at(mm, va_of(self, 3 * cont))));
	EXPECT_TRUE(pb_pte_dirty(raw_at(mm, va_of(self, 4 * cont - 1))));
	EXPECT_EQ(2 * cont, batch(self, 2 * cont, 2 * cont, 0, &w));
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

		SNAP(self->mm, before);
		pb_count_batch(self->mm, t[i].nr);
		for (c = PB_MMC_batch_size_1; c <= PB_MMC_batch_size_pmd; c++) {
			EXPECT_EQ(c == t[i].c, delta(self->mm, before, c))
				TH_LOG("nr %u: %s", t[i].nr, pb_mm_counter_names[c]);
			sum += delta(self->mm, before, c);
		}
	}
	EXPECT_EQ(ARRAY_SIZE(t), sum);
}

/* --- Fork ----------------------------------------------------------------------- */

#define FORK_BLOCKS	4

/*
 * Four folios, one per block, folded; fork.  Both ways leave the same folios
 * and the same child entries; the counters show what batching saves.
 */
static struct pb_mm *fork_blocks(struct __test_metadata *_metadata,
				 struct _test_data_paths *self, bool batched,
				 u64 *before)
{
	unsigned int cont = self->cont, pages = FORK_BLOCKS * cont, i;
	struct pb_mm *mm = self->mm, *child;

	mm->knobs[PB_KNOB_batch] = batched;
	add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
	populate(_metadata, mm, NT_VA, FORK_BLOCKS * self->block, self->g->cont_shift);
	EXPECT_EQ(pages, nr_cont(mm, NT_VA, pages));
	SNAP(mm, before);
	child = fork_child(_metadata, self, mm);
	if (!child)
		return NULL;
	for (i = 0; i < pages; i++) {
		u64 va = va_of(self, i), head;
		struct pb_page *folio = folio_at(mm, va, &head);
		pb_pte_t p = pte_at(mm, va), c = pte_at(child, va);

		EXPECT_EQ(pfn_at(mm, va), pfn_at(child, va)) TH_LOG("page %u", i);
		EXPECT_EQ(2 * cont, folio->refcount) TH_LOG("page %u", i);
		EXPECT_EQ(2 * cont, folio->large_mapcount) TH_LOG("page %u", i);
		EXPECT_EQ(2, page_at(mm, va)->mapcount) TH_LOG("page %u", i);
		EXPECT_FALSE(page_at(mm, va)->flags & PB_PG_ANON_EXCLUSIVE) TH_LOG("page %u", i);
		/* Both read-only and dirty; the child's entries are old and folded. */
		EXPECT_FALSE(pb_pte_write(p)) TH_LOG("page %u", i);
		EXPECT_FALSE(pb_pte_write(c)) TH_LOG("page %u", i);
		EXPECT_TRUE(pb_pte_dirty(p) && pb_pte_dirty(c)) TH_LOG("page %u", i);
		EXPECT_FALSE(pb_pte_young(c)) TH_LOG("page %u", i);
		EXPECT_TRUE(pb_pte_valid_cont(raw_at(child, va))) TH_LOG("page %u", i);
	}
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, pb_check_mm(child));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	EXPECT_EQ(0, child->counters[PB_MMC_violations]);
	return child;
}

TEST_F(paths, fork_batched_keeps_the_parent_folded)
{
	unsigned int cont = self->cont, pages = FORK_BLOCKS * cont;
	u64 before[PB_NR_MM_COUNTERS];
	struct pb_mm *mm = self->mm;
	struct pb_mm *child = fork_blocks(_metadata, self, true, before);

	ASSERT_NE(NULL, child);
	/* Parent: each block write-protected whole, in place; one TLBI for the mm. */
	EXPECT_EQ(pages, nr_cont(mm, NT_VA, pages));
	EXPECT_EQ(FORK_BLOCKS, delta(mm, before, PB_MMC_wrprotect_whole_blocks));
	EXPECT_EQ(0, delta(mm, before, PB_MMC_wrprotect_partial_blocks));
	EXPECT_EQ(0, delta(mm, before, PB_MMC_unfolds));
	EXPECT_EQ(0, delta(mm, before, PB_MMC_converts));
	EXPECT_EQ(pages, delta(mm, before, PB_MMC_pte_writes));
	EXPECT_EQ(1, delta(mm, before, PB_MMC_tlbi_mm));
	EXPECT_EQ(0, delta(mm, before, PB_MMC_tlbi_range));
	EXPECT_EQ(0, delta(mm, before, PB_MMC_tlbi_page));
	/* Child: one refcount add and one rmap dup per batch; set_ptes() folds. */
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_refcount_atomics]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_mapcount_atomics]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_batch_size_cont]);
	EXPECT_EQ(0, child->counters[PB_MMC_batch_size_1]);
	EXPECT_EQ(pages, child->counters[PB_MMC_ptes_copied]);
	EXPECT_EQ(pages, child->counters[PB_MMC_pte_writes]);
	EXPECT_EQ(0, child->counters[PB_MMC_folds]);
	EXPECT_EQ(0, child->counters[PB_MMC_converts]);
	EXPECT_EQ(0, child->counters[PB_MMC_pinned_fallbacks]);
}

TEST_F(paths, fork_per_pte_unfolds_every_block)
{
	unsigned int cont = self->cont, pages = FORK_BLOCKS * cont;
	u64 before[PB_NR_MM_COUNTERS];
	struct pb_mm *mm = self->mm;
	struct pb_mm *child = fork_blocks(_metadata, self, false, before);

	ASSERT_NE(NULL, child);
	/* Parent: ptep_set_wrprotect() unfolds each block on its first entry. */
	EXPECT_EQ(0, nr_cont(mm, NT_VA, pages));
	EXPECT_EQ(FORK_BLOCKS, delta(mm, before, PB_MMC_unfolds));
	EXPECT_EQ(FORK_BLOCKS, delta(mm, before, PB_MMC_converts));
	EXPECT_EQ(0, delta(mm, before, PB_MMC_wrprotect_whole_blocks));
	EXPECT_EQ(0, delta(mm, before, PB_MMC_wrprotect_partial_blocks));
	/* An unfold clears and sets the block, then each entry is protected. */
	EXPECT_EQ(3 * pages, delta(mm, before, PB_MMC_pte_writes));
	EXPECT_EQ(FORK_BLOCKS, delta(mm, before, PB_MMC_tlbi_range));
	EXPECT_EQ(1, delta(mm, before, PB_MMC_tlbi_mm));
	/* Child: one PTE at a time, each block folded again on its last entry. */
	EXPECT_EQ(pages, child->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(pages, child->counters[PB_MMC_batch_size_1]);
	EXPECT_EQ(0, child->counters[PB_MMC_batch_size_cont]);
	EXPECT_EQ(pages, child->counters[PB_MMC_refcount_atomics]);
	EXPECT_EQ(pages, child->counters[PB_MMC_mapcount_atomics]);
	EXPECT_EQ(pages, child->counters[PB_MMC_ptes_copied]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_fold_attempts]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_folds]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_converts]);
	EXPECT_EQ(FORK_BLOCKS, child->counters[PB_MMC_tlbi_range]);
	EXPECT_EQ(3 * pages, child->counters[PB_MMC_pte_writes]);
}

/* One folio of each bucket's size, forked batched and then one PTE at a time. */
TEST_F(paths, fork_fills_each_bucket_of_the_histogram)
{
	unsigned int cont = self->cont, ptrs = self->ptrs, cs = variant->cont_shift;
	unsigned int pages = 1 + 2 + cont + 2 * cont + ptrs;
	struct pb_mm *mm = self->mm, *child;
	u64 before[PB_NR_MM_COUNTERS], total = 0, others = 0;
	enum pb_mm_counter c;

	add_vma(_metadata, mm, NT_VA, 2ULL * ptrs * self->psize, RW_ANON);
	populate(_metadata, mm, va_of(self, 0), self->psize, 0);
	populate(_metadata, mm, va_of(self, 2), 2 * self->psize, 1);
	populate(_metadata, mm, va_of(self, cont), self->block, cs);
	populate(_metadata, mm, va_of(self, 2 * cont), 2 * self->block, cs + 1);
	populate(_metadata, mm, va_of(self, ptrs), (u64)ptrs * self->psize, pb_pmd_order(self->g));
	SNAP(mm, before);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	for (c = PB_MMC_batch_size_1; c <= PB_MMC_batch_size_pmd; c++) {
		EXPECT_EQ(1, child->counters[c]) TH_LOG("%s", pb_mm_counter_names[c]);
		total += child->counters[c];
	}
	EXPECT_EQ(5, total);
	EXPECT_EQ(5, child->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(5, child->counters[PB_MMC_refcount_atomics]);
	EXPECT_EQ(pages, child->counters[PB_MMC_ptes_copied]);
	/* The blocks of the three folded folios stay folded in the parent. */
	EXPECT_EQ(1 + 2 + ptrs / cont, delta(mm, before, PB_MMC_wrprotect_whole_blocks));
	EXPECT_EQ(0, delta(mm, before, PB_MMC_unfolds));

	mm->knobs[PB_KNOB_batch] = 0;
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(pages, child->counters[PB_MMC_batch_size_1]);
	for (c = PB_MMC_batch_size_small; c <= PB_MMC_batch_size_pmd; c++) {
		EXPECT_EQ(0, child->counters[c]) TH_LOG("%s", pb_mm_counter_names[c]);
		others += child->counters[c];
	}
	EXPECT_EQ(0, others);
	EXPECT_EQ(pages, child->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/* Order-0 folios never batch: both ways count alike. */
TEST_F(paths, fork_of_order0_pages_is_the_same_either_way)
{
	static const enum pb_mm_counter same[] = {
		PB_MMC_fork_batches, PB_MMC_batch_size_1, PB_MMC_refcount_atomics,
		PB_MMC_mapcount_atomics, PB_MMC_ptes_copied, PB_MMC_pte_writes,
		PB_MMC_folds, PB_MMC_unfolds, PB_MMC_converts,
	};
	unsigned int pages = 2 * self->cont, i;
	struct pb_mm *mms[2] = { self->mm, other_mm(self, false) }, *kids[2];

	ASSERT_NE(NULL, mms[1]);
	mms[1]->knobs[PB_KNOB_batch] = 0;
	for (i = 0; i < 2; i++) {
		add_vma(_metadata, mms[i], NT_VA, 2 * self->block, RW_ANON);
		populate(_metadata, mms[i], NT_VA, 2 * self->block, 0);
		kids[i] = fork_child(_metadata, self, mms[i]);
		ASSERT_NE(NULL, kids[i]);
	}
	for (i = 0; i < ARRAY_SIZE(same); i++) {
		EXPECT_EQ(kids[0]->counters[same[i]], kids[1]->counters[same[i]])
			TH_LOG("child %s", pb_mm_counter_names[same[i]]);
		EXPECT_EQ(mms[0]->counters[same[i]], mms[1]->counters[same[i]])
			TH_LOG("parent %s", pb_mm_counter_names[same[i]]);
	}
	EXPECT_EQ(pages, kids[0]->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(pages, kids[0]->counters[PB_MMC_batch_size_1]);
	EXPECT_EQ(pages, kids[0]->counters[PB_MMC_refcount_atomics]);
	EXPECT_EQ(pages, kids[0]->counters[PB_MMC_mapcount_atomics]);
	EXPECT_EQ(0, kids[0]->counters[PB_MMC_folds]);
	EXPECT_EQ(0, pb_check_mm(mms[0]));
	EXPECT_EQ(0, pb_check_mm(mms[1]));
}

/*
 * A shared VMA: the parent stays as it is, writable where it was, and the
 * child's entries are clean and old.  The batch respects the write bit (the
 * model's departure from upstream's any_writable merge), so a clean read-only
 * run stays read-only in the child, as per-PTE fork leaves it: both children
 * are identical.
 */
TEST_F(paths, fork_of_a_shared_vma_cleans_the_child_and_keeps_write_bits)
{
	unsigned int cont = self->cont, half = cont / 2, pages = 2 * cont, i;
	struct pb_mm *mm = self->mm, *a, *b;
	pb_pte_t before_ptes[2 * 128];
	u64 before[PB_NR_MM_COUNTERS];

	add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_SHARED);
	populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift + 1);
	/* Writeback of the second half of block 0: read-only and clean. */
	pb_wrprotect_ptes(mm, va_of(self, half), ptep_of(mm, va_of(self, half)), half);
	pb_clear_young_dirty_ptes(mm, va_of(self, half), ptep_of(mm, va_of(self, half)),
				  half, false, true);
	pb_flush_tlb_range(mm, va_of(self, half), va_of(self, cont));
	EXPECT_EQ(cont, nr_cont(mm, NT_VA, pages));
	EXPECT_EQ(pages - half, nr_writable(mm, NT_VA, pages));
	for (i = 0; i < pages; i++)
		before_ptes[i] = raw_at(mm, va_of(self, i));
	SNAP(mm, before);

	a = fork_child(_metadata, self, mm);
	mm->knobs[PB_KNOB_batch] = 0;
	b = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	/* The parent was not touched: no write, no unfold. */
	EXPECT_EQ(0, delta(mm, before, PB_MMC_pte_writes));
	EXPECT_EQ(0, delta(mm, before, PB_MMC_unfolds));
	for (i = 0; i < pages; i++) {
		u64 va = va_of(self, i);
		pb_pte_t pte = raw_at(a, va);

		EXPECT_EQ(before_ptes[i], raw_at(mm, va)) TH_LOG("page %u", i);
		EXPECT_EQ(pte, raw_at(b, va)) TH_LOG("page %u", i);
		EXPECT_EQ(pb_pte_write(before_ptes[i]), pb_pte_write(pte)) TH_LOG("page %u", i);
		EXPECT_FALSE(pb_pte_dirty(pte)) TH_LOG("page %u", i);
		EXPECT_FALSE(pb_pte_young(pte)) TH_LOG("page %u", i);
		EXPECT_EQ(i >= cont, pb_pte_valid_cont(pte)) TH_LOG("page %u", i);
	}
	/* Batched: the writable half, the read-only half, the folded block. */
	EXPECT_EQ(3, a->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(2, a->counters[PB_MMC_batch_size_small]);
	EXPECT_EQ(1, a->counters[PB_MMC_batch_size_cont]);
	EXPECT_EQ(3, a->counters[PB_MMC_refcount_atomics]);
	EXPECT_EQ(3, a->counters[PB_MMC_mapcount_atomics]);
	EXPECT_EQ(pages, a->counters[PB_MMC_ptes_copied]);
	/* Per PTE: block 0 cannot fold (mixed write bits), block 1 folds. */
	EXPECT_EQ(pages, b->counters[PB_MMC_fork_batches]);
	EXPECT_EQ(pages, b->counters[PB_MMC_batch_size_1]);
	EXPECT_EQ(2, b->counters[PB_MMC_fold_attempts]);
	EXPECT_EQ(1, b->counters[PB_MMC_folds]);
	EXPECT_EQ(3 * pages, folio_at(mm, NT_VA, NULL)->refcount);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * uffd-wp reaches the child only where its VMA is registered; a VMA that is
 * not (as a child without UFFD_FEATURE_EVENT_FORK has) loses the bit, and a
 * write there copies without a uffd fault.
 */
TEST_F(paths, fork_keeps_uffd_wp_only_in_registered_vmas)
{
	const u32 uffd = RW_ANON | PB_VM_UFFD_WP;
	unsigned int cont = self->cont, round, i;
	u64 va_b = va_of(self, 4 * cont);
	struct pb_mm *mm = self->mm;
	const char *why = NULL;

	add_vma(_metadata, mm, NT_VA, 2 * self->block, uffd);
	add_vma(_metadata, mm, va_b, 2 * self->block, uffd);
	populate(_metadata, mm, NT_VA, self->block, variant->cont_shift);
	populate(_metadata, mm, va_b, self->block, variant->cont_shift);
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, NT_VA + self->block, true, &why)) TH_LOG("%s", why);
	ASSERT_EQ(0, pb_uffd_wp(mm, va_b, va_b + self->block, true, &why)) TH_LOG("%s", why);
	pb_vma_find(mm, va_b)->flags &= ~PB_VM_UFFD_WP;

	for (round = 0; round < 2; round++) {
		bool batched = !round;
		struct pb_mm *child;

		mm->knobs[PB_KNOB_batch] = batched;
		child = fork_child(_metadata, self, mm);
		ASSERT_NE(NULL, child);
		for (i = 0; i < cont; i++) {
			u64 off = (u64)i * self->psize;

			EXPECT_TRUE(raw_at(mm, NT_VA + off) & PB_PTE_UFFD_WP) TH_LOG("page %u", i);
			EXPECT_TRUE(raw_at(mm, va_b + off) & PB_PTE_UFFD_WP) TH_LOG("page %u", i);
			EXPECT_TRUE(raw_at(child, NT_VA + off) & PB_PTE_UFFD_WP)
				TH_LOG("batch %d page %u", batched, i);
			EXPECT_FALSE(raw_at(child, va_b + off) & PB_PTE_UFFD_WP)
				TH_LOG("batch %d page %u", batched, i);
		}
		EXPECT_EQ(0, nr_writable(child, NT_VA, cont));
		EXPECT_EQ(0, nr_writable(child, va_b, cont));
		/* A write: a uffd fault first where registered, then the copy. */
		EXPECT_EQ(0, poke(child, NT_VA, 1));
		EXPECT_EQ(0, poke(child, va_b, 1));
		EXPECT_EQ(1, child->counters[PB_MMC_uffd_wp_faults]);
		EXPECT_EQ(2, child->counters[PB_MMC_cow_copies]);
		EXPECT_EQ(0, pb_check_mm(child));
		exit_child(self);
	}
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * A pin anywhere in a large folio makes each of its exclusive pages "maybe
 * pinned" (folio_maybe_dma_pinned() is per folio): fork gives the child a copy
 * of every one, with the data, and leaves the parent's folio as it was.
 */
TEST_F(paths, fork_copies_every_exclusive_page_of_a_pinned_folio)
{
	unsigned int cont = self->cont, round, i;
	struct pb_mm *mm = other_mm(self, true);
	const char *why = NULL;
	u64 head, folios;

	ASSERT_NE(NULL, mm);
	add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	populate(_metadata, mm, NT_VA, self->block, variant->cont_shift);
	populate(_metadata, mm, va_of(self, cont), self->psize, 0);
	for (i = 0; i <= cont; i++)
		ASSERT_EQ(0, poke(mm, va_of(self, i), 0x1000 + i));
	ASSERT_EQ(0, pb_pin(mm, va_of(self, 1), va_of(self, 2), true, &why)) TH_LOG("%s", why);
	folio_at(mm, NT_VA, &head);
	folios = mm->phys->live_folios;

	for (round = 0; round < 2; round++) {
		bool batched = !round;
		u64 before[PB_NR_MM_COUNTERS];
		struct pb_mm *child;

		mm->knobs[PB_KNOB_batch] = batched;
		SNAP(mm, before);
		child = fork_child(_metadata, self, mm);
		ASSERT_NE(NULL, child);
		EXPECT_EQ(cont, child->counters[PB_MMC_pinned_fallbacks]);
		EXPECT_EQ(folios + cont, mm->phys->live_folios);
		/*
		 * Batched: the batch's add and sub, then an add and a sub per
		 * page; per PTE only the latter.  The order-0 page: one add.
		 */
		EXPECT_EQ((batched ? 2 : 0) + 2 * cont + 1,
			  child->counters[PB_MMC_refcount_atomics]);
		EXPECT_EQ(cont + 1, child->counters[PB_MMC_mapcount_atomics]);
		EXPECT_EQ(1, child->counters[PB_MMC_fork_batches]);
		EXPECT_EQ(1, child->counters[PB_MMC_ptes_copied]);
		/* The parent's pinned folio: untouched, still folded and writable. */
		EXPECT_EQ(cont + 1, pb_pfn_to_page(mm->phys, head)->refcount);
		EXPECT_EQ(1, pb_pfn_to_page(mm->phys, head)->pincount);
		EXPECT_EQ(cont, nr_cont(mm, NT_VA, cont));
		EXPECT_EQ(cont, nr_writable(mm, NT_VA, cont));
		EXPECT_EQ(0, delta(mm, before, PB_MMC_unfolds));
		/* Only the order-0 page was write-protected. */
		EXPECT_EQ(1, delta(mm, before, PB_MMC_pte_writes));
		for (i = 0; i < cont; i++) {
			u64 va = va_of(self, i);

			EXPECT_NE(pfn_at(mm, va), pfn_at(child, va)) TH_LOG("page %u", i);
			EXPECT_TRUE(page_at(mm, va)->flags & PB_PG_ANON_EXCLUSIVE)
				TH_LOG("page %u", i);
			EXPECT_TRUE(page_at(child, va)->flags & PB_PG_ANON_EXCLUSIVE)
				TH_LOG("page %u", i);
			EXPECT_EQ(0x1000 + i, peek(child, va)) TH_LOG("page %u", i);
		}
		EXPECT_EQ(pfn_at(mm, va_of(self, cont)), pfn_at(child, va_of(self, cont)));
		/* Each side writes its own copy. */
		EXPECT_EQ(0, poke(child, va_of(self, 2), 0xc0de));
		EXPECT_EQ(0, poke(mm, va_of(self, 3), 0xbeef));
		EXPECT_EQ(0x1002, peek(mm, va_of(self, 2)));
		EXPECT_EQ(0x1003, peek(child, va_of(self, 3)));
		EXPECT_EQ(0, child->counters[PB_MMC_write_faults]);
		EXPECT_EQ(0, pb_check_mm(child));
		exit_child(self);
		EXPECT_EQ(folios, mm->phys->live_folios);
		/* The next round starts where this one did: page 3, the order-0 page. */
		ASSERT_EQ(0, poke(mm, va_of(self, 3), 0x1003));
		ASSERT_EQ(0, poke(mm, va_of(self, cont), 0x1000 + cont));
	}
	ASSERT_EQ(0, pb_pin(mm, va_of(self, 1), va_of(self, 2), false, &why)) TH_LOG("%s", why);
	EXPECT_EQ(cont, pb_pfn_to_page(mm->phys, head)->refcount);
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * copy_present_page() keeps uffd-wp in the child's copy where the child's VMA
 * is registered (pte_mkuffd_wp(): read-only too).  The model maps the copy
 * writable and without it, so the child's writes bypass the handler.
 */
TEST_F(paths, fork_copy_of_a_pinned_page_keeps_uffd_wp)
{
	unsigned int cont = self->cont, wp = 0, writable = 0, i;
	struct pb_mm *mm = self->mm, *child;
	const char *why = NULL;

	add_vma(_metadata, mm, NT_VA, self->block, RW_ANON | PB_VM_UFFD_WP);
	populate(_metadata, mm, NT_VA, self->block, variant->cont_shift);
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, NT_VA + self->block, true, &why)) TH_LOG("%s", why);
	ASSERT_EQ(0, pb_pin(mm, NT_VA, va_of(self, 1), true, &why)) TH_LOG("%s", why);
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	EXPECT_EQ(cont, child->counters[PB_MMC_pinned_fallbacks]);
	for (i = 0; i < cont; i++) {
		wp += !!(raw_at(child, va_of(self, i)) & PB_PTE_UFFD_WP);
		writable += pb_pte_write(raw_at(child, va_of(self, i)));
	}
	EXPECT_EQ(cont, wp);
	EXPECT_EQ(0, writable);
	EXPECT_EQ(cont, write_all(_metadata, child, NT_VA, cont));
	EXPECT_EQ(cont, child->counters[PB_MMC_uffd_wp_faults]);
	ASSERT_EQ(0, pb_pin(mm, NT_VA, va_of(self, 1), false, &why)) TH_LOG("%s", why);
}

/* --- Fork under fail_nth ---------------------------------------------------------- */

/* What a failed fork must leave of the parent, byte for byte. */
struct parent_state {
	pb_pte_t *ptes;			/* every leaf entry of the VMAs' span */
	struct pb_page *pages;		/* every page the arena ever used */
	u8 *data;			/* the backing data of the mapped pages */
	u64 counters[PB_NR_MM_COUNTERS];
	struct pb_vma vmas[PB_MAX_VMAS];
	unsigned int nr_vmas, tlb_nr, nr_mms;
	u64 deferred_len, live_folios;
	s64 live[PB_CNT_live_bytes + 1];
};

static void take_state(struct pb_mm *mm, u64 start, unsigned int nr, u64 nr_frames,
		       struct parent_state *st)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		u64 va = start + ((u64)i << g->page_shift);
		void *data = pb_page_data(mm->phys, pfn_at(mm, va));

		st->ptes[i] = raw_at(mm, va);
		if (pb_pte_present(st->ptes[i]) && data)
			memcpy(st->data + ((u64)i << g->page_shift), data, pb_page_size(g));
	}
	for (i = 0; i < nr_frames; i++) {
		st->pages[i] = *pb_pfn_to_page(mm->phys, mm->phys->base_pfn + i);
		/* Walk scratch (one union) is not the parent's state. */
		st->pages[i].seen_maps = 0;
		st->pages[i].flags &= ~PB_PG_SEEN_DIRTY;
	}
	memcpy(st->counters, mm->counters, sizeof(st->counters));
	memcpy(st->vmas, mm->vmas, sizeof(st->vmas));
	st->nr_vmas = mm->nr_vmas;
	st->tlb_nr = mm->tlb.nr;
	st->nr_mms = mm->phys->nr_mms;
	st->deferred_len = mm->phys->deferred_len;
	st->live_folios = mm->phys->live_folios;
	for (i = 0; i <= PB_CNT_live_bytes; i++)
		st->live[i] = atomic64_read(&pb_counters[i]);
}

/*
 * Fail each allocation of a fork in turn, with a pinned folio (copies to
 * allocate) and backing pages (data to allocate for them): every failure
 * leaves the parent as it was, byte for byte, and every live counter where it
 * was.  Then the fork that succeeds copies the pinned folio's pages.
 */
TEST_F(paths, fork_fails_cleanly_at_every_allocation)
{
	unsigned int cont = self->cont, nr = 9 * cont, cs = variant->cont_shift;
	struct parent_state st[2] = { };
	unsigned int nth, failures = 0, k;
	struct pb_mm *mm = other_mm(self, true), *child = NULL;
	const char *why = NULL;
	u64 frames;

	ASSERT_NE(NULL, mm);
	add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	add_vma(_metadata, mm, va_of(self, 8 * cont), self->block, RW_SHARED);
	populate(_metadata, mm, NT_VA, self->block, cs);
	populate(_metadata, mm, va_of(self, cont), self->psize, 0);
	populate(_metadata, mm, va_of(self, 2 * cont), 2 * self->block, cs + 1);
	populate(_metadata, mm, va_of(self, 8 * cont), self->block, cs);
	for (k = 0; k < nr; k++)
		if (pb_pte_present(raw_at(mm, va_of(self, k))))
			ASSERT_EQ(0, poke(mm, va_of(self, k), 0x5eed0000 + k));
	ASSERT_EQ(0, pb_pin(mm, va_of(self, 1), va_of(self, 2), true, &why)) TH_LOG("%s", why);
	frames = mm->phys->high_water;
	for (k = 0; k < 2; k++) {
		st[k].ptes = calloc(nr, sizeof(*st[k].ptes));
		st[k].pages = calloc(frames, sizeof(*st[k].pages));
		st[k].data = calloc(nr, self->psize);
		ASSERT_TRUE(st[k].ptes && st[k].pages && st[k].data);
	}
	take_state(mm, NT_VA, nr, frames, &st[0]);

	for (nth = 1; nth < 4096; nth++) {
		atomic_set(&pb_fail_nth, nth);
		child = pb_fork(mm, 1, &why);
		if (!IS_ERR(child))
			break;
		failures++;
		EXPECT_EQ(-ENOMEM, PTR_ERR(child));
		EXPECT_EQ(0, atomic_read(&pb_fail_nth));
		take_state(mm, NT_VA, nr, frames, &st[1]);
		EXPECT_EQ(0, memcmp(st[0].ptes, st[1].ptes, nr * sizeof(*st[0].ptes)))
			TH_LOG("nth %u: entries", nth);
		EXPECT_EQ(0, memcmp(st[0].pages, st[1].pages, frames * sizeof(*st[0].pages)))
			TH_LOG("nth %u: pages", nth);
		EXPECT_EQ(0, memcmp(st[0].data, st[1].data, nr * self->psize))
			TH_LOG("nth %u: data", nth);
		EXPECT_EQ(0, memcmp(st[0].counters, st[1].counters, sizeof(st[0].counters)))
			TH_LOG("nth %u: counters", nth);
		EXPECT_EQ(0, memcmp(st[0].vmas, st[1].vmas, sizeof(st[0].vmas)))
			TH_LOG("nth %u: VMAs", nth);
		EXPECT_EQ(st[0].nr_vmas, st[1].nr_vmas);
		EXPECT_EQ(st[0].tlb_nr, st[1].tlb_nr);
		EXPECT_EQ(st[0].nr_mms, st[1].nr_mms);
		EXPECT_EQ(st[0].deferred_len, st[1].deferred_len);
		EXPECT_EQ(st[0].live_folios, st[1].live_folios);
		for (k = 0; k <= PB_CNT_live_bytes; k++) {
			EXPECT_EQ(st[0].live[k], st[1].live[k])
				TH_LOG("nth %u: %s", nth, pb_counter_names[k]);
			EXPECT_EQ(st[0].live[k], atomic64_read(&pb_counters[k]));
		}
	}
	atomic_set(&pb_fail_nth, 0);
	ASSERT_FALSE(IS_ERR(child)) TH_LOG("fork: %s", why);
	self->kids[self->nr_kids++] = child;
	/* Every allocation failed once: at least one per pinned page's copy. */
	EXPECT_EQ(nth - 1, failures);
	EXPECT_GT(failures, cont);
	EXPECT_EQ(cont, child->counters[PB_MMC_pinned_fallbacks]);
	for (k = 0; k < nr; k++) {
		u64 va = va_of(self, k);

		if (!pb_pte_present(raw_at(mm, va)))
			continue;
		EXPECT_EQ(0x5eed0000 + k, peek(child, va)) TH_LOG("page %u", k);
		EXPECT_EQ(k < cont, pfn_at(mm, va) != pfn_at(child, va)) TH_LOG("page %u", k);
	}
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	for (k = 0; k < 2; k++) {
		free(st[k].ptes);
		free(st[k].pages);
		free(st[k].data);
	}
	ASSERT_EQ(0, pb_pin(mm, va_of(self, 1), va_of(self, 2), false, &why)) TH_LOG("%s", why);
}

/* --- Zap ---------------------------------------------------------------------------- */

/*
 * Seed 001: batched zap takes a whole large folio away in one rmap call, so it
 * never queues it for deferred split; per PTE, the first page queues it and
 * the last makes that spurious.  A half-unmapped folio is queued either way.
 */
TEST_F(paths, zap_queues_deferred_split_only_for_partly_unmapped_folios)
{
	unsigned int cont = self->cont, cs = variant->cont_shift, m;
	struct pb_mm *mms[2] = { self->mm, other_mm(self, false) };

	ASSERT_NE(NULL, mms[1]);
	mms[1]->knobs[PB_KNOB_batch] = 0;
	for (m = 0; m < 2; m++) {
		struct pb_mm *mm = mms[m];
		bool batched = !m;

		mm->knobs[PB_KNOB_gather_capacity] = PB_GATHER_MAX;
		add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
		/* F1 and F2 two blocks each, F3 one block, then an order-0 page. */
		populate(_metadata, mm, NT_VA, 4 * self->block, cs + 1);
		populate(_metadata, mm, va_of(self, 4 * cont), self->block, cs);
		populate(_metadata, mm, va_of(self, 5 * cont), self->psize, 0);

		pb_zap_range(mm, NT_VA, va_of(self, 2 * cont));
		EXPECT_EQ(batched ? 0 : 1, mm->counters[PB_MMC_deferred_split_adds]);
		EXPECT_EQ(batched ? 0 : 1, mm->counters[PB_MMC_deferred_split_spurious]);
		EXPECT_EQ(0, mm->phys->deferred_len);

		pb_zap_range(mm, va_of(self, 2 * cont), va_of(self, 3 * cont));
		EXPECT_EQ(batched ? 1 : 2, mm->counters[PB_MMC_deferred_split_adds]);
		EXPECT_EQ(batched ? 0 : 1, mm->counters[PB_MMC_deferred_split_spurious]);
		EXPECT_EQ(1, mm->phys->deferred_len);
		EXPECT_TRUE(folio_at(mm, va_of(self, 3 * cont), NULL)->flags & PB_PG_DEFERRED);

		pb_zap_range(mm, va_of(self, 4 * cont), va_of(self, 5 * cont + 1));
		EXPECT_EQ(batched ? 1 : 3, mm->counters[PB_MMC_deferred_split_adds]);
		EXPECT_EQ(batched ? 0 : 2, mm->counters[PB_MMC_deferred_split_spurious]);
		EXPECT_EQ(1, mm->phys->deferred_len);

		/* The rest of F2: the queuing was for nothing, both ways. */
		pb_zap_range(mm, va_of(self, 3 * cont), va_of(self, 4 * cont));
		EXPECT_EQ(batched ? 1 : 3, mm->counters[PB_MMC_deferred_split_adds]);
		EXPECT_EQ(batched ? 1 : 3, mm->counters[PB_MMC_deferred_split_spurious]);
		EXPECT_EQ(0, mm->phys->deferred_len);

		EXPECT_EQ(batched ? 5 : 5 * cont + 1, mm->counters[PB_MMC_zap_batches]);
		EXPECT_EQ(batched ? 0 : 5, mm->counters[PB_MMC_unfolds]);
		EXPECT_EQ(0, mm->phys->live_folios);
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	}
}

/*
 * A file folio's dirty state goes to the folio when it is unmapped:
 * get_and_clear_full_ptes() gathers it from every entry of the batch.  An
 * anon folio's data goes with its last mapping, so it is not dirtied.  A page
 * cache reference keeps each folio alive to be looked at.
 */
TEST_F(paths, zap_moves_a_file_folios_dirty_state_to_the_folio)
{
	static const struct {
		bool anon, batched, written;
	} t[] = {
		{ false, true, true }, { false, true, false }, { false, false, true },
		{ true, true, true },
	};
	unsigned int cont = self->cont, i;
	struct pb_mm *mm = self->mm;

	/* Without contpte: the dirty entry is found by the batch, not by a block. */
	mm->knobs[PB_KNOB_contpte] = 0;
	add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_SHARED);
	add_vma(_metadata, mm, va_of(self, 4 * cont), self->block, RW_ANON);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		u64 va = va_of(self, (t[i].anon ? 4 : i) * cont), head_pfn;
		u64 zaps = mm->counters[PB_MMC_zap_batches];
		struct pb_page *head;

		populate(_metadata, mm, va, self->block, variant->cont_shift);
		pb_clear_young_dirty_ptes(mm, va, ptep_of(mm, va), cont, false, true);
		pb_flush_tlb_range(mm, va, va + self->block);
		head = folio_at(mm, va, &head_pfn);
		head->refcount++;
		head->extra_refs++;
		if (t[i].written)
			ASSERT_EQ(0, pb_access(mm, va + (cont / 2) * self->psize, true, NULL));
		mm->knobs[PB_KNOB_batch] = t[i].batched;
		ASSERT_EQ(0, pb_check_mm(mm)) TH_LOG("case %u", i);
		pb_zap_range(mm, va, va + self->block);
		EXPECT_EQ(t[i].batched ? 1 : cont, mm->counters[PB_MMC_zap_batches] - zaps)
			TH_LOG("case %u", i);
		EXPECT_EQ(1, head->refcount) TH_LOG("case %u", i);
		EXPECT_EQ(0, head->large_mapcount) TH_LOG("case %u", i);
		EXPECT_EQ(t[i].written && !t[i].anon, !!(head->flags & PB_PG_DIRTY))
			TH_LOG("case %u", i);
		EXPECT_EQ(0, pb_check_mm(mm)) TH_LOG("case %u", i);
		head->extra_refs--;
		EXPECT_TRUE(pb_folio_put(mm->phys, head_pfn, 1)) TH_LOG("case %u", i);
	}
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * The mmu_gather flushes early when it holds gather_capacity pages: after
 * each run of order-0 pages that fills it, after each batch that does.
 */
TEST_F(paths, zap_flushes_when_the_gather_is_full)
{
	unsigned int cont = self->cont, pages = 2 * cont, cap = 5;
	struct pb_mm *mm = self->mm;
	u64 before[PB_NR_MM_COUNTERS];

	add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
	populate(_metadata, mm, NT_VA, 2 * self->block, 0);
	populate(_metadata, mm, va_of(self, 2 * cont), 4 * self->block, variant->cont_shift);

	mm->knobs[PB_KNOB_gather_capacity] = cap;
	SNAP(mm, before);
	pb_zap_range(mm, NT_VA, va_of(self, pages));
	EXPECT_EQ(pages / cap, delta(mm, before, PB_MMC_gather_forced_flushes));
	EXPECT_EQ(DIV_ROUND_UP(pages, cap), delta(mm, before, PB_MMC_gather_flushes));
	EXPECT_EQ(DIV_ROUND_UP(pages, cap), delta(mm, before, PB_MMC_tlbi_range));
	/* One reference drop per batch, each after its flush. */
	EXPECT_EQ(pages, delta(mm, before, PB_MMC_refcount_atomics));
	EXPECT_EQ(4, mm->phys->live_folios);

	/* Four batches of a block: every second one fills a gather of cont + 1. */
	mm->knobs[PB_KNOB_gather_capacity] = cont + 1;
	SNAP(mm, before);
	pb_zap_range(mm, va_of(self, pages), va_of(self, 6 * cont));
	EXPECT_EQ(2, delta(mm, before, PB_MMC_gather_forced_flushes));
	EXPECT_EQ(2, delta(mm, before, PB_MMC_gather_flushes));
	EXPECT_EQ(4, delta(mm, before, PB_MMC_zap_batches));
	EXPECT_EQ(0, delta(mm, before, PB_MMC_unfolds));
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
}

#define NR_WATCH	4

/* What the free hook saw when a watched folio's backing data was freed. */
static struct {
	struct pb_mm *mm;
	const void *data[NR_WATCH];
	u64 va[NR_WATCH];
	int freed[NR_WATCH];		/* order of the frees, from 1 */
	bool tlb_self[NR_WATCH];	/* the folio's own TLB entry was there */
	bool tlb_next[NR_WATCH];	/* the next folio's entry was there */
	int nr_freed;
} watch;

static void watch_malloc(const void *p, size_t size)
{
}

static void watch_free(const void *p)
{
	int i;

	for (i = 0; i < NR_WATCH; i++) {
		if (p != watch.data[i] || watch.freed[i])
			continue;
		watch.freed[i] = ++watch.nr_freed;
		watch.tlb_self[i] = pb_tlb_lookup(watch.mm, watch.va[i]);
		if (i + 1 < NR_WATCH)
			watch.tlb_next[i] = pb_tlb_lookup(watch.mm, watch.va[i + 1]);
	}
}

/*
 * A folio is freed only after the flush that covers its mappings: when its
 * backing data is freed, the TLB entry filled before the zap is gone, while
 * that of the next folio, in the next gather, is still there.
 */
TEST_F(paths, zap_frees_folios_only_after_their_flush)
{
	unsigned int cont = self->cont, i;
	struct pb_mm *mm = other_mm(self, true);
	u64 val;

	ASSERT_NE(NULL, mm);
	add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	populate(_metadata, mm, NT_VA, 4 * self->block, variant->cont_shift);
	watch.mm = mm;
	for (i = 0; i < NR_WATCH; i++) {
		u64 head;

		watch.va[i] = va_of(self, i * cont + 1);
		ASSERT_EQ(0, pb_access(mm, watch.va[i], false, &val));
		ASSERT_NE(NULL, pb_tlb_lookup(mm, watch.va[i]));
		folio_at(mm, watch.va[i], &head);
		watch.data[i] = pb_page_data(mm->phys, head);
		ASSERT_NE(NULL, watch.data[i]);
	}
	ASSERT_NE(0, __sanitizer_install_malloc_and_free_hooks(watch_malloc, watch_free));
	/* A gather of one block: each batch is flushed, then its folio freed. */
	mm->knobs[PB_KNOB_gather_capacity] = cont;
	pb_zap_range(mm, NT_VA, va_of(self, 4 * cont));
	EXPECT_EQ(NR_WATCH, watch.nr_freed);
	for (i = 0; i < NR_WATCH; i++) {
		EXPECT_EQ(i + 1, watch.freed[i]) TH_LOG("folio %u", i);
		EXPECT_FALSE(watch.tlb_self[i]) TH_LOG("folio %u", i);
		EXPECT_EQ(i + 1 < NR_WATCH, watch.tlb_next[i]) TH_LOG("folio %u", i);
	}
	EXPECT_EQ(NR_WATCH, mm->counters[PB_MMC_gather_forced_flushes]);
	EXPECT_EQ(0, mm->phys->live_folios);
	/* An access now walks the table and faults: nothing stale is left. */
	EXPECT_EQ(-EFAULT, pb_access(mm, watch.va[0], false, &val));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/* --- mprotect ----------------------------------------------------------------------- */

/* mprotect(r) then mprotect(rw) over [start, end): upgrades and refusals. */
static void ro_rw(struct __test_metadata *_metadata, struct pb_mm *mm, u64 start, u64 end,
		  u64 *avoided, u64 *denied)
{
	u64 a = mm->counters[PB_MMC_write_faults_avoided];
	u64 d = mm->counters[PB_MMC_write_upgrades_denied];

	protect(_metadata, mm, start, end, PB_VM_READ);
	EXPECT_EQ(a, mm->counters[PB_MMC_write_faults_avoided]);
	EXPECT_EQ(d, mm->counters[PB_MMC_write_upgrades_denied]);
	protect(_metadata, mm, start, end, PB_VM_READ | PB_VM_WRITE);
	*avoided = mm->counters[PB_MMC_write_faults_avoided] - a;
	*denied = mm->counters[PB_MMC_write_upgrades_denied] - d;
}

/*
 * Seed 002: RO then RW on exclusive anon memory makes every PTE writable at
 * once, whole blocks staying folded, and no write faults afterwards; without
 * the optimisation every page takes one.
 */
TEST_F(paths, mprotect_rw_spares_the_write_faults_of_exclusive_anon)
{
	unsigned int pages = 2 * self->cont, m;
	struct pb_mm *mms[2] = { self->mm, other_mm(self, false) };

	ASSERT_NE(NULL, mms[1]);
	mms[1]->knobs[PB_KNOB_mprotect_upgrade] = 0;
	for (m = 0; m < 2; m++) {
		struct pb_mm *mm = mms[m];
		u64 before[PB_NR_MM_COUNTERS], avoided, denied;
		bool upgrade = !m;

		add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
		populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift);
		SNAP(mm, before);
		ro_rw(_metadata, mm, NT_VA, va_of(self, 8 * self->cont), &avoided, &denied);
		EXPECT_EQ(upgrade ? pages : 0, avoided);
		EXPECT_EQ(0, denied);
		EXPECT_EQ(1, mm->nr_vmas);
		/* Two batches per call, one flush per call; blocks stay folded. */
		EXPECT_EQ(4, delta(mm, before, PB_MMC_mprotect_batches));
		EXPECT_EQ(2, delta(mm, before, PB_MMC_gather_flushes));
		EXPECT_EQ(2, delta(mm, before, PB_MMC_tlbi_range));
		EXPECT_EQ(0, delta(mm, before, PB_MMC_unfolds));
		EXPECT_EQ(pages, nr_cont(mm, NT_VA, pages));
		EXPECT_EQ(upgrade ? pages : 0, nr_writable(mm, NT_VA, pages));
		EXPECT_EQ(upgrade ? 0 : pages, write_all(_metadata, mm, NT_VA, pages));
		EXPECT_EQ(upgrade ? 0 : pages, delta(mm, before, PB_MMC_wp_reuses));
		EXPECT_EQ(0, delta(mm, before, PB_MMC_cow_copies));
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	}
}

/* After fork the pages are no longer exclusive: no upgrade, and writes copy. */
TEST_F(paths, mprotect_rw_upgrade_is_denied_for_shared_anon_pages)
{
	unsigned int pages = 2 * self->cont;
	struct pb_mm *mm = self->mm;
	u64 avoided, denied;

	add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift);
	ASSERT_NE(NULL, fork_child(_metadata, self, mm));
	ro_rw(_metadata, mm, NT_VA, va_of(self, pages), &avoided, &denied);
	EXPECT_EQ(0, avoided);
	EXPECT_EQ(pages, denied);
	EXPECT_EQ(0, nr_writable(mm, NT_VA, pages));
	EXPECT_EQ(pages, write_all(_metadata, mm, NT_VA, pages));
	EXPECT_EQ(pages, mm->counters[PB_MMC_cow_copies]);
	EXPECT_EQ(0, mm->counters[PB_MMC_wp_reuses]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/* With soft-dirty tracking on, only PTEs already soft-dirty may be upgraded. */
TEST_F(paths, mprotect_rw_upgrade_needs_soft_dirty_when_it_is_tracked)
{
	unsigned int pages = 2 * self->cont, half = self->cont / 2;
	struct pb_mm *mm = self->mm;
	u64 avoided, denied;

	add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift);
	pb_clear_soft_dirty(mm);
	EXPECT_TRUE(mm->vmas[0].flags & PB_VM_SOFTDIRTY);
	EXPECT_EQ(0, nr_writable(mm, NT_VA, pages));
	ro_rw(_metadata, mm, NT_VA, va_of(self, pages), &avoided, &denied);
	EXPECT_EQ(0, avoided);
	EXPECT_EQ(pages, denied);
	/* Writes make pages soft-dirty again; those are upgraded next time. */
	EXPECT_EQ(half, write_all(_metadata, mm, NT_VA, half));
	EXPECT_EQ(half, mm->counters[PB_MMC_wp_reuses]);
	ro_rw(_metadata, mm, NT_VA, va_of(self, pages), &avoided, &denied);
	EXPECT_EQ(half, avoided);
	EXPECT_EQ(pages - half, denied);
	EXPECT_EQ(pages - half, write_all(_metadata, mm, NT_VA, pages));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/* uffd-wp entries are never upgraded: the write must reach the handler. */
TEST_F(paths, mprotect_rw_upgrade_is_denied_under_uffd_wp)
{
	unsigned int pages = 2 * self->cont;
	struct pb_mm *mm = self->mm;
	const char *why = NULL;
	u64 avoided, denied;

	add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON | PB_VM_UFFD_WP);
	populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift);
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, va_of(self, pages), true, &why)) TH_LOG("%s", why);
	ro_rw(_metadata, mm, NT_VA, va_of(self, pages), &avoided, &denied);
	EXPECT_EQ(0, avoided);
	EXPECT_EQ(pages, denied);
	EXPECT_EQ(pages, write_all(_metadata, mm, NT_VA, pages));
	EXPECT_EQ(pages, mm->counters[PB_MMC_wp_reuses]);
	EXPECT_LE(2, mm->counters[PB_MMC_uffd_wp_faults]);
	/* Protected and released again: read-only without uffd-wp, upgraded. */
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, va_of(self, pages), true, &why)) TH_LOG("%s", why);
	ASSERT_EQ(0, pb_uffd_wp(mm, NT_VA, va_of(self, pages), false, &why)) TH_LOG("%s", why);
	EXPECT_EQ(0, nr_writable(mm, NT_VA, pages));
	ro_rw(_metadata, mm, NT_VA, va_of(self, pages), &avoided, &denied);
	EXPECT_EQ(pages, avoided);
	EXPECT_EQ(0, denied);
	EXPECT_EQ(0, write_all(_metadata, mm, NT_VA, pages));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * A shared VMA: a PTE is upgraded only if it is dirty already, each PTE on its
 * own (the batch respects dirty there, the model's departure from upstream).
 */
TEST_F(paths, mprotect_rw_upgrade_in_a_shared_vma_needs_the_pte_dirty)
{
	unsigned int cont = self->cont, m, i;
	struct pb_mm *mms[2] = { self->mm, other_mm(self, false) };

	ASSERT_NE(NULL, mms[1]);
	mms[1]->knobs[PB_KNOB_batch] = 0;
	for (m = 0; m < 2; m++) {
		struct pb_mm *mm = mms[m];
		u64 before[PB_NR_MM_COUNTERS], avoided, denied;

		/* Without contpte, so that neighbours may differ in dirty. */
		mm->knobs[PB_KNOB_contpte] = 0;
		add_vma(_metadata, mm, NT_VA, self->block, RW_SHARED);
		populate(_metadata, mm, NT_VA, self->block, variant->cont_shift);
		for (i = 1; i < cont; i += 2)
			pb_clear_young_dirty_ptes(mm, va_of(self, i), ptep_of(mm, va_of(self, i)),
						  1, false, true);
		pb_flush_tlb_range(mm, NT_VA, va_of(self, cont));
		SNAP(mm, before);
		ro_rw(_metadata, mm, NT_VA, va_of(self, cont), &avoided, &denied);
		EXPECT_EQ(cont / 2, avoided) TH_LOG("batch %d", !m);
		EXPECT_EQ(cont / 2, denied) TH_LOG("batch %d", !m);
		/* Dirty alternates: every batch is one PTE long. */
		EXPECT_EQ(2 * cont, delta(mm, before, PB_MMC_mprotect_batches));
		for (i = 0; i < cont; i++) {
			pb_pte_t pte = pte_at(mm, va_of(self, i));

			EXPECT_EQ(!(i & 1), pb_pte_write(pte)) TH_LOG("batch %d page %u", !m, i);
			EXPECT_EQ(!(i & 1), pb_pte_dirty(pte)) TH_LOG("batch %d page %u", !m, i);
		}
		/* The clean ones take the write fault, which reuses the page. */
		EXPECT_EQ(cont / 2, write_all(_metadata, mm, NT_VA, cont));
		EXPECT_EQ(cont / 2, delta(mm, before, PB_MMC_wp_reuses));
		EXPECT_EQ(0, pb_check_mm(mm));
	}
}

/*
 * PROT_NONE: present but invalid entries, so that any access is a SIGSEGV;
 * back to RW, the same pages come back, writable at once (exclusive anon).
 */
TEST_F(paths, mprotect_none_and_back)
{
	unsigned int cont = self->cont, i;
	struct pb_mm *mm = self->mm;
	const char *why = NULL;
	u64 pfn, val = 0;

	add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	populate(_metadata, mm, NT_VA, self->block, variant->cont_shift);
	pfn = pfn_at(mm, NT_VA);
	protect(_metadata, mm, NT_VA, va_of(self, cont), 0);
	EXPECT_EQ(0, mm->vmas[0].flags & (PB_VM_READ | PB_VM_WRITE));
	for (i = 0; i < cont; i++) {
		EXPECT_TRUE(pb_pte_protnone(raw_at(mm, va_of(self, i)))) TH_LOG("page %u", i);
		EXPECT_EQ(pfn + i, pfn_at(mm, va_of(self, i))) TH_LOG("page %u", i);
	}
	EXPECT_EQ(0, mm->counters[PB_MMC_write_upgrades_denied]);
	EXPECT_EQ(-EFAULT, pb_access(mm, NT_VA, false, &val));
	EXPECT_EQ(-EFAULT, touch(mm, NT_VA, false, &val));
	EXPECT_EQ(-EFAULT, pb_handle_fault(mm, va_of(self, 1), true, &why));
	EXPECT_STREQ("SIGSEGV", why);
	EXPECT_EQ(2, mm->counters[PB_MMC_segv]);
	protect(_metadata, mm, NT_VA, va_of(self, cont), PB_VM_READ | PB_VM_WRITE);
	EXPECT_EQ(cont, mm->counters[PB_MMC_write_faults_avoided]);
	EXPECT_EQ(cont, nr_cont(mm, NT_VA, cont));
	EXPECT_EQ(cont, nr_writable(mm, NT_VA, cont));
	EXPECT_EQ(pfn, pfn_at(mm, NT_VA));
	EXPECT_EQ(0, write_all(_metadata, mm, NT_VA, cont));
	EXPECT_EQ(0, mm->counters[PB_MMC_unfolds]);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * A range that starts and ends inside blocks (one folio per block) splits
 * its VMA at both ends; batched, only the two edge blocks unfold, where one
 * PTE at a time unfolds all four and folds back the two whole ones.
 */
TEST_F(paths, mprotect_splits_the_vma_and_unfolds_only_edge_blocks)
{
	unsigned int cont = self->cont, pages = 4 * cont, m, i;
	struct pb_mm *mms[2] = { self->mm, other_mm(self, false) };
	u64 start = va_of(self, 3), end = va_of(self, 3 * cont + 5);

	ASSERT_NE(NULL, mms[1]);
	mms[1]->knobs[PB_KNOB_batch] = 0;
	for (m = 0; m < 2; m++) {
		struct pb_mm *mm = mms[m];
		u64 before[PB_NR_MM_COUNTERS], avoided, denied;
		bool batched = !m;
		struct pb_vma *vma;

		add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
		populate(_metadata, mm, NT_VA, 4 * self->block, variant->cont_shift);
		SNAP(mm, before);
		protect(_metadata, mm, start, end, PB_VM_READ);
		ASSERT_EQ(3, mm->nr_vmas);
		vma = pb_vma_find(mm, NT_VA);
		EXPECT_EQ(start, vma->end);
		EXPECT_EQ(RW_ANON, vma->flags);
		vma = pb_vma_find(mm, start);
		EXPECT_EQ(start, vma->start);
		EXPECT_EQ(end, vma->end);
		EXPECT_EQ(PB_VM_READ | PB_VM_ANON, vma->flags);
		vma = pb_vma_find(mm, end);
		EXPECT_EQ(end, vma->start);
		EXPECT_EQ(va_of(self, 8 * cont), vma->end);
		EXPECT_EQ(RW_ANON, vma->flags);
		EXPECT_EQ(batched ? 2 : 4, delta(mm, before, PB_MMC_unfolds));
		EXPECT_EQ(batched ? 0 : 2, delta(mm, before, PB_MMC_folds));
		EXPECT_EQ(batched ? 4 : 3 * cont + 2, delta(mm, before, PB_MMC_mprotect_batches));
		/* Each convert flushes its block, and the gather flushes once. */
		EXPECT_EQ(batched ? 3 : 7, delta(mm, before, PB_MMC_tlbi_range));
		EXPECT_EQ(0, nr_cont(mm, NT_VA, cont));
		EXPECT_EQ(2 * cont, nr_cont(mm, va_of(self, cont), 2 * cont));
		EXPECT_EQ(0, nr_cont(mm, va_of(self, 3 * cont), cont));
		for (i = 0; i < pages; i++) {
			bool inside = i >= 3 && i < 3 * cont + 5;

			EXPECT_EQ(!inside, pb_pte_write(pte_at(mm, va_of(self, i))))
				TH_LOG("batch %d page %u", batched, i);
			EXPECT_EQ(pb_pte_valid_cont(raw_at(mms[0], va_of(self, i))),
				  pb_pte_valid_cont(raw_at(mm, va_of(self, i))))
				TH_LOG("batch %d page %u", batched, i);
		}
		/* Back to RW: no more splits, every PTE of the range upgraded. */
		protect(_metadata, mm, start, end, PB_VM_READ | PB_VM_WRITE);
		EXPECT_EQ(3, mm->nr_vmas);
		avoided = delta(mm, before, PB_MMC_write_faults_avoided);
		denied = delta(mm, before, PB_MMC_write_upgrades_denied);
		EXPECT_EQ(3 * cont + 2, avoided);
		EXPECT_EQ(0, denied);
		EXPECT_EQ(pages, nr_writable(mm, NT_VA, pages));
		EXPECT_EQ(0, pb_check_mm(mm));
		EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	}
}

/*
 * mprotect() checks everything first: a range with a hole, or one that would
 * need more VMAs than the table holds, fails and changes nothing.
 */
TEST_F(paths, mprotect_fails_with_a_hole_or_a_full_vma_table)
{
	unsigned int cont = self->cont, changed = 0, i;
	u64 counters[PB_NR_MM_COUNTERS], end = va_of(self, 4 * cont);
	struct pb_vma vmas[PB_MAX_VMAS];
	struct pb_mm *mm = self->mm;
	pb_pte_t ptes[2 * 128];
	const char *why = NULL;

	add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift);
	for (i = 1; i < PB_MAX_VMAS - 1; i++)
		add_vma(_metadata, mm, va_of(self, (16 + 2 * i) * cont), self->psize, RW_ANON);
	ASSERT_EQ(PB_MAX_VMAS - 1, mm->nr_vmas);
	for (i = 0; i < 2 * cont; i++)
		ptes[i] = raw_at(mm, va_of(self, i));
	memcpy(vmas, mm->vmas, sizeof(vmas));
	SNAP(mm, counters);

	EXPECT_EQ(-EINVAL, pb_mprotect(mm, NT_VA, end + self->psize, PB_VM_READ, &why));
	EXPECT_STREQ("range has a hole with no VMA", why);
	EXPECT_EQ(-EINVAL, pb_mprotect(mm, va_of(self, 8 * cont), va_of(self, 9 * cont),
				       PB_VM_READ, &why));
	/* Two splits would make 65 VMAs. */
	why = NULL;
	EXPECT_EQ(-ENOSPC, pb_mprotect(mm, va_of(self, 1), va_of(self, 2), PB_VM_READ, &why));
	EXPECT_STREQ("too many VMAs", why);
	EXPECT_EQ(0, memcmp(vmas, mm->vmas, sizeof(vmas)));
	EXPECT_EQ(PB_MAX_VMAS - 1, mm->nr_vmas);
	EXPECT_EQ(0, memcmp(counters, mm->counters, sizeof(counters)));
	for (i = 0; i < 2 * cont; i++)
		changed += ptes[i] != raw_at(mm, va_of(self, i));
	EXPECT_EQ(0, changed);
	/* One split fills the table; then any split is refused. */
	protect(_metadata, mm, NT_VA, va_of(self, 1), PB_VM_READ);
	EXPECT_EQ(PB_MAX_VMAS, mm->nr_vmas);
	SNAP(mm, counters);
	EXPECT_EQ(-ENOSPC, pb_mprotect(mm, va_of(self, 1), va_of(self, 2), PB_VM_READ, &why));
	EXPECT_EQ(-ENOSPC, pb_mprotect(mm, va_of(self, 2), va_of(self, 3), PB_VM_READ, &why));
	EXPECT_EQ(0, memcmp(counters, mm->counters, sizeof(counters)));
	EXPECT_EQ(PB_MAX_VMAS, mm->nr_vmas);
	/* Whole VMAs need no split. */
	protect(_metadata, mm, NT_VA, end, PB_VM_READ);
	EXPECT_EQ(PB_MAX_VMAS, mm->nr_vmas);
	EXPECT_EQ(0, nr_writable(mm, NT_VA, 2 * cont));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * The same range over one large folio: the batch starts inside block 0, so
 * get_and_clear_full_ptes() unfolds it and the batch's first entry is no
 * longer contiguous; committing the whole batch raw then takes CONT off the
 * whole blocks 1 and 2 too, without break-before-make.
 */
TEST_F(paths, mprotect_keeps_whole_blocks_of_a_large_folio_folded)
{
	unsigned int cont = self->cont;
	struct pb_mm *mm = self->mm;

	add_vma(_metadata, mm, NT_VA, 8 * self->block, RW_ANON);
	populate(_metadata, mm, NT_VA, 4 * self->block, variant->cont_shift + 2);
	protect(_metadata, mm, va_of(self, 3), va_of(self, 3 * cont + 5), PB_VM_READ);
	EXPECT_EQ(2, mm->counters[PB_MMC_unfolds]);
	EXPECT_EQ(2 * cont, nr_cont(mm, va_of(self, cont), 2 * cont));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations_bbm]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/* --- Faults --------------------------------------------------------------------------- */

/*
 * A fault on an empty entry maps a folio of fault_order, or of the largest
 * smaller order whose aligned range stays inside the VMA.  A whole block is
 * contiguous at once.
 */
TEST_F(paths, fault_order_falls_back_at_the_end_of_the_vma)
{
	unsigned int cont = self->cont, cs = variant->cont_shift;
	struct pb_mm *mm = self->mm;
	u64 head, val = 0;

	add_vma(_metadata, mm, NT_VA, 2 * self->block + 3 * self->psize, RW_ANON);
	mm->knobs[PB_KNOB_fault_order] = cs + 1;
	ASSERT_EQ(0, touch(mm, va_of(self, 1), true, &val));
	EXPECT_EQ(cs + 1, folio_at(mm, va_of(self, 1), &head)->order);
	EXPECT_EQ(head, pfn_at(mm, NT_VA));
	EXPECT_EQ(head + 1, pfn_at(mm, va_of(self, 1)));
	EXPECT_EQ(2 * cont, nr_cont(mm, NT_VA, 2 * cont));
	EXPECT_EQ(2 * cont, nr_writable(mm, NT_VA, 2 * cont));
	EXPECT_EQ(0, mm->counters[PB_MMC_folds]);
	/* Three pages are left at the end: an order-1 folio, then order 0. */
	ASSERT_EQ(0, touch(mm, va_of(self, 2 * cont + 1), false, &val));
	EXPECT_EQ(1, folio_at(mm, va_of(self, 2 * cont + 1), &head)->order);
	EXPECT_EQ(head, pfn_at(mm, va_of(self, 2 * cont)));
	EXPECT_FALSE(pb_pte_write(pte_at(mm, va_of(self, 2 * cont))));
	ASSERT_EQ(0, touch(mm, va_of(self, 2 * cont + 2), false, &val));
	EXPECT_EQ(0, folio_at(mm, va_of(self, 2 * cont + 2), NULL)->order);
	EXPECT_EQ(1, mm->counters[PB_MMC_write_faults]);
	EXPECT_EQ(2, mm->counters[PB_MMC_read_faults]);
	EXPECT_EQ(3, mm->counters[PB_MMC_folios_mapped]);
	/* A write to the read-only order-1 folio reuses it: it is exclusive. */
	ASSERT_EQ(0, touch(mm, va_of(self, 2 * cont), true, &val));
	EXPECT_EQ(1, mm->counters[PB_MMC_wp_reuses]);
	EXPECT_EQ(head, pfn_at(mm, va_of(self, 2 * cont)));
	EXPECT_EQ(3, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * With page 5 populated, faults from fault_order = CONT_PTES find the
 * largest aligned empty range around them: 4 pages at 0, 2 at 6, 1 at 4; the
 * next block is empty and gets a whole folio.
 */
TEST_F(paths, fault_order_falls_back_where_the_range_is_partly_populated)
{
	static const struct {
		unsigned int page, first, order;
	} t[] = { { 0, 0, 2 }, { 7, 6, 1 }, { 4, 4, 0 }, { 3, 0, 2 } };
	unsigned int cont = self->cont, cs = variant->cont_shift, i;
	struct pb_mm *mm = self->mm;
	u64 head, val = 0;

	add_vma(_metadata, mm, NT_VA, 2 * self->block, RW_ANON);
	populate(_metadata, mm, va_of(self, 5), self->psize, 0);
	mm->knobs[PB_KNOB_fault_order] = cs;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ASSERT_EQ(0, touch(mm, va_of(self, t[i].page), true, &val)) TH_LOG("case %u", i);
		EXPECT_EQ(t[i].order, folio_at(mm, va_of(self, t[i].page), &head)->order)
			TH_LOG("case %u", i);
		EXPECT_EQ(head, pfn_at(mm, va_of(self, t[i].first))) TH_LOG("case %u", i);
	}
	/* The last one was present already: no new folio. */
	EXPECT_EQ(1 + 3, mm->counters[PB_MMC_folios_mapped]);
	EXPECT_EQ(0, nr_cont(mm, NT_VA, cont));
	ASSERT_EQ(0, touch(mm, va_of(self, cont + 3), false, &val));
	EXPECT_EQ(cs, folio_at(mm, va_of(self, cont), &head)->order);
	EXPECT_EQ(head, pfn_at(mm, va_of(self, cont)));
	EXPECT_EQ(cont, nr_cont(mm, va_of(self, cont), cont));
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * COW after fork: the child's write copies the page (order 0, with its data)
 * and unfolds exactly the block it breaks; the parent keeps its data.
 */
TEST_F(paths, fault_cow_copies_the_page_and_unfolds_one_block)
{
	unsigned int cont = self->cont, page = cont + 3, i;
	u64 before[PB_NR_MM_COUNTERS], va = va_of(self, page), old, old_head;
	struct pb_mm *mm = other_mm(self, true), *child;

	ASSERT_NE(NULL, mm);
	add_vma(_metadata, mm, NT_VA, 4 * self->block, RW_ANON);
	populate(_metadata, mm, NT_VA, 2 * self->block, variant->cont_shift);
	for (i = 0; i < 2 * cont; i++) {
		ASSERT_EQ(0, poke(mm, va_of(self, i), 0xa000 + i));
		ASSERT_EQ(0, poke(mm, va_of(self, i) + 8, 0xb000 + i));
	}
	child = fork_child(_metadata, self, mm);
	ASSERT_NE(NULL, child);
	old = pfn_at(mm, va);
	folio_at(mm, va, &old_head);
	SNAP(child, before);
	ASSERT_EQ(0, poke(child, va, 0xc0de));
	EXPECT_EQ(1, delta(child, before, PB_MMC_write_faults));
	EXPECT_EQ(1, delta(child, before, PB_MMC_cow_copies));
	EXPECT_EQ(0, delta(child, before, PB_MMC_wp_reuses));
	EXPECT_EQ(1, delta(child, before, PB_MMC_unfolds));
	EXPECT_EQ(1, delta(child, before, PB_MMC_converts));
	EXPECT_EQ(1, delta(child, before, PB_MMC_tlbi_page));
	EXPECT_EQ(1, delta(child, before, PB_MMC_tlbi_range));
	/* Block 0 stays folded in both; block 1 only in the parent. */
	EXPECT_EQ(cont, nr_cont(child, NT_VA, cont));
	EXPECT_EQ(0, nr_cont(child, va_of(self, cont), cont));
	EXPECT_EQ(2 * cont, nr_cont(mm, NT_VA, 2 * cont));
	EXPECT_EQ(0, mm->counters[PB_MMC_unfolds]);
	/* The copy: order 0, exclusive, writable, with the data of the page. */
	EXPECT_NE(old, pfn_at(child, va));
	EXPECT_EQ(0, folio_at(child, va, NULL)->order);
	EXPECT_TRUE(page_at(child, va)->flags & PB_PG_ANON_EXCLUSIVE);
	EXPECT_TRUE(pb_pte_write(pte_at(child, va)));
	EXPECT_EQ(0xc0de, peek(child, va));
	EXPECT_EQ(0xb000 + page, peek(child, va + 8));
	EXPECT_EQ(0xa000 + page, peek(mm, va));
	/* The rest of block 1 still maps the parent's folio. */
	EXPECT_EQ(old - 1, pfn_at(child, va - self->psize));
	EXPECT_EQ(old + 1, pfn_at(child, va + self->psize));
	EXPECT_EQ(2 * cont - 1, pb_pfn_to_page(mm->phys, old_head)->refcount);
	EXPECT_EQ(1, pb_pfn_to_page(mm->phys, old)->mapcount);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
	EXPECT_EQ(0, child->counters[PB_MMC_violations]);
}

/*
 * A write fault on a read-only entry: an exclusive anon page is reused in
 * place (its block unfolds, as the write permission changes), a page of a
 * shared VMA too, and a private file page is copied.
 */
TEST_F(paths, fault_on_a_read_only_entry_reuses_or_copies)
{
	unsigned int cont = self->cont;
	u64 anon = NT_VA, shared = va_of(self, 4 * cont), file = va_of(self, 8 * cont);
	struct pb_mm *mm = self->mm;
	u64 before[PB_NR_MM_COUNTERS], val = 0, pfn;
	const char *why = NULL;
	pb_pte_t pte;

	add_vma(_metadata, mm, anon, self->block, RW_ANON);
	add_vma(_metadata, mm, shared, self->block, RW_SHARED);
	add_vma(_metadata, mm, file, self->block, PB_VM_READ | PB_VM_WRITE);
	populate(_metadata, mm, anon, self->block, variant->cont_shift);
	populate(_metadata, mm, shared, self->block, variant->cont_shift);
	populate(_metadata, mm, file, self->block, variant->cont_shift);
	/* A private file mapping is read-only from the start. */
	EXPECT_EQ(0, nr_writable(mm, file, cont));
	mm->knobs[PB_KNOB_mprotect_upgrade] = 0;
	ro_rw(_metadata, mm, anon, anon + self->block, &val, &val);
	ro_rw(_metadata, mm, shared, shared + self->block, &val, &val);
	EXPECT_EQ(0, nr_writable(mm, anon, cont) + nr_writable(mm, shared, cont));

	SNAP(mm, before);
	pfn = pfn_at(mm, anon + 2 * self->psize);
	ASSERT_EQ(0, touch(mm, anon + 2 * self->psize, true, &val));
	EXPECT_EQ(pfn, pfn_at(mm, anon + 2 * self->psize));
	pte = pte_at(mm, anon + 2 * self->psize);
	EXPECT_TRUE(pb_pte_write(pte) && pb_pte_dirty(pte) && pb_pte_young(pte));
	EXPECT_TRUE(pte & PB_PTE_SOFT_DIRTY);
	EXPECT_EQ(1, nr_writable(mm, anon, cont));
	EXPECT_EQ(1, delta(mm, before, PB_MMC_wp_reuses));
	EXPECT_EQ(1, delta(mm, before, PB_MMC_unfolds));

	pfn = pfn_at(mm, shared);
	ASSERT_EQ(0, touch(mm, shared, true, &val));
	EXPECT_EQ(pfn, pfn_at(mm, shared));
	EXPECT_EQ(2, delta(mm, before, PB_MMC_wp_reuses));

	/* The handler's part only: the retry is the known bug below. */
	pfn = pfn_at(mm, file);
	ASSERT_EQ(0, pb_handle_fault(mm, file, true, &why)) TH_LOG("%s", why);
	EXPECT_NE(pfn, pfn_at(mm, file));
	EXPECT_TRUE(folio_at(mm, file, NULL)->flags & PB_PG_ANON);
	EXPECT_EQ(2, delta(mm, before, PB_MMC_wp_reuses));
	EXPECT_EQ(1, delta(mm, before, PB_MMC_cow_copies));
	EXPECT_EQ(3, delta(mm, before, PB_MMC_write_faults));
	EXPECT_EQ(3, delta(mm, before, PB_MMC_unfolds));
	EXPECT_EQ(0, delta(mm, before, PB_MMC_segv));
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * The copy of a private file page is an anon page of a writable VMA: it must
 * be mapped writable (maybe_mkwrite()), or the write faults again and again.
 */
TEST_F(paths, fault_cow_of_a_private_file_page_is_writable)
{
	u64 file = NT_VA, val = 0;
	struct pb_mm *mm = self->mm;

	add_vma(_metadata, mm, file, self->block, PB_VM_READ | PB_VM_WRITE);
	populate(_metadata, mm, file, self->block, variant->cont_shift);
	EXPECT_EQ(0, touch(mm, file, true, &val));
	EXPECT_TRUE(pb_pte_write(pte_at(mm, file)));
	EXPECT_EQ(1, mm->counters[PB_MMC_cow_copies]);
	EXPECT_EQ(0, pb_check_mm(mm));
}

/*
 * Each uffd-wp PTE must reach the handler once.  pb_fault_wp() clears the bit
 * with a raw write into a folded block; the unfold that follows rewrites the
 * whole block from that entry, so its other PTEs lose uffd-wp silently.
 * contpte must not change what the handler sees.
 */
TEST_F(paths, every_uffd_wp_page_faults_to_the_handler)
{
	unsigned int pages = 2 * self->cont, contpte;
	struct pb_mm *mm = self->mm;
	const char *why = NULL;

	for (contpte = 0; contpte < 2; contpte++) {
		u64 va = va_of(self, 4 * contpte * self->cont);
		u64 faults = mm->counters[PB_MMC_uffd_wp_faults];

		mm->knobs[PB_KNOB_contpte] = contpte;
		add_vma(_metadata, mm, va, 2 * self->block, RW_ANON | PB_VM_UFFD_WP);
		populate(_metadata, mm, va, 2 * self->block, variant->cont_shift);
		ASSERT_EQ(0, pb_uffd_wp(mm, va, va + 2 * self->block, true, &why));
		EXPECT_EQ(pages, write_all(_metadata, mm, va, pages));
		EXPECT_EQ(pages, mm->counters[PB_MMC_uffd_wp_faults] - faults)
			TH_LOG("contpte %u", contpte);
	}
}

/* No VMA, or no permission: SIGSEGV, and nothing is allocated. */
TEST_F(paths, fault_outside_a_vma_or_its_protection_is_sigsegv)
{
	struct pb_mm *mm = self->mm;
	const char *why = NULL;
	u64 val = 0, ro = va_of(self, 4 * self->cont);

	add_vma(_metadata, mm, NT_VA, self->block, RW_ANON);
	add_vma(_metadata, mm, ro, self->block, PB_VM_READ | PB_VM_ANON);
	protect(_metadata, mm, NT_VA, NT_VA + self->block, 0);
	EXPECT_EQ(-EFAULT, pb_handle_fault(mm, va_of(self, 2 * self->cont), false, &why));
	EXPECT_STREQ("SIGSEGV", why);
	EXPECT_EQ(-EFAULT, touch(mm, NT_VA, false, &val));
	EXPECT_EQ(-EFAULT, touch(mm, ro, true, &val));
	EXPECT_EQ(-EFAULT, touch(mm, 1ULL << 47, true, &val));
	EXPECT_EQ(4, mm->counters[PB_MMC_segv]);
	EXPECT_EQ(0, mm->counters[PB_MMC_read_faults] + mm->counters[PB_MMC_write_faults]);
	EXPECT_EQ(0, mm->phys->live_folios);
	/* Reading the read-only VMA is fine, writing it after that is not. */
	EXPECT_EQ(0, touch(mm, ro, false, &val));
	EXPECT_EQ(-EFAULT, touch(mm, ro, true, &val));
	EXPECT_EQ(5, mm->counters[PB_MMC_segv]);
	EXPECT_EQ(1, mm->phys->live_folios);
}

/* --- The commands of the paths ------------------------------------------------------ */

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
	self->psize = 1ULL << variant->page_shift;
	self->cont = 1U << variant->cont_shift;
	self->block = self->psize * self->cont;
	self->s = pb_session_create();
	ASSERT_NE(NULL, self->s);
	ASSERT_EQ(0, nt_run(self->s, "mm_create page_kb=%u backing=1", variant->page_kb));
	ASSERT_EQ(0, nt_run(self->s, "mmap mm=0 start=0x%llx len=0x%llx flags=r,w,anon",
			    NT_VA, 4 * self->block));
	ASSERT_EQ(0, nt_run(self->s, "populate mm=0 va=0x%llx len=0x%llx order=%u",
			    NT_VA, 2 * self->block, variant->cont_shift))
		TH_LOG("%s", self->s->reply.buf);
}

FIXTURE_TEARDOWN(pcmd)
{
	if (self->s)
		pb_session_destroy(self->s);
	atomic_set(&pb_fail_nth, 0);
	nt_check_leaks(_metadata);
}

/* The reply is one "error: " line. */
static bool one_error_line(const struct pb_reply *r)
{
	const char *nl = strchr(r->buf, '\n');

	return !strncmp(r->buf, "error: ", 7) && nl && !nl[1] &&
	       strlen(r->buf) == r->len;
}

/* A counter of mm @id, from mm_stats. */
static long long stat_of(struct pb_session *s, int id, const char *name)
{
	if (nt_run(s, "mm_stats mm=%d", id))
		return -1;
	return nt_reply_val(s, name);
}

TEST_F(pcmd, fork_touch_mprotect_and_pins)
{
	struct pb_session *s = self->s;
	u64 uffd = NT_VA + 8 * self->block;

	ASSERT_EQ(0, nt_run(s, "touch mm=0 va=0x%llx write=1 val=0x55", NT_VA));
	EXPECT_STREQ("faulted 0\nval 0x55\n", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "fork mm=0")) TH_LOG("%s", s->reply.buf);
	EXPECT_EQ(1, nt_reply_val(s, "mm"));
	EXPECT_EQ(2, stat_of(s, 1, "fork_batches"));
	EXPECT_EQ(2, stat_of(s, 1, "batch_size_cont"));
	EXPECT_EQ(2, stat_of(s, 0, "wrprotect_whole_blocks"));
	EXPECT_EQ(0, stat_of(s, 0, "unfolds"));
	/* The child's write copies; the parent reads its own value. */
	ASSERT_EQ(0, nt_run(s, "touch mm=1 va=0x%llx write=1 val=0x66", NT_VA));
	EXPECT_STREQ("faulted 1\nsegv 0\nval 0x66\n", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "touch mm=0 va=0x%llx", NT_VA));
	EXPECT_STREQ("faulted 0\nval 0x55\n", s->reply.buf);
	EXPECT_EQ(1, stat_of(s, 1, "cow_copies"));
	EXPECT_EQ(1, stat_of(s, 1, "unfolds"));
	/* Outside any VMA: a SIGSEGV is a reply, not an error. */
	ASSERT_EQ(0, nt_run(s, "touch mm=0 va=0x%llx write=1", NT_VA + 4 * self->block));
	EXPECT_STREQ("faulted 1\nsegv 1\n", s->reply.buf);
	EXPECT_EQ(1, stat_of(s, 0, "segv"));
	/* Shared pages: no upgrade; the parent's write faults copy too. */
	ASSERT_EQ(0, nt_run(s, "mprotect mm=0 va=0x%llx len=0x%llx prot=r", NT_VA,
			    self->block));
	ASSERT_EQ(0, nt_run(s, "mprotect mm=0 va=0x%llx len=0x%llx prot=rw", NT_VA,
			    self->block));
	EXPECT_EQ(self->cont, stat_of(s, 0, "write_upgrades_denied"));
	EXPECT_EQ(0, stat_of(s, 0, "write_faults_avoided"));
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
	EXPECT_STREQ("error: pin: only exclusive anon pages can be pinned\n", s->reply.buf);
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
	EXPECT_EQ(1, stat_of(s, 0, "uffd_wp_faults"));
	EXPECT_EQ(0, stat_of(s, 0, "violations"));
	EXPECT_EQ(0, stat_of(s, 1, "violations"));
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
		{ "oracle seed=0x%llx seeds=%llu page_kb=8", 1, 1,
		  "granule must be 4, 16 or 64 (KiB)" },
		{ "oracle seed=0x%llx seeds=%llu", 1, 0,
		  "seeds and steps must be within 1..10000" },
		{ "oracle seed=0x%llx seeds=%llu steps=60 trace=1", 1, 10,
		  "trace=1 prints a line per step: at most 500 steps" },
		{ "oracle seed=0x%llx seeds=%llu", U64_MAX, 2, "seed + seeds overflows" },
	};
	unsigned int i;

	SNAP(mm, counters);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		snprintf(line, sizeof(line), t[i].fmt, t[i].va, t[i].len);
		EXPECT_EQ(-EINVAL, nt_run(s, "%s", line)) TH_LOG("'%s': %s", line, s->reply.buf);
		EXPECT_TRUE(one_error_line(&s->reply)) TH_LOG("'%s': %s", line, s->reply.buf);
		if (t[i].reason)
			EXPECT_NE(NULL, strstr(s->reply.buf, t[i].reason))
				TH_LOG("'%s': %s", line, s->reply.buf);
	}
	EXPECT_EQ(0, memcmp(counters, mm->counters, sizeof(counters)));
	EXPECT_EQ(NULL, s->mms[1]);
	EXPECT_EQ(1, mm->nr_vmas);
	EXPECT_EQ(0, nt_run(s, "check mm=0"));
}

/* One pin, two pages to unpin: EINVAL, and the pin must still be there. */
TEST_F(pcmd, unpin_of_more_pages_than_pinned_changes_nothing)
{
	struct pb_session *s = self->s;

	ASSERT_EQ(0, nt_run(s, "pin mm=0 va=0x%llx len=0x%llx", NT_VA, self->psize));
	EXPECT_EQ(-EINVAL, nt_run(s, "unpin mm=0 va=0x%llx len=0x%llx", NT_VA,
				  2 * self->psize));
	EXPECT_TRUE(one_error_line(&s->reply)) TH_LOG("%s", s->reply.buf);
	ASSERT_EQ(0, nt_run(s, "folio mm=0 va=0x%llx", NT_VA));
	EXPECT_EQ(1, nt_reply_val(s, "pincount"));
	EXPECT_EQ(self->cont + 1, nt_reply_val(s, "refcount"));
	EXPECT_EQ(0, nt_run(s, "check mm=0")) TH_LOG("%s", s->reply.buf);
}

TEST_HARNESS_MAIN
