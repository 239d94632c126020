/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every ptebatch selftest program skips as a whole, exit status 4
 * (KSFT_SKIP) and a "1..0 # SKIP <reason>" line, when it cannot reach the
 * module: debugfs not mounted, the module not loaded, or not root.  Its
 * constructor runs before the harness's main; a program includes this
 * header once, after kselftest_harness.h.
 */
#ifndef _PB_SKIP_H
#define _PB_SKIP_H

#include <errno.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "kselftest.h"
#include "../module/uapi/ptebatch.h"

#define PB_DEBUGFS_MOUNT	"/sys/kernel/debug"
/* DEBUGFS_MAGIC of include/uapi/linux/magic.h. */
#define PB_DEBUGFS_MAGIC	0x64626720

/* Why the module cannot be reached, or NULL when it can. */
static inline const char *pb_unreachable(void)
{
	struct statfs sf;

	if (statfs(PB_DEBUGFS_MOUNT, &sf) || sf.f_type != PB_DEBUGFS_MAGIC)
		return "debugfs is not mounted at " PB_DEBUGFS_MOUNT
		       ": mount -t debugfs none " PB_DEBUGFS_MOUNT;
	if (!access(PB_DEBUGFS_DIR "/ctl", R_OK | W_OK))
		return NULL;
	if (errno == EACCES || geteuid())
		return "run as root: " PB_DEBUGFS_DIR " belongs to root";
	if (!access("/sys/module/ptebatch", F_OK))
		return "the ptebatch module is loaded but " PB_DEBUGFS_DIR
		       "/ctl is missing";
	return "the ptebatch module is not loaded: insmod ptebatch.ko (or modprobe ptebatch)";
}

static void __attribute__((constructor)) pb_skip_unreachable(void)
{
	const char *why = pb_unreachable();

	if (!why)
		return;
	ksft_print_header();
	ksft_exit_skip("%s\n", why);
}

#endif /* _PB_SKIP_H */
