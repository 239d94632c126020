// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch selftests: malformed input.  From a fixed seed, generate at least
 * MF_LINES malformed command lines in categories (random bytes, huge,
 * negative and overflowing numbers, va+len overflow, unaligned addresses,
 * unknown and repeated keys, missing values, very long lines, embedded NULs,
 * a destroyed mm, ids out of range, bad choices) and write each to a session
 * that has a live mm.  Every one must fail the write with an errno and leave
 * a one-line "error: " reply, and none may change anything: the stats file
 * and a dump of the live mm are byte-identical before and after (captured
 * every MF_CAPTURE_EVERY lines and at the end), but for the counters a failed
 * command is meant to move.  Every reply, the stats file, the dumps and the
 * module's kernel log lines are also searched for kernel addresses
 * (Documentation/ptebatch.rst, "No kernel pointers").
 */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/klog.h>
#include <time.h>

#include "kselftest_harness.h"
#include "pb_util.h"
#include "pb_skip.h"

#define MF_SEED			0x5eedULL
#define MF_LINES		12000
#define MF_CAPTURE_EVERY	500
/* The live mm: a VMA of MF_LEN bytes at MF_VA, its first half populated. */
#define MF_VA			0x10000000ULL
#define MF_LEN			0x100000ULL
/* The dump of the live mm: its whole VMA in 4K pages, within PB_DUMP_MAX. */
#define MF_DUMP_NR		(MF_LEN >> 12)

enum mf_cat {
	MF_RANDOM_BYTES,
	MF_HUGE_NUMBER,
	MF_NEGATIVE_NUMBER,
	MF_VA_LEN_OVERFLOW,
	MF_UNALIGNED,
	MF_UNKNOWN_KEY,
	MF_REPEATED_KEY,
	MF_MISSING_VALUE,
	MF_LONG_LINE,
	MF_EMBEDDED_NUL,
	MF_DESTROYED_MM,
	MF_ID_OUT_OF_RANGE,
	MF_BAD_CHOICE,
	MF_UNKNOWN_COMMAND,
	MF_NR_CATS
};

static const char *const mf_cat_names[MF_NR_CATS] = {
	"random_bytes", "huge_number", "negative_number", "va_len_overflow",
	"unaligned", "unknown_key", "repeated_key", "missing_value",
	"long_line", "embedded_nul", "destroyed_mm", "id_out_of_range",
	"bad_choice", "unknown_command",
};

static unsigned long long mf_state = MF_SEED;

/* xorshift64*: the same lines on every run. */
static unsigned long long mf_rand(void)
{
	mf_state ^= mf_state >> 12;
	mf_state ^= mf_state << 25;
	mf_state ^= mf_state >> 27;
	return mf_state * 0x2545f4914f6cdd1dULL;
}

static unsigned int mf_below(unsigned int n)
{
	return mf_rand() % n;
}

/* Commands of mm 0 that take mm, va and len, and must refuse a bad range. */
static const char *const mf_range_cmds[] = {
	"munmap", "populate", "mprotect mm=0 prot=r", "madvise mm=0 advice=dontneed",
	"checksum", "pin", "unpin", "uffd_wp mm=0 wp=1",
};

/* Commands that take mm and a page-aligned va. */
static const char *const mf_va_cmds[] = {
	"ptep_get", "fold", "unfold", "young mm=0 flush=0", "dump mm=0 nr=1",
	"wrprotect mm=0 nr=1", "set_access_flags mm=0 write=0",
};

/* Command names with their keys, for unknown, repeated and missing keys. */
static const char *const mf_keyed[] = {
	"mm_destroy mm=0", "mmap mm=0 start=0x20000000 len=0x1000",
	"populate mm=0 va=0x10000000 len=0x1000", "munmap mm=0 va=0x10000000 len=0x1000",
	"dump mm=0 va=0x10000000 nr=1", "mprotect mm=0 va=0x10000000 len=0x1000 prot=r",
	"fork mm=0", "knobs mm=0", "mm_stats mm=0", "check mm=0",
	"ptep_get mm=0 va=0x10000000", "folio mm=0 va=0x10000000",
	"oracle seed=1 steps=1", "bench mm=0 op=fork",
};

