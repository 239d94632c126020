/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the private UAPI of the module, shared with its selftests.
 *
 * This is a private UAPI to a test module, in the way of lib/test_hmm_uapi.h,
 * so it is not in include/uapi/.  The ctl protocol is text: what user space
 * sees is the debugfs path, the limits below, and the names of the commands,
 * counters, knobs and violation kinds.  Each name is defined once, in the
 * X-macro lists of ptebatch_names.h; the enums below are built from them, and
 * so are the module's name tables and the selftests' lookups, so that a
 * misspelt name fails to compile on both sides.
 *
 * Documentation/ptebatch.rst and Documentation/model.rst describe them.
 */
#ifndef _UAPI_PTEBATCH_H
#define _UAPI_PTEBATCH_H

/*
 * The version of the ctl interface, in the version file, the version
 * command and modinfo.
 */
#define PTEBATCH_VERSION	"0.4.1"

/* The module's debugfs folder, and where it is mounted as a rule. */
#define PB_DEBUGFS_NAME		"ptebatch"
#define PB_DEBUGFS_DIR		"/sys/kernel/debug/" PB_DEBUGFS_NAME

/* --- Limits ------------------------------------------------------------- */

/* A command line, as written to ctl, is at most this long (with its NUL). */
#define PB_CMD_MAX		4096
/* The reply to one command is at most this long. */
#define PB_REPLY_MAX		(64 * 1024)
/*
 * The stats file is at most this long: room for the counters of
 * PB_SESSIONS_MAX sessions of PB_SESSION_MMS mms each, at the most digits.
 */
#define PB_STATS_MAX		(16 * 1024 * 1024)
/* Open sessions (ctl files) at once, all users together. */
#define PB_SESSIONS_MAX		128
/* Private mms per session. */
#define PB_SESSION_MMS		16
/* The most mms that share one arena: a parent and its fork children. */
#define PB_MAX_MMS		16
/* VMAs per mm. */
#define PB_MAX_VMAS		64
/* Bytes of VMAs per mm, all VMAs together. */
#define PB_MM_MAPPED_MAX	(1024ULL * 1024 * 1024 * 1024)	/* 1 TiB */
/* key=value arguments per command. */
#define PB_MAX_ARGS		16
/*
 * The most entries of one last-level table, a 64K granule's: the largest nr
 * of the helper commands (a smaller granule's mm takes fewer).
 */
#define PB_TABLE_PTRS_MAX	8192
/* Entries one dump command lists. */
#define PB_DUMP_MAX		512
/* The largest pid= of task_dump, task_folio and task_maps: a pid_t's range. */
#define PB_PID_MAX		0x7fffffffU
/*
 * The VMAs task_maps lists a line each, the first ones of the range; its
 * total counts them all.  pbmaps pages through a larger process with start=.
 */
#define PB_MAPS_VMAS_MAX	64
/*
 * The present pages task_import reads of a process (32 bytes each while it
 * builds the mm); the rest are counted as not imported (pages_limit).
 */
#define PB_IMPORT_PAGES_MAX	32768
/* Violations listed in detail per command; the rest are only counted. */
#define PB_MAX_REPORTED		8
/* The largest folio order of any granule: a 64K granule's PMD order. */
#define PB_MAX_ORDER		13
/*
 * The thp_orders knob: the mTHP orders anonymous faults may use, one bit per
 * order, as hugepages-<size>kB/enabled; never order 0 (the fallback, always
 * there) nor 1 (THP_ORDERS_ALL_ANON leaves it out).
 */
#define PB_THP_ORDERS_ALL	(((1ULL << (PB_MAX_ORDER + 1)) - 1) & ~3ULL)
/*
 * GUP_PIN_COUNTING_BIAS (include/linux/mm.h): a pin of a small (order-0)
 * folio adds this to its refcount; a large folio's pin adds 1 to its
 * refcount and 1 to its _pincount.
 */
#define PB_GUP_PIN_COUNTING_BIAS	1024U	/* 1U << 10 */
/* Most slots an mmu_gather holds (the gather_capacity knob's maximum). */
#define PB_GATHER_MAX		4096
/* Most bytes the bench command's memcpy bound copies. */
#define PB_BENCH_MEMCPY_MAX	(256ULL << 20)
/* Largest stride of bench op=zap_partial: the largest PMD (64K granule). */
#define PB_BENCH_STRIDE_MAX	(512ULL << 20)
/*
 * The module's memory budget (the budget_bytes file): by default this
 * fraction of the machine's RAM, which is also the most it can be set to.
 */
