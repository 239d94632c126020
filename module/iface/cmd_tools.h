/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the ctl commands of the tools: bench and the oracle.
 */
#ifndef _PB_IFACE_CMD_TOOLS_H
#define _PB_IFACE_CMD_TOOLS_H

#include "iface/parse.h"

int pb_cmd_bench(struct pb_args *a);
int pb_cmd_oracle(struct pb_args *a);
int pb_cmd_kernel_oracle(struct pb_args *a);

#endif /* _PB_IFACE_CMD_TOOLS_H */
