// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the ctl commands that work on private mms.
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

#include "pb_model.h"
#include "pb_cmd.h"

void pb_session_release_mms(struct pb_session *s)
{
	unsigned int i;

	/* Children first: an arena goes with the last mm that uses it. */
	for (i = PB_SESSION_MMS; i-- > 0;) {
		struct pb_mm *mm = s->mms[i];

		if (!mm)
			continue;
		mutex_lock(&pb_registry_lock);
		s->mms[i] = NULL;
		mutex_unlock(&pb_registry_lock);
		pb_mm_destroy(mm);
	}
}

/* The lowest free mm id of a session, or PB_SESSION_MMS. */
int pb_session_free_slot(struct pb_session *s)
{
	int id;

	for (id = 0; id < PB_SESSION_MMS && s->mms[id]; id++)
		;
	return id;
}

int pb_session_add_mm(struct pb_session *s, struct pb_mm *mm)
{
	mutex_lock(&pb_registry_lock);
	s->mms[mm->id] = mm;
	mutex_unlock(&pb_registry_lock);
	return 0;
}

static void pb_show_session_mms(struct pb_session *s, void *arg)
{
	struct pb_reply *r = arg;
	unsigned int i, c;

	for (i = 0; i < PB_SESSION_MMS; i++) {
		struct pb_mm *mm = s->mms[i];

		if (!mm)
			continue;
		for (c = 0; c < PB_NR_MM_COUNTERS; c++)
			pb_reply_printf(r, "mm.%llu.%u.%s %llu\n", s->id, i,
					pb_mm_counter_names[c],
					READ_ONCE(mm->counters[c]));
	}
}

static void pb_sum_session_mms(struct pb_session *s, void *arg)
{
	u64 *sums = arg;
	unsigned int i, c;

	for (i = 0; i < PB_SESSION_MMS; i++)
		for (c = 0; s->mms[i] && c < PB_NR_MM_COUNTERS; c++)
			sums[c] += READ_ONCE(s->mms[i]->counters[c]);
}

/*
 * The per-mm counters summed over every mm there has been (total.<counter>),
 * then each live session mm's own (mm.<session>.<mm>.<counter>).
 */
void pb_mm_stats_show(struct pb_reply *r)
{
	u64 sums[PB_NR_MM_COUNTERS];
	unsigned int c;

	for (c = 0; c < PB_NR_MM_COUNTERS; c++)
		sums[c] = atomic64_read(&pb_mm_totals[c]);
	pb_sessions_walk(pb_sum_session_mms, sums);
	for (c = 0; c < PB_NR_MM_COUNTERS; c++)
		pb_reply_printf(r, "total.%s %llu\n", pb_mm_counter_names[c], sums[c]);
	pb_sessions_walk(pb_show_session_mms, r);
}

/* --- Argument helpers ------------------------------------------------------ */

int pb_arg_mm(struct pb_args *a, struct pb_mm **mmp)
{
	u64 id;
	int ret = pb_arg_u64(a, "mm", U64_MAX, &id);

	if (ret)
		return ret;
	if (id >= PB_SESSION_MMS || !a->s->mms[id])
		return pb_err(a, "no mm %llu in this session", id);
	*mmp = a->s->mms[id];
	(*mmp)->report = &a->s->reply;
	(*mmp)->nr_reported = 0;
	(*mmp)->cmd_violations = (*mmp)->counters[PB_MMC_violations];
	return 0;
}

int pb_arg_bool(struct pb_args *a, const char *key, bool def, bool *out)
{
	u64 v;
	int ret = pb_arg_u64(a, key, def, &v);

	if (ret)
		return ret;
	if (v > 1)
		return pb_err(a, "%s must be 0 or 1", key);
	*out = v;
	return 0;
}

/*
 * @nr entries from @va, as a helper takes them: page aligned, inside one VMA
 * and one last-level table, whose entry pointer is returned.
 */
