// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of model/filemap.c: a folio of the page cache is found from
 * any index it covers, in its own file only; eviction drops the cache's
 * reference of every folio of one file; and the zero page lies outside the
 * arena.
 */
#include "pb_native.h"
#include "model/filemap.h"

FIXTURE(fmap)
{
	struct pb_phys *p;
};

FIXTURE_SETUP(fmap)
{
	const char *why = NULL;
	struct pb_geom g;

	ASSERT_EQ(0, pb_geom_init(&g, 4, 48, 48, &why));
	self->p = pb_phys_create(&g, 0x100, 1 << 14, false);
	ASSERT_FALSE(IS_ERR(self->p));
}

FIXTURE_TEARDOWN(fmap)
{
	/* With no mm attached, detach of a stand-in frees the arena. */
	pb_phys_detach(self->p, NULL);
	nt_check_leaks(_metadata);
}

/* A new folio of @order joins the cache of @file at @index. */
static u64 cached(struct pb_phys *p, unsigned int order, u32 file, u64 index)
{
	u64 pfn;

	if (pb_folio_alloc(p, order, false, &pfn))
		return 0;
	/* The cache takes over the allocation's reference, as a fault does. */
	pb_pfn_to_page(p, pfn)->refcount = 0;
	pb_pfn_to_page(p, pfn)->extra_refs = 0;
	pb_filemap_add(p, pfn, file, index);
	return pfn;
}

TEST_F(fmap, every_index_of_a_folio_finds_it_in_its_file_only)
{
	u32 a = pb_file_new(self->p), b = pb_file_new(self->p);
	unsigned int order;
	u64 head, i;

	EXPECT_NE(a, b);
	EXPECT_NE(0, a);
	for (order = 0; order <= 9; order += 3) {
		u64 index = 1024ULL << order, pfn = cached(self->p, order, a, index);

		ASSERT_NE(0, pfn);
		/* The page cache's references: one per page. */
		EXPECT_EQ(1ULL << order, pb_pfn_to_page(self->p, pfn)->refcount);
		for (i = 0; i < (1ULL << order); i++) {
			EXPECT_EQ(pb_pfn_to_page(self->p, pfn),
				  pb_filemap_lookup(self->p, a, index + i, &head));
			EXPECT_EQ(pfn, head);
			EXPECT_EQ(NULL, pb_filemap_lookup(self->p, b, index + i, &head));
		}
		EXPECT_EQ(NULL, pb_filemap_lookup(self->p, a, index - 1, &head));
		EXPECT_EQ(NULL, pb_filemap_lookup(self->p, a, index + (1ULL << order), &head));
	}
	EXPECT_EQ(4, self->p->cache_folios);
	EXPECT_EQ(9, self->p->cache_max_order);
}

/* Many more folios than buckets: the chains hold them all. */
TEST_F(fmap, chains_hold_more_folios_than_buckets)
{
	u32 f = pb_file_new(self->p);
	unsigned int n = 4 << self->p->cache_bits, i;
	u64 head;

	for (i = 0; i < n; i++)
		ASSERT_NE(0, cached(self->p, 0, f, 7 * i));
	for (i = 0; i < n; i++) {
		ASSERT_NE(NULL, pb_filemap_lookup(self->p, f, 7 * i, &head)) TH_LOG("%u", i);
		EXPECT_EQ(7 * i, pb_folio_index(pb_pfn_to_page(self->p, head)));
		EXPECT_EQ(NULL, pb_filemap_lookup(self->p, f, 7 * i + 1, &head));
	}
}

/*
 * A folio's index is kept in 40 bits (model/phys.h): the largest file offset
 * a VMA can reach, below 2^(52 - 12) pages, is found at its own index, apart
 * from one that differs only in bits 32..39 or only in bit 0.
 */
TEST_F(fmap, indexes_up_to_the_largest_file_offset_are_kept_whole)
{
	const u64 top = (1ULL << (52 - 12)) - 1;
	const u64 idx[] = { top, top - (1ULL << 32), (1ULL << 32) - 1, 1ULL << 32, top ^ 1 };
	u32 f = pb_file_new(self->p);
	u64 pfn[ARRAY_SIZE(idx)], head;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		pfn[i] = cached(self->p, 0, f, idx[i]);
		ASSERT_NE(0, pfn[i]);
	}
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		ASSERT_NE(NULL, pb_filemap_lookup(self->p, f, idx[i], &head)) TH_LOG("%u", i);
		EXPECT_EQ(pfn[i], head) TH_LOG("%u", i);
		EXPECT_EQ(idx[i], pb_folio_index(pb_pfn_to_page(self->p, head)));
	}
}

/*
 * Eviction takes one file's folios out of the cache and drops its
 * reference: an unreferenced folio is freed, one with a pin lives on.
 */
TEST_F(fmap, eviction_drops_one_files_folios)
{
	u32 a = pb_file_new(self->p), b = pb_file_new(self->p);
	u64 held, head;

	ASSERT_NE(0, cached(self->p, 2, a, 0));
	held = cached(self->p, 0, a, 8);
	ASSERT_NE(0, held);
	ASSERT_NE(0, cached(self->p, 2, b, 0));
	pb_pfn_to_page(self->p, held)->refcount++;
	pb_pfn_to_page(self->p, held)->extra_refs++;
	EXPECT_EQ(3, self->p->live_folios);
	pb_filemap_evict_file(self->p, a);
	EXPECT_EQ(NULL, pb_filemap_lookup(self->p, a, 0, &head));
	EXPECT_EQ(NULL, pb_filemap_lookup(self->p, a, 8, &head));
	EXPECT_NE(NULL, pb_filemap_lookup(self->p, b, 3, &head));
	EXPECT_EQ(1, self->p->cache_folios);
	EXPECT_EQ(2, self->p->live_folios);
	EXPECT_EQ(0, pb_pfn_to_page(self->p, held)->mapping);
	EXPECT_EQ(1, pb_pfn_to_page(self->p, held)->refcount);
}

/* The zero page is a frame the arena never hands out. */
TEST_F(fmap, the_zero_page_is_outside_the_arena)
{
	const char *why = NULL;
	struct pb_phys *at0;
	struct pb_geom g;

	EXPECT_EQ(0x100 - 1, self->p->zero_pfn);
	EXPECT_EQ(NULL, pb_pfn_to_page(self->p, self->p->zero_pfn));
	ASSERT_EQ(0, pb_geom_init(&g, 4, 48, 48, &why));
	at0 = pb_phys_create(&g, 0, 1 << 10, false);
	ASSERT_FALSE(IS_ERR(at0));
	EXPECT_EQ(1 << 10, at0->zero_pfn);
	EXPECT_EQ(NULL, pb_pfn_to_page(at0, at0->zero_pfn));
	pb_phys_detach(at0, NULL);
}

TEST_HARNESS_MAIN
