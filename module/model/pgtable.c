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
	union {
		struct pb_table **child;	/* NULL at the last level */
		struct pb_table *next_free;	/* in the mm's free headers */
	};
	u32 serial;
	unsigned int nr_used;		/* non-zero descriptors (children) */
};

/*
 * Table headers come from chunks the mm allocates, a kmalloc-2k's worth at
 * a time, not one allocation each: under the guests' slub_debug a small
 * kmalloc() costs thousands of instructions, paid for every table a fork
 * allocates.  A freed header goes back to the mm's free list; the chunks go
 * with the mm's page table.
 */
#define PB_TABLE_CHUNK	84

struct pb_table_chunk {
	struct pb_table_chunk *next;
	struct pb_table t[PB_TABLE_CHUNK];
};

static struct pb_table *pb_table_header(struct pb_mm *mm)
{
	struct pb_table_chunk *c;
	struct pb_table *t;
	unsigned int i;

	if (!mm->pt_free) {
		c = pb_zalloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = mm->pt_chunks;
		mm->pt_chunks = c;
		for (i = PB_TABLE_CHUNK; i--;) {
			c->t[i].next_free = mm->pt_free;
			mm->pt_free = &c->t[i];
		}
	}
	t = mm->pt_free;
	mm->pt_free = t->next_free;
	memset(t, 0, sizeof(*t));
	return t;
}

static void pb_table_header_free(struct pb_mm *mm, struct pb_table *t)
{
	t->next_free = mm->pt_free;
	mm->pt_free = t;
}

/* With every table freed: the headers' chunks. */
static void pb_table_chunks_free(struct pb_mm *mm)
{
	struct pb_table_chunk *c;

	while ((c = mm->pt_chunks)) {
		mm->pt_chunks = c->next;
		pb_free(c, sizeof(*c));
	}
	mm->pt_free = NULL;
}

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

	t = pb_table_header(mm);
	if (!t)
		return NULL;
	t->desc = pb_pt_zalloc(leaf ? pb_leaf_bytes(mm) : pb_page_size(&mm->geom));
	if (!t->desc)
		goto free_t;
	if (!leaf) {
		t->child = pb_pt_zalloc(pb_ptrs_per_table(&mm->geom) * sizeof(*t->child));
		if (!t->child)
			goto free_desc;
	}
	t->serial = ++mm->table_serial;
	mm->pt_bytes += pb_table_bytes(mm, level);
	pb_mm_count(mm, PB_MMC_pt_pages, 1);
	pb_count(PB_CNT_live_pt_pages, 1);
	return t;

free_desc:
	pb_pt_free(t->desc, leaf ? pb_leaf_bytes(mm) : pb_page_size(&mm->geom));
free_t:
	pb_table_header_free(mm, t);
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
		pb_pt_free(t->child, pb_ptrs_per_table(&mm->geom) * sizeof(*t->child));
	}
	pb_pt_free(t->desc, leaf ? pb_leaf_bytes(mm) : pb_page_size(&mm->geom));
	pb_table_header_free(mm, t);
	mm->pt_bytes -= pb_table_bytes(mm, level);
	pb_mm_count(mm, PB_MMC_pt_pages, -1);
	pb_count(PB_CNT_live_pt_pages, -1);
}

int pb_pgd_alloc(struct pb_mm *mm)
{
	mm->pgd = pb_table_alloc(mm, 0);
	if (mm->pgd)
		return 0;
	pb_table_chunks_free(mm);
	return -ENOMEM;
}

void pb_pgd_free(struct pb_mm *mm)
{
	if (mm->pgd)
		pb_table_free(mm, mm->pgd, 0);
	mm->pgd = NULL;
	pb_table_chunks_free(mm);
}

static unsigned int pb_index(const struct pb_geom *g, u64 va, unsigned int level)
{
	return (va >> pb_level_shift(g, level)) & (pb_level_entries(g, level) - 1);
}

