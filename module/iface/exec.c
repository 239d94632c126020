// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: running one ctl command line in a session.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "lib/alloc.h"
#include "lib/counters.h"
#include "iface/commands.h"
#include "iface/exec.h"
#include "iface/parse.h"
#include "iface/reply.h"
#include "iface/report.h"
#include "iface/session.h"

/*
 * Run one command line.  The caller holds s->lock.  On failure the reply holds
 * a one-line reason and nothing the command would have changed is changed.
 */
int pb_session_exec(struct pb_session *s, const char *line, size_t len)
{
	const struct pb_command *cmd = NULL;
	struct pb_args a = { .s = s };
	char *buf = s->line, *name, *args;
	s64 module, own;
	size_t i;
	int ret;

	pb_reply_reset(&s->reply);

	/* One line: a single trailing newline is allowed, nothing after it. */
	if (len && line[len - 1] == '\n')
		len--;
	if (len >= PB_CMD_MAX) {
		ret = pb_err(&a, "command longer than %d bytes", PB_CMD_MAX - 1);
		goto out;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = line[i];

		/* ASCII: the kernel's isprint() takes Latin-1's 0xa0-0xff. */
		if ((c < 0x20 || c > 0x7e) && c != '\t') {
			ret = pb_err(&a, "one command per write, printable characters only");
			goto out;
		}
	}
	memcpy(buf, line, len);
	buf[len] = '\0';

	/* The name, looked up in the registry, then its arguments. */
	args = skip_spaces(buf);
	name = strsep(&args, " \t");
	if (!name || !*name) {
		ret = pb_err(&a, "empty command; try 'help'");
		goto out;
	}
	cmd = pb_find_command(name);
	if (!cmd) {
		ret = pb_err(&a, "unknown command '%s'; try 'help'", name);
		goto out;
	}
	a.cmd = cmd - pb_commands;
	ret = pb_parse_args(&a, cmd->name, cmd->own_keys, args);
	if (ret)
		goto out;
	/* This session's refusals only: another's may fall meanwhile. */
	module = atomic64_read(&s->budget.module_refusals);
	own = atomic64_read(&s->budget.refusals);
	/* The model records violations in this command's report. */
	pb_report_lend(&a);
	/* What the command allocates is the session's, within its budget. */
	pb_account_enter(&s->budget);
	ret = cmd->handler(&a);
	pb_account_leave(&s->budget);
	pb_report_return(&a);
	/* Out of memory because of a budget: say which, not "out of memory". */
	if (ret == -ENOMEM && atomic64_read(&s->budget.refusals) != own) {
		pb_err(&a, "%s: over the session's memory budget: session budget_bytes is %lld",
		       cmd->name, (long long)atomic64_read(&s->budget.limit));
		ret = -ENOMEM;
	} else if (ret == -ENOMEM &&
		   atomic64_read(&s->budget.module_refusals) != module) {
		pb_err(&a, "%s: over the memory budget: budget_bytes is %lld",
		       cmd->name, (long long)atomic64_read(&pb_budget_bytes));
		ret = -ENOMEM;
	}
	if (!ret && s->reply.overflow)
		ret = pb_err(&a, "%s: reply longer than %d bytes; ask for less",
			     cmd->name, PB_REPLY_MAX);
out:
	if (ret) {
		pb_count(PB_CNT_command_errors, 1);
		return ret;
	}
	s->nr_commands++;
	pb_count(PB_CNT_commands, 1);
	return 0;
}