static int pb_arg_ptes(struct pb_args *a, struct pb_mm *mm, u64 *vap,
		       unsigned int *nrp, pb_pte_t **ptepp, bool need_nr)
{
	const struct pb_geom *g = &mm->geom;
	u64 va, nr, end;
	struct pb_vma *vma;
	pb_pte_t *ptep;
	int ret;

	ret = pb_arg_u64(a, "va", U64_MAX, &va);
	if (!ret)
		ret = pb_arg_u64(a, "nr", need_nr ? U64_MAX : 1, &nr);
	if (ret)
		return ret;
	if (va & (pb_page_size(g) - 1))
		return pb_err(a, "va 0x%llx is not page aligned", va);
	if (!nr || nr > pb_ptrs_per_table(g))
		return pb_err(a, "nr must be within 1..%u", pb_ptrs_per_table(g));
	if (check_add_overflow(va, nr << g->page_shift, &end))
		return pb_err(a, "va + nr overflows");
	vma = pb_vma_find(mm, va);
	if (!vma || end > vma->end)
		return pb_err(a, "range 0x%llx-0x%llx is not inside one VMA", va, end);
	if (pb_pmd_addr_end(mm, va, end) != end)
		return pb_err(a, "range 0x%llx-0x%llx crosses a page table", va, end);
	ptep = pb_pte_offset(mm, va, false);
	if (!ptep)
		return pb_err(a, "nothing mapped at 0x%llx (no page table)", va);
	*vap = va;
	*nrp = nr;
	*ptepp = ptep;
	return 0;
}

/* After a command on @mm: run the checker if asked, and fail on violations. */
int pb_mm_done(struct pb_args *a, struct pb_mm *mm, int ret)
{
	u64 found;

	if (!ret && mm->knobs[PB_KNOB_check])
		pb_check_mm(mm);
	found = mm->counters[PB_MMC_violations] - mm->cmd_violations;
	mm->report = NULL;
	if (ret || !found)
		return ret;
	pb_reply_printf(&a->s->reply, "error: checker: %llu violation%s\n",
			found, found == 1 ? "" : "s");
	return -EUCLEAN;
}

/* --- mm life cycle ---------------------------------------------------------- */

static int pb_cmd_mm_create(struct pb_args *a)
{
	struct pb_mm_params p = { };
	u64 page_kb, va_bits, pa_bits, id;
	const char *why = NULL;
	struct pb_mm *mm;
	int ret;

	ret = pb_arg_u64(a, "page_kb", 4, &page_kb);
	if (!ret)
		ret = pb_arg_u64(a, "va_bits", 48, &va_bits);
	if (!ret)
		ret = pb_arg_u64(a, "pa_bits", 48, &pa_bits);
	if (!ret)
		ret = pb_arg_u64(a, "base_pfn", 0, &p.base_pfn);
	if (!ret)
		ret = pb_arg_u64(a, "arena_pages", 1 << 20, &p.arena_pages);
	if (!ret)
		ret = pb_arg_bool(a, "backing", false, &p.backing);
	if (!ret)
		ret = pb_arg_bool(a, "check", true, &p.check);
	if (ret)
		return ret;
	if (page_kb > 64 || va_bits > 64 || pa_bits > 64)
		return pb_err(a, "page_kb, va_bits or pa_bits out of range");
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
			"mm %llu\ngranule %llu\nlevels %u\ncont_ptes %u\nva_bits %u\npa_bits %u\n",
			id, pb_page_size(&mm->geom), mm->geom.levels,
			pb_cont_ptes(&mm->geom), mm->geom.va_bits,
			mm->geom.pa_bits);
	return 0;
}

