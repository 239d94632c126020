/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: folio_pte_batch() and its flags (mm/internal.h's FPB_*).
 */
#ifndef _PB_PATHS_BATCH_H
#define _PB_PATHS_BATCH_H

#include <linux/types.h>
#include <linux/bits.h>

#include "model/mm.h"

#define PB_FPB_IGNORE_DIRTY		BIT(0)
#define PB_FPB_IGNORE_SOFT_DIRTY	BIT(1)
#define PB_FPB_RESPECT_WRITE		BIT(2)

unsigned int pb_folio_pte_batch(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				pb_pte_t pte, unsigned int max_nr,
				unsigned int flags, bool *any_writable);
void pb_count_batch(struct pb_mm *mm, unsigned int nr);

#endif /* _PB_PATHS_BATCH_H */