/*
 * The table at the PMD level (the level above the last) that maps @va, and
 * the index of @va's entry in it.  With @alloc, missing upper tables are
 * allocated (ERR_PTR(-ENOMEM) if that fails); without, NULL when one is
 * missing.
 */
static struct pb_table *pb_pmd_table(struct pb_mm *mm, u64 va, bool alloc,
				     unsigned int *idx)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_table *t = mm->pgd;
	unsigned int level;

	for (level = 0; level < g->levels - 2; level++) {
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
	*idx = pb_index(g, va, level);
	return t;
}

/*
 * The last-level entry of @va.  With @alloc, missing tables are allocated
 * (ERR_PTR(-ENOMEM) if that fails, leaving what was there); without, NULL
 * when a table is missing.  Under a PMD leaf there is no last-level entry:
 * NULL, or ERR_PTR(-EEXIST) with @alloc (the caller splits it first).
 */
pb_pte_t *pb_pte_offset(struct pb_mm *mm, u64 va, bool alloc)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_table *t, *next;
	unsigned int i;

	t = pb_pmd_table(mm, va, alloc, &i);
	if (IS_ERR_OR_NULL(t))
		return (pb_pte_t *)t;
	if (pb_pmd_leaf(t->desc[i]))
		return alloc ? ERR_PTR(-EEXIST) : NULL;
	next = t->child[i];
	/* A table deposited by fork's preparation is populated on first use. */
	if (!t->desc[i]) {
		if (!alloc)
			return NULL;
		if (!next) {
			next = pb_table_alloc(mm, g->levels - 1);
			if (!next)
				return ERR_PTR(-ENOMEM);
			t->child[i] = next;
			t->nr_used++;
		}
		t->desc[i] = pb_pfn_pte(g, next->serial, PB_PTE_VALID | PB_PTE_TABLE);
	}
	return &next->desc[pb_index(g, va, g->levels - 1)];
}

/*
 * The PMD-level entry of @va: a table descriptor, a PMD leaf, or 0 (with no
 * table under it: pmd_none()).  NULL when an upper table is missing.
 */
pb_pte_t *pb_pmd_offset(struct pb_mm *mm, u64 va)
{
	unsigned int i;
	struct pb_table *t = pb_pmd_table(mm, va, false, &i);

	return t ? &t->desc[i] : NULL;
}

/*
 * pte_alloc_one() and pgtable_trans_huge_deposit() of a PMD fault, or of a
 * fork's copy_huge_pmd() in the child: the PMD entry of @va, which must be
 * pmd_none() (no table at all), gets a last-level table deposited under it,
 * so that a later split cannot fail.  The caller then writes the leaf.
 * Returns the PMD entry, NULL if it is not none, or ERR_PTR(-ENOMEM).
 */
pb_pte_t *pb_pmd_deposit(struct pb_mm *mm, u64 va)
{
	struct pb_table *t, *leaf;
	unsigned int i;

	t = pb_pmd_table(mm, va, true, &i);
	if (IS_ERR(t))
		return (pb_pte_t *)t;
	if (t->desc[i] || t->child[i])
		return NULL;
	leaf = pb_table_alloc(mm, mm->geom.levels - 1);
	if (!leaf)
		return ERR_PTR(-ENOMEM);
	t->child[i] = leaf;
	t->nr_used++;
	return &t->desc[i];
}

/* The first entry of the table deposited under the PMD leaf of @va. */
pb_pte_t *pb_pmd_deposited(struct pb_mm *mm, u64 va)
{
	unsigned int i;
	struct pb_table *t = pb_pmd_table(mm, va, false, &i);

	return t->child[i]->desc;
}

/*
 * zap_deposited_table() once the PMD leaf of @va is cleared: the deposited
 * table goes, and the entry is pmd_none() again.
 */
