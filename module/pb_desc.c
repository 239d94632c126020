// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: arm64 stage-1 descriptors and the geometry of a private mm.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "pb_model.h"

int pb_geom_init(struct pb_geom *g, unsigned int page_kb, unsigned int va_bits,
		 unsigned int pa_bits, const char **why)
{
	memset(g, 0, sizeof(*g));
	switch (page_kb) {
	case 4:
		g->page_shift = 12;
		g->cont_shift = 4;
		break;
	case 16:
		g->page_shift = 14;
		g->cont_shift = 7;
		break;
	case 64:
		g->page_shift = 16;
		g->cont_shift = 5;
		break;
	default:
		*why = "granule must be 4, 16 or 64 (KiB)";
		return -EINVAL;
	}
	if (pa_bits != 48 && pa_bits != 52) {
		*why = "pa_bits must be 48 or 52";
		return -EINVAL;
	}
	/* 52-bit VAs need LVA (64K) or LPA2 (4K/16K); ignore the VA/PA tie-in. */
	if (va_bits < 36 || va_bits > 52) {
		*why = "va_bits must be within 36..52";
		return -EINVAL;
	}
	g->va_bits = va_bits;
	g->pa_bits = pa_bits;
	g->bits_per_level = g->page_shift - 3;
	g->levels = DIV_ROUND_UP(va_bits - g->page_shift, g->bits_per_level);
	g->lpa2 = pa_bits == 52 && g->page_shift != 16;
	return 0;
}

/*
 * Output address bits in the descriptor.  With 52-bit OAs the top bits are not
 * stored beside the rest: 64K keeps OA[51:48] in bits [15:12], LPA2 (4K and
 * 16K) keeps OA[49:48] in place and OA[51:50] in bits [9:8].
 */
static u64 pb_oa_low_mask(const struct pb_geom *g)
{
	unsigned int top = g->lpa2 ? 50 : 48;

	return GENMASK_ULL(top - 1, g->page_shift);
}

u64 pb_pte_pfn(const struct pb_geom *g, pb_pte_t pte)
{
	u64 pa = pte & pb_oa_low_mask(g);

	if (g->pa_bits == 52) {
		if (g->lpa2)
			pa |= ((pte >> 8) & 0x3ULL) << 50;
		else
			pa |= ((pte >> 12) & 0xfULL) << 48;
	}
	return pa >> g->page_shift;
}

/* Everything but the output address. */
pb_pte_t pb_pte_pgprot(const struct pb_geom *g, pb_pte_t pte)
{
	u64 oa = pb_oa_low_mask(g);

	if (g->pa_bits == 52)
		oa |= g->lpa2 ? GENMASK_ULL(9, 8) : GENMASK_ULL(15, 12);
	return pte & ~oa;
}

pb_pte_t pb_pfn_pte(const struct pb_geom *g, u64 pfn, pb_pte_t prot)
{
	u64 pa = pfn << g->page_shift;
	pb_pte_t pte = pb_pte_pgprot(g, prot) | (pa & pb_oa_low_mask(g));

	if (g->pa_bits == 52) {
		if (g->lpa2)
			pte |= ((pa >> 50) & 0x3ULL) << 8;
		else
			pte |= ((pa >> 48) & 0xfULL) << 12;
	}
	return pte;
}

/*
 * The naive form adds the granule to the raw descriptor, as set_ptes() did
 * before "arm64/mm: Make set_ptes() robust when OAs cross 48-bit boundary":
 * the carry out of the low OA field lands in attribute bits.
 */
pb_pte_t pb_pte_advance(const struct pb_geom *g, pb_pte_t pte, u64 nr,
			bool naive)
{
	if (naive)
		return pte + (nr << g->page_shift);
	return pb_pfn_pte(g, pb_pte_pfn(g, pte) + nr, pte);
}

pb_pte_t pb_pte_mkclean(pb_pte_t pte)
{
	pte &= ~PB_PTE_DIRTY;
	/* A writable clean entry is read-only until DBM marks it dirty. */
	if (pte & PB_PTE_DBM)
		pte |= PB_PTE_RDONLY;
	return pte;
}

pb_pte_t pb_pte_mkdirty(pb_pte_t pte)
{
	pte |= PB_PTE_DIRTY;
	if (pte & PB_PTE_WRITE)
		pte &= ~PB_PTE_RDONLY;
	return pte;
}

pb_pte_t pb_pte_mkold(pb_pte_t pte)
{
	return pte & ~PB_PTE_AF;
}

pb_pte_t pb_pte_mkyoung(pb_pte_t pte)
{
	return pte | PB_PTE_AF;
}

/* Read-only, moving a hardware-dirty state into the software dirty bit. */
pb_pte_t pb_pte_wrprotect(pb_pte_t pte)
{
	if (pb_pte_hw_dirty(pte))
		pte |= PB_PTE_DIRTY;
	pte &= ~PB_PTE_WRITE;
	return pte | PB_PTE_RDONLY;
}

pb_pte_t pb_pte_mkwrite(pb_pte_t pte)
{
	pte |= PB_PTE_WRITE;
	if (pte & PB_PTE_DIRTY)
		pte &= ~PB_PTE_RDONLY;
	return pte;
}

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
