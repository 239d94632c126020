// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the ctl commands of the session itself.
 */
#include <linux/kernel.h>

#include "uapi/ptebatch.h"
#include "iface/cmd_session.h"
#include "iface/reply.h"
#include "iface/session.h"
#include "iface/stats.h"

int pb_cmd_version(struct pb_args *a)
{
	pb_reply_printf(&a->s->reply, "ptebatch %s\n", PTEBATCH_VERSION);
	return 0;
}

int pb_cmd_session(struct pb_args *a)
{
	pb_reply_printf(&a->s->reply, "id %llu\ncommands %llu\n",
			a->s->id, a->s->nr_commands);
	return 0;
}

int pb_cmd_stats(struct pb_args *a)
{
	s64 snap[PB_NR_COUNTERS];

	pb_counters_snapshot(snap);
	pb_stats_show(&a->s->reply, snap);
	return 0;
}
