// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the ctl commands of the tools: bench, the oracle and the kernel
 * oracle.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "lib/alloc.h"
#include "model/mm.h"
#include "model/phys.h"
#include "tools/bench.h"
#include "tools/koracle.h"
#include "tools/oracle.h"
#include "iface/cmd_tools.h"
#include "iface/parse.h"
#include "iface/report.h"
#include "iface/session.h"

static const char *const pb_bench_bounds[] = {
	[PB_BENCH_MEMCPY] = "memcpy",
	[PB_BENCH_MEMSET] = "memset",
	[PB_BENCH_RMW] = "rmw",
};

/* A bound: -ENOENT if @op names none. */
static int pb_cmd_bench_bound(struct pb_args *a, const char *op)
{
	u64 ns = 0, bytes;
	unsigned int b;
	int ret;

	for (b = 0; b < ARRAY_SIZE(pb_bench_bounds); b++)
		if (!strcmp(op, pb_bench_bounds[b]))
			break;
	if (b == ARRAY_SIZE(pb_bench_bounds))
		return -ENOENT;
	ret = pb_arg_u64(a, "bytes", &bytes);
	if (ret)
		return ret;
	if (pb_arg_given(a, "mm"))
		return pb_err(a, "bench op=%s takes no mm", op);
	if (!bytes || bytes > PB_BENCH_MEMCPY_MAX)
		return pb_err(a, "bytes must be within 1..%llu", PB_BENCH_MEMCPY_MAX);
	if (bytes % sizeof(u64))
		return pb_err(a, "bytes must be a multiple of 8 (whole entries)");
	ret = pb_bench_bound(b, bytes, &ns);
	if (ret) {
		pb_err(a, "bench: out of memory");
		return ret;
	}
	pb_reply_printf(&a->s->reply, "ns %llu\n", ns);
	return 0;
}

/*
 * The "issued" line: what the op counted on @mm since @before, and on the
 * child that fork and zap make and destroy (@child), so that a fork's
 * atomics, which copy_present_ptes() charges to the new mm, are not lost.
 */
static void pb_reply_issued(struct pb_reply *r, const struct pb_mm *mm,
			    const u64 *before, const u64 *child)
{
	unsigned int c;

	pb_reply_printf(r, "issued");
	for (c = 0; c < PB_NR_MM_COUNTERS; c++)
		pb_reply_printf(r, " %s=%llu", pb_mm_counter_names[c],
				mm->counters[c] - before[c] + child[c]);
	pb_reply_printf(r, "\n");
}

