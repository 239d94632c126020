// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: descriptors, pages and folios as replies show them.
 */
#include <linux/kernel.h>
#include <linux/errno.h>

#include "iface/format.h"
#include "iface/parse.h"
#include "iface/reply.h"

void pb_view_flags_str(u32 flags, char *buf, size_t size)
{
	static const char *const names[PB_NR_VF] = {
		[PB_VF_V] = "V", [PB_VF_U] = "U", [PB_VF_RO] = "RO",
		[PB_VF_AF] = "AF", [PB_VF_NG] = "nG", [PB_VF_DBM] = "DBM",
		[PB_VF_CONT] = "CONT", [PB_VF_PXN] = "PXN", [PB_VF_UXN] = "UXN",
		[PB_VF_D] = "D", [PB_VF_SP] = "SP", [PB_VF_SD] = "SD",
		[PB_VF_WP] = "WP", [PB_VF_NX] = "NX",
	};
	size_t i, len = 0;

	buf[0] = '\0';
	if (flags & PB_VF_PROTNONE) {
		scnprintf(buf, size, "PROTNONE");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (flags & BIT(i))
			len += scnprintf(buf + len, size - len, "%s%s",
					 len ? "," : "", names[i]);
	}
	if (!len)
		scnprintf(buf, size, "-");
}

void pb_pte_flags_str(pb_pte_t pte, char *buf, size_t size)
{
	pb_view_flags_str(pb_view_pte_flags(pte), buf, size);
}

void pb_format_page(struct pb_reply *r, const struct pb_page_view *v)
{
	char flags[96];

	if (!v->present) {
		pb_reply_printf(r, "0x%012llx 0x%016llx none\n", v->va, v->desc);
		return;
	}
	pb_view_flags_str(v->flags, flags, sizeof(flags));
	pb_reply_printf(r, "0x%012llx 0x%016llx %s pfn=0x%llx", v->va, v->desc,
			flags, v->pfn);
	if (v->folio)
		pb_reply_printf(r, " folio=0x%llx order=%u idx=%llu", v->head_pfn,
				v->order, v->pfn - v->head_pfn);
	else
		pb_reply_printf(r, " folio=none");
	pb_reply_printf(r, " cont=%d", !!(v->flags & BIT(PB_VF_CONT)));
	pb_reply_printf(r, v->pmd ? " pmd=1\n" : "\n");
}

void pb_format_folio(struct pb_reply *r, const struct pb_folio_view *v)
{
	pb_reply_printf(r,
			"pfn 0x%llx\nhead 0x%llx\norder %u\nrefcount %u\nmapcount %d\nlarge_mapcount %u\npincount %u\nanon %d\nexclusive %d\ndeferred %d\ndirty %d\n",
			v->pfn, v->head_pfn, v->order, v->refcount, v->mapcount,
			v->large_mapcount, v->pincount, v->anon, v->exclusive,
			v->deferred, v->dirty);
	pb_reply_printf(r, "file %u\nindex 0x%llx\n", v->file, v->index);
	pb_reply_printf(r, "entire_mapcount %u\npmd %d\npartially_mapped %d\n",
			v->entire_mapcount, v->pmd, v->partially_mapped);
}

int pb_view_miss_err(struct pb_args *a, enum pb_view_miss miss, u64 va)
{
	switch (miss) {
	case PB_VIEW_NOTHING:
		return pb_err(a, "nothing mapped at 0x%llx", va);
	case PB_VIEW_ZERO:
		return pb_err(a, "0x%llx maps the zero page, which is no folio", va);
	default:
		return pb_err(a, "0x%llx maps no live folio", va);
	}
}
