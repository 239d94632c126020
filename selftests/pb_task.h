/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests that read real processes (task_test,
 * maps_test, import_test): one line of dump or task_dump parsed, its flags
 * read as pte_write(), pte_dirty() and pte_young() read them, and the THP
 * knobs of sysfs set for a test and restored after it.
 */
#ifndef _PB_TASK_H
#define _PB_TASK_H

#include "pb_util.h"

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

#endif /* _PB_TASK_H */
