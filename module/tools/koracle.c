// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the kernel oracle.  For each seed, a fresh private mm of the
 * running kernel's granule, with the kernel_shadow knob on, runs a seeded
 * random sequence of contpte helper calls over a window of a few blocks:
 * folios of orders around the block's mapped whole or one entry at a time
 * (set_ptes(), and the fold that set_ptes(nr == 1) of a block's last entry
 * tries), set_ptes(nr == 1) over a present entry (the unfold), wrprotect,
 * ptep_get, the get_and_clear and clear forms, the young helpers,
 * set_access_flags as a fault would call it, clear_young_dirty, and the
 * hardware's own A/D updates between them.  Every call is mirrored on the
 * kernel's helpers (real/kmirror.c); the first step with a mismatch stops
 * the run.
 *
 * The calls keep core mm's preconditions, which both sides assume:
 * set_ptes(nr > 1) maps one folio over none entries, and the batched
 * helpers get runs of present entries.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "real/kcontpte.h"
#include "real/kmirror.h"
#include "arch/contpte.h"
#include "paths/zap.h"
#include "tools/koracle.h"

#define PB_KO_VA	0x40000000ULL	/* PMD-aligned in every granule */
#define PB_KO_BLOCKS	4
#define PB_KO_FOLIOS	32

enum pb_ko_op {
	PB_KO_MAP,
	PB_KO_MAP_EACH,
	PB_KO_REMAP,
	PB_KO_WRPROTECT,
	PB_KO_GET,
	PB_KO_GET_AND_CLEAR,
	PB_KO_CLEAR,
	PB_KO_YOUNG,
	PB_KO_FLUSH_YOUNG,
	PB_KO_ACCESS_FLAGS,
	PB_KO_CLEAR_YOUNG_DIRTY,
	PB_KO_HW_AD,
	PB_KO_NR_OPS
};

static const char *const pb_ko_op_names[PB_KO_NR_OPS] = {
	[PB_KO_MAP] = "map",
	[PB_KO_MAP_EACH] = "map_each",
	[PB_KO_REMAP] = "remap",
	[PB_KO_WRPROTECT] = "wrprotect",
	[PB_KO_GET] = "ptep_get",
	[PB_KO_GET_AND_CLEAR] = "get_and_clear",
	[PB_KO_CLEAR] = "clear",
	[PB_KO_YOUNG] = "young",
	[PB_KO_FLUSH_YOUNG] = "flush_young",
	[PB_KO_ACCESS_FLAGS] = "set_access_flags",
	[PB_KO_CLEAR_YOUNG_DIRTY] = "clear_young_dirty",
	[PB_KO_HW_AD] = "hw_ad",
};

struct pb_ko {
	struct pb_mm *mm;
	pb_pte_t *ptep;		/* the window's first entry */
	unsigned int nr;	/* entries in the window */
	u64 rng;
	u64 folios[PB_KO_FOLIOS];
	unsigned int nr_folios;
	int err;		/* a model folio that could not be allocated */
};

static u64 pb_ko_rand(struct pb_ko *k)
{
	k->rng ^= k->rng << 13;
	k->rng ^= k->rng >> 7;
	k->rng ^= k->rng << 17;
	return k->rng;
}

static u64 pb_ko_below(struct pb_ko *k, u64 n)
{
	return pb_ko_rand(k) % n;
}

static u64 pb_ko_va(const struct pb_ko *k, unsigned int i)
{
	return PB_KO_VA + ((u64)i << k->mm->geom.page_shift);
}

/* A user page's attributes, as pb_vma_prot() builds them, varied. */
static pb_pte_t pb_ko_prot(struct pb_ko *k)
{
	pb_pte_t prot = PB_PTE_VALID | PB_PTE_TABLE | PB_PTE_USER | PB_PTE_NG |
			PB_PTE_PXN | PB_PTE_UXN | PB_ATTR_NORMAL | PB_PTE_RDONLY;

	if (!k->mm->geom.lpa2)
		prot |= PB_ATTR_SH_INNER;
	if (pb_ko_below(k, 4))
		prot |= PB_PTE_AF;
	if (pb_ko_below(k, 4)) {
		prot = pb_pte_mkwrite(prot);
		if (pb_ko_below(k, 2))
			prot = pb_pte_mkdirty(prot);
	}
	/* PROT_NONE: present, not valid. */
	if (!pb_ko_below(k, 10))
		prot &= ~PB_PTE_VALID;
	return prot;
}

