/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the contpte-aware PTE helpers, as arm64's pgtable.h and
 * arch/arm64/mm/contpte.c define them, and the raw helpers beneath them.
 */
#ifndef _PB_ARCH_CONTPTE_H
#define _PB_ARCH_CONTPTE_H

#include <linux/types.h>

#include "model/desc.h"
#include "model/mm.h"

/* The raw helpers: upstream's __set_ptes() and friends; never touch CONT. */
void pb_raw_set_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep, pb_pte_t pte,
		     unsigned int nr);
pb_pte_t pb_raw_get_and_clear(struct pb_mm *mm, u64 va, pb_pte_t *ptep);

/* Fold and unfold (contpte_convert()). */
void pb_contpte_try_unfold(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			   pb_pte_t pte);
const char *pb_contpte_foldable(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
void pb_contpte_fold(struct pb_mm *mm, u64 va, pb_pte_t *ptep);

/* The public helpers. */
pb_pte_t pb_ptep_get(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
void pb_set_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep, pb_pte_t pte,
		 unsigned int nr);
pb_pte_t pb_ptep_get_and_clear(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
pb_pte_t pb_get_and_clear_full_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				    unsigned int nr);
void pb_clear_full_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			unsigned int nr);
pb_pte_t pb_get_and_clear_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			       unsigned int nr);
void pb_clear_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep, unsigned int nr);
void pb_wrprotect_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
		       unsigned int nr);
void pb_ptep_set_wrprotect(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
bool pb_ptep_test_and_clear_young(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
bool pb_ptep_clear_flush_young(struct pb_mm *mm, u64 va, pb_pte_t *ptep);
bool pb_ptep_set_access_flags(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			      pb_pte_t entry, bool dirty);
void pb_clear_young_dirty_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			       unsigned int nr, bool young, bool dirty);

#endif /* _PB_ARCH_CONTPTE_H */
