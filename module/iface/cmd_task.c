// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: task_dump and task_folio, the lines of dump and folio for the
 * pages of a real process: the writer's own, or pid='s.  real/task.c reads
 * them; the formatter is dump's and folio's own (iface/format.c).  And
 * task_maps, the counts of a process's VMAs (Documentation/task_maps.rst).
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>

#include "lib/alloc.h"
#include "model/mm.h"
#include "model/view.h"
#include "real/maps.h"
#include "real/task.h"
#include "paths/zap.h"
#include "tools/import.h"
#include "iface/cmd_task.h"
#include "iface/format.h"
#include "iface/parse.h"
#include "iface/reply.h"
#include "iface/report.h"
#include "iface/session.h"

/* pid=: 0 for the writer, which is what leaving it out means. */
static int pb_arg_pid(struct pb_args *a, u32 *pid)
{
	u64 val;
	int ret;

	*pid = 0;
	if (!pb_arg_given(a, "pid"))
		return 0;
	/* The parser checked it is within 1..PB_PID_MAX. */
	ret = pb_arg_u64(a, "pid", &val);
	if (ret)
		return ret;
	*pid = val;
	return 0;
}

/* A failure of the real layer: its errno, with its reason. */
static int pb_task_err(struct pb_args *a, int ret, u32 pid, const char *why)
{
	if (pid)
		pb_err(a, "pid %u: %s", pid, why);
	else
		pb_err(a, "%s", why);
	return ret;
}

int pb_cmd_task_dump(struct pb_args *a)
{
	struct pb_page_view *v;
	const char *why = NULL;
	u64 va, nr, i;
	u32 pid;
	int ret;

	ret = pb_arg_u64(a, "va", &va);
	if (!ret)
		ret = pb_arg_u64(a, "nr", &nr);
	if (!ret)
		ret = pb_arg_pid(a, &pid);
	if (ret)
		return ret;
	if (!nr || nr > PB_DUMP_MAX)
		return pb_err(a, "nr must be within 1..%d and the range within the VA size",
			      PB_DUMP_MAX);
	/* Up to 512 records, tens of KiB: whole pages. */
	v = pb_vzalloc(nr * sizeof(*v));
	if (!v) {
		pb_err(a, "task_dump: out of memory");
		return -ENOMEM;
	}
	ret = pb_task_dump(pid, va, nr, v, &why);
	if (ret) {
		pb_task_err(a, ret, pid, why);
	} else {
		for (i = 0; i < nr; i++)
			pb_format_page(&a->s->reply, &v[i]);
	}
	pb_vfree(v, nr * sizeof(*v));
	return ret;
}

int pb_cmd_task_folio(struct pb_args *a)
{
	struct pb_folio_view v;
	enum pb_view_miss miss;
	const char *why = NULL;
	u64 va;
	u32 pid;
	int ret;

	ret = pb_arg_u64(a, "va", &va);
	if (!ret)
		ret = pb_arg_pid(a, &pid);
	if (ret)
		return ret;
	ret = pb_task_folio(pid, va, &v, &miss, &why);
	if (ret)
		return pb_task_err(a, ret, pid, why);
	if (miss)
		return pb_view_miss_err(a, miss, va);
	pb_format_folio(&a->s->reply, &v);
	return 0;
}

