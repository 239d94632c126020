// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch selftests: the debugfs interface itself.  Files and modes, the ctl
 * session life cycle, bad commands, the stats file and allocation fault
 * injection.
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "pb_util.h"
#include "pb_skip.h"
#include "pb_keys.h"

static void write_file(const char *path, const char *val, int *err)
{
	int fd = open(path, O_WRONLY);

	*err = 0;
	if (fd < 0) {
		*err = errno;
		return;
	}
	if (write(fd, val, strlen(val)) < 0)
		*err = errno;
	close(fd);
}

TEST(files_and_modes)
{
	static const struct {
		const char *name;
		mode_t mode;
	} files[] = {
		{ "version", 0400 }, { "stats", 0400 },
		{ "ctl", 0600 }, { "fail_nth", 0600 }, { "budget_bytes", 0600 },
	};
	struct stat st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		char path[256];

		snprintf(path, sizeof(path), PB_DEBUGFS_DIR "/%s", files[i].name);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s missing", path);
		EXPECT_TRUE(S_ISREG(st.st_mode));
		EXPECT_EQ(files[i].mode, st.st_mode & 07777)
			TH_LOG("%s has mode %o", path, st.st_mode & 07777);
		EXPECT_EQ(0, st.st_uid);
	}
}

TEST(version_matches_ctl)
{
	struct pb_ctl c;
	char ver[64], want[96];

	ASSERT_LT(0, pb_read_file(PB_DEBUGFS_DIR "/version", ver, sizeof(ver)));
	ASSERT_EQ('\n', ver[strlen(ver) - 1]);
	ASSERT_EQ(0, pb_open(&c));
	ASSERT_EQ(0, pb_cmd(&c, "version"));
	snprintf(want, sizeof(want), "ptebatch %s", ver);
	EXPECT_STREQ(want, c.reply);
	pb_close(&c);
	/* What the selftests were built against. */
	snprintf(want, sizeof(want), "%s\n", PTEBATCH_VERSION);
	EXPECT_STREQ(want, ver);
}

/* modinfo's version (MODULE_VERSION), as the loaded module shows it. */
TEST(version_matches_modinfo)
{
	char ver[64], mod[64];

	ASSERT_LT(0, pb_read_file(PB_DEBUGFS_DIR "/version", ver, sizeof(ver)));
	ASSERT_LT(0, pb_read_file("/sys/module/ptebatch/version", mod, sizeof(mod)));
	EXPECT_STREQ(ver, mod);
}

TEST(version_is_read_only)
{
	int err;

	write_file(PB_DEBUGFS_DIR "/version", "1", &err);
	EXPECT_NE(0, err);
}

/* Lines that start with @name followed by @sep in @text. */
static int count_lines(const char *text, const char *name, const char *sep)
{
	size_t len = strlen(name), slen = strlen(sep);
	const char *p = text;
	int n = 0;

	while (*p) {
		if (!strncmp(p, name, len) && !strncmp(p + len, sep, slen))
			n++;
		p = strchrnul(p, '\n');
		if (*p)
			p++;
	}
	return n;
}

/* Lines of @text: each one ends in a newline. */
static int count_all_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/*
 * help prints "<command> <keys>" (optional ones in brackets), its help
 * indented on the next line, then a "    key" line per key: each command of
 * the header once, and no other.
 */
TEST(help_lists_every_command)
{
	struct pb_ctl c;
	unsigned int i;
	int lines, help_lines, key_lines;

	ASSERT_EQ(0, pb_open(&c));
	ASSERT_EQ(0, pb_cmd(&c, "help\n"));
	/* Braces: EXPECT_*() TH_LOG() is two statements. */
	for (i = 0; i < PB_NR_COMMANDS; i++) {
		EXPECT_EQ(1, count_lines(c.reply, pb_command_names[i], " ") +
			     count_lines(c.reply, pb_command_names[i], "\n"))
			TH_LOG("help lists '%s' other than once", pb_command_names[i]);
	}
	lines = count_all_lines(c.reply);
	help_lines = count_lines(c.reply, "", "    ");
	key_lines = count_lines(c.reply, "", "    key ");
	EXPECT_EQ(PB_NR_COMMANDS, lines - help_lines) TH_LOG("%s", c.reply);
	EXPECT_EQ(PB_NR_KEYS, key_lines);
	EXPECT_EQ(PB_NR_COMMANDS + PB_NR_KEYS, help_lines);
	pb_close(&c);
}

static int keys_run(void *ctx, const char *line)
{
	return pb_cmd(ctx, "%s", line);
}

static const char *keys_reply(void *ctx)
{
	return ((struct pb_ctl *)ctx)->reply;
}

/*
 * Every key of every command, from help: a required key left out, each
 * bound of a range and the number past it (pb_keys.h).  A session of its
 * own, closed after: a bound taken may act (session budget_bytes=1).
 */
TEST(keys_of_help)
{
	struct pb_keys_ops ops = { keys_run, keys_reply };
	struct pb_ctl c;

	ASSERT_EQ(0, pb_open(&c));
	ops.ctx = &c;
	pb_keys_check(_metadata, &ops);
	pb_close(&c);
}

/* The reply stays readable, from the start, until the next command. */
TEST(reply_rereadable)
{
	struct pb_ctl c;
	char first[PB_REPLY_MAX + 1];

	ASSERT_EQ(0, pb_open(&c));
	ASSERT_EQ(0, pb_cmd(&c, "session"));
	snprintf(first, sizeof(first), "%s", c.reply);
	ASSERT_EQ(0, pb_read_reply(&c));
	EXPECT_STREQ(first, c.reply);
	pb_close(&c);
}

