/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the ctl commands of fork, faults, mprotect, tracking and pins.
 */
#ifndef _PB_IFACE_CMD_PATHS_H
#define _PB_IFACE_CMD_PATHS_H

#include "iface/parse.h"

int pb_cmd_fork(struct pb_args *a);
int pb_cmd_touch(struct pb_args *a);
int pb_cmd_mprotect(struct pb_args *a);
int pb_cmd_madvise(struct pb_args *a);
int pb_cmd_mremap(struct pb_args *a);
int pb_cmd_clear_refs(struct pb_args *a);
int pb_cmd_uffd_wp(struct pb_args *a);
int pb_cmd_pin(struct pb_args *a);
int pb_cmd_unpin(struct pb_args *a);

#endif /* _PB_IFACE_CMD_PATHS_H */
