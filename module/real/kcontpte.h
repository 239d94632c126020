/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the running kernel's own contpte helpers, run on a shadow PTE
 * table of the module's (arm64 with CONFIG_ARM64_CONTPTE only).  The native
 * build has a stand-in (selftests/native/stubs/real_kcontpte.c) that answers
 * EOPNOTSUPP, as a kernel without contpte does.
 *
 * Descriptor values here are in the kernel's format; real/kdesc.h gives
 * their meaning.
 */
#ifndef _PB_REAL_KCONTPTE_H
#define _PB_REAL_KCONTPTE_H

#include <linux/types.h>

#include "real/kdesc.h"

struct pb_kshadow;

/*
 * The kernel's granule and block (PAGE_SHIFT, log2 of CONT_PTES): 0, or
 * -EOPNOTSUPP with @why where it has no contpte.
 */
int pb_kshadow_geometry(unsigned int *page_shift, unsigned int *cont_shift,
			const char **why);

/*
 * A shadow table for a mm of granule 2^@page_shift and 2^@cont_shift entries
 * a block: 0, -EOPNOTSUPP (no contpte here, or another geometry) or
 * -ENOMEM, with @why.
 */
int pb_kshadow_create(unsigned int page_shift, unsigned int cont_shift,
		      struct pb_kshadow **out, const char **why);
void pb_kshadow_destroy(struct pb_kshadow *ks);

/* A real folio of @order: its head PFN, and a cookie to free it by. */
int pb_kshadow_folio_alloc(unsigned int order, u64 *real_head, void **cookie);
void pb_kshadow_folio_free(void *cookie);

/* A kernel descriptor from a PFN and attributes (kdesc's view), and back. */
u64 pb_kshadow_mkpte(u64 pfn, u64 attrs, bool has_pfn);
void pb_kshadow_view(u64 val, struct pb_kview *v);

/* The shadow table's entry @idx. */
void pb_kshadow_write(struct pb_kshadow *ks, unsigned int idx, u64 val);
u64 pb_kshadow_read(struct pb_kshadow *ks, unsigned int idx);

/*
 * Run the kernel's helper on the shadow entry of @c->va: its result (a
 * descriptor, or 0/1), or 0 for the helpers that return nothing.
 */
u64 pb_kshadow_call(struct pb_kshadow *ks, const struct pb_kcall *c);

#endif /* _PB_REAL_KCONTPTE_H */
