// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of model/rmap.c: fork's dup of a folio's mappings, the MM
 * owner tracking of large folios and the two "mapped shared" answers built
 * on it or on per-page mapcounts, and the deferred-split queuing with and
 * without per-page mapcounts (CONFIG_NO_PAGE_MAPCOUNT), on mms that share
 * one arena.
 */
#include "pb_native.h"
#include "model/rmap.h"

#define NR_MMS	3
#define ORDER	3
#define PAGES	BIT(ORDER)

FIXTURE(rmap)
{
	struct pb_phys *p;
	struct pb_mm *mm[NR_MMS];
	u64 pfn;		/* the head of an order-3 anon folio */
	struct pb_page *head;
};

FIXTURE_SETUP(rmap)
{
	const char *why = NULL;
	struct pb_geom g;
	unsigned int i;

	ASSERT_EQ(0, pb_geom_init(&g, 4, 48, 48, &why));
	self->p = pb_phys_create(&g, 0x100, 1 << 12, false);
	ASSERT_FALSE(IS_ERR(self->p));
	for (i = 0; i < NR_MMS; i++) {
		self->mm[i] = pb_mm_alloc(&g, self->p, i);
		ASSERT_FALSE(IS_ERR(self->mm[i]));
	}
	/* Each mm of a family has its own owner id, never 0. */
	EXPECT_NE(0, self->mm[0]->mm_id);
	EXPECT_NE(self->mm[0]->mm_id, self->mm[1]->mm_id);
	EXPECT_NE(self->mm[1]->mm_id, self->mm[2]->mm_id);
	ASSERT_EQ(0, pb_folio_alloc(self->p, ORDER, true, &self->pfn));
	self->head = pb_pfn_to_page(self->p, self->pfn);
}

FIXTURE_TEARDOWN(rmap)
{
	unsigned int i;

	EXPECT_EQ(0, pb_folio_large_mapcount(self->head));
	self->head->extra_refs = 0;
	EXPECT_TRUE(pb_folio_put(self->p, self->pfn, 1));
	EXPECT_EQ(0, self->p->deferred_len);
	for (i = 0; i < NR_MMS; i++)
		pb_mm_free(self->mm[i]);
	nt_check_leaks(_metadata);
}

static void map(struct _test_data_rmap *self, unsigned int m, unsigned int first,
		unsigned int nr)
{
	pb_rmap_add(self->mm[m], self->pfn + first, nr, false);
}

static void unmap(struct _test_data_rmap *self, unsigned int m, unsigned int first,
		  unsigned int nr)
{
	pb_rmap_remove(self->mm[m], self->pfn + first, nr);
}

/*
 * folio_add/sub_return_large_mapcount(): the bit is set once a second mm maps
 * the folio and cleared when one slot's mm holds every mapping again.  A third
 * mm gets no slot, so the bit can stay set while only it maps the folio:
 * "maybe" shared, as upstream says.
 */
TEST_F(rmap, mm_owner_tracking_sets_and_clears_the_shared_bit)
{
	struct pb_page *h = self->head;

	map(self, 0, 0, PAGES);
	EXPECT_FALSE(pb_folio_maybe_mapped_shared(h));
	map(self, 1, 0, PAGES);
	EXPECT_TRUE(pb_folio_maybe_mapped_shared(h));
	/* mm 1 keeps a mapping: nothing is re-evaluated. */
	unmap(self, 1, 0, PAGES - 1);
	EXPECT_TRUE(pb_folio_maybe_mapped_shared(h));
	unmap(self, 1, PAGES - 1, 1);
	EXPECT_FALSE(pb_folio_maybe_mapped_shared(h));
	/* A freed slot is taken again; mm 0 leaves, mm 2 owns it all. */
	map(self, 2, 0, 2);
	EXPECT_TRUE(pb_folio_maybe_mapped_shared(h));
	unmap(self, 0, 0, PAGES);
	EXPECT_FALSE(pb_folio_maybe_mapped_shared(h));
	unmap(self, 2, 0, 2);
	EXPECT_FALSE(pb_folio_maybe_mapped_shared(h));

	/* Three mms: the slotless one keeps the bit set after the others go. */
	map(self, 0, 0, PAGES);
	map(self, 2, 0, 2);
	map(self, 1, 0, PAGES);
	EXPECT_TRUE(pb_folio_maybe_mapped_shared(h));
	unmap(self, 2, 0, 2);
	unmap(self, 0, 0, PAGES);
	EXPECT_EQ(PAGES, pb_folio_large_mapcount(h));
	EXPECT_TRUE(pb_folio_maybe_mapped_shared(h));
	unmap(self, 1, 0, PAGES);
	EXPECT_FALSE(h->flags & PB_PG_MM_SHARED);
}

