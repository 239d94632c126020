// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the kernel_shadow mirror: lockstep of a model mm's contpte
 * helpers with the running kernel's (real/kcontpte.c).
 *
 * Each mirrored call starts the shadow from the model's own entries of the
 * blocks it touches, so that the model's other writers (faults, the
 * simulated hardware's A/D updates, fork's copies) need no mirror, and a
 * mismatch is the one helper's: same entries in, same call, same entries
 * and result out.  The shadow's index of an entry is its model table's,
 * and the call gets the model's VA, so alignment is the same on both sides.
 *
 * PFNs are translated by folio: a model folio of order N maps to a real one
 * of order N (folio_alloc(), naturally aligned).  The model aligns its
 * folios to the arena's base, which must be a multiple of CONT_PTES here:
 * then a block's place in its folio, which __contpte_try_fold() looks at,
 * and the block alignment of every PFN that contpte_set_ptes() looks at
 * are the same on both sides.  (A folio of a smaller order is never folded
 * on either side, wherever it sits.)
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "lib/alloc.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "model/report.h"
#include "real/kmirror.h"

int pb_kmirror_attach(struct pb_mm *mm, const char **why)
{
	const struct pb_geom *g = &mm->geom;
	struct pb_kmirror *km;
	int ret;

	if (mm->kmirror)
		return 0;
	km = pb_zalloc(sizeof(*km));
	if (!km) {
		*why = "out of memory";
		return -ENOMEM;
	}
	ret = pb_kshadow_create(g->page_shift, g->cont_shift, &km->ks, why);
	if (ret) {
		pb_free(km, sizeof(*km));
		return ret;
	}
	ret = -EOPNOTSUPP;
	if (mm->profile != PB_PROFILE_BUILT) {
		*why = "the mm's kernel= profile is not the running kernel's series";
		goto fail;
	}
	if (!mm->knobs[PB_KNOB_contpte] || !mm->knobs[PB_KNOB_autofold]) {
		*why = "the kernel's helpers always manage CONT: needs contpte=1 and autofold=1";
		goto fail;
	}
	if (mm->phys->base_pfn & (pb_cont_ptes(g) - 1)) {
		*why = "the arena's base_pfn is not a multiple of CONT_PTES";
		goto fail;
	}
	km->ptrs = pb_ptrs_per_table(g);
	km->snap = pb_zalloc(km->ptrs * sizeof(*km->snap));
	if (!km->snap) {
		*why = "out of memory";
		ret = -ENOMEM;
		goto fail;
	}
	mm->kmirror = km;
	return 0;
fail:
	pb_kshadow_destroy(km->ks);
	pb_free(km, sizeof(*km));
	return ret;
}

void pb_kmirror_detach(struct pb_mm *mm)
{
	struct pb_kmirror *km = mm->kmirror;

	if (!km)
		return;
	while (km->x.nr)
		pb_kshadow_folio_free(pb_kxlate_remove(&km->x, km->x.nr - 1));
	pb_kxlate_free(&km->x);
	pb_kshadow_destroy(km->ks);
	pb_free(km->snap, km->ptrs * sizeof(*km->snap));
	pb_free(km, sizeof(*km));
	mm->kmirror = NULL;
}

/*
 * The real PFN of the model's @pfn, allocating a real folio of its model
 * folio's order the first time (a PFN no folio holds, as the zero page's,
 * is a folio of its own).  A model folio freed and reallocated with another
 * order gets another real folio.
 */
static int pb_kmirror_real(struct pb_mm *mm, struct pb_kmirror *km, u64 pfn,
			   u64 *real)
{
	struct pb_page *head = pb_page_folio(mm->phys, pfn, NULL);
	unsigned int order = head ? head->order : 0;
	u64 head_pfn = pfn, real_head;
	struct pb_kxlate_ent *e;
	void *cookie;
	int i, ret;

	if (head)
		pb_page_folio(mm->phys, pfn, &head_pfn);
	e = pb_kxlate_find(&km->x, pfn);
	if (e && e->model_head == head_pfn && e->order == order) {
		*real = e->real_head + (pfn - head_pfn);
		return 0;
	}
	while ((i = pb_kxlate_overlap(&km->x, head_pfn, order)) >= 0)
		pb_kshadow_folio_free(pb_kxlate_remove(&km->x, i));
	ret = pb_kshadow_folio_alloc(order, &real_head, &cookie);
	if (!ret) {
		ret = pb_kxlate_insert(&km->x, head_pfn, order, real_head, cookie);
		if (ret)
			pb_kshadow_folio_free(cookie);
	}
	if (ret) {
		if (!km->err) {
			km->err = ret;
			km->err_order = order;
		}
		return ret;
	}
	*real = real_head + (pfn - head_pfn);
	return 0;
}

struct pb_kprefill {
	struct pb_kmirror *km;
	int ret;
};

/*
 * Every PFN that a leaf table of [start, end) of @mm (the parent) maps gets
 * its real folio in the child's mirror; the two share the arena, so the
 * parent's folios are the child's.
 */
