// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: task_maps' counts of the entries of a real process.
 *
 * A block's reason follows what contpte_try_fold() (arch/arm64/mm/contpte.c)
 * asks of a block before it folds it: every entry present, one folio behind
 * them all, consecutive PFNs from a block-aligned one, and the same
 * attributes once pte_mkold(pte_mkclean()) has made A/D alike.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "real/maps.h"

void pb_maps_begin(struct pb_maps_walk *w, struct pb_maps_stats *st,
		   unsigned int page_shift, unsigned int cont_ptes, u64 pages)
{
	memset(w, 0, sizeof(*w));
	memset(st, 0, sizeof(*st));
	w->st = st;
	w->page_shift = page_shift;
	w->cont_ptes = cont_ptes;
	st->key[PB_MAPS_pages] = pages;
}

/* Close the current run: one piece of a folio, whole or not. */
static void pb_maps_close_run(struct pb_maps_walk *w)
{
	bool full;
	int h;

	if (!w->in_run)
		return;
	w->in_run = false;
	full = w->run_pages == 1ULL << w->run_order;
	if (w->run_anon)
		h = full ? PB_MAPS_HIST_anon_full : PB_MAPS_HIST_anon_partial;
	else
		h = full ? PB_MAPS_HIST_file_full : PB_MAPS_HIST_file_partial;
	w->st->hist[h][min_t(unsigned int, w->run_order, PB_MAX_ORDER)]++;
}

/* One present page of a folio at @va: extend the run or start one. */
static void pb_maps_run(struct pb_maps_walk *w, u64 va, const struct pb_maps_pte *e,
			u64 nr)
{
	if (w->in_run && e->head_pfn == w->run_head &&
	    va == w->run_va + (w->run_pages << w->page_shift) &&
	    e->pfn == w->run_pfn + w->run_pages) {
		w->run_pages += nr;
		return;
	}
	pb_maps_close_run(w);
	w->in_run = true;
	w->run_va = va;
	w->run_pfn = e->pfn;
	w->run_head = e->head_pfn;
	w->run_pages = nr;
	w->run_order = e->order;
	w->run_anon = e->anon;
	w->st->key[PB_MAPS_folios]++;
	if (e->order)
		w->st->key[PB_MAPS_large_folios]++;
	if (e->pinned)
		w->st->key[PB_MAPS_pinned]++;
	if (e->partially_mapped)
		w->st->key[PB_MAPS_partially_mapped]++;
}

/* @nr pages that @e maps from @va (a PMD leaf's: its first page). */
static void pb_maps_count(struct pb_maps_walk *w, u64 va, const struct pb_maps_pte *e,
			  u64 nr)
{
	u64 *k = w->st->key;

	if (e->swap) {
		k[PB_MAPS_swap] += nr;
		pb_maps_close_run(w);
		return;
	}
	if (!e->present) {
		pb_maps_close_run(w);
		return;
	}
	k[PB_MAPS_present] += nr;
	if (e->young)
		k[PB_MAPS_young] += nr;
	if (e->dirty)
		k[PB_MAPS_dirty] += nr;
	if (!e->folio) {
		k[e->zero ? PB_MAPS_zero : PB_MAPS_nofolio] += nr;
		pb_maps_close_run(w);
		return;
	}
	if (e->anon) {
		k[PB_MAPS_anon] += nr;
		k[e->exclusive ? PB_MAPS_exclusive : PB_MAPS_shared] += nr;
	} else {
		k[PB_MAPS_file] += nr;
	}
	pb_maps_run(w, va, e, nr);
}

enum pb_maps_key pb_maps_block_reason(const struct pb_maps_pte *e,
				      unsigned int nr)
{
	unsigned int i, present = 0, cont = 0, small = 0;
	bool one_folio = e[0].present && e[0].folio;

	for (i = 0; i < nr; i++) {
		present += e[i].present;
		cont += e[i].present && e[i].cont;
		if (e[i].present && (!e[i].folio || (1ULL << e[i].order) < nr))
			small++;
		if (!e[i].present || !e[i].folio || e[i].head_pfn != e[0].head_pfn)
			one_folio = false;
	}
	if (!present)
		return PB_NR_MAPS_KEYS;
	if (cont == nr)
		return PB_MAPS_cont_folded;
	/* Some entries CONT and not all: a block caught mid-change. */
	if (cont)
		return PB_MAPS_cont_torn;
	/* Nothing here could fill the block: the common case, no candidate. */
	if (small == present)
		return PB_MAPS_cont_small;
	if (present < nr)
		return PB_MAPS_cont_hole;
	if (!one_folio)
		return PB_MAPS_cont_mixed;
	for (i = 0; i < nr; i++)
		if (e[i].pfn != e[0].pfn + i)
			return PB_MAPS_cont_misaligned;
	if (e[0].pfn & (nr - 1))
		return PB_MAPS_cont_misaligned;
	for (i = 1; i < nr; i++)
		if (e[i].attrs != e[0].attrs)
			return PB_MAPS_cont_attrs;
	return PB_MAPS_cont_foldable;
}

void pb_maps_ptes(struct pb_maps_walk *w, u64 va, struct pb_maps_pte *e,
		  unsigned int nr)
{
	enum pb_maps_key why = PB_NR_MAPS_KEYS;
	bool young = false, dirty = false;
	unsigned int i;

	if (w->cont_ptes) {
		if (nr == w->cont_ptes && !(va & (((u64)nr << w->page_shift) - 1))) {
			why = pb_maps_block_reason(e, nr);
		} else {
			for (i = 0; i < nr; i++)
				if (e[i].present)
					why = PB_MAPS_cont_edge;
		}
	}
	if (why != PB_NR_MAPS_KEYS) {
		w->st->key[PB_MAPS_cont_blocks]++;
		w->st->key[why]++;
	}
	/*
	 * Hardware sets A/D on any one entry of a folded block, which speaks
	 * for all of them: gathered, as ptep_get() does.
	 */
	if (why == PB_MAPS_cont_folded) {
		for (i = 0; i < nr; i++) {
			young |= e[i].young;
			dirty |= e[i].dirty;
		}
		for (i = 0; i < nr; i++) {
			e[i].young = young;
			e[i].dirty = dirty;
		}
	}
	for (i = 0; i < nr; i++)
		pb_maps_count(w, va + ((u64)i << w->page_shift), &e[i], 1);
}

void pb_maps_pmd(struct pb_maps_walk *w, u64 va, const struct pb_maps_pte *e,
		 unsigned int nr)
{
	if (e->present && e->folio) {
		w->st->key[PB_MAPS_pmd_thps]++;
		w->st->key[PB_MAPS_pmd_pages] += nr;
	}
	pb_maps_count(w, va, e, nr);
}

void pb_maps_unread(struct pb_maps_walk *w, u64 nr)
{
	w->st->key[PB_MAPS_unread] += nr;
	pb_maps_close_run(w);
}

void pb_maps_end(struct pb_maps_walk *w)
{
	pb_maps_close_run(w);
}

void pb_maps_add(struct pb_maps_stats *to, const struct pb_maps_stats *from)
{
	unsigned int i, j;

	for (i = 0; i < PB_NR_MAPS_KEYS; i++)
		to->key[i] += from->key[i];
	for (i = 0; i < PB_NR_MAPS_HISTS; i++)
		for (j = 0; j <= PB_MAX_ORDER; j++)
			to->hist[i][j] += from->hist[i][j];
}
