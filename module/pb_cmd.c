// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: sessions, the reply buffer and the ctl command parser.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/kstrtox.h>

#include "ptebatch.h"
#include "pb_cmd.h"

static atomic64_t pb_next_session_id;

/* Every live session, for the per-mm part of the stats file. */
DEFINE_MUTEX(pb_registry_lock);
static struct pb_session *pb_sessions;

void pb_reply_reset(struct pb_reply *r)
{
	r->len = 0;
	r->overflow = false;
	r->buf[0] = '\0';
}

void pb_reply_printf(struct pb_reply *r, const char *fmt, ...)
{
	size_t room = r->size - r->len;
	va_list args;
	int n;

	if (r->overflow)
		return;
	va_start(args, fmt);
	n = vsnprintf(r->buf + r->len, room, fmt, args);
	va_end(args);
	if (n < 0 || (size_t)n >= room) {
		/* Keep whole lines only: drop the partial one. */
		r->buf[r->len] = '\0';
		r->overflow = true;
		return;
	}
	r->len += n;
}

struct pb_session *pb_session_create(void)
{
	struct pb_session *s;

	s = pb_zalloc(sizeof(*s));
	if (!s)
		return NULL;
	s->reply.buf = pb_zalloc(PB_REPLY_MAX);
	if (!s->reply.buf) {
		pb_free(s, sizeof(*s));
		return NULL;
	}
	s->reply.size = PB_REPLY_MAX;
	mutex_init(&s->lock);
	s->id = atomic64_inc_return(&pb_next_session_id);
	mutex_lock(&pb_registry_lock);
	s->next = pb_sessions;
	pb_sessions = s;
	mutex_unlock(&pb_registry_lock);
	pb_count(PB_CNT_live_sessions, 1);
	pb_count(PB_CNT_sessions_opened, 1);
	return s;
}

void pb_session_destroy(struct pb_session *s)
{
	struct pb_session **link;

	mutex_lock(&pb_registry_lock);
	for (link = &pb_sessions; *link != s; link = &(*link)->next)
		;
	*link = s->next;
	mutex_unlock(&pb_registry_lock);
	pb_session_release_mms(s);
	mutex_destroy(&s->lock);
	pb_free(s->reply.buf, PB_REPLY_MAX);
	pb_free(s, sizeof(*s));
	pb_count(PB_CNT_live_sessions, -1);
}

/* Call @fn on every live session, under the registry lock. */
void pb_sessions_walk(void (*fn)(struct pb_session *s, void *arg), void *arg)
{
	struct pb_session *s;

	mutex_lock(&pb_registry_lock);
	for (s = pb_sessions; s; s = s->next)
		fn(s, arg);
	mutex_unlock(&pb_registry_lock);
}

/* Record a one-line reason for a failing command and return -EINVAL. */
int pb_err(struct pb_args *a, const char *fmt, ...)
{
	struct pb_reply *r = &a->s->reply;
	va_list args;

	pb_reply_reset(r);
	pb_reply_printf(r, "error: ");
	va_start(args, fmt);
	r->len += vscnprintf(r->buf + r->len, r->size - r->len - 1, fmt, args);
	va_end(args);
	pb_reply_printf(r, "\n");
	return -EINVAL;
}

static struct pb_arg *pb_find_arg(struct pb_args *a, const char *key)
{
	int i;

	for (i = 0; i < a->nr; i++) {
		if (!strcmp(a->arg[i].key, key)) {
			a->arg[i].used = true;
			return &a->arg[i];
		}
	}
	return NULL;
}

/* Was @key given?  Marks it used. */
bool pb_arg_given(struct pb_args *a, const char *key)
{
	return pb_find_arg(a, key);
}

int pb_arg_str(struct pb_args *a, const char *key, const char *def,
	       const char **out)
{
	struct pb_arg *arg = pb_find_arg(a, key);

	if (!arg) {
		if (!def)
			return pb_err(a, "missing argument '%s'", key);
		*out = def;
		return 0;
	}
	*out = arg->val;
	return 0;
}

