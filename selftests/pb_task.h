/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests that read real processes (task_test,
 * maps_test, import_test): one line of dump or task_dump parsed, its flags
 * read as pte_write(), pte_dirty() and pte_young() read them, the THP
 * knobs of sysfs set for a test and restored after it, and bad input's
 * check that it leaves nothing behind.
 */
#ifndef _PB_TASK_H
#define _PB_TASK_H

#include <sys/wait.h>

#include "pb_test.h"

#define PB_THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define PB_KNOBS_MAX		16

/* One line of dump or task_dump. */
struct pb_dline {
	unsigned long long va, desc, pfn, head;
	unsigned int order, idx;
	int cont, pmd, none, folio;
	char flags[128];
};

static inline int pb_dline_parse(const char *line, struct pb_dline *t)
{
	const char *end = strchrnul(line, '\n'), *p;

	memset(t, 0, sizeof(*t));
	if (sscanf(line, "0x%llx 0x%llx %127s", &t->va, &t->desc, t->flags) != 3)
		return -1;
	if (!strcmp(t->flags, "none")) {
		t->none = 1;
		return 0;
	}
	p = strstr(line, " pfn=");
	if (!p || p > end || sscanf(p, " pfn=0x%llx", &t->pfn) != 1)
		return -1;
	p = strstr(line, " folio=");
	if (!p || p > end)
		return -1;
	if (strncmp(p, " folio=none", 11)) {
		if (sscanf(p, " folio=0x%llx order=%u idx=%u", &t->head, &t->order,
			   &t->idx) != 3)
			return -1;
		t->folio = 1;
	}
	p = strstr(line, " cont=");
	if (!p || p > end || sscanf(p, " cont=%d", &t->cont) != 1)
		return -1;
	p = strstr(line, " pmd=1");
	t->pmd = p && p < end;
	return 0;
}

