/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the kernel_shadow knob's mirror.  Every contpte helper called on
 * a model mm with the knob on runs, with the same arguments, on the kernel's
 * own helpers over a shadow table (real/kcontpte.h); after it, every entry
 * of the blocks the call touched and its result are compared, by meaning
 * (real/kdesc.h).  A difference is a violation of kind "kernel".
 */
#ifndef _PB_REAL_KMIRROR_H
#define _PB_REAL_KMIRROR_H

#include <linux/types.h>

#include "model/mm.h"
#include "real/kdesc.h"
#include "real/kcontpte.h"

struct pb_kmirror {
	struct pb_kshadow *ks;
	struct pb_kxlate x;
	/* The model's entries of the blocks a call touches, before it. */
	pb_pte_t *snap;
	unsigned int ptrs;	/* entries in a PTE table */
	/* The first failure to get a real folio (-ENOMEM), and its order. */
	int err;
	unsigned int err_order;
};

/* One mirrored call, between begin and end: the whole blocks it touches. */
struct pb_kspan {
	u64 start;		/* VA of the first block */
	pb_pte_t *first;	/* the model's entry of start */
	unsigned int idx, n;	/* table index of start; entries */
};

/*
 * Give @mm a mirror: 0; -EOPNOTSUPP (the kernel has no contpte, or the mm's
 * geometry, profile, knobs or arena cannot match it) or -ENOMEM, with @why.
 */
int pb_kmirror_attach(struct pb_mm *mm, const char **why);
/*
 * Before a fork's copy, give the mirror of @mm (the child) the real folios of
 * every PFN that @src (the parent) maps and of the @nr PFNs of @pfns (the
 * copies of pinned pages), so that the copy's mirrored helpers allocate
 * nothing: 0, or -ENOMEM with @why.
 */
int pb_kmirror_prefill(struct pb_mm *mm, struct pb_mm *src, const u64 *pfns,
		       unsigned int nr, const char **why);
/* Free the mirror and the real folios it holds. */
void pb_kmirror_detach(struct pb_mm *mm);

/*
 * Before a helper on [va, va + nr) at @ptep: true if it is to be mirrored,
 * with the model's entries of the blocks it touches saved in @sp.
 */
bool pb_kmirror_begin(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
		      unsigned int nr, struct pb_kspan *sp);
/*
 * After it: run @c on the kernel's helper from the saved entries, @arg (in
 * the model's format) as its entry argument, and compare.  @ret is the
 * model helper's result: a descriptor if @ret_pte, else a truth value.
 */
void pb_kmirror_end(struct pb_mm *mm, const struct pb_kspan *sp,
		    struct pb_kcall *c, pb_pte_t arg, bool ret_pte, u64 ret);

#endif /* _PB_REAL_KMIRROR_H */
