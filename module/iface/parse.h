/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the ctl argument parser.
 *
 * A command line is a name followed by key=value arguments.  The parser
 * rejects malformed, repeated and unknown keys before the handler runs; the
 * handler then takes its arguments with pb_arg_*(), which check each value.
 */
#ifndef _PB_IFACE_PARSE_H
#define _PB_IFACE_PARSE_H

#include <linux/types.h>
#include <linux/compiler_types.h>

#include "uapi/ptebatch.h"
#include "model/report.h"

struct pb_session;
struct pb_mm;

/* A key of a command: an entry of uapi's PB_KEY list. */
struct pb_key {
	enum pb_command_id cmd;
	const char *name;
	/* PB_KEY_REQ, PB_KEY_DEF or PB_KEY_OPT. */
	u8 need;
	/* A number within min..max, else text: one of values ("a|b"), any if "". */
	bool text;
	u64 def, min, max;
	const char *text_def, *values;
};

extern const struct pb_key pb_keys[PB_NR_KEYS];

/* The entry of @cmd's key @name, or NULL. */
const struct pb_key *pb_find_key(enum pb_command_id cmd, const char *name);

struct pb_arg {
	const char *key;
	const char *val;
	/* The value of a numeric key of the table, checked by the parser. */
	u64 num;
	const struct pb_key *entry;
	bool used;
};

/* One command being run: its session, its arguments, its violation report. */
struct pb_args {
	struct pb_session *s;
	/* The command, whose keys of pb_keys[] the pb_arg_*() helpers use. */
	enum pb_command_id cmd;
	struct pb_arg arg[PB_MAX_ARGS];
	int nr;
	/* Lent to the session's mms while the command runs (iface/report.c). */
	struct pb_report report;
};

/*
 * Split @line, what follows the command's name, into key=value arguments and
 * check them against the command's keys: an unknown key (unless @own_keys:
 * the handler checks the keys not in the table), a value that is not a
 * number or out of range, or a required key left out fails with a reason.
 */
int pb_parse_args(struct pb_args *a, const char *name, bool own_keys,
		  char *line);

/* Record a one-line reason in the reply; returns -EINVAL. */
__printf(2, 3) int pb_err(struct pb_args *a, const char *fmt, ...);

/*
 * Value helpers.  A key left out takes its default of the table (PB_KEY_DEF);
 * else, or for a key not in the table, it is missing: -EINVAL.
 */
int pb_arg_u64(struct pb_args *a, const char *key, u64 *out);
int pb_arg_bool(struct pb_args *a, const char *key, bool *out);
int pb_arg_str(struct pb_args *a, const char *key, const char **out);
bool pb_arg_given(struct pb_args *a, const char *key);
/*
 * One of @nr names: its index in *@out.  @def is the index of the default,
 * or -1 for the table's.  Else -EINVAL, "<key> must be a, b or c".
 */
int pb_arg_choice(struct pb_args *a, const char *key, int def,
		  const char *const *names, int nr, int *out);

/* Argument groups shared by several commands. */
int pb_arg_mm(struct pb_args *a, struct pb_mm **mmp);
int pb_arg_range(struct pb_args *a, struct pb_mm *mm, u64 *startp, u64 *endp);
int pb_arg_access(struct pb_args *a, struct pb_mm **mmp, u64 *va, bool *write,
		  u64 *val);

/* The names of the kernel profiles, PB_PROFILE_NAMES. */
extern const char *const pb_profile_names[PB_NR_PROFILES];
/*
 * kernel=<profile>: "6.12" or "mainline"; by default the series of the
 * kernel the module was built for.
 */
int pb_arg_profile(struct pb_args *a, enum pb_profile *out);

#endif /* _PB_IFACE_PARSE_H */
