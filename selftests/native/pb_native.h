/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every native test includes: the kselftest harness, then the headers
 * of the layers below the interface (lib model arch check paths tools), the
 * three granules as fixture variants, and the leak check that every
 * fixture's teardown runs.  No interface header: a model test that needed
 * one would not link against libmodel.a alone, so nt_iface.h has them.
 */
#ifndef _PB_NATIVE_H
#define _PB_NATIVE_H

/* The harness first: its __printf() is the one the shims then keep. */
#include "kselftest_harness.h"

#include <sanitizer/lsan_interface.h>
#include <linux/kernel.h>
#include <linux/err.h>

#include "lib/alloc.h"
#include "lib/counters.h"
#include "model/cpu.h"
#include "model/desc.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/rmap.h"
#include "model/shadow.h"
#include "model/tlb.h"
#include "arch/contpte.h"
#include "check/check.h"
#include "paths/batch.h"
#include "paths/fault.h"
#include "paths/fork.h"
#include "paths/gather.h"
#include "paths/madvise.h"
#include "paths/mprotect.h"
#include "paths/populate.h"
#include "paths/tracking.h"
#include "paths/zap.h"
#include "tools/bench.h"
#include "tools/oracle.h"

/* Aligned to the last-level table size of every granule. */
#define NT_VA		0x40000000ULL

/* The fields of a granule variant; CONT_PTES is 1 << cont_shift. */
#define NT_GRANULE_FIELDS		\
	unsigned int page_kb;		\
	unsigned int page_shift;	\
	unsigned int cont_shift

/* Each granule's variant: FIXTURE_VARIANT_ADD(f, granule_4k) NT_GRANULE_4K; */
#define NT_GRANULE_4K	{ .page_kb = 4, .page_shift = 12, .cont_shift = 4 }
#define NT_GRANULE_16K	{ .page_kb = 16, .page_shift = 14, .cont_shift = 7 }
#define NT_GRANULE_64K	{ .page_kb = 64, .page_shift = 16, .cont_shift = 5 }

static inline struct pb_mm *nt_mm_create(unsigned int page_kb,
					 unsigned int va_bits,
					 unsigned int pa_bits, u64 base_pfn,
					 u64 arena_pages, bool check)
{
	struct pb_mm_params p = {
		.page_kb = page_kb, .va_bits = va_bits, .pa_bits = pa_bits,
		.base_pfn = base_pfn, .arena_pages = arena_pages,
		.check = check,
	};
	const char *why = NULL;

	return pb_mm_create(&p, 0, &why);
}

/*
 * ASan's allocator hooks, which its headers do not declare: a test can watch
 * a free (a folio's backing data, an mm) and look at the model at that
 * moment.  Each test runs in a child process of its own, which keeps them.
 */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const void *ptr, size_t size),
					      void (*free_hook)(const void *ptr));

/* Every live counter at zero and nothing leaked, checked in the test child. */
static inline void nt_check_leaks(struct __test_metadata *_metadata)
{
	s64 left = 0;
	int i;

	/* Braces, and a second statement: TH_LOG must log inside the loop. */
	for (i = 0; i <= PB_CNT_live_bytes; i++) {
		EXPECT_EQ(0, atomic64_read(&pb_counters[i]))
			TH_LOG("%s is not back to zero", pb_counter_names[i]);
		left |= atomic64_read(&pb_counters[i]);
	}
	EXPECT_EQ(0, left);
	EXPECT_EQ(0, __lsan_do_recoverable_leak_check());
}

#endif /* _PB_NATIVE_H */
