// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the physical memory model.
 *
 * An arena of page frames from base_pfn, described by pb_page structures held
 * in sections that are allocated when first used, so that a PFN finds its page
 * in O(1) and an unused arena costs nothing.  Folios are naturally aligned
 * within the arena: an arena whose base is not aligned puts them physically
 * unaligned, which is how a test makes a folio cross 2^48.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "lib/alloc.h"
#include "lib/counters.h"
#include "model/filemap.h"
#include "model/phys.h"

/* The backing data pointer of the page at arena offset @off. */
static void **pb_data_slot(struct pb_phys *p, u64 off)
{
	return &p->section_data[off >> PB_SECTION_SHIFT][off & (PB_SECTION_PAGES - 1)];
}

/* A section and its data pointers come whole pages at a time from vmalloc. */
#define PB_SECTION_DATA_BYTES	(PB_SECTION_PAGES * sizeof(void *))

static void pb_section_free(struct pb_phys *p, unsigned int s)
{
	if (!p->sections[s])
		return;
	pb_vfree(p->sections[s], sizeof(struct pb_section));
	p->sections[s] = NULL;
	p->meta_bytes -= sizeof(struct pb_section);
	if (p->backing && p->section_data[s]) {
		pb_vfree(p->section_data[s], PB_SECTION_DATA_BYTES);
		p->section_data[s] = NULL;
		p->meta_bytes -= PB_SECTION_DATA_BYTES;
	}
}

/*
 * Free every section that holds no folio, after a failed populate: the
 * metadata it made goes with it.  A page of a freed section reads as never
 * allocated, which the checker treats as it treats a freed one.
 */
void pb_phys_trim(struct pb_phys *p)
{
	unsigned int s, i;

	for (s = 0; s < p->nr_sections; s++) {
		struct pb_section *sec = p->sections[s];

		if (!sec)
			continue;
		for (i = 0; i < PB_SECTION_PAGES; i++)
			if (sec->pages[i].flags & PB_PG_ALLOCATED)
				break;
		if (i == PB_SECTION_PAGES)
			pb_section_free(p, s);
	}
}

struct pb_phys *pb_phys_create(const struct pb_geom *g, u64 base_pfn,
			       u64 nr_pages, bool backing)
{
	struct pb_phys *p;
	u64 max_pfn = 1ULL << (g->pa_bits - g->page_shift);

	if (!nr_pages || nr_pages > U32_MAX - 1 || base_pfn >= max_pfn ||
	    nr_pages > max_pfn - base_pfn)
		return ERR_PTR(-EINVAL);
	p = pb_zalloc(sizeof(*p));
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->nr_sections = DIV_ROUND_UP(nr_pages, PB_SECTION_PAGES);
	p->sections = pb_zalloc(p->nr_sections * sizeof(*p->sections));
	if (!p->sections) {
		pb_free(p, sizeof(*p));
		return ERR_PTR(-ENOMEM);
	}
	p->meta_bytes = sizeof(*p) + p->nr_sections * sizeof(*p->sections);
	if (backing) {
		p->section_data = pb_zalloc(p->nr_sections * sizeof(*p->section_data));
		if (!p->section_data) {
			pb_free(p->sections, p->nr_sections * sizeof(*p->sections));
			pb_free(p, sizeof(*p));
			return ERR_PTR(-ENOMEM);
		}
		p->meta_bytes += p->nr_sections * sizeof(*p->section_data);
	}
	p->geom = *g;
	p->base_pfn = base_pfn;
	p->nr_pages = nr_pages;
	p->backing = backing;
	/*
	 * The zero page: the frame below the arena, or above one at 0, which
	 * exists as every PA size holds 2^32 frames and an arena fewer.
	 */
	p->zero_pfn = base_pfn ? base_pfn - 1 : nr_pages;
	if (pb_filemap_init(p)) {
		pb_free(p->section_data, p->nr_sections * sizeof(*p->section_data));
		pb_free(p->sections, p->nr_sections * sizeof(*p->sections));
		pb_free(p, sizeof(*p));
		return ERR_PTR(-ENOMEM);
	}
	return p;
}

static void pb_folio_free(struct pb_phys *p, u64 head_pfn);

