// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the page cache of a family of mms, a hash of folios by (file,
 * index of the folio's first page), chained through the head pages.  A
 * lookup tries each order a folio holding the index could have, as the
 * xarray's multi-index entries answer for any index a folio covers.
 */
#include <linux/kernel.h>
#include <linux/errno.h>

#include "lib/alloc.h"
#include "lib/counters.h"
#include "model/filemap.h"

static u32 *pb_bucket(struct pb_phys *p, u32 file, u64 index)
{
	u64 key = ((u64)file << 40) ^ index;

	/* Fibonacci hashing, as hash_64() does. */
	return &p->cache_buckets[(key * 0x61c8864680b583ebULL) >>
				 (64 - p->cache_bits)];
}

int pb_filemap_init(struct pb_phys *p)
{
	unsigned int bits = 6;

	/* A bucket per four pages of the arena, from 64 to 4096 buckets. */
	while (bits < 12 && (4ULL << bits) < p->nr_pages)
		bits++;

	p->cache_buckets = pb_zalloc(sizeof(u32) << bits);
	if (!p->cache_buckets)
		return -ENOMEM;
	p->cache_bits = bits;
	p->meta_bytes += sizeof(u32) << bits;
	return 0;
}

void pb_filemap_destroy(struct pb_phys *p)
{
	pb_free(p->cache_buckets, sizeof(u32) << p->cache_bits);
}

u32 pb_file_new(struct pb_phys *p)
{
	return ++p->nr_files;
}

struct pb_page *pb_filemap_lookup(struct pb_phys *p, u32 file, u64 index,
				  u64 *head_pfn)
{
	unsigned int order;

	for (order = 0; order <= p->cache_max_order; order++) {
		u64 first = index & ~((1ULL << order) - 1);
		u32 link = *pb_bucket(p, file, first);

		while (link) {
			u64 pfn = p->base_pfn + link - 1;
			struct pb_page *head = pb_pfn_to_page(p, pfn);

			if (head->mapping == file && pb_folio_index(head) == first &&
			    head->order == order) {
				*head_pfn = pfn;
				return head;
			}
			link = head->cache_next;
		}
	}
	return NULL;
}

void pb_filemap_add(struct pb_phys *p, u64 head_pfn, u32 file, u64 index)
{
	struct pb_page *head = pb_pfn_to_page(p, head_pfn);
	u32 *bucket = pb_bucket(p, file, index);

	head->mapping = file;
	pb_folio_set_index(head, index);
	head->cache_next = *bucket;
	*bucket = head_pfn - p->base_pfn + 1;
	/* One reference per page: folio_ref_add(folio, nr), __filemap_add_folio(). */
	head->refcount += 1U << head->order;
	head->extra_refs += 1U << head->order;
	p->cache_folios++;
	if (head->order > p->cache_max_order)
		p->cache_max_order = head->order;
}

void pb_filemap_evict_file(struct pb_phys *p, u32 file)
{
	unsigned int b;

	/* An empty cache (often the last file's eviction emptied it) ends it. */
	for (b = 0; b < (1U << p->cache_bits) && p->cache_folios; b++) {
		u32 *link = &p->cache_buckets[b];

		while (*link) {
			u64 pfn = p->base_pfn + *link - 1;
			struct pb_page *head = pb_pfn_to_page(p, pfn);

			if (head->mapping != file) {
				link = &head->cache_next;
				continue;
			}
			*link = head->cache_next;
			head->cache_next = 0;
			head->mapping = 0;
			/* filemap_free_folio(): folio_put_refs(folio, nr). */
			head->extra_refs -= 1U << head->order;
			p->cache_folios--;
			pb_folio_put(p, pfn, 1U << head->order);
		}
	}
}
