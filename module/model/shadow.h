/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: every leaf descriptor write, and the break-before-make shadow.
 *
 * A last-level table of an mm created with check=1 has a shadow of the same
 * size after it: for each entry, the last valid descriptor that a TLB may
 * still hold because no invalidation has covered it since it was cleared.
 */
#ifndef _PB_MODEL_SHADOW_H
#define _PB_MODEL_SHADOW_H

#include <linux/types.h>

#include "model/desc.h"
#include "model/mm.h"

void pb_write_pte_checked(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			  pb_pte_t new);
void pb_write_pmd(struct pb_mm *mm, u64 va, pb_pte_t *pmdp, pb_pte_t new);
/* An invalidation covered [start, end): forget what a TLB could hold. */
void pb_shadow_invalidated(struct pb_mm *mm, u64 start, u64 end);

/* Every leaf descriptor write goes through here, where the checker sees it. */
static inline void pb_write_pte(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				pb_pte_t new)
{
	pb_mm_count(mm, PB_MMC_pte_writes, 1);
	if (mm->shadowed)
		pb_write_pte_checked(mm, va, ptep, new);
	else
		*ptep = new;
}

#endif /* _PB_MODEL_SHADOW_H */