static int pb_cmd_mm_destroy(struct pb_args *a)
{
	struct pb_mm *mm;
	int ret = pb_arg_mm(a, &mm);

	if (ret)
		return ret;
	mutex_lock(&pb_registry_lock);
	a->s->mms[mm->id] = NULL;
	mutex_unlock(&pb_registry_lock);
	pb_mm_destroy(mm);
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

static int pb_cmd_mmap(struct pb_args *a)
{
	const char *flagstr, *why;
	struct pb_mm *mm;
	u64 start, len, end;
	u32 flags;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_u64(a, "start", U64_MAX, &start);
	if (!ret)
		ret = pb_arg_u64(a, "len", U64_MAX, &len);
	if (!ret)
		ret = pb_arg_str(a, "flags", "r,w,anon", &flagstr);
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

int pb_arg_range(struct pb_args *a, struct pb_mm *mm, u64 *startp, u64 *endp)
{
	u64 start, len;
	int ret;

	ret = pb_arg_u64(a, "va", U64_MAX, &start);
	if (!ret)
		ret = pb_arg_u64(a, "len", U64_MAX, &len);
	if (ret)
		return ret;
	if (!len || check_add_overflow(start, len, endp))
		return pb_err(a, "len is zero or va + len overflows");
	if ((start | len) & (pb_page_size(&mm->geom) - 1))
		return pb_err(a, "va and len must be multiples of the page size");
	*startp = start;
	return 0;
}

static int pb_cmd_populate(struct pb_args *a)
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
		ret = pb_arg_u64(a, "order", 0, &order);
	if (!ret)
		ret = pb_arg_bool(a, "per_pte", false, &per_pte);
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

static int pb_cmd_munmap(struct pb_args *a)
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

/* Is any block of @mm folded? */
static bool pb_mm_has_cont(struct pb_mm *mm)
{
	unsigned int i;

	for (i = 0; i < mm->nr_vmas; i++) {
		const struct pb_geom *g = &mm->geom;
		u64 va;

		for (va = mm->vmas[i].start; va < mm->vmas[i].end;
		     va += pb_cont_size(g)) {
			pb_pte_t *ptep = pb_pte_offset(mm, va, false);

			if (ptep && pb_pte_valid_cont(*ptep))
				return true;
		}
	}
	return false;
}

static int pb_cmd_set(struct pb_args *a)
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
		ret = pb_arg_u64(a, pb_knobs[k].name, U64_MAX, &vals[k]);
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
		if (k == PB_KNOB_fault_order && vals[k] > pb_pmd_order(&mm->geom))
			return pb_err(a, "fault_order must be within 0..%u for this granule",
				      pb_pmd_order(&mm->geom));
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
	for (k = 0; k < PB_NR_KNOBS; k++) {
		if (!given[k])
			continue;
		mm->knobs[k] = vals[k];
		if (k == PB_KNOB_seed)
			mm->rng = 0;
	}
	return 0;
}

static int pb_cmd_knobs(struct pb_args *a)
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

static int pb_cmd_mm_stats(struct pb_args *a)
{
	struct pb_mm *mm;
	int ret = pb_arg_mm(a, &mm), c;

	if (ret)
		return ret;
	for (c = 0; c < PB_NR_MM_COUNTERS; c++)
		pb_reply_printf(&a->s->reply, "%s %llu\n", pb_mm_counter_names[c],
				mm->counters[c]);
	pb_reply_printf(&a->s->reply,
			"arena_folios %llu\narena_data_pages %llu\ndeferred_split_queue %llu\n"
			"pt_bytes %llu\narena_meta_bytes %llu\n",
			mm->phys->live_folios, mm->phys->live_pages,
			mm->phys->deferred_len, mm->pt_bytes, mm->phys->meta_bytes);
	return 0;
}

static int pb_cmd_check(struct pb_args *a)
{
	struct pb_mm *mm;
	int ret = pb_arg_mm(a, &mm);
	u64 found;

	if (ret)
		return ret;
	pb_check_mm(mm);
	found = mm->counters[PB_MMC_violations] - mm->cmd_violations;
	mm->report = NULL;
	if (!found) {
		pb_reply_printf(&a->s->reply, "violations 0\n");
		return 0;
	}
	pb_reply_printf(&a->s->reply, "error: checker: %llu violation%s\n",
			found, found == 1 ? "" : "s");
	return -EUCLEAN;
}

/* --- Helpers, called directly ------------------------------------------------ */

static int pb_cmd_ptep_get(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep, pte;
	char flags[96];
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep, false);
	if (ret)
		return ret;
	pte = pb_ptep_get(mm, va, ptep);
	pb_pte_flags_str(pte, flags, sizeof(flags));
	pb_reply_printf(&a->s->reply,
			"pte 0x%016llx\nraw 0x%016llx\npfn 0x%llx\nflags %s\n"
			"dirty %d\nyoung %d\nwrite %d\n", pte, *ptep,
			pb_pte_pfn(&mm->geom, pte), flags, pb_pte_dirty(pte),
			pb_pte_young(pte), pb_pte_write(pte));
	mm->report = NULL;
	return 0;
}

