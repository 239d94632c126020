// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: descriptors as replies show them.
 */
#include <linux/kernel.h>

#include "iface/format.h"

void pb_pte_flags_str(pb_pte_t pte, char *buf, size_t size)
{
	static const struct {
		pb_pte_t bit;
		const char *name;
	} flags[] = {
		{ PB_PTE_VALID, "V" }, { PB_PTE_USER, "U" },
		{ PB_PTE_RDONLY, "RO" }, { PB_PTE_AF, "AF" },
		{ PB_PTE_NG, "nG" }, { PB_PTE_DBM, "DBM" },
		{ PB_PTE_CONT, "CONT" }, { PB_PTE_PXN, "PXN" },
		{ PB_PTE_UXN, "UXN" }, { PB_PTE_DIRTY, "D" },
		{ PB_PTE_SPECIAL, "SP" }, { PB_PTE_SOFT_DIRTY, "SD" },
		{ PB_PTE_UFFD_WP, "WP" },
	};
	size_t i, len = 0;

	buf[0] = '\0';
	if (pb_pte_protnone(pte)) {
		scnprintf(buf, size, "PROTNONE");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		if (pte & flags[i].bit)
			len += scnprintf(buf + len, size - len, "%s%s",
					 len ? "," : "", flags[i].name);
	}
	if (!len)
		scnprintf(buf, size, "-");
}
