/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the private UAPI of the module, shared with its selftests.
 *
 * This is a private UAPI to a test module, in the way of lib/test_hmm_uapi.h,
 * so it is not in include/uapi/.  The ctl protocol is text: what user space
 * sees is the debugfs path, the limits below, and the names of the commands,
 * counters, knobs and violation kinds.  Each is defined here once, as an
 * X-macro list; the module builds its enums and name tables from the lists,
 * and the selftests look names up through the enums, so that a misspelt
 * name fails to compile on both sides.
 *
 * Documentation/ptebatch.rst and Documentation/model.rst describe them.
 */
#ifndef _UAPI_PTEBATCH_H
#define _UAPI_PTEBATCH_H

/*
 * The version of the ctl interface, in the version file, the version
 * command and modinfo.
 */
#define PTEBATCH_VERSION	"0.1.0"

/* The module's debugfs folder, and where it is mounted as a rule. */
#define PB_DEBUGFS_NAME		"ptebatch"
#define PB_DEBUGFS_DIR		"/sys/kernel/debug/" PB_DEBUGFS_NAME

/* --- Limits ------------------------------------------------------------- */

/* A command line, as written to ctl, is at most this long (with its NUL). */
#define PB_CMD_MAX		4096
/* The reply to one command is at most this long. */
#define PB_REPLY_MAX		(64 * 1024)
/* The stats file: room for the counters of many mms. */
#define PB_STATS_MAX		(1024 * 1024)
/* Private mms per session. */
#define PB_SESSION_MMS		16
/* key=value arguments per command. */
#define PB_MAX_ARGS		16
/* Entries one dump command lists. */
#define PB_DUMP_MAX		512
/* Violations listed in detail per command; the rest are only counted. */
#define PB_MAX_REPORTED		8
/* The largest folio order of any granule: a 64K granule's PMD order. */
#define PB_MAX_ORDER		13
/* Most pages an mmu_gather holds (the gather_capacity knob's maximum). */
#define PB_GATHER_MAX		4096
/* Most bytes the bench command's memcpy bound copies. */
#define PB_BENCH_MEMCPY_MAX	(256ULL << 20)
/* The oracle: most seeds and steps per seed, and most steps it traces. */
#define PB_ORACLE_MAX		10000
#define PB_ORACLE_TRACE_MAX	500

/* --- Names ---------------------------------------------------------------- */

/*
 * Global counters, in the stats file in this order.  The live-object
 * counters (live_*) come first and read zero when no session is open.
 */
#define PB_COUNTERS(X)						\
	X(live_sessions)					\
	X(live_mms)						\
	X(live_pt_pages)					\
	X(live_folios)						\
	X(live_data_pages)					\
	X(live_bytes)						\
	X(sessions_opened)					\
	X(commands)						\
	X(command_errors)					\
	X(allocs)						\
	X(alloc_failures_injected)

/* Kinds of violation the checker reports, in this order. */
#define PB_VIOLATIONS(X)					\
	X(misprogrammed)					\
	X(bbm)							\
	X(refcount)						\
	X(mapcount)						\
	X(freed)						\
	X(dirty_lost)						\
	X(stale_tlb)

/*
 * Per-mm counters, in mm_stats and the stats file in this order.  The
 * violations_<kind> counters follow PB_VIOLATIONS' order.
 */
#define PB_MM_COUNTERS(X)					\
	X(pte_writes)						\
	X(folds)						\
	X(fold_attempts)					\
	X(unfolds)						\
	X(converts)						\
	X(wrprotect_whole_blocks)				\
	X(wrprotect_partial_blocks)				\
	X(tlbi_page)						\
	X(tlbi_range)						\
	X(tlbi_mm)						\
	X(tlbi_skipped_bbml2)					\
	X(gather_flushes)					\
	X(gather_forced_flushes)				\
	X(tlb_hits)						\
	X(tlb_misses)						\
	X(tlb_fills)						\
	X(accesses)						\
	X(faults)						\
	X(hw_af_updates)					\
	X(hw_dirty_updates)					\
	X(stale_tlb_writes)					\
	X(refcount_atomics)					\
	X(mapcount_atomics)					\
	X(pt_pages)						\
	X(folios_mapped)					\
	X(deferred_split_adds)					\
	X(deferred_split_spurious)				\
	X(ptes_copied)						\
	X(fork_batches)						\
	X(batch_size_1)						\
	X(batch_size_small)					\
	X(batch_size_cont)					\
	X(batch_size_large)					\
	X(batch_size_pmd)					\
	X(pinned_fallbacks)					\
	X(zap_batches)						\
	X(mprotect_batches)					\
	X(read_faults)						\
	X(write_faults)						\
	X(write_faults_avoided)					\
	X(write_upgrades_denied)				\
	X(wp_reuses)						\
	X(cow_copies)						\
	X(uffd_wp_faults)					\
	X(segv)							\
	X(checks)						\
	X(violations)						\
	X(violations_misprogrammed)				\
	X(violations_bbm)					\
	X(violations_refcount)					\
	X(violations_mapcount)					\
	X(violations_freed)					\
	X(violations_dirty_lost)				\
	X(violations_stale_tlb)