static int pb_cmd_wrprotect(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep, true);
	if (ret)
		return ret;
	pb_wrprotect_ptes(mm, va, ptep, nr);
	/* The caller's flush, as fork's flush_tlb_mm() or an mmu_gather. */
	if (!mm->knobs[PB_KNOB_skip_wrprotect_flush])
		pb_flush_tlb_range(mm, va, va + ((u64)nr << mm->geom.page_shift));
	return pb_mm_done(a, mm, 0);
}

/* The @nr entries at @ptep must map consecutive pages of one folio. */
static int pb_arg_folio_run(struct pb_args *a, struct pb_mm *mm,
			    pb_pte_t *ptep, unsigned int nr, u64 *head_pfn,
			    struct pb_page **headp)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_page *head;
	unsigned int i;
	u64 pfn;

	if (!pb_pte_present(*ptep))
		return pb_err(a, "no present entry at va");
	pfn = pb_pte_pfn(g, *ptep);
	head = pb_page_folio(mm->phys, pfn, head_pfn);
	if (!head || pfn + nr > *head_pfn + (1ULL << head->order))
		return pb_err(a, "the entries must map consecutive pages of one folio");
	for (i = 1; i < nr; i++)
		if (!pb_pte_present(ptep[i]) || pb_pte_pfn(g, ptep[i]) != pfn + i)
			return pb_err(a, "the entries must map consecutive pages of one folio");
	*headp = head;
	return 0;
}

/* get_and_clear_full_ptes / clear_full_ptes, with zap's bookkeeping. */
static int pb_cmd_clear(struct pb_args *a, bool get)
{
	struct pb_mm *mm;
	struct pb_page *head;
	unsigned int nr;
	pb_pte_t *ptep, pte;
	u64 va, head_pfn, pfn;
	char flags[96];
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep, true);
	if (!ret)
		ret = pb_arg_folio_run(a, mm, ptep, nr, &head_pfn, &head);
	if (ret)
		return ret;
	pfn = pb_pte_pfn(&mm->geom, *ptep);
	if (get) {
		pte = pb_get_and_clear_full_ptes(mm, va, ptep, nr);
		pb_pte_flags_str(pte, flags, sizeof(flags));
		pb_reply_printf(&a->s->reply, "pte 0x%016llx\nflags %s\ndirty %d\nyoung %d\n",
				pte, flags, pb_pte_dirty(pte), pb_pte_young(pte));
		if (pb_pte_dirty(pte))
			head->flags |= PB_PG_DIRTY;
	} else {
		pb_clear_full_ptes(mm, va, ptep, nr);
	}
	pb_rmap_remove(mm, pfn, nr);
	pb_gather_add(mm, va, nr);
	pb_gather_put_folio(mm, head_pfn, nr);
	pb_gather_finish(mm);
	return pb_mm_done(a, mm, 0);
}

static int pb_cmd_get_and_clear(struct pb_args *a)
{
	return pb_cmd_clear(a, true);
}

static int pb_cmd_clear_full(struct pb_args *a)
{
	return pb_cmd_clear(a, false);
}

