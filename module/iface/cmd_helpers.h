/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the ctl commands that call one contpte helper.
 */
#ifndef _PB_IFACE_CMD_HELPERS_H
#define _PB_IFACE_CMD_HELPERS_H

#include "iface/parse.h"

int pb_cmd_ptep_get(struct pb_args *a);
int pb_cmd_wrprotect(struct pb_args *a);
int pb_cmd_get_and_clear(struct pb_args *a);
int pb_cmd_clear_full(struct pb_args *a);
int pb_cmd_young(struct pb_args *a);
int pb_cmd_set_access_flags(struct pb_args *a);
int pb_cmd_clear_young_dirty(struct pb_args *a);
int pb_cmd_fold(struct pb_args *a);
int pb_cmd_unfold(struct pb_args *a);

#endif /* _PB_IFACE_CMD_HELPERS_H */
