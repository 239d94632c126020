// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the TLB model.
 *
 * A fixed number of entries, each caching the translation of one page or of a
 * whole contiguous block, kept until invalidated or evicted (oldest first).
 * An entry is what the hardware read from the table when it was filled, so a
 * missing invalidation shows as an access that uses a stale translation.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "lib/alloc.h"

#include "model/mm.h"
#include "model/shadow.h"
#include "model/tlb.h"

#define PB_TLB_ENTRIES	4096	/* a power of two */
#define PB_TLB_BUCKETS	1024

int pb_tlb_init(struct pb_tlb *t)
{
	memset(t, 0, sizeof(*t));
	/*
	 * Not zeroed: nothing reads an entry at or past the high-water mark
	 * (hwm), which only fills move, so a fresh mm pays neither to clear
	 * the entries nor to scan them.
	 */
	t->entries = pb_alloc(PB_TLB_ENTRIES * sizeof(*t->entries));
	if (!t->entries)
		return -ENOMEM;
	t->buckets = pb_zalloc(PB_TLB_BUCKETS * sizeof(*t->buckets));
	if (!t->buckets) {
		pb_free(t->entries, PB_TLB_ENTRIES * sizeof(*t->entries));
		return -ENOMEM;
	}
	t->capacity = PB_TLB_ENTRIES;
	t->nr_buckets = PB_TLB_BUCKETS;
	return 0;
}

void pb_tlb_destroy(struct pb_tlb *t)
{
	pb_free(t->buckets, PB_TLB_BUCKETS * sizeof(*t->buckets));
	pb_free(t->entries, PB_TLB_ENTRIES * sizeof(*t->entries));
}

static u32 pb_tlb_hash(u64 va, unsigned int kind)
{
	u64 h = (va >> 12) * 0x9e3779b97f4a7c15ULL + kind;

	return (h >> 40) & (PB_TLB_BUCKETS - 1);
}

/* An entry's kind: 0 a page, 1 a contiguous block, 2 a PMD block. */
static unsigned int pb_tlb_kind(const struct pb_tlb_entry *e)
{
	return e->pmd ? 2 : e->block;
}

static u64 pb_tlb_kind_size(const struct pb_mm *mm, unsigned int kind)
{
	const struct pb_geom *g = &mm->geom;

	return kind == 2 ? pb_pmd_size(g) : kind ? pb_cont_size(g) : pb_page_size(g);
}

static struct pb_tlb_entry *pb_tlb_find(struct pb_tlb *t, u64 va,
					unsigned int kind)
{
	u32 i = t->buckets[pb_tlb_hash(va, kind)];

	while (i) {
		struct pb_tlb_entry *e = &t->entries[i - 1];

		if (e->va == va && pb_tlb_kind(e) == kind)
			return e;
		i = e->next;
	}
	return NULL;
}

static void pb_tlb_unlink(struct pb_tlb *t, struct pb_tlb_entry *e)
{
	u32 idx = e - t->entries + 1;
	u32 *link = &t->buckets[pb_tlb_hash(e->va, pb_tlb_kind(e))];

	while (*link != idx)
		link = &t->entries[*link - 1].next;
	*link = e->next;
	e->used = false;
	e->next = 0;
	t->nr--;
}

/* The entry that translates @va: a page entry or a block entry. */
struct pb_tlb_entry *pb_tlb_lookup(struct pb_mm *mm, u64 va)
{
	u64 page = va & ~(pb_page_size(&mm->geom) - 1);
	struct pb_tlb_entry *e;

	e = pb_tlb_find(&mm->tlb, page, 0);
	if (!e)
		e = pb_tlb_find(&mm->tlb, va & ~(pb_cont_size(&mm->geom) - 1), 1);
	if (!e && mm->had_pmd_leaf)
		e = pb_tlb_find(&mm->tlb, va & ~(pb_pmd_size(&mm->geom) - 1), 2);
	return e;
}

