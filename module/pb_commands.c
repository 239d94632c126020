// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the ctl commands.  Adding a command is one entry in pb_commands[].
 */
#include <linux/kernel.h>

#include "ptebatch.h"
#include "pb_cmd.h"

static void pb_help_table(struct pb_reply *r, const struct pb_command *cmds,
			  size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		pb_reply_printf(r, "%s [%s]\n    %s\n", cmds[i].name,
				cmds[i].keys, cmds[i].help);
}

static int pb_cmd_help(struct pb_args *a)
{
	pb_help_table(&a->s->reply, pb_commands, pb_nr_commands);
	pb_help_table(&a->s->reply, pb_mm_commands, pb_nr_mm_commands);
	pb_help_table(&a->s->reply, pb_path_commands, pb_nr_path_commands);
	return 0;
}

static int pb_cmd_version(struct pb_args *a)
{
	pb_reply_printf(&a->s->reply, "ptebatch %s\n", PTEBATCH_VERSION);
	return 0;
}

static int pb_cmd_session(struct pb_args *a)
{
	pb_reply_printf(&a->s->reply, "id %llu\ncommands %llu\n",
			a->s->id, a->s->nr_commands);
	return 0;
}

static int pb_cmd_stats(struct pb_args *a)
{
	s64 snap[PB_NR_COUNTERS];

	pb_counters_snapshot(snap);
	pb_stats_show(&a->s->reply, snap);
	return 0;
}

const struct pb_command pb_commands[] = {
	{ "help", pb_cmd_help, "", "list the commands, their keys and what they do" },
	{ "version", pb_cmd_version, "", "print the module version" },
	{ "session", pb_cmd_session, "", "print this session's id and command count" },
	{ "stats", pb_cmd_stats, "", "print the global counters, as the stats file does" },
};

const size_t pb_nr_commands = ARRAY_SIZE(pb_commands);

void pb_counters_snapshot(s64 *snap)
{
	int i;

	for (i = 0; i < PB_NR_COUNTERS; i++)
		snap[i] = atomic64_read(&pb_counters[i]);
}

void pb_stats_show(struct pb_reply *r, const s64 *snap)
{
	int i;

	for (i = 0; i < PB_NR_COUNTERS; i++)
		pb_reply_printf(r, "%s %lld\n", pb_counter_names[i],
				(long long)snap[i]);
}
