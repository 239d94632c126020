// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the ctl commands of a private mm's life cycle, knobs and
 * counters, and the ones that look at it or act as its CPU.
 *
 * Every command checks all of its input before it changes anything.  With the
 * mm's check knob on, the checker runs after the command; a violation fails
 * the command with -EUCLEAN and the reply lists what was found.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/overflow.h>

#include "model/cpu.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/tlb.h"
#include "model/view.h"
#include "real/kmirror.h"
#include "check/check.h"
#include "paths/populate.h"
#include "paths/zap.h"
#include "iface/cmd_mm.h"
#include "iface/format.h"
#include "iface/parse.h"
#include "iface/report.h"
#include "iface/session.h"

/* --- mm life cycle ---------------------------------------------------------- */

int pb_cmd_mm_create(struct pb_args *a)
{
	struct pb_mm_params p = { };
	u64 page_kb, va_bits, pa_bits, id;
	const char *why = NULL;
	struct pb_mm *mm;
	int ret;

	ret = pb_arg_u64(a, "page_kb", &page_kb);
	if (!ret)
		ret = pb_arg_u64(a, "va_bits", &va_bits);
	if (!ret)
		ret = pb_arg_u64(a, "pa_bits", &pa_bits);
	if (!ret)
		ret = pb_arg_u64(a, "base_pfn", &p.base_pfn);
	if (!ret)
		ret = pb_arg_u64(a, "arena_pages", &p.arena_pages);
	if (!ret)
		ret = pb_arg_bool(a, "backing", &p.backing);
	if (!ret)
		ret = pb_arg_bool(a, "check", &p.check);
	if (!ret)
		ret = pb_arg_profile(a, &p.profile);
	if (ret)
		return ret;
	/* By default as the kernel of the profile, when the module's is one. */
	p.no_page_mapcount = p.profile == PB_PROFILE_MAINLINE && PB_NO_PAGE_MAPCOUNT_BUILT;
	if (pb_arg_given(a, "no_page_mapcount")) {
		ret = pb_arg_bool(a, "no_page_mapcount", &p.no_page_mapcount);
		if (ret)
			return ret;
	}
	p.page_kb = page_kb;
	p.va_bits = va_bits;
	p.pa_bits = pa_bits;
	id = pb_session_free_slot(a->s);
	if (id == PB_SESSION_MMS)
		return pb_err(a, "this session has %d mms already", PB_SESSION_MMS);
	mm = pb_mm_create(&p, id, &why);
	if (IS_ERR(mm)) {
		pb_err(a, "mm_create: %s", why);
		return PTR_ERR(mm);
	}
	pb_session_add_mm(a->s, mm);
	pb_reply_printf(&a->s->reply,
			"mm %llu\ngranule %llu\nlevels %u\ncont_ptes %u\nva_bits %u\npa_bits %u\nkernel %s\nno_page_mapcount %d\n",
			id, pb_page_size(&mm->geom), mm->geom.levels,
			pb_cont_ptes(&mm->geom), mm->geom.va_bits,
			mm->geom.pa_bits, pb_profile_names[mm->profile],
			mm->phys->no_page_mapcount);
	return 0;
}

int pb_cmd_mm_destroy(struct pb_args *a)
{
	struct pb_mm *mm;
	int ret = pb_arg_mm(a, &mm);

	if (ret)
		return ret;
	pb_session_destroy_mm(a->s, mm);
	return 0;
}

static const struct {
	const char *name;
	u32 flag;
} pb_vma_flag_names[] = {
	{ "r", PB_VM_READ }, { "w", PB_VM_WRITE }, { "shared", PB_VM_SHARED },
	{ "anon", PB_VM_ANON }, { "softdirty", PB_VM_SOFTDIRTY },
	{ "uffdwp", PB_VM_UFFD_WP },
};

static int pb_parse_vma_flags(struct pb_args *a, const char *str, u32 *flags)
{
	const char *p = str;

	*flags = 0;
	while (*p) {
		size_t len = strchrnul(p, ',') - p, i;

		for (i = 0; i < ARRAY_SIZE(pb_vma_flag_names); i++) {
			if (strlen(pb_vma_flag_names[i].name) == len &&
			    !strncmp(p, pb_vma_flag_names[i].name, len))
				break;
		}
		if (i == ARRAY_SIZE(pb_vma_flag_names))
			return pb_err(a, "unknown VMA flag in '%s' (%s)", str,
				      "r,w,shared,anon,softdirty,uffdwp");
		*flags |= pb_vma_flag_names[i].flag;
		p += len;
		if (*p)
			p++;
	}
	return 0;
}

