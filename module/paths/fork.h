/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: fork of a private mm.
 */
#ifndef _PB_PATHS_FORK_H
#define _PB_PATHS_FORK_H

#include <linux/types.h>

#include "model/mm.h"

struct pb_mm *pb_fork(struct pb_mm *parent, u32 id, const char **why);

#endif /* _PB_PATHS_FORK_H */
