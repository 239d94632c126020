/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: what the kernel shadow compares, and the model-PFN to real-folio
 * translation table; pure, so that the native build tests it.
 *
 * The model and the running kernel may store the output address differently
 * (a 48-bit mm against a kernel that runs LPA2), so a descriptor is compared
 * by meaning: its PFN through the translation table, and its attribute bits
 * outside the output address fields.
 */
#ifndef _PB_REAL_KDESC_H
#define _PB_REAL_KDESC_H

#include <linux/types.h>

#include "model/desc.h"

/*
 * Not compared: SH (with LPA2 it is OA[51:50] and the shareability lives in
 * TCR_ELx) and the model's soft-dirty bit, which arm64 does not have (no
 * HAVE_ARCH_SOFT_DIRTY): the model keeps it in a software bit that the
 * kernel neither sets nor reads.
 */
#define PB_KDESC_IGNORED	(PB_PTE_SH | PB_PTE_SOFT_DIRTY)

/* A descriptor by meaning: present or not, its PFN and its attributes. */
struct pb_kview {
	u64 pfn;
	u64 attrs;		/* bits outside the OA fields and PB_KDESC_IGNORED */
	bool has_pfn;		/* valid or PROT_NONE: the PFN means something */
};

/* The view of a model descriptor. */
void pb_kview_model(const struct pb_geom *g, pb_pte_t pte, struct pb_kview *v);

/*
 * Compare the view of the model's descriptor, its PFN already translated to
 * a real one (@real_pfn; @xlated false if no folio holds it), with the
 * kernel's.  NULL if they agree, else the first field that differs ("cont",
 * "af", "pfn", ...).
 */
const char *pb_kview_diff(const struct pb_kview *model, u64 real_pfn,
			  bool xlated, const struct pb_kview *kernel);

/* The helpers the kernel shadow mirrors, and their kernel names. */
enum pb_khelper {
	PB_KH_set_ptes,
	PB_KH_ptep_get,
	PB_KH_ptep_get_and_clear,
	PB_KH_get_and_clear_full_ptes,
	PB_KH_clear_full_ptes,
	PB_KH_get_and_clear_ptes,
	PB_KH_clear_ptes,
	PB_KH_wrprotect_ptes,
	PB_KH_ptep_test_and_clear_young,
	PB_KH_ptep_clear_flush_young,
	PB_KH_ptep_set_access_flags,
	PB_KH_clear_young_dirty_ptes,
	PB_NR_KHELPERS
};

/* One helper call: what the model's helper was given, in kernel format. */
struct pb_kcall {
	enum pb_khelper op;
	u64 va;
	unsigned int nr;
	u64 pte;		/* set_ptes' and set_access_flags' entry */
	bool young, dirty;	/* clear_young_dirty's flags; set_access_flags' dirty */
};

extern const char *const pb_khelper_names[PB_NR_KHELPERS];

/* --- Model-PFN to real-folio translation ------------------------------------ */

struct pb_kxlate_ent {
	u64 model_head;		/* the model folio's head PFN */
	u64 real_head;		/* the real folio's */
	unsigned int order;
	void *cookie;		/* the real folio, for whoever frees it */
};

/* Sorted by model_head; folios do not overlap. */
struct pb_kxlate {
	struct pb_kxlate_ent *ent;
	unsigned int nr, cap;
};

/* The entry whose model folio holds @model_pfn, or NULL. */
struct pb_kxlate_ent *pb_kxlate_find(struct pb_kxlate *x, u64 model_pfn);
/* The real PFN of @model_pfn; false if no entry holds it. */
bool pb_kxlate_pfn(struct pb_kxlate *x, u64 model_pfn, u64 *real_pfn);
/*
 * Insert a folio; 0 or -ENOMEM.  The caller has removed the entries it
 * overlaps (pb_kxlate_overlap()).
 */
int pb_kxlate_insert(struct pb_kxlate *x, u64 model_head, unsigned int order,
		     u64 real_head, void *cookie);
/* The index of an entry that overlaps [head, head + 2^order), or -1. */
int pb_kxlate_overlap(struct pb_kxlate *x, u64 model_head, unsigned int order);
/* Remove entry @i, returning its cookie. */
void *pb_kxlate_remove(struct pb_kxlate *x, unsigned int i);
/* Free the table itself (the caller has freed the cookies). */
void pb_kxlate_free(struct pb_kxlate *x);

#endif /* _PB_REAL_KDESC_H */