static int pb_cmd_young(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep;
	bool flush, young;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep, false);
	if (!ret)
		ret = pb_arg_bool(a, "flush", false, &flush);
	if (ret)
		return ret;
	young = flush ? pb_ptep_clear_flush_young(mm, va, ptep) :
			pb_ptep_test_and_clear_young(mm, va, ptep);
	pb_reply_printf(&a->s->reply, "young %d\n", young);
	return pb_mm_done(a, mm, 0);
}

static int pb_cmd_set_access_flags(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep, entry;
	bool write, changed;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep, false);
	if (!ret)
		ret = pb_arg_bool(a, "write", false, &write);
	if (ret)
		return ret;
	if (!pb_pte_valid(*ptep))
		return pb_err(a, "no valid entry at 0x%llx", va);
	if (write && !(pb_vma_find(mm, va)->flags & PB_VM_WRITE))
		return pb_err(a, "write=1 in a VMA without write");
	/* What a fault handler asks for: young, and writable dirty on write. */
	entry = pb_pte_mkyoung(pb_ptep_get(mm, va, ptep) & ~PB_PTE_CONT);
	if (write)
		entry = pb_pte_mkdirty(pb_pte_mkwrite(entry));
	changed = pb_ptep_set_access_flags(mm, va, ptep, entry, write);
	pb_reply_printf(&a->s->reply, "changed %d\n", changed);
	return pb_mm_done(a, mm, 0);
}

static int pb_cmd_clear_young_dirty(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep;
	bool young, dirty;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep, true);
	if (!ret)
		ret = pb_arg_bool(a, "young", true, &young);
	if (!ret)
		ret = pb_arg_bool(a, "dirty", true, &dirty);
	if (ret)
		return ret;
	if (!young && !dirty)
		return pb_err(a, "nothing to clear: young=0 dirty=0");
	pb_clear_young_dirty_ptes(mm, va, ptep, nr, young, dirty);
	pb_flush_tlb_range(mm, va & ~(pb_cont_size(&mm->geom) - 1),
			   ALIGN(va + ((u64)nr << mm->geom.page_shift),
				 pb_cont_size(&mm->geom)));
	return pb_mm_done(a, mm, 0);
}

static int pb_cmd_fold(struct pb_args *a)
{
	const char *why;
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep, false);
	if (ret)
		return ret;
	if (!mm->knobs[PB_KNOB_contpte])
		return pb_err(a, "fold: contpte is off for this mm");
	if (pb_pte_valid_cont(*ptep))
		return pb_err(a, "fold: block at 0x%llx is already folded", va);
	why = pb_contpte_foldable(mm, va, ptep);
	if (why)
		return pb_err(a, "fold: block at 0x%llx cannot fold: %s", va, why);
	pb_contpte_fold(mm, va, ptep);
	return pb_mm_done(a, mm, 0);
}

static int pb_cmd_unfold(struct pb_args *a)
{
	struct pb_mm *mm;
	unsigned int nr;
	pb_pte_t *ptep;
	u64 va;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_ptes(a, mm, &va, &nr, &ptep, false);
	if (ret)
		return ret;
	if (!pb_pte_valid_cont(*ptep))
		return pb_err(a, "unfold: no folded block at 0x%llx", va);
	pb_contpte_try_unfold(mm, va, ptep, *ptep);
	return pb_mm_done(a, mm, 0);
}

/* The arguments of a user access: mm, an 8-byte aligned va, write, val. */
int pb_arg_access(struct pb_args *a, struct pb_mm **mmp, u64 *va, bool *write,
		  u64 *val)
{
	int ret;

	ret = pb_arg_mm(a, mmp);
	if (!ret)
		ret = pb_arg_u64(a, "va", U64_MAX, va);
	if (!ret)
		ret = pb_arg_bool(a, "write", false, write);
	if (!ret)
		ret = pb_arg_u64(a, "val", 0, val);
	if (ret)
		return ret;
	if (*va >= (1ULL << (*mmp)->geom.va_bits) || (*va & 7))
		return pb_err(a, "va 0x%llx is beyond the VA size or not 8-byte aligned", *va);
	return 0;
}