static void pb_tlb_fill_kind(struct pb_mm *mm, u64 va, pb_pte_t pte,
			     unsigned int kind)
{
	struct pb_tlb *t = &mm->tlb;
	u64 key = va & ~(pb_tlb_kind_size(mm, kind) - 1);
	struct pb_tlb_entry *e = pb_tlb_find(t, key, kind);
	u32 *bucket;

	if (!e) {
		/* Oldest first: the slot after the last one filled. */
		e = &t->entries[t->free_head];
		if (t->free_head == t->hwm)
			t->hwm++;
		else if (e->used)
			pb_tlb_unlink(t, e);
		t->free_head = (t->free_head + 1) & (PB_TLB_ENTRIES - 1);
		e->va = key;
		e->block = kind == 1;
		e->pmd = kind == 2;
		e->used = true;
		bucket = &t->buckets[pb_tlb_hash(key, kind)];
		e->next = *bucket;
		*bucket = e - t->entries + 1;
		t->nr++;
	}
	e->pte = pte;
	pb_mm_count(mm, PB_MMC_tlb_fills, 1);
}

void pb_tlb_fill(struct pb_mm *mm, u64 va, pb_pte_t pte)
{
	pb_tlb_fill_kind(mm, va, pte, pb_pte_cont(pte));
}

/* A walk that ended at a PMD leaf caches the whole block. */
void pb_tlb_fill_pmd(struct pb_mm *mm, u64 va, pb_pte_t pmd)
{
	pb_tlb_fill_kind(mm, va, pmd, 2);
}

/*
 * Ranges of up to this many pages are dropped by looking up each page, block
 * and PMD block of the range in the hash; longer ones by scanning every entry.
 */
#define PB_TLB_PROBE_PAGES	64

/* Drop the entries of @kind whose key lies in [start, end), looked up. */
static void pb_tlb_drop_probe(struct pb_mm *mm, u64 start, u64 end,
			      unsigned int kind)
{
	struct pb_tlb *t = &mm->tlb;
	u64 size = pb_tlb_kind_size(mm, kind), va;

	for (va = start & ~(size - 1); va < end && t->nr; va += size) {
		struct pb_tlb_entry *e = pb_tlb_find(t, va, kind);

		if (e)
			pb_tlb_unlink(t, e);
	}
}

/* Drop every entry that translates any address of [start, end). */
static void pb_tlb_drop_range(struct pb_mm *mm, u64 start, u64 end)
{
	struct pb_tlb *t = &mm->tlb;
	u32 i;

	if (!t->nr)
		return;
	if (end - start <= PB_TLB_PROBE_PAGES * pb_page_size(&mm->geom)) {
		pb_tlb_drop_probe(mm, start, end, 0);
		pb_tlb_drop_probe(mm, start, end, 1);
		pb_tlb_drop_probe(mm, start, end, 2);
		return;
	}
	for (i = 0; i < t->hwm && t->nr; i++) {
		struct pb_tlb_entry *e = &t->entries[i];
		u64 size = pb_tlb_kind_size(mm, pb_tlb_kind(e));

		if (e->used && e->va < end && e->va + size > start)
			pb_tlb_unlink(t, e);
	}
}

void pb_flush_tlb_page(struct pb_mm *mm, u64 va)
{
	pb_mm_count(mm, PB_MMC_tlbi_page, 1);
	pb_tlb_drop_range(mm, va, va + 1);
	pb_shadow_invalidated(mm, va, va + pb_page_size(&mm->geom));
}

void pb_flush_tlb_range(struct pb_mm *mm, u64 start, u64 end)
{
	pb_mm_count(mm, PB_MMC_tlbi_range, 1);
	pb_tlb_drop_range(mm, start, end);
	pb_shadow_invalidated(mm, start, end);
}

void pb_flush_tlb_mm(struct pb_mm *mm)
{
	struct pb_tlb *t = &mm->tlb;
	u32 i;

	pb_mm_count(mm, PB_MMC_tlbi_mm, 1);
	for (i = 0; i < t->hwm && t->nr; i++)
		if (t->entries[i].used)
			pb_tlb_unlink(t, &t->entries[i]);
	pb_shadow_invalidated(mm, 0, U64_MAX);
}