/* Call @fn on the head page of every live folio of the arena. */
void pb_phys_walk_folios(struct pb_phys *p, pb_folio_fn_t fn, void *arg)
{
	u64 off = 0;

	while (off < p->high_water) {
		struct pb_section *sec = p->sections[off >> PB_SECTION_SHIFT];
		struct pb_page *page;

		if (!sec) {
			off = (off | (PB_SECTION_PAGES - 1)) + 1;
			continue;
		}
		page = &sec->pages[off & (PB_SECTION_PAGES - 1)];
		if (!(page->flags & PB_PG_HEAD)) {
			off++;
			continue;
		}
		/* @fn may free the folio: step by the order read before. */
		off += 1ULL << page->order;
		fn(p, p->base_pfn + off - (1ULL << page->order), page, arg);
	}
}

static void pb_folio_free_cb(struct pb_phys *p, u64 head_pfn,
			     struct pb_page *head, void *arg)
{
	pb_folio_free(p, head_pfn);
}

int pb_phys_attach(struct pb_phys *p, struct pb_mm *mm)
{
	if (p->nr_mms == PB_MAX_MMS)
		return -ENOSPC;
	p->mms[p->nr_mms++] = mm;
	return 0;
}

void pb_phys_detach(struct pb_phys *p, struct pb_mm *mm)
{
	unsigned int i;

	for (i = 0; i < p->nr_mms; i++) {
		if (p->mms[i] == mm) {
			p->mms[i] = p->mms[--p->nr_mms];
			break;
		}
	}
	if (p->nr_mms)
		return;
	/* Folios still held (pins, or maps a bug hid) go with the arena. */
	pb_phys_walk_folios(p, pb_folio_free_cb, NULL);
	for (i = 0; i < p->nr_sections; i++)
		pb_section_free(p, i);
	pb_free(p->section_data, p->nr_sections * sizeof(*p->section_data));
	pb_free(p->sections, p->nr_sections * sizeof(*p->sections));
	pb_filemap_destroy(p);
	pb_free(p, sizeof(*p));
}

void *pb_page_data(struct pb_phys *p, u64 pfn)
{
	u64 off = pfn - p->base_pfn;

	if (!p->backing || pfn < p->base_pfn || off >= p->nr_pages ||
	    !p->section_data[off >> PB_SECTION_SHIFT])
		return NULL;
	return *pb_data_slot(p, off);
}

/*
 * Make sure the section of the naturally aligned run [off, off + nr), which
 * is never larger than a section, exists; *@fresh says it was made here.
 */
static int pb_phys_populate_section(struct pb_phys *p, u64 off, bool *fresh)
{
	unsigned int s = off >> PB_SECTION_SHIFT;

	*fresh = false;
	if (p->sections[s])
		return 0;
	p->sections[s] = pb_vzalloc(sizeof(struct pb_section));
	if (!p->sections[s])
		return -ENOMEM;
	p->meta_bytes += sizeof(struct pb_section);
	if (p->backing) {
		p->section_data[s] = pb_vzalloc(PB_SECTION_DATA_BYTES);
		if (!p->section_data[s]) {
			pb_section_free(p, s);
			return -ENOMEM;
		}
		p->meta_bytes += PB_SECTION_DATA_BYTES;
	}
	/*
	 * Kept until the arena goes, as memory sections are, unless a
	 * populate fails (pb_phys_trim()).
	 */
	*fresh = true;
	return 0;
}

static bool pb_range_free(struct pb_phys *p, u64 off, u64 nr)
{
	u64 i;

	for (i = 0; i < nr; i++) {
		struct pb_section *sec = p->sections[(off + i) >> PB_SECTION_SHIFT];

		if (!sec) {
			/* A missing section is free through its end. */
			i |= PB_SECTION_PAGES - 1;
			continue;
		}
		if (sec->pages[(off + i) & (PB_SECTION_PAGES - 1)].flags &
		    PB_PG_ALLOCATED)
			return false;
	}
	return true;
}

/*
 * Find a naturally aligned free run, from the cursor, wrapping once.  The
 * cursor makes the common case, a fresh arena filled in order, O(1).
 */
static int pb_find_free(struct pb_phys *p, unsigned int order, u64 *offp)
{
	u64 nr = 1ULL << order;
	u64 start = p->next_pfn, off, tries;

	for (tries = 0; tries < 2; tries++) {
		off = ALIGN(start, nr);
		for (; off + nr <= p->nr_pages; off += nr) {
			if (pb_range_free(p, off, nr)) {
				*offp = off;
				return 0;
			}
		}
		start = 0;
	}
	return -ENOMEM;
}

