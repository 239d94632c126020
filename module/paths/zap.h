/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: unmapping a range, and a whole mm at exit.
 */
#ifndef _PB_PATHS_ZAP_H
#define _PB_PATHS_ZAP_H

#include <linux/types.h>

#include "model/mm.h"

void pb_zap_range(struct pb_mm *mm, u64 start, u64 end);
void pb_zap_folio_ptes_cleared(struct pb_mm *mm, u64 va, u64 pfn,
			       unsigned int nr, bool dirty);
/* exit_mmap() up to the free: zap every VMA and close its file. */
void pb_mm_teardown(struct pb_mm *mm);
/* exit_mmap(): pb_mm_teardown(), then pb_mm_free(). */
void pb_mm_destroy(struct pb_mm *mm);

#endif /* _PB_PATHS_ZAP_H */
