// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the command parser.  One input is one ctl write to a
 * fresh session, so it reaches the name lookup, the key=value parser and
 * each handler's own checks; what needs an mm stops at "no mm".
 */
#include "fuzz.h"

int pbf_initialize(int *argc, char ***argv)
{
	pbf_init();
	return 0;
}

int pbf_test_one_input(const u8 *data, size_t size)
{
	struct pb_session *s = pb_session_create();

	if (IS_ERR(s))
		abort();
	bool mutated = false;

	pbf_write(s, data, size, &mutated);
	pb_session_destroy(s);
	pbf_check_live();
	return 0;
}
