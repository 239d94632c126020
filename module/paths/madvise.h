/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: madvise(MADV_DONTNEED) and madvise(MADV_FREE).
 */
#ifndef _PB_PATHS_MADVISE_H
#define _PB_PATHS_MADVISE_H

#include <linux/types.h>

#include "model/mm.h"

enum pb_madvise {
	PB_MADV_DONTNEED,
	PB_MADV_FREE,
};

int pb_madvise(struct pb_mm *mm, u64 start, u64 end, enum pb_madvise advice,
	       const char **why);

#endif /* _PB_PATHS_MADVISE_H */