int pb_folio_alloc(struct pb_phys *p, unsigned int order, bool anon,
		   u64 *head_pfn)
{
	u64 nr = 1ULL << order, off, i;
	size_t psize = pb_page_size(&p->geom);
	void *data = NULL;
	struct pb_page *head;
	bool fresh;
	int ret;

	/* At most the PMD order (13 with 64K pages): one section holds it. */
	if (order > PB_SECTION_SHIFT)
		return -EINVAL;
	ret = pb_find_free(p, order, &off);
	if (ret)
		return ret;
	ret = pb_phys_populate_section(p, off, &fresh);
	if (ret)
		return ret;
	if (p->backing) {
		data = pb_zalloc(nr * psize);
		if (!data) {
			/* A failure leaves no metadata behind. */
			if (fresh)
				pb_section_free(p, off >> PB_SECTION_SHIFT);
			return -ENOMEM;
		}
	}
	for (i = 0; i < nr; i++) {
		u64 o = off + i;
		struct pb_section *sec = p->sections[o >> PB_SECTION_SHIFT];
		struct pb_page *page = &sec->pages[o & (PB_SECTION_PAGES - 1)];

		memset(page, 0, sizeof(*page));
		page->flags = PB_PG_ALLOCATED;
		page->order = order;
		if (data)
			*pb_data_slot(p, o) = data + i * psize;
	}
	head = pb_pfn_to_page(p, p->base_pfn + off);
	head->flags |= PB_PG_HEAD | (anon ? PB_PG_ANON : 0);
	head->refcount = 1;
	head->extra_refs = 1;
	p->next_pfn = off + nr;
	p->high_water = max(p->high_water, off + nr);
	p->live_folios++;
	pb_count(PB_CNT_live_folios, 1);
	if (data) {
		p->live_pages += nr;
		pb_count(PB_CNT_live_data_pages, nr);
	}
	*head_pfn = p->base_pfn + off;
	return 0;
}

/*
 * The deferred-split queue is doubly linked, as upstream's _deferred_list: a
 * folio leaves it in O(1) wherever it is.  Links are pfn offsets + 1; the
 * next link is the head page's, the previous one the second tail page's
 * (only folios of order 2 or more are queued, as deferred_split_folio()
 * requires, so it exists and its folio fields are free).
 */
#define pb_deferred_prev(head)	((head)[2].deferred_next)

static struct pb_page *pb_deferred_page(struct pb_phys *p, u32 link)
{
	return pb_pfn_to_page(p, p->base_pfn + link - 1);
}

static void pb_deferred_remove(struct pb_phys *p, u64 head_pfn)
{
	struct pb_page *head = pb_pfn_to_page(p, head_pfn);
	u32 next = head->deferred_next, prev = pb_deferred_prev(head);

	if (prev)
		pb_deferred_page(p, prev)->deferred_next = next;
	else
		p->deferred_head = next;
	if (next)
		pb_deferred_prev(pb_deferred_page(p, next)) = prev;
	head->deferred_next = 0;
	pb_deferred_prev(head) = 0;
	head->flags &= ~(PB_PG_DEFERRED | PB_PG_PARTIAL);
	p->deferred_len--;
}

void pb_deferred_add(struct pb_phys *p, u64 head_pfn)
{
	struct pb_page *head = pb_pfn_to_page(p, head_pfn);
	u32 me = head_pfn - p->base_pfn + 1;

	head->flags |= PB_PG_DEFERRED;
	head->deferred_next = p->deferred_head;
	pb_deferred_prev(head) = 0;
	if (p->deferred_head)
		pb_deferred_prev(pb_deferred_page(p, p->deferred_head)) = me;
	p->deferred_head = me;
	p->deferred_len++;
}

