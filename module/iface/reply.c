// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the reply buffer.
 */
#include <linux/kernel.h>

#include "iface/reply.h"

void pb_reply_reset(struct pb_reply *r)
{
	r->len = 0;
	r->overflow = false;
	r->buf[0] = '\0';
}

void pb_reply_printf(struct pb_reply *r, const char *fmt, ...)
{
	size_t room = r->size - r->len;
	va_list args;
	int n;

	if (r->overflow)
		return;
	/* No buffer: only measure, as vsnprintf(NULL, 0) does. */
	if (!r->buf) {
		va_start(args, fmt);
		n = vsnprintf(NULL, 0, fmt, args);
		va_end(args);
		r->len += n > 0 ? n : 0;
		r->lines++;
		return;
	}
	va_start(args, fmt);
	n = vsnprintf(r->buf + r->len, room, fmt, args);
	va_end(args);
	if (n < 0 || (size_t)n >= room) {
		/* Keep whole lines only: drop the partial one. */
		r->buf[r->len] = '\0';
		r->overflow = true;
		return;
	}
	r->len += n;
}