int pb_cmd_bench(struct pb_args *a)
{
	u64 before[PB_NR_MM_COUNTERS], child[PB_NR_MM_COUNTERS] = { };
	struct pb_fork_times t = { };
	const char *op;
	struct pb_mm *mm;
	u64 ns = 0, stride, psize;
	int ret;

	ret = pb_arg_str(a, "op", &op);
	if (ret)
		return ret;
	ret = pb_cmd_bench_bound(a, op);
	if (ret != -ENOENT)
		return ret;
	if (pb_arg_given(a, "bytes"))
		return pb_err(a, "bytes is for op=memcpy, memset or rmw only");
	stride = 0;
	if (pb_arg_given(a, "stride")) {
		if (strcmp(op, "zap_partial"))
			return pb_err(a, "stride is for op=zap_partial only");
		ret = pb_arg_u64(a, "stride", &stride);
		if (ret)
			return ret;
	}
	ret = pb_arg_mm(a, &mm);
	if (ret)
		return ret;
	psize = pb_page_size(&mm->geom);
	if (!strcmp(op, "zap_partial") &&
	    (stride < 2 * psize || stride > PB_BENCH_STRIDE_MAX || stride & (psize - 1)))
		return pb_err(a, "stride must be a page multiple, 2 pages to %llu bytes",
			      PB_BENCH_STRIDE_MAX);
	memcpy(before, mm->counters, sizeof(before));
	if (!strcmp(op, "fork"))
		ret = pb_bench_fork(mm, false, &ns, &t, child);
	else if (!strcmp(op, "zap_partial"))
		ret = pb_bench_zap_partial(mm, stride, &ns);
	else if (!strcmp(op, "zap"))
		ret = pb_bench_fork(mm, true, &ns, NULL, child);
	else if (!strcmp(op, "mprotect"))
		ret = pb_bench_mprotect(mm, &ns);
	else if (!strcmp(op, "floor"))
		ret = pb_bench_floor(mm, &ns);
	else
		return pb_err(a,
			      "op must be fork, zap, zap_partial, mprotect, floor, memcpy, memset or rmw");
	if (ret == -ENOMEM) {
		pb_err(a, "bench: %s: out of memory", op);
		return ret;
	}
	if (ret == -ENOENT) {
		pb_err(a, "bench: %s: nothing is mapped", op);
		return ret;
	}
	if (ret) {
		pb_err(a, "bench: %s failed (%d)", op, ret);
		return ret;
	}
	pb_reply_printf(&a->s->reply, "ns %llu\n", ns);
	if (!strcmp(op, "fork"))
		pb_reply_printf(&a->s->reply, "alloc_ns %llu\ncopy_ns %llu\nflush_ns %llu\n",
				t.alloc_ns, t.copy_ns, t.flush_ns);
	/*
	 * A zap's share is its exit's alone: the untimed fork before it
	 * counted on this mm too (its write-protect, flush and unfolds).
	 */
	if (!strcmp(op, "zap"))
		memcpy(before, mm->counters, sizeof(before));
	if (strcmp(op, "floor"))
		pb_reply_issued(&a->s->reply, mm, before, child);
	return pb_mm_done(a, mm, 0);
}

static void pb_oracle_trace(const struct pb_oracle_step *st, void *arg)
{
	pb_reply_printf(arg,
			"step %llu op %s mm %u va 0x%llx-0x%llx order %u ret %d unfolds %llu/%llu tlbi %llu/%llu\n",
			st->step, st->op, st->mm, st->start, st->end, st->order,
			st->ret, st->unfolds[0], st->unfolds[1], st->tlbis[0],
			st->tlbis[1]);
}

/* The first mismatch, as one error line after the violations behind it. */
static void pb_oracle_reply_mismatch(struct pb_reply *r,
				     const struct pb_oracle_result *res)
{
	const struct pb_oracle_mismatch *m = &res->mismatch;
	const struct pb_oracle_view *x = &m->views[0], *y = &m->views[1];

	pb_reply_violations(r, &res->report);
	pb_reply_printf(r, "error: oracle: mismatch seed=%llu step=%llu op=%s mm=%u va=0x%llx: ",
			m->seed, m->step, m->op, m->mm, m->va);
	switch (m->kind) {
	case PB_ORACLE_NR_MMS:
		pb_reply_printf(r, "%lld mms against %lld\n", m->a, m->b);
		break;
	case PB_ORACLE_NR_VMAS:
		pb_reply_printf(r, "%lld VMAs against %lld\n", m->a, m->b);
		break;
	case PB_ORACLE_VMAS:
		pb_reply_printf(r, "VMAs differ\n");
		break;
	case PB_ORACLE_VIEW:
		pb_reply_printf(r,
				"present %d/%d write %d/%d sd %d/%d refcount %u/%u mapcount %u/%u idx %llu/%llu data 0x%llx/0x%llx\n",
				x->present, y->present, x->write, y->write,
				x->soft_dirty, y->soft_dirty, x->refcount,
				y->refcount, x->mapcount, y->mapcount,
				x->folio_idx, y->folio_idx, x->data, y->data);
		break;
	case PB_ORACLE_VIOLATIONS:
		pb_reply_printf(r, "checker violations in the %s family\n",
				m->a ? "per-PTE" : "batched");
		break;
	case PB_ORACLE_UNFOLDS:
		pb_reply_printf(r, "batched made more unfolds\n");
		break;
	case PB_ORACLE_TLBIS:
		pb_reply_printf(r, "batched made more TLB invalidations\n");
		break;
	case PB_ORACLE_RESULTS:
		pb_reply_printf(r, "results %lld/%lld\n", m->a, m->b);
		break;
	case PB_ORACLE_OK:
		pb_reply_printf(r, "no mismatch recorded\n");
		break;
	}
}