/*
 * A plain read() after a write returns the new reply from its start, after a
 * failed write too (the position of a partly read earlier reply is reset),
 * and after a pwrite().
 */
TEST(read_after_a_failed_write_starts_at_its_error)
{
	static const char want[] = "error: unknown command 'frobnicate'";
	struct pb_ctl c;
	char buf[256];
	ssize_t n;

	ASSERT_EQ(0, pb_open(&c));
	ASSERT_EQ(7, write(c.fd, "version", 7));
	ASSERT_EQ(4, read(c.fd, buf, 4));
	ASSERT_EQ(-1, write(c.fd, "frobnicate", 10));
	ASSERT_EQ(EINVAL, errno);
	n = read(c.fd, buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_EQ(0, strncmp(buf, want, strlen(want))) TH_LOG("read '%s'", buf);

	ASSERT_EQ(7, write(c.fd, "version", 7));
	ASSERT_EQ(4, read(c.fd, buf, 4));
	ASSERT_EQ(-1, pwrite(c.fd, "frobnicate", 10, 0));
	n = read(c.fd, buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_EQ(0, strncmp(buf, want, strlen(want))) TH_LOG("read '%s'", buf);
	pb_close(&c);
}

FIXTURE(bad_command)
{
	struct pb_ctl c;
};

FIXTURE_VARIANT(bad_command)
{
	const char *line;
	const char *reason;
};

FIXTURE_VARIANT_ADD(bad_command, unknown)
{
	.line = "frobnicate", .reason = "unknown command 'frobnicate'",
};

FIXTURE_VARIANT_ADD(bad_command, empty)
{
	.line = "\n", .reason = "empty command",
};

FIXTURE_VARIANT_ADD(bad_command, blank)
{
	.line = "   ", .reason = "empty command",
};

FIXTURE_VARIANT_ADD(bad_command, not_key_value)
{
	.line = "help verbose", .reason = "'verbose' is not key=value",
};

FIXTURE_VARIANT_ADD(bad_command, empty_value)
{
	.line = "help x=", .reason = "'x=' is not key=value",
};

FIXTURE_VARIANT_ADD(bad_command, unknown_key)
{
	.line = "version foo=1", .reason = "unknown argument 'foo'",
};

FIXTURE_VARIANT_ADD(bad_command, two_lines)
{
	.line = "help\nhelp\n", .reason = "one command per write",
};

FIXTURE_VARIANT_ADD(bad_command, control_char)
{
	.line = "help\x01", .reason = "printable characters only",
};

/* Latin-1's 0xa0-0xff, which the kernel's isprint() takes: not ASCII. */
FIXTURE_VARIANT_ADD(bad_command, latin1)
{
	.line = "v\xe9rsion", .reason = "printable characters only",
};

FIXTURE_VARIANT_ADD(bad_command, nbsp)
{
	.line = "help\xa0", .reason = "printable characters only",
};

FIXTURE_SETUP(bad_command)
{
	ASSERT_EQ(0, pb_open(&self->c));
}

FIXTURE_TEARDOWN(bad_command)
{
	pb_close(&self->c);
}

TEST_F(bad_command, einval_with_reason_and_no_change)
{
	long long cmds_before, errs_before, bytes_before, session_cmds;

	ASSERT_EQ(0, pb_cmd(&self->c, "session"));
	session_cmds = pb_lookup(self->c.reply, "commands");
	cmds_before = pb_stat(PB_CNT_commands);
	errs_before = pb_stat(PB_CNT_command_errors);
	bytes_before = pb_stat(PB_CNT_live_bytes);
	ASSERT_LE(0, cmds_before);
	ASSERT_LE(0, errs_before);
	ASSERT_LE(0, bytes_before);

	ASSERT_EQ(-EINVAL, pb_cmd(&self->c, "%s", variant->line));
	EXPECT_EQ(0, strncmp(self->c.reply, "error: ", 7)) TH_LOG("%s", self->c.reply);
	EXPECT_NE(NULL, strstr(self->c.reply, variant->reason))
		TH_LOG("reply: %s", self->c.reply);
	/* One line. */
	EXPECT_EQ(strchr(self->c.reply, '\n'), self->c.reply + strlen(self->c.reply) - 1);

	EXPECT_EQ(cmds_before, pb_stat(PB_CNT_commands));
	EXPECT_EQ(errs_before + 1, pb_stat(PB_CNT_command_errors));
	EXPECT_EQ(bytes_before, pb_stat(PB_CNT_live_bytes));
	/* The session counted the first 'session' only, not the bad command. */
	ASSERT_EQ(0, pb_cmd(&self->c, "session"));
	EXPECT_EQ(session_cmds + 1, pb_lookup(self->c.reply, "commands"));
}

TEST(too_long_command)
{
	struct pb_ctl c;
	char *line = malloc(2 * PB_CMD_MAX);
	ssize_t n;

	ASSERT_NE(NULL, line);
	memset(line, 'a', 2 * PB_CMD_MAX - 1);
	line[2 * PB_CMD_MAX - 1] = '\0';
	ASSERT_EQ(0, pb_open(&c));
	n = write(c.fd, line, strlen(line));
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, pb_read_reply(&c));
	EXPECT_NE(NULL, strstr(c.reply, "command longer than"));
	pb_close(&c);
	free(line);
}

/* Write @len bytes of @line as one command; 0 or -errno, and read the reply. */
static int write_cmd(struct pb_ctl *c, const char *line, size_t len)
{
	ssize_t n = write(c->fd, line, len);
	int ret = n < 0 ? -errno : 0;

	pb_read_reply(c);
	return ret;
}

/*
 * A command is at most PB_CMD_MAX - 1 bytes, and a trailing newline more:
 * "help" padded with spaces, which separate no argument, fills it exactly.
 */
TEST(longest_command)
{
	char *line = malloc(PB_CMD_MAX + 1), want[64];
	struct pb_ctl c;

	ASSERT_NE(NULL, line);
	memset(line, ' ', PB_CMD_MAX + 1);
	memcpy(line, "help", 4);
	snprintf(want, sizeof(want), "command longer than %d bytes", PB_CMD_MAX - 1);
	ASSERT_EQ(0, pb_open(&c));

	EXPECT_EQ(0, write_cmd(&c, line, PB_CMD_MAX - 1)) TH_LOG("%.80s", c.reply);
	line[PB_CMD_MAX - 1] = '\n';
	EXPECT_EQ(0, write_cmd(&c, line, PB_CMD_MAX)) TH_LOG("%.80s", c.reply);
	line[PB_CMD_MAX - 1] = ' ';
	EXPECT_EQ(-EINVAL, write_cmd(&c, line, PB_CMD_MAX));
	EXPECT_NE(NULL, strstr(c.reply, want)) TH_LOG("%s", c.reply);
	line[PB_CMD_MAX] = '\n';
	EXPECT_EQ(-EINVAL, write_cmd(&c, line, PB_CMD_MAX + 1));
	EXPECT_NE(NULL, strstr(c.reply, want)) TH_LOG("%s", c.reply);
	pb_close(&c);
	free(line);
}

/* "k<i>=0" arguments after "set mm=0": set takes any key, no mm 0 is there. */
static int set_with_args(struct pb_ctl *c, unsigned int nr)
{
	char line[PB_CMD_MAX] = "set";
	size_t len = strlen(line);
	unsigned int i;

	for (i = 0; i < nr; i++)
		len += snprintf(line + len, sizeof(line) - len,
				i ? " k%u=0" : " mm=0", i);
	return pb_cmd(c, "%s", line);
}

TEST(at_most_max_args_arguments)
{
	struct pb_ctl c;

	ASSERT_EQ(0, pb_open(&c));
	/* PB_MAX_ARGS parse, and the command itself finds no mm. */
	EXPECT_EQ(-EINVAL, set_with_args(&c, PB_MAX_ARGS));
	EXPECT_NE(NULL, strstr(c.reply, "no mm 0")) TH_LOG("%s", c.reply);
	EXPECT_EQ(-EINVAL, set_with_args(&c, PB_MAX_ARGS + 1));
	EXPECT_NE(NULL, strstr(c.reply, "too many arguments")) TH_LOG("%s", c.reply);
	pb_close(&c);
}

TEST(session_holds_session_mms_mms)
{
	struct pb_ctl c;
	int i;

	ASSERT_EQ(0, pb_open(&c));
	for (i = 0; i < PB_SESSION_MMS; i++) {
		ASSERT_EQ(0, pb_cmd(&c, "mm_create")) TH_LOG("%s", c.reply);
		EXPECT_EQ(i, pb_lookup(c.reply, "mm"));
	}
	EXPECT_EQ(PB_SESSION_MMS, pb_stat(PB_CNT_live_mms));
	EXPECT_EQ(-EINVAL, pb_cmd(&c, "mm_create"));
	EXPECT_NE(NULL, strstr(c.reply, "has " PB_STR(PB_SESSION_MMS) " mms already"))
		TH_LOG("%s", c.reply);
	/* A freed id is taken again. */
	ASSERT_EQ(0, pb_cmd(&c, "mm_destroy mm=%d", PB_SESSION_MMS / 2));
	ASSERT_EQ(0, pb_cmd(&c, "mm_create"));
	EXPECT_EQ(PB_SESSION_MMS / 2, pb_lookup(c.reply, "mm"));
	pb_close(&c);
	EXPECT_EQ(0, pb_stat(PB_CNT_live_mms));
}

TEST(session_torn_down_on_close)
{
	long long sessions = pb_stat(PB_CNT_live_sessions);
	long long bytes = pb_stat(PB_CNT_live_bytes);
	long long opened = pb_stat(PB_CNT_sessions_opened);
	struct pb_ctl c;

	ASSERT_LE(0, sessions);
	ASSERT_LE(0, bytes);
	ASSERT_LE(0, opened);
	ASSERT_EQ(0, pb_open(&c));
	EXPECT_EQ(sessions + 1, pb_stat(PB_CNT_live_sessions));
	EXPECT_LT(bytes, pb_stat(PB_CNT_live_bytes));
	EXPECT_EQ(opened + 1, pb_stat(PB_CNT_sessions_opened));
	pb_close(&c);
	EXPECT_EQ(sessions, pb_stat(PB_CNT_live_sessions));
	EXPECT_EQ(bytes, pb_stat(PB_CNT_live_bytes));
}

/* The header puts the live-object counters first, named live_*. */
TEST(live_counters_zero_when_idle)
{
	unsigned long long cnt[PB_NR_COUNTERS];
	unsigned int i, nr_live = 0;

	ASSERT_EQ(0, pb_stats(cnt, NULL, NULL));
	for (i = 0; i < PB_NR_COUNTERS; i++) {
		if (strncmp(pb_counter_names[i], "live_", 5))
			continue;
		EXPECT_EQ(0, cnt[i]) TH_LOG("%s", pb_counter_names[i]);
		nr_live++;
	}
	EXPECT_LT(0, nr_live);
}

/*
 * With no mm live, the stats file is each global counter of the header once,
 * "<name> <value>", then each per-mm counter once, "total.<name> <value>",
 * and nothing else.
 */
TEST(stats_format)
{
	const char *text;
	unsigned int i;

	ASSERT_EQ(0, pb_stat(PB_CNT_live_mms));
	text = pb_stats_text();
	ASSERT_NE(NULL, text);
	for (i = 0; i < PB_NR_COUNTERS; i++) {
		EXPECT_EQ(1, count_lines(text, pb_counter_names[i], " "))
			TH_LOG("%s", pb_counter_names[i]);
	}
	for (i = 0; i < PB_NR_MM_COUNTERS; i++) {
		char name[96];

		snprintf(name, sizeof(name), "total.%s", pb_mm_counter_names[i]);
		EXPECT_EQ(1, count_lines(text, name, " ")) TH_LOG("%s", name);
	}
	EXPECT_EQ(PB_NR_COUNTERS + PB_NR_MM_COUNTERS, count_all_lines(text))
		TH_LOG("%s", text);
	/* In the header's order, with a number on each line. */
	ASSERT_EQ(0, pb_stats(NULL, NULL, &text));
	EXPECT_STREQ("", text);
}

/* A live mm adds "mm.<session>.<mm>.<name> <value>" for each per-mm counter. */
TEST(stats_format_with_live_mms)
{
	unsigned long long v[PB_NR_MM_COUNTERS], in_file[PB_NR_MM_COUNTERS];
	const char *rest;
	char prefix[64];
	struct pb_ctl c;
	long long sid;
	int mm;

	ASSERT_EQ(0, pb_open(&c));
	ASSERT_EQ(0, pb_cmd(&c, "mm_create"));
	ASSERT_EQ(0, pb_cmd(&c, "mm_create"));
	ASSERT_EQ(0, pb_cmd(&c, "session"));
	sid = pb_lookup(c.reply, "id");
	ASSERT_LE(0, sid);
	ASSERT_EQ(0, pb_stats(NULL, NULL, &rest));
	for (mm = 0; mm < 2; mm++) {
		snprintf(prefix, sizeof(prefix), "mm.%lld.%d.", sid, mm);
		ASSERT_EQ(0, pb_parse_lines(&rest, prefix, pb_mm_counter_names,
					    PB_NR_MM_COUNTERS, in_file))
			TH_LOG("no %s* lines in order at '%.80s'", prefix, rest);
		ASSERT_EQ(0, pb_mm_stats(&c, mm, v)) TH_LOG("%s", c.reply);
		EXPECT_EQ(0, memcmp(v, in_file, sizeof(v)));
	}
	EXPECT_STREQ("", rest);
	pb_close(&c);
}

/* The stats command prints the global counters, as the file's first lines. */
TEST(stats_command_matches_file)
{
	unsigned long long cmd[PB_NR_COUNTERS], file[PB_NR_COUNTERS];
	struct pb_ctl c;

	ASSERT_EQ(0, pb_open(&c));
	ASSERT_EQ(0, pb_ctl_stats(&c, cmd)) TH_LOG("%s", c.reply);
	ASSERT_EQ(0, pb_stats(file, NULL, NULL));
	/* The open session is live in both views. */
	EXPECT_EQ(1, cmd[PB_CNT_live_sessions]);
	EXPECT_EQ(file[PB_CNT_live_sessions], cmd[PB_CNT_live_sessions]);
	EXPECT_EQ(file[PB_CNT_sessions_opened], cmd[PB_CNT_sessions_opened]);
	EXPECT_EQ(file[PB_CNT_live_mms], cmd[PB_CNT_live_mms]);
	pb_close(&c);
}

TEST(two_sessions_are_independent)
{
	struct pb_ctl a, b;
	long long id_a, id_b;

	ASSERT_EQ(0, pb_open(&a));
	ASSERT_EQ(0, pb_open(&b));
	ASSERT_EQ(0, pb_cmd(&a, "session"));
	ASSERT_EQ(0, pb_cmd(&b, "session"));
	ASSERT_EQ(0, pb_cmd(&b, "session"));
	id_a = pb_lookup(a.reply, "id");
	id_b = pb_lookup(b.reply, "id");
	EXPECT_NE(id_a, id_b);
	EXPECT_EQ(0, pb_lookup(a.reply, "commands"));
	EXPECT_EQ(1, pb_lookup(b.reply, "commands"));

	/* B's failure is B's alone: A's reply is untouched. */
	ASSERT_EQ(-EINVAL, pb_cmd(&b, "nonsense"));
	ASSERT_EQ(0, pb_read_reply(&a));
	EXPECT_EQ(id_a, pb_lookup(a.reply, "id"));
	ASSERT_EQ(0, pb_cmd(&a, "session"));
	EXPECT_EQ(1, pb_lookup(a.reply, "commands"));

	/* Closing A leaves B working. */
	pb_close(&a);
	ASSERT_EQ(0, pb_cmd(&b, "session"));
	EXPECT_EQ(id_b, pb_lookup(b.reply, "id"));
	EXPECT_EQ(2, pb_lookup(b.reply, "commands"));
	pb_close(&b);
}

/* fail_nth=N fails the Nth allocation from now, once, and leaves no trace. */
FIXTURE(fail_nth)
{
	long long sessions, bytes, injected;
};

FIXTURE_VARIANT(fail_nth)
{
	const char *nth;
};

/* The session struct, then its reply buffer. */
FIXTURE_VARIANT_ADD(fail_nth, session_struct) { .nth = "1" };
FIXTURE_VARIANT_ADD(fail_nth, reply_buffer) { .nth = "2" };

FIXTURE_SETUP(fail_nth)
{
	self->sessions = pb_stat(PB_CNT_live_sessions);
	self->bytes = pb_stat(PB_CNT_live_bytes);
	self->injected = pb_stat(PB_CNT_alloc_failures_injected);
	ASSERT_LE(0, self->sessions);
	ASSERT_LE(0, self->bytes);
	ASSERT_LE(0, self->injected);
}

FIXTURE_TEARDOWN(fail_nth)
{
	int err;

	write_file(PB_DEBUGFS_DIR "/fail_nth", "0", &err);
}

TEST_F(fail_nth, open_fails_cleanly)
{
	char buf[32];
	struct pb_ctl c;
	int err;

	write_file(PB_DEBUGFS_DIR "/fail_nth", variant->nth, &err);
	ASSERT_EQ(0, err);
	ASSERT_LT(0, pb_read_file(PB_DEBUGFS_DIR "/fail_nth", buf, sizeof(buf)));
	EXPECT_EQ(atoi(variant->nth), atoi(buf));

	EXPECT_EQ(-ENOMEM, pb_open(&c));
	EXPECT_EQ(self->injected + 1, pb_stat(PB_CNT_alloc_failures_injected));
	EXPECT_EQ(self->sessions, pb_stat(PB_CNT_live_sessions));
	EXPECT_EQ(self->bytes, pb_stat(PB_CNT_live_bytes));

	/* It fired once: the knob is back to 0 and the next open works. */
	ASSERT_LT(0, pb_read_file(PB_DEBUGFS_DIR "/fail_nth", buf, sizeof(buf)));
	EXPECT_EQ(0, atoi(buf));
	ASSERT_EQ(0, pb_open(&c));
	pb_close(&c);
}

TEST(fail_nth_bad_input)
{
	/* Decimal only: no hex, no overflow (EINVAL, not ERANGE). */
	static const char *const bad[] = {
		"abc", "-1", "99999999999", "", "99999999999999999999", "0x10",
		"2147483648", "12x",
	};
	char buf[32];
	unsigned int i;
	int err;

	write_file(PB_DEBUGFS_DIR "/fail_nth", "0", &err);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		write_file(PB_DEBUGFS_DIR "/fail_nth", bad[i], &err);
		EXPECT_EQ(EINVAL, err) TH_LOG("'%s' accepted", bad[i]);
		ASSERT_LT(0, pb_read_file(PB_DEBUGFS_DIR "/fail_nth", buf, sizeof(buf)));
		EXPECT_EQ(0, atoi(buf));
	}
}