/* Numbers that are no u64, or are one past what a key takes. */
static const char *const mf_huge[] = {
	"18446744073709551616", "99999999999999999999", "0x10000000000000000",
	"340282366920938463463374607431768211456", "1e30", "0xffffffffffffffffff",
	"077777777777777777777777",
};

static const char *const mf_choices[] = {
	"mprotect mm=0 va=0x10000000 len=0x1000 prot=%s",
	"madvise mm=0 va=0x10000000 len=0x1000 advice=%s",
	"mmap mm=0 start=0x20000000 len=0x1000 flags=%s",
	"mm_create kernel=%s", "bench mm=0 op=%s", "oracle seed=1 steps=1 kernel=%s",
};

static const char *const mf_bad_words[] = {
	"rwx", "x", "", "free,dontneed", "5.10", "forkk", "R", "0", "-1", "anon,anon,zz",
};

struct mf_line {
	char *buf;
	size_t len;
};

static __printf(2, 3) void mf_fmt(struct mf_line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->buf, PB_CMD_MAX, fmt, ap);
	va_end(ap);
	l->len = n < PB_CMD_MAX ? n : PB_CMD_MAX - 1;
}

/* A command of mf_keyed with "@extra" put after its name. */
static void mf_with_extra(struct mf_line *l, const char *cmd, const char *extra)
{
	const char *sp = strchr(cmd, ' ');
	int name = sp ? (int)(sp - cmd) : (int)strlen(cmd);

	mf_fmt(l, "%.*s %s%s", name, cmd, extra, sp ? sp : "");
}

