// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: in-kernel timing of one path on a private mm, in the way of
 * mm/gup_test.c: the clock runs around the operation only, set-up and
 * teardown stay outside it.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "pb_model.h"
#include "pb_cmd.h"

/* Most bytes the memcpy bound copies. */
#define PB_BENCH_MEMCPY_MAX	(256ULL << 20)

/* fork() of @mm, timed; the child goes untimed. */
static int pb_bench_fork(struct pb_mm *mm, bool zap, u64 *ns)
{
	struct pb_mm *child;
	const char *why;
	unsigned int i;
	u64 t0;

	t0 = ktime_get_ns();
	child = pb_fork(mm, PB_MAX_MMS, &why);
	if (IS_ERR(child))
		return PTR_ERR(child);
	*ns = ktime_get_ns() - t0;
	if (zap) {
		/* The child's exit: every VMA zapped with full = true. */
		t0 = ktime_get_ns();
		for (i = 0; i < child->nr_vmas; i++)
			pb_zap_range(child, child->vmas[i].start, child->vmas[i].end);
		*ns = ktime_get_ns() - t0;
	}
	pb_mm_destroy(child);
	return 0;
}

/* mprotect(PROT_READ) then mprotect(PROT_READ | PROT_WRITE) of every VMA. */
static int pb_bench_mprotect(struct pb_mm *mm, u64 *ns)
{
	const char *why;
	unsigned int i;
	int ret = 0;
	u64 t0;

	/* Whole VMAs: nothing splits, so the table stays as it is. */
	t0 = ktime_get_ns();
	for (i = 0; i < mm->nr_vmas && !ret; i++) {
		u64 start = mm->vmas[i].start, end = mm->vmas[i].end;

		ret = pb_mprotect(mm, start, end, PB_VM_READ, &why);
		if (!ret)
			ret = pb_mprotect(mm, start, end, PB_VM_READ | PB_VM_WRITE,
					  &why);
	}
	*ns = ktime_get_ns() - t0;
	return ret;
}

static int pb_bench_memcpy(u64 bytes, u64 *ns)
{
	void *from, *to;
	u64 t0;

	from = pb_zalloc(bytes);
	to = pb_zalloc(bytes);
	if (!from || !to) {
		pb_free(from, bytes);
		pb_free(to, bytes);
		return -ENOMEM;
	}
	memset(from, 0x5a, bytes);
	t0 = ktime_get_ns();
	memcpy(to, from, bytes);
	*ns = ktime_get_ns() - t0;
	pb_free(from, bytes);
	pb_free(to, bytes);
	return 0;
}

int pb_cmd_bench(struct pb_args *a)
{
	const char *op;
	struct pb_mm *mm;
	u64 ns = 0, bytes;
	int ret;

	ret = pb_arg_str(a, "op", NULL, &op);
	if (ret)
		return ret;
	if (!strcmp(op, "memcpy")) {
		ret = pb_arg_u64(a, "bytes", U64_MAX, &bytes);
		if (ret)
			return ret;
		if (pb_arg_given(a, "mm"))
			return pb_err(a, "bench op=memcpy takes no mm");
		if (!bytes || bytes > PB_BENCH_MEMCPY_MAX)
			return pb_err(a, "bytes must be within 1..%llu", PB_BENCH_MEMCPY_MAX);
		ret = pb_bench_memcpy(bytes, &ns);
		if (ret)
			return pb_err(a, "bench: out of memory");
		pb_reply_printf(&a->s->reply, "ns %llu\n", ns);
		return 0;
	}
	if (pb_arg_given(a, "bytes"))
		return pb_err(a, "bytes is for op=memcpy only");
	ret = pb_arg_mm(a, &mm);
	if (ret)
		return ret;
	if (!strcmp(op, "fork"))
		ret = pb_bench_fork(mm, false, &ns);
	else if (!strcmp(op, "zap"))
		ret = pb_bench_fork(mm, true, &ns);
	else if (!strcmp(op, "mprotect"))
		ret = pb_bench_mprotect(mm, &ns);
	else
		return pb_err(a, "op must be fork, zap, mprotect or memcpy");
	if (ret) {
		mm->report = NULL;
		return pb_err(a, "bench: %s failed (%d)", op, ret);
	}
	pb_reply_printf(&a->s->reply, "ns %llu\n", ns);
	return pb_mm_done(a, mm, 0);
}
