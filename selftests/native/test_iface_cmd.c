// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of iface/: the ctl command layer run in-process (sessions,
 * the parser, the command registry, replies), bad commands that must fail
 * with EINVAL, a reason and no change, fault injection with fail_nth, and a
 * mutation knob seen through the commands.
 */
#include <linux/build_bug.h>

#include "nt_iface.h"
#include "../pb_keys.h"

/* A limit of the UAPI header as text, for the reasons that name it. */
#define __NT_STR(x)	#x
#define NT_STR(x)	__NT_STR(x)

FIXTURE(cmd)
{
	struct pb_session *s;
	struct pb_mm *mm;
	unsigned int cont;
	u64 psize, block;
};

FIXTURE_VARIANT(cmd)
{
	NT_GRANULE_FIELDS;
};

FIXTURE_VARIANT_ADD(cmd, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(cmd, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(cmd, granule_64k) NT_GRANULE_64K;

#define NR_BLOCKS	8

/* mm 0: eight blocks of anon memory, the first two populated and folded. */
FIXTURE_SETUP(cmd)
{
	char create[32];

	self->psize = 1ULL << variant->page_shift;
	self->cont = 1U << variant->cont_shift;
	self->block = self->psize * self->cont;
	snprintf(create, sizeof(create), "page_kb=%u", variant->page_kb);
	nt_session_setup(_metadata, &self->s, create, NR_BLOCKS * self->block,
			 2 * self->block, variant->cont_shift);
	self->mm = self->s->mms[0];
	ASSERT_NE(NULL, self->mm);
}

FIXTURE_TEARDOWN(cmd)
{
	nt_session_teardown(_metadata, self->s);
}

/*
 * kernel= picks the profile: by default the built kernel's series (6.12 for
 * the native build), mainline on request.  It sets the per-path batch knobs'
 * defaults (6.12 changes protection one PTE at a time), a fork child keeps
 * it, and anything else is refused with nothing created.
 */
TEST_F(cmd, mm_create_takes_a_kernel_profile)
{
	static const struct {
		const char *arg, *name;
		u64 mprotect_batch;
	} t[] = {
		{ "", "6.12", 0 }, { "kernel=6.12", "6.12", 0 },
		{ "kernel=mainline", "mainline", 1 },
	};
	unsigned int i;
	u64 live;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ASSERT_EQ(0, nt_run(self->s, "mm_create page_kb=%u %s", variant->page_kb,
				    t[i].arg));
		EXPECT_NE(NULL, strstr(self->s->reply.buf, t[i].name)) TH_LOG("%s", t[i].arg);
		ASSERT_EQ(0, nt_run(self->s, "knobs mm=1"));
		EXPECT_EQ(t[i].mprotect_batch, nt_reply_val(self->s, "mprotect_batch"));
		EXPECT_EQ(t[i].mprotect_batch, nt_reply_val(self->s, "mremap_batch"));
		EXPECT_EQ(1, nt_reply_val(self->s, "fork_batch"));
		EXPECT_EQ(1, nt_reply_val(self->s, "zap_batch"));
		ASSERT_EQ(0, nt_run(self->s, "fork mm=1"));
		EXPECT_EQ(self->s->mms[1]->profile, self->s->mms[2]->profile);
		ASSERT_EQ(0, nt_run(self->s, "knobs mm=2"));
		EXPECT_EQ(t[i].mprotect_batch, nt_reply_val(self->s, "mprotect_batch"));
		EXPECT_EQ(t[i].mprotect_batch, nt_reply_val(self->s, "mremap_batch"));
		ASSERT_EQ(0, nt_run(self->s, "mm_destroy mm=2"));
		ASSERT_EQ(0, nt_run(self->s, "mm_destroy mm=1"));
	}
	live = atomic64_read(&pb_counters[PB_CNT_live_mms]);
	/* no_page_mapcount: mainline only, a family-wide setting a child shares. */
	ASSERT_EQ(0, nt_run(self->s, "mm_create page_kb=%u kernel=mainline no_page_mapcount=1",
			    variant->page_kb));
	EXPECT_EQ(1, nt_reply_val(self->s, "no_page_mapcount"));
	ASSERT_EQ(0, nt_run(self->s, "fork mm=1"));
	EXPECT_TRUE(self->s->mms[2]->phys->no_page_mapcount);
	ASSERT_EQ(0, nt_run(self->s, "mm_destroy mm=2"));
	ASSERT_EQ(0, nt_run(self->s, "mm_destroy mm=1"));
	ASSERT_EQ(0, nt_run(self->s, "mm_create page_kb=%u kernel=mainline", variant->page_kb));
	EXPECT_EQ(0, nt_reply_val(self->s, "no_page_mapcount"));
	ASSERT_EQ(0, nt_run(self->s, "mm_destroy mm=1"));
	EXPECT_EQ(-EINVAL, nt_run(self->s, "mm_create kernel=6.12 no_page_mapcount=1"));
	EXPECT_NE(NULL, strstr(self->s->reply.buf, "needs kernel=mainline"));
	EXPECT_EQ(-EINVAL, nt_run(self->s, "mm_create kernel=mainline no_page_mapcount=2"));
	EXPECT_EQ(live, atomic64_read(&pb_counters[PB_CNT_live_mms]));
	EXPECT_EQ(-EINVAL, nt_run(self->s, "mm_create kernel=6.1"));
	EXPECT_STREQ("error: kernel must be 6.12 or mainline\n", self->s->reply.buf);
	EXPECT_EQ(live, atomic64_read(&pb_counters[PB_CNT_live_mms]));
	ASSERT_EQ(0, nt_run(self->s, "oracle kernel=mainline steps=5"));
	EXPECT_NE(NULL, strstr(self->s->reply.buf, "kernel mainline\n"));
	EXPECT_EQ(-EINVAL, nt_run(self->s, "oracle kernel=5.10"));
}

TEST_F(cmd, mm_create_replies_the_geometry)
{
	unsigned int levels = (48 - variant->page_shift + variant->page_shift - 4) /
			      (variant->page_shift - 3);
	char want[256];

	ASSERT_EQ(0, nt_run(self->s, "mm_create page_kb=%u va_bits=48 pa_bits=52 check=0",
			    variant->page_kb));
	snprintf(want, sizeof(want),
		 "mm 1\ngranule %llu\nlevels %u\ncont_ptes %u\nva_bits 48\npa_bits 52\n"
		 "kernel 6.12\nno_page_mapcount 0\n",
		 self->psize, levels, self->cont);
	EXPECT_STREQ(want, self->s->reply.buf);
	EXPECT_EQ(variant->page_kb != 64, self->s->mms[1]->geom.lpa2);
	EXPECT_FALSE(self->s->mms[1]->shadowed);
	EXPECT_EQ(2, atomic64_read(&pb_counters[PB_CNT_live_mms]));
	/* check=1 needs the shadows of an mm created with check=1. */
	EXPECT_EQ(-EINVAL, nt_run(self->s, "set mm=1 check=1"));
	EXPECT_STREQ("error: check needs an mm created with check=1\n",
		     self->s->reply.buf);
	ASSERT_EQ(0, nt_run(self->s, "mm_destroy mm=1"));
	EXPECT_EQ(NULL, self->s->mms[1]);
	EXPECT_EQ(1, atomic64_read(&pb_counters[PB_CNT_live_mms]));
}

/* --- Bad commands ------------------------------------------------------------------- */

struct tok {
	const char *name;
	u64 val;
};

/* Replace each $NAME of @in by its value, in hex. */
static void expand(char *out, size_t size, const char *in, const struct tok *t,
		   unsigned int nr)
{
	size_t len = 0;

	while (*in && len + 1 < size) {
		unsigned int i, best = nr;
		size_t blen = 0;

		if (*in != '$') {
			out[len++] = *in++;
			continue;
		}
		for (i = 0; i < nr; i++) {
			size_t l = strlen(t[i].name);

			if (!strncmp(in + 1, t[i].name, l) && l > blen) {
				best = i;
				blen = l;
			}
		}
		if (best == nr) {
			out[len++] = *in++;
			continue;
		}
		len += snprintf(out + len, size - len, "0x%llx", t[best].val);
		in += 1 + blen;
	}
	out[len < size ? len : size - 1] = '\0';
}

/* What a failing command must leave as it was. */
struct state {
	u64 counters[PB_NR_MM_COUNTERS];
	u64 knobs[PB_NR_KNOBS];
	struct pb_vma vmas[PB_MAX_VMAS];
	unsigned int nr_vmas;
	struct pb_mm *mms[PB_SESSION_MMS];
	s64 live[PB_CNT_live_bytes + 1];
	s64 commands;
	u64 live_folios;
	pb_pte_t ptes[NR_BLOCKS * 128];
};

static void save(struct state *st, struct pb_session *s, struct pb_mm *mm,
		 unsigned int nr_ptes)
{
	int i;

	memset(st, 0, sizeof(*st));
	memcpy(st->counters, mm->counters, sizeof(st->counters));
	memcpy(st->knobs, mm->knobs, sizeof(st->knobs));
	memcpy(st->vmas, mm->vmas, sizeof(st->vmas));
	st->nr_vmas = mm->nr_vmas;
	memcpy(st->mms, s->mms, sizeof(st->mms));
	for (i = 0; i <= PB_CNT_live_bytes; i++)
		st->live[i] = atomic64_read(&pb_counters[i]);
	st->commands = atomic64_read(&pb_counters[PB_CNT_commands]);
	st->live_folios = mm->phys->live_folios;
	memcpy(st->ptes, pb_pte_offset(mm, NT_VA, false), nr_ptes * sizeof(pb_pte_t));
}

/*
 * Each must fail with EINVAL and one "error: " line, and change nothing.
 * $NAME stands for an address or a size of the fixture, filled in by the
 * test (see its tok[]): the line is then right but for the one thing it
 * names.
 */
static const char *const bad_commands[] = {
	/* The parser. */
	"",
	"   ",
	"frobnicate",
	"wrprotect_ptes mm=0 va=$VA nr=1",
	"help extra",
	"version x=1",
	"version =1",
	"version x=",
	"version x",
	"mm_create page_kb=4 page_kb=4",
	"set mm=0 a=1 b=1 c=1 d=1 e=1 f=1 g=1 h=1 i=1 j=1 k=1 l=1 m=1 n=1 o=1 p=1",
	/* Numbers. */
	"mm_create page_kb=",
	"mm_create page_kb=0x",
	"mm_create page_kb=4k",
	"mm_create page_kb=-4",
	"mm_create page_kb= 4",
	"mm_create page_kb=18446744073709551616",
	"mm_create page_kb=08",
	/* Geometry. */
	"mm_create page_kb=8",
	"mm_create page_kb=128",
	"mm_create page_kb=0",
	"mm_create pa_bits=50",
	"mm_create pa_bits=4294967344",
	"mm_create va_bits=35",
	"mm_create va_bits=53",
	"mm_create page_kb=$KB base_pfn=$HIGHPFN arena_pages=16",
	"mm_create arena_pages=0",
	"mm_create backing=2",
	"mm_create check=yes",
	/* VMAs. */
	"mmap mm=0 start=$VEND len=$PAGE flags=r,w,bogus",
	"mmap mm=0 start=$VEND len=$PAGE flags=r,,w",
	"mmap mm=0 start=$VEND len=$PAGE flags=w",
	"mmap mm=0 start=$VA len=$PAGE",
	"mmap mm=0 start=$VEND1 len=$PAGE",
	"mmap mm=0 start=$VEND len=0",
	"mmap mm=0 start=$TOP len=$TOP",
	"mmap mm=0 start=$HIGHVA len=$PAGE",
	"mmap mm=0",
	"mmap mm=1 start=$VEND len=$PAGE",
	"mmap mm=16 start=$VEND len=$PAGE",
	"mmap mm=0x10000000000000000 start=$VEND len=$PAGE",
	/* Populate. */
	"populate mm=0 va=$VEND len=$PAGE",
	"populate mm=0 va=$FREE len=$VMALEN",
	"populate mm=0 va=$VA len=$PAGE",
	"populate mm=0 va=$FREE len=$BLOCK order=$BADORDER",
	"populate mm=0 va=$FREEPAGE len=$BLOCK order=$ORDER",
	"populate mm=0 va=$FREE len=0",
	"populate mm=0 va=$FREE1 len=$PAGE",
	"populate mm=0 va=$FREE len=$PAGE per_pte=2",
	"populate mm=0 va=$TOP len=$PAGE",
	/* Helpers on a range. */
	"wrprotect mm=0 va=$VA1 nr=1",
	"wrprotect mm=0 va=$VA nr=0",
	"wrprotect mm=0 va=$VA",
	"wrprotect mm=0 va=$VA nr=$TOOMANY",
	"wrprotect mm=0 va=$TOPPAGE nr=2",
	"wrprotect mm=0 va=$VEND nr=1",
	"wrprotect mm=0 va=$VENDM1 nr=2",
	"ptep_get mm=0 va=$VA nr=1",
	"ptep_get mm=0 va=$VA va=$VA",
	"get_and_clear mm=0 va=$FREE nr=1",
	"get_and_clear mm=0 va=$VA nr=1 full=2",
	"get_and_clear mm=0 va=$VA nr=1 full=0",
	"clear_full mm=0 va=$VA nr=1 full=0",
	"clear_full mm=0 va=$VA nr=$TWOBLOCKS1",
	"young mm=0 va=$VA flush=3",
	"set_access_flags mm=0 va=$FREE",
	"clear_young_dirty mm=0 va=$VA nr=1 young=0 dirty=0",
	"fold mm=0 va=$VA",
	"fold mm=0 va=$FREE",
	"unfold mm=0 va=$FREE",
	"access mm=0 va=$VA4",
	"access mm=0 va=$HIGHVA",
	"dump mm=0 va=$VA nr=513",
	"dump mm=0 va=$VA1",
	"flush mm=0 va=$VA1",
	"flush mm=0 va=$VA nr=0",
	"checksum mm=0 va=$VA len=$PAGE",
	"folio mm=0 va=$FREE",
	"mm_destroy mm=3",
	/* Knobs: one bad value changes none. */
	"set mm=0",
	"set mm=0 contpte=2",
	"set mm=0 bogus=1",
	"set mm=0 contpte=0 autofold=5",
	"set mm=0 gather_capacity=0",
	"set mm=0 ad_policy=4",
	"set mm=0 seed=0xffffffffffffffff",
	"set mm=0 bbml2=1",
};

TEST_F(cmd, bad_commands_get_einval_a_reason_and_change_nothing)
{
	const struct pb_geom *g = &self->mm->geom;
	u64 vend = NT_VA + NR_BLOCKS * self->block, hole = NT_VA + 4 * self->block;
	const struct tok t[] = {
		{ "VA", NT_VA }, { "VA1", NT_VA + 1 }, { "VA4", NT_VA + 4 },
		{ "PAGE", self->psize }, { "BLOCK", self->block },
		{ "TWOBLOCKS1", 2 * self->cont + 1 },
		{ "FREE", hole }, { "FREE1", hole + 1 },
		{ "FREEPAGE", hole + self->psize },
		{ "VEND", vend }, { "VEND1", vend + 1 },
		{ "VENDM1", vend - self->psize },
		{ "VMALEN", NR_BLOCKS * self->block },
		{ "ORDER", variant->cont_shift },
		{ "BADORDER", pb_pmd_order(g) + 1 },
		{ "TOOMANY", pb_ptrs_per_table(g) + 1 },
		{ "TOP", 1ULL << 63 }, { "TOPPAGE", -self->psize },
		{ "HIGHVA", 1ULL << 48 }, { "KB", variant->page_kb },
		{ "HIGHPFN", 1ULL << (48 - variant->page_shift) },
	};
	unsigned int nr_ptes = NR_BLOCKS * self->cont, i;
	struct state *before, *after;

	before = calloc(2, sizeof(*before));
	ASSERT_NE(NULL, before);
	after = before + 1;
	for (i = 0; i < ARRAY_SIZE(bad_commands); i++) {
		s64 errors = atomic64_read(&pb_counters[PB_CNT_command_errors]);
		char line[512];
		int ret;

		expand(line, sizeof(line), bad_commands[i], t, ARRAY_SIZE(t));
		save(before, self->s, self->mm, nr_ptes);
		ret = pb_session_exec(self->s, line, strlen(line));
		save(after, self->s, self->mm, nr_ptes);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("'%s': %s", line, self->s->reply.buf);
		EXPECT_TRUE(nt_one_error_line(&self->s->reply))
			TH_LOG("'%s': '%s'", line, self->s->reply.buf);
		EXPECT_EQ(errors + 1, atomic64_read(&pb_counters[PB_CNT_command_errors]));
		EXPECT_EQ(0, memcmp(before, after, sizeof(*before)))
			TH_LOG("'%s' changed something", line);
	}
	free(before);
}

TEST_F(cmd, bad_lines_get_einval)
{
	char line[PB_CMD_MAX + 8];

	EXPECT_EQ(-EINVAL, pb_session_exec(self->s, "help\nhelp", 9));
	EXPECT_STREQ("error: one command per write, printable characters only\n",
		     self->s->reply.buf);
	EXPECT_EQ(-EINVAL, pb_session_exec(self->s, "help\n\n", 6));
	EXPECT_EQ(-EINVAL, pb_session_exec(self->s, "help\x01", 5));
	EXPECT_EQ(-EINVAL, pb_session_exec(self->s, "help\0x", 6));
	EXPECT_EQ(-EINVAL, pb_session_exec(self->s, "version \xff", 9));
	/* Latin-1's printable 0xa0-0xfe are not ASCII: refused, not echoed. */
	EXPECT_EQ(-EINVAL, pb_session_exec(self->s, "help\xa0", 5));
	EXPECT_STREQ("error: one command per write, printable characters only\n",
		     self->s->reply.buf);
	EXPECT_EQ(-EINVAL, pb_session_exec(self->s, "v\xe9rsion", 8));
	EXPECT_STREQ("error: one command per write, printable characters only\n",
		     self->s->reply.buf);
	EXPECT_EQ(-EINVAL, pb_session_exec(self->s, "help\x7f", 5));
	/* One byte short of the limit fits; the limit does not. */
	memset(line, ' ', sizeof(line));
	memcpy(line, "version", 7);
	EXPECT_EQ(0, pb_session_exec(self->s, line, PB_CMD_MAX - 1));
	EXPECT_EQ(-EINVAL, pb_session_exec(self->s, line, PB_CMD_MAX));
	EXPECT_TRUE(nt_one_error_line(&self->s->reply));
	/* ...but for a trailing newline. */
	line[PB_CMD_MAX - 1] = '\n';
	EXPECT_EQ(0, pb_session_exec(self->s, line, PB_CMD_MAX));
	/* A single trailing newline, and tabs between arguments, are fine. */
	EXPECT_EQ(0, pb_session_exec(self->s, "version\n", 8));
	EXPECT_EQ(0, nt_run(self->s, "ptep_get\tmm=0  va=0x%llx\t", NT_VA));
}

/* --- Good commands ----------------------------------------------------------------- */

/* The commands of the UAPI, spelt from its list and not from the registry. */
static const char *const uapi_commands[PB_NR_COMMANDS] = {
#define PB_COMMAND(name)	\
	[PB_CMD_##name] = #name,
#include "uapi/ptebatch_names.h"
};

/*
 * help lists every command of the UAPI exactly once, in the UAPI's order, as
 * its synopsis, an indented line of help and a "key" line per key of the
 * table: a command missing from the registry, listed twice, a key missing or
 * a stray line fails.
 */
TEST_F(cmd, help_lists_every_uapi_command_once)
{
	unsigned int seen[PB_NR_COMMANDS] = { }, lines = 0, key_lines = 0, i;
	const char *missing = NULL, *p;

	EXPECT_EQ(0, pb_commands_check(&missing)) TH_LOG("%s", missing);
	ASSERT_EQ(0, nt_run(self->s, "help"));
	for (p = self->s->reply.buf; *p; p = strchr(p, '\n') + 1) {
		size_t len = strcspn(p, "\n ");

		ASSERT_NE(NULL, strchr(p, '\n'));
		lines++;
		if (!strncmp(p, "    key ", 8))
			key_lines++;
		if (*p == ' ')
			continue;
		for (i = 0; i < PB_NR_COMMANDS; i++) {
			if (uapi_commands[i] && strlen(uapi_commands[i]) == len &&
			    !strncmp(p, uapi_commands[i], len))
				break;
		}
		ASSERT_GT(PB_NR_COMMANDS, i) TH_LOG("help lists '%.*s'", (int)len, p);
		EXPECT_TRUE(p[len] == ' ' || p[len] == '\n') TH_LOG("%s", uapi_commands[i]);
		/* In the UAPI's order: the one before it was the last seen. */
		EXPECT_TRUE(!i || seen[i - 1]) TH_LOG("%s", uapi_commands[i]);
		seen[i]++;
	}
	for (i = 0; i < PB_NR_COMMANDS; i++) {
		EXPECT_EQ(1, seen[i]) TH_LOG("help lists %s %u times", uapi_commands[i], seen[i]);
		EXPECT_STREQ(uapi_commands[i], pb_commands[i].name);
	}
	EXPECT_EQ(PB_NR_KEYS, key_lines);
	EXPECT_EQ(2 * PB_NR_COMMANDS + PB_NR_KEYS, lines);
}

/* help's synopsis: required keys bare, optional ones in brackets. */
TEST_F(cmd, help_marks_required_keys)
{
	ASSERT_EQ(0, nt_run(self->s, "help"));
	EXPECT_NE(NULL, strstr(self->s->reply.buf,
			       "\nmmap mm=N start=N len=N [flags=TEXT]\n"));
	EXPECT_NE(NULL, strstr(self->s->reply.buf,
			       "    key nr optional default 1 range 1..512\n"));
	EXPECT_NE(NULL, strstr(self->s->reply.buf,
			       "    key prot required values none|r|rw\n"));
	EXPECT_NE(NULL, strstr(self->s->reply.buf,
			       "    key flags optional default r,w,anon\n"));
	EXPECT_NE(NULL, strstr(self->s->reply.buf, "\nset mm=N [knob=N...]\n"));
}

static int nt_keys_run(void *ctx, const char *line)
{
	return nt_run(ctx, "%s", line);
}

static const char *nt_keys_reply(void *ctx)
{
	return ((struct pb_session *)ctx)->reply.buf;
}

/* Every key of every command, as help gives it, in a session of its own. */
TEST(keys_of_help)
{
	struct pb_session *s = pb_session_create();
	struct pb_keys_ops ops = { nt_keys_run, nt_keys_reply };

	ASSERT_NE(NULL, s);
	ops.ctx = s;
	pb_keys_check(_metadata, &ops);
	pb_session_destroy(s);
}

TEST_F(cmd, informational_commands)
{
	struct pb_reply r = { };
	unsigned int i;
	char want[256];

	ASSERT_EQ(0, nt_run(self->s, "help"));
	ASSERT_EQ(0, nt_run(self->s, "version"));
	EXPECT_STREQ("ptebatch " PTEBATCH_VERSION "\n", self->s->reply.buf);
	ASSERT_EQ(0, nt_run(self->s, "session"));
	/* Three in the setup, then help and version; this one counts after. */
	snprintf(want, sizeof(want),
		 "id %llu\ncommands 5\nbudget_bytes %lld\nused_bytes %lld\nbudget_refusals 0\n",
		 self->s->id, (long long)atomic64_read(&self->s->budget.limit),
		 (long long)atomic64_read(&self->s->budget.used));
	EXPECT_STREQ(want, self->s->reply.buf);
	/* The fixture's mm is the session's, and within its budget. */
	EXPECT_LT(0, atomic64_read(&self->s->budget.used));
	EXPECT_GE(atomic64_read(&self->s->budget.limit), atomic64_read(&self->s->budget.used));
	EXPECT_EQ(6, self->s->nr_commands);
	ASSERT_EQ(0, nt_run(self->s, "stats"));
	EXPECT_EQ(1, nt_reply_val(self->s, pb_counter_names[PB_CNT_live_sessions]));
	EXPECT_EQ(1, nt_reply_val(self->s, pb_counter_names[PB_CNT_live_mms]));
	EXPECT_EQ(2, nt_reply_val(self->s, pb_counter_names[PB_CNT_live_folios]));
	EXPECT_EQ(atomic64_read(&pb_counters[PB_CNT_live_bytes]),
		  nt_reply_val(self->s, pb_counter_names[PB_CNT_live_bytes]));
	ASSERT_EQ(0, nt_run(self->s, "knobs mm=0"));
	for (i = 0; i < PB_NR_KNOBS; i++) {
		snprintf(want, sizeof(want), "%s %llu\t# ", pb_knobs[i].name,
			 self->mm->knobs[i]);
		EXPECT_NE(NULL, strstr(self->s->reply.buf, want)) TH_LOG("%s", want);
	}
	ASSERT_EQ(0, nt_run(self->s, "mm_stats mm=0"));
	for (i = 0; i < PB_NR_MM_COUNTERS; i++) {
		long long v = nt_reply_val(self->s, pb_mm_counter_names[i]);

		EXPECT_EQ((long long)self->mm->counters[i], v)
			TH_LOG("%s", pb_mm_counter_names[i]);
	}
	EXPECT_EQ(2, nt_reply_val(self->s, nt_mm_state_names[PB_MMS_arena_folios]));
	ASSERT_EQ(0, nt_run(self->s, "check mm=0"));
	EXPECT_STREQ("violations 0\n", self->s->reply.buf);
	/* The stats file's per-mm part. */
	r.size = PB_STATS_MAX;
	r.buf = calloc(1, r.size);
	ASSERT_NE(NULL, r.buf);
	pb_registry_lock_stats();
	pb_mm_stats_show(&r);
	pb_registry_unlock_stats();
	snprintf(want, sizeof(want), "mm.%llu.0.pte_writes %llu\n", self->s->id,
		 self->mm->counters[PB_MMC_pte_writes]);
	EXPECT_NE(NULL, strstr(r.buf, want)) TH_LOG("%s", r.buf);
	free(r.buf);
}

/*
 * folio names a page cache page's file and index, and refuses the zero page,
 * which is no folio; mm_stats counts the page cache's folios.
 */
TEST_F(cmd, folio_shows_the_page_cache_and_refuses_the_zero_page)
{
	u64 file = NT_VA + NR_BLOCKS * self->block, anon = file + self->block;
	u64 page = file + 3 * self->psize;

	ASSERT_EQ(0, nt_run(self->s, "mmap mm=0 start=0x%llx len=0x%llx flags=r,w,shared",
			    file, self->block));
	ASSERT_EQ(0, nt_run(self->s, "mmap mm=0 start=0x%llx len=0x%llx flags=r,w,anon",
			    anon, self->block));
	ASSERT_EQ(0, nt_run(self->s, "touch mm=0 va=0x%llx", page));
	ASSERT_EQ(0, nt_run(self->s, "folio mm=0 va=0x%llx", page));
	EXPECT_EQ(self->mm->vmas[self->mm->nr_vmas - 2].file,
		  nt_reply_val(self->s, "file"));
	EXPECT_NE(0, nt_reply_val(self->s, "file"));
	EXPECT_EQ(page >> variant->page_shift, nt_reply_val(self->s, "index"));
	EXPECT_EQ(0, nt_reply_val(self->s, "anon"));
	ASSERT_EQ(0, nt_run(self->s, "mm_stats mm=0"));
	EXPECT_EQ(1, nt_reply_val(self->s, "page_cache_folios"));
	EXPECT_EQ(1, nt_reply_val(self->s, "page_cache_maps"));

	ASSERT_EQ(0, nt_run(self->s, "touch mm=0 va=0x%llx", anon));
	EXPECT_EQ(-EINVAL, nt_run(self->s, "folio mm=0 va=0x%llx", anon));
	EXPECT_NE(NULL, strstr(self->s->reply.buf, "maps the zero page"));
	ASSERT_EQ(0, nt_run(self->s, "mm_stats mm=0"));
	EXPECT_EQ(1, nt_reply_val(self->s, "zero_page_faults"));
}

TEST_F(cmd, dump_folio_and_ptep_get_describe_the_entries)
{
	const struct pb_geom *g = &self->mm->geom;
	pb_pte_t *ptep = pb_pte_offset(self->mm, NT_VA, false);
	u64 head = pb_pte_pfn(g, ptep[0]);
	char want[4096], flags[96];
	int len = 0;
	unsigned int i;

	/* From the last entry of block 0 into block 1. */
	for (i = 0; i < 3; i++) {
		u64 idx = self->cont - 1 + i;

		pb_pte_flags_str(ptep[idx], flags, sizeof(flags));
		len += snprintf(want + len, sizeof(want) - len,
				"0x%012llx 0x%016llx %s pfn=0x%llx folio=0x%llx order=%u idx=%llu cont=1\n",
				NT_VA + idx * self->psize, ptep[idx], flags,
				pb_pte_pfn(g, ptep[idx]),
				pb_pte_pfn(g, ptep[idx]) - (idx & (self->cont - 1)),
				variant->cont_shift, idx & (self->cont - 1));
	}
	ASSERT_EQ(0, nt_run(self->s, "dump mm=0 va=0x%llx nr=3",
			    NT_VA + self->block - self->psize));
	EXPECT_STREQ(want, self->s->reply.buf);
	EXPECT_NE(NULL, strstr(want, ",CONT,"));
	ASSERT_EQ(0, nt_run(self->s, "dump mm=0 va=0x%llx", NT_VA + 2 * self->block));
	snprintf(want, sizeof(want), "0x%012llx 0x%016llx none\n",
		 NT_VA + 2 * self->block, 0ULL);
	EXPECT_STREQ(want, self->s->reply.buf);

	ASSERT_EQ(0, nt_run(self->s, "folio mm=0 va=0x%llx", NT_VA + 3 * self->psize));
	snprintf(want, sizeof(want),
		 "pfn 0x%llx\nhead 0x%llx\norder %u\nrefcount %u\nmapcount 1\n"
		 "large_mapcount %u\npincount 0\nanon 1\nexclusive 1\ndeferred 0\ndirty 0\n"
		 "file 0\nindex 0x0\nentire_mapcount 0\npmd 0\npartially_mapped 0\n",
		 head + 3, head, variant->cont_shift, self->cont, self->cont);
	EXPECT_STREQ(want, self->s->reply.buf);

	ASSERT_EQ(0, nt_run(self->s, "ptep_get mm=0 va=0x%llx", NT_VA + self->psize));
	EXPECT_EQ(ptep[1], (u64)nt_reply_val(self->s, "pte"));
	EXPECT_EQ(ptep[1], (u64)nt_reply_val(self->s, "raw"));
	EXPECT_EQ(head + 1, nt_reply_val(self->s, "pfn"));
	EXPECT_EQ(1, nt_reply_val(self->s, "dirty"));
	EXPECT_EQ(1, nt_reply_val(self->s, "young"));
	EXPECT_EQ(1, nt_reply_val(self->s, "write"));
}

TEST_F(cmd, helper_commands_move_the_counters)
{
	struct pb_mm *mm = self->mm;
	unsigned int cont = self->cont;
	u64 unfolds = mm->counters[PB_MMC_unfolds];
	u64 folds = mm->counters[PB_MMC_folds];
	u64 tlbi = mm->counters[PB_MMC_tlbi_range];

	/* A partial wrprotect: two edge unfolds and the caller's flush. */
	ASSERT_EQ(0, nt_run(self->s, "wrprotect mm=0 va=0x%llx nr=%u",
			    NT_VA + self->psize, 2 * cont - 2));
	EXPECT_EQ(unfolds + 2, mm->counters[PB_MMC_unfolds]);
	EXPECT_EQ(tlbi + 3, mm->counters[PB_MMC_tlbi_range]);
	/* Fold a block back: the wrprotected entries differ from the first. */
	EXPECT_EQ(-EINVAL, nt_run(self->s, "fold mm=0 va=0x%llx", NT_VA));
	EXPECT_NE(NULL, strstr(self->s->reply.buf, "entries differ"));
	ASSERT_EQ(0, nt_run(self->s, "set_access_flags mm=0 va=0x%llx write=1",
			    NT_VA + self->block));
	EXPECT_EQ(-EINVAL, nt_run(self->s, "fold mm=0 va=0x%llx", NT_VA + self->block));
	ASSERT_EQ(0, nt_run(self->s, "wrprotect mm=0 va=0x%llx nr=1", NT_VA));
	ASSERT_EQ(0, nt_run(self->s, "fold mm=0 va=0x%llx", NT_VA));
	EXPECT_EQ(folds + 1, mm->counters[PB_MMC_folds]);
	ASSERT_EQ(0, nt_run(self->s, "unfold mm=0 va=0x%llx", NT_VA + self->psize));
	EXPECT_EQ(unfolds + 3, mm->counters[PB_MMC_unfolds]);
	/* young, then again: the block was young once. */
	ASSERT_EQ(0, nt_run(self->s, "populate mm=0 va=0x%llx len=0x%llx order=%u",
			    NT_VA + 2 * self->block, self->block, variant->cont_shift));
	ASSERT_EQ(0, nt_run(self->s, "young mm=0 va=0x%llx flush=1",
			    NT_VA + 2 * self->block + self->psize));
	EXPECT_STREQ("young 1\n", self->s->reply.buf);
	ASSERT_EQ(0, nt_run(self->s, "young mm=0 va=0x%llx", NT_VA + 2 * self->block));
	EXPECT_STREQ("young 0\n", self->s->reply.buf);
	ASSERT_EQ(0, nt_run(self->s, "clear_young_dirty mm=0 va=0x%llx nr=2",
			    NT_VA + 2 * self->block + self->psize));
	ASSERT_EQ(0, nt_run(self->s, "access mm=0 va=0x%llx write=1 val=7",
			    NT_VA + 2 * self->block));
	EXPECT_STREQ("fault 0\nval 0x7\n", self->s->reply.buf);
	ASSERT_EQ(0, nt_run(self->s, "get_and_clear mm=0 va=0x%llx nr=%u",
			    NT_VA + 2 * self->block, cont));
	EXPECT_EQ(1, nt_reply_val(self->s, "dirty"));
	EXPECT_EQ(1, nt_reply_val(self->s, "young"));
	ASSERT_EQ(0, nt_run(self->s, "clear_full mm=0 va=0x%llx nr=%u",
			    NT_VA + self->block + 1 * self->psize, cont - 1));
	ASSERT_EQ(0, nt_run(self->s, "munmap mm=0 va=0x%llx len=0x%llx", NT_VA,
			    NR_BLOCKS * self->block));
	ASSERT_EQ(0, nt_run(self->s, "check mm=0"));
	ASSERT_EQ(0, nt_run(self->s, "flush mm=0"));
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

/*
 * full=0 is mainline's get_and_clear_ptes() / clear_ptes(): on arm64 the same
 * as the full forms, so two mainline mms end alike; a 6.12 mm (mm 0 of the
 * native build) refuses it, as the bad-command list checks.
 */
TEST_F(cmd, get_and_clear_ptes_acts_as_the_full_form_in_mainline)
{
	unsigned int cont = self->cont, m;
	u64 va = NT_VA + 1 * self->psize;
	char reply[2][256];
	struct pb_mm *mm[2];

	for (m = 0; m < 2; m++) {
		ASSERT_EQ(0, nt_run(self->s, "mm_create page_kb=%u kernel=mainline",
				    variant->page_kb));
		mm[m] = self->s->mms[m + 1];
		ASSERT_NE(NULL, mm[m]);
		ASSERT_EQ(0, nt_run(self->s, "mmap mm=%u start=0x%llx len=0x%llx", m + 1,
				    NT_VA, 2 * self->block));
		ASSERT_EQ(0, nt_run(self->s, "populate mm=%u va=0x%llx len=0x%llx order=%u",
				    m + 1, NT_VA, 2 * self->block, variant->cont_shift + 1));
		ASSERT_EQ(0, nt_run(self->s, "access mm=%u va=0x%llx write=1 val=1", m + 1,
				    NT_VA + self->block + self->psize));
		/* Partly covering both blocks: each is unfolded at an edge. */
		ASSERT_EQ(0, nt_run(self->s, "get_and_clear mm=%u va=0x%llx nr=%u full=%u",
				    m + 1, va, cont, m));
		EXPECT_EQ(1, nt_reply_val(self->s, "dirty"));
		snprintf(reply[m], sizeof(reply[m]), "%s", self->s->reply.buf);
		ASSERT_EQ(0, nt_run(self->s, "clear_full mm=%u va=0x%llx nr=%u full=%u",
				    m + 1, va + (u64)cont * self->psize, cont - 2, m));
	}
	EXPECT_STREQ(reply[0], reply[1]);
	EXPECT_EQ(0, memcmp(mm[0]->counters, mm[1]->counters, sizeof(mm[0]->counters)));
	EXPECT_EQ(2, mm[0]->counters[PB_MMC_unfolds]);
	for (m = 0; m < 2; m++) {
		ASSERT_EQ(0, nt_run(self->s, "check mm=%u", m + 1));
		ASSERT_EQ(0, nt_run(self->s, "mm_destroy mm=%u", m + 1));
	}
}

TEST_F(cmd, backing_pages_keep_data)
{
	u64 va = NT_VA;

	ASSERT_EQ(0, nt_run(self->s, "mm_create page_kb=%u backing=1", variant->page_kb));
	ASSERT_EQ(0, nt_run(self->s, "mmap mm=1 start=0x%llx len=0x%llx", va, 2 * self->block));
	ASSERT_EQ(0, nt_run(self->s, "populate mm=1 va=0x%llx len=0x%llx order=%u", va,
			    2 * self->block, variant->cont_shift));
	EXPECT_EQ(2 * self->cont, atomic64_read(&pb_counters[PB_CNT_live_data_pages]));
	ASSERT_EQ(0, nt_run(self->s, "checksum mm=1 va=0x%llx len=0x%llx", va,
			    2 * self->block));
	EXPECT_EQ(2 * self->cont, nt_reply_val(self->s, "pages"));
	ASSERT_EQ(0, nt_run(self->s, "access mm=1 va=0x%llx write=1 val=0x1234",
			    va + self->block + 8));
	ASSERT_EQ(0, nt_run(self->s, "access mm=1 va=0x%llx", va + self->block + 8));
	EXPECT_STREQ("fault 0\nval 0x1234\n", self->s->reply.buf);
	ASSERT_EQ(0, nt_run(self->s, "access mm=1 va=0x%llx", va + self->block + 16));
	EXPECT_STREQ("fault 0\nval 0x0\n", self->s->reply.buf);
	ASSERT_EQ(0, nt_run(self->s, "mm_destroy mm=1"));
	EXPECT_EQ(0, atomic64_read(&pb_counters[PB_CNT_live_data_pages]));
}

TEST_F(cmd, a_session_holds_at_most_16_mms)
{
	unsigned int i;

	for (i = 1; i < PB_SESSION_MMS; i++)
		ASSERT_EQ(0, nt_run(self->s, "mm_create page_kb=%u arena_pages=16",
				    variant->page_kb));
	EXPECT_EQ(-EINVAL, nt_run(self->s, "mm_create"));
	EXPECT_TRUE(nt_one_error_line(&self->s->reply));
	EXPECT_EQ(PB_SESSION_MMS, atomic64_read(&pb_counters[PB_CNT_live_mms]));
	/* Destroying the session releases them all (teardown checks). */
}

/* An optional argument takes every value its range allows. */
TEST_F(cmd, optional_arguments_take_every_value)
{
	/* Not page aligned: not the whole-mm flush that an absent va means. */
	EXPECT_EQ(-EINVAL, nt_run(self->s, "flush mm=0 va=0xfffffffffffffffe"))
		TH_LOG("%s", self->s->reply.buf);
	/* The seed knob's largest value, alone and with another knob. */
	EXPECT_EQ(0, nt_run(self->s, "set mm=0 seed=0xfffffffffffffffe"))
		TH_LOG("%s", self->s->reply.buf);
	EXPECT_EQ(0xfffffffffffffffeULL, self->mm->knobs[PB_KNOB_seed]);
	self->mm->knobs[PB_KNOB_seed] = 1;
	EXPECT_EQ(0, nt_run(self->s, "set mm=0 autofold=1 seed=0xfffffffffffffffe"));
	EXPECT_EQ(0xfffffffffffffffeULL, self->mm->knobs[PB_KNOB_seed]);
}

/*
 * contpte=0 is arm64 without CONFIG_ARM64_CONTPTE, whose helpers never see a
 * CONT entry.  Switching it off over folded blocks must refuse, or unfold
 * them; either way no helper may leave a block half CONT.
 */
TEST_F(cmd, contpte_off_over_folded_blocks)
{
	pb_pte_t *ptep = pb_pte_offset(self->mm, NT_VA, false);
	unsigned int i, cont = 0;
	int ret;

	ret = nt_run(self->s, "set mm=0 contpte=0");
	if (ret) {
		EXPECT_EQ(-EINVAL, ret);
		EXPECT_TRUE(nt_one_error_line(&self->s->reply));
		EXPECT_EQ(1, self->mm->knobs[PB_KNOB_autofold]);
		return;
	}
	for (i = 0; i < 2 * self->cont; i++)
		cont += pb_pte_cont(ptep[i]);
	EXPECT_EQ(0, cont);
	EXPECT_EQ(0, nt_run(self->s, "wrprotect mm=0 va=0x%llx nr=1", NT_VA + self->psize))
		TH_LOG("%s", self->s->reply.buf);
	EXPECT_EQ(0, nt_run(self->s, "check mm=0")) TH_LOG("%s", self->s->reply.buf);
}

/* --- fail_nth ---------------------------------------------------------------------- */

/*
 * Each attempt starts from the same state, so each makes the same
 * allocations in the same order: the sweep fails each of them once, and
 * ends at the first nth past the last.  The number of failures is therefore
 * the number of allocations the successful attempt made (PB_CNT_allocs).
 */
TEST_F(cmd, fail_nth_mm_create_fails_cleanly)
{
	s64 bytes = atomic64_read(&pb_counters[PB_CNT_live_bytes]);
	s64 injected = atomic64_read(&pb_counters[PB_CNT_alloc_failures_injected]);
	unsigned int nth, failures = 0;
	struct pb_mm *mm;
	s64 allocs;

	for (nth = 1; nth < 64; nth++) {
		allocs = atomic64_read(&pb_counters[PB_CNT_allocs]);
		atomic_set(&pb_fail_nth, nth);
		mm = nt_mm_create(variant->page_kb, 48, 48, 0, 1 << 20, true);
		if (!IS_ERR(mm))
			break;
		failures++;
		EXPECT_EQ(-ENOMEM, PTR_ERR(mm));
		EXPECT_EQ(0, atomic_read(&pb_fail_nth));
		EXPECT_EQ(injected + failures,
			  atomic64_read(&pb_counters[PB_CNT_alloc_failures_injected]));
		EXPECT_EQ(bytes, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
		EXPECT_EQ(1, atomic64_read(&pb_counters[PB_CNT_live_mms]));
		EXPECT_EQ(0, __lsan_do_recoverable_leak_check());
	}
	ASSERT_FALSE(IS_ERR(mm));
	allocs = atomic64_read(&pb_counters[PB_CNT_allocs]) - allocs;
	/* Every allocation of create was made to fail once, and no other. */
	EXPECT_EQ(nth - 1, failures);
	EXPECT_EQ(allocs, failures);
	/* The successful attempt did not reach its nth allocation. */
	EXPECT_EQ(nth - allocs, atomic_read(&pb_fail_nth));
	atomic_set(&pb_fail_nth, 0);
	pb_mm_destroy(mm);
	EXPECT_EQ(bytes, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
}

/*
 * As above, on a fresh mm with backing pages each time, so that every folio
 * allocates its data and every page table is new: a failure keeps no table,
 * but a table made before it stays, and on the same mm the next attempt
 * would skip its allocations, which would then never fail.  Batched and per
 * PTE alternate; both make the same allocations.
 */
TEST_F(cmd, fail_nth_populate_fails_cleanly)
{
	u64 va = NT_VA + 2 * self->block, len = 4 * self->block;
	unsigned int nth, failures = 0, i;
	const char *why = NULL;
	struct pb_mm *mm;
	s64 allocs;
	int ret;

	for (nth = 1; nth < 256; nth++) {
		s64 data = atomic64_read(&pb_counters[PB_CNT_live_data_pages]);
		unsigned int mapped = 0;
		u64 folios, meta;

		ASSERT_EQ(0, nt_run(self->s, "mm_create page_kb=%u backing=1", variant->page_kb));
		mm = self->s->mms[1];
		ASSERT_EQ(0, pb_vma_add(mm, va, va + len, PB_VM_READ | PB_VM_WRITE | PB_VM_ANON,
					&why));
		folios = mm->phys->live_folios;
		meta = mm->phys->meta_bytes;
		allocs = atomic64_read(&pb_counters[PB_CNT_allocs]);
		atomic_set(&pb_fail_nth, nth);
		ret = pb_populate(mm, va, va + len, variant->cont_shift, nth & 1, &why);
		if (!ret)
			break;
		failures++;
		EXPECT_EQ(-ENOMEM, ret);
		EXPECT_NE(NULL, why);
		EXPECT_EQ(0, atomic_read(&pb_fail_nth));
		/* Nothing stays mapped, no folio stays allocated. */
		for (i = 0; i < len / self->psize; i++) {
			pb_pte_t *ptep = pb_pte_offset(mm, va + i * self->psize, false);

			mapped += ptep && *ptep;
		}
		EXPECT_EQ(0, mapped) TH_LOG("nth %u", nth);
		EXPECT_EQ(folios, mm->phys->live_folios);
		EXPECT_EQ(data, atomic64_read(&pb_counters[PB_CNT_live_data_pages]));
		/* No arena section a failed folio allocation made stays. */
		EXPECT_EQ(meta, mm->phys->meta_bytes) TH_LOG("nth %u", nth);
		EXPECT_EQ(0, pb_check_mm(mm));
		ASSERT_EQ(0, nt_run(self->s, "mm_destroy mm=1"));
	}
	ASSERT_EQ(0, ret);
	allocs = atomic64_read(&pb_counters[PB_CNT_allocs]) - allocs;
	atomic_set(&pb_fail_nth, 0);
	/* Every allocation of the populate was made to fail once. */
	EXPECT_EQ(nth - 1, failures);
	EXPECT_EQ(allocs, failures);
	EXPECT_EQ(4, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
	EXPECT_EQ(0, mm->counters[PB_MMC_violations]);
}

TEST_F(cmd, fail_nth_in_sessions_and_commands)
{
	struct pb_session *s;

	atomic_set(&pb_fail_nth, 1);
	EXPECT_EQ(ERR_PTR(-ENOMEM), pb_session_create());
	atomic_set(&pb_fail_nth, 2);
	EXPECT_EQ(ERR_PTR(-ENOMEM), pb_session_create());
	EXPECT_EQ(1, atomic64_read(&pb_counters[PB_CNT_live_sessions]));
	atomic_set(&pb_fail_nth, 3);
	s = pb_session_create();
	ASSERT_FALSE(IS_ERR(s));
	atomic_set(&pb_fail_nth, 0);
	pb_session_destroy(s);

	/* A command that runs out of memory says so, and leaves nothing. */
	atomic_set(&pb_fail_nth, 1);
	EXPECT_EQ(-ENOMEM, nt_run(self->s, "mm_create page_kb=%u", variant->page_kb));
	EXPECT_STREQ("error: mm_create: out of memory\n", self->s->reply.buf);
	EXPECT_EQ(NULL, self->s->mms[1]);
	/* A fresh mm: populate needs page tables first. */
	ASSERT_EQ(0, nt_run(self->s, "mm_create page_kb=%u backing=1", variant->page_kb));
	ASSERT_EQ(0, nt_run(self->s, "mmap mm=1 start=0x%llx len=0x%llx", NT_VA,
			    self->block));
	atomic_set(&pb_fail_nth, 1);
	EXPECT_EQ(-ENOMEM, nt_run(self->s, "populate mm=1 va=0x%llx len=0x%llx order=%u",
				  NT_VA, self->block, variant->cont_shift));
	EXPECT_STREQ("error: populate: out of memory for page tables\n",
		     self->s->reply.buf);
	/* The tables are there now: the folio's backing data fails. */
	ASSERT_EQ(0, pb_pgtable_prealloc(self->s->mms[1], NT_VA, NT_VA + self->block));
	atomic_set(&pb_fail_nth, 1);
	EXPECT_EQ(-ENOMEM, nt_run(self->s, "populate mm=1 va=0x%llx len=0x%llx order=%u",
				  NT_VA, self->block, variant->cont_shift));
	EXPECT_TRUE(nt_one_error_line(&self->s->reply)) TH_LOG("%s", self->s->reply.buf);
	EXPECT_EQ(0, self->s->mms[1]->phys->live_folios);
	EXPECT_EQ(0, atomic64_read(&pb_counters[PB_CNT_live_data_pages]));
	atomic_set(&pb_fail_nth, 0);
	EXPECT_EQ(0, nt_run(self->s, "populate mm=1 va=0x%llx len=0x%llx order=%u",
			    NT_VA, self->block, variant->cont_shift));
}

/*
 * A reply may be PB_REPLY_MAX bytes long, not one more: the buffer has room
 * for vsnprintf()'s NUL after the last byte.
 */
TEST_F(cmd, a_reply_of_exactly_the_maximum_fits)
{
	struct pb_reply *r = &self->s->reply;
	char chunk[1025];
	unsigned int i;

	memset(chunk, 'x', sizeof(chunk) - 1);
	chunk[sizeof(chunk) - 1] = '\0';
	pb_reply_reset(r);
	for (i = 0; i < PB_REPLY_MAX / 1024 - 1; i++)
		pb_reply_printf(r, "%s", chunk);
	/* The last chunk, one byte short, then the last byte. */
	pb_reply_printf(r, "%s", chunk + 1);
	EXPECT_FALSE(r->overflow);
	pb_reply_printf(r, "\n");
	EXPECT_FALSE(r->overflow);
	EXPECT_EQ(PB_REPLY_MAX, r->len);
	EXPECT_EQ(PB_REPLY_MAX, strlen(r->buf));
	pb_reply_printf(r, "y");
	EXPECT_TRUE(r->overflow);
	EXPECT_EQ(PB_REPLY_MAX, r->len);
	EXPECT_EQ('\n', r->buf[PB_REPLY_MAX - 1]);
}

/*
 * Out of memory inside the oracle (from its own VMAs, and from a copy of
 * mm 0) and bench is ENOMEM with "out of memory",
 * at every allocation they make, never EINVAL or a false oracle mismatch
 * (EUCLEAN), and leaves nothing behind.  (bench op=mprotect allocates
 * nothing.)
 */
TEST_F(cmd, fail_nth_oracle_and_bench_fail_with_enomem)
{
	static const char *const cmds[] = {
		"oracle seed=3 seeds=2 steps=40",
		"oracle seed=5 steps=30 backing=1",
		"oracle mm=0 seed=3 seeds=2 steps=20",
		"bench mm=0 op=fork",
		"bench mm=0 op=zap",
		"bench op=memcpy bytes=4096",
		"bench op=memset bytes=4096",
		"bench op=rmw bytes=4096",
		"bench mm=0 op=floor",
	};
	s64 bytes = atomic64_read(&pb_counters[PB_CNT_live_bytes]);
	s64 mms = atomic64_read(&pb_counters[PB_CNT_live_mms]);
	unsigned int c, nth, failures;
	int ret;

	for (c = 0; c < ARRAY_SIZE(cmds); c++) {
		failures = 0;
		for (nth = 1; nth < 4096; nth++) {
			atomic_set(&pb_fail_nth, nth);
			ret = nt_run(self->s, "%s", cmds[c]);
			if (!ret)
				break;
			failures++;
			EXPECT_EQ(-ENOMEM, ret) TH_LOG("%s, nth %u: %s", cmds[c], nth,
						       self->s->reply.buf);
			EXPECT_NE(NULL, strstr(self->s->reply.buf, "out of memory"))
				TH_LOG("%s, nth %u: %s", cmds[c], nth, self->s->reply.buf);
			EXPECT_TRUE(nt_one_error_line(&self->s->reply));
			EXPECT_EQ(bytes, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
			EXPECT_EQ(mms, atomic64_read(&pb_counters[PB_CNT_live_mms]));
			if (ret != -ENOMEM)
				break;
		}
		atomic_set(&pb_fail_nth, 0);
		EXPECT_EQ(0, ret) TH_LOG("%s", cmds[c]);
		EXPECT_LT(0, failures) TH_LOG("%s", cmds[c]);
		EXPECT_EQ(bytes, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
	}
}

/*
 * The memory budget: an allocation past it fails, the command says which
 * limit it hit, counts it in budget_refusals, and leaves nothing behind;
 * the budget is 1 byte up to its ceiling.
 */
TEST_F(cmd, the_memory_budget_fails_a_populate_cleanly)
{
	s64 refusals = atomic64_read(&pb_counters[PB_CNT_budget_refusals]);
	u64 len = 4 * self->block;
	struct pb_mm *mm;
	s64 bytes;

	pb_budget_init(1ULL << 40);
	EXPECT_EQ(-EINVAL, pb_budget_set(0));
	EXPECT_EQ(-EINVAL, pb_budget_set((1ULL << 40) + 1));
	EXPECT_EQ(1ULL << 40, atomic64_read(&pb_budget_bytes));
	/* With backing pages, every folio allocates its data. */
	ASSERT_EQ(0, nt_run(self->s, "mm_create page_kb=%u backing=1", variant->page_kb));
	ASSERT_EQ(0, nt_run(self->s, "mmap mm=1 start=0x%llx len=0x%llx", NT_VA, len));
	mm = self->s->mms[1];
	ASSERT_EQ(0, pb_pgtable_prealloc(mm, NT_VA, NT_VA + len));
	/* Nothing more than what is live now. */
	bytes = atomic64_read(&pb_counters[PB_CNT_live_bytes]);
	ASSERT_EQ(0, pb_budget_set(bytes));
	EXPECT_EQ(-ENOMEM, nt_run(self->s, "populate mm=1 va=0x%llx len=0x%llx order=%u",
				  NT_VA, len, variant->cont_shift));
	EXPECT_NE(NULL, strstr(self->s->reply.buf,
			       "populate: over the memory budget: budget_bytes is"))
		TH_LOG("%s", self->s->reply.buf);
	EXPECT_TRUE(nt_one_error_line(&self->s->reply));
	EXPECT_LT(refusals, atomic64_read(&pb_counters[PB_CNT_budget_refusals]));
	EXPECT_EQ(bytes, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
	/* Other failures are not the budget's. */
	pb_budget_init(S64_MAX);
	atomic_set(&pb_fail_nth, 1);
	EXPECT_EQ(-ENOMEM, nt_run(self->s, "mm_create page_kb=%u", variant->page_kb));
	EXPECT_STREQ("error: mm_create: out of memory\n", self->s->reply.buf);
	EXPECT_EQ(0, nt_run(self->s, "populate mm=1 va=0x%llx len=0x%llx order=%u",
			    NT_VA, len, variant->cont_shift));
}

/*
 * The session's memory budget: by default a fraction of the module's, set to
 * 1 up to the module's; an allocation past it fails with ENOMEM, names the
 * session budget, counts in the session's budget_refusals and in the
 * global one, and leaves nothing behind.  used_bytes goes back to what it
 * was when the session's mm goes.
 */
TEST_F(cmd, the_session_budget_fails_a_populate_cleanly)
{
	s64 refusals = atomic64_read(&pb_counters[PB_CNT_budget_refusals]);
	struct pb_session *s = self->s, *t;
	u64 len = 4 * self->block;
	long long used0, used, live;
	struct pb_mm *mm;

	pb_budget_init(1ULL << 40);
	/* A new session's default is the module's budget over the divisor. */
	t = pb_session_create();
	ASSERT_FALSE(IS_ERR(t));
	ASSERT_EQ(0, nt_run(t, "session"));
	EXPECT_EQ((1LL << 40) / PB_SESSION_BUDGET_DIVISOR, nt_reply_val(t, "budget_bytes"));
	EXPECT_EQ(0, nt_reply_val(t, "used_bytes"));
	EXPECT_EQ(0, nt_reply_val(t, "budget_refusals"));
	/* At the module's budget: taken.  Past it, or 0: refused, unchanged. */
	ASSERT_EQ(0, nt_run(t, "session budget_bytes=%llu", 1ULL << 40));
	EXPECT_EQ(1LL << 40, nt_reply_val(t, "budget_bytes"));
	EXPECT_EQ(-EINVAL, nt_run(t, "session budget_bytes=%llu", (1ULL << 40) + 1));
	EXPECT_TRUE(nt_one_error_line(&t->reply));
	EXPECT_NE(NULL, strstr(t->reply.buf, "budget_bytes must be 1 to the module's"));
	EXPECT_EQ(-EINVAL, nt_run(t, "session budget_bytes=0"));
	EXPECT_EQ(-EINVAL, nt_run(t, "session budget_bytes=-1"));
	ASSERT_EQ(0, nt_run(t, "session"));
	EXPECT_EQ(1LL << 40, nt_reply_val(t, "budget_bytes"));
	pb_session_destroy(t);

	/* The fixture's mm 0 is charged to its session. */
	ASSERT_EQ(0, nt_run(s, "mm_create page_kb=%u backing=1", variant->page_kb));
	ASSERT_EQ(0, nt_run(s, "mmap mm=1 start=0x%llx len=0x%llx", NT_VA, len));
	mm = s->mms[1];
	/* Allocated outside a command: charged to the session as a command's. */
	pb_account_enter(&s->budget);
	ASSERT_EQ(0, pb_pgtable_prealloc(mm, NT_VA, NT_VA + len));
	pb_account_leave(&s->budget);
	ASSERT_EQ(0, nt_run(s, "session"));
	used0 = nt_reply_val(s, "used_bytes");
	ASSERT_LT(0, used0);
	/* Nothing more than what the session has now. */
	ASSERT_EQ(0, nt_run(s, "session budget_bytes=%lld", used0));
	live = atomic64_read(&pb_counters[PB_CNT_live_bytes]);
	EXPECT_EQ(-ENOMEM, nt_run(s, "populate mm=1 va=0x%llx len=0x%llx order=%u",
				  NT_VA, len, variant->cont_shift));
	EXPECT_NE(NULL,
		  strstr(s->reply.buf,
			 "populate: over the session's memory budget: session budget_bytes is"))
		TH_LOG("%s", s->reply.buf);
	EXPECT_TRUE(nt_one_error_line(&s->reply));
	EXPECT_EQ(refusals + 1, atomic64_read(&pb_counters[PB_CNT_budget_refusals]));
	EXPECT_EQ(live, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
	EXPECT_EQ(0, mm->phys->live_folios);
	EXPECT_EQ(0, pb_check_mm(mm));
	ASSERT_EQ(0, nt_run(s, "session"));
	EXPECT_EQ(used0, nt_reply_val(s, "used_bytes"));
	EXPECT_EQ(1, nt_reply_val(s, "budget_refusals"));
	/* Raised again, the same populate goes through, and is charged. */
	ASSERT_EQ(0, nt_run(s, "session budget_bytes=%llu", 1ULL << 40));
	ASSERT_EQ(0, nt_run(s, "populate mm=1 va=0x%llx len=0x%llx order=%u",
			    NT_VA, len, variant->cont_shift));
	ASSERT_EQ(0, nt_run(s, "session"));
	used = nt_reply_val(s, "used_bytes");
	EXPECT_LT(used0, used);
	EXPECT_EQ(used - used0, atomic64_read(&pb_counters[PB_CNT_live_bytes]) - live);
	/* The mm gone, its memory is off the session's account. */
	ASSERT_EQ(0, nt_run(s, "mm_destroy mm=1"));
	ASSERT_EQ(0, nt_run(s, "session"));
	EXPECT_GT(used0, nt_reply_val(s, "used_bytes"));
	/* With no mm left, every byte charged was given back. */
	ASSERT_EQ(0, nt_run(s, "mm_destroy mm=0"));
	ASSERT_EQ(0, nt_run(s, "session"));
	EXPECT_EQ(0, nt_reply_val(s, "used_bytes"));
	pb_budget_init(S64_MAX);
}

/* Another session, in a thread of its own, refused by its budget nonstop. */
struct refuser {
	struct pb_session *s;
	atomic_t stop, started;
};

static void *refuse_nonstop(void *arg)
{
	struct refuser *r = arg;

	pb_account_enter(&r->s->budget);
	atomic_set(&r->started, 1);
	while (!atomic_read(&r->stop))
		pb_budget_charge(1 << 20);
	pb_account_leave(&r->s->budget);
	return NULL;
}

/*
 * A command that fails for want of memory names a budget only when one of
 * its own allocations was refused by it.  Another session's refusals, at the
 * same time, are not this command's: it once read the global budget_refusals
 * counter before and after, and named the module's budget whenever another
 * session was refused meanwhile.  Here a thread's session is refused
 * without a pause while this one's commands fail by fault injection; each
 * must say "out of memory".
 */
TEST_F(cmd, another_sessions_refusals_are_not_this_commands)
{
	struct refuser r = { };
	unsigned int i, wrong = 0;
	pthread_t tid;

	pb_budget_init(1ULL << 40);
	r.s = pb_session_create();
	ASSERT_FALSE(IS_ERR(r.s));
	ASSERT_EQ(0, nt_run(r.s, "session budget_bytes=1"));
	ASSERT_EQ(0, pthread_create(&tid, NULL, refuse_nonstop, &r));
	while (!atomic_read(&r.started))
		sched_yield();
	for (i = 0; i < 200; i++) {
		atomic_set(&pb_fail_nth, 1);
		EXPECT_EQ(-ENOMEM, nt_run(self->s, "mm_create page_kb=%u", variant->page_kb));
		wrong += strcmp(self->s->reply.buf, "error: mm_create: out of memory\n") != 0;
	}
	atomic_set(&r.stop, 1);
	pthread_join(tid, NULL);
	EXPECT_EQ(0, wrong) TH_LOG("last reply: %s", self->s->reply.buf);
	/* The other session's refusals were its own. */
	ASSERT_EQ(0, nt_run(r.s, "session"));
	EXPECT_LT(0, nt_reply_val(r.s, "budget_refusals"));
	pb_session_destroy(r.s);
	pb_budget_init(S64_MAX);
}

/* PB_SESSIONS_MAX sessions open; one more fails with ENFILE, allocating nothing. */
TEST_F(cmd, sessions_are_limited)
{
	static struct pb_session *open[PB_SESSIONS_MAX];
	long long live, allocs;
	struct pb_session *s;
	int i, n;

	/* The fixture's session is one of them. */
	for (n = 0; n < PB_SESSIONS_MAX - 1; n++) {
		open[n] = pb_session_create();
		ASSERT_FALSE(IS_ERR(open[n]));
	}
	EXPECT_EQ(PB_SESSIONS_MAX, atomic64_read(&pb_counters[PB_CNT_live_sessions]));
	live = atomic64_read(&pb_counters[PB_CNT_live_bytes]);
	allocs = atomic64_read(&pb_counters[PB_CNT_allocs]);
	s = pb_session_create();
	EXPECT_EQ(ERR_PTR(-ENFILE), s);
	EXPECT_EQ(live, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
	EXPECT_EQ(allocs, atomic64_read(&pb_counters[PB_CNT_allocs]));
	EXPECT_EQ(PB_SESSIONS_MAX, atomic64_read(&pb_counters[PB_CNT_live_sessions]));
	/* One closed, one opens again. */
	pb_session_destroy(open[--n]);
	open[n] = pb_session_create();
	ASSERT_FALSE(IS_ERR(open[n]));
	n++;
	for (i = 0; i < n; i++)
		pb_session_destroy(open[i]);
}

/*
 * The stats file lists every mm of every session: its buffer is sized to
 * it.  With a fixed 1 MiB buffer the lines past about 600 mms were lost.
 * 48 sessions of PB_SESSION_MMS mms take more than that.
 */
TEST_F(cmd, stats_file_lists_every_mm)
{
	static struct pb_session *open[48];
	unsigned int i, j, lines = 0, mms = 1;
	struct pb_reply *r;
	const char *p;

	for (i = 0; i < ARRAY_SIZE(open); i++) {
		open[i] = pb_session_create();
		ASSERT_FALSE(IS_ERR(open[i]));
		for (j = 0; j < PB_SESSION_MMS; j++, mms++)
			ASSERT_EQ(0, nt_run(open[i], "mm_create page_kb=%u arena_pages=64",
					    variant->page_kb)) TH_LOG("%s", open[i]->reply.buf);
	}
	r = pb_stats_render();
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->overflow);
	EXPECT_LT(1 << 20, r->len);
	EXPECT_GE(r->size, r->len + 1);
	EXPECT_EQ('\n', r->buf[r->len - 1]);
	for (p = r->buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		lines += !strncmp(p, "mm.", 3);
	EXPECT_EQ(mms * PB_NR_MM_COUNTERS, lines);
	pb_stats_free(r);
	for (i = 0; i < ARRAY_SIZE(open); i++)
		pb_session_destroy(open[i]);
}

/*
 * The most the stats file can list, PB_SESSIONS_MAX sessions of
 * PB_SESSION_MMS mms, with session ids and values of 20 digits and the
 * measuring pass's room of 20 more per value, fits PB_STATS_MAX.
 */
TEST(stats_file_fits_every_mm)
{
	unsigned long long size = 1, mm = 0;
	unsigned int c;

	for (c = 0; c < PB_NR_COUNTERS; c++)
		size += strlen(pb_counter_names[c]) + 1 + 2 * 20 + 1;
	for (c = 0; c < PB_NR_MM_COUNTERS; c++) {
		size += strlen("total.") + strlen(pb_mm_counter_names[c]) + 1 + 2 * 20 + 1;
		mm += strlen("mm.") + 20 + 1 + 2 + 1 + strlen(pb_mm_counter_names[c]) +
		      1 + 2 * 20 + 1;
	}
	size += mm * PB_SESSIONS_MAX * PB_SESSION_MMS;
	EXPECT_GE(PB_STATS_MAX, size);
	TH_LOG("the largest stats file: %llu bytes", size);
}

/*
 * The limits of the tools and the task commands, at the limit (taken) and
 * one past it (refused with the reason, nothing changed): the oracle's
 * steps and traced steps, bench's memcpy bytes, and task_dump's and
 * task_maps' pid (the native stand-in answers EOPNOTSUPP once the input is taken).
 */
/* A fixture only for the timeout: the oracle at its most steps takes long. */
FIXTURE(limits)
{
};

FIXTURE_SETUP(limits)
{
}

FIXTURE_TEARDOWN(limits)
{
}

TEST_F_TIMEOUT(limits, tool_limits_at_and_past, 120)
{
	struct pb_session *s = pb_session_create();
	long long mms = atomic64_read(&pb_counters[PB_CNT_live_mms]);

	ASSERT_FALSE(IS_ERR(s));
	long long live = atomic64_read(&pb_counters[PB_CNT_live_bytes]);
	static const struct {
		const char *fmt;
		unsigned long long at;
		int err_at;
		const char *reason;
	} t[] = {
		{ "oracle seed=1 steps=%llu", PB_ORACLE_MAX, 0,
		  "steps must be within 1.." NT_STR(PB_ORACLE_MAX) },
		{ "oracle seed=1 steps=%llu trace=1", PB_ORACLE_TRACE_MAX, 0,
		  "at most " NT_STR(PB_ORACLE_TRACE_MAX) " steps" },
		{ "bench op=memcpy bytes=%llu", PB_BENCH_MEMCPY_MAX, 0, "bytes must be within" },
		{ "bench op=memset bytes=%llu", PB_BENCH_MEMCPY_MAX, 0, "bytes must be within" },
		{ "bench op=rmw bytes=%llu", PB_BENCH_MEMCPY_MAX, 0, "bytes must be within" },
		{ "task_dump va=0x10000 pid=%llu", PB_PID_MAX, -EOPNOTSUPP,
		  "pid must be within 1.." },
		{ "task_maps pid=%llu", PB_PID_MAX, -EOPNOTSUPP, "pid must be within 1.." },
		{ "task_dump va=0x10000 nr=%llu", PB_DUMP_MAX, -EOPNOTSUPP,
		  "nr must be within 1.." NT_STR(PB_DUMP_MAX) },
		/*
		 * The arena: at most 2^32 - 2 frames (pb_phys_create()), its
		 * section arrays sized only after the check.  Created at the
		 * limit (and destroyed below), refused past it.
		 */
		{ "mm_create arena_pages=%llu", U32_MAX - 1, 0,
		  "arena_pages must be within 1..4294967294" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		EXPECT_EQ(t[i].err_at, nt_run(s, t[i].fmt, t[i].at))
			TH_LOG("%s: %.200s", t[i].fmt, s->reply.buf);
		if (s->mms[0])
			ASSERT_EQ(0, nt_run(s, "mm_destroy mm=0"));
		EXPECT_EQ(-EINVAL, nt_run(s, t[i].fmt, t[i].at + 1)) TH_LOG("%s", t[i].fmt);
		EXPECT_TRUE(nt_one_error_line(&s->reply));
		EXPECT_NE(NULL, strstr(s->reply.buf, t[i].reason)) TH_LOG("%s", s->reply.buf);
		EXPECT_EQ(mms, atomic64_read(&pb_counters[PB_CNT_live_mms]));
		EXPECT_EQ(live, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
	}
	pb_session_destroy(s);
	nt_check_leaks(_metadata);
}

/*
 * PB_MAX_MMS mms share an arena: a parent and its fork children.  In a
 * session PB_SESSION_MMS is the same number, so a session reaches both at
 * once and the session's limit answers first; the arena's own is a model
 * limit (paths/fork.c), which the oracle's families also keep to.
 */
TEST_F(cmd, a_fork_family_is_limited)
{
	struct pb_session *s = self->s;
	unsigned int i;

	BUILD_BUG_ON(PB_MAX_MMS > PB_SESSION_MMS);
	for (i = 1; i < PB_MAX_MMS; i++)
		ASSERT_EQ(0, nt_run(s, "fork mm=0")) TH_LOG("%u: %s", i, s->reply.buf);
	EXPECT_EQ(PB_MAX_MMS, self->mm->phys->nr_mms);
	EXPECT_EQ(-EINVAL, nt_run(s, "fork mm=0"));
	EXPECT_TRUE(nt_one_error_line(&s->reply));
	EXPECT_NE(NULL, strstr(s->reply.buf, "has " NT_STR(PB_SESSION_MMS) " mms already"))
		TH_LOG("%s", s->reply.buf);
	EXPECT_EQ(PB_MAX_MMS, self->mm->phys->nr_mms);
}

/*
 * PB_MAX_VMAS VMAs per mm and PB_MM_MAPPED_MAX bytes of them: at the limit
 * mmap succeeds, past it fails with ENOSPC and a reason, adding nothing.
 */
TEST_F(cmd, vmas_and_mapped_bytes_are_limited)
{
	struct pb_session *s = self->s;
	u64 base = 1ULL << 44, psize = self->psize;
	unsigned int i;

	ASSERT_EQ(0, nt_run(s, "mm_create page_kb=%u", variant->page_kb));
	/* One VMA of PB_MM_MAPPED_MAX bytes less a page, then the page. */
	ASSERT_EQ(0, nt_run(s, "mmap mm=1 start=0x%llx len=0x%llx",
			    base, PB_MM_MAPPED_MAX - psize)) TH_LOG("%s", s->reply.buf);
	EXPECT_EQ(-ENOSPC, nt_run(s, "mmap mm=1 start=0x%llx len=0x%llx",
				  2 * base, 2 * psize));
	EXPECT_TRUE(nt_one_error_line(&s->reply));
	EXPECT_NE(NULL, strstr(s->reply.buf, "PB_MM_MAPPED_MAX")) TH_LOG("%s", s->reply.buf);
	EXPECT_EQ(1, s->mms[1]->nr_vmas);
	ASSERT_EQ(0, nt_run(s, "mmap mm=1 start=0x%llx len=0x%llx", 2 * base, psize));
	ASSERT_EQ(0, nt_run(s, "mm_destroy mm=1"));

	ASSERT_EQ(0, nt_run(s, "mm_create page_kb=%u", variant->page_kb));
	for (i = 0; i < PB_MAX_VMAS; i++)
		ASSERT_EQ(0, nt_run(s, "mmap mm=1 start=0x%llx len=0x%llx",
				    base + 2 * i * psize, psize)) TH_LOG("%s", s->reply.buf);
	EXPECT_EQ(-ENOSPC, nt_run(s, "mmap mm=1 start=0x%llx len=0x%llx",
				  base + 2 * i * psize, psize));
	EXPECT_TRUE(nt_one_error_line(&s->reply));
	EXPECT_NE(NULL, strstr(s->reply.buf, "too many VMAs (PB_MAX_VMAS)"))
		TH_LOG("%s", s->reply.buf);
	EXPECT_EQ(PB_MAX_VMAS, s->mms[1]->nr_vmas);
}

/* --- A mutation seen through the commands ------------------------------------------ */

/*
 * The wrprotect command does the flush its caller must do, unless the
 * skip_wrprotect_flush knob says not to: then a write goes through the stale
 * writable TLB entry, and the access command's reply names the violation.
 * mm 1 runs with the knob off, mm 2 with it on.
 */
/*
 * The kernel shadow without a kernel that has contpte (the native stand-in
 * answers as amd64 does): the knob and kernel_oracle are refused with
 * EOPNOTSUPP and the reason, and nothing changes.
 */
TEST_F(cmd, kernel_shadow_refused_without_contpte)
{
	struct pb_session *s = self->s;
	long long compares = nt_mm_stat(s, 0, PB_MMC_kernel_compares);

	EXPECT_EQ(0, compares);
	EXPECT_EQ(-EOPNOTSUPP, nt_run(s, "set mm=0 kernel_shadow=1"));
	EXPECT_TRUE(nt_one_error_line(&s->reply)) TH_LOG("%s", s->reply.buf);
	EXPECT_NE(NULL, strstr(s->reply.buf, "kernel_shadow: the running kernel has no contpte"));
	EXPECT_EQ(NULL, self->mm->kmirror);
	EXPECT_EQ(0, self->mm->knobs[PB_KNOB_kernel_shadow]);
	/* Input is checked before the kernel is asked. */
	EXPECT_EQ(-EINVAL, nt_run(s, "set mm=0 kernel_shadow=1 autofold=0"));
	EXPECT_NE(NULL, strstr(s->reply.buf, "needs contpte=1 and autofold=1"));
	EXPECT_EQ(1, self->mm->knobs[PB_KNOB_autofold]);
	EXPECT_EQ(-EINVAL, nt_run(s, "kernel_oracle bogus=1"));
	EXPECT_NE(NULL, strstr(s->reply.buf, "unknown argument 'bogus'"));
	EXPECT_EQ(-EINVAL, nt_run(s, "kernel_oracle seeds=10001"));
	EXPECT_EQ(-EOPNOTSUPP, nt_run(s, "kernel_oracle seed=3 seeds=2 steps=10 skip_ad_gather=1"));
	EXPECT_TRUE(nt_one_error_line(&s->reply)) TH_LOG("%s", s->reply.buf);
	EXPECT_NE(NULL, strstr(s->reply.buf, "kernel_oracle: the running kernel has no contpte"));
	/* The helpers ran unmirrored, and counted nothing. */
	EXPECT_EQ(0, nt_run(s, "wrprotect mm=0 va=0x%llx nr=2", NT_VA));
	EXPECT_EQ(0, nt_mm_stat(s, 0, PB_MMC_kernel_compares));
	EXPECT_EQ(0, nt_mm_stat(s, 0, PB_MMC_kernel_mismatches));
}

TEST_F(cmd, mutation_skip_wrprotect_flush)
{
	struct pb_session *s = self->s;
	unsigned int cont = self->cont, knob;
	char want[64];

	for (knob = 0; knob <= 1; knob++) {
		unsigned int id = 1 + knob;
		u64 va = NT_VA + knob * self->block;

		ASSERT_EQ(0, nt_run(s, "mm_create page_kb=%u", variant->page_kb))
			TH_LOG("%s", s->reply.buf);
		ASSERT_EQ(id, nt_reply_val(s, "mm"));
		ASSERT_EQ(0, nt_run(s, "mmap mm=%u start=0x%llx len=0x%llx", id, va,
				    self->block));
		ASSERT_EQ(0, nt_run(s, "populate mm=%u va=0x%llx len=0x%llx order=%u",
				    id, va, self->block, variant->cont_shift));
		ASSERT_EQ(0, nt_run(s, "access mm=%u va=0x%llx write=1", id, va));
		ASSERT_EQ(0, nt_run(s, "set mm=%u skip_wrprotect_flush=%u", id, knob));
		ASSERT_EQ(0, nt_run(s, "wrprotect mm=%u va=0x%llx nr=%u", id, va, cont))
			TH_LOG("%s", s->reply.buf);
		/* The block stays folded, read-only. */
		ASSERT_EQ(0, nt_run(s, "dump mm=%u va=0x%llx nr=1", id, va));
		EXPECT_NE(NULL, strstr(s->reply.buf, ",RO,"));
		EXPECT_NE(NULL, strstr(s->reply.buf, "cont=1"));
		if (!knob) {
			/* Flushed: the write faults. */
			ASSERT_EQ(0, nt_run(s, "access mm=%u va=0x%llx write=1", id, va + 8));
			EXPECT_STREQ("fault 1\n", s->reply.buf);
			continue;
		}
		/* Not flushed: the write goes through the stale writable entry. */
		EXPECT_EQ(-EUCLEAN, nt_run(s, "access mm=%u va=0x%llx write=1", id, va + 8));
		snprintf(want, sizeof(want), "violation stale_tlb mm=%u va=", id);
		EXPECT_NE(NULL, strstr(s->reply.buf, want)) TH_LOG("%s", s->reply.buf);
		EXPECT_NE(NULL, strstr(s->reply.buf, "error: checker: 1 violation\n"));
		EXPECT_EQ(1, nt_mm_stat(s, id, PB_MMC_stale_tlb_writes));
		EXPECT_EQ(1, nt_mm_stat(s, id, PB_MMC_violations_stale_tlb));
		EXPECT_EQ(0, nt_mm_stat(s, id, PB_MMC_unfolds));
		EXPECT_EQ(1, nt_mm_stat(s, id, PB_MMC_wrprotect_whole_blocks));
	}
}

TEST_HARNESS_MAIN
