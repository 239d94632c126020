/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the simulated CPU: user accesses through the TLB and the
 * hardware's access-flag and dirty-state updates.
 */
#ifndef _PB_MODEL_CPU_H
#define _PB_MODEL_CPU_H

#include <linux/types.h>

#include "model/mm.h"

int pb_access(struct pb_mm *mm, u64 va, bool write, u64 *val);

#endif /* _PB_MODEL_CPU_H */
