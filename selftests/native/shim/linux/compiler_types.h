/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native shim: what Kbuild's forced compiler_types.h gives every file.  The
 * shim's types.h includes it.  kselftest.h defines __printf() too, with the
 * same effect: a test includes the harness first and this one steps aside.
 */
#ifndef _SHIM_LINUX_COMPILER_TYPES_H
#define _SHIM_LINUX_COMPILER_TYPES_H

#define __shim_attr(x)		__attribute__(x)

#ifndef __printf
#define __printf(a, b)		__shim_attr((format(printf, a, b)))
#endif

#ifndef noinline
#define noinline		__shim_attr((__noinline__))
#endif

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#endif /* _SHIM_LINUX_COMPILER_TYPES_H */
