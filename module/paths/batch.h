/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: folio_pte_batch() and its flags (mm/internal.h's FPB_*).
 */
#ifndef _PB_PATHS_BATCH_H
#define _PB_PATHS_BATCH_H

#include <linux/types.h>
#include <linux/bits.h>

#include "model/mm.h"

/*
 * folio_pte_batch_flags()'s flags, as mainline has them ("mm: convert
 * FPB_IGNORE_* into FPB_RESPECT_*" and "mm: split folio_pte_batch() into
 * folio_pte_batch() and folio_pte_batch_flags()", 6.17).  6.12's
 * folio_pte_batch() took FPB_IGNORE_DIRTY and FPB_IGNORE_SOFT_DIRTY and
 * reported any_writable, any_young and any_dirty through pointers: the same
 * batches, said the other way round.  6.12 always ignored the write bit: only
 * mainline's batched mprotect (and, unlike upstream, a shared fork) respect it.
 */
#define PB_FPB_RESPECT_DIRTY		BIT(0)
#define PB_FPB_RESPECT_SOFT_DIRTY	BIT(1)
#define PB_FPB_RESPECT_WRITE		BIT(2)
#define PB_FPB_MERGE_WRITE		BIT(3)
#define PB_FPB_MERGE_YOUNG_DIRTY	BIT(4)

/* arm64's pte_batch_hint(): the rest of a contiguous block, else one. */
unsigned int pb_pte_batch_hint(struct pb_mm *mm, u64 va, pb_pte_t pte);
unsigned int pb_folio_pte_batch(struct pb_mm *mm, const struct pb_page *head,
				u64 head_pfn, u64 va, pb_pte_t *ptep,
				pb_pte_t *ptentp, unsigned int max_nr,
				unsigned int flags);
void pb_count_batch(struct pb_mm *mm, unsigned int nr);

#endif /* _PB_PATHS_BATCH_H */