static void mf_generate(enum mf_cat cat, struct mf_line *l)
{
	const char *cmd;
	char word[64];
	size_t i;

	switch (cat) {
	case MF_RANDOM_BYTES:
		/* At least one byte outside printable ASCII and tab. */
		l->len = 1 + mf_below(200);
		for (i = 0; i < l->len; i++)
			l->buf[i] = mf_rand();
		i = mf_below(l->len);
		l->buf[i] = 0x80 | mf_rand();
		break;
	case MF_HUGE_NUMBER:
		cmd = mf_keyed[mf_below(ARRAY_SIZE(mf_keyed))];
		snprintf(word, sizeof(word), "%s",
			 mf_huge[mf_below(ARRAY_SIZE(mf_huge))]);
		/* The number replaces the value of the command's first key. */
		{
			const char *eq = strchr(cmd, '=');

			if (!eq) {
				mf_fmt(l, "dump mm=0 va=%s nr=1", word);
				break;
			}
			{
				const char *end = strchr(eq, ' ');

				mf_fmt(l, "%.*s%s%s", (int)(eq + 1 - cmd), cmd, word,
				       end ? end : "");
			}
		}
		break;
	case MF_NEGATIVE_NUMBER:
		switch (mf_below(4)) {
		case 0:
			mf_fmt(l, "dump mm=0 va=0x%llx nr=-%u", MF_VA, 1 + mf_below(1000));
			break;
		case 1:
			mf_fmt(l, "munmap mm=0 va=-%u len=0x1000", mf_below(1 << 20) << 12);
			break;
		case 2:
			mf_fmt(l, "mm_destroy mm=-%u", mf_below(20));
			break;
		default:
			mf_fmt(l, "populate mm=0 va=0x%llx len=-0x%x", MF_VA,
			       1 + mf_below(1 << 20));
			break;
		}
		break;
	case MF_VA_LEN_OVERFLOW:
		cmd = mf_range_cmds[mf_below(ARRAY_SIZE(mf_range_cmds))];
		{
			/* A page-aligned va near the top, a len that wraps past 2^64. */
			unsigned long long va = ~0xfffULL - (mf_rand() % (1 << 16) << 12);
			unsigned long long len = (1 + mf_rand() % (1 << 20)) << 12;

			if (strchr(cmd, ' '))
				mf_fmt(l, "%s va=0x%llx len=0x%llx", cmd,
				       (unsigned long long)va, (unsigned long long)len);
			else
				mf_fmt(l, "%s mm=0 va=0x%llx len=0x%llx", cmd,
				       (unsigned long long)va, (unsigned long long)len);
		}
		break;
	case MF_UNALIGNED:
		{
			unsigned long long va = MF_VA + 1 + mf_below(0xffe);

			if (mf_below(3) == 0) {
				/* An mm, va command: "mm=0 va=" in front of its keys. */
				cmd = mf_va_cmds[mf_below(ARRAY_SIZE(mf_va_cmds))];
				mf_fmt(l, "%.*s mm=0 va=0x%llx%s",
				       (int)strcspn(cmd, " "), cmd, va,
				       strchr(cmd, ' ') ? strchr(cmd, ' ') + 5 : "");
			} else if (mf_below(2)) {
				cmd = mf_range_cmds[mf_below(ARRAY_SIZE(mf_range_cmds))];
				if (strchr(cmd, ' '))
					mf_fmt(l, "%s va=0x%llx len=0x1000", cmd, va);
				else
					mf_fmt(l, "%s mm=0 va=0x%llx len=0x1000", cmd, va);
			} else {
				/* Aligned va, unaligned len. */
				cmd = mf_range_cmds[mf_below(ARRAY_SIZE(mf_range_cmds))];
				if (strchr(cmd, ' '))
					mf_fmt(l, "%s va=0x%llx len=0x%x", cmd, MF_VA,
					       1 + mf_below(0xffe));
				else
					mf_fmt(l, "%s mm=0 va=0x%llx len=0x%x", cmd, MF_VA,
					       1 + mf_below(0xffe));
			}
		}
		break;
	case MF_UNKNOWN_KEY:
		snprintf(word, sizeof(word), "k%u=%u", mf_below(1000), mf_below(10));
		mf_with_extra(l, mf_keyed[mf_below(ARRAY_SIZE(mf_keyed))], word);
		break;
	case MF_REPEATED_KEY:
		cmd = mf_keyed[mf_below(ARRAY_SIZE(mf_keyed))];
		{
			const char *eq = strchr(cmd, '='), *sp = strchr(cmd, ' ');

			snprintf(word, sizeof(word), "%.*s=%u", (int)(eq - sp - 1), sp + 1,
				 mf_below(4));
			mf_with_extra(l, cmd, word);
		}
		break;
	case MF_MISSING_VALUE:
		cmd = mf_keyed[mf_below(ARRAY_SIZE(mf_keyed))];
		switch (mf_below(3)) {
		case 0:
			/* "key=" */
			{
				const char *eq = strchr(cmd, '=');

				mf_fmt(l, "%.*s", (int)(eq + 1 - cmd), cmd);
			}
			break;
		case 1:
			/* "key" alone */
			mf_with_extra(l, cmd, "mm");
			break;
		default:
			mf_with_extra(l, cmd, "=1");
			break;
		}
		break;
	case MF_LONG_LINE:
		/* PB_CMD_MAX .. 2 * PB_CMD_MAX bytes of a valid-looking command. */
		l->len = PB_CMD_MAX + mf_below(PB_CMD_MAX);
		memset(l->buf, ' ', l->len);
		memcpy(l->buf, "help", 4);
		if (mf_below(2))
			l->buf[l->len - 1] = 'x';
		break;
	case MF_EMBEDDED_NUL:
		cmd = mf_keyed[mf_below(ARRAY_SIZE(mf_keyed))];
		mf_fmt(l, "%s", cmd);
		l->buf[mf_below(l->len)] = '\0';
		break;
	case MF_DESTROYED_MM:
		cmd = mf_keyed[mf_below(ARRAY_SIZE(mf_keyed))];
		if (strncmp(strchr(cmd, ' ') + 1, "mm=0", 4)) {
			mf_fmt(l, "mm_stats mm=1");
			break;
		}
		{
			const char *sp = strchr(cmd, ' ');

			mf_fmt(l, "%.*s mm=1%s", (int)(sp - cmd), cmd, sp + 5);
		}
		break;
	case MF_ID_OUT_OF_RANGE:
		cmd = mf_keyed[mf_below(ARRAY_SIZE(mf_keyed))];
		if (strncmp(strchr(cmd, ' ') + 1, "mm=0", 4)) {
			mf_fmt(l, "knobs mm=%u", PB_SESSION_MMS + mf_below(1000));
			break;
		}
		{
			const char *sp = strchr(cmd, ' ');
			unsigned long long id = mf_below(2) ?
				PB_SESSION_MMS + mf_below(1 << 20) :
				(mf_rand() | (1ULL << 63));

			mf_fmt(l, "%.*s mm=%llu%s", (int)(sp - cmd), cmd, id, sp + 5);
		}
		break;
	case MF_BAD_CHOICE:
		mf_fmt(l, mf_choices[mf_below(ARRAY_SIZE(mf_choices))],
		       mf_bad_words[mf_below(ARRAY_SIZE(mf_bad_words))]);
		break;
	default:
		/* A name with printable bytes that no command has. */
		l->len = 1 + mf_below(40);
		for (i = 0; i < l->len; i++)
			l->buf[i] = 'a' + mf_below(26);
		l->buf[0] = 'Z';
		break;
	}
}

