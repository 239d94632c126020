/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: task_import's model side: a private mm made with the layout
 * that real/task.c read of a process (Documentation/task_maps.rst).
 */
#ifndef _PB_TOOLS_IMPORT_H
#define _PB_TOOLS_IMPORT_H

#include <linux/types.h>

#include "model/mm.h"
#include "real/task.h"

/* What the import made, and what it left out. */
struct pb_import_result {
	u32 vmas;		/* VMAs made */
	u64 imported;		/* pages mapped as in the process */
	u64 folios;		/* folios made */
	u64 skip[PB_NR_IMPORT_SKIPS];	/* pages left out, by reason */
};

/*
 * Give the empty @mm, of the process's granule, @src's VMAs and, wherever it
 * can, a folio of the same order and alignment for each of @src's folios,
 * mapped in the same subset, with the same write permission, A/D, CONT and
 * anon-exclusivity.  0, or -ENOMEM (or another errno) with a reason in
 * *@why; on an error @mm is half made and the caller destroys it.
 */
int pb_import_build(struct pb_mm *mm, const struct pb_import_src *src,
		    struct pb_import_result *res, const char **why);

/*
 * The layout of the model's own @mm into @src, as pb_task_import_read()
 * reads a process's: its VMAs (read, write, shared, anon; not soft-dirty or
 * uffd-wp tracking), and each present page with its folio, raw A/D, write,
 * CONT and anon-exclusive bits, up to PB_IMPORT_PAGES_MAX.  What
 * pb_import_build() makes of it is a copy of @mm's mapped state with folios
 * of its own (the oracle's mm=).
 */
void pb_import_snapshot(struct pb_mm *mm, struct pb_import_src *src);

#endif /* _PB_TOOLS_IMPORT_H */
