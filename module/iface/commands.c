// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the command registry and help.  Adding a command is a name in
 * uapi's PB_COMMAND list, a handler, and one entry here.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "iface/cmd_helpers.h"
#include "iface/cmd_mm.h"
#include "iface/cmd_paths.h"
#include "iface/cmd_session.h"
#include "iface/cmd_task.h"
#include "iface/cmd_tools.h"
#include "iface/commands.h"
#include "iface/reply.h"
#include "iface/session.h"

/* The name comes from the UAPI enum: a command it lacks does not compile. */
#define PB_CMD(name, keys, help)					\
	[PB_CMD_##name] = { #name, pb_cmd_##name, keys, help, false }
#define PB_CMD_OWN_KEYS(name, keys, help)				\
	[PB_CMD_##name] = { #name, pb_cmd_##name, keys, help, true }

#define PB_HELP_BENCH \
	"time fork (and its phases), zap (the child's exit), partial zaps, an mprotect RO/RW round trip or the fork floor of an mm, or a bound: memcpy, memset, rmw"

const struct pb_command pb_commands[PB_NR_COMMANDS] = {
	PB_CMD(help, "",
	       "list the commands, their keys and what they do"),
	PB_CMD(version, "",
	       "print the module version"),
	PB_CMD(session, "budget_bytes",
	       "print this session's id, command count and memory budget; budget_bytes=N sets it"),
	PB_CMD(stats, "",
	       "print the global counters, as the stats file does"),
	PB_CMD(mm_create,
	       "page_kb va_bits pa_bits base_pfn arena_pages backing check kernel no_page_mapcount",
	       "create a private mm; replies its id, geometry and kernel profile"),
	PB_CMD(mm_destroy, "mm",
	       "tear an mm down, unmapping everything"),
	PB_CMD(mmap, "mm start len flags",
	       "add a VMA; flags: r,w,shared,anon,softdirty,uffdwp"),
	PB_CMD(populate, "mm va len order per_pte",
	       "map new folios of 2^order pages (or the page cache's), as write faults do"),
	PB_CMD(munmap, "mm va len",
	       "zap a range: batched clears, one gather flush"),
	PB_CMD_OWN_KEYS(set, "mm knob=value...",
			"set knobs of an mm; see knobs"),
	PB_CMD(knobs, "mm",
	       "list the knobs of an mm"),
	PB_CMD(mm_stats, "mm",
	       "the counters of an mm"),
	PB_CMD(check, "mm",
	       "run the checker now"),
	PB_CMD(ptep_get, "mm va",
	       "ptep_get(), A/D gathered over a block"),
	PB_CMD(wrprotect, "mm va nr",
	       "wrprotect_ptes(), then the caller's flush"),
	PB_CMD(get_and_clear, "mm va nr full",
	       "get_and_clear_full_ptes() (full=0: get_and_clear_ptes()) of one folio's entries"),
	PB_CMD(clear_full, "mm va nr full",
	       "clear_full_ptes() (full=0: clear_ptes()) of one folio's entries"),
	PB_CMD(young, "mm va flush",
	       "ptep_test_and_clear_young(), or ptep_clear_flush_young() with flush=1"),
	PB_CMD(set_access_flags, "mm va write",
	       "ptep_set_access_flags() with a young (and, write=1, dirty writable) entry"),
	PB_CMD(clear_young_dirty, "mm va nr young dirty",
	       "clear_young_dirty_ptes(), then a flush"),
	PB_CMD(fold, "mm va",
	       "fold the block at va (contpte_convert)"),
	PB_CMD(unfold, "mm va",
	       "unfold the block at va (contpte_convert)"),
	PB_CMD(access, "mm va write val",
	       "a simulated CPU read or write"),
	PB_CMD(dump, "mm va nr",
	       "ptdump-like lines for nr pages from va"),
	PB_CMD(folio, "mm va",
	       "the folio mapped at va"),
	PB_CMD(task_dump, "va nr pid",
	       "dump's lines for nr pages from va of a real process (the caller's, or pid's)"),
	PB_CMD(task_folio, "va pid",
	       "folio's lines for the folio mapped at va of a real process"),
	PB_CMD(task_maps, "start len pid",
	       "per-VMA and total counts of a real process: folio sizes, contpte blocks, A/D"),
	PB_CMD(task_import, "start len pid kernel",
	       "a new mm with a real process's layout: VMAs, folios, CONT, A/D; replies its id"),
	PB_CMD(flush, "mm va nr",
	       "TLB invalidation: the whole mm, or a page (nr=1), or a range"),
	PB_CMD(checksum, "mm va len",
	       "FNV-1a of the data mapped in a range (backing=1)"),
	PB_CMD(fork, "mm",
	       "copy an mm as fork() does (fork_batch knob); replies the child's id"),
	PB_CMD(touch, "mm va write val",
	       "a user access: on a fault, handle it (map, reuse or copy) and retry"),
	PB_CMD(mprotect, "mm va len prot",
	       "change protection to none, r or rw; may spare write faults"),
	PB_CMD(madvise, "mm va len advice",
	       "MADV_DONTNEED (zap) or MADV_FREE (lazyfree, split partial folios)"),
	PB_CMD(mremap, "mm old len new",
	       "move a range of one VMA to a free range (mremap_batch knob)"),
	PB_CMD(clear_refs, "mm",
	       "clear soft-dirty (echo 4 > clear_refs): tracking on, PTEs clean and read-only"),
	PB_CMD(uffd_wp, "mm va len wp",
	       "set (wp=1) or clear uffd write-protection of a range"),
	PB_CMD(pin, "mm va len",
	       "GUP-pin every page of a range"),
	PB_CMD(unpin, "mm va len",
	       "release one pin of every page of a range"),
	PB_CMD(bench, "mm op bytes stride", PB_HELP_BENCH),
	PB_CMD(oracle, "seed seeds steps page_kb backing trace kernel",
	       "run seeded random steps on a batched and a per-PTE mm family and compare"),
	PB_CMD_OWN_KEYS(kernel_oracle, "seed seeds steps pa_bits base_pfn mutation=1...",
			"run seeded random contpte helper calls in lockstep with the kernel's"),
};

static const char *const pb_command_names[PB_NR_COMMANDS] = {
#define PB_COMMAND(name)	\
	[PB_CMD_##name] = #name,
#include "uapi/ptebatch_names.h"
};

int pb_commands_check(const char **missing)
{
	unsigned int i;

	for (i = 0; i < PB_NR_COMMANDS; i++) {
		const struct pb_command *c = &pb_commands[i];

		if (!c->name || strcmp(c->name, pb_command_names[i]) ||
		    !c->handler || !c->keys || !c->help) {
			*missing = pb_command_names[i];
			return -EINVAL;
		}
	}
	return 0;
}

const struct pb_command *pb_find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < PB_NR_COMMANDS; i++)
		if (!strcmp(pb_commands[i].name, name))
			return &pb_commands[i];
	return NULL;
}

int pb_cmd_help(struct pb_args *a)
{
	unsigned int i;

	for (i = 0; i < PB_NR_COMMANDS; i++)
		pb_reply_printf(&a->s->reply, "%s [%s]\n    %s\n",
				pb_commands[i].name, pb_commands[i].keys,
				pb_commands[i].help);
	return 0;
}
