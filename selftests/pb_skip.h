/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every ptebatch selftest program skips as a whole, exit status 4
 * (KSFT_SKIP) and a "1..0 # SKIP <reason>" line, when it cannot reach the
 * module: debugfs not mounted, the module not loaded, or not root.  Its
 * constructor runs before the harness's main; a program includes this
 * header once, after kselftest_harness.h.  pbctl reports the same reasons
 * (pb_unreachable()) as errors instead.
 */
#ifndef _PB_SKIP_H
#define _PB_SKIP_H

#include "kselftest.h"
#include "pb_util.h"

static void __attribute__((constructor)) pb_skip_unreachable(void)
{
	const char *why = pb_unreachable();

	if (!why)
		return;
	ksft_print_header();
	ksft_exit_skip("%s\n", why);
}

#endif /* _PB_SKIP_H */