static void pb_folio_free(struct pb_phys *p, u64 head_pfn)
{
	struct pb_page *head = pb_pfn_to_page(p, head_pfn);
	u64 nr = 1ULL << head->order, i;
	void *data = pb_page_data(p, head_pfn);

	/* Pins still held go with the folio (an arena freed with pins on). */
	p->pins -= head->pincount;
	if (head->flags & PB_PG_DEFERRED)
		pb_deferred_remove(p, head_pfn);
	for (i = 0; i < nr; i++) {
		struct pb_page *page = pb_pfn_to_page(p, head_pfn + i);
		u64 off = head_pfn + i - p->base_pfn;

		page->flags = PB_PG_FREED;
		if (data)
			*pb_data_slot(p, off) = NULL;
	}
	if (data) {
		pb_free(data, nr * pb_page_size(&p->geom));
		p->live_pages -= nr;
		pb_count(PB_CNT_live_data_pages, -(s64)nr);
	}
	p->live_folios--;
	pb_count(PB_CNT_live_folios, -1);
}

/* Drop @nr references; true when that freed the folio. */
bool pb_folio_put(struct pb_phys *p, u64 head_pfn, u32 nr)
{
	struct pb_page *head = pb_pfn_to_page(p, head_pfn);

	head->refcount -= nr;
	if (head->refcount)
		return false;
	pb_folio_free(p, head_pfn);
	return true;
}

/*
 * copy_user_highpage(): the data of page @from into page @to, with backing
 * pages.  A page with no data (the zero page, a special mapping) reads as
 * zeroes, which a new page already holds.
 */
void pb_page_copy(struct pb_phys *p, u64 to, u64 from)
{
	void *dst = pb_page_data(p, to), *src = pb_page_data(p, from);

	if (dst && src)
		memcpy(dst, src, pb_page_size(&p->geom));
}

/* The page @pfn is cleaned on purpose: what it holds may be dropped. */
void pb_page_mark_clean(struct pb_phys *p, u64 pfn)
{
	u64 head_pfn;
	struct pb_page *head = pb_page_folio(p, pfn, &head_pfn);

	if (head)
		head[pfn - head_pfn].flags &= ~PB_PG_HW_DIRTIED;
}

/*
 * split_folio() of a large folio whose only references are its mappings:
 * each page becomes an order-0 folio with its own mapping count as refcount
 * (a page nothing maps is freed), keeping its anon-exclusivity and what the
 * hardware wrote; the folio leaves the deferred-split queue.  Backing data
 * is copied page by page first, so that a failure (-ENOMEM) changes nothing.
 * The caller has unmapped it from every TLB, as split_huge_page() does with
 * unmap_folio().
 */
int pb_folio_split(struct pb_phys *p, u64 head_pfn)
{
	struct pb_page *head = pb_pfn_to_page(p, head_pfn);
	unsigned int nr = 1U << head->order, i;
	size_t psize = pb_page_size(&p->geom);
	void *data = pb_page_data(p, head_pfn), **copies = NULL;
	u16 keep = head->flags & (PB_PG_ANON | PB_PG_DIRTY);

	if (data) {
		copies = pb_zalloc(nr * sizeof(*copies));
		for (i = 0; copies && i < nr; i++) {
			copies[i] = pb_zalloc(psize);
			if (!copies[i])
				break;
			memcpy(copies[i], data + i * psize, psize);
		}
		if (!copies || i < nr) {
			while (copies && i--)
				pb_free(copies[i], psize);
			pb_free(copies, nr * sizeof(*copies));
			return -ENOMEM;
		}
	}
	if (head->flags & PB_PG_DEFERRED)
		pb_deferred_remove(p, head_pfn);
	for (i = 0; i < nr; i++) {
		struct pb_page *page = head + i;
		u64 off = head_pfn + i - p->base_pfn;

		page->flags = PB_PG_ALLOCATED | PB_PG_HEAD | keep |
			      (page->flags & (PB_PG_ANON_EXCLUSIVE | PB_PG_HW_DIRTIED));
		page->order = 0;
		page->refcount = page->mapcount;
		page->pincount = 0;
		page->extra_refs = 0;
		page->deferred_next = 0;
		page->mapping = 0;
		pb_folio_set_index(page, 0);
		if (copies)
			*pb_data_slot(p, off) = copies[i];
	}
	if (data) {
		pb_free(data, nr * psize);
		pb_free(copies, nr * sizeof(*copies));
	}
	p->live_folios += nr - 1;
	pb_count(PB_CNT_live_folios, nr - 1);
	for (i = 0; i < nr; i++)
		if (!head[i].refcount)
			pb_folio_free(p, head_pfn + i);
	return 0;
}
