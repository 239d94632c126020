// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the command registry and help.  Adding a command is a name in
 * uapi's PB_COMMAND list, its keys in the PB_KEY list, a handler, and one
 * entry here.
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
#define PB_CMD(name, help)					\
	[PB_CMD_##name] = { #name, pb_cmd_##name, help, false }
#define PB_CMD_OWN_KEYS(name, help)					\
	[PB_CMD_##name] = { #name, pb_cmd_##name, help, true }

#define PB_HELP_BENCH \
	"time fork (and its phases), zap (the child's exit), partial zaps, an mprotect RO/RW round trip or the fork floor of an mm, or a bound: memcpy, memset, rmw"

const struct pb_command pb_commands[PB_NR_COMMANDS] = {
	PB_CMD(help,
	       "list the commands, their keys and what they do"),
	PB_CMD(version,
	       "print the module version"),
	PB_CMD(session,
	       "print this session's id, command count and memory budget; budget_bytes=N sets it"),
	PB_CMD(stats,
	       "print the global counters, as the stats file does"),
	PB_CMD(mm_create,
	       "create a private mm; replies its id, geometry and kernel profile"),
	PB_CMD(mm_destroy,
	       "tear an mm down, unmapping everything"),
	PB_CMD(mmap,
	       "add a VMA; flags: r,w,shared,anon,softdirty,uffdwp"),
	PB_CMD(populate,
	       "map new folios of 2^order pages (or the page cache's), as write faults do"),
	PB_CMD(munmap,
	       "zap a range: batched clears, one gather flush"),
	PB_CMD_OWN_KEYS(set,
			"set knobs of an mm: knob=N for any knob knobs lists"),
	PB_CMD(knobs,
	       "list the knobs of an mm"),
	PB_CMD(mm_stats,
	       "the counters of an mm"),
	PB_CMD(check,
	       "run the checker now"),
	PB_CMD(ptep_get,
	       "ptep_get(), A/D gathered over a block"),
	PB_CMD(wrprotect,
	       "wrprotect_ptes(), then the caller's flush"),
	PB_CMD(get_and_clear,
	       "get_and_clear_full_ptes() (full=0: get_and_clear_ptes()) of one folio's entries"),
	PB_CMD(clear_full,
	       "clear_full_ptes() (full=0: clear_ptes()) of one folio's entries"),
	PB_CMD(young,
	       "ptep_test_and_clear_young(), or ptep_clear_flush_young() with flush=1"),
	PB_CMD(set_access_flags,
	       "ptep_set_access_flags() with a young (and, write=1, dirty writable) entry"),
	PB_CMD(clear_young_dirty,
	       "clear_young_dirty_ptes(), then a flush"),
	PB_CMD(fold,
	       "fold the block at va (contpte_convert)"),
	PB_CMD(unfold,
	       "unfold the block at va (contpte_convert)"),
	PB_CMD(access,
	       "a simulated CPU read or write"),
	PB_CMD(dump,
	       "ptdump-like lines for nr pages from va"),
	PB_CMD(folio,
	       "the folio mapped at va"),
	PB_CMD(task_dump,
	       "dump's lines for nr pages from va of a real process (the caller's, or pid's)"),
	PB_CMD(task_folio,
	       "folio's lines for the folio mapped at va of a real process"),
	PB_CMD(task_maps,
	       "per-VMA and total counts of a real process: folio sizes, contpte blocks, A/D"),
	PB_CMD(task_import,
	       "a new mm with a real process's layout: VMAs, folios, CONT, A/D; replies its id"),
	PB_CMD(flush,
	       "TLB invalidation: the whole mm, or a page (nr=1), or a range"),
	PB_CMD(checksum,
	       "FNV-1a of the data mapped in a range (backing=1)"),
	PB_CMD(fork,
	       "copy an mm as fork() does (fork_batch knob); replies the child's id"),
	PB_CMD(touch,
	       "a user access: on a fault, handle it (map, reuse or copy) and retry"),
	PB_CMD(mprotect,
	       "change protection to none, r or rw; may spare write faults"),
	PB_CMD(madvise,
	       "MADV_DONTNEED (zap) or MADV_FREE (lazyfree, split partial folios)"),
	PB_CMD(mremap,
	       "move a range of one VMA to a free range (mremap_batch knob)"),
	PB_CMD(clear_refs,
	       "clear soft-dirty (echo 4 > clear_refs): tracking on, PTEs clean and read-only"),
	PB_CMD(uffd_wp,
	       "set (wp=1) or clear uffd write-protection of a range"),
	PB_CMD(pin,
	       "GUP-pin every page of a range"),
	PB_CMD(unpin,
	       "release one pin of every page of a range"),
	PB_CMD(bench, PB_HELP_BENCH),
	PB_CMD(oracle,
	       "run seeded random steps on a batched and a per-PTE mm family and compare"),
	PB_CMD_OWN_KEYS(kernel_oracle,
			"run seeded contpte helper calls in lockstep with the kernel's"),
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
		    !c->handler || !c->help) {
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

/* "key=N" of a numeric key, "key=TEXT" of a text key; [] when optional. */
static void pb_help_synopsis(struct pb_reply *r, const struct pb_key *k)
{
	bool opt = k->need != PB_KEY_REQ;

	pb_reply_printf(r, " %s%s=%s%s", opt ? "[" : "", k->name,
			k->text ? "TEXT" : "N", opt ? "]" : "");
}

/*
 * "    key <name> required|optional [default D] [range MIN..MAX|MIN..]
 * [values a|b]": one line per key, which pbctl help and the selftests parse.
 */
static void pb_help_key(struct pb_reply *r, const struct pb_key *k)
{
	pb_reply_printf(r, "    key %s %s", k->name,
			k->need == PB_KEY_REQ ? "required" : "optional");
	if (k->need == PB_KEY_DEF && k->text)
		pb_reply_printf(r, " default %s", k->text_def);
	else if (k->need == PB_KEY_DEF)
		pb_reply_printf(r, " default %llu", k->def);
	if (k->text && *k->values)
		pb_reply_printf(r, " values %s", k->values);
	else if (!k->text && k->max != PB_KEY_ANY)
		pb_reply_printf(r, " range %llu..%llu", k->min, k->max);
	else if (!k->text && k->min)
		pb_reply_printf(r, " range %llu..", k->min);
	pb_reply_printf(r, "\n");
}

/* Each command: its synopsis, what it does, and a line per key. */
int pb_cmd_help(struct pb_args *a)
{
	struct pb_reply *r = &a->s->reply;
	unsigned int i, k;

	for (i = 0; i < PB_NR_COMMANDS; i++) {
		pb_reply_printf(r, "%s", pb_commands[i].name);
		for (k = 0; k < PB_NR_KEYS; k++)
			if (pb_keys[k].cmd == i)
				pb_help_synopsis(r, &pb_keys[k]);
		if (pb_commands[i].own_keys)
			pb_reply_printf(r, " [%s=N...]",
					i == PB_CMD_set ? "knob" : "mutation");
		pb_reply_printf(r, "\n    %s\n", pb_commands[i].help);
		for (k = 0; k < PB_NR_KEYS; k++)
			if (pb_keys[k].cmd == i)
				pb_help_key(r, &pb_keys[k]);
	}
	return 0;
}
