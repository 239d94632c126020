// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the ctl commands of the paths built from the helpers: fork, user
 * accesses with faults, mprotect, soft-dirty, uffd-wp, pins, and the oracle.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "pb_model.h"
#include "pb_cmd.h"
#include "pb_oracle.h"

static int pb_cmd_fork(struct pb_args *a)
{
	struct pb_mm *mm, *child;
	const char *why;
	int id, ret;

	ret = pb_arg_mm(a, &mm);
	if (ret)
		return ret;
	id = pb_session_free_slot(a->s);
	if (id == PB_SESSION_MMS)
		return pb_err(a, "this session has %d mms already", PB_SESSION_MMS);
	child = pb_fork(mm, id, &why);
	if (IS_ERR(child)) {
		mm->report = NULL;
		pb_err(a, "fork: %s", why);
		return PTR_ERR(child);
	}
	pb_session_add_mm(a->s, child);
	pb_reply_printf(&a->s->reply, "mm %d\n", id);
	ret = pb_mm_done(a, mm, 0);
	if (!ret && child->knobs[PB_KNOB_check]) {
		child->report = &a->s->reply;
		child->cmd_violations = child->counters[PB_MMC_violations];
		ret = pb_mm_done(a, child, 0);
	}
	return ret;
}

/* A user access: the CPU's, and on a fault the kernel's handling and a retry. */
static int pb_cmd_touch(struct pb_args *a)
{
	const char *why = NULL;
	struct pb_mm *mm;
	bool write;
	u64 va, val;
	int ret;

	ret = pb_arg_access(a, &mm, &va, &write, &val);
	if (ret)
		return ret;
	if (!pb_access(mm, va, write, &val)) {
		pb_reply_printf(&a->s->reply, "faulted 0\nval 0x%llx\n", val);
		return pb_mm_done(a, mm, 0);
	}
	ret = pb_handle_fault(mm, va, write, &why);
	if (ret == -EFAULT) {
		pb_reply_printf(&a->s->reply, "faulted 1\nsegv 1\n");
		return pb_mm_done(a, mm, 0);
	}
	if (ret) {
		pb_err(a, "touch: %s", why);
		return pb_mm_done(a, mm, ret);
	}
	if (pb_access(mm, va, write, &val)) {
		pb_err(a, "touch: the access faults again after the fault was handled");
		return pb_mm_done(a, mm, -EIO);
	}
	pb_reply_printf(&a->s->reply, "faulted 1\nsegv 0\nval 0x%llx\n", val);
	return pb_mm_done(a, mm, 0);
}

static int pb_cmd_mprotect(struct pb_args *a)
{
	const char *protstr, *why;
	struct pb_mm *mm;
	u64 start, end;
	u32 prot;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_range(a, mm, &start, &end);
	if (!ret)
		ret = pb_arg_str(a, "prot", NULL, &protstr);
	if (ret)
		return ret;
	if (!strcmp(protstr, "none"))
		prot = 0;
	else if (!strcmp(protstr, "r"))
		prot = PB_VM_READ;
	else if (!strcmp(protstr, "rw"))
		prot = PB_VM_READ | PB_VM_WRITE;
	else
		return pb_err(a, "prot must be none, r or rw");
	ret = pb_mprotect(mm, start, end, prot, &why);
	if (ret)
		pb_err(a, "mprotect: %s", why);
	return pb_mm_done(a, mm, ret);
}

static int pb_cmd_clear_refs(struct pb_args *a)
{
	struct pb_mm *mm;
	int ret = pb_arg_mm(a, &mm);

	if (ret)
		return ret;
	pb_clear_soft_dirty(mm);
	return pb_mm_done(a, mm, 0);
}

static int pb_cmd_uffd_wp(struct pb_args *a)
{
	const char *why;
	struct pb_mm *mm;
	u64 start, end;
	bool wp;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_range(a, mm, &start, &end);
	if (!ret)
		ret = pb_arg_bool(a, "wp", true, &wp);
	if (ret)
		return ret;
	ret = pb_uffd_wp(mm, start, end, wp, &why);
	if (ret)
		pb_err(a, "uffd_wp: %s", why);
	return pb_mm_done(a, mm, ret);
}

