/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the pages and folios of a real process, read from its page
 * tables as dump and folio read a private mm's (task_dump, task_folio).
 *
 * Only what the kernel exports to modules on both series is used: the walk
 * goes by the inline accessors under the locks upstream's own walkers take
 * (see task.c).  A native build has a stand-in that answers EOPNOTSUPP.
 */
#ifndef _PB_REAL_TASK_H
#define _PB_REAL_TASK_H

#include <linux/types.h>

#include "model/view.h"
#include "real/maps.h"

/*
 * The @nr pages from @va of the process @pid (0: the caller's own mm) into
 * @out.  0, or -EINVAL, -ESRCH, -EPERM, -EINTR or -EOPNOTSUPP with a reason
 * in *@why.
 */
int pb_task_dump(u32 pid, u64 va, unsigned int nr, struct pb_page_view *out,
		 const char **why);
/*
 * The folio mapped at @va of @pid (0: the caller) into @out, or in *@miss why
 * there is none; errors as pb_task_dump().
 */
int pb_task_folio(u32 pid, u64 va, struct pb_folio_view *out,
		  enum pb_view_miss *miss, const char **why);

/*
 * task_maps: the VMAs of @pid (0: the caller) in [@start, @start + @len)
 * (@len 0: to the end of its address space) and their counts into @r,
 * under the mmap read lock and each table's lock.  Errors as pb_task_dump(),
 * and -EINVAL when no VMA is in the range.
 */
int pb_task_maps(u32 pid, u64 start, u64 len, struct pb_maps_result *r,
		 const char **why);

#endif /* _PB_REAL_TASK_H */