/*
 * Fork's dup (__folio_dup_file_rmap(), folio_try_dup_anon_rmap_ptes()): one
 * more mapping of each page and of the folio, the mm's owner slot, and
 * anon-exclusive cleared only when asked; no page is newly mapped (the
 * parent maps them all), so the count of mapped pages stays.
 */
TEST_F(rmap, dup_adds_mappings_but_maps_no_new_page)
{
	struct pb_page *h = self->head;
	unsigned int i, mapped;
	u16 flags[PAGES];

	pb_rmap_add(self->mm[0], self->pfn, PAGES, true);
	for (i = 0; i < PAGES; i++)
		flags[i] = h[i].flags;
	mapped = pb_nr_pages_mapped(h);
	EXPECT_EQ(PAGES, mapped);
	pb_rmap_dup_folio(self->mm[1], h, h + 2, 4, 0);
	for (i = 0; i < PAGES; i++) {
		EXPECT_EQ(1 + (i >= 2 && i < 6), h[i].mapcount) TH_LOG("page %u", i);
		/* The head's shared bit is the owner tracking's, above. */
		EXPECT_EQ(flags[i], h[i].flags & ~PB_PG_MM_SHARED) TH_LOG("page %u", i);
		EXPECT_TRUE(h[i].flags & PB_PG_ANON_EXCLUSIVE) TH_LOG("page %u", i);
	}
	EXPECT_EQ(mapped, pb_nr_pages_mapped(h));
	EXPECT_EQ(PAGES + 4, pb_folio_large_mapcount(h));
	EXPECT_TRUE(pb_folio_maybe_mapped_shared(h));
	pb_rmap_dup_folio(self->mm[2], h, h, PAGES, PB_PG_ANON_EXCLUSIVE);
	for (i = 0; i < PAGES; i++) {
		EXPECT_EQ(2 + (i >= 2 && i < 6), h[i].mapcount) TH_LOG("page %u", i);
		/* Nothing else of the page's flags changes. */
		EXPECT_EQ(flags[i] & ~PB_PG_ANON_EXCLUSIVE, h[i].flags & ~PB_PG_MM_SHARED)
			TH_LOG("page %u", i);
	}
	EXPECT_EQ(mapped, pb_nr_pages_mapped(h));
	EXPECT_EQ(2 * PAGES + 4, pb_folio_large_mapcount(h));
	unmap(self, 2, 0, PAGES);
	unmap(self, 1, 2, 4);
	unmap(self, 0, 0, PAGES);
	EXPECT_EQ(0, pb_nr_pages_mapped(h));
}

/*
 * Two mms each mapping half of the folio: 6.12's guess from the first page
 * says exclusive, the owner tracking says shared.  One mm mapping it all:
 * both say exclusive; a page mapped twice: both say shared.
 */