/* A random present entry, or -1; and the run of present entries from it. */
static int pb_ko_present(struct pb_ko *k, bool valid, unsigned int *run)
{
	unsigned int start = pb_ko_below(k, k->nr), i, j;

	for (i = 0; i < k->nr; i++) {
		unsigned int e = (start + i) % k->nr;
		pb_pte_t pte = k->ptep[e];

		if (valid ? !pb_pte_valid(pte) : !pb_pte_present(pte))
			continue;
		for (j = e; j < k->nr && pb_pte_present(k->ptep[j]); j++)
			;
		*run = 1 + pb_ko_below(k, j - e);
		return e;
	}
	return -1;
}

/* Map a new folio; a range that is not all none is cleared instead. */
static void pb_ko_map(struct pb_ko *k, bool each)
{
	struct pb_mm *mm = k->mm;
	const struct pb_geom *g = &mm->geom;
	/* Small folios, and those just under, at and over a block. */
	unsigned int orders[] = { 0, 1, g->cont_shift - 1, g->cont_shift,
				  g->cont_shift + 1 };
	unsigned int order, n, idx, i;
	pb_pte_t pte;
	u64 head;
	int ret;

	order = orders[pb_ko_below(k, ARRAY_SIZE(orders))];
	n = 1U << order;
	if (pb_ko_below(k, 4))
		idx = pb_ko_below(k, k->nr / n) * n;
	else
		idx = pb_ko_below(k, k->nr - n + 1);
	for (i = 0; i < n; i++)
		if (k->ptep[idx + i])
			break;
	if (i < n) {
		pb_clear_full_ptes(mm, pb_ko_va(k, idx), k->ptep + idx, n);
		return;
	}
	if (k->nr_folios == PB_KO_FOLIOS)
		return;
	/*
	 * No room in the arena skips the step; out of memory for the arena's
	 * metadata must fail the command, not pass unnoticed.
	 */
	ret = pb_folio_alloc(mm->phys, order, true, &head);
	if (ret == -ENOMEM)
		k->err = ret;
	if (ret)
		return;
	k->folios[k->nr_folios++] = head;
	pte = pb_pfn_pte(g, head, pb_ko_prot(k));
	if (!each) {
		pb_set_ptes(mm, pb_ko_va(k, idx), k->ptep + idx, pte, n);
		return;
	}
	/* Low to high, as core mm: the block's last entry tries the fold. */
	for (i = 0; i < n; i++)
		pb_set_ptes(mm, pb_ko_va(k, idx + i), k->ptep + idx + i,
			    pb_pfn_pte(g, head + i, pte), 1);
}

static void pb_ko_step(struct pb_ko *k, enum pb_ko_op op)
{
	struct pb_mm *mm = k->mm;
	unsigned int run = 1;
	pb_pte_t pte, entry;
	bool write;
	int e;

	switch (op) {
	case PB_KO_MAP:
	case PB_KO_MAP_EACH:
		pb_ko_map(k, op == PB_KO_MAP_EACH);
		return;
	case PB_KO_YOUNG:
	case PB_KO_FLUSH_YOUNG:
		e = pb_ko_below(k, k->nr);
		if (op == PB_KO_YOUNG)
			pb_ptep_test_and_clear_young(mm, pb_ko_va(k, e), k->ptep + e);
		else
			pb_ptep_clear_flush_young(mm, pb_ko_va(k, e), k->ptep + e);
		return;
	default:
		break;
	}
	e = pb_ko_present(k, op == PB_KO_ACCESS_FLAGS || op == PB_KO_HW_AD ||
			  op == PB_KO_REMAP, &run);
	if (e < 0)
		return;
	pte = k->ptep[e];
	switch (op) {
	case PB_KO_REMAP:
		/* A new entry for the same page, e.g. after a write fault. */
		entry = pb_ko_below(k, 2) ? pb_pte_mkold(pte) : pb_pte_mkyoung(pte);
		if (pb_ko_below(k, 2))
			entry = pb_pte_wrprotect(entry);
		pb_set_ptes(mm, pb_ko_va(k, e), k->ptep + e, entry, 1);
		break;
	case PB_KO_WRPROTECT:
		pb_wrprotect_ptes(mm, pb_ko_va(k, e), k->ptep + e, run);
		break;
	case PB_KO_GET:
		pb_ptep_get(mm, pb_ko_va(k, e), k->ptep + e);
		break;
	case PB_KO_GET_AND_CLEAR:
		if (pb_ko_below(k, 2))
			pb_get_and_clear_full_ptes(mm, pb_ko_va(k, e), k->ptep + e, run);
		else
			pb_get_and_clear_ptes(mm, pb_ko_va(k, e), k->ptep + e, run);
		break;
	case PB_KO_CLEAR:
		if (pb_ko_below(k, 2))
			pb_clear_full_ptes(mm, pb_ko_va(k, e), k->ptep + e, run);
		else
			pb_clear_ptes(mm, pb_ko_va(k, e), k->ptep + e, run);
		break;
	case PB_KO_ACCESS_FLAGS:
		/* handle_pte_fault(): young, and dirty on a write. */
		write = pb_ko_below(k, 2);
		entry = pb_pte_mkyoung(pb_ptep_get(mm, pb_ko_va(k, e), k->ptep + e));
		if (write && pb_pte_write(entry))
			entry = pb_pte_mkdirty(entry);
		pb_ptep_set_access_flags(mm, pb_ko_va(k, e), k->ptep + e, entry,
					 write);
		break;
	case PB_KO_CLEAR_YOUNG_DIRTY: {
		unsigned int f = 1 + pb_ko_below(k, 3);

		pb_clear_young_dirty_ptes(mm, pb_ko_va(k, e), k->ptep + e, run,
					  f & 1, f & 2);
		break;
	}
	case PB_KO_HW_AD:
		/* The MMU's own update of the entry it walked: nothing mirrors. */
		pte |= PB_PTE_AF;
		if ((pte & PB_PTE_DBM) && pb_ko_below(k, 2))
			pte &= ~PB_PTE_RDONLY;
		k->ptep[e] = pte;
		break;
	default:
		break;
	}
}