/*
 * oracle mm=N: both families start as copies of the session's mm N, made
 * by task_import's build from a snapshot of it, in its granule, VA size,
 * arena and profile.
 */
static int pb_oracle_from_mm(struct pb_args *a, struct pb_oracle_args *o,
			     struct pb_import_src **srcp)
{
	struct pb_import_src *src;
	struct pb_mm *mm;
	int ret;

	if (pb_arg_given(a, "page_kb") || pb_arg_given(a, "kernel"))
		return pb_err(a, "oracle: with mm=, drop page_kb= and kernel= (the mm's own)");
	ret = pb_arg_mm(a, &mm);
	if (ret)
		return ret;
	if (!mm->nr_vmas)
		return pb_err(a, "oracle: mm %u has no VMA for the steps", mm->id);
	/* About 1 MiB: PB_IMPORT_PAGES_MAX pages of 32 bytes. */
	src = pb_vzalloc(sizeof(*src));
	if (!src) {
		pb_err(a, "oracle: out of memory (the session's budget_bytes, or the kernel's)");
		return -ENOMEM;
	}
	pb_import_snapshot(mm, src);
	o->src = src;
	o->page_kb = pb_page_size(&mm->geom) / 1024;
	o->profile = mm->profile;
	o->arena_pages = mm->phys->nr_pages;
	o->no_page_mapcount = mm->phys->no_page_mapcount;
	*srcp = src;
	return 0;
}

static void pb_oracle_reply(struct pb_args *a, const struct pb_oracle_args *o,
			    const struct pb_oracle_result *res)
{
	const struct pb_import_result *im = &res->import;
	u64 skipped = 0;
	unsigned int i;

	pb_reply_printf(&a->s->reply,
			"kernel %s\nseeds %llu\nsteps %llu\nunfolds_batched %llu\nunfolds_per_pte %llu\n"
			"tlbi_batched %llu\ntlbi_per_pte %llu\nshared_write_excused %llu\n",
			pb_profile_names[o->profile], res->seeds, res->steps,
			res->unfolds[0], res->unfolds[1], res->tlbis[0], res->tlbis[1],
			res->shared_write_excused);
	if (!o->src)
		return;
	for (i = 0; i < PB_NR_IMPORT_SKIPS; i++)
		skipped += im->skip[i];
	pb_reply_printf(&a->s->reply,
			"page_kb %u\nvmas %u\npresent %llu\nimported %llu\nfolios %llu\nskipped %llu\n",
			o->page_kb, im->vmas, o->src->present, im->imported,
			im->folios, skipped);
}

int pb_cmd_oracle(struct pb_args *a)
{
	struct pb_oracle_result res = { };
	struct pb_import_src *src = NULL;
	struct pb_oracle_args o = { };
	u64 page_kb;
	bool trace;
	int ret;

	ret = pb_arg_u64(a, "seed", &o.seed);
	if (!ret)
		ret = pb_arg_u64(a, "seeds", &o.seeds);
	if (!ret)
		ret = pb_arg_u64(a, "steps", &o.steps);
	if (!ret)
		ret = pb_arg_u64(a, "page_kb", &page_kb);
	if (!ret)
		ret = pb_arg_bool(a, "backing", &o.backing);
	if (!ret)
		ret = pb_arg_bool(a, "trace", &trace);
	if (!ret)
		ret = pb_arg_profile(a, &o.profile);
	if (ret)
		return ret;
	if (trace && o.seeds * o.steps > PB_ORACLE_TRACE_MAX)
		return pb_err(a, "trace=1 prints a line per step: at most %d steps",
			      PB_ORACLE_TRACE_MAX);
	if (page_kb != 4 && page_kb != 16 && page_kb != 64)
		return pb_err(a, "granule must be 4, 16 or 64 (KiB)");
	/* The parser checked seeds and steps are within 1..PB_ORACLE_MAX. */
	if (o.seed > U64_MAX - o.seeds)
		return pb_err(a, "seed + seeds overflows");
	o.page_kb = page_kb;
	if (pb_arg_given(a, "mm")) {
		ret = pb_oracle_from_mm(a, &o, &src);
		if (ret)
			return ret;
	}
	if (trace) {
		o.trace = pb_oracle_trace;
		o.trace_arg = &a->s->reply;
	}
	ret = pb_oracle_run(&o, &res);
	if (ret == -ENOMEM)
		pb_err(a, "oracle: out of memory");
	if (ret == -EUCLEAN)
		pb_oracle_reply_mismatch(&a->s->reply, &res);
	if (!ret)
		pb_oracle_reply(a, &o, &res);
	if (src)
		pb_vfree(src, sizeof(*src));
	return ret;
}

