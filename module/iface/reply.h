/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: a reply: the answer to a command, or a rendering of the stats
 * file.  Only whole lines are kept: a line that does not fit sets overflow.
 */
#ifndef _PB_IFACE_REPLY_H
#define _PB_IFACE_REPLY_H

#include <linux/types.h>
#include <linux/compiler_types.h>

struct pb_reply {
	char *buf;
	size_t len;
	size_t size;
	bool overflow;
	/* Lines measured: with no buffer, pb_reply_printf() only counts. */
	size_t lines;
};

__printf(2, 3) void pb_reply_printf(struct pb_reply *r, const char *fmt, ...);
void pb_reply_reset(struct pb_reply *r);

#endif /* _PB_IFACE_REPLY_H */