int pb_cmd_mmap(struct pb_args *a)
{
	const char *flagstr, *why;
	struct pb_mm *mm;
	u64 start, len, end;
	u32 flags;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_u64(a, "start", &start);
	if (!ret)
		ret = pb_arg_u64(a, "len", &len);
	if (!ret)
		ret = pb_arg_str(a, "flags", &flagstr);
	if (!ret)
		ret = pb_parse_vma_flags(a, flagstr, &flags);
	if (ret)
		return ret;
	if (check_add_overflow(start, len, &end))
		return pb_err(a, "start + len overflows");
	ret = pb_vma_add(mm, start, end, flags, &why);
	if (ret)
		pb_err(a, "mmap: %s", why);
	return ret;
}

int pb_cmd_populate(struct pb_args *a)
{
	const char *why;
	struct pb_mm *mm;
	u64 start, end, order;
	bool per_pte;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_range(a, mm, &start, &end);
	if (!ret)
		ret = pb_arg_u64(a, "order", &order);
	if (!ret)
		ret = pb_arg_bool(a, "per_pte", &per_pte);
	if (ret)
		return ret;
	if (order > pb_pmd_order(&mm->geom))
		return pb_err(a, "order %llu is larger than the PMD order %u of this granule",
			      order, pb_pmd_order(&mm->geom));
	ret = pb_populate(mm, start, end, order, per_pte, &why);
	if (ret)
		pb_err(a, "populate: %s", why);
	return pb_mm_done(a, mm, ret);
}

int pb_cmd_munmap(struct pb_args *a)
{
	struct pb_mm *mm;
	struct pb_vma *vma;
	u64 start, end;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_range(a, mm, &start, &end);
	if (ret)
		return ret;
	vma = pb_vma_find(mm, start);
	if (!vma || end > vma->end)
		return pb_err(a, "range is not inside one VMA");
	pb_zap_range(mm, start, end);
	return pb_mm_done(a, mm, 0);
}

/* --- Knobs and counters -------------------------------------------------------- */

/*
 * kernel_shadow=1 makes the mirror now, so that a kernel or an mm it cannot
 * match is refused here, before any knob changes.  The kernel's helpers
 * always manage CONT: the model's must too while it is on.
 */
static int pb_set_kernel_shadow(struct pb_args *a, struct pb_mm *mm,
				const bool *given, const u64 *vals)
{
	const int ks = PB_KNOB_kernel_shadow;
	bool on = given[ks] ? vals[ks] : mm->knobs[ks];
	const char *why = NULL;
	int ret;

	if (on && ((given[PB_KNOB_contpte] && !vals[PB_KNOB_contpte]) ||
		   (given[PB_KNOB_autofold] && !vals[PB_KNOB_autofold])))
		return pb_err(a, "kernel_shadow=1 needs contpte=1 and autofold=1");
	if (!given[ks] || !vals[ks] || mm->kmirror)
		return 0;
	ret = pb_kmirror_attach(mm, &why);
	if (ret)
		pb_err(a, "kernel_shadow: %s", why);
	return ret;
}