/* The search finds what it is for, and not the model's own numbers. */
TEST(kernel_address_search)
{
	static const char *const found[] = {
		"at ffff000012345678 here", "0xffff800080001234", "p=00000000deadbeef",
		"(____ptrval____)", "FFFF0000ABCDEF01",
	};
	static const char *const clean[] = {
		"0x000000010000 0x0068000000123f43 rw pfn=0x123", "00000000deadbee",
		"0x00000000deadbeef", "ffff00001234567", "id 7\ncommands 2\n",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(found); i++)
		EXPECT_NE(NULL, pb_kernel_address(found[i], strlen(found[i])))
			TH_LOG("found[%u]", i);
	for (i = 0; i < ARRAY_SIZE(clean); i++)
		EXPECT_EQ(NULL, pb_kernel_address(clean[i], strlen(clean[i])))
			TH_LOG("clean[%u]", i);
}

/* The first capture, and how many texts were searched for addresses. */
struct mf_seen {
	char *stats0, *dump0;
	unsigned long long scanned;
};

FIXTURE(malformed)
{
	struct pb_ctl c;
	struct mf_seen seen;
};

FIXTURE_SETUP(malformed)
{
	ASSERT_EQ(0, pb_open(&self->c));
	memset(&self->seen, 0, sizeof(self->seen));
}

FIXTURE_TEARDOWN(malformed)
{
	pb_close(&self->c);
	free(self->seen.stats0);
	free(self->seen.dump0);
}

/*
 * The stats file with the lines a failed command moves (command_errors) and
 * those that a capture moves (commands and allocs, by its dump and the open
 * of stats) left out.
 */
static char *mf_stats(void)
{
	/* pb_stats_text() reads into its own static buffer. */
	char *text = pb_stats_text(), *out, *p, *q;

	if (!text)
		return NULL;
	out = calloc(1, strlen(text) + 1);
	for (p = text; out && *p; p = q) {
		q = strchrnul(p, '\n');
		if (*q)
			q++;
		if (!strncmp(p, "commands ", 9) || !strncmp(p, "command_errors ", 15) ||
		    !strncmp(p, "allocs ", 7))
			continue;
		strncat(out, p, q - p);
	}
	return out;
}

static void mf_scan(struct __test_metadata *_metadata, unsigned long long *scanned,
		    const char *what, const char *text, size_t len)
{
	const char *hit = pb_kernel_address(text, len);

	(*scanned)++;
	EXPECT_EQ(NULL, hit) TH_LOG("%s: kernel address at '%.24s'", what, hit);
}

/* Capture the stats and the dump, and compare them with the first capture. */
static void mf_capture(struct __test_metadata *_metadata, struct pb_ctl *c,
		       struct mf_seen *seen, unsigned int after)
{
	char *stats = mf_stats(), *dump;

	ASSERT_NE(NULL, stats);
	ASSERT_EQ(0, pb_cmd(c, "dump mm=0 va=0x%llx nr=%llu", MF_VA, MF_DUMP_NR))
		TH_LOG("%s", c->reply);
	dump = strdup(c->reply);
	ASSERT_NE(NULL, dump);
	mf_scan(_metadata, &seen->scanned, "stats", stats, strlen(stats));
	mf_scan(_metadata, &seen->scanned, "dump", dump, strlen(dump));
	if (!seen->stats0) {
		seen->stats0 = stats;
		seen->dump0 = dump;
		return;
	}
	EXPECT_STREQ(seen->stats0, stats) TH_LOG("stats changed after %u lines", after);
	EXPECT_STREQ(seen->dump0, dump) TH_LOG("dump changed after %u lines", after);
	free(stats);
	free(dump);
}

