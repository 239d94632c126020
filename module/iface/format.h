/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: descriptors, pages and folios as replies show them.  dump and
 * task_dump print the lines of pb_format_page(), folio and task_folio those
 * of pb_format_folio(), whether the model or a real process filled them.
 */
#ifndef _PB_IFACE_FORMAT_H
#define _PB_IFACE_FORMAT_H

#include <linux/types.h>

#include "model/desc.h"
#include "model/view.h"

struct pb_reply;
struct pb_args;

/* Decoded flags, e.g. "V,U,RO,AF,DBM,CONT,D", or "PROTNONE", or "-". */
void pb_view_flags_str(u32 flags, char *buf, size_t size);
/* The same of a descriptor of the model's layout. */
void pb_pte_flags_str(pb_pte_t pte, char *buf, size_t size);
/* One dump line. */
void pb_format_page(struct pb_reply *r, const struct pb_page_view *v);
/* The lines of folio. */
void pb_format_folio(struct pb_reply *r, const struct pb_folio_view *v);
/* -EINVAL with the reason why @va shows no folio. */
int pb_view_miss_err(struct pb_args *a, enum pb_view_miss miss, u64 va);

#endif /* _PB_IFACE_FORMAT_H */