/* "010" is ten: decimal, not octal. */
TEST(fail_nth_is_decimal)
{
	char buf[32];
	int err;

	write_file(PB_DEBUGFS_DIR "/fail_nth", "010", &err);
	ASSERT_EQ(0, err);
	ASSERT_LT(0, pb_read_file(PB_DEBUGFS_DIR "/fail_nth", buf, sizeof(buf)));
	EXPECT_EQ(10, atoi(buf));
	write_file(PB_DEBUGFS_DIR "/fail_nth", "0", &err);
	ASSERT_EQ(0, err);
}

/*
 * The stats file is one snapshot, while another process creates, fills and
 * destroys mms: it never lists more session mms than live_mms counts, and
 * the totals never go backwards (an mm's counters are in its own lines until
 * they are in the totals, never in neither).
 */
TEST(stats_is_one_snapshot_while_mms_come_and_go)
{
	unsigned long long cnt[PB_NR_COUNTERS], total[PB_NR_MM_COUNTERS];
	unsigned long long last = 0;
	int i, status, reads = 0;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct pb_ctl c;
		int k;

		if (pb_open(&c))
			_exit(1);
		for (k = 0; k < 150; k++) {
			if (pb_cmd(&c, "mm_create") ||
			    pb_cmd(&c, "mmap mm=0 start=0x40000000 len=0x200000") ||
			    pb_cmd(&c, "populate mm=0 va=0x40000000 len=0x200000") ||
			    pb_cmd(&c, "mm_destroy mm=0"))
				_exit(2);
		}
		pb_close(&c);
		_exit(0);
	}
	for (i = 0; waitpid(pid, &status, WNOHANG) == 0; i++) {
		const char *rest, *p;
		int listed = 0;

		ASSERT_EQ(0, pb_stats(cnt, total, &rest));
		for (p = rest; (p = strstr(p, ".pte_writes ")); p++)
			listed++;
		EXPECT_LE(listed, (int)cnt[PB_CNT_live_mms]);
		EXPECT_LE(last, total[PB_MMC_pte_writes])
			TH_LOG("total.pte_writes went from %llu to %llu", last,
			       total[PB_MMC_pte_writes]);
		last = total[PB_MMC_pte_writes];
		reads++;
	}
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_LT(10, reads);
}

