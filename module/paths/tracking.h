/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: soft-dirty, uffd-wp and GUP pins of a private mm.
 */
#ifndef _PB_PATHS_TRACKING_H
#define _PB_PATHS_TRACKING_H

#include <linux/types.h>

#include "model/mm.h"

void pb_clear_soft_dirty(struct pb_mm *mm);
int pb_uffd_wp(struct pb_mm *mm, u64 start, u64 end, bool wp,
	       const char **why);
int pb_pin(struct pb_mm *mm, u64 start, u64 end, bool pin, const char **why);

#endif /* _PB_PATHS_TRACKING_H */