static int pb_ko_seed(const struct pb_koracle_args *args, u64 seed,
		      struct pb_koracle_result *res, unsigned int page_shift,
		      unsigned int cont_shift)
{
	struct pb_mm_params p = {
		.profile = PB_PROFILE_BUILT,
		.page_kb = 1U << (page_shift - 10),
		.va_bits = 48,
		.pa_bits = args->pa_bits,
		.base_pfn = args->base_pfn,
		/* Room for every folio a seed takes, aligned. */
		.arena_pages = 4ULL * PB_KO_FOLIOS << cont_shift,
	};
	struct pb_ko k = { };
	u64 mismatches;
	unsigned int i;
	int ret = 0, kn;

	k.mm = pb_mm_create(&p, PB_MM_ID_NONE, &res->why);
	if (IS_ERR(k.mm))
		return PTR_ERR(k.mm);
	k.mm->report = &res->report;
	ret = pb_kmirror_attach(k.mm, &res->why);
	if (ret)
		goto out;
	k.mm->knobs[PB_KNOB_kernel_shadow] = 1;
	for (kn = 0; kn < PB_NR_KNOBS; kn++)
		if (args->mutations[kn])
			k.mm->knobs[kn] = 1;
	k.nr = PB_KO_BLOCKS * pb_cont_ptes(&k.mm->geom);
	/* An error pointer when a table cannot be allocated, never NULL. */
	k.ptep = pb_pte_offset(k.mm, PB_KO_VA, true);
	if (IS_ERR_OR_NULL(k.ptep)) {
		k.ptep = NULL;
		res->why = "out of memory";
		ret = -ENOMEM;
		goto out;
	}
	k.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	if (!k.rng)
		k.rng = 1;
	for (res->step = 0; res->step < args->steps; res->step++) {
		enum pb_ko_op op = pb_ko_below(&k, PB_KO_NR_OPS);

		mismatches = k.mm->counters[PB_MMC_kernel_mismatches];
		pb_ko_step(&k, op);
		res->steps++;
		if (k.err) {
			res->why = "out of memory for a model folio";
			ret = k.err;
			break;
		}
		if (k.mm->kmirror->err) {
			res->why = "out of memory for a real folio";
			ret = -ENOMEM;
			break;
		}
		if (k.mm->counters[PB_MMC_kernel_mismatches] != mismatches) {
			res->op = pb_ko_op_names[op];
			ret = -EUCLEAN;
			break;
		}
	}
out:
	if (k.ptep)
		for (i = 0; i < k.nr; i++)
			k.ptep[i] = 0;
	for (i = 0; i < k.nr_folios; i++)
		pb_folio_put(k.mm->phys, k.folios[i], 1);
	res->compares += k.mm->counters[PB_MMC_kernel_compares];
	res->mismatches += k.mm->counters[PB_MMC_kernel_mismatches];
	k.mm->report = NULL;
	pb_mm_destroy(k.mm);
	return ret;
}

int pb_koracle_run(const struct pb_koracle_args *args,
		   struct pb_koracle_result *res)
{
	unsigned int page_shift, cont_shift;
	u64 s;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = pb_kshadow_geometry(&page_shift, &cont_shift, &res->why);
	if (ret)
		return ret;
	for (s = 0; s < args->seeds; s++) {
		res->seed = args->seed + s;
		ret = pb_ko_seed(args, res->seed, res, page_shift, cont_shift);
		if (ret)
			return ret;
		res->seeds++;
	}
	return 0;
}