static int pb_cmd_pin_range(struct pb_args *a, bool pin)
{
	const char *why;
	struct pb_mm *mm;
	u64 start, end;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_range(a, mm, &start, &end);
	if (ret)
		return ret;
	ret = pb_pin(mm, start, end, pin, &why);
	if (ret)
		pb_err(a, "%s: %s", pin ? "pin" : "unpin", why);
	return pb_mm_done(a, mm, ret);
}

static int pb_cmd_pin(struct pb_args *a)
{
	return pb_cmd_pin_range(a, true);
}

static int pb_cmd_unpin(struct pb_args *a)
{
	return pb_cmd_pin_range(a, false);
}

static int pb_cmd_oracle(struct pb_args *a)
{
	struct pb_oracle_totals t = { };
	struct pb_oracle_args o = { };
	u64 page_kb;
	int ret;

	ret = pb_arg_u64(a, "seed", 1, &o.seed);
	if (!ret)
		ret = pb_arg_u64(a, "seeds", 1, &o.seeds);
	if (!ret)
		ret = pb_arg_u64(a, "steps", 50, &o.steps);
	if (!ret)
		ret = pb_arg_u64(a, "page_kb", 4, &page_kb);
	if (!ret)
		ret = pb_arg_bool(a, "backing", false, &o.backing);
	if (!ret)
		ret = pb_arg_bool(a, "trace", false, &o.trace);
	if (ret)
		return ret;
	if (o.trace && o.seeds * o.steps > 500)
		return pb_err(a, "trace=1 prints a line per step: at most 500 steps");
	if (page_kb != 4 && page_kb != 16 && page_kb != 64)
		return pb_err(a, "granule must be 4, 16 or 64 (KiB)");
	if (!o.seeds || o.seeds > 10000 || !o.steps || o.steps > 10000)
		return pb_err(a, "seeds and steps must be within 1..10000");
	if (o.seed > U64_MAX - o.seeds)
		return pb_err(a, "seed + seeds overflows");
	o.page_kb = page_kb;
	ret = pb_oracle_run(&o, &a->s->reply, &t);
	if (ret == -ENOMEM)
		return pb_err(a, "oracle: out of memory");
	if (ret)
		return ret;
	pb_reply_printf(&a->s->reply,
			"seeds %llu\nsteps %llu\nunfolds_batched %llu\nunfolds_per_pte %llu\n"
			"tlbi_batched %llu\ntlbi_per_pte %llu\n",
			t.seeds, t.steps, t.unfolds[0], t.unfolds[1], t.tlbis[0],
			t.tlbis[1]);
	return 0;
}

const struct pb_command pb_path_commands[] = {
	{ "fork", pb_cmd_fork, "mm",
	  "copy an mm as fork() does (batch knob); replies the child's id" },
	{ "touch", pb_cmd_touch, "mm va write val",
	  "a user access: on a fault, handle it (allocate, reuse or copy) and retry" },
	{ "mprotect", pb_cmd_mprotect, "mm va len prot",
	  "change protection to none, r or rw; may spare write faults" },
	{ "clear_refs", pb_cmd_clear_refs, "mm",
	  "clear soft-dirty (echo 4 > clear_refs): tracking on, PTEs clean and read-only" },
	{ "uffd_wp", pb_cmd_uffd_wp, "mm va len wp",
	  "set (wp=1) or clear uffd write-protection of a range" },
	{ "pin", pb_cmd_pin, "mm va len", "GUP-pin every page of a range" },
	{ "unpin", pb_cmd_unpin, "mm va len", "release one pin of every page of a range" },
	{ "bench", pb_cmd_bench, "mm op bytes",
	  "time fork, zap (the child's exit) or an mprotect RO/RW round trip of an mm, or memcpy" },
	{ "oracle", pb_cmd_oracle, "seed seeds steps page_kb backing trace",
	  "run seeded random steps on a batched and a per-PTE mm family and compare" },
};

const size_t pb_nr_path_commands = ARRAY_SIZE(pb_path_commands);
