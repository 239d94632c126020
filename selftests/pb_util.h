/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ptebatch selftests and the pbctl tool: talk to
 * /sys/kernel/debug/ptebatch/ctl and read the stats file.
 */
#ifndef _PB_UTIL_H
#define _PB_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* For __printf() and ARRAY_SIZE(). */
#include "kselftest.h"

#define PB_DIR		"/sys/kernel/debug/ptebatch"
#define PB_REPLY_MAX	(64 * 1024)

/* One ctl session: an open file and the reply to its last command. */
struct pb_ctl {
	int fd;
	char reply[PB_REPLY_MAX + 1];
};

static inline int pb_open(struct pb_ctl *c)
{
	c->fd = open(PB_DIR "/ctl", O_RDWR);
	c->reply[0] = '\0';
	return c->fd < 0 ? -errno : 0;
}

static inline void pb_close(struct pb_ctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Read the reply to the last command into c->reply. */
static inline int pb_read_reply(struct pb_ctl *c)
{
	ssize_t n, len = 0;

	if (lseek(c->fd, 0, SEEK_SET) < 0)
		return -errno;
	while ((n = read(c->fd, c->reply + len, PB_REPLY_MAX - len)) > 0)
		len += n;
	c->reply[len] = '\0';
	return n < 0 ? -errno : 0;
}

/* Run one command; 0 or -errno of the write.  The reply is read either way. */
static inline __printf(2, 3) int pb_cmd(struct pb_ctl *c, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	ssize_t n;
	int ret = 0, len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
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

/* Read a whole small file; returns its length or -errno. */
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

/* The value of "name value" line @name in @text, or -1 with errno set. */
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

/* A global counter from the stats file, or -1. */
static inline long long pb_stat(const char *name)
{
	static char buf[PB_REPLY_MAX];

	if (pb_read_file(PB_DIR "/stats", buf, sizeof(buf)) < 0)
		return -1;
	return pb_lookup(buf, name);
}

#endif /* _PB_UTIL_H */