static void pb_kmirror_prefill_leaf(struct pb_mm *mm, pb_pte_t *table, u64 va,
				    u64 start, u64 end, void *arg)
{
	const struct pb_geom *g = &mm->geom;
	u64 span = (u64)pb_ptrs_per_table(g) << g->page_shift, real;
	unsigned int i = start > va ? (start - va) >> g->page_shift : 0;
	unsigned int last = end - va < span ? (end - va) >> g->page_shift :
			    pb_ptrs_per_table(g);
	struct pb_kprefill *p = arg;
	struct pb_kview v;

	for (; i < last && !p->ret; i++) {
		pb_kview_model(g, table[i], &v);
		if (v.has_pfn)
			p->ret = pb_kmirror_real(mm, p->km, v.pfn, &real);
	}
}

int pb_kmirror_prefill(struct pb_mm *mm, struct pb_mm *src, const u64 *pfns,
		       unsigned int nr, const char **why)
{
	struct pb_kprefill p = { .km = mm->kmirror };
	unsigned int i;
	u64 real;

	for (i = 0; i < src->nr_vmas && !p.ret; i++)
		pb_walk_leaf_tables(src, src->vmas[i].start, src->vmas[i].end,
				    pb_kmirror_prefill_leaf, &p);
	for (i = 0; i < nr && !p.ret; i++)
		p.ret = pb_kmirror_real(mm, p.km, pfns[i], &real);
	if (p.ret) {
		/* Reported here, not again at the end of the command. */
		p.km->err = 0;
		*why = "out of memory for the kernel shadow's real folios";
	}
	return p.ret;
}

static int pb_kmirror_to_kernel(struct pb_mm *mm, struct pb_kmirror *km,
				pb_pte_t pte, u64 *out)
{
	struct pb_kview v;
	u64 real = 0;
	int ret;

	pb_kview_model(&mm->geom, pte, &v);
	if (v.has_pfn) {
		ret = pb_kmirror_real(mm, km, v.pfn, &real);
		if (ret)
			return ret;
	}
	*out = pb_kshadow_mkpte(real, v.attrs, v.has_pfn);
	return 0;
}

static void pb_kmirror_cmp(struct pb_mm *mm, const struct pb_kcall *c, u64 va,
			   pb_pte_t model, u64 kernel)
{
	struct pb_kview mv, kv;
	const char *field;
	bool xlated = false;
	u64 real = 0;

	pb_kview_model(&mm->geom, model, &mv);
	if (mv.has_pfn)
		xlated = pb_kxlate_pfn(&mm->kmirror->x, mv.pfn, &real);
	pb_kshadow_view(kernel, &kv);
	pb_mm_count(mm, PB_MMC_kernel_compares, 1);
	field = pb_kview_diff(&mv, real, xlated, &kv);
	if (field)
		pb_violation_kernel(mm, va, model, kernel, pb_khelper_names[c->op],
				    field);
}

bool pb_kmirror_begin(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
		      unsigned int nr, struct pb_kspan *sp)
{
	const struct pb_geom *g = &mm->geom;
	u64 bmask = pb_cont_size(g) - 1, end;

	/* The knob's setter and fork (for a child) make the mirror. */
	if (!mm->kmirror || mm->kmirror_busy || !nr)
		return false;
	sp->start = va & ~bmask;
	end = (va + ((u64)nr << g->page_shift) + bmask) & ~bmask;
	sp->n = (end - sp->start) >> g->page_shift;
	sp->first = ptep - ((va - sp->start) >> g->page_shift);
	sp->idx = (sp->start >> g->page_shift) & (mm->kmirror->ptrs - 1);
	memcpy(&mm->kmirror->snap[sp->idx], sp->first, sp->n * sizeof(*sp->first));
	mm->kmirror_busy = true;
	return true;
}

void pb_kmirror_end(struct pb_mm *mm, const struct pb_kspan *sp,
		    struct pb_kcall *c, pb_pte_t arg, bool ret_pte, u64 ret)
{
	struct pb_kmirror *km = mm->kmirror;
	unsigned int i;
	u64 kret, val;

	mm->kmirror_busy = false;
	for (i = 0; i < sp->n; i++) {
		if (pb_kmirror_to_kernel(mm, km, km->snap[sp->idx + i], &val))
			goto out;
		pb_kshadow_write(km->ks, sp->idx + i, val);
	}
	if ((c->op == PB_KH_set_ptes || c->op == PB_KH_ptep_set_access_flags) &&
	    pb_kmirror_to_kernel(mm, km, arg, &c->pte))
		goto out;
	kret = pb_kshadow_call(km->ks, c);
	for (i = 0; i < sp->n; i++)
		pb_kmirror_cmp(mm, c, sp->start + ((u64)i << mm->geom.page_shift),
			       sp->first[i], pb_kshadow_read(km->ks, sp->idx + i));
	if (ret_pte) {
		pb_kmirror_cmp(mm, c, c->va, ret, kret);
	} else if (c->op == PB_KH_ptep_test_and_clear_young ||
		   c->op == PB_KH_ptep_clear_flush_young ||
		   c->op == PB_KH_ptep_set_access_flags) {
		pb_mm_count(mm, PB_MMC_kernel_compares, 1);
		if (!ret != !kret)
			pb_violation_kernel(mm, c->va, ret, kret,
					    pb_khelper_names[c->op], "result");
	}
out:
	/* No entry outlives the call: the real folios may go at any time. */
	for (i = 0; i < sp->n; i++)
		pb_kshadow_write(km->ks, sp->idx + i, 0);
}