/* Values of the ad_policy knob: which entry of a block a hardware A/D update lands on. */
enum pb_ad_policy {
	PB_AD_ACCESSED,		/* the entry of the accessed page */
	PB_AD_FIRST,		/* the first entry of the block */
	PB_AD_LAST,		/* the last entry of the block */
	PB_AD_RANDOM,		/* a seeded random entry of the block */
};

/*
 * Knobs of an mm: X(name, default, maximum, help), in the knobs command in
 * this order.  The mutation knobs inject a known bug each.
 */
#define PB_KNOBS(X)							\
	X(contpte, 1, 1,						\
	  "use the contpte layer (0: plain per-PTE helpers)")		\
	X(autofold, 1, 1,						\
	  "fold a block on set_ptes(nr==1) of its last entry")		\
	X(bbml2, 0, 1,							\
	  "BBML2_NOABORT: skip the TLBI between clear and set in convert") \
	X(check, 1, 1,							\
	  "run the checker after every command")			\
	X(ad_policy, 0, PB_AD_RANDOM,					\
	  "entry a hardware A/D update lands on: 0 accessed, 1 first, 2 last, 3 random") \
	X(seed, 1, 0xfffffffffffffffeULL,				\
	  "seed of the random A/D policy")				\
	X(gather_capacity, 64, PB_GATHER_MAX,				\
	  "pages an mmu_gather holds before a forced flush")		\
	X(naive_pfn_step, 0, 1,						\
	  "mutation: step PFNs by adding a granule to the descriptor")	\
	X(skip_wrprotect_flush, 0, 1,					\
	  "mutation: no TLB flush after a whole-block wrprotect")	\
	X(partial_wrprotect_no_unfold, 0, 1,				\
	  "mutation: wrprotect part of a block without unfolding")	\
	X(skip_ad_gather, 0, 1,						\
	  "mutation: ptep_get and convert do not gather A/D")		\
	X(batch, 1, 1,							\
	  "batched fork, zap and mprotect (0: one PTE at a time)")	\
	X(fault_order, 0, PB_MAX_ORDER,					\
	  "order of the folio a fault on an empty entry tries first")	\
	X(mprotect_upgrade, 1, 1,					\
	  "mprotect makes PTEs writable where can_change_pte_writable() allows")

/* The ctl commands, in help's order. */
#define PB_COMMANDS(X)						\
	X(help)							\
	X(version)						\
	X(session)						\
	X(stats)						\
	X(mm_create)						\
	X(mm_destroy)						\
	X(mmap)							\
	X(populate)						\
	X(munmap)						\
	X(set)							\
	X(knobs)						\
	X(mm_stats)						\
	X(check)						\
	X(ptep_get)						\
	X(wrprotect)						\
	X(get_and_clear)					\
	X(clear_full)						\
	X(young)						\
	X(set_access_flags)					\
	X(clear_young_dirty)					\
	X(fold)							\
	X(unfold)						\
	X(access)						\
	X(dump)							\
	X(folio)						\
	X(flush)						\
	X(checksum)						\
	X(fork)							\
	X(touch)						\
	X(mprotect)						\
	X(clear_refs)						\
	X(uffd_wp)						\
	X(pin)							\
	X(unpin)						\
	X(bench)						\
	X(oracle)

/* --- Enums built from the lists ------------------------------------------ */

#define PB_UAPI_ENUM_CNT(name)		PB_CNT_##name,
#define PB_UAPI_ENUM_V(name)		PB_V_##name,
#define PB_UAPI_ENUM_MMC(name)		PB_MMC_##name,
#define PB_UAPI_ENUM_KNOB(name, def, max, help)	PB_KNOB_##name,
#define PB_UAPI_ENUM_CMD(name)		PB_CMD_##name,

enum pb_counter { PB_COUNTERS(PB_UAPI_ENUM_CNT) PB_NR_COUNTERS };
enum pb_violation { PB_VIOLATIONS(PB_UAPI_ENUM_V) PB_NR_VIOLATIONS };
enum pb_mm_counter { PB_MM_COUNTERS(PB_UAPI_ENUM_MMC) PB_NR_MM_COUNTERS };
enum pb_knob { PB_KNOBS(PB_UAPI_ENUM_KNOB) PB_NR_KNOBS };
enum pb_command_id { PB_COMMANDS(PB_UAPI_ENUM_CMD) PB_NR_COMMANDS };

/* The name of an entry, as a string: PB_COUNTERS(PB_UAPI_NAME) lists them. */
#define PB_UAPI_NAME(name)		#name,
#define PB_UAPI_KNOB_NAME(name, def, max, help)	#name,

#endif /* _UAPI_PTEBATCH_H */
