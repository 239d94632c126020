// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the ctl commands of the paths built from the helpers: fork, user
 * accesses with faults, mprotect, soft-dirty, uffd-wp and pins.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/overflow.h>

#include "model/cpu.h"
#include "model/mm.h"
#include "paths/fault.h"
#include "paths/fork.h"
#include "paths/madvise.h"
#include "paths/mprotect.h"
#include "paths/mremap.h"
#include "paths/tracking.h"
#include "iface/cmd_paths.h"
#include "iface/parse.h"
#include "iface/report.h"
#include "iface/session.h"

int pb_cmd_fork(struct pb_args *a)
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
		pb_err(a, "fork: %s", why);
		return PTR_ERR(child);
	}
	pb_session_add_mm(a->s, child);
	pb_reply_printf(&a->s->reply, "mm %d\n", id);
	ret = pb_mm_done(a, mm, 0);
	if (!ret && child->knobs[PB_KNOB_check]) {
		pb_mm_begin(a, child);
		ret = pb_mm_done(a, child, 0);
	}
	return ret;
}

/* A user access: the CPU's, and on a fault the kernel's handling and a retry. */
int pb_cmd_touch(struct pb_args *a)
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

int pb_cmd_mprotect(struct pb_args *a)
{
	static const char *const names[] = { "none", "r", "rw" };
	static const u32 prots[] = { 0, PB_VM_READ, PB_VM_READ | PB_VM_WRITE };
	const char *why;
	struct pb_mm *mm;
	u64 start, end;
	int ret, i;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_range(a, mm, &start, &end);
	if (!ret)
		ret = pb_arg_choice(a, "prot", -1, names, ARRAY_SIZE(names), &i);
	if (ret)
		return ret;
	ret = pb_mprotect(mm, start, end, prots[i], &why);
	if (ret)
		pb_err(a, "mprotect: %s", why);
	return pb_mm_done(a, mm, ret);
}

int pb_cmd_madvise(struct pb_args *a)
{
	static const char *const names[] = {
		[PB_MADV_DONTNEED] = "dontneed", [PB_MADV_FREE] = "free",
	};
	const char *why;
	struct pb_mm *mm;
	u64 start, end;
	int ret, advice;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_range(a, mm, &start, &end);
	if (!ret)
		ret = pb_arg_choice(a, "advice", -1, names, ARRAY_SIZE(names), &advice);
	if (ret)
		return ret;
	ret = pb_madvise(mm, start, end, advice, &why);
	if (ret == -EINVAL)
		return pb_err(a, "madvise: %s", why);
	if (ret)
		pb_err(a, "madvise: %s", why);
	return pb_mm_done(a, mm, ret);
}

int pb_cmd_mremap(struct pb_args *a)
{
	const char *why;
	struct pb_mm *mm;
	u64 old, len, new, end;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_u64(a, "old", &old);
	if (!ret)
		ret = pb_arg_u64(a, "len", &len);
	if (!ret)
		ret = pb_arg_u64(a, "new", &new);
	if (ret)
		return ret;
	if (!len || check_add_overflow(old, len, &end))
		return pb_err(a, "len is zero or old + len overflows");
	if ((old | len | new) & (pb_page_size(&mm->geom) - 1))
		return pb_err(a, "old, len and new must be multiples of the page size");
	ret = pb_mremap(mm, old, len, new, &why);
	if (ret == -EINVAL)
		return pb_err(a, "mremap: %s", why);
	if (ret) {
		pb_err(a, "mremap: %s", why);
		return pb_mm_done(a, mm, ret);
	}
	pb_reply_printf(&a->s->reply, "va 0x%llx\n", new);
	return pb_mm_done(a, mm, 0);
}

int pb_cmd_clear_refs(struct pb_args *a)
{
	struct pb_mm *mm;
	int ret = pb_arg_mm(a, &mm);

	if (ret)
		return ret;
	pb_clear_soft_dirty(mm);
	return pb_mm_done(a, mm, 0);
}

int pb_cmd_uffd_wp(struct pb_args *a)
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
		ret = pb_arg_bool(a, "wp", &wp);
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

int pb_cmd_pin(struct pb_args *a)
{
	return pb_cmd_pin_range(a, true);
}

int pb_cmd_unpin(struct pb_args *a)
{
	return pb_cmd_pin_range(a, false);
}
