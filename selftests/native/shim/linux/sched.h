/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: current, one distinct pointer per live thread. */
#ifndef _SHIM_LINUX_SCHED_H
#define _SHIM_LINUX_SCHED_H

#include <pthread.h>

struct task_struct;

#define current	((struct task_struct *)pthread_self())

#endif /* _SHIM_LINUX_SCHED_H */
