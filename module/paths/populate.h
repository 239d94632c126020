/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: mapping new folios, as write faults do, and folios of the page
 * cache.
 */
#ifndef _PB_PATHS_POPULATE_H
#define _PB_PATHS_POPULATE_H

#include <linux/types.h>

#include "model/mm.h"

int pb_populate(struct pb_mm *mm, u64 start, u64 end, unsigned int order,
		bool per_pte, const char **why);
int pb_map_new_folio(struct pb_mm *mm, struct pb_vma *vma, u64 va,
		     unsigned int order, bool write, bool per_pte);
void pb_map_cached(struct pb_mm *mm, struct pb_vma *vma, u64 va, u64 pfn,
		   unsigned int nr, bool write, bool young, bool per_pte);
bool pb_filemap_any(struct pb_mm *mm, const struct pb_vma *vma, u64 va,
		    unsigned int nr);

#endif /* _PB_PATHS_POPULATE_H */
