// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the ctl argument parser.  It knows no command: the caller looks
 * the command up and passes the keys it accepts.  Every helper records a
 * one-line reason in the reply and returns -EINVAL on bad input.
 */
#include <linux/kernel.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/kstrtox.h>
#include <linux/overflow.h>

#include "model/mm.h"
#include "iface/parse.h"
#include "iface/reply.h"
#include "iface/session.h"

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

/* Split @line in place into the command name and its key=value arguments. */
/*
 * Split @line, what follows the command's name, into key=value arguments.
 * @keys lists the keys @name accepts, space-separated; NULL lets the handler
 * check them (it must reject what pb_arg_*() did not use).
 */
int pb_parse_args(struct pb_args *a, const char *name, const char *keys,
		  char *line)
{
	char *tok, *eq;
	int i;

	while ((tok = strsep(&line, " \t"))) {
		if (!*tok)
			continue;
		eq = strchr(tok, '=');
		if (!eq || eq == tok || !eq[1])
			return pb_err(a, "%s: argument '%s' is not key=value",
				      name, tok);
		*eq = '\0';
		if (keys && !pb_key_allowed(keys, tok))
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
	return 0;
}

/* The mm of the session that the mm key names. */
int pb_arg_mm(struct pb_args *a, struct pb_mm **mmp)
{
	u64 id;
	int ret = pb_arg_u64(a, "mm", U64_MAX, &id);

	if (ret)
		return ret;
	if (id >= PB_SESSION_MMS || !a->s->mms[id])
		return pb_err(a, "no mm %llu in this session", id);
	*mmp = a->s->mms[id];
	return 0;
}

int pb_arg_bool(struct pb_args *a, const char *key, bool def, bool *out)
{
	u64 v;
	int ret = pb_arg_u64(a, key, def, &v);

	if (ret)
		return ret;
	if (v > 1)
		return pb_err(a, "%s must be 0 or 1", key);
	*out = v;
	return 0;
}

int pb_arg_range(struct pb_args *a, struct pb_mm *mm, u64 *startp, u64 *endp)
{
	u64 start, len;
	int ret;

	ret = pb_arg_u64(a, "va", U64_MAX, &start);
	if (!ret)
		ret = pb_arg_u64(a, "len", U64_MAX, &len);
	if (ret)
		return ret;
	if (!len || check_add_overflow(start, len, endp))
		return pb_err(a, "len is zero or va + len overflows");
	if ((start | len) & (pb_page_size(&mm->geom) - 1))
		return pb_err(a, "va and len must be multiples of the page size");
	*startp = start;
	return 0;
}

/* The arguments of a user access: mm, an 8-byte aligned va, write, val. */
int pb_arg_access(struct pb_args *a, struct pb_mm **mmp, u64 *va, bool *write,
		  u64 *val)
{
	int ret;

	ret = pb_arg_mm(a, mmp);
	if (!ret)
		ret = pb_arg_u64(a, "va", U64_MAX, va);
	if (!ret)
		ret = pb_arg_bool(a, "write", false, write);
	if (!ret)
		ret = pb_arg_u64(a, "val", 0, val);
	if (ret)
		return ret;
	if (*va >= (1ULL << (*mmp)->geom.va_bits) || (*va & 7))
		return pb_err(a, "va 0x%llx is beyond the VA size or not 8-byte aligned", *va);
	return 0;
}

const char *const pb_profile_names[PB_NR_PROFILES] = PB_PROFILE_NAMES;

/*
 * PB_PROFILE_BUILT, the profile of the kernel the module was built for, comes
 * from the build: Kbuild picks 6.12 for a 6.12 kernel and mainline for any
 * other; the native build stands for 6.12.
 */

int pb_arg_choice(struct pb_args *a, const char *key, int def,
		  const char *const *names, int nr, int *out)
{
	char list[128] = "";
	const char *name;
	int i, ret, len = 0;

	ret = pb_arg_str(a, key, def < 0 ? NULL : names[def], &name);
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		if (!strcmp(name, names[i])) {
			*out = i;
			return 0;
		}
	}
	for (i = 0; i < nr; i++)
		len += scnprintf(list + len, sizeof(list) - len, "%s%s",
				 !i ? "" : i == nr - 1 ? " or " : ", ", names[i]);
	return pb_err(a, "%s must be %s", key, list);
}

int pb_arg_profile(struct pb_args *a, enum pb_profile *out)
{
	/* Oldest first, as the error lists them. */
	static const enum pb_profile order[] = {
		PB_PROFILE_6_12, PB_PROFILE_MAINLINE,
	};
	const char *names[ARRAY_SIZE(order)];
	int i, def = 0, ret;

	BUILD_BUG_ON(ARRAY_SIZE(order) != PB_NR_PROFILES);
	for (i = 0; i < PB_NR_PROFILES; i++) {
		names[i] = pb_profile_names[order[i]];
		if (order[i] == PB_PROFILE_BUILT)
			def = i;
	}
	ret = pb_arg_choice(a, "kernel", def, names, PB_NR_PROFILES, &i);
	if (!ret)
		*out = order[i];
	return ret;
}