static int pb_cmd_access(struct pb_args *a)
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

static int pb_cmd_dump(struct pb_args *a)
{
	const struct pb_geom *g;
	struct pb_mm *mm;
	u64 va, nr, i;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_u64(a, "va", U64_MAX, &va);
	if (!ret)
		ret = pb_arg_u64(a, "nr", 1, &nr);
	if (ret)
		return ret;
	mm->report = NULL;
	g = &mm->geom;
	if (va & (pb_page_size(g) - 1))
		return pb_err(a, "va 0x%llx is not page aligned", va);
	if (!nr || nr > 512 || va >= (1ULL << g->va_bits) ||
	    nr > ((1ULL << g->va_bits) - va) >> g->page_shift)
		return pb_err(a, "nr must be within 1..512 and the range within the VA size");
	for (i = 0; i < nr; i++, va += pb_page_size(g)) {
		pb_pte_t *ptep = pb_pte_offset(mm, va, false), pte;
		struct pb_page *head;
		u64 head_pfn, pfn;
		char flags[96];

		pte = ptep ? *ptep : 0;
		if (!pb_pte_present(pte)) {
			pb_reply_printf(&a->s->reply, "0x%012llx 0x%016llx none\n", va, pte);
			continue;
		}
		pfn = pb_pte_pfn(g, pte);
		pb_pte_flags_str(pte, flags, sizeof(flags));
		head = pb_page_folio(mm->phys, pfn, &head_pfn);
		pb_reply_printf(&a->s->reply, "0x%012llx 0x%016llx %s pfn=0x%llx",
				va, pte, flags, pfn);
		if (head)
			pb_reply_printf(&a->s->reply, " folio=0x%llx order=%u idx=%llu",
					head_pfn, head->order, pfn - head_pfn);
		else
			pb_reply_printf(&a->s->reply, " folio=none");
		pb_reply_printf(&a->s->reply, " cont=%d\n", pb_pte_cont(pte));
	}
	return 0;
}

static int pb_cmd_folio(struct pb_args *a)
{
	struct pb_mm *mm;
	struct pb_page *head, *page;
	pb_pte_t *ptep;
	u64 va, head_pfn, pfn;
	int ret;

	ret = pb_arg_mm(a, &mm);
	if (!ret)
		ret = pb_arg_u64(a, "va", U64_MAX, &va);
	if (ret)
		return ret;
	mm->report = NULL;
	if (va >= (1ULL << mm->geom.va_bits))
		return pb_err(a, "va 0x%llx is beyond the VA size", va);
	ptep = pb_pte_offset(mm, va, false);
	if (!ptep || !pb_pte_present(*ptep))
		return pb_err(a, "nothing mapped at 0x%llx", va);
	pfn = pb_pte_pfn(&mm->geom, *ptep);
	head = pb_page_folio(mm->phys, pfn, &head_pfn);
	if (!head)
		return pb_err(a, "0x%llx maps no live folio", va);
	page = head + (pfn - head_pfn);
	pb_reply_printf(&a->s->reply,
			"pfn 0x%llx\nhead 0x%llx\norder %u\nrefcount %u\nmapcount %d\nlarge_mapcount %u\npincount %u\nanon %d\nexclusive %d\ndeferred %d\ndirty %d\n",
			pfn, head_pfn, head->order, head->refcount, page->mapcount,
			head->large_mapcount, head->pincount,
			!!(head->flags & PB_PG_ANON),
			!!(page->flags & PB_PG_ANON_EXCLUSIVE),
			!!(head->flags & PB_PG_DEFERRED),
			!!(head->flags & PB_PG_DIRTY));
	return 0;
}

