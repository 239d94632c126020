// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: descriptor comparison by meaning, and the model-PFN to
 * real-folio translation table of the kernel shadow (real/kmirror.c).
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "lib/alloc.h"
#include "real/kdesc.h"

const char *const pb_khelper_names[PB_NR_KHELPERS] = {
	[PB_KH_set_ptes] = "set_ptes",
	[PB_KH_ptep_get] = "ptep_get",
	[PB_KH_ptep_get_and_clear] = "ptep_get_and_clear",
	[PB_KH_get_and_clear_full_ptes] = "get_and_clear_full_ptes",
	[PB_KH_clear_full_ptes] = "clear_full_ptes",
	[PB_KH_get_and_clear_ptes] = "get_and_clear_ptes",
	[PB_KH_clear_ptes] = "clear_ptes",
	[PB_KH_wrprotect_ptes] = "wrprotect_ptes",
	[PB_KH_ptep_test_and_clear_young] = "ptep_test_and_clear_young",
	[PB_KH_ptep_clear_flush_young] = "ptep_clear_flush_young",
	[PB_KH_ptep_set_access_flags] = "ptep_set_access_flags",
	[PB_KH_clear_young_dirty_ptes] = "clear_young_dirty_ptes",
};

void pb_kview_model(const struct pb_geom *g, pb_pte_t pte, struct pb_kview *v)
{
	v->has_pfn = pb_pte_present(pte);
	v->pfn = v->has_pfn ? pb_pte_pfn(g, pte) : 0;
	v->attrs = pb_pte_pgprot(g, pte) & ~PB_KDESC_IGNORED;
	if (!v->has_pfn)
		v->attrs = pte & ~PB_KDESC_IGNORED;
}

/* The fields a reason names, most telling first; "attr" takes the rest. */
static const struct {
	u64 mask;
	const char *name;
} pb_kview_fields[] = {
	{ PB_PTE_VALID, "valid" },
	{ PB_PTE_PRESENT_INVALID, "ng" },
	{ PB_PTE_CONT, "cont" },
	{ PB_PTE_AF, "af" },
	{ PB_PTE_DBM, "dbm" },
	{ PB_PTE_RDONLY, "rdonly" },
	{ PB_PTE_DIRTY, "dirty" },
	{ PB_PTE_SPECIAL, "special" },
	{ PB_PTE_UFFD_WP, "uffd_wp" },
	{ PB_PTE_PXN | PB_PTE_UXN, "xn" },
	{ ~0ULL, "attr" },
};

const char *pb_kview_diff(const struct pb_kview *model, u64 real_pfn,
			  bool xlated, const struct pb_kview *kernel)
{
	u64 diff = model->attrs ^ kernel->attrs;
	unsigned int i;

	if (diff)
		for (i = 0; i < ARRAY_SIZE(pb_kview_fields); i++)
			if (diff & pb_kview_fields[i].mask)
				return pb_kview_fields[i].name;
	if (model->has_pfn != kernel->has_pfn)
		return "valid";
	if (model->has_pfn && (!xlated || real_pfn != kernel->pfn))
		return "pfn";
	return NULL;
}

/* --- Translation table -------------------------------------------------------- */

/* The index of the first entry whose model_head is above @pfn. */
static unsigned int pb_kxlate_upper(const struct pb_kxlate *x, u64 pfn)
{
	unsigned int lo = 0, hi = x->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (x->ent[mid].model_head <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct pb_kxlate_ent *pb_kxlate_find(struct pb_kxlate *x, u64 model_pfn)
{
	unsigned int i = pb_kxlate_upper(x, model_pfn);
	struct pb_kxlate_ent *e;

	if (!i)
		return NULL;
	e = &x->ent[i - 1];
	if (model_pfn - e->model_head >= (1ULL << e->order))
		return NULL;
	return e;
}

bool pb_kxlate_pfn(struct pb_kxlate *x, u64 model_pfn, u64 *real_pfn)
{
	struct pb_kxlate_ent *e = pb_kxlate_find(x, model_pfn);

	if (!e)
		return false;
	*real_pfn = e->real_head + (model_pfn - e->model_head);
	return true;
}

int pb_kxlate_overlap(struct pb_kxlate *x, u64 model_head, unsigned int order)
{
	u64 end = model_head + (1ULL << order);
	unsigned int i = pb_kxlate_upper(x, model_head);

	/* The entry at or below the head, then the first one above it. */
	if (i && x->ent[i - 1].model_head + (1ULL << x->ent[i - 1].order) > model_head)
		return i - 1;
	if (i < x->nr && x->ent[i].model_head < end)
		return i;
	return -1;
}

int pb_kxlate_insert(struct pb_kxlate *x, u64 model_head, unsigned int order,
		     u64 real_head, void *cookie)
{
	unsigned int i;

	if (x->nr == x->cap) {
		unsigned int cap = x->cap ? 2 * x->cap : 16;
		struct pb_kxlate_ent *ent = pb_zalloc(cap * sizeof(*ent));

		if (!ent)
			return -ENOMEM;
		if (x->nr)
			memcpy(ent, x->ent, x->nr * sizeof(*ent));
		pb_free(x->ent, x->cap * sizeof(*ent));
		x->ent = ent;
		x->cap = cap;
	}
	i = pb_kxlate_upper(x, model_head);
	memmove(&x->ent[i + 1], &x->ent[i], (x->nr - i) * sizeof(*x->ent));
	x->ent[i].model_head = model_head;
	x->ent[i].real_head = real_head;
	x->ent[i].order = order;
	x->ent[i].cookie = cookie;
	x->nr++;
	return 0;
}

void *pb_kxlate_remove(struct pb_kxlate *x, unsigned int i)
{
	void *cookie = x->ent[i].cookie;

	memmove(&x->ent[i], &x->ent[i + 1], (x->nr - i - 1) * sizeof(*x->ent));
	x->nr--;
	return cookie;
}

void pb_kxlate_free(struct pb_kxlate *x)
{
	pb_free(x->ent, x->cap * sizeof(*x->ent));
	memset(x, 0, sizeof(*x));
}
