// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the multi-level page table of a private mm.
 *
 * Tables are allocated when a walk first needs them, zeroed once then, and
 * afterwards walked as they are (allocate, then populate).  A table
 * descriptor holds the table's serial number in its output-address field, the
 * model's stand-in for a physical address; upper tables keep the pointers to
 * their children beside the descriptors.  A last-level table of an mm created
 * with check=1 has room for its shadow after it (model/shadow.c).
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "lib/alloc.h"
#include "lib/counters.h"
#include "model/mm.h"
#include "model/pgtable.h"

struct pb_table {
	pb_pte_t *desc;
	struct pb_table **child;	/* NULL at the last level */
	u32 serial;
	unsigned int nr_used;		/* non-zero descriptors (children) */
};

static size_t pb_leaf_bytes(const struct pb_mm *mm)
{
	return pb_page_size(&mm->geom) * (mm->shadowed ? 2 : 1);
}

/* Entries of the table at @level (0 is the top; it may be folded smaller). */
static unsigned int pb_level_entries(const struct pb_geom *g, unsigned int level)
{
	unsigned int bits;

	if (level)
		return pb_ptrs_per_table(g);
	bits = g->va_bits - g->page_shift - (g->levels - 1) * g->bits_per_level;
	return 1U << bits;
}

static unsigned int pb_level_shift(const struct pb_geom *g, unsigned int level)
{
	return g->page_shift + (g->levels - 1 - level) * g->bits_per_level;
}

/* What a table at @level costs: the descriptors, the children, the header. */
static u64 pb_table_bytes(const struct pb_mm *mm, unsigned int level)
{
	if (level == mm->geom.levels - 1)
		return sizeof(struct pb_table) + pb_leaf_bytes(mm);
	return sizeof(struct pb_table) + pb_page_size(&mm->geom) +
	       pb_ptrs_per_table(&mm->geom) * sizeof(struct pb_table *);
}

static struct pb_table *pb_table_alloc(struct pb_mm *mm, unsigned int level)
{
	bool leaf = level == mm->geom.levels - 1;
	struct pb_table *t;

	t = pb_zalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->desc = pb_zalloc(leaf ? pb_leaf_bytes(mm) : pb_page_size(&mm->geom));
	if (!t->desc)
		goto free_t;
	if (!leaf) {
		t->child = pb_zalloc(pb_ptrs_per_table(&mm->geom) * sizeof(*t->child));
		if (!t->child)
			goto free_desc;
	}
	t->serial = ++mm->table_serial;
	mm->pt_bytes += pb_table_bytes(mm, level);
	pb_mm_count(mm, PB_MMC_pt_pages, 1);
	pb_count(PB_CNT_live_pt_pages, 1);
	return t;

free_desc:
	pb_free(t->desc, leaf ? pb_leaf_bytes(mm) : pb_page_size(&mm->geom));
free_t:
	pb_free(t, sizeof(*t));
	return NULL;
}

static void pb_table_free(struct pb_mm *mm, struct pb_table *t,
			  unsigned int level)
{
	bool leaf = level == mm->geom.levels - 1;
	unsigned int i;

	if (!leaf) {
		for (i = 0; i < pb_ptrs_per_table(&mm->geom); i++)
			if (t->child[i])
				pb_table_free(mm, t->child[i], level + 1);
		pb_free(t->child, pb_ptrs_per_table(&mm->geom) * sizeof(*t->child));
	}
	pb_free(t->desc, leaf ? pb_leaf_bytes(mm) : pb_page_size(&mm->geom));
	pb_free(t, sizeof(*t));
	mm->pt_bytes -= pb_table_bytes(mm, level);
	pb_mm_count(mm, PB_MMC_pt_pages, -1);
	pb_count(PB_CNT_live_pt_pages, -1);
}

int pb_pgd_alloc(struct pb_mm *mm)
{
	mm->pgd = pb_table_alloc(mm, 0);
	return mm->pgd ? 0 : -ENOMEM;
}

void pb_pgd_free(struct pb_mm *mm)
{
	if (mm->pgd)
		pb_table_free(mm, mm->pgd, 0);
	mm->pgd = NULL;
}

static unsigned int pb_index(const struct pb_geom *g, u64 va, unsigned int level)
{
	return (va >> pb_level_shift(g, level)) & (pb_level_entries(g, level) - 1);
}

/*
 * The last-level entry of @va.  With @alloc, missing tables are allocated
 * (ERR_PTR(-ENOMEM) if that fails, leaving what was there); without, NULL
 * when a table is missing.
 */
pb_pte_t *pb_pte_offset(struct pb_mm *mm, u64 va, bool alloc)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_table *t = mm->pgd;
	unsigned int level;

	for (level = 0; level < g->levels - 1; level++) {
		unsigned int i = pb_index(g, va, level);
		struct pb_table *next = t->child[i];

		if (!next) {
			if (!alloc)
				return NULL;
			next = pb_table_alloc(mm, level + 1);
			if (!next)
				return ERR_PTR(-ENOMEM);
			t->child[i] = next;
			t->desc[i] = pb_pfn_pte(g, next->serial,
						PB_PTE_VALID | PB_PTE_TABLE);
			t->nr_used++;
		}
		t = next;
	}
	return &t->desc[pb_index(g, va, level)];
}

/* Allocate every table [start, end) needs, so that a later walk cannot fail. */
int pb_pgtable_prealloc(struct pb_mm *mm, u64 start, u64 end)
{
	u64 va;

	for (va = start; va < end; va = pb_pmd_addr_end(mm, va, end)) {
		pb_pte_t *ptep = pb_pte_offset(mm, va, true);

		if (IS_ERR(ptep))
			return PTR_ERR(ptep);
	}
	return 0;
}

/* The end of the last-level table that maps @va, capped at @end. */
u64 pb_pmd_addr_end(const struct pb_mm *mm, u64 va, u64 end)
{
	u64 size = 1ULL << pb_level_shift(&mm->geom, mm->geom.levels - 2);
	u64 next = (va + size) & ~(size - 1);

	return next - 1 < end - 1 ? next : end;
}

/* Call @fn on each populated last-level table overlapping [start, end). */
static void pb_walk_leaves(struct pb_mm *mm, struct pb_table *t,
			   unsigned int level, u64 base, u64 start, u64 end,
			   pb_leaf_fn_t fn, void *arg)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int shift = pb_level_shift(g, level), i, last;
	u64 size = 1ULL << shift;

	/* Only the entries that [start, end) overlaps. */
	i = start > base ? (start - base) >> shift : 0;
	last = pb_level_entries(g, level);
	if (end - base < (u64)last << shift)
		last = DIV_ROUND_UP(end - base, size);
	for (; i < last; i++) {
		u64 va = base + i * size;

		if (level == g->levels - 2) {
			if (t->child[i])
				fn(mm, t->child[i]->desc, va, start, end, arg);
		} else if (t->child[i]) {
			pb_walk_leaves(mm, t->child[i], level + 1, va, start,
				       end, fn, arg);
		}
	}
}

void pb_walk_leaf_tables(struct pb_mm *mm, u64 start, u64 end,
			 pb_leaf_fn_t fn, void *arg)
{
	if (mm->geom.levels < 2 || !mm->pgd)
		return;
	pb_walk_leaves(mm, mm->pgd, 0, 0, start, end, fn, arg);
}
