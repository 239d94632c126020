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

struct pb_arg {
	const char *key;
	const char *val;
	bool used;
};

/* One command being run: its session, its arguments, its violation report. */
struct pb_args {
	struct pb_session *s;
	struct pb_arg arg[PB_MAX_ARGS];
	int nr;
	/* Lent to the session's mms while the command runs (iface/report.c). */
	struct pb_report report;
};

int pb_parse_args(struct pb_args *a, const char *name, const char *keys,
		  char *line);

/* Record a one-line reason in the reply; returns -EINVAL. */
__printf(2, 3) int pb_err(struct pb_args *a, const char *fmt, ...);

/* Value helpers.  A default of U64_MAX, or a NULL string, means required. */
int pb_arg_u64(struct pb_args *a, const char *key, u64 def, u64 *out);
int pb_arg_bool(struct pb_args *a, const char *key, bool def, bool *out);
int pb_arg_str(struct pb_args *a, const char *key, const char *def,
	       const char **out);
bool pb_arg_given(struct pb_args *a, const char *key);
/*
 * One of @nr names: its index in *@out.  @def is the default's index, or -1
 * when the key is required.  Else -EINVAL, "<key> must be a, b or c".
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