TEST_F(rmap, likely_and_maybe_mapped_shared_differ_on_halves)
{
	struct pb_page *h = self->head;

	map(self, 0, 0, PAGES);
	EXPECT_FALSE(pb_folio_likely_mapped_shared(h));
	EXPECT_FALSE(pb_folio_maybe_mapped_shared(h));
	unmap(self, 0, PAGES / 2, PAGES / 2);
	map(self, 1, PAGES / 2, PAGES / 2);
	EXPECT_FALSE(pb_folio_likely_mapped_shared(h));
	EXPECT_TRUE(pb_folio_maybe_mapped_shared(h));
	map(self, 1, 0, 1);
	EXPECT_TRUE(pb_folio_likely_mapped_shared(h));
	EXPECT_TRUE(pb_folio_maybe_mapped_shared(h));
	unmap(self, 1, 0, 1);
	unmap(self, 1, PAGES / 2, PAGES / 2);
	unmap(self, 0, 0, PAGES / 2);
}

/*
 * __folio_remove_rmap(): a parent and a child map the whole folio; each
 * unmaps the same half.  With per-page mapcounts the second unmap leaves
 * pages unmapped and queues the folio; with only the total (8 of 8 left) it
 * does not, until fewer mappings than pages remain.
 */
TEST_F(rmap, deferred_split_with_and_without_page_mapcounts)
{
	struct pb_mm *a = self->mm[0], *b = self->mm[1];
	unsigned int npm;

	for (npm = 0; npm < 2; npm++) {
		u64 adds = a->counters[PB_MMC_deferred_split_adds], pfn;

		self->p->no_page_mapcount = npm;
		ASSERT_EQ(0, pb_folio_alloc(self->p, ORDER, true, &pfn));
		pb_rmap_add(a, pfn, PAGES, false);
		pb_rmap_add(b, pfn, PAGES, false);
		pb_rmap_remove(b, pfn, PAGES / 2);
		EXPECT_EQ(0, self->p->deferred_len) TH_LOG("no_page_mapcount %u", npm);
		pb_rmap_remove(a, pfn, PAGES / 2);
		EXPECT_EQ(!npm, self->p->deferred_len) TH_LOG("no_page_mapcount %u", npm);
		EXPECT_EQ(!npm, a->counters[PB_MMC_deferred_split_adds] - adds);
		pb_rmap_remove(b, pfn + PAGES / 2, 1);
		EXPECT_EQ(1, self->p->deferred_len) TH_LOG("no_page_mapcount %u", npm);
		pb_rmap_remove(b, pfn + PAGES / 2 + 1, PAGES / 2 - 1);
		pb_rmap_remove(a, pfn + PAGES / 2, PAGES / 2);
		/* Freed: off the queue. */
		pb_pfn_to_page(self->p, pfn)->extra_refs = 0;
		EXPECT_TRUE(pb_folio_put(self->p, pfn, 1));
		EXPECT_EQ(0, self->p->deferred_len);
	}
}

/*
 * deferred_split_folio(): "Order 1 folios have no space for a deferred
 * list": an order-1 anon folio left half mapped is neither marked partially
 * mapped nor queued; an order-2 one is.
 */
TEST_F(rmap, an_order_1_folio_is_never_queued)
{
	struct pb_mm *a = self->mm[0];
	unsigned int order;

	for (order = 1; order <= 2; order++) {
		u64 adds = a->counters[PB_MMC_deferred_split_adds], pfn;
		struct pb_page *head;

		ASSERT_EQ(0, pb_folio_alloc(self->p, order, true, &pfn));
		head = pb_pfn_to_page(self->p, pfn);
		pb_rmap_add(a, pfn, 1U << order, false);
		pb_rmap_remove(a, pfn, 1);
		EXPECT_EQ(order > 1, self->p->deferred_len) TH_LOG("order %u", order);
		EXPECT_EQ(order > 1, !!(head->flags & PB_PG_PARTIAL));
		EXPECT_EQ(order > 1, a->counters[PB_MMC_deferred_split_adds] - adds);
		pb_rmap_remove(a, pfn + 1, (1U << order) - 1);
		head->extra_refs = 0;
		EXPECT_TRUE(pb_folio_put(self->p, pfn, 1));
		EXPECT_EQ(0, self->p->deferred_len);
	}
}