static int pb_cmd_flush(struct pb_args *a)
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
		ret = pb_arg_u64(a, "va", U64_MAX, &va);
	if (!ret)
		ret = pb_arg_u64(a, "nr", 1, &nr);
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
static int pb_cmd_checksum(struct pb_args *a)
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
	mm->report = NULL;
	g = &mm->geom;
	if (!mm->phys->backing)
		return pb_err(a, "checksum: mm %u has no backing pages (backing=1)", mm->id);
	if (end > (1ULL << g->va_bits))
		return pb_err(a, "range passes the VA size");
	for (va = start; va < end; va += pb_page_size(g)) {
		pb_pte_t *ptep = pb_pte_offset(mm, va, false);
		const u8 *data;
		u64 i;

		if (!ptep || !pb_pte_present(*ptep))
			continue;
		data = pb_page_data(mm->phys, pb_pte_pfn(g, *ptep));
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

const struct pb_command pb_mm_commands[] = {
	{ "mm_create", pb_cmd_mm_create,
	  "page_kb va_bits pa_bits base_pfn arena_pages backing check",
	  "create a private mm; replies its id and geometry" },
	{ "mm_destroy", pb_cmd_mm_destroy, "mm", "tear an mm down, unmapping everything" },
	{ "mmap", pb_cmd_mmap, "mm start len flags",
	  "add a VMA; flags: r,w,shared,anon,softdirty,uffdwp" },
	{ "populate", pb_cmd_populate, "mm va len order per_pte",
	  "map new folios of 2^order pages, as write faults do" },
	{ "munmap", pb_cmd_munmap, "mm va len", "zap a range: batched clears, one gather flush" },
	{ "set", pb_cmd_set, "mm knob=value...", "set knobs of an mm; see knobs", true },
	{ "knobs", pb_cmd_knobs, "mm", "list the knobs of an mm" },
	{ "mm_stats", pb_cmd_mm_stats, "mm", "the counters of an mm" },
	{ "check", pb_cmd_check, "mm", "run the checker now" },
	{ "ptep_get", pb_cmd_ptep_get, "mm va", "ptep_get(), A/D gathered over a block" },
	{ "wrprotect", pb_cmd_wrprotect, "mm va nr", "wrprotect_ptes(), then the caller's flush" },
	{ "get_and_clear", pb_cmd_get_and_clear, "mm va nr",
	  "get_and_clear_full_ptes() of one folio's entries, with zap's bookkeeping" },
	{ "clear_full", pb_cmd_clear_full, "mm va nr",
	  "clear_full_ptes() of one folio's entries, with zap's bookkeeping" },
	{ "young", pb_cmd_young, "mm va flush",
	  "ptep_test_and_clear_young(), or ptep_clear_flush_young() with flush=1" },
	{ "set_access_flags", pb_cmd_set_access_flags, "mm va write",
	  "ptep_set_access_flags() with a young (and, write=1, dirty writable) entry" },
	{ "clear_young_dirty", pb_cmd_clear_young_dirty, "mm va nr young dirty",
	  "clear_young_dirty_ptes(), then a flush" },
	{ "fold", pb_cmd_fold, "mm va", "fold the block at va (contpte_convert)" },
	{ "unfold", pb_cmd_unfold, "mm va", "unfold the block at va (contpte_convert)" },
	{ "access", pb_cmd_access, "mm va write val", "a simulated CPU read or write" },
	{ "dump", pb_cmd_dump, "mm va nr", "ptdump-like lines for nr pages from va" },
	{ "folio", pb_cmd_folio, "mm va", "the folio mapped at va" },
	{ "flush", pb_cmd_flush, "mm va nr",
	  "TLB invalidation: the whole mm, or a page (nr=1), or a range" },
	{ "checksum", pb_cmd_checksum, "mm va len",
	  "FNV-1a of the data mapped in a range (backing=1)" },
};

const size_t pb_nr_mm_commands = ARRAY_SIZE(pb_mm_commands);
