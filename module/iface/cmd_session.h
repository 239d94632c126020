/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the ctl commands of the session itself.
 */
#ifndef _PB_IFACE_CMD_SESSION_H
#define _PB_IFACE_CMD_SESSION_H

#include "iface/parse.h"

int pb_cmd_version(struct pb_args *a);
int pb_cmd_session(struct pb_args *a);
int pb_cmd_stats(struct pb_args *a);

#endif /* _PB_IFACE_CMD_SESSION_H */
