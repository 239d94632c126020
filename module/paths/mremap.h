/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: mremap(MREMAP_MAYMOVE | MREMAP_FIXED) of a private mm.
 */
#ifndef _PB_PATHS_MREMAP_H
#define _PB_PATHS_MREMAP_H

#include <linux/types.h>

#include "model/mm.h"

int pb_mremap(struct pb_mm *mm, u64 old, u64 len, u64 new, const char **why);

#endif /* _PB_PATHS_MREMAP_H */
