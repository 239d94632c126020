/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the ctl command parser.
 *
 * A command line is a name followed by key=value arguments.  Each command is
 * one entry in pb_commands[] that names the keys it accepts; the parser rejects
 * anything else before the handler runs, so a handler sees only known keys.
 */
#ifndef _PB_CMD_H
#define _PB_CMD_H

#include "ptebatch.h"

#define PB_MAX_ARGS	16

struct pb_arg {
	const char *key;
	const char *val;
	bool used;
};

struct pb_args {
	struct pb_session *s;
	struct pb_arg arg[PB_MAX_ARGS];
	int nr;
};

struct pb_command {
	const char *name;
	int (*handler)(struct pb_args *a);
	/* Space-separated keys the command accepts. */
	const char *keys;
	const char *help;
	/* The handler takes other keys too, and rejects what it does not know. */
	bool own_keys;
};

/* The command tables: the session's own, and the private-mm commands. */
extern const struct pb_command pb_commands[];
extern const size_t pb_nr_commands;
extern const struct pb_command pb_mm_commands[];
extern const size_t pb_nr_mm_commands;
extern const struct pb_command pb_path_commands[];
extern const size_t pb_nr_path_commands;

/* Shared by the command files. */
int pb_arg_mm(struct pb_args *a, struct pb_mm **mmp);
int pb_arg_bool(struct pb_args *a, const char *key, bool def, bool *out);
int pb_arg_range(struct pb_args *a, struct pb_mm *mm, u64 *startp, u64 *endp);
int pb_arg_access(struct pb_args *a, struct pb_mm **mmp, u64 *va, bool *write,
		  u64 *val);
int pb_mm_done(struct pb_args *a, struct pb_mm *mm, int ret);
int pb_session_add_mm(struct pb_session *s, struct pb_mm *mm);
int pb_session_free_slot(struct pb_session *s);
int pb_cmd_bench(struct pb_args *a);

const struct pb_command *pb_find_command(const char *name);

__printf(2, 3) int pb_err(struct pb_args *a, const char *fmt, ...);
int pb_arg_u64(struct pb_args *a, const char *key, u64 def, u64 *out);
bool pb_arg_given(struct pb_args *a, const char *key);
int pb_arg_str(struct pb_args *a, const char *key, const char *def,
	       const char **out);

#endif /* _PB_CMD_H */
