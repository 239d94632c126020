/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the ctl commands of a private mm: life cycle, knobs, counters,
 * inspection and the simulated CPU.
 */
#ifndef _PB_IFACE_CMD_MM_H
#define _PB_IFACE_CMD_MM_H

#include "iface/parse.h"

int pb_cmd_mm_create(struct pb_args *a);
int pb_cmd_mm_destroy(struct pb_args *a);
int pb_cmd_mmap(struct pb_args *a);
int pb_cmd_populate(struct pb_args *a);
int pb_cmd_munmap(struct pb_args *a);
int pb_cmd_set(struct pb_args *a);
int pb_cmd_knobs(struct pb_args *a);
int pb_cmd_mm_stats(struct pb_args *a);
int pb_cmd_check(struct pb_args *a);
int pb_cmd_access(struct pb_args *a);
int pb_cmd_dump(struct pb_args *a);
int pb_cmd_folio(struct pb_args *a);
int pb_cmd_flush(struct pb_args *a);
int pb_cmd_checksum(struct pb_args *a);

#endif /* _PB_IFACE_CMD_MM_H */
