/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: fork of a private mm.
 */
#ifndef _PB_PATHS_FORK_H
#define _PB_PATHS_FORK_H

#include <linux/types.h>

#include "model/mm.h"

struct pb_mm *pb_fork(struct pb_mm *parent, u32 id, const char **why);

/*
 * The phases of one fork, for the bench: the child mm and its page tables
 * (alloc), the copy of the entries and the pages' metadata (copy), and the
 * parent's flush_tlb_mm() (flush).
 */
struct pb_fork_times {
	u64 alloc_ns;
	u64 copy_ns;
	u64 flush_ns;
};

/* pb_fork(), timing its phases in @t (NULL: untimed). */
struct pb_mm *pb_fork_timed(struct pb_mm *parent, u32 id, const char **why,
			    struct pb_fork_times *t);

#endif /* _PB_PATHS_FORK_H */