/*
 * The queue is doubly linked: a folio leaves it from the front, the middle
 * or the back, in any order, and the rest stays queued and reachable.
 */
TEST_F(rmap, deferred_queue_removes_from_anywhere)
{
	static const unsigned int order_out[] = { 2, 0, 4, 1, 3 };
	struct pb_mm *a = self->mm[0];
	u64 pfn[5], link;
	unsigned int i, j, n;

	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, pb_folio_alloc(self->p, 2, true, &pfn[i]));
		pb_rmap_add(a, pfn[i], 4, false);
		pb_rmap_remove(a, pfn[i], 1);
	}
	ASSERT_EQ(5, self->p->deferred_len);
	for (i = 0; i < 5; i++) {
		u64 gone = pfn[order_out[i]];

		pb_rmap_remove(a, gone + 1, 3);
		pb_pfn_to_page(self->p, gone)->extra_refs = 0;
		EXPECT_TRUE(pb_folio_put(self->p, gone, 1));
		EXPECT_EQ(4 - i, self->p->deferred_len);
		/* Walk forwards: exactly the folios still there. */
		n = 0;
		for (link = self->p->deferred_head; link;
		     link = pb_pfn_to_page(self->p, self->p->base_pfn + link - 1)->deferred_next) {
			for (j = i + 1; j < 5; j++)
				if (self->p->base_pfn + link - 1 == pfn[order_out[j]])
					break;
			EXPECT_LT(j, 5) TH_LOG("a freed folio is still queued");
			n++;
			ASSERT_GE(5, n);
		}
		EXPECT_EQ(4 - i, n);
	}
}

/*
 * A PMD mapping counts once in the total and in its mm's slot: a second mm's
 * PMD (fork's copy_huge_pmd()) makes the folio shared, its unmap exclusive
 * again.  When the last PMD goes and PTEs map half of the folio, it is
 * partially mapped and queued, with per-page mapcounts or without.
 */
TEST_F(rmap, pmd_mappings_in_owner_tracking_and_partial_queueing)
{
	struct pb_mm *a = self->mm[0], *b = self->mm[1];
	unsigned int npm;

	for (npm = 0; npm < 2; npm++) {
		struct pb_page *h;
		u64 pfn;

		self->p->no_page_mapcount = npm;
		ASSERT_EQ(0, pb_folio_alloc(self->p, ORDER, true, &pfn));
		h = pb_pfn_to_page(self->p, pfn);
		pb_rmap_add_pmd(a, pfn, true);
		EXPECT_FALSE(pb_folio_maybe_mapped_shared(h));
		pb_rmap_add_pmd(b, pfn, false);
		EXPECT_EQ(2, pb_folio_large_mapcount(h));
		EXPECT_TRUE(pb_folio_maybe_mapped_shared(h));
		EXPECT_TRUE(pb_folio_likely_mapped_shared(h));
		pb_rmap_remove_pmd(b, pfn);
		EXPECT_FALSE(pb_folio_maybe_mapped_shared(h));
		EXPECT_EQ(0, self->p->deferred_len);
		/* mm a's PMD split in half: PTEs of four pages, then no PMD. */
		pb_rmap_add(a, pfn, PAGES / 2, true);
		EXPECT_EQ(0, self->p->deferred_len) TH_LOG("no_page_mapcount %u", npm);
		pb_rmap_remove_pmd(a, pfn);
		EXPECT_EQ(1, self->p->deferred_len) TH_LOG("no_page_mapcount %u", npm);
		EXPECT_TRUE(h->flags & PB_PG_PARTIAL);
		EXPECT_FALSE(pb_folio_maybe_mapped_shared(h));
		pb_rmap_remove(a, pfn, PAGES / 2);
		h->extra_refs = 0;
		EXPECT_TRUE(pb_folio_put(self->p, pfn, 1));
		EXPECT_EQ(0, self->p->deferred_len);
	}
}

TEST_HARNESS_MAIN