static void on_alarm(int sig)
{
}

struct long_command {
	int fd;
	const char *line;
	int err;
};

static void *run_long_command(void *arg)
{
	struct long_command *lc = arg;

	lc->err = write(lc->fd, lc->line, strlen(lc->line)) < 0 ? errno : 0;
	return NULL;
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A write() that waits for another thread's long command on the same file
 * is interrupted by a signal, with EINTR, and changes nothing: write() as
 * well as pwrite(), which takes no file position lock.
 */
TEST(a_write_waiting_for_a_busy_session_gets_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value.tv_usec = 400000 };
	struct long_command lc = { };
	char line[128];
	struct pb_ctl c;
	pthread_t thread;
	double t0, dt;
	long seeds;
	ssize_t n;

	/* About three seconds of oracle, whatever the machine's speed. */
	ASSERT_EQ(0, pb_open(&c));
	t0 = seconds();
	ASSERT_EQ(0, pb_cmd(&c, "oracle seed=1 seeds=4 steps=100"));
	dt = seconds() - t0;
	seeds = dt > 0 ? (long)(4 * 3.0 / dt) : 1000;
	if (seeds < 8)
		seeds = 8;
	if (seeds > PB_ORACLE_MAX)
		seeds = PB_ORACLE_MAX;
	snprintf(line, sizeof(line), "oracle seed=1 seeds=%ld steps=100", seeds);
	lc.fd = c.fd;
	lc.line = line;

	/* No SA_RESTART: the interrupted write must fail, not restart. */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&thread, NULL, run_long_command, &lc));
	usleep(100000);
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	t0 = seconds();
	n = write(c.fd, "version", 7);
	dt = seconds() - t0;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINTR, errno) TH_LOG("write returned after %.2f s", dt);
	it.it_value.tv_usec = 400000;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	n = pwrite(c.fd, "version", 7, 0);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINTR, errno);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	/* The long command ran to its end; the interrupted ones changed nothing. */
	EXPECT_EQ(0, lc.err);
	ASSERT_EQ(0, pb_read_reply(&c));
	EXPECT_EQ(seeds, pb_lookup(c.reply, "seeds")) TH_LOG("%s", c.reply);
	pb_close(&c);
}

