/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: mprotect() of a private mm.
 */
#ifndef _PB_PATHS_MPROTECT_H
#define _PB_PATHS_MPROTECT_H

#include <linux/types.h>

#include "model/mm.h"

int pb_mprotect(struct pb_mm *mm, u64 start, u64 end, u32 prot,
		const char **why);
bool pb_can_change_pte_writable(struct pb_mm *mm, const struct pb_vma *vma,
				pb_pte_t pte);

#endif /* _PB_PATHS_MPROTECT_H */