/* A number in decimal, 0x hex or 0 octal.  @def of U64_MAX means required. */
int pb_arg_u64(struct pb_args *a, const char *key, u64 def, u64 *out)
{
	struct pb_arg *arg = pb_find_arg(a, key);

	if (!arg) {
		if (def == U64_MAX)
			return pb_err(a, "missing argument '%s'", key);
		*out = def;
		return 0;
	}
	if (kstrtou64(arg->val, 0, out))
		return pb_err(a, "argument '%s': '%s' is not a number", key,
			      arg->val);
	return 0;
}

/* Is @key one of the space-separated words in @keys? */
static bool pb_key_allowed(const char *keys, const char *key)
{
	size_t len = strlen(key);
	const char *p = keys;

	while (p && *p) {
		const char *end = strchrnul(p, ' ');

		if ((size_t)(end - p) == len && !strncmp(p, key, len))
			return true;
		p = *end ? end + 1 : NULL;
	}
	return false;
}

const struct pb_command *pb_find_command(const char *name)
{
	size_t i;

	for (i = 0; i < pb_nr_commands; i++)
		if (!strcmp(pb_commands[i].name, name))
			return &pb_commands[i];
	for (i = 0; i < pb_nr_mm_commands; i++)
		if (!strcmp(pb_mm_commands[i].name, name))
			return &pb_mm_commands[i];
	for (i = 0; i < pb_nr_path_commands; i++)
		if (!strcmp(pb_path_commands[i].name, name))
			return &pb_path_commands[i];
	return NULL;
}

/* Split @line in place into the command name and its key=value arguments. */
static int pb_parse(struct pb_args *a, char *line,
		    const struct pb_command **cmdp)
{
	const struct pb_command *cmd;
	char *name, *tok, *eq;
	int i;

	line = skip_spaces(line);
	name = strsep(&line, " \t");
	if (!name || !*name)
		return pb_err(a, "empty command; try 'help'");
	cmd = pb_find_command(name);
	if (!cmd)
		return pb_err(a, "unknown command '%s'; try 'help'", name);

	while ((tok = strsep(&line, " \t"))) {
		if (!*tok)
			continue;
		eq = strchr(tok, '=');
		if (!eq || eq == tok || !eq[1])
			return pb_err(a, "%s: argument '%s' is not key=value",
				      name, tok);
		*eq = '\0';
		if (!cmd->own_keys && !pb_key_allowed(cmd->keys, tok))
			return pb_err(a, "%s: unknown argument '%s'", name, tok);
		for (i = 0; i < a->nr; i++)
			if (!strcmp(a->arg[i].key, tok))
				return pb_err(a, "%s: argument '%s' given twice",
					      name, tok);
		if (a->nr == PB_MAX_ARGS)
			return pb_err(a, "%s: too many arguments", name);
		a->arg[a->nr].key = tok;
		a->arg[a->nr].val = eq + 1;
		a->nr++;
	}
	*cmdp = cmd;
	return 0;
}

/*
 * Run one command line.  The caller holds s->lock.  On failure the reply holds
 * a one-line reason and nothing the command would have changed is changed.
 */
int pb_session_exec(struct pb_session *s, const char *line, size_t len)
{
	const struct pb_command *cmd = NULL;
	struct pb_args a = { .s = s };
	char *buf = s->line;
	size_t i;
	int ret;

	pb_reply_reset(&s->reply);

	/* One line: a single trailing newline is allowed, nothing after it. */
	if (len && line[len - 1] == '\n')
		len--;
	if (len >= PB_CMD_MAX) {
		ret = pb_err(&a, "command longer than %d bytes", PB_CMD_MAX - 1);
		goto out;
	}
	for (i = 0; i < len; i++) {
		if (line[i] == '\n' || line[i] == '\0' ||
		    (!isprint(line[i]) && line[i] != '\t')) {
			ret = pb_err(&a, "one command per write, printable characters only");
			goto out;
		}
	}
	memcpy(buf, line, len);
	buf[len] = '\0';

	ret = pb_parse(&a, buf, &cmd);
	if (ret)
		goto out;
	ret = cmd->handler(&a);
	if (!ret && s->reply.overflow)
		ret = pb_err(&a, "%s: reply longer than %d bytes; ask for less",
			     cmd->name, PB_REPLY_MAX);
out:
	if (ret) {
		pb_count(PB_CNT_command_errors, 1);
		return ret;
	}
	s->nr_commands++;
	pb_count(PB_CNT_commands, 1);
	return 0;
}