void pb_pmd_free_deposit(struct pb_mm *mm, u64 va)
{
	unsigned int i;
	struct pb_table *t = pb_pmd_table(mm, va, false, &i);

	pb_table_free(mm, t->child[i], mm->geom.levels - 1);
	t->child[i] = NULL;
	t->desc[i] = 0;
	t->nr_used--;
}

/* pmd_populate() with the deposited table: the PMD entry of @va is a table. */
pb_pte_t pb_pmd_table_desc(struct pb_mm *mm, u64 va)
{
	unsigned int i;
	struct pb_table *t = pb_pmd_table(mm, va, false, &i);

	return pb_pfn_pte(&mm->geom, t->child[i]->serial,
			  PB_PTE_VALID | PB_PTE_TABLE);
}

/* Allocate the tables above the leaf table of @va (alloc_new_pmd()). */
int pb_pgtable_prealloc_pmd(struct pb_mm *mm, u64 va)
{
	unsigned int idx;

	return IS_ERR_OR_NULL(pb_pmd_table(mm, va, true, &idx)) ? -ENOMEM : 0;
}

/*
 * May the leaf table of @old move to @new (move_normal_pmd()'s pmd_none()
 * and pmd_present() tests)?  @old's PMD entry must point to a table, not be
 * a PMD leaf; @new's must be none, with no table deposited under it either.
 */
bool pb_pgtable_leaf_movable(struct pb_mm *mm, u64 old, u64 new)
{
	struct pb_table *from, *to;
	unsigned int i, j;

	from = pb_pmd_table(mm, old, false, &i);
	to = pb_pmd_table(mm, new, false, &j);
	if (!from || !from->child[i] || !from->desc[i] || pb_pmd_leaf(from->desc[i]))
		return false;
	return !to || (!to->child[j] && !to->desc[j]);
}

/*
 * move_normal_pmd(): the leaf table that maps @old (aligned to the span of a
 * leaf table) maps @new from now on, its entries untouched; the tables above
 * @new must be there and @new must have no leaf table.  -EINVAL if @old has
 * no leaf table or @new has one, -ENOENT if the table above @new is
 * missing: then nothing moves.
 */
int pb_pgtable_move_leaf(struct pb_mm *mm, u64 old, u64 new)
{
	struct pb_table *from, *to;
	unsigned int i, j;

	if (!pb_pgtable_leaf_movable(mm, old, new))
		return -EINVAL;
	from = pb_pmd_table(mm, old, false, &i);
	to = pb_pmd_table(mm, new, false, &j);
	if (!to)
		return -ENOENT;
	to->child[j] = from->child[i];
	to->desc[j] = from->desc[i];
	to->nr_used++;
	from->child[i] = NULL;
	from->desc[i] = 0;
	from->nr_used--;
	return 0;
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

/* Is the table at @level empty: no descriptor, no child (none deposited)? */
static bool pb_table_empty(const struct pb_mm *mm, const struct pb_table *t,
			   unsigned int level)
{
	unsigned int i;

	if (level < mm->geom.levels - 1)
		return !t->nr_used;
	for (i = 0; i < pb_ptrs_per_table(&mm->geom); i++)
		if (t->desc[i])
			return false;
	return true;
}

static void pb_free_new_tables(struct pb_mm *mm, struct pb_table *t,
			       unsigned int level, u64 base, u64 start, u64 end,
			       u32 mark)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int shift = pb_level_shift(g, level), i, last;

	i = start > base ? (start - base) >> shift : 0;
	last = pb_level_entries(g, level);
	if (end - base < (u64)last << shift)
		last = DIV_ROUND_UP(end - base, 1ULL << shift);
	for (; i < last; i++) {
		struct pb_table *c = t->child[i];

		if (!c)
			continue;
		if (level + 1 < g->levels - 1)
			pb_free_new_tables(mm, c, level + 1,
					   base + ((u64)i << shift), start, end,
					   mark);
		/* A PMD leaf keeps the table deposited under it. */
		if (c->serial <= mark || pb_pmd_leaf(t->desc[i]) ||
		    !pb_table_empty(mm, c, level + 1))
			continue;
		pb_table_free(mm, c, level + 1);
		t->child[i] = NULL;
		t->desc[i] = 0;
		t->nr_used--;
	}
}