static bool pb_knob_is_mutation(int k)
{
	return !strncmp(pb_knobs[k].help, "mutation:", 9);
}

/*
 * kernel_oracle seed= seeds= steps= pa_bits= base_pfn= [<mutation>=0|1...]:
 * the model mm's output-address size and arena base (to put folios across
 * an OA boundary), and mutation knobs to turn on in it.
 */
int pb_cmd_kernel_oracle(struct pb_args *a)
{
	struct pb_koracle_result r, *res = &r;
	struct pb_koracle_args o = { };
	u64 pa_bits, on;
	int ret, k;

	ret = pb_arg_u64(a, "seed", &o.seed);
	if (!ret)
		ret = pb_arg_u64(a, "seeds", &o.seeds);
	if (!ret)
		ret = pb_arg_u64(a, "steps", &o.steps);
	if (!ret)
		ret = pb_arg_u64(a, "pa_bits", &pa_bits);
	if (!ret)
		ret = pb_arg_u64(a, "base_pfn", &o.base_pfn);
	for (k = 0; !ret && k < PB_NR_KNOBS; k++) {
		if (!pb_knob_is_mutation(k) || !pb_arg_given(a, pb_knobs[k].name))
			continue;
		ret = pb_arg_u64(a, pb_knobs[k].name, &on);
		if (!ret && on > 1)
			return pb_err(a, "%s must be 0 or 1", pb_knobs[k].name);
		o.mutations[k] = on;
	}
	if (ret)
		return ret;
	for (k = 0; k < a->nr; k++)
		if (!a->arg[k].used)
			return pb_err(a, "kernel_oracle: unknown argument '%s' (a mutation knob?)",
				      a->arg[k].key);
	/* The parser checked seeds and steps are within 1..PB_ORACLE_MAX. */
	if (o.seed > U64_MAX - o.seeds)
		return pb_err(a, "seed + seeds overflows");
	if (pa_bits != 48 && pa_bits != 52)
		return pb_err(a, "pa_bits must be 48 or 52");
	o.pa_bits = pa_bits;
	ret = pb_koracle_run(&o, res);
	if (ret == -EUCLEAN) {
		pb_reply_violations(&a->s->reply, &res->report);
		pb_reply_printf(&a->s->reply,
				"compares %llu\nmismatches %llu\nerror: kernel_oracle: mismatch seed=%llu step=%llu op=%s\n",
				res->compares, res->mismatches, res->seed,
				res->step, res->op);
		return ret;
	}
	/* EOPNOTSUPP, ENOMEM or EINVAL, as the model or the kernel gave it. */
	if (ret) {
		pb_err(a, "kernel_oracle: %s", res->why);
		return ret;
	}
	pb_reply_printf(&a->s->reply,
			"kernel %s\nseeds %llu\nsteps %llu\ncompares %llu\nmismatches %llu\n",
			pb_profile_names[PB_PROFILE_BUILT], res->seeds, res->steps,
			res->compares, res->mismatches);
	return 0;
}
