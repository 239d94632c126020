// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch native tests: the stand-in for module/real/kcontpte.c.  A native
 * build has no running arm64 kernel to call, so it answers as a kernel
 * without contpte does: EOPNOTSUPP, with the reason the module gives.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "real/kcontpte.h"

int pb_kshadow_geometry(unsigned int *page_shift, unsigned int *cont_shift,
			const char **why)
{
	*why = "the running kernel has no contpte (CONFIG_ARM64_CONTPTE)";
	return -EOPNOTSUPP;
}

int pb_kshadow_create(unsigned int page_shift, unsigned int cont_shift,
		      struct pb_kshadow **out, const char **why)
{
	*why = "the running kernel has no contpte (CONFIG_ARM64_CONTPTE)";
	return -EOPNOTSUPP;
}

/* Nothing below is reached: no shadow is ever made. */
void pb_kshadow_destroy(struct pb_kshadow *ks)
{
}

int pb_kshadow_folio_alloc(unsigned int order, u64 *real_head, void **cookie)
{
	return -EOPNOTSUPP;
}

void pb_kshadow_folio_free(void *cookie)
{
}

u64 pb_kshadow_mkpte(u64 pfn, u64 attrs, bool has_pfn)
{
	return 0;
}

void pb_kshadow_view(u64 val, struct pb_kview *v)
{
	memset(v, 0, sizeof(*v));
}

void pb_kshadow_write(struct pb_kshadow *ks, unsigned int idx, u64 val)
{
}

u64 pb_kshadow_read(struct pb_kshadow *ks, unsigned int idx)
{
	return 0;
}

u64 pb_kshadow_call(struct pb_kshadow *ks, const struct pb_kcall *c)
{
	return 0;
}
