/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: running one ctl command line in a session.
 */
#ifndef _PB_IFACE_EXEC_H
#define _PB_IFACE_EXEC_H

#include <linux/types.h>

#include "iface/session.h"

/*
 * Run one command line.  The caller holds s->lock.  On failure the reply holds
 * a one-line reason and nothing the command would have changed is changed.
 */
int pb_session_exec(struct pb_session *s, const char *line, size_t len);

#endif /* _PB_IFACE_EXEC_H */
