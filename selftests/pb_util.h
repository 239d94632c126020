/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ptebatch selftests and the pbctl tool: talk to the
 * ctl file, read the stats file, and look counters and knobs up.
 *
 * Every path, limit and name comes from the module's private UAPI header.
 * Counters, knobs and violation kinds are looked up by its enums, and a reply
 * is parsed whole against its lists, so that a misspelt name fails to compile
 * and a missing or unknown one fails the parse instead of reading as -1.
 */
#ifndef _PB_UTIL_H
#define _PB_UTIL_H

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statfs.h>
#include <unistd.h>

/* For __printf() and ARRAY_SIZE(). */
#include "kselftest.h"
#include "../module/uapi/ptebatch.h"

/* A limit of the header as a string, for reasons the module prints. */
#define __PB_STR(x)	#x
#define PB_STR(x)	__PB_STR(x)

/* --- Names, generated from the header's lists ---------------------------- */

static const char *const pb_counter_names[PB_NR_COUNTERS] = {
#define PB_COUNTER(name)	\
	[PB_CNT_##name] = #name,
#include "../module/uapi/ptebatch_names.h"
};

static const char *const pb_mm_counter_names[PB_NR_MM_COUNTERS] = {
#define PB_MM_COUNTER(name)	\
	[PB_MMC_##name] = #name,
#include "../module/uapi/ptebatch_names.h"
};

static const char *const pb_mm_state_names[PB_NR_MM_STATE] = {
#define PB_MM_STATE(name)	\
	[PB_MMS_##name] = #name,
#include "../module/uapi/ptebatch_names.h"
};

/* The name of a line of an mm's state in mm_stats: a misspelling fails to compile. */
#define PB_MMS_NAME(name)	(pb_mm_state_names[PB_MMS_##name])

static const char *const pb_violation_names[PB_NR_VIOLATIONS] = {
#define PB_VIOLATION(name)	\
	[PB_V_##name] = #name,
#include "../module/uapi/ptebatch_names.h"
};

static const char *const pb_command_names[PB_NR_COMMANDS] = {
#define PB_COMMAND(name)	\
	[PB_CMD_##name] = #name,
#include "../module/uapi/ptebatch_names.h"
};

/* A knob as the header defines it; tail is what follows its value in knobs. */
struct pb_knob_info {
	const char *name;
	unsigned long long def, max;
	const char *tail;
};

static const struct pb_knob_info pb_knobs_info[PB_NR_KNOBS] = {
#define PB_KNOB(name, def, max, help)	\
	[PB_KNOB_##name] = { #name, def, max, "\t# " help "\n" },
#include "../module/uapi/ptebatch_names.h"
};

/* --- The ctl session --------------------------------------------------------- */

/* One ctl session: an open file and the reply to its last command. */
struct pb_ctl {
	int fd;
	char reply[PB_REPLY_MAX + 1];
};

static inline int pb_open(struct pb_ctl *c)
{
	c->fd = open(PB_DEBUGFS_DIR "/ctl", O_RDWR);
	c->reply[0] = '\0';
	return c->fd < 0 ? -errno : 0;
}

#define PB_DEBUGFS_MOUNT	"/sys/kernel/debug"
/* DEBUGFS_MAGIC of include/uapi/linux/magic.h. */
#define PB_DEBUGFS_MAGIC	0x64626720

/* Why the module's ctl cannot be opened, and what to do; NULL when it can. */
static inline const char *pb_unreachable(void)
{
	struct statfs sf;

	if (statfs(PB_DEBUGFS_MOUNT, &sf) || sf.f_type != PB_DEBUGFS_MAGIC)
		return "debugfs is not mounted at " PB_DEBUGFS_MOUNT
		       ": mount -t debugfs none " PB_DEBUGFS_MOUNT;
	if (!access(PB_DEBUGFS_DIR "/ctl", R_OK | W_OK))
		return NULL;
	if (errno == EACCES || geteuid())
		return "run as root: " PB_DEBUGFS_DIR " belongs to root";
	if (!access("/sys/module/ptebatch", F_OK))
		return "the ptebatch module is loaded but " PB_DEBUGFS_DIR
		       "/ctl is missing";
	return "the ptebatch module is not loaded: insmod ptebatch.ko (or modprobe ptebatch)";
}

static inline void pb_close(struct pb_ctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Read the reply to the last command into c->reply. */
/*
 * A kernel address in @text (@len bytes): a run of exactly 16 hex digits
 * that starts with ffff (a kernel virtual address; user addresses and the
 * model's descriptors never start so), a run of 8 zeroes and 8 more digits
 * without 0x (a hashed %p), or %p's "(____ptrval____)".  NULL if none.
 */
static inline const char *pb_kernel_address(const char *text, size_t len)
{
	size_t i, j;

	for (i = 0; i < len; i = j + 1) {
		if (i + 14 <= len && !memcmp(text + i, "____ptrval____", 14))
			return text + i;
		for (j = i; j < len && isxdigit((unsigned char)text[j]); j++)
			;
		if (j - i == 16 && (!strncasecmp(text + i, "ffff", 4) ||
				    (!strncmp(text + i, "00000000", 8) &&
				     (i < 2 || strncmp(text + i - 2, "0x", 2)))))
			return text + i;
	}
	return NULL;
}

/*
 * No reply and no stats file may show a kernel address
 * (Documentation/ptebatch.rst, "No kernel pointers"): every test reads
 * them through here, so a full run searches everything the module said,
 * and one that shows an address stops its test at once.
 */
static inline void pb_no_kernel_address(const char *what, const char *text, size_t len)
{
	const char *hit = pb_kernel_address(text, len);

	if (!hit)
		return;
	fprintf(stderr, "# ptebatch: a kernel address in the %s: '%.24s'\n", what, hit);
	abort();
}

static inline int pb_read_reply(struct pb_ctl *c)
{
	ssize_t n, len = 0;

	if (lseek(c->fd, 0, SEEK_SET) < 0)
		return -errno;
	while ((n = read(c->fd, c->reply + len, PB_REPLY_MAX - len)) > 0)
		len += n;
	c->reply[len] = '\0';
	pb_no_kernel_address("reply", c->reply, len);
	return n < 0 ? -errno : 0;
}

/* Run one command; 0 or -errno of the write.  The reply is read either way. */
static inline __printf(2, 3) int pb_cmd(struct pb_ctl *c, const char *fmt, ...)
{
	char line[PB_CMD_MAX];
	va_list ap;
	ssize_t n;
	int ret = 0, len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* The module would refuse it too: PB_CMD_MAX counts the NUL. */
	if (len < 0 || len >= (int)sizeof(line))
		return -E2BIG;
	n = write(c->fd, line, len);
	if (n < 0)
		ret = -errno;
	else if (n != len)
		ret = -EIO;
	pb_read_reply(c);
	return ret;
}

/*
 * Write @s to the file at @path in one write(): 0 or -errno (-EIO if short).
 * Only open, write and close: bench_real calls it from a signal handler.
 */
static inline int pb_write_str(const char *path, const char *s)
{
	ssize_t len = strlen(s), n;
	int fd = open(path, O_WRONLY);
	int ret = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		ret = -errno;
	else if (n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

/* Read a whole file of at most @size - 1 bytes; its length or -errno. */
static inline int pb_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return n < 0 ? -errno : (int)len;
}

/*
 * The value of "name value" line @name in @text, or -1 with errno set.  For
 * the fields of one command's reply; counters go through pb_parse_lines().
 */
static inline long long pb_lookup(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, name, len) && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 0);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	errno = ENOENT;
	return -1;
}

/* The value of line @name in the reply to the last command. */
static inline long long pb_reply_val(struct pb_ctl *c, const char *name)
{
	return pb_lookup(c->reply, name);
}

/* --- Parsing whole replies against the header's lists ------------------------ */

/*
 * Parse the line at *@pos, "<prefix><name> <value><tail>", as the module
 * prints it (%llu, then @tail).  Returns 0 with the value in *@val and *@pos
 * past the line, or -EPROTO with *@pos unchanged.
 */
static inline int pb_parse_line(const char **pos, const char *prefix,
				const char *name, const char *tail,
				unsigned long long *val)
{
	size_t plen = strlen(prefix), len = strlen(name);
	const char *p = *pos;
	char *end;

	if (strncmp(p, prefix, plen) || strncmp(p + plen, name, len) ||
	    p[plen + len] != ' ' || !isdigit((unsigned char)p[plen + len + 1]))
		return -EPROTO;
	errno = 0;
	*val = strtoull(p + plen + len + 1, &end, 10);
	if (errno || strncmp(end, tail, strlen(tail)))
		return -EPROTO;
	*pos = end + strlen(tail);
	return 0;
}

/*
 * Parse the next @nr lines at *@pos, "<prefix><names[i]> <value>", in the
 * order of @names, which is the order the module prints them in.  The values
 * go to @out unless it is NULL.  Returns 0 with *@pos past the lines, or
 * -EPROTO with *@pos at the first line that differs.
 */
static inline int pb_parse_lines(const char **pos, const char *prefix,
				 const char *const *names, unsigned int nr,
				 unsigned long long *out)
{
	unsigned long long val;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (pb_parse_line(pos, prefix, names[i], "\n", &val))
			return -EPROTO;
		if (out)
			out[i] = val;
	}
	return 0;
}

/*
 * Every counter of mm @mm, from mm_stats.  Fails with -EPROTO if a counter of
 * the header is missing, out of order or repeated, or if the reply holds a
 * line the header does not know (the mm's state, PB_MM_STATE, follows the
 * counters).  The reply stays in c->reply for the state lines.
 */
static inline int pb_mm_stats(struct pb_ctl *c, int mm,
			      unsigned long long out[PB_NR_MM_COUNTERS])
{
	const char *p;
	int ret = pb_cmd(c, "mm_stats mm=%d", mm);

	if (ret)
		return ret;
	p = c->reply;
	if (pb_parse_lines(&p, "", pb_mm_counter_names, PB_NR_MM_COUNTERS, out) ||
	    pb_parse_lines(&p, "", pb_mm_state_names, PB_NR_MM_STATE, NULL) ||
	    *p)
		return -EPROTO;
	return 0;
}

/* One counter of mm @mm, or -1 if mm_stats failed or did not parse. */
static inline long long pb_mm_counter(struct pb_ctl *c, int mm,
				      enum pb_mm_counter id)
{
	unsigned long long v[PB_NR_MM_COUNTERS];

	return pb_mm_stats(c, mm, v) ? -1 : (long long)v[id];
}

/*
 * Every knob of mm @mm, from knobs: each knob of the header once, in its
 * order, with its help, and nothing else.  -EPROTO otherwise.
 */
static inline int pb_knobs(struct pb_ctl *c, int mm,
			   unsigned long long out[PB_NR_KNOBS])
{
	int ret = pb_cmd(c, "knobs mm=%d", mm);
	const char *p = c->reply;
	unsigned int k;

	if (ret)
		return ret;
	for (k = 0; k < PB_NR_KNOBS; k++)
		if (pb_parse_line(&p, "", pb_knobs_info[k].name,
				  pb_knobs_info[k].tail, &out[k]))
			return -EPROTO;
	return *p ? -EPROTO : 0;
}

/*
 * One knob of mm @mm, or -1 on failure.  The seed knob goes up to 2^64 - 2,
 * past what a long long holds: read it with pb_knobs().
 */
static inline long long pb_knob(struct pb_ctl *c, int mm, enum pb_knob id)
{
	unsigned long long v[PB_NR_KNOBS];

	return pb_knobs(c, mm, v) ? -1 : (long long)v[id];
}

/* Set knob @id of mm @mm; 0 or -errno, as pb_cmd(). */
static inline int pb_set_knob(struct pb_ctl *c, int mm, enum pb_knob id,
			      unsigned long long val)
{
	return pb_cmd(c, "set mm=%d %s=%llu", mm, pb_knobs_info[id].name, val);
}

/* Reports of violation kind @v ("violation <kind> ..." lines) in the reply. */
static inline int pb_reply_violations(struct pb_ctl *c, enum pb_violation v)
{
	size_t len = strlen(pb_violation_names[v]);
	const char *p = c->reply;
	int n = 0;

	while (*p) {
		if (!strncmp(p, "violation ", 10) &&
		    !strncmp(p + 10, pb_violation_names[v], len) && p[10 + len] == ' ')
			n++;
		p = strchrnul(p, '\n');
		if (*p)
			p++;
	}
	return n;
}

/* The global counters from the stats command: as the stats file's first lines. */
static inline int pb_ctl_stats(struct pb_ctl *c,
			       unsigned long long out[PB_NR_COUNTERS])
{
	const char *p;
	int ret = pb_cmd(c, "stats");

	if (ret)
		return ret;
	p = c->reply;
	if (pb_parse_lines(&p, "", pb_counter_names, PB_NR_COUNTERS, out) || *p)
		return -EPROTO;
	return 0;
}

/* --- The stats file ---------------------------------------------------------- */

/*
 * The stats file, or NULL.  The module renders it whole at open into at most
 * PB_STATS_MAX bytes: one more holds the NUL.  The buffer is static, so the
 * text lasts until the next call.
 */
static inline char *pb_stats_text(void)
{
	static char buf[PB_STATS_MAX + 1];
	int len = pb_read_file(PB_DEBUGFS_DIR "/stats", buf, sizeof(buf));

	if (len < 0)
		return NULL;
	pb_no_kernel_address("stats file", buf, len);
	return buf;
}

/*
 * Parse the stats file: the global counters, then the per-mm counters summed
 * over every mm there has been (total.<counter>), both in the header's order.
 * Either array may be NULL.  *@rest, unless NULL, gets what follows: the
 * lines of the live mms (mm.<session>.<mm>.<counter>).  0 or -EPROTO.
 */
static inline int pb_stats(unsigned long long cnt[PB_NR_COUNTERS],
			   unsigned long long total[PB_NR_MM_COUNTERS],
			   const char **rest)
{
	const char *p = pb_stats_text();

	if (!p ||
	    pb_parse_lines(&p, "", pb_counter_names, PB_NR_COUNTERS, cnt) ||
	    pb_parse_lines(&p, "total.", pb_mm_counter_names, PB_NR_MM_COUNTERS,
			   total))
		return -EPROTO;
	if (rest)
		*rest = p;
	return 0;
}

/* A global counter from the stats file, or -1 if it did not parse. */
static inline long long pb_stat(enum pb_counter id)
{
	unsigned long long cnt[PB_NR_COUNTERS];

	return pb_stats(cnt, NULL, NULL) ? -1 : (long long)cnt[id];
}

/* A per-mm counter summed over every mm there has been, or -1. */
static inline long long pb_stat_total(enum pb_mm_counter id)
{
	unsigned long long total[PB_NR_MM_COUNTERS];

	return pb_stats(NULL, total, NULL) ? -1 : (long long)total[id];
}

/* Counter @id of mm @mm of session @sid in the stats file, or -1 if absent. */
static inline long long pb_stat_mm(long long sid, int mm, enum pb_mm_counter id)
{
	const char *rest;
	char name[96];

	if (pb_stats(NULL, NULL, &rest))
		return -1;
	snprintf(name, sizeof(name), "mm.%lld.%d.%s", sid, mm,
		 pb_mm_counter_names[id]);
	return pb_lookup(rest, name);
}

#endif /* _PB_UTIL_H */
