/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the command registry.
 *
 * Every command of uapi's PB_COMMAND list is one entry of pb_commands[]: its
 * handler and its help; its keys are uapi's PB_KEY list (iface/parse.c's
 * pb_keys[]), which the parser checks before the handler runs.
 * iface/commands.c is the only file that knows the list.
 */
#ifndef _PB_IFACE_COMMANDS_H
#define _PB_IFACE_COMMANDS_H

#include <linux/types.h>

#include "uapi/ptebatch.h"
#include "iface/parse.h"

struct pb_command {
	const char *name;
	int (*handler)(struct pb_args *a);
	const char *help;
	/* The handler takes other keys too, and rejects what it does not use. */
	bool own_keys;
};

extern const struct pb_command pb_commands[PB_NR_COMMANDS];

/* The command called @name, or NULL. */
const struct pb_command *pb_find_command(const char *name);
/* 0, or -EINVAL if a command of the UAPI has no complete entry. */
int pb_commands_check(const char **missing);

int pb_cmd_help(struct pb_args *a);

#endif /* _PB_IFACE_COMMANDS_H */
