/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the native tests: the model's headers after the
 * kselftest harness, the three granules as fixture variants, and the leak
 * check that every fixture's teardown runs.
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
#include "paths/mprotect.h"
#include "paths/populate.h"
#include "paths/tracking.h"
#include "paths/zap.h"
#include "tools/bench.h"
#include "tools/oracle.h"
#include "iface/commands.h"
#include "iface/exec.h"
#include "iface/format.h"
#include "iface/parse.h"
#include "iface/reply.h"
#include "iface/session.h"
#include "iface/stats.h"
#include "iface/report.h"

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

/* The attributes populate gives a writable anon page: valid, dirty, young. */
static inline pb_pte_t nt_prot_rw(const struct pb_geom *g)
{
	pb_pte_t prot = PB_PTE_VALID | PB_PTE_TABLE | PB_PTE_USER | PB_PTE_AF |
			PB_PTE_NG | PB_PTE_PXN | PB_PTE_UXN | PB_ATTR_NORMAL |
			PB_PTE_DBM | PB_PTE_DIRTY;

	return g->lpa2 ? prot : prot | PB_ATTR_SH_INNER;
}

/*
 * A folio for a test to map by hand, or NT_NO_FOLIO; the allocation's
 * reference stays until the arena goes.
 */
#define NT_NO_FOLIO	U64_MAX

static inline u64 nt_folio(struct pb_mm *mm, unsigned int order)
{
	u64 pfn;

	if (pb_folio_alloc(mm->phys, order, true, &pfn))
		return NT_NO_FOLIO;
	return pfn;
}

/*
 * Map pages [first, first + nr) of the folio at @head_pfn from @va with one
 * set_ptes(), keeping the refcount and the mapcounts as populate does.
 */
static inline void nt_map(struct pb_mm *mm, u64 va, u64 head_pfn,
			  unsigned int first, unsigned int nr, pb_pte_t prot)
{
	struct pb_page *head = pb_pfn_to_page(mm->phys, head_pfn);
	pb_pte_t *ptep = pb_pte_offset(mm, va, true);

	head->refcount += nr;
	pb_rmap_add(mm, head_pfn + first, nr, true);
	pb_set_ptes(mm, va, ptep, pb_pfn_pte(&mm->geom, head_pfn + first, prot),
		    nr);
}

/* After a helper cleared @nr entries of one folio: zap's bookkeeping. */
static inline void nt_unmapped(struct pb_mm *mm, u64 va, u64 pfn,
			       unsigned int nr)
{
	pb_zap_folio_ptes_cleared(mm, va, pfn, nr, false);
	pb_gather_finish(mm);
}

/* Run one ctl command in @s; its result, with the reply in s->reply. */
static inline __printf(2, 3) int nt_run(struct pb_session *s, const char *fmt, ...)
{
	char line[PB_CMD_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return pb_session_exec(s, line, strlen(line));
}

/* The number after "@key " at the start of a line of the reply, or -1. */
static inline long long nt_reply_val(struct pb_session *s, const char *key)
{
	size_t len = strlen(key);
	const char *p = s->reply.buf;

	while (p && *p) {
		if (!strncmp(p, key, len) && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 0);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
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