/*
 * Undo the tables that a failed command allocated over [start, end): those
 * newer than @mark (mm->table_serial before the command) that are empty
 * again.  Unlike upstream, where a failed fault keeps the tables it took
 * until free_pgtables(): a failed command here leaves no trace (the budget's
 * promise), and the model never frees tables before the mm goes.
 */
void pb_pgtable_free_new(struct pb_mm *mm, u64 start, u64 end, u32 mark)
{
	if (mm->geom.levels < 2 || !mm->pgd || start >= end)
		return;
	pb_free_new_tables(mm, mm->pgd, 0, 0, start, end, mark);
}

/* The end of the last-level table that maps @va, capped at @end. */
u64 pb_pmd_addr_end(const struct pb_mm *mm, u64 va, u64 end)
{
	u64 size = 1ULL << pb_level_shift(&mm->geom, mm->geom.levels - 2);
	u64 next = (va + size) & ~(size - 1);

	return next - 1 < end - 1 ? next : end;
}

/*
 * The end of one step of a walk of [va, end) that visits present entries:
 * @va's last-level table's end (pb_pmd_addr_end()), or, where a table above
 * the PMD level is missing, the end of all that the missing table would map,
 * as walk_pgd_range() and copy_page_range() skip a pgd_none() or pud_none()
 * entry whole.  So a walk costs what is populated, not the size of the range.
 */
u64 pb_walk_addr_end(struct pb_mm *mm, u64 va, u64 end)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_table *t = mm->pgd;
	unsigned int level;

	for (level = 0; level < g->levels - 2; level++) {
		t = t->child[pb_index(g, va, level)];
		if (!t) {
			u64 size = 1ULL << pb_level_shift(g, level);
			u64 next = (va + size) & ~(size - 1);

			/* 0 past the top of the address space: end. */
			return next - 1 < end - 1 ? next : end;
		}
	}
	return pb_pmd_addr_end(mm, va, end);
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
			/*
			 * The table deposited under a PMD leaf too: it is empty
			 * and its shadow holds the leaf's (model/shadow.c).
			 */
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

/* Call @fn on each PMD leaf overlapping [start, end), in address order. */
void pb_walk_pmd_leaves(struct pb_mm *mm, u64 start, u64 end,
			pb_pmd_fn_t fn, void *arg)
{
	u64 size = pb_pmd_size(&mm->geom), va, next;

	/* pb_walk_addr_end() gives end past the top: no wrap. */
	for (va = start & ~(size - 1); va < end; va = next) {
		pb_pte_t *pmdp = pb_pmd_offset(mm, va);

		next = pb_walk_addr_end(mm, va, end);
		if (pmdp && pb_pmd_leaf(*pmdp))
			fn(mm, pmdp, va, arg);
	}
}

/*
 * What maps @va, as a page descriptor: the last-level entry, or under a PMD
 * leaf the leaf's attributes with the OA of @va's page (*@pmd set); 0 when
 * nothing does.
 */
pb_pte_t pb_va_entry(struct pb_mm *mm, u64 va, bool *pmd)
{
	const struct pb_geom *g = &mm->geom;
	pb_pte_t *ptep = pb_pte_offset(mm, va, false), *pmdp;

	*pmd = false;
	if (ptep)
		return *ptep;
	pmdp = pb_pmd_offset(mm, va);
	if (!pmdp || !pb_pmd_leaf(*pmdp))
		return 0;
	*pmd = true;
	return pb_pte_advance(g, pb_pmd_to_pte(*pmdp),
			      (va >> g->page_shift) & (pb_ptrs_per_table(g) - 1),
			      false);
}
