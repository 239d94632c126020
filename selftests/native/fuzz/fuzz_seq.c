// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: command sequences on live mms.  One input is up to
 * PBF_SEQ_LINES newline-separated lines, each one ctl write to the same
 * session, so that mm_create, mmap, populate, fork and the rest build state
 * that the later lines work on.  Then the session is closed, as release()
 * does, and every live counter must be back at zero.
 */
#include "fuzz.h"

/* Enough for a set-up and a dozen operations; more only costs time. */
#define PBF_SEQ_LINES	64

int pbf_initialize(int *argc, char ***argv)
{
	pbf_init();
	return 0;
}

int pbf_test_one_input(const u8 *data, size_t size)
{
	struct pb_session *s = pb_session_create();
	const u8 *p = data, *end = data + size, *nl;
	bool mutated = false;
	int lines = 0;

	if (IS_ERR(s))
		abort();
	while (p < end && lines++ < PBF_SEQ_LINES) {
		nl = memchr(p, '\n', end - p);
		pbf_write(s, p, (nl ? nl : end) - p, &mutated);
		p = nl ? nl + 1 : end;
	}
	pb_session_destroy(s);
	pbf_check_live();
	return 0;
}