int pb_cmd_set(struct pb_args *a)
{
	bool given[PB_NR_KNOBS] = { };
	u64 vals[PB_NR_KNOBS];
	struct pb_mm *mm;
	int ret, k, nr_given = 0;

	ret = pb_arg_mm(a, &mm);
	if (ret)
		return ret;
	/* Check them all first: a bad value changes no knob. */
	for (k = 0; k < PB_NR_KNOBS; k++) {
		if (!pb_arg_given(a, pb_knobs[k].name))
			continue;
		ret = pb_arg_u64(a, pb_knobs[k].name, &vals[k]);
		if (ret)
			return ret;
		given[k] = true;
		nr_given++;
		if (vals[k] > pb_knobs[k].max)
			return pb_err(a, "%s must be within 0..%llu",
				      pb_knobs[k].name, pb_knobs[k].max);
		if (k == PB_KNOB_check && vals[k] && !mm->shadowed)
			return pb_err(a, "check needs an mm created with check=1");
		if (k == PB_KNOB_gather_capacity && !vals[k])
			return pb_err(a, "gather_capacity must be at least 1");
		if (k == PB_KNOB_thp_orders && (vals[k] & ~PB_THP_ORDERS_ALL))
			return pb_err(a, "thp_orders takes orders 2..%d, not 0 or 1",
				      PB_MAX_ORDER);
		if (k == PB_KNOB_fault_order && vals[k] > pb_pmd_order(&mm->geom))
			return pb_err(a, "fault_order must be within 0..%u for this granule",
				      pb_pmd_order(&mm->geom));
		/*
		 * 6.12's contpte_convert() always invalidates; the elision
		 * came with "arm64/mm: Elide tlbi in contpte_convert() under
		 * BBML2" (6.16).
		 */
		if (k == PB_KNOB_bbml2 && vals[k] && mm->profile == PB_PROFILE_6_12)
			return pb_err(a, "bbml2=1 needs kernel=mainline (6.12 always invalidates)");
		/* The plain helpers would leave folded blocks half-CONT. */
		if (k == PB_KNOB_contpte && !vals[k] && mm->knobs[k] &&
		    pb_mm_has_cont(mm))
			return pb_err(a, "contpte=0 needs an mm with no folded block");
	}
	for (k = 0; k < a->nr; k++)
		if (!a->arg[k].used)
			return pb_err(a, "set: unknown argument '%s'", a->arg[k].key);
	if (!nr_given)
		return pb_err(a, "set: no knob given; see 'knobs'");
	ret = pb_set_kernel_shadow(a, mm, given, vals);
	if (ret)
		return ret;
	for (k = 0; k < PB_NR_KNOBS; k++) {
		if (!given[k])
			continue;
		mm->knobs[k] = vals[k];
		if (k == PB_KNOB_seed)
			mm->rng = 0;
	}
	if (given[PB_KNOB_kernel_shadow] && !vals[PB_KNOB_kernel_shadow])
		pb_kmirror_detach(mm);
	return 0;
}

int pb_cmd_knobs(struct pb_args *a)
{
	struct pb_mm *mm;
	int ret = pb_arg_mm(a, &mm), k;

	if (ret)
		return ret;
	for (k = 0; k < PB_NR_KNOBS; k++)
		pb_reply_printf(&a->s->reply, "%s %llu\t# %s\n", pb_knobs[k].name,
				mm->knobs[k], pb_knobs[k].help);
	return 0;
}

