// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch native stand-in for module/real/task.c: a program has no other
 * process's page tables to read, so task_dump and task_folio fail as a
 * kernel without the feature would; task_maps too (its counts, real/maps.c,
 * are built and tested natively).
 */
#include <linux/kernel.h>
#include <linux/errno.h>

#include "real/task.h"

static const char pb_task_native_why[] =
	"a native build reads no process's page tables (the module does)";

int pb_task_dump(u32 pid, u64 va, unsigned int nr, struct pb_page_view *out,
		 const char **why)
{
	*why = pb_task_native_why;
	return -EOPNOTSUPP;
}

int pb_task_folio(u32 pid, u64 va, struct pb_folio_view *out,
		  enum pb_view_miss *miss, const char **why)
{
	*why = pb_task_native_why;
	return -EOPNOTSUPP;
}

int pb_task_maps(u32 pid, u64 start, u64 len, struct pb_maps_result *r,
		 const char **why)
{
	*why = pb_task_native_why;
	return -EOPNOTSUPP;
}

int pb_task_import_read(u32 pid, u64 start, u64 len, struct pb_import_src *src,
			const char **why)
{
	*why = pb_task_native_why;
	return -EOPNOTSUPP;
}