#define BUDGET_FILE	PB_DEBUGFS_DIR "/budget_bytes"

static long long read_budget(void)
{
	char buf[32];

	if (pb_read_file(BUDGET_FILE, buf, sizeof(buf)) <= 0)
		return -1;
	return atoll(buf);
}

static long long mem_total_bytes(void)
{
	char buf[4096];
	const char *p;

	if (pb_read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "MemTotal:");
	return p ? atoll(p + 9) * 1024 : -1;
}

/*
 * The budget defaults to a quarter of the RAM (MemTotal, totalram_pages()),
 * which is also its ceiling; it can be lowered, never to 0, and bad input
 * changes nothing.
 */
TEST(budget_defaults_to_a_fraction_of_ram)
{
	static const char *const bad[] = {
		"0", "-1", "abc", "0x1000", "", "99999999999999999999999",
	};
	long long def = read_budget(), ram = mem_total_bytes();
	char val[32];
	unsigned int i;
	int err;

	ASSERT_LT(0, def);
	ASSERT_LT(0, ram);
	EXPECT_EQ(ram / PB_BUDGET_RAM_DIVISOR, def);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		write_file(BUDGET_FILE, bad[i], &err);
		EXPECT_EQ(EINVAL, err) TH_LOG("'%s' accepted", bad[i]);
		EXPECT_EQ(def, read_budget());
	}
	snprintf(val, sizeof(val), "%lld", def + 1);
	write_file(BUDGET_FILE, val, &err);
	EXPECT_EQ(EINVAL, err);
	snprintf(val, sizeof(val), "%lld", def / 2);
	write_file(BUDGET_FILE, val, &err);
	EXPECT_EQ(0, err);
	EXPECT_EQ(def / 2, read_budget());
	snprintf(val, sizeof(val), "%lld", def);
	write_file(BUDGET_FILE, val, &err);
	EXPECT_EQ(0, err);
	EXPECT_EQ(def, read_budget());
}

