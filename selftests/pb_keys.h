/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keys of every command, checked from what help says of them (the PB_KEY
 * table of ptebatch_names.h, as the module prints it): leaving out a required
 * key fails with EINVAL naming it, each bound of a range is taken and the
 * number past it refused, and a text key refuses a word not in its values.
 * Shared by the guest's ptebatch_test and the native test_iface_cmd, which
 * pass a way to run one command line.
 */
#ifndef _PB_KEYS_H
#define _PB_KEYS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../module/uapi/ptebatch.h"

struct pb_keys_ops {
	/* Run @line: 0 or -errno.  reply() is its reply. */
	int (*run)(void *ctx, const char *line);
	const char *(*reply)(void *ctx);
	void *ctx;
};

struct pb_key_line {
	char name[32];
	int required, text, ranged;
	unsigned long long min, max;
	char values[128];
};

/* What a command refuses a value of @k with. */
static inline void pb_key_range_reason(const struct pb_key_line *k, char *buf, size_t size)
{
	if (!k->min && k->max == 1)
		snprintf(buf, size, "%s must be 0 or 1", k->name);
	else if (k->max == PB_KEY_ANY)
		snprintf(buf, size, "%s must be at least %llu", k->name, k->min);
	else
		snprintf(buf, size, "%s must be within %llu..%llu", k->name, k->min, k->max);
}

/* "    key <name> required|optional [default D] [range A..B|A..] [values a|b]" */
static inline int pb_key_parse(const char *line, struct pb_key_line *k)
{
	char need[16], word[16], arg[128];
	const char *p;
	int n;

	memset(k, 0, sizeof(*k));
	k->max = PB_KEY_ANY;
	if (sscanf(line, "    key %31s %15s%n", k->name, need, &n) != 2)
		return -1;
	k->required = !strcmp(need, "required");
	if (!k->required && strcmp(need, "optional"))
		return -1;
	for (p = line + n; sscanf(p, " %15s %127s%n", word, arg, &n) == 2; p += n) {
		if (!strcmp(word, "range")) {
			k->ranged = 1;
			if (sscanf(arg, "%llu..%llu", &k->min, &k->max) < 1)
				return -1;
		} else if (!strcmp(word, "values")) {
			k->text = 1;
			snprintf(k->values, sizeof(k->values), "%s", arg);
		} else if (strcmp(word, "default")) {
			return -1;
		}
	}
	return 0;
}

/* A value @k takes: its lowest number, or its first word. */
static inline void pb_key_some_value(const struct pb_key_line *k, char *buf, size_t size)
{
	if (k->text)
		snprintf(buf, size, "%.*s", (int)strcspn(k->values, "|"), k->values);
	else
		snprintf(buf, size, "%llu", k->min);
}

