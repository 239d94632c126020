/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: page faults of a private mm.
 */
#ifndef _PB_PATHS_FAULT_H
#define _PB_PATHS_FAULT_H

#include <linux/types.h>

#include "model/mm.h"

int pb_handle_fault(struct pb_mm *mm, u64 va, bool write, const char **why);

#endif /* _PB_PATHS_FAULT_H */