TEST_F_TIMEOUT(malformed, every_line_fails_and_changes_nothing, 120)
{
	unsigned int count[MF_NR_CATS] = { 0 }, errs[MF_NR_CATS] = { 0 };
	long long errors0 = pb_stat(PB_CNT_command_errors);
	struct mf_line l;
	unsigned int i, cat;
	struct timespec t0, t1;
	char klog[1 << 16];
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	l.buf = malloc(2 * PB_CMD_MAX);
	ASSERT_NE(NULL, l.buf);
	/* mm 0 live and populated; mm 1 created and destroyed. */
	ASSERT_EQ(0, pb_cmd(&self->c, "mm_create page_kb=4 backing=1")) TH_LOG("%s", self->c.reply);
	ASSERT_EQ(0, pb_cmd(&self->c, "mmap mm=0 start=0x%llx len=0x%llx flags=r,w,anon",
			    MF_VA, MF_LEN));
	ASSERT_EQ(0, pb_cmd(&self->c, "populate mm=0 va=0x%llx len=0x%llx order=4",
			    MF_VA, MF_LEN / 2)) TH_LOG("%s", self->c.reply);
	ASSERT_EQ(0, pb_cmd(&self->c, "mm_create page_kb=4"));
	ASSERT_EQ(0, pb_cmd(&self->c, "mm_destroy mm=1"));
	mf_capture(_metadata, &self->c, &self->seen, 0);
	errors0 = pb_stat(PB_CNT_command_errors);

	for (i = 0; i < MF_LINES; i++) {
		ssize_t w;

		cat = i % MF_NR_CATS;
		mf_generate(cat, &l);
		count[cat]++;
		w = write(self->c.fd, l.buf, l.len);
		if (w >= 0) {
			EXPECT_GT(0, w) TH_LOG("%s line %u succeeded: '%.*s'",
					       mf_cat_names[cat], i, (int)l.len, l.buf);
		} else {
			errs[cat]++;
		}
		ASSERT_EQ(0, pb_read_reply(&self->c));
		EXPECT_EQ(0, strncmp(self->c.reply, "error: ", 7))
			TH_LOG("%s line %u: '%.*s': %s", mf_cat_names[cat], i,
			       (int)l.len, l.buf, self->c.reply);
		EXPECT_EQ(strchr(self->c.reply, '\n'),
			  self->c.reply + strlen(self->c.reply) - 1)
			TH_LOG("%s line %u: not one line: %s", mf_cat_names[cat], i,
			       self->c.reply);
		mf_scan(_metadata, &self->seen.scanned, "reply", self->c.reply,
			strlen(self->c.reply));
		if ((i + 1) % MF_CAPTURE_EVERY == 0)
			mf_capture(_metadata, &self->c, &self->seen, i + 1);
	}
	mf_capture(_metadata, &self->c, &self->seen, MF_LINES);
	/* Each line counted as a failed command, and nothing else did. */
	EXPECT_EQ(errors0 + MF_LINES, pb_stat(PB_CNT_command_errors));
	for (cat = 0; cat < MF_NR_CATS; cat++) {
		EXPECT_EQ(count[cat], errs[cat]);
		ksft_print_msg("%-16s %u lines, %u refused\n", mf_cat_names[cat],
			       count[cat], errs[cat]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ksft_print_msg("%u malformed lines in %.1f s, %llu texts searched for kernel addresses\n",
		       MF_LINES, t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		       self->seen.scanned);

	/* The module's lines of the kernel log have no kernel address either. */
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, klog, sizeof(klog) - 1);
	ASSERT_LE(0, n);
	klog[n] = '\0';
	{
		char *p, *q;

		for (p = klog; *p; p = q) {
			q = strchrnul(p, '\n');
			if (memmem(p, q - p, "ptebatch", 8))
				mf_scan(_metadata, &self->seen.scanned, "dmesg", p, q - p);
			if (*q)
				q++;
		}
	}
	free(l.buf);
}

TEST_HARNESS_MAIN
