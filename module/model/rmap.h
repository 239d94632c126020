/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the rmap bookkeeping of mapping and unmapping folio pages.
 */
#ifndef _PB_MODEL_RMAP_H
#define _PB_MODEL_RMAP_H

#include <linux/types.h>

#include "model/mm.h"

void pb_rmap_add(struct pb_mm *mm, u64 pfn, unsigned int nr, bool exclusive);
/* pb_rmap_add() of @nr pages from @page of the folio @head, looked up. */
void pb_rmap_add_folio(struct pb_mm *mm, struct pb_page *head,
		       struct pb_page *page, unsigned int nr, bool exclusive);
/* Fork's pb_rmap_add_folio() of pages mapped already; clears @clear bits. */
void pb_rmap_dup_folio(struct pb_mm *mm, struct pb_page *head,
		       struct pb_page *page, unsigned int nr, u16 clear);
void pb_rmap_remove(struct pb_mm *mm, u64 pfn, unsigned int nr);
/* pb_rmap_remove() of @nr pages from @pfn of the folio @head, looked up. */
void pb_rmap_remove_folio(struct pb_mm *mm, struct pb_page *head, u64 head_pfn,
			  u64 pfn, unsigned int nr);
void pb_rmap_add_pmd(struct pb_mm *mm, u64 head_pfn, bool exclusive);
void pb_rmap_remove_pmd(struct pb_mm *mm, u64 head_pfn);
void pb_rmap_zap_begin(struct pb_mm *mm);
void pb_rmap_zap_end(struct pb_mm *mm);
u32 pb_folio_pin_refs(const struct pb_page *head);
bool pb_folio_maybe_mapped_shared(const struct pb_page *head);
bool pb_folio_likely_mapped_shared(const struct pb_page *head);

/*
 * folio_maybe_dma_pinned() (include/linux/mm.h): a large folio is pinned if
 * its pin count says so; a small one if its refcount reaches
 * GUP_PIN_COUNTING_BIAS, which also holds, falsely, for a small folio with
 * that many other references.  Inline: fork asks it of every batch.
 */
static inline bool pb_folio_maybe_dma_pinned(const struct pb_page *head)
{
	if (head->order)
		return head->pincount > 0;
	return head->refcount >= PB_GUP_PIN_COUNTING_BIAS;
}

#endif /* _PB_MODEL_RMAP_H */
