/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the mmu_gather of a private mm.
 */
#ifndef _PB_PATHS_GATHER_H
#define _PB_PATHS_GATHER_H

#include <linux/types.h>

#include "model/mm.h"

void pb_gather_add(struct pb_mm *mm, u64 va, u64 nr);
void pb_gather_put_folio(struct pb_mm *mm, u64 head_pfn, u32 nr);
void pb_gather_finish(struct pb_mm *mm);

#endif /* _PB_PATHS_GATHER_H */