/*
 * Issue 12's reproducer: one mm populated GiB after GiB (metadata only)
 * until something gives.  With a module budget of a quarter of the default
 * (a quarter of the RAM), it is the populate that fails, with ENOMEM and the
 * budget named, long before the OOM killer; the mm stays usable and the
 * session closes clean.  The budget is restored afterwards.
 */
FIXTURE(budget)
{
	long long saved;	/* the module budget before the test */
};

FIXTURE_SETUP(budget)
{
	self->saved = read_budget();
}

/* A test that lowered the module budget and failed on the way: restored. */
FIXTURE_TEARDOWN(budget)
{
	char val[32];
	int err;

	if (self->saved > 0 && read_budget() != self->saved) {
		snprintf(val, sizeof(val), "%lld", self->saved);
		write_file(BUDGET_FILE, val, &err);
	}
}

/*
 * An mm with an arena of 2^32 - 2 frames (16 TiB of 4K pages) populated
 * 1 GiB at a time, up to 256 GiB, until a populate fails: its error (0 if
 * none did, or that of mm_create or mmap), with *@done the bytes populated.
 */
static int populate_until_refused(struct pb_ctl *c, unsigned long long *done)
{
	const unsigned long long chunk = 1ULL << 30, base = 1ULL << 40;
	int ret;

	*done = 0;
	ret = pb_cmd(c, "mm_create arena_pages=4294967294");
	if (!ret)
		ret = pb_cmd(c, "mmap mm=0 start=0x%llx len=0x%llx", base, 256 * chunk);
	while (!ret && *done < 256 * chunk) {
		ret = pb_cmd(c, "populate mm=0 va=0x%llx len=0x%llx order=9",
			     base + *done, chunk);
		if (!ret)
			*done += chunk;
	}
	return ret;
}

