/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the multi-level page table of a private mm.
 */
#ifndef _PB_MODEL_PGTABLE_H
#define _PB_MODEL_PGTABLE_H

#include <linux/types.h>

#include "model/desc.h"
#include "model/mm.h"

int pb_pgd_alloc(struct pb_mm *mm);
void pb_pgd_free(struct pb_mm *mm);
pb_pte_t *pb_pte_offset(struct pb_mm *mm, u64 va, bool alloc);
pb_pte_t *pb_pmd_offset(struct pb_mm *mm, u64 va);
pb_pte_t *pb_pmd_deposit(struct pb_mm *mm, u64 va);
pb_pte_t *pb_pmd_deposited(struct pb_mm *mm, u64 va);
void pb_pmd_free_deposit(struct pb_mm *mm, u64 va);
pb_pte_t pb_pmd_table_desc(struct pb_mm *mm, u64 va);
pb_pte_t pb_va_entry(struct pb_mm *mm, u64 va, bool *pmd);
int pb_pgtable_prealloc(struct pb_mm *mm, u64 start, u64 end);
void pb_pgtable_free_new(struct pb_mm *mm, u64 start, u64 end, u32 mark);
u64 pb_pmd_addr_end(const struct pb_mm *mm, u64 va, u64 end);
u64 pb_walk_addr_end(struct pb_mm *mm, u64 va, u64 end);
int pb_pgtable_prealloc_pmd(struct pb_mm *mm, u64 va);
bool pb_pgtable_leaf_movable(struct pb_mm *mm, u64 old, u64 new);
int pb_pgtable_move_leaf(struct pb_mm *mm, u64 old, u64 new);

/* A last-level table: its entries, the VA of the first, the range walked. */
typedef void (*pb_leaf_fn_t)(struct pb_mm *mm, pb_pte_t *table, u64 va,
			     u64 start, u64 end, void *arg);
void pb_walk_leaf_tables(struct pb_mm *mm, u64 start, u64 end,
			 pb_leaf_fn_t fn, void *arg);

/* A PMD leaf: the PMD entry of @va, the PMD-aligned VA it maps. */
typedef void (*pb_pmd_fn_t)(struct pb_mm *mm, pb_pte_t *pmdp, u64 va,
			    void *arg);
void pb_walk_pmd_leaves(struct pb_mm *mm, u64 start, u64 end,
			pb_pmd_fn_t fn, void *arg);

#endif /* _PB_MODEL_PGTABLE_H */