static const char *const pb_maps_info_names[PB_NR_MAPS_INFO] = {
#define PB_MAPS_INFO(name)	\
	[PB_MAPS_INFO_##name] = #name,
#include "uapi/ptebatch_names.h"
};

static const char *const pb_maps_key_names[PB_NR_MAPS_KEYS] = {
#define PB_MAPS_KEY(name)	\
	[PB_MAPS_##name] = #name,
#include "uapi/ptebatch_names.h"
};

static const char *const pb_maps_hist_names[PB_NR_MAPS_HISTS] = {
#define PB_MAPS_HIST(name)	\
	[PB_MAPS_HIST_##name] = #name,
#include "uapi/ptebatch_names.h"
};

static const char *const pb_maps_kind_names[PB_NR_MAPS_KINDS] = PB_MAPS_KIND_NAMES;

/* " key=N" for every count, then " hist=order:n,..." ("-" when empty). */
static void pb_format_maps_stats(struct pb_reply *r, const struct pb_maps_stats *st)
{
	unsigned int i, o;
	bool any;

	for (i = 0; i < PB_NR_MAPS_KEYS; i++)
		pb_reply_printf(r, " %s=%llu", pb_maps_key_names[i], st->key[i]);
	for (i = 0; i < PB_NR_MAPS_HISTS; i++) {
		pb_reply_printf(r, " %s=", pb_maps_hist_names[i]);
		any = false;
		for (o = 0; o <= PB_MAX_ORDER; o++) {
			if (!st->hist[i][o])
				continue;
			pb_reply_printf(r, "%s%u:%llu", any ? "," : "", o, st->hist[i][o]);
			any = true;
		}
		if (!any)
			pb_reply_printf(r, "-");
	}
	pb_reply_printf(r, "\n");
}

/*
 * The range and pid of task_maps and task_import: start (default 0), len
 * (without it, to the end of the address space; 0 refused) and pid.
 */
static int pb_arg_task_range(struct pb_args *a, u64 *start, u64 *len, u32 *pid)
{
	int ret;

	*len = 0;
	ret = pb_arg_u64(a, "start", start);
	if (!ret && pb_arg_given(a, "len"))
		ret = pb_arg_u64(a, "len", len);
	if (!ret)
		ret = pb_arg_pid(a, pid);
	if (ret)
		return ret;
	if (pb_arg_given(a, "len") && !*len)
		return pb_err(a, "len must not be 0 (without len: to the end)");
	if (*start + *len < *start)
		return pb_err(a, "start + len overflows");
	return 0;
}

int pb_cmd_task_maps(struct pb_args *a)
{
	struct pb_maps_result *res;
	const char *why = NULL;
	u64 info[PB_NR_MAPS_INFO];
	u64 start, len;
	unsigned int i;
	u32 pid;
	int ret;

	ret = pb_arg_task_range(a, &start, &len, &pid);
	if (ret)
		return ret;
	/* About 100 KiB: the VMA lines and a block's entries. */
	res = pb_vzalloc(sizeof(*res));
	if (!res) {
		pb_err(a, "task_maps: out of memory");
		return -ENOMEM;
	}
	ret = pb_task_maps(pid, start, len, res, &why);
	if (ret) {
		pb_task_err(a, ret, pid, why);
		goto out;
	}
	info[PB_MAPS_INFO_pid] = res->pid;
	info[PB_MAPS_INFO_page_kb] = (1ULL << res->page_shift) / 1024;
	info[PB_MAPS_INFO_cont_ptes] = res->cont_ptes;
	info[PB_MAPS_INFO_pmd_order] = res->pmd_order;
	info[PB_MAPS_INFO_vmas] = res->nr_vmas;
	info[PB_MAPS_INFO_listed] = res->listed;
	pb_reply_printf(&a->s->reply, "task_maps");
	for (i = 0; i < PB_NR_MAPS_INFO; i++)
		pb_reply_printf(&a->s->reply, " %s=%llu", pb_maps_info_names[i], info[i]);
	pb_reply_printf(&a->s->reply, "\n");
	for (i = 0; i < res->listed; i++) {
		const struct pb_maps_vma *v = &res->vma[i];

		pb_reply_printf(&a->s->reply,
				"vma start=0x%llx end=0x%llx prot=%s kind=%s",
				v->start, v->end, v->prot, pb_maps_kind_names[v->kind]);
		pb_format_maps_stats(&a->s->reply, &v->st);
	}
	pb_reply_printf(&a->s->reply, "total");
	pb_format_maps_stats(&a->s->reply, &res->total);
out:
	pb_vfree(res, sizeof(*res));
	return ret;
}

static const char *const pb_import_info_names[PB_NR_IMPORT_INFO] = {
#define PB_IMPORT_INFO(name)	\
	[PB_IMPORT_INFO_##name] = #name,
#include "uapi/ptebatch_names.h"
};

static const char *const pb_import_skip_names[PB_NR_IMPORT_SKIPS] = {
#define PB_IMPORT_SKIP(name)	\
	[PB_IMPORT_SKIP_##name] = #name,
#include "uapi/ptebatch_names.h"
};

/* The new mm of the process's granule and address space, then its layout. */
static int pb_task_import_mm(struct pb_args *a, const struct pb_import_src *src,
			     enum pb_profile profile)
{
	struct pb_mm_params p = {
		.profile = profile, .page_kb = (1U << src->page_shift) / 1024,
		.va_bits = src->va_bits, .pa_bits = 48, .arena_pages = 1 << 20,
		.check = true,
		.no_page_mapcount = profile == PB_PROFILE_MAINLINE &&
				    PB_NO_PAGE_MAPCOUNT_BUILT,
	};
	struct pb_import_result res;
	u64 info[PB_NR_IMPORT_INFO];
	const char *why = NULL;
	struct pb_mm *mm;
	unsigned int i;
	int id, ret;

	id = pb_session_free_slot(a->s);
	if (id == PB_SESSION_MMS)
		return pb_err(a, "this session has %d mms already", PB_SESSION_MMS);
	mm = pb_mm_create(&p, id, &why);
	if (IS_ERR(mm)) {
		pb_err(a, "task_import: %s%s", why, PTR_ERR(mm) == -ENOMEM ?
		       " (the session's budget_bytes, or the kernel's)" : "");
		return PTR_ERR(mm);
	}
	ret = pb_import_build(mm, src, &res, &why);
	if (ret) {
		/* Nothing left behind: the half-made mm goes whole. */
		pb_mm_destroy(mm);
		pb_err(a, "task_import: %s", why);
		return ret;
	}
	pb_session_add_mm(a->s, mm);
	ret = pb_mm_done(a, mm, 0);
	if (ret) {
		pb_session_destroy_mm(a->s, mm);
		return ret;
	}
	info[PB_IMPORT_INFO_mm] = id;
	info[PB_IMPORT_INFO_pid] = src->pid;
	info[PB_IMPORT_INFO_vmas] = src->nr_vmas;
	info[PB_IMPORT_INFO_vmas_imported] = res.vmas;
	info[PB_IMPORT_INFO_present] = src->present;
	info[PB_IMPORT_INFO_imported] = res.imported;
	info[PB_IMPORT_INFO_folios] = res.folios;
	pb_reply_printf(&a->s->reply, "task_import");
	for (i = 0; i < PB_NR_IMPORT_INFO; i++)
		pb_reply_printf(&a->s->reply, " %s=%llu", pb_import_info_names[i], info[i]);
	pb_reply_printf(&a->s->reply, "\nskipped");
	for (i = 0; i < PB_NR_IMPORT_SKIPS; i++)
		pb_reply_printf(&a->s->reply, " %s=%llu", pb_import_skip_names[i],
				res.skip[i]);
	pb_reply_printf(&a->s->reply, "\n");
	return 0;
}

int pb_cmd_task_import(struct pb_args *a)
{
	struct pb_import_src *src;
	enum pb_profile profile;
	const char *why = NULL;
	u64 start, len;
	u32 pid;
	int ret;

	ret = pb_arg_task_range(a, &start, &len, &pid);
	if (!ret)
		ret = pb_arg_profile(a, &profile);
	if (ret)
		return ret;
	/* About 1 MiB: PB_IMPORT_PAGES_MAX pages of 32 bytes. */
	src = pb_vzalloc(sizeof(*src));
	if (!src) {
		pb_err(a, "task_import: out of memory (the session's budget_bytes, or the kernel's)");
		return -ENOMEM;
	}
	ret = pb_task_import_read(pid, start, len, src, &why);
	if (ret)
		pb_task_err(a, ret, pid, why);
	else
		ret = pb_task_import_mm(a, src, profile);
	pb_vfree(src, sizeof(*src));
	return ret;
}