TEST_F_TIMEOUT(budget, populating_past_it_fails_cleanly, 300)
{
	const unsigned long long chunk = 1ULL << 30, base = 1ULL << 40;
	long long refusals = pb_stat(PB_CNT_budget_refusals);
	long long budget = read_budget(), live0;
	unsigned long long done;
	struct pb_ctl c;
	char val[32];
	int ret = 0, err;

	ASSERT_LT(0, budget);
	/*
	 * A quarter of the default: the same refusal after a quarter of the
	 * populates.  The default itself is reached, with backed pages, by
	 * many_sessions_of_backed_pages_stop_at_the_budgets.
	 */
	budget /= 4;
	snprintf(val, sizeof(val), "%lld", budget);
	write_file(BUDGET_FILE, val, &err);
	ASSERT_EQ(0, err);
	live0 = pb_stat(PB_CNT_live_bytes);
	ASSERT_EQ(0, pb_open(&c));
	/* The session may use the whole module budget. */
	ASSERT_EQ(0, pb_cmd(&c, "session budget_bytes=%lld", budget)) TH_LOG("%s", c.reply);
	ret = populate_until_refused(&c, &done);
	EXPECT_EQ(-ENOMEM, ret);
	EXPECT_NE(NULL, strstr(c.reply, "over the memory budget")) TH_LOG("%s", c.reply);
	/*
	 * The stats file opens at the budget (its buffer is taken past it, to
	 * show why), and its snapshot, taken before that buffer, is within it.
	 */
	EXPECT_LT(refusals, pb_stat(PB_CNT_budget_refusals));
	EXPECT_LT(0, pb_stat(PB_CNT_live_bytes));
	EXPECT_GE(budget, pb_stat(PB_CNT_live_bytes));
	TH_LOG("%llu GiB populated before the budget of %lld MiB", done >> 30, budget >> 20);
	/*
	 * The mm still works (munmap frees no metadata: tables and arena
	 * sections stay), and once it is gone the memory is back: a new mm
	 * populates a GiB.
	 */
	EXPECT_EQ(0, pb_cmd(&c, "munmap mm=0 va=0x%llx len=0x%llx", base, chunk));
	ASSERT_EQ(0, pb_cmd(&c, "mm_destroy mm=0"));
	ASSERT_EQ(0, pb_cmd(&c, "mm_create arena_pages=4294967294"));
	ASSERT_EQ(0, pb_cmd(&c, "mmap mm=0 start=0x%llx len=0x%llx", base, chunk));
	EXPECT_EQ(0, pb_cmd(&c, "populate mm=0 va=0x%llx len=0x%llx order=9", base, chunk))
		TH_LOG("%s", c.reply);
	pb_close(&c);
	EXPECT_EQ(live0, pb_stat(PB_CNT_live_bytes));
	EXPECT_EQ(0, pb_stat(PB_CNT_live_mms));
	snprintf(val, sizeof(val), "%lld", self->saved);
	write_file(BUDGET_FILE, val, &err);
	EXPECT_EQ(0, err);
	EXPECT_EQ(self->saved, read_budget());
}

/*
 * A session's own budget: by default a fraction of the module's, it stops
 * the session's populates while another session can still allocate; the
 * refusal names the session budget, counts in the session's and the
 * global budget_refusals, and leaves live_bytes as it was.
 */
TEST_F_TIMEOUT(budget, a_session_budget_stops_one_session, 300)
{
	const unsigned long long chunk = 1ULL << 30, base = 1ULL << 40;
	long long refusals = pb_stat(PB_CNT_budget_refusals);
	long long budget = read_budget(), live0, live, limit;
	unsigned long long done;
	struct pb_ctl c, d;
	int ret = 0;

	ASSERT_LT(0, budget);
	live0 = pb_stat(PB_CNT_live_bytes);
	ASSERT_EQ(0, pb_open(&c));
	ASSERT_EQ(0, pb_cmd(&c, "session"));
	limit = pb_lookup(c.reply, "budget_bytes");
	EXPECT_EQ(budget / PB_SESSION_BUDGET_DIVISOR, limit);
	EXPECT_EQ(0, pb_lookup(c.reply, "used_bytes"));
	/* Past the module's budget, or zero: refused, nothing changes. */
	EXPECT_EQ(-EINVAL, pb_cmd(&c, "session budget_bytes=%lld", budget + 1));
	EXPECT_NE(NULL, strstr(c.reply, "budget_bytes must be 1 to the module's"))
		TH_LOG("%s", c.reply);
	EXPECT_EQ(-EINVAL, pb_cmd(&c, "session budget_bytes=0"));
	ASSERT_EQ(0, pb_cmd(&c, "session"));
	EXPECT_EQ(limit, pb_lookup(c.reply, "budget_bytes"));

	ret = populate_until_refused(&c, &done);
	EXPECT_EQ(-ENOMEM, ret);
	EXPECT_NE(NULL,
		  strstr(c.reply, "over the session's memory budget: session budget_bytes is"))
		TH_LOG("%s", c.reply);
	live = pb_stat(PB_CNT_live_bytes);
	EXPECT_EQ(refusals + 1, pb_stat(PB_CNT_budget_refusals));
	ASSERT_EQ(0, pb_cmd(&c, "session"));
	EXPECT_EQ(1, pb_lookup(c.reply, "budget_refusals"));
	EXPECT_GE(limit, pb_lookup(c.reply, "used_bytes"));
	EXPECT_LT(limit / 2, pb_lookup(c.reply, "used_bytes"));
	/* Nothing of the failed populate is left. */
	EXPECT_EQ(live, pb_stat(PB_CNT_live_bytes));
	TH_LOG("%llu GiB populated before the session budget of %lld MiB", done >> 30,
	       limit >> 20);
	/* Another session has its own budget. */
	ASSERT_EQ(0, pb_open(&d));
	ASSERT_EQ(0, pb_cmd(&d, "mm_create arena_pages=4294967294"));
	ASSERT_EQ(0, pb_cmd(&d, "mmap mm=0 start=0x%llx len=0x%llx", base, chunk));
	EXPECT_EQ(0, pb_cmd(&d, "populate mm=0 va=0x%llx len=0x%llx order=9", base, chunk))
		TH_LOG("%s", d.reply);
	pb_close(&d);
	/*
	 * With its mm gone, and after an oracle run (whose mms are the
	 * session's while it runs), every byte charged was given back.
	 */
	ASSERT_EQ(0, pb_cmd(&c, "mm_destroy mm=0"));
	ASSERT_EQ(0, pb_cmd(&c, "oracle seed=1 steps=50")) TH_LOG("%s", c.reply);
	ASSERT_EQ(0, pb_cmd(&c, "session"));
	EXPECT_EQ(0, pb_lookup(c.reply, "used_bytes"));
	pb_close(&c);
	EXPECT_EQ(live0, pb_stat(PB_CNT_live_bytes));
}

