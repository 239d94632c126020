// SPDX-License-Identifier: GPL-2.0
/*
 * Native property tests: seeded random sequences of the helpers on each
 * granule, each followed by the flush its caller would do.  After every step
 * the checker is clean, and every page agrees with a reference that knows
 * nothing of contiguous blocks: mapped or not, its PFN, whether it is
 * writable, and that a page the hardware wrote (or accessed) reads dirty (or
 * young) through ptep_get() until it is cleaned (or made old and flushed).
 */
#include "nt_mm.h"

#define NR_BLOCKS	6
#define MAX_PAGES	(NR_BLOCKS * 128)
#define STEPS		400

struct ref {
	bool mapped, writable, written, accessed;
	u64 pfn;
};

FIXTURE(prop)
{
	struct pb_mm *mm;
	const struct pb_geom *g;
	unsigned int cont, pages;
	u64 psize, x;
	struct ref ref[MAX_PAGES];
};

FIXTURE_VARIANT(prop)
{
	NT_GRANULE_FIELDS;
};

FIXTURE_VARIANT_ADD(prop, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(prop, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(prop, granule_64k) NT_GRANULE_64K;

FIXTURE_SETUP(prop)
{
	const char *why = NULL;

	self->mm = nt_mm_create(variant->page_kb, 48, 52, 1 << 20, 1 << 16, true);
	ASSERT_FALSE(IS_ERR(self->mm));
	self->g = &self->mm->geom;
	self->cont = pb_cont_ptes(self->g);
	self->psize = pb_page_size(self->g);
	self->pages = NR_BLOCKS * self->cont;
	ASSERT_EQ(0, pb_vma_add(self->mm, NT_VA, NT_VA + self->pages * self->psize,
				PB_VM_READ | PB_VM_WRITE | PB_VM_ANON, &why));
	ASSERT_EQ(0, pb_pgtable_prealloc(self->mm, NT_VA,
					 NT_VA + self->pages * self->psize));
}

FIXTURE_TEARDOWN(prop)
{
	if (!IS_ERR_OR_NULL(self->mm))
		pb_mm_destroy(self->mm);
	nt_check_leaks(_metadata);
}

static u64 rnd(struct _test_data_prop *self, u64 n)
{
	self->x ^= self->x << 13;
	self->x ^= self->x >> 7;
	self->x ^= self->x << 17;
	return self->x % n;
}

static void flush(struct _test_data_prop *self, u64 first, u64 end)
{
	pb_flush_tlb_range(self->mm, nt_va(self->mm, first), nt_va(self->mm, end));
}

/* A random range [*first, *end) of at most three blocks. */
static void range(struct _test_data_prop *self, u64 *first, u64 *end)
{
	*first = rnd(self, self->pages);
	*end = *first + 1 + rnd(self, 3 * self->cont);
	if (*end > self->pages)
		*end = self->pages;
}

/* The entries clear_young_dirty_ptes() widens [first, end) to. */
static void widen(struct _test_data_prop *self, u64 *first, u64 *end)
{
	u64 mask = self->cont - 1;

	if (pb_pte_valid_cont(*nt_ptep(self->mm, *first)))
		*first &= ~mask;
	if (pb_pte_valid_cont(*nt_ptep(self->mm, *end - 1)))
		*end = (*end + mask) & ~mask;
}

static bool empty(struct _test_data_prop *self, u64 first, u64 end)
{
	u64 i;

	for (i = first; i < end; i++)
		if (self->ref[i].mapped)
			return false;
	return true;
}

/*
 * One step of a sequence: a helper as its caller in mm/ uses it, then the
 * reference updated to what a CONT-blind kernel would see.  A step returns
 * NULL, or what went wrong.  Each takes its randomness from self in a fixed
 * order, so that a seed replays.
 */
typedef const char *(*prop_op_fn)(struct _test_data_prop *self);

/* Populate one folio, batched or per PTE. */
static const char *op_populate(struct _test_data_prop *self)
{
	unsigned int order = rnd(self, self->g->cont_shift + 2);
	struct pb_mm *mm = self->mm;
	const char *why = NULL;
	u64 first, end, i;

	first = rnd(self, self->pages >> order) << order;
	end = first + (1ULL << order);
	if (!empty(self, first, end))
		return NULL;
	if (pb_populate(mm, nt_va(mm, first), nt_va(mm, end), order, rnd(self, 2), &why))
		return why;
	for (i = first; i < end; i++) {
		self->ref[i] = (struct ref){ .mapped = true, .writable = true,
			.pfn = pb_pte_pfn(self->g, *nt_ptep(mm, first)) + i - first };
	}
	return NULL;
}

static const char *op_munmap(struct _test_data_prop *self)
{
	u64 first, end, i;

	range(self, &first, &end);
	pb_zap_range(self->mm, nt_va(self->mm, first), nt_va(self->mm, end));
	for (i = first; i < end; i++)
		self->ref[i].mapped = false;
	return NULL;
}

/* Fork's wrprotect, then its flush. */
static const char *op_wrprotect(struct _test_data_prop *self)
{
	struct pb_mm *mm = self->mm;
	u64 first, end, i;

	range(self, &first, &end);
	pb_wrprotect_ptes(mm, nt_va(mm, first), nt_ptep(mm, first), end - first);
	flush(self, first, end);
	for (i = first; i < end; i++)
		self->ref[i].writable = false;
	return NULL;
}

/* A CPU access, its A/D update on any entry of a block. */
static const char *op_access(struct _test_data_prop *self)
{
	u64 i = rnd(self, self->pages);
	bool write = rnd(self, 2);
	int ret;

	self->mm->knobs[PB_KNOB_ad_policy] = rnd(self, 4);
	ret = pb_access(self->mm, nt_va(self->mm, i), write, NULL);
	if (ret != (self->ref[i].mapped && (!write || self->ref[i].writable) ? 0 : -EFAULT))
		return "access: fault or not, unexpectedly";
	if (!ret && write)
		self->ref[i].written = true;
	if (!ret)
		self->ref[i].accessed = true;
	return NULL;
}

/* A write fault's fix-up: set_access_flags(). */
static const char *op_set_access_flags(struct _test_data_prop *self)
{
	struct pb_mm *mm = self->mm;
	u64 i = rnd(self, self->pages);
	pb_pte_t pte;

	if (!self->ref[i].mapped)
		return NULL;
	pte = pb_ptep_get(mm, nt_va(mm, i), nt_ptep(mm, i)) & ~PB_PTE_CONT;
	pte = pb_pte_mkdirty(pb_pte_mkwrite(pb_pte_mkyoung(pte)));
	pb_ptep_set_access_flags(mm, nt_va(mm, i), nt_ptep(mm, i), pte, true);
	self->ref[i].writable = true;
	return NULL;
}

/* MADV_FREE's clear, then its flush. */
static const char *op_clear_young_dirty(struct _test_data_prop *self)
{
	struct pb_mm *mm = self->mm;
	u64 first, end, i;
	bool young;

	range(self, &first, &end);
	young = rnd(self, 2);
	pb_clear_young_dirty_ptes(mm, nt_va(mm, first), nt_ptep(mm, first), end - first,
				  young, true);
	/* The reference widens as the helper does, after the fact. */
	widen(self, &first, &end);
	flush(self, first, end);
	for (i = first; i < end; i++) {
		self->ref[i].written = false;
		self->ref[i].accessed &= !young;
	}
	return NULL;
}

/* Reclaim's young test, which flushes what was young. */
static const char *op_young(struct _test_data_prop *self)
{
	u64 page = rnd(self, self->pages), first = page, end = page + 1, i;

	widen(self, &first, &end);
	pb_ptep_clear_flush_young(self->mm, nt_va(self->mm, page), nt_ptep(self->mm, page));
	for (i = first; i < end; i++)
		self->ref[i].accessed = false;
	return NULL;
}

/* Fold or unfold a block: neither may change what the reference sees. */
static const char *op_fold_unfold(struct _test_data_prop *self)
{
	struct pb_mm *mm = self->mm;
	u64 i = rnd(self, self->pages);
	pb_pte_t pte = *nt_ptep(mm, i);

	if (pb_pte_valid_cont(pte))
		pb_contpte_try_unfold(mm, nt_va(mm, i), nt_ptep(mm, i), pte);
	else if (!pb_contpte_foldable(mm, nt_va(mm, i), nt_ptep(mm, i)))
		pb_contpte_fold(mm, nt_va(mm, i), nt_ptep(mm, i));
	return NULL;
}

/* The knobs that must not change the outcome. */
static const char *op_knobs(struct _test_data_prop *self)
{
	u64 *knobs = self->mm->knobs;

	knobs[PB_KNOB_bbml2] = rnd(self, 2);
	knobs[PB_KNOB_autofold] = rnd(self, 2);
	knobs[PB_KNOB_ad_policy] = rnd(self, 4);
	knobs[PB_KNOB_gather_capacity] = 1 + rnd(self, 128);
	return NULL;
}

/*
 * A fault: a new folio, a write-protect reuse, or spurious.  A fault on an
 * empty entry writes: a read would map the zero page, which has no folio for
 * the helpers' batches (test_paths_fault.c tests it).
 */
static const char *op_fault(struct _test_data_prop *self)
{
	struct pb_mm *mm = self->mm;
	u64 i = rnd(self, self->pages), page;
	struct ref was = self->ref[i];
	const char *why = NULL;
	bool write = rnd(self, 2) || !was.mapped;
	pb_pte_t pte;

	mm->knobs[PB_KNOB_fault_order] = rnd(self, self->g->cont_shift + 2);
	if (pb_handle_fault(mm, nt_va(mm, i), write, &why))
		return why;
	/* What a fault on an empty entry mapped is the reference now. */
	for (page = 0; page < self->pages; page++) {
		pte = *nt_ptep(mm, page);
		if (self->ref[page].mapped || !pb_pte_present(pte))
			continue;
		self->ref[page] = (struct ref){ .mapped = true,
			.writable = pb_pte_write(pte),
			.pfn = pb_pte_pfn(self->g, pte) };
	}
	if (!self->ref[i].mapped)
		return "fault: nothing mapped";
	/* An exclusive anon page is reused, never copied. */
	if (was.mapped && self->ref[i].pfn != was.pfn)
		return "fault: the page moved";
	if (write && !pb_pte_write(pb_ptep_get(mm, nt_va(mm, i), nt_ptep(mm, i))))
		return "fault: a write fault left the page read-only";
	if (write)
		self->ref[i].writable = true;
	return NULL;
}

/* get_and_clear_full_ptes() of a run of one folio, as zap does. */
static const char *op_get_and_clear(struct _test_data_prop *self)
{
	struct pb_mm *mm = self->mm;
	u64 first = rnd(self, self->pages), end, i;
	pb_pte_t pte;

	if (!self->ref[first].mapped)
		return NULL;
	for (end = first + 1; end < self->pages && end - first < 3 * self->cont; end++) {
		u64 head_a, head_b;

		if (!self->ref[end].mapped ||
		    self->ref[end].pfn != self->ref[first].pfn + end - first)
			break;
		pb_page_folio(mm->phys, self->ref[first].pfn, &head_a);
		pb_page_folio(mm->phys, self->ref[end].pfn, &head_b);
		if (head_a != head_b)
			break;
	}
	end = first + 1 + rnd(self, end - first);
	pte = pb_get_and_clear_full_ptes(mm, nt_va(mm, first), nt_ptep(mm, first),
					 end - first);
	if (pb_pte_pfn(self->g, pte) != self->ref[first].pfn)
		return "get_and_clear_full_ptes: wrong PFN";
	for (i = first; i < end; i++) {
		if (self->ref[i].written && !pb_pte_dirty(pte))
			return "get_and_clear_full_ptes: lost a written page's dirty";
		self->ref[i].mapped = false;
	}
	if (pb_pte_dirty(pte))
		pb_page_folio(mm->phys, self->ref[first].pfn, NULL)->flags |= PB_PG_DIRTY;
	nt_unmapped(mm, nt_va(mm, first), self->ref[first].pfn, end - first);
	return NULL;
}

/* The steps a sequence draws from, each equally likely. */
static const struct {
	const char *name;
	prop_op_fn fn;
} prop_ops[] = {
	{ "populate", op_populate },
	{ "munmap", op_munmap },
	{ "wrprotect", op_wrprotect },
	{ "access", op_access },
	{ "set_access_flags", op_set_access_flags },
	{ "clear_young_dirty", op_clear_young_dirty },
	{ "young", op_young },
	{ "fold/unfold", op_fold_unfold },
	{ "knobs", op_knobs },
	{ "fault", op_fault },
	{ "get_and_clear", op_get_and_clear },
};

/* Where a page disagrees with the reference, or NULL. */
static const char *compare(struct _test_data_prop *self, u64 *where)
{
	u64 i;

	for (i = 0; i < self->pages; i++) {
		pb_pte_t pte = pb_ptep_get(self->mm, nt_va(self->mm, i), nt_ptep(self->mm, i));
		const struct ref *r = &self->ref[i];

		*where = i;
		if (pb_pte_present(pte) != r->mapped)
			return "mapped";
		if (!r->mapped)
			continue;
		if (pb_pte_pfn(self->g, pte) != r->pfn)
			return "pfn";
		if (pb_pte_write(pte) != r->writable)
			return "writable";
		if (r->written && !pb_pte_dirty(pte))
			return "a written page is not dirty";
		if (r->accessed && !pb_pte_young(pte))
			return "an accessed page is not young";
	}
	return NULL;
}

static void run_seed(struct __test_metadata *_metadata,
		     struct _test_data_prop *self, u64 seed)
{
	unsigned int s;

	self->x = seed * 0x9e3779b97f4a7c15ULL | 1;
	for (s = 0; s < STEPS; s++) {
		unsigned int op = rnd(self, ARRAY_SIZE(prop_ops));
		const char *name = prop_ops[op].name;
		const char *err = prop_ops[op].fn(self);
		u64 where = 0, found;

		ASSERT_EQ(NULL, err) TH_LOG("seed %llu step %u %s: %s", seed, s, name, err);
		err = compare(self, &where);
		ASSERT_EQ(NULL, err)
			TH_LOG("seed %llu step %u %s: page %llu: %s", seed, s, name,
			       where, err);
		found = pb_check_mm(self->mm);
		ASSERT_EQ(0, found) TH_LOG("seed %llu step %u %s", seed, s, name);
	}
}

TEST_F(prop, random_helper_sequences_match_the_reference)
{
	u64 seed;

	for (seed = 1; seed <= 4; seed++) {
		run_seed(_metadata, self, seed);
		pb_zap_range(self->mm, NT_VA, nt_va(self->mm, self->pages));
		memset(self->ref, 0, sizeof(self->ref));
	}
	EXPECT_EQ(0, self->mm->counters[PB_MMC_violations]);
	EXPECT_EQ(0, self->mm->phys->live_folios);
	/* The sequences did fold and unfold. */
	EXPECT_GT(self->mm->counters[PB_MMC_folds], 0);
	EXPECT_GT(self->mm->counters[PB_MMC_unfolds], 0);
}

TEST_HARNESS_MAIN