/* @flag among the line's comma-separated flags. */
static inline int pb_dline_flag(const struct pb_dline *t, const char *flag)
{
	size_t len = strlen(flag);
	const char *p = t->flags;

	while (p && *p) {
		if (!strncmp(p, flag, len) && (p[len] == ',' || !p[len]))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

/* pte_write(): DBM is the write bit on arm64; x86 shows RO when !RW. */
static inline int pb_dline_writable(const struct pb_dline *t)
{
#ifdef __aarch64__
	return pb_dline_flag(t, "DBM");
#else
	return !t->none && !pb_dline_flag(t, "RO");
#endif
}

/* pte_dirty(): the software bit, or (arm64) writable and not read-only. */
static inline int pb_dline_dirty(const struct pb_dline *t)
{
	return pb_dline_flag(t, "D") ||
	       (pb_dline_flag(t, "DBM") && !pb_dline_flag(t, "RO"));
}

static inline int pb_dline_young(const struct pb_dline *t)
{
	return pb_dline_flag(t, "AF");
}

/* Read @path into @buf (the active value "[x]" of a THP knob if @bracket). */
static inline int pb_knob_read(const char *path, char *buf, size_t size, int bracket)
{
	char text[256], *val = text, *e;
	int len = pb_read_file(path, text, sizeof(text));

	if (len < 0)
		return len;
	if (bracket) {
		val = strchr(text, '[');
		e = val ? strchr(val, ']') : NULL;
		if (!e)
			return -EINVAL;
		*e = '\0';
		val++;
	} else {
		text[strcspn(text, "\n")] = '\0';
	}
	/* A value cut short would be restored wrong. */
	if (strlen(val) >= size)
		return -E2BIG;
	memcpy(buf, val, strlen(val) + 1);
	return 0;
}

static inline int pb_knob_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

/* THP knobs a test changed, with their values before, for the teardown. */
struct pb_knobs {
	char path[PB_KNOBS_MAX][128], saved[PB_KNOBS_MAX][32];
	int nr;
};

/*
 * Set the THP knob @path ("[x]" style) to @val, its value saved first; -1
 * if the kernel lacks it (or the list is full).  Setting one twice saves the
 * first value twice, and the restore, last first, ends with it.
 */
static inline int pb_knobs_set_as(struct pb_knobs *k, const char *path, const char *val,
				  int bracket)
{
	int i = k->nr;

	if (i == PB_KNOBS_MAX || pb_knob_read(path, k->saved[i], sizeof(k->saved[i]), bracket))
		return -1;
	snprintf(k->path[i], sizeof(k->path[i]), "%s", path);
	k->nr++;
	return pb_knob_write(path, val);
}

static inline int pb_knobs_set(struct pb_knobs *k, const char *path, const char *val)
{
	return pb_knobs_set_as(k, path, val, 1);
}

/*
 * khugepaged scanning without a pause, for the teardown to restore.  A test
 * that splits a PMD-mapped THP under MADV_HUGEPAGE would see khugepaged
 * collapse it back (collapse_huge_page(), on a slow guest within a second);
 * such a test runs with this on, so it fails at once unless its region is
 * MADV_NOHUGEPAGE once the THP exists.  -1 without khugepaged's knobs.
 */
static inline int pb_khugepaged_busy(struct pb_knobs *k)
{
	if (pb_knobs_set_as(k, PB_THP_DIR "/khugepaged/scan_sleep_millisecs", "0", 0) ||
	    pb_knobs_set_as(k, PB_THP_DIR "/khugepaged/alloc_sleep_millisecs", "0", 0) ||
	    pb_knobs_set_as(k, PB_THP_DIR "/khugepaged/pages_to_scan", "65536", 0))
		return -1;
	return 0;
}

/* Every knob back as it was, in reverse order. */
static inline void pb_knobs_restore(struct pb_knobs *k)
{
	while (k->nr > 0) {
		k->nr--;
		pb_knob_write(k->path[k->nr], k->saved[k->nr]);
	}
}

/*
 * @nr lines of a dump or task_dump reply @reply into @out: 0, or -1 at the
 * first that does not parse.
 */
static inline int pb_dlines_parse(const char *reply, struct pb_dline *out, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		if (!reply || pb_dline_parse(reply, &out[i]))
			return -1;
		reply = strchr(reply, '\n');
		if (reply)
			reply++;
	}
	return 0;
}

/*
 * Bad input: the command fails with @err and one line, "error: ...", that
 * names @reason, and leaves nothing behind: no live byte, no mm, and one
 * more command error.
 */
static inline __printf(5, 6) void
pb_expect_error(struct __test_metadata *_metadata, struct pb_ctl *c, int err,
		const char *reason, const char *fmt, ...)
{
	unsigned long long before[PB_NR_COUNTERS], after[PB_NR_COUNTERS];
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ASSERT_EQ(0, pb_ctl_stats(c, before));
	EXPECT_EQ(err, pb_cmd(c, "%s", line)) TH_LOG("%s: %s", line, c->reply);
	EXPECT_NE(NULL, strstr(c->reply, reason)) TH_LOG("%s: %s", line, c->reply);
	EXPECT_EQ(0, strncmp(c->reply, "error: ", 7));
	EXPECT_EQ(strchr(c->reply, '\n'), c->reply + strlen(c->reply) - 1);
	ASSERT_EQ(0, pb_ctl_stats(c, after));
	EXPECT_EQ(before[PB_CNT_live_bytes], after[PB_CNT_live_bytes]);
	EXPECT_EQ(before[PB_CNT_live_mms], after[PB_CNT_live_mms]);
	EXPECT_EQ(before[PB_CNT_command_errors] + 1, after[PB_CNT_command_errors]);
}

/* A pid that was, and is no more: a child that exited, reaped.  -1 if not. */
static inline pid_t pb_gone_pid(void)
{
	int status;
	pid_t pid = fork();

	if (!pid)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return pid;
}

#endif /* _PB_TASK_H */
