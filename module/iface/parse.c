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

/* The key table of uapi's PB_KEY list, which help prints too. */
const struct pb_key pb_keys[PB_NR_KEYS] = {
#define PB_KEY(c, k, n, d, lo, hi)					\
	[PB_K_##c##_##k] = { .cmd = PB_CMD_##c, .name = #k, .need = n,	\
			     .def = d, .min = lo, .max = hi },
#define PB_KEY_TEXT(c, k, n, d, v)					\
	[PB_K_##c##_##k] = { .cmd = PB_CMD_##c, .name = #k, .need = n,	\
			     .text = true, .text_def = d, .values = v },
#include "uapi/ptebatch_names.h"
};

const struct pb_key *pb_find_key(enum pb_command_id cmd, const char *name)
{
	unsigned int i;

	for (i = 0; i < PB_NR_KEYS; i++)
		if (pb_keys[i].cmd == cmd && !strcmp(pb_keys[i].name, name))
			return &pb_keys[i];
	return NULL;
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

/* A key left out: its default, or -EINVAL if it has none. */
static const struct pb_key *pb_arg_default(struct pb_args *a, const char *key)
{
	const struct pb_key *k = pb_find_key(a->cmd, key);

	if (!k || k->need != PB_KEY_DEF) {
		pb_err(a, "missing argument '%s'", key);
		return NULL;
	}
	return k;
}

int pb_arg_str(struct pb_args *a, const char *key, const char **out)
{
	struct pb_arg *arg = pb_find_arg(a, key);
	const struct pb_key *k;

	if (arg) {
		*out = arg->val;
		return 0;
	}
	k = pb_arg_default(a, key);
	if (!k)
		return -EINVAL;
	*out = k->text_def;
	return 0;
}

static int pb_parse_u64(struct pb_args *a, const struct pb_arg *arg, u64 *out)
{
	if (kstrtou64(arg->val, 0, out))
		return pb_err(a, "argument '%s': '%s' is not a number", arg->key,
			      arg->val);
	return 0;
}

/* A number in decimal, 0x hex or 0 octal. */
int pb_arg_u64(struct pb_args *a, const char *key, u64 *out)
{
	struct pb_arg *arg = pb_find_arg(a, key);
	const struct pb_key *k;

	if (arg && arg->entry) {
		*out = arg->num;
		return 0;
	}
	if (arg)
		return pb_parse_u64(a, arg, out);
	k = pb_arg_default(a, key);
	if (!k)
		return -EINVAL;
	*out = k->def;
	return 0;
}

/* "<key> must be a, b or c" of the names in @values, "a|b|c". */
static int pb_err_values(struct pb_args *a, const char *key, const char *values)
{
	char list[128] = "";
	const char *p = values, *bar;
	int len = 0;

	while (p) {
		bar = strchr(p, '|');
		len += scnprintf(list + len, sizeof(list) - len, "%s%.*s",
				 p == values ? "" : bar ? ", " : " or ",
				 bar ? (int)(bar - p) : (int)strlen(p), p);
		p = bar ? bar + 1 : NULL;
	}
	return pb_err(a, "%s must be %s", key, list);
}

/* Is @val one of @values, "a|b|c"? */
static bool pb_value_allowed(const char *values, const char *val)
{
	size_t len = strlen(val);
	const char *p = values;

	while (p) {
		const char *end = strchrnul(p, '|');

		if ((size_t)(end - p) == len && !strncmp(p, val, len))
			return true;
		p = *end ? end + 1 : NULL;
	}
	return false;
}

/* The value of @arg against its entry of the table. */
static int pb_check_arg(struct pb_args *a, struct pb_arg *arg)
{
	const struct pb_key *k = arg->entry;
	int ret;

	if (k->text) {
		if (*k->values && !pb_value_allowed(k->values, arg->val))
			return pb_err_values(a, k->name, k->values);
		return 0;
	}
	ret = pb_parse_u64(a, arg, &arg->num);
	if (ret)
		return ret;
	if (arg->num >= k->min && arg->num <= k->max)
		return 0;
	if (!k->min && k->max == 1)
		return pb_err(a, "%s must be 0 or 1", k->name);
	if (k->max == PB_KEY_ANY)
		return pb_err(a, "%s must be at least %llu", k->name, k->min);
	return pb_err(a, "%s must be within %llu..%llu", k->name, k->min, k->max);
}

int pb_parse_args(struct pb_args *a, const char *name, bool own_keys,
		  char *line)
{
	char *tok, *eq;
	unsigned int k;
	int i, ret;

	while ((tok = strsep(&line, " \t"))) {
		if (!*tok)
			continue;
		eq = strchr(tok, '=');
		if (!eq || eq == tok || !eq[1])
			return pb_err(a, "%s: argument '%s' is not key=value",
				      name, tok);
		*eq = '\0';
		for (i = 0; i < a->nr; i++)
			if (!strcmp(a->arg[i].key, tok))
				return pb_err(a, "%s: argument '%s' given twice",
					      name, tok);
		if (a->nr == PB_MAX_ARGS)
			return pb_err(a, "%s: too many arguments", name);
		a->arg[a->nr].key = tok;
		a->arg[a->nr].val = eq + 1;
		a->arg[a->nr].entry = pb_find_key(a->cmd, tok);
		if (!a->arg[a->nr].entry && !own_keys)
			return pb_err(a, "%s: unknown argument '%s'", name, tok);
		a->nr++;
	}
	for (i = 0; i < a->nr; i++) {
		if (!a->arg[i].entry)
			continue;
		ret = pb_check_arg(a, &a->arg[i]);
		if (ret)
			return ret;
	}
	for (k = 0; k < PB_NR_KEYS; k++) {
		if (pb_keys[k].cmd != a->cmd || pb_keys[k].need != PB_KEY_REQ)
			continue;
		for (i = 0; i < a->nr; i++)
			if (a->arg[i].entry == &pb_keys[k])
				break;
		if (i == a->nr)
			return pb_err(a, "missing argument '%s'", pb_keys[k].name);
	}
	return 0;
}

/* The mm of the session that the mm key names. */
int pb_arg_mm(struct pb_args *a, struct pb_mm **mmp)
{
	u64 id;
	int ret = pb_arg_u64(a, "mm", &id);

	if (ret)
		return ret;
	if (id >= PB_SESSION_MMS || !a->s->mms[id])
		return pb_err(a, "no mm %llu in this session", id);
	*mmp = a->s->mms[id];
	return 0;
}

int pb_arg_bool(struct pb_args *a, const char *key, bool *out)
{
	u64 v;
	int ret = pb_arg_u64(a, key, &v);

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

	ret = pb_arg_u64(a, "va", &start);
	if (!ret)
		ret = pb_arg_u64(a, "len", &len);
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
		ret = pb_arg_u64(a, "va", va);
	if (!ret)
		ret = pb_arg_bool(a, "write", write);
	if (!ret)
		ret = pb_arg_u64(a, "val", val);
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

	if (def >= 0 && !pb_arg_given(a, key)) {
		name = names[def];
	} else {
		ret = pb_arg_str(a, key, &name);
		if (ret)
			return ret;
	}
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
