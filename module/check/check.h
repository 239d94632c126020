/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the whole-mm checker.
 */
#ifndef _PB_CHECK_CHECK_H
#define _PB_CHECK_CHECK_H

#include <linux/types.h>

#include "model/mm.h"

/* Scan @mm and its arena; returns the number of violations found. */
u64 pb_check_mm(struct pb_mm *mm);
/*
 * Scan only what is @mm's own (its contiguous blocks), not the arena: right
 * after a pb_check_mm() of another mm of the arena, which saw every mm's
 * entries and every folio, this finds what a pb_check_mm() of @mm would add
 * to it.  Returns the number of violations found.
 */
u64 pb_check_mm_tables(struct pb_mm *mm);

#endif /* _PB_CHECK_CHECK_H */
