/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the TLB model of a private mm and its invalidations.
 */
#ifndef _PB_MODEL_TLB_H
#define _PB_MODEL_TLB_H

#include <linux/types.h>

#include "model/desc.h"

struct pb_tlb_entry {
	u64 va;			/* page or block aligned */
	pb_pte_t pte;		/* the descriptor it was filled from */
	u32 next;		/* hash chain: index + 1 */
	bool block;		/* covers a whole contiguous block */
	bool pmd;		/* covers a whole PMD block */
	bool used;
};

struct pb_tlb {
	struct pb_tlb_entry *entries;
	u32 *buckets;
	u32 nr_buckets;
	u32 capacity;
	u32 nr;
	u32 free_head;
	/* Entries ever filled: those from here on are unwritten memory. */
	u32 hwm;
};

struct pb_mm;

int pb_tlb_init(struct pb_tlb *t);
void pb_tlb_destroy(struct pb_tlb *t);
struct pb_tlb_entry *pb_tlb_lookup(struct pb_mm *mm, u64 va);
void pb_tlb_fill(struct pb_mm *mm, u64 va, pb_pte_t pte);
void pb_tlb_fill_pmd(struct pb_mm *mm, u64 va, pb_pte_t pmd);
void pb_flush_tlb_page(struct pb_mm *mm, u64 va);
void pb_flush_tlb_range(struct pb_mm *mm, u64 start, u64 end);
void pb_flush_tlb_mm(struct pb_mm *mm);

#endif /* _PB_MODEL_TLB_H */
