/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commands that the fail_nth sweeps drive, in the guests (failnth_test)
 * and natively (native/test_iface_failnth): each with the commands that make
 * its starting state.  Every attempt of a sweep starts from that state in a
 * fresh session, so every attempt makes the same allocations in the same
 * order and the sweep reaches each of them once.
 *
 * The model's granule is given (page_kb=4), so the lines are the same on every
 * kernel; 0x40000000 is aligned to every table size, 0x20000 is two contpte
 * blocks of 64 KiB.
 */
#ifndef _FAILNTH_CMDS_H
#define _FAILNTH_CMDS_H

#define FN_MAX_SETUP	4

struct fn_cmd {
	const char *name;
	/* Run with fail_nth off, in order, in the fresh session. */
	const char *setup[FN_MAX_SETUP];
	/* The command swept; its mms are mm=0 (and the child mm=1). */
	const char *cmd;
};

#define FN_CREATE	"mm_create page_kb=4 backing=1"
#define FN_MMAP		"mmap mm=0 start=0x40000000 len=0x20000 flags=r,w,anon"
#define FN_POPULATE	"populate mm=0 va=0x40000000 len=0x20000 order=4"

static const struct fn_cmd fn_cmds[] = {
	{ "mm_create", { NULL }, FN_CREATE },
	{ "mmap", { FN_CREATE }, FN_MMAP },
	{ "populate", { FN_CREATE, FN_MMAP }, FN_POPULATE },
	{ "populate_per_pte", { FN_CREATE, FN_MMAP },
	  "populate mm=0 va=0x40000000 len=0x20000 order=0 per_pte=1" },
	{ "fork", { FN_CREATE, FN_MMAP, FN_POPULATE }, "fork mm=0" },
	/* A write to a page the child shares: a COW copy. */
	{ "touch_cow", { FN_CREATE, FN_MMAP, FN_POPULATE, "fork mm=0" },
	  "touch mm=0 va=0x40005000 write=1 val=7" },
	/* Part of a contpte block: the block is unfolded, the VMA split. */
	{ "mprotect", { FN_CREATE, FN_MMAP, FN_POPULATE },
	  "mprotect mm=0 va=0x40004000 len=0x4000 prot=r" },
	{ "munmap", { FN_CREATE, FN_MMAP, FN_POPULATE },
	  "munmap mm=0 va=0x40004000 len=0x4000" },
	/* A first touch: the fault takes its tables, then a folio. */
	{ "touch_new", { FN_CREATE, FN_MMAP },
	  "touch mm=0 va=0x40005000 write=1 val=7" },
	/* To a range with no tables: they are taken before anything moves. */
	{ "mremap", { FN_CREATE, FN_MMAP, FN_POPULATE },
	  "mremap mm=0 old=0x40000000 len=0x20000 new=0x8000000000" },
	{ "oracle", { NULL }, "oracle seed=3 steps=12" },
	{ "oracle_backing", { NULL }, "oracle seed=5 steps=8 backing=1" },
};

#endif /* _FAILNTH_CMDS_H */