#define PB_BUDGET_RAM_DIVISOR	4
/*
 * A session's memory budget (the session command's budget_bytes): by
 * default this fraction of the module's budget when the session opens, and
 * at most the module's budget.
 */
#define PB_SESSION_BUDGET_DIVISOR	4
/* The oracle: most seeds and steps per seed, and most steps it traces. */
#define PB_ORACLE_MAX		10000
#define PB_ORACLE_TRACE_MAX	500

/* --- Names ---------------------------------------------------------------- */

/*
 * The semantics profiles, mm_create's kernel=: the kernel series the model
 * follows where they differ (Documentation/model.rst, "Profiles").  The
 * names, in this order, are PB_PROFILE_NAMES.
 */
enum pb_profile {
	PB_PROFILE_MAINLINE,	/* the newest kernel (trixie-backports) */
	PB_PROFILE_6_12,	/* Linux 6.12, the LTS of Debian's bookworm */
	PB_NR_PROFILES
};

#define PB_PROFILE_NAMES	{ "mainline", "6.12" }

/* Values of the ad_policy knob: the entry of a block an A/D update lands on. */
enum pb_ad_policy {
	PB_AD_ACCESSED,		/* the entry of the accessed page */
	PB_AD_FIRST,		/* the first entry of the block */
	PB_AD_LAST,		/* the last entry of the block */
	PB_AD_RANDOM,		/* a seeded random entry of the block */
};

/* Enums of the lists in ptebatch_names.h: PB_CNT_<name> and so on. */
enum pb_counter {
#define PB_COUNTER(name)	PB_CNT_##name,
#include "ptebatch_names.h"
	PB_NR_COUNTERS
};

enum pb_violation {
#define PB_VIOLATION(name)	PB_V_##name,
#include "ptebatch_names.h"
	PB_NR_VIOLATIONS
};

enum pb_mm_counter {
#define PB_MM_COUNTER(name)	PB_MMC_##name,
#include "ptebatch_names.h"
	PB_NR_MM_COUNTERS
};

enum pb_mm_state {
#define PB_MM_STATE(name)	PB_MMS_##name,
#include "ptebatch_names.h"
	PB_NR_MM_STATE
};

enum pb_knob {
#define PB_KNOB(name, ...)	PB_KNOB_##name,
#include "ptebatch_names.h"
	PB_NR_KNOBS
};

enum pb_command_id {
#define PB_COMMAND(name)	PB_CMD_##name,
#include "ptebatch_names.h"
	PB_NR_COMMANDS
};

/*
 * Keys of the commands (PB_KEY and PB_KEY_TEXT of ptebatch_names.h): whether
 * a key is required, and what leaving an optional one out means.  A range
 * of 0..PB_KEY_ANY is any number.
 */
#define PB_KEY_REQ		0	/* required */
#define PB_KEY_DEF		1	/* optional: its default if left out */
#define PB_KEY_OPT		2	/* optional: see the command's help */
#define PB_KEY_ANY		0xffffffffffffffffULL

/* PB_K_<command>_<key>, in the order of the list. */
enum pb_key_id {
#define PB_KEY(cmd, key, ...)		PB_K_##cmd##_##key,
#define PB_KEY_TEXT(cmd, key, ...)	PB_K_##cmd##_##key,
#include "ptebatch_names.h"
	PB_NR_KEYS
};

/* task_maps' keys (Documentation/task_maps.rst). */
enum pb_maps_info {
#define PB_MAPS_INFO(name)	PB_MAPS_INFO_##name,
#include "ptebatch_names.h"
	PB_NR_MAPS_INFO
};

enum pb_maps_key {
#define PB_MAPS_KEY(name)	PB_MAPS_##name,
#include "ptebatch_names.h"
	PB_NR_MAPS_KEYS
};

enum pb_maps_hist {
#define PB_MAPS_HIST(name)	PB_MAPS_HIST_##name,
#include "ptebatch_names.h"
	PB_NR_MAPS_HISTS
};

/* task_import's keys (Documentation/task_maps.rst). */
enum pb_import_info {
#define PB_IMPORT_INFO(name)	PB_IMPORT_INFO_##name,
#include "ptebatch_names.h"
	PB_NR_IMPORT_INFO
};

enum pb_import_skip {
#define PB_IMPORT_SKIP(name)	PB_IMPORT_SKIP_##name,
#include "ptebatch_names.h"
	PB_NR_IMPORT_SKIPS
};

#endif /* _UAPI_PTEBATCH_H */
