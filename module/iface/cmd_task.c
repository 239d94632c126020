// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: task_dump and task_folio, the lines of dump and folio for the
 * pages of a real process: the writer's own, or pid='s.  real/task.c reads
 * them; the formatter is dump's and folio's own (iface/format.c).
 */
#include <linux/kernel.h>
#include <linux/errno.h>

#include "lib/alloc.h"
#include "model/view.h"
#include "real/task.h"
#include "iface/cmd_task.h"
#include "iface/format.h"
#include "iface/parse.h"
#include "iface/session.h"

/* pid=: 0 for the writer, which is what leaving it out means. */
static int pb_arg_pid(struct pb_args *a, u32 *pid)
{
	u64 val;
	int ret;

	*pid = 0;
	if (!pb_arg_given(a, "pid"))
		return 0;
	ret = pb_arg_u64(a, "pid", U64_MAX, &val);
	if (ret)
		return ret;
	if (!val || val > PB_PID_MAX)
		return pb_err(a, "pid must be within 1..%u", PB_PID_MAX);
	*pid = val;
	return 0;
}

/* A failure of the real layer: its errno, with its reason. */
static int pb_task_err(struct pb_args *a, int ret, u32 pid, const char *why)
{
	if (pid)
		pb_err(a, "pid %u: %s", pid, why);
	else
		pb_err(a, "%s", why);
	return ret;
}

int pb_cmd_task_dump(struct pb_args *a)
{
	struct pb_page_view *v;
	const char *why = NULL;
	u64 va, nr, i;
	u32 pid;
	int ret;

	ret = pb_arg_u64(a, "va", U64_MAX, &va);
	if (!ret)
		ret = pb_arg_u64(a, "nr", 1, &nr);
	if (!ret)
		ret = pb_arg_pid(a, &pid);
	if (ret)
		return ret;
	if (!nr || nr > PB_DUMP_MAX)
		return pb_err(a, "nr must be within 1..%d and the range within the VA size",
			      PB_DUMP_MAX);
	/* Up to 512 records, tens of KiB: whole pages. */
	v = pb_vzalloc(nr * sizeof(*v));
	if (!v) {
		pb_err(a, "task_dump: out of memory");
		return -ENOMEM;
	}
	ret = pb_task_dump(pid, va, nr, v, &why);
	if (ret) {
		pb_task_err(a, ret, pid, why);
	} else {
		for (i = 0; i < nr; i++)
			pb_format_page(&a->s->reply, &v[i]);
	}
	pb_vfree(v, nr * sizeof(*v));
	return ret;
}

int pb_cmd_task_folio(struct pb_args *a)
{
	struct pb_folio_view v;
	enum pb_view_miss miss;
	const char *why = NULL;
	u64 va;
	u32 pid;
	int ret;

	ret = pb_arg_u64(a, "va", U64_MAX, &va);
	if (!ret)
		ret = pb_arg_pid(a, &pid);
	if (ret)
		return ret;
	ret = pb_task_folio(pid, va, &v, &miss, &why);
	if (ret)
		return pb_task_err(a, ret, pid, why);
	if (miss)
		return pb_view_miss_err(a, miss, va);
	pb_format_folio(&a->s->reply, &v);
	return 0;
}
