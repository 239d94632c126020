// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the ctl commands of the session itself.
 */
#include <linux/kernel.h>

#include "uapi/ptebatch.h"
#include "lib/alloc.h"
#include "iface/parse.h"
#include "iface/cmd_session.h"
#include "iface/reply.h"
#include "iface/session.h"
#include "iface/stats.h"

int pb_cmd_version(struct pb_args *a)
{
	pb_reply_printf(&a->s->reply, "ptebatch %s\n", PTEBATCH_VERSION);
	return 0;
}

/*
 * The session's id, command count and memory budget; budget_bytes=N sets
 * the budget, 1 up to the module's budget_bytes.
 */
int pb_cmd_session(struct pb_args *a)
{
	struct pb_account *b = &a->s->budget;
	u64 bytes;
	int ret;

	if (pb_arg_given(a, "budget_bytes")) {
		ret = pb_arg_u64(a, "budget_bytes", &bytes);
		if (ret)
			return ret;
		if (pb_account_set_limit(b, bytes))
			return pb_err(a,
				      "session: budget_bytes must be 1 to the module's budget_bytes, %lld",
				      (long long)atomic64_read(&pb_budget_bytes));
	}
	pb_reply_printf(&a->s->reply,
			"id %llu\ncommands %llu\nbudget_bytes %lld\nused_bytes %lld\nbudget_refusals %lld\n",
			a->s->id, a->s->nr_commands,
			(long long)atomic64_read(&b->limit),
			(long long)atomic64_read(&b->used),
			(long long)atomic64_read(&b->refusals));
	return 0;
}

int pb_cmd_stats(struct pb_args *a)
{
	s64 snap[PB_NR_COUNTERS];

	pb_counters_snapshot(snap);
	pb_stats_show(&a->s->reply, snap);
	return 0;
}
