// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: arm64 stage-1 descriptors and the geometry of a private mm.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "model/desc.h"

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
	/*
	 * With 52-bit OAs the top bits are not stored beside the rest: 64K
	 * keeps OA[51:48] in bits [15:12], LPA2 (4K and 16K) keeps OA[49:48]
	 * in place and OA[51:50] in bits [9:8].
	 */
	g->oa_low_mask = GENMASK_ULL((g->lpa2 ? 50 : 48) - 1, g->page_shift);
	if (pa_bits == 52 && g->lpa2) {
		g->oa_high_mask = GENMASK_ULL(9, 8);
		g->oa_high_shift = 50 - 8;
	} else if (pa_bits == 52) {
		g->oa_high_mask = GENMASK_ULL(15, 12);
		g->oa_high_shift = 48 - 12;
	}
	return 0;
}