/*
 * Issue 12's item 9: many sessions filling backed pages (real memory, not
 * metadata) until each is refused.  The session budgets together exceed the
 * module's, so the first sessions stop at their own and the last ones at the
 * module's; every refusal is ENOMEM with the budget named, nothing is
 * OOM-killed (this process lives on), and closing the sessions gives every
 * byte back.
 */
TEST_F_TIMEOUT(budget, many_sessions_of_backed_pages_stop_at_the_budgets, 300)
{
	const unsigned long long chunk = 16ULL << 20, base = 1ULL << 40;
	long long budget = read_budget(), live0, data0, limit;
	unsigned int i, nr, by_session = 0, by_module = 0;
	unsigned long long span;
	static struct pb_ctl c[16];
	int ret;

	ASSERT_LT(0, budget);
	limit = budget / PB_SESSION_BUDGET_DIVISOR;
	/* Enough sessions that their budgets add up past the module's. */
	nr = 2 * PB_SESSION_BUDGET_DIVISOR;
	/* Room for twice the session's budget, in whole chunks. */
	span = (2 * (unsigned long long)limit + chunk - 1) / chunk * chunk;
	ASSERT_GE(ARRAY_SIZE(c), nr);
	live0 = pb_stat(PB_CNT_live_bytes);
	data0 = pb_stat(PB_CNT_live_data_pages);
	for (i = 0; i < nr; i++) {
		unsigned long long done = 0;

		ASSERT_EQ(0, pb_open(&c[i]));
		ASSERT_EQ(0, pb_cmd(&c[i], "mm_create backing=1"));
		ASSERT_EQ(0, pb_cmd(&c[i], "mmap mm=0 start=0x%llx len=0x%llx", base, span))
			TH_LOG("%s", c[i].reply);
		do {
			ret = pb_cmd(&c[i], "populate mm=0 va=0x%llx len=0x%llx order=4",
				     base + done, chunk);
			if (!ret)
				done += chunk;
		} while (!ret && done < span);
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("session %u: %s", i, c[i].reply);
		if (strstr(c[i].reply, "over the session's memory budget"))
			by_session++;
		else if (strstr(c[i].reply, "over the memory budget"))
			by_module++;
		else
			EXPECT_TRUE(0) TH_LOG("session %u: %s", i, c[i].reply);
		EXPECT_GE(budget, pb_stat(PB_CNT_live_bytes));
		TH_LOG("session %u: %llu MiB backed", i, done >> 20);
	}
	EXPECT_LT(0, by_session);
	EXPECT_LT(0, by_module);
	/* Each command still works at the budget: a read of what was written. */
	EXPECT_EQ(0, pb_cmd(&c[0], "touch mm=0 va=0x%llx", base)) TH_LOG("%s", c[0].reply);
	for (i = 0; i < nr; i++)
		pb_close(&c[i]);
	EXPECT_EQ(live0, pb_stat(PB_CNT_live_bytes));
	EXPECT_EQ(data0, pb_stat(PB_CNT_live_data_pages));
}

/*
 * The stats file lists every mm of 48 sessions of PB_SESSION_MMS mms, more
 * than the fixed 1 MiB buffer it used to have held (lines were lost).
 */
TEST(stats_lists_every_mm_of_many_sessions)
{
	static struct pb_ctl c[48];
	unsigned int i, j, lines = 0;
	long long mms0 = pb_stat(PB_CNT_live_mms);
	const char *text, *p;

	ASSERT_LE(0, mms0);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		ASSERT_EQ(0, pb_open(&c[i]));
		for (j = 0; j < PB_SESSION_MMS; j++)
			ASSERT_EQ(0, pb_cmd(&c[i], "mm_create arena_pages=64"))
				TH_LOG("%s", c[i].reply);
	}
	text = pb_stats_text();
	ASSERT_NE(NULL, text);
	EXPECT_LT(1 << 20, strlen(text));
	EXPECT_EQ('\n', text[strlen(text) - 1]);
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		lines += !strncmp(p, "mm.", 3);
	EXPECT_EQ((mms0 + ARRAY_SIZE(c) * PB_SESSION_MMS) * PB_NR_MM_COUNTERS, lines);
	for (i = 0; i < ARRAY_SIZE(c); i++)
		pb_close(&c[i]);
}

/*
 * PB_SESSIONS_MAX ctl files open at once: the next open fails with ENFILE and
 * allocates nothing; once one closes, an open succeeds again.
 */
TEST(sessions_are_limited)
{
	static int fds[PB_SESSIONS_MAX + 1];
	long long live0 = pb_stat(PB_CNT_live_sessions), bytes;
	int i, n, fd;

	ASSERT_LE(0, live0);
	for (n = 0; n < PB_SESSIONS_MAX - live0; n++) {
		fds[n] = open(PB_DEBUGFS_DIR "/ctl", O_RDWR);
		ASSERT_LE(0, fds[n]) TH_LOG("open %d: %s", n, strerror(errno));
	}
	EXPECT_EQ(PB_SESSIONS_MAX, pb_stat(PB_CNT_live_sessions));
	bytes = pb_stat(PB_CNT_live_bytes);
	fd = open(PB_DEBUGFS_DIR "/ctl", O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENFILE, errno);
	EXPECT_EQ(bytes, pb_stat(PB_CNT_live_bytes));
	EXPECT_EQ(PB_SESSIONS_MAX, pb_stat(PB_CNT_live_sessions));
	close(fds[--n]);
	fds[n] = open(PB_DEBUGFS_DIR "/ctl", O_RDWR);
	EXPECT_LE(0, fds[n]);
	n++;
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	EXPECT_EQ(live0, pb_stat(PB_CNT_live_sessions));
}

TEST_HARNESS_MAIN
