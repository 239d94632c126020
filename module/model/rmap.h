/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the rmap bookkeeping of mapping and unmapping folio pages.
 */
#ifndef _PB_MODEL_RMAP_H
#define _PB_MODEL_RMAP_H

#include <linux/types.h>

#include "model/mm.h"

void pb_rmap_add(struct pb_mm *mm, u64 pfn, unsigned int nr, bool exclusive);
void pb_rmap_remove(struct pb_mm *mm, u64 pfn, unsigned int nr);

#endif /* _PB_MODEL_RMAP_H */