static const char *const pb_mm_state_names[PB_NR_MM_STATE] = {
#define PB_MM_STATE(name)	\
	[PB_MMS_##name] = #name,
#include "uapi/ptebatch_names.h"
};

int pb_cmd_mm_stats(struct pb_args *a)
{
	u64 state[PB_NR_MM_STATE];
	struct pb_mm *mm;
	int ret = pb_arg_mm(a, &mm), c;

	if (ret)
		return ret;
	for (c = 0; c < PB_NR_MM_COUNTERS; c++)
		pb_reply_printf(&a->s->reply, "%s %llu\n", pb_mm_counter_names[c],
				mm->counters[c]);
	state[PB_MMS_arena_folios] = mm->phys->live_folios;
	state[PB_MMS_arena_data_pages] = mm->phys->live_pages;
	state[PB_MMS_deferred_split_queue] = mm->phys->deferred_len;
	state[PB_MMS_page_cache_folios] = mm->phys->cache_folios;
	state[PB_MMS_pt_bytes] = mm->pt_bytes;
	state[PB_MMS_arena_meta_bytes] = mm->phys->meta_bytes;
	for (c = 0; c < PB_NR_MM_STATE; c++)
		pb_reply_printf(&a->s->reply, "%s %llu\n", pb_mm_state_names[c],
				state[c]);
	return 0;
}

int pb_cmd_check(struct pb_args *a)
{
	struct pb_mm *mm;
	int ret = pb_arg_mm(a, &mm);

	if (ret)
		return ret;
	pb_check_mm(mm);
	if (a->report.found)
		return pb_report_fail(a);
	pb_reply_printf(&a->s->reply, "violations 0\n");
	return 0;
}

int pb_cmd_access(struct pb_args *a)
{
	struct pb_mm *mm;
	bool write;
	u64 va, val;
	int ret;

	ret = pb_arg_access(a, &mm, &va, &write, &val);
	if (ret)
		return ret;
	ret = pb_access(mm, va, write, &val);
	if (ret == -EFAULT)
		pb_reply_printf(&a->s->reply, "fault 1\n");
	else
		pb_reply_printf(&a->s->reply, "fault 0\nval 0x%llx\n", val);
	return pb_mm_done(a, mm, 0);
}

int pb_cmd_dump(struct pb_args *a)
{
	const struct pb_geom *g;
	struct pb_page_view v;
	struct pb_mm *mm;
	u64 va, nr, i;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_u64(a, "va", &va);
	if (!ret)
		ret = pb_arg_u64(a, "nr", &nr);
	if (ret)
		return ret;
	g = &mm->geom;
	if (va & (pb_page_size(g) - 1))
		return pb_err(a, "va 0x%llx is not page aligned", va);
	if (!nr || nr > PB_DUMP_MAX || va >= (1ULL << g->va_bits) ||
	    nr > ((1ULL << g->va_bits) - va) >> g->page_shift)
		return pb_err(a, "nr must be within 1..%d and the range within the VA size",
			      PB_DUMP_MAX);
	for (i = 0; i < nr; i++, va += pb_page_size(g)) {
		pb_view_page(mm, va, &v);
		pb_format_page(&a->s->reply, &v);
	}
	return 0;
}

int pb_cmd_folio(struct pb_args *a)
{
	struct pb_folio_view v;
	enum pb_view_miss miss;
	struct pb_mm *mm;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_u64(a, "va", &va);
	if (ret)
		return ret;
	if (va >= (1ULL << mm->geom.va_bits))
		return pb_err(a, "va 0x%llx is beyond the VA size", va);
	miss = pb_view_folio(mm, va, &v);
	if (miss)
		return pb_view_miss_err(a, miss, va);
	pb_format_folio(&a->s->reply, &v);
	return 0;
}

int pb_cmd_flush(struct pb_args *a)
{
	struct pb_mm *mm;
	u64 va, nr;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret && !pb_arg_given(a, "va")) {
		if (pb_arg_given(a, "nr"))
			return pb_err(a, "nr needs va");
		pb_flush_tlb_mm(mm);
		return pb_mm_done(a, mm, 0);
	}
	if (!ret)
		ret = pb_arg_u64(a, "va", &va);
	if (!ret)
		ret = pb_arg_u64(a, "nr", &nr);
	if (ret)
		return ret;
	if (va & (pb_page_size(&mm->geom) - 1) || va >= (1ULL << mm->geom.va_bits))
		return pb_err(a, "va 0x%llx is not page aligned or beyond the VA size", va);
	if (!nr || nr > ((1ULL << mm->geom.va_bits) - va) >> mm->geom.page_shift)
		return pb_err(a, "nr is zero or the range passes the VA size");
	if (nr == 1)
		pb_flush_tlb_page(mm, va);
	else
		pb_flush_tlb_range(mm, va, va + (nr << mm->geom.page_shift));
	return pb_mm_done(a, mm, 0);
}

/* FNV-1a over the data of every page mapped in the range, read by the tables. */
int pb_cmd_checksum(struct pb_args *a)
{
	const struct pb_geom *g;
	u64 start, end, va, hash = 0xcbf29ce484222325ULL, pages = 0;
	struct pb_mm *mm;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_range(a, mm, &start, &end);
	if (ret)
		return ret;
	g = &mm->geom;
	if (!mm->phys->backing)
		return pb_err(a, "checksum: mm %u has no backing pages (backing=1)", mm->id);
	if (end > (1ULL << g->va_bits))
		return pb_err(a, "range passes the VA size");
	for (va = start; va < end; va += pb_page_size(g)) {
		bool pmd;
		pb_pte_t pte = pb_va_entry(mm, va, &pmd);
		const u8 *data;
		u64 i;

		if (!pb_pte_present(pte))
			continue;
		data = pb_page_data(mm->phys, pb_pte_pfn(g, pte));
		if (!data)
			continue;
		hash = (hash ^ va) * 0x100000001b3ULL;
		for (i = 0; i < pb_page_size(g); i++)
			hash = (hash ^ data[i]) * 0x100000001b3ULL;
		pages++;
	}
	pb_reply_printf(&a->s->reply, "checksum 0x%016llx\npages %llu\n", hash, pages);
	return 0;
}