static inline void pb_keys_check_cmd(struct __test_metadata *_metadata,
				     const struct pb_keys_ops *ops, const char *cmd,
				     const struct pb_key_line *keys, int nr,
				     int *checks)
{
	char line[PB_CMD_MAX], val[64], why[128];
	int i, j, len, ret, b;

	/* Each required key left out, the others given a value they take. */
	for (i = 0; i < nr; i++) {
		if (!keys[i].required)
			continue;
		len = snprintf(line, sizeof(line), "%s", cmd);
		for (j = 0; j < nr; j++) {
			if (j == i || !keys[j].required)
				continue;
			pb_key_some_value(&keys[j], val, sizeof(val));
			len += snprintf(line + len, sizeof(line) - len, " %s=%s",
					keys[j].name, val);
		}
		ret = ops->run(ops->ctx, line);
		snprintf(why, sizeof(why), "missing argument '%s'", keys[i].name);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("'%s'", line);
		EXPECT_NE(NULL, strstr(ops->reply(ops->ctx), why))
			TH_LOG("'%s': %s", line, ops->reply(ops->ctx));
		(*checks)++;
	}
	for (i = 0; i < nr; i++) {
		const struct pb_key_line *k = &keys[i];
		const char *other = NULL;

		if (k->text) {
			snprintf(line, sizeof(line), "%s %s=no_such_value", cmd, k->name);
			snprintf(why, sizeof(why), "%s must be ", k->name);
			EXPECT_EQ(-EINVAL, ops->run(ops->ctx, line)) TH_LOG("'%s'", line);
			EXPECT_NE(NULL, strstr(ops->reply(ops->ctx), why))
				TH_LOG("'%s': %s", line, ops->reply(ops->ctx));
			(*checks)++;
			continue;
		}
		if (!k->ranged)
			continue;
		/*
		 * A bound is taken: nothing is said of k's range.  Another
		 * number key given "x" fails the command in the parser, after
		 * k's check, so that nothing runs.
		 */
		for (j = 0; j < nr && !other; j++)
			if (j != i && !keys[j].text)
				other = keys[j].name;
		pb_key_range_reason(k, why, sizeof(why));
		for (b = 0; b < 2; b++) {
			unsigned long long in = b ? k->max : k->min;
			unsigned long long out = b ? k->max + 1 : k->min - 1;

			if ((b && k->max == PB_KEY_ANY) || (!b && !k->min))
				continue;
			snprintf(line, sizeof(line), "%s %s=%llu%s%s%s", cmd, k->name, in,
				 other ? " " : "", other ? other : "", other ? "=x" : "");
			ret = ops->run(ops->ctx, line);
			EXPECT_EQ(NULL, strstr(ops->reply(ops->ctx), why))
				TH_LOG("'%s': %s", line, ops->reply(ops->ctx));
			if (other) {
				EXPECT_EQ(-EINVAL, ret) TH_LOG("'%s'", line);
				EXPECT_NE(NULL, strstr(ops->reply(ops->ctx), "is not a number"))
					TH_LOG("'%s': %s", line, ops->reply(ops->ctx));
			}
			snprintf(line, sizeof(line), "%s %s=%llu", cmd, k->name, out);
			EXPECT_EQ(-EINVAL, ops->run(ops->ctx, line)) TH_LOG("'%s'", line);
			EXPECT_NE(NULL, strstr(ops->reply(ops->ctx), why))
				TH_LOG("'%s': %s", line, ops->reply(ops->ctx));
			(*checks)++;
		}
	}
}

/*
 * Every command and key of help.  Run it in a session of its own: a bound
 * that is taken may act (session budget_bytes=1 sets the budget).
 */
static inline void pb_keys_check(struct __test_metadata *_metadata,
				 const struct pb_keys_ops *ops)
{
	struct pb_key_line keys[PB_MAX_ARGS];
	int nr = 0, cmds = 0, checks = 0, key_lines = 0;
	char cmd[64] = "", *help, *line, *next;

	ASSERT_EQ(0, ops->run(ops->ctx, "help"));
	help = strdup(ops->reply(ops->ctx));
	ASSERT_NE(NULL, help);
	for (line = help; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "    key ", 8)) {
			ASSERT_GT(PB_MAX_ARGS, nr) TH_LOG("%s", cmd);
			ASSERT_EQ(0, pb_key_parse(line, &keys[nr])) TH_LOG("'%s'", line);
			nr++;
			key_lines++;
			continue;
		}
		if (*line == ' ')
			continue;
		if (*cmd)
			pb_keys_check_cmd(_metadata, ops, cmd, keys, nr, &checks);
		snprintf(cmd, sizeof(cmd), "%.*s", (int)strcspn(line, " "), line);
		nr = 0;
		cmds++;
	}
	if (*cmd)
		pb_keys_check_cmd(_metadata, ops, cmd, keys, nr, &checks);
	free(help);
	EXPECT_EQ(PB_NR_COMMANDS, cmds);
	EXPECT_EQ(PB_NR_KEYS, key_lines);
	EXPECT_LT(PB_NR_KEYS, checks);
}

#endif /* _PB_KEYS_H */
