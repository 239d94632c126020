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

#endif /* _PB_CHECK_CHECK_H */
