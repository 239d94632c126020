// SPDX-License-Identifier: GPL-2.0
/*
 * Native tests of iface/cmd_task.c: task_dump, task_folio and task_maps
 * check their arguments as the module does, then the native stand-in of
 * real/task.c (stubs/real_task.c) fails them with EOPNOTSUPP and its
 * reason, since a program reads no process's page tables.  The guest's
 * task_test and maps_test read them for real.
 */
#include "nt_iface.h"

FIXTURE(task)
{
	struct pb_session *s;
};

FIXTURE_SETUP(task)
{
	self->s = pb_session_create();
	ASSERT_FALSE(IS_ERR(self->s));
}

FIXTURE_TEARDOWN(task)
{
	nt_session_teardown(_metadata, self->s);
}

/* Well-formed commands reach the stand-in: EOPNOTSUPP, one reason line. */
TEST_F(task, native_build_answers_eopnotsupp)
{
	static const char *const cmds[] = {
		"task_dump va=0x1000", "task_dump va=0x1000 nr=512 pid=1",
		"task_folio va=0x1234", "task_folio va=0x1000 pid=2147483647",
		"task_maps", "task_maps start=0x1000 len=0x2000 pid=1",
		"task_import", "task_import start=0x1000 len=0x2000 pid=1 kernel=6.12",
	};
	unsigned int i;
	s64 errors;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		errors = atomic64_read(&pb_counters[PB_CNT_command_errors]);
		EXPECT_EQ(-EOPNOTSUPP, nt_run(self->s, "%s", cmds[i])) TH_LOG("%s", cmds[i]);
		EXPECT_NE(NULL, strstr(self->s->reply.buf,
				       "a native build reads no process's page tables"))
			TH_LOG("%s: %s", cmds[i], self->s->reply.buf);
		EXPECT_TRUE(nt_one_error_line(&self->s->reply)) TH_LOG("%s", self->s->reply.buf);
		EXPECT_EQ(errors + 1, atomic64_read(&pb_counters[PB_CNT_command_errors]));
	}
	/* With pid=, the reason names it. */
	EXPECT_EQ(-EOPNOTSUPP, nt_run(self->s, "task_folio va=0x1000 pid=7"));
	EXPECT_EQ(0, strncmp(self->s->reply.buf, "error: pid 7: ", 14))
		TH_LOG("%s", self->s->reply.buf);
}

/* Bad arguments are EINVAL before the real layer is asked. */
TEST_F(task, bad_arguments_are_refused_first)
{
	static const struct {
		const char *cmd, *reason;
	} t[] = {
		{ "task_dump", "missing argument 'va'" },
		{ "task_dump va=0x1000 nr=0", "nr must be within 1..512" },
		{ "task_dump va=0x1000 nr=513", "nr must be within 1..512" },
		{ "task_dump va=0x1000 pid=0", "pid must be within 1..2147483647" },
		{ "task_dump va=0x1000 pid=2147483648", "pid must be within 1..2147483647" },
		{ "task_dump va=0x1000 mm=0", "unknown argument 'mm'" },
		{ "task_folio", "missing argument 'va'" },
		{ "task_folio va=0x1000 pid=0", "pid must be within" },
		{ "task_folio va=0x1000 nr=1", "unknown argument 'nr'" },
		{ "task_folio va=x", "is not a number" },
		{ "task_maps pid=0", "pid must be within 1..2147483647" },
		{ "task_maps len=0", "len must not be 0" },
		{ "task_maps start=0xfffffffffffff000 len=0x2000", "start + len overflows" },
		{ "task_maps va=0x1000", "unknown argument 'va'" },
		{ "task_maps start=y", "is not a number" },
		{ "task_import pid=0", "pid must be within 1..2147483647" },
		{ "task_import len=0", "len must not be 0" },
		{ "task_import start=0xfffffffffffff000 len=0x2000", "start + len overflows" },
		{ "task_import mm=0", "unknown argument 'mm'" },
		{ "task_import kernel=4.19", "kernel" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		EXPECT_EQ(-EINVAL, nt_run(self->s, "%s", t[i].cmd)) TH_LOG("%s", t[i].cmd);
		EXPECT_NE(NULL, strstr(self->s->reply.buf, t[i].reason))
			TH_LOG("%s: %s", t[i].cmd, self->s->reply.buf);
		EXPECT_TRUE(nt_one_error_line(&self->s->reply));
	}
}

/* task_dump's records come from the counted allocator: fail_nth fails it. */
TEST_F(task, task_dump_out_of_memory_is_enomem)
{
	s64 bytes = atomic64_read(&pb_counters[PB_CNT_live_bytes]);

	atomic_set(&pb_fail_nth, 1);
	EXPECT_EQ(-ENOMEM, nt_run(self->s, "task_dump va=0x1000 nr=512"));
	EXPECT_NE(NULL, strstr(self->s->reply.buf, "out of memory")) TH_LOG("%s",
									    self->s->reply.buf);
	EXPECT_TRUE(nt_one_error_line(&self->s->reply));
	EXPECT_EQ(0, atomic_read(&pb_fail_nth));
	EXPECT_EQ(bytes, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
	/* And the next one reaches the stand-in, with nothing left over. */
	EXPECT_EQ(-EOPNOTSUPP, nt_run(self->s, "task_dump va=0x1000 nr=512"));
	EXPECT_EQ(bytes, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
}

/*
 * task_maps' result and task_import's list come from the counted allocator
 * too: out of memory, each fails with ENOMEM and its reason in one line,
 * leaving no bytes and no mm; the next call reaches the stand-in.
 */
TEST_F(task, task_maps_and_import_out_of_memory_are_enomem)
{
	static const struct {
		const char *cmd, *reason;
	} cases[] = {
		{ "task_maps", "out of memory" },
		{ "task_import", "budget_bytes" },
	};
	s64 bytes = atomic64_read(&pb_counters[PB_CNT_live_bytes]);
	s64 mms = atomic64_read(&pb_counters[PB_CNT_live_mms]);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		atomic_set(&pb_fail_nth, 1);
		EXPECT_EQ(-ENOMEM, nt_run(self->s, "%s", cases[i].cmd)) TH_LOG("%s", cases[i].cmd);
		EXPECT_NE(NULL, strstr(self->s->reply.buf, cases[i].reason))
			TH_LOG("%s", self->s->reply.buf);
		EXPECT_TRUE(nt_one_error_line(&self->s->reply));
		EXPECT_EQ(bytes, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
		EXPECT_EQ(-EOPNOTSUPP, nt_run(self->s, "%s", cases[i].cmd));
		EXPECT_EQ(bytes, atomic64_read(&pb_counters[PB_CNT_live_bytes]));
		EXPECT_EQ(mms, atomic64_read(&pb_counters[PB_CNT_live_mms]));
	}
}

TEST_HARNESS_MAIN
