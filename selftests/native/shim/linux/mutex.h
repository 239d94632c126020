/* SPDX-License-Identifier: GPL-2.0 */
/* Native shim: sleeping locks are pthread mutexes. */
#ifndef _SHIM_LINUX_MUTEX_H
#define _SHIM_LINUX_MUTEX_H

#include <pthread.h>
#include <stdlib.h>

struct mutex {
	pthread_mutex_t m;
};

#define DEFINE_MUTEX(name)	struct mutex name = { PTHREAD_MUTEX_INITIALIZER }

static inline void mutex_init(struct mutex *lock)
{
	pthread_mutex_init(&lock->m, NULL);
}

static inline void mutex_destroy(struct mutex *lock)
{
	pthread_mutex_destroy(&lock->m);
}

static inline void mutex_lock(struct mutex *lock)
{
	pthread_mutex_lock(&lock->m);
}

/* No signals to interrupt the wait: always 0. */
static inline int mutex_lock_interruptible(struct mutex *lock)
{
	return pthread_mutex_lock(&lock->m);
}

static inline void mutex_unlock(struct mutex *lock)
{
	pthread_mutex_unlock(&lock->m);
}

/* Held by the caller: a trylock that succeeds means it was not. */
static inline void shim_lockdep_assert_held(struct mutex *lock)
{
	if (pthread_mutex_trylock(&lock->m) == 0) {
		pthread_mutex_unlock(&lock->m);
		abort();
	}
}

#define lockdep_assert_held(lock)	shim_lockdep_assert_held(lock)

#endif /* _SHIM_LINUX_MUTEX_H */
