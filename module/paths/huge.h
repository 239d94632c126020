/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: PMD-mapped THP: fault, fork copy, wp reuse, zap and split.
 */
#ifndef _PB_PATHS_HUGE_H
#define _PB_PATHS_HUGE_H

#include <linux/types.h>

#include "model/mm.h"
#include "model/pgtable.h"

pb_pte_t *pb_huge_pmd(struct pb_mm *mm, u64 va);
bool pb_thp_pmd_allowed(struct pb_mm *mm, const struct pb_vma *vma, u64 va);
int pb_map_anon_pmd(struct pb_mm *mm, struct pb_vma *vma, u64 va);
int pb_map_huge_zero_pmd(struct pb_mm *mm, struct pb_vma *vma, u64 va);
bool pb_is_huge_zero_pmd(const struct pb_mm *mm, pb_pte_t pmd);
void pb_split_huge_pmd(struct pb_mm *mm, u64 va);
void pb_split_huge_pmds(struct pb_mm *mm, u64 start, u64 end);
void pb_zap_huge_pmd(struct pb_mm *mm, u64 va);
void pb_huge_pmd_range(struct pb_mm *mm, u64 start, u64 end, pb_pmd_fn_t whole,
		       void *arg);
void pb_copy_huge_pmd(struct pb_mm *dst, struct pb_mm *src,
		      const struct pb_vma *dst_vma, u64 va);
int pb_huge_pmd_wp(struct pb_mm *mm, struct pb_vma *vma, u64 va);
void pb_huge_pmd_set_accessed(struct pb_mm *mm, u64 va, bool write);

#endif /* _PB_PATHS_HUGE_H */
