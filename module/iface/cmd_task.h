/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the ctl commands that read a real process: task_dump,
 * task_folio and task_maps.
 */
#ifndef _PB_IFACE_CMD_TASK_H
#define _PB_IFACE_CMD_TASK_H

struct pb_args;

int pb_cmd_task_dump(struct pb_args *a);
int pb_cmd_task_folio(struct pb_args *a);
int pb_cmd_task_maps(struct pb_args *a);
int pb_cmd_task_import(struct pb_args *a);

#endif /* _PB_IFACE_CMD_TASK_H */
