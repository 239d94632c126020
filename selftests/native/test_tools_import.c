// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of tools/import.c: task_import's mm made from a made-up
 * process layout (the list real/task.c reads): a folded folio, a partly
 * mapped one made read-only and old, a misaligned one left out, a shared
 * (not exclusive) page; the checker clean; and every allocation failing
 * in turn leaves nothing behind once the half-made mm is destroyed.  And
 * the snapshot of a model mm (the oracle's mm=): built again, it is the
 * same layout, on every granule.
 */
#include "nt_mm.h"
#include "check/check.h"
#include "paths/fork.h"
#include "paths/mprotect.h"
#include "paths/zap.h"
#include "tools/import.h"

#define V	0x400000ULL	/* the VMA's start, block and PMD aligned */
#define PS	4096ULL

static struct pb_import_page *add(struct pb_import_src *src, u64 page, u64 pfn,
				  u64 head, unsigned int order, u8 flags)
{
	struct pb_import_page *p = &src->page[src->nr_pages++];

	p->va = V + page * PS;
	p->pfn = pfn;
	p->head_pfn = head;
	p->order = order;
	p->flags = flags;
	src->present++;
	return p;
}

/*
 * Folio A (order 4, pages 0..15): folded, only page 3 young, none dirty.
 * Folio B (order 4, pages 16..31): its first half mapped, page 16 young,
 * dirty and writable, the rest old, clean and read-only.  Folio C (order
 * 2) with its first page at page 33: misaligned.  Page 40: an anon page
 * shared after a fork (read-only, not exclusive).
 */
static struct pb_import_src *layout(void)
{
	struct pb_import_src *src = calloc(1, sizeof(*src));
	const u8 anon = PB_IMPORT_PG_ANON | PB_IMPORT_PG_EXCL;
	unsigned int i;

	if (!src)
		return NULL;
	src->page_shift = 12;
	src->cont_ptes = 16;
	src->va_bits = 48;
	src->nr_vmas = 2;
	src->listed = 1;
	src->vma[0] = (struct pb_import_vma){ .start = V, .end = V + 64 * PS,
		.read = true, .write = true, .kind = PB_MAPS_KIND_ANON };
	src->skip[PB_IMPORT_SKIP_pfnmap] = 2;
	for (i = 0; i < 16; i++)
		add(src, i, 0x1000 + i, 0x1000, 4, anon | PB_IMPORT_PG_WRITE |
		    PB_IMPORT_PG_CONT | (i == 3 ? PB_IMPORT_PG_YOUNG : 0));
	add(src, 16, 0x2000, 0x2000, 4, anon | PB_IMPORT_PG_WRITE |
	    PB_IMPORT_PG_YOUNG | PB_IMPORT_PG_DIRTY);
	for (i = 1; i < 8; i++)
		add(src, 16 + i, 0x2000 + i, 0x2000, 4, anon);
	for (i = 0; i < 4; i++)
		add(src, 33 + i, 0x3000 + i, 0x3000, 2, anon | PB_IMPORT_PG_WRITE);
	add(src, 40, 0x5000, 0x5000, 0, PB_IMPORT_PG_ANON);
	return src;
}

TEST(import_makes_the_layout)
{
	struct pb_import_src *src = layout();
	struct pb_import_result res;
	const char *why = NULL;
	struct pb_mm *mm;
	unsigned int i;
	pb_pte_t pte;

	ASSERT_NE(NULL, src);
	mm = nt_mm_create(4, 48, 48, 0, 1 << 16, true);
	ASSERT_FALSE(IS_ERR_OR_NULL(mm));
	ASSERT_EQ(0, pb_import_build(mm, src, &res, &why)) TH_LOG("%s", why);
	EXPECT_EQ(1, res.vmas);
	EXPECT_EQ(16 + 8 + 1, res.imported);
	EXPECT_EQ(3, res.folios);
	EXPECT_EQ(4, res.skip[PB_IMPORT_SKIP_misaligned]);
	EXPECT_EQ(2, res.skip[PB_IMPORT_SKIP_pfnmap]);
	for (i = 0; i < 16; i++) {
		pte = nt_pte_at(mm, V + i * PS);
		EXPECT_TRUE(pb_pte_valid_cont(nt_raw_at(mm, V + i * PS))) TH_LOG("page %u", i);
		EXPECT_TRUE(pb_pte_young(pte));
		EXPECT_FALSE(pb_pte_dirty(pte));
		EXPECT_TRUE(pb_pte_write(pte));
		EXPECT_EQ(nt_pfn_at(mm, V) + i, nt_pfn_at(mm, V + i * PS));
	}
	for (i = 16; i < 32; i++) {
		pte = nt_raw_at(mm, V + i * PS);
		EXPECT_EQ(i < 24, pb_pte_present(pte)) TH_LOG("page %u", i);
		if (i >= 24)
			continue;
		EXPECT_FALSE(pb_pte_valid_cont(pte));
		EXPECT_EQ(i == 16, pb_pte_young(pte)) TH_LOG("page %u", i);
		EXPECT_EQ(i == 16, pb_pte_dirty(pte)) TH_LOG("page %u", i);
		EXPECT_EQ(i == 16, pb_pte_write(pte)) TH_LOG("page %u", i);
	}
	for (i = 32; i < 40; i++)
		EXPECT_FALSE(pb_pte_present(nt_raw_at(mm, V + i * PS))) TH_LOG("page %u", i);
	pte = nt_raw_at(mm, V + 40 * PS);
	EXPECT_TRUE(pb_pte_present(pte));
	EXPECT_FALSE(pb_pte_write(pte));
	EXPECT_FALSE(nt_page_at(mm, V + 40 * PS)->flags & PB_PG_ANON_EXCLUSIVE);
	EXPECT_TRUE(nt_page_at(mm, V + 16 * PS)->flags & PB_PG_ANON_EXCLUSIVE);
	EXPECT_EQ(0, pb_check_mm(mm));
	pb_mm_destroy(mm);
	free(src);
	nt_check_leaks(_metadata);
}

/* Each allocation of the build failing in turn: -ENOMEM, nothing left. */
TEST(import_out_of_memory_leaves_nothing)
{
	struct pb_import_src *src = layout();
	struct pb_import_result res;
	const char *why = NULL;
	unsigned int nth, failed = 0;
	struct pb_mm *mm;
	int ret;

	ASSERT_NE(NULL, src);
	for (nth = 1; nth < 1000; nth++) {
		mm = nt_mm_create(4, 48, 48, 0, 1 << 16, true);
		ASSERT_FALSE(IS_ERR_OR_NULL(mm));
		atomic_set(&pb_fail_nth, nth);
		ret = pb_import_build(mm, src, &res, &why);
		atomic_set(&pb_fail_nth, 0);
		pb_mm_destroy(mm);
		if (!ret)
			break;
		EXPECT_EQ(-ENOMEM, ret) TH_LOG("nth %u: %s", nth, why);
		EXPECT_NE(NULL, strstr(why, "budget_bytes"));
		failed++;
	}
	EXPECT_LT(0, failed);
	EXPECT_GT(1000, nth);
	free(src);
	nt_check_leaks(_metadata);
}

FIXTURE(snap)
{
	struct pb_mm *mm, *child;
	struct pb_import_src *src[2];
};

FIXTURE_VARIANT(snap)
{
	NT_GRANULE_FIELDS;
};

FIXTURE_VARIANT_ADD(snap, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(snap, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(snap, granule_64k) NT_GRANULE_64K;

FIXTURE_SETUP(snap)
{
	int i;

	for (i = 0; i < 2; i++) {
		self->src[i] = calloc(1, sizeof(*self->src[i]));
		ASSERT_NE(NULL, self->src[i]);
	}
	self->mm = nt_mm_create(variant->page_kb, 48, 48, 0, 1 << 16, true);
	ASSERT_FALSE(IS_ERR_OR_NULL(self->mm));
	self->child = nt_mixed_layout(_metadata, self->mm);
}

FIXTURE_TEARDOWN(snap)
{
	int i;

	if (self->child)
		pb_mm_destroy(self->child);
	if (self->mm && !IS_ERR(self->mm))
		pb_mm_destroy(self->mm);
	for (i = 0; i < 2; i++)
		free(self->src[i]);
	nt_check_leaks(_metadata);
}

/* A page of @a's list and of @b's are the same, the PFNs as offsets. */
static bool same_page(const struct pb_import_page *a, const struct pb_import_page *b)
{
	/* A folded block's raw A/D: fold gathers them into every entry. */
	u8 mask = a->flags & PB_IMPORT_PG_CONT ?
		  (u8)~(PB_IMPORT_PG_YOUNG | PB_IMPORT_PG_DIRTY) : 0xff;

	return a->va == b->va && a->order == b->order &&
	       a->pfn - a->head_pfn == b->pfn - b->head_pfn &&
	       (a->flags & mask) == (b->flags & mask);
}

TEST_F(snap, a_snapshot_built_again_is_the_same_layout)
{
	struct pb_import_src *a = self->src[0], *b = self->src[1];
	struct pb_import_result res;
	const char *why = NULL;
	struct pb_mm *mm;
	unsigned int i, kinds = 0;
	u64 skipped = 0;

	pb_import_snapshot(self->mm, a);
	EXPECT_EQ(self->mm->nr_vmas, a->listed);
	EXPECT_EQ(a->present, a->nr_pages);
	for (i = 0; i < a->nr_pages; i++)
		kinds |= a->page[i].flags;
	/* The layout has every kind of page the list can say. */
	EXPECT_EQ(PB_IMPORT_PG_ANON | PB_IMPORT_PG_EXCL | PB_IMPORT_PG_YOUNG |
		  PB_IMPORT_PG_DIRTY | PB_IMPORT_PG_WRITE | PB_IMPORT_PG_CONT |
		  PB_IMPORT_PG_PMD, kinds);
	mm = nt_mm_create(variant->page_kb, 48, 48, 0, 1 << 16, true);
	ASSERT_FALSE(IS_ERR_OR_NULL(mm));
	ASSERT_EQ(0, pb_import_build(mm, a, &res, &why)) TH_LOG("%s", why);
	for (i = 0; i < PB_NR_IMPORT_SKIPS; i++)
		skipped += res.skip[i];
	EXPECT_EQ(0, skipped);
	EXPECT_EQ(a->nr_pages, res.imported);
	EXPECT_EQ(self->mm->nr_vmas, res.vmas);
	EXPECT_EQ(0, pb_check_mm(mm));
	pb_import_snapshot(mm, b);
	ASSERT_EQ(a->listed, b->listed);
	for (i = 0; i < a->listed; i++) {
		EXPECT_EQ(0, memcmp(&a->vma[i], &b->vma[i], sizeof(a->vma[i])))
			TH_LOG("vma %u", i);
		EXPECT_EQ(self->mm->vmas[i].flags, mm->vmas[i].flags) TH_LOG("vma %u", i);
	}
	ASSERT_EQ(a->nr_pages, b->nr_pages);
	for (i = 0; i < a->nr_pages; i++) {
		const struct pb_import_page *p = &a->page[i], *q = &b->page[i];

		EXPECT_TRUE(same_page(p, q))
			TH_LOG("page %u va 0x%llx: order %u/%u idx %llu/%llu flags 0x%x/0x%x",
			       i, p->va, p->order, q->order, p->pfn - p->head_pfn,
			       q->pfn - q->head_pfn, p->flags, q->flags);
		/* Folded: what ptep_get() reads agrees. */
		if (p->flags & PB_IMPORT_PG_CONT)
			EXPECT_EQ(pb_pte_young(nt_pte_at(self->mm, p->va)) |
				  pb_pte_dirty(nt_pte_at(self->mm, p->va)) << 1,
				  pb_pte_young(nt_pte_at(mm, q->va)) |
				  pb_pte_dirty(nt_pte_at(mm, q->va)) << 1)
				TH_LOG("va 0x%llx", p->va);
	}
	pb_mm_destroy(mm);
}

/*
 * A VMA split through a folio (mprotect of part of it): the folio is in
 * neither VMA whole, which populate cannot make, so it is left out and
 * counted, as it is of a process.
 */
TEST_F(snap, a_folio_across_a_vma_split_is_counted_misaligned)
{
	struct pb_import_src *a = self->src[0];
	u64 ps = pb_page_size(&self->mm->geom);
	u64 va = NT_VA + pb_pmd_size(&self->mm->geom) + 4 * pb_cont_size(&self->mm->geom);
	struct pb_import_result res;
	const char *why = NULL;
	struct pb_mm *mm;

	/* Pages 4..7 there are one order-2 folio: split it at page 6. */
	ASSERT_EQ(0, pb_mprotect(self->mm, va, va + 6 * ps, PB_VM_READ, &why)) TH_LOG("%s", why);
	pb_import_snapshot(self->mm, a);
	mm = nt_mm_create(variant->page_kb, 48, 48, 0, 1 << 16, true);
	ASSERT_FALSE(IS_ERR_OR_NULL(mm));
	ASSERT_EQ(0, pb_import_build(mm, a, &res, &why)) TH_LOG("%s", why);
	EXPECT_EQ(4, res.skip[PB_IMPORT_SKIP_misaligned]);
	EXPECT_EQ(a->nr_pages - 4, res.imported);
	EXPECT_FALSE(pb_pte_present(nt_raw_at(mm, va + 4 * ps)));
	EXPECT_EQ(0, pb_check_mm(mm));
	pb_mm_destroy(mm);
}

/* The list is full: the pages past it are counted, not listed. */
TEST_F(snap, pages_past_the_list_are_counted)
{
	struct pb_import_src *a = self->src[0];
	u64 pages = (u64)PB_IMPORT_PAGES_MAX + 5;
	u64 va = NT_VA + 8 * pb_pmd_size(&self->mm->geom);
	u64 present;

	pb_import_snapshot(self->mm, a);
	present = a->present;
	nt_add_vma(_metadata, self->mm, va, pages << self->mm->geom.page_shift,
		   PB_VM_READ | PB_VM_WRITE | PB_VM_ANON);
	nt_populate(_metadata, self->mm, va, pages << self->mm->geom.page_shift, 0, false);
	pb_import_snapshot(self->mm, a);
	EXPECT_EQ(present + pages, a->present);
	EXPECT_EQ(PB_IMPORT_PAGES_MAX, a->nr_pages);
	EXPECT_EQ(present + pages - PB_IMPORT_PAGES_MAX,
		  a->skip[PB_IMPORT_SKIP_pages_limit]);
}

TEST_HARNESS_MAIN
