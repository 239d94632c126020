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

/* One present page of a process, as task_import reads it. */
struct pb_import_page {
	u64 va, pfn;
	u64 head_pfn;		/* its folio's first page */
	u8 order;		/* its folio's */
	u8 flags;		/* PB_IMPORT_PG_* */
};

#define PB_IMPORT_PG_ANON	BIT(0)	/* folio_test_anon() */
#define PB_IMPORT_PG_EXCL	BIT(1)	/* PageAnonExclusive() */
#define PB_IMPORT_PG_YOUNG	BIT(2)	/* pte_young() of the raw entry */
#define PB_IMPORT_PG_DIRTY	BIT(3)	/* pte_dirty() of the raw entry */
#define PB_IMPORT_PG_WRITE	BIT(4)	/* pte_write() */
#define PB_IMPORT_PG_CONT	BIT(5)	/* pte_cont() */
#define PB_IMPORT_PG_PMD	BIT(6)	/* a page of a PMD leaf */

/* A VMA of the process, the part of it in the range. */
struct pb_import_vma {
	u64 start, end;
	bool read, write, shared;
	u8 kind;		/* enum pb_maps_kind */
};

/* What task_import reads of a process: its VMAs and present pages. */
struct pb_import_src {
	u32 pid;
	unsigned int page_shift;
	unsigned int cont_ptes;	/* 0: none (x86) */
	unsigned int va_bits;	/* of the process's address space */
	u32 nr_vmas;		/* in the range */
	u32 listed;		/* in vma[], the first PB_MAX_VMAS anon or file */
	u64 present;		/* present pages, recorded or not */
	/* Pages not read or not recorded, by PB_IMPORT_SKIP_*. */
	u64 skip[PB_NR_IMPORT_SKIPS];
	struct pb_import_vma vma[PB_MAX_VMAS];
	u32 nr_pages;
	struct pb_import_page page[PB_IMPORT_PAGES_MAX];	/* by va */
};

/*
 * The next entry of @src's page list, or NULL when PB_IMPORT_PAGES_MAX are
 * listed: then the page is counted in skip[PB_IMPORT_SKIP_pages_limit].
 */
static inline struct pb_import_page *pb_import_src_next(struct pb_import_src *src)
{
	if (src->nr_pages == PB_IMPORT_PAGES_MAX) {
		src->skip[PB_IMPORT_SKIP_pages_limit]++;
		return NULL;
	}
	return &src->page[src->nr_pages++];
}

/*
 * task_import's read: the VMAs of @pid (0: the caller) in [@start, @start +
 * @len) (@len 0: to the end) and their present pages into @src, under the
 * locks task_maps takes.  Errors as pb_task_maps().
 */
int pb_task_import_read(u32 pid, u64 start, u64 len, struct pb_import_src *src,
			const char **why);

#endif /* _PB_REAL_TASK_H */
