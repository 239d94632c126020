/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: in-kernel timing of one path on a private mm.
 */
#ifndef _PB_TOOLS_BENCH_H
#define _PB_TOOLS_BENCH_H

#include <linux/types.h>

#include "model/mm.h"

int pb_bench_fork(struct pb_mm *mm, bool zap, u64 *ns);
int pb_bench_mprotect(struct pb_mm *mm, u64 *ns);
int pb_bench_zap_partial(struct pb_mm *mm, u64 stride, u64 *ns);
int pb_bench_memcpy(u64 bytes, u64 *ns);

#endif /* _PB_TOOLS_BENCH_H */
