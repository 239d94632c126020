// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the contpte layer and the batch helpers, with the semantics of
 * arm64's contpte.c and pgtable.h (6.12 and later fixes).
 *
 * The raw helpers (pb_raw_*) never touch PTE_CONT; the public ones manage it.
 * With the contpte knob off the public helpers are the raw ones, as without
 * CONFIG_ARM64_CONTPTE.  Every descriptor write goes through pb_write_pte(),
 * where the checker sees the old and the new value.
 */
#include <linux/kernel.h>
#include <linux/errno.h>

#include "model/mm.h"
#include "model/phys.h"
#include "model/shadow.h"
#include "model/tlb.h"
#include "real/kmirror.h"
#include "arch/contpte.h"

static unsigned int pb_cont_index(const struct pb_mm *mm, u64 va)
{
	return (va >> mm->geom.page_shift) & (pb_cont_ptes(&mm->geom) - 1);
}

static bool pb_naive(const struct pb_mm *mm)
{
	return pb_mutation(mm, PB_KNOB_naive_pfn_step);
}

/* --- Raw helpers ------------------------------------------------------------ */

void pb_raw_set_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep, pb_pte_t pte,
		     unsigned int nr)
{
	const struct pb_geom *g = &mm->geom;
	pb_pte_t prot;
	unsigned int i;
	u64 pfn;

	if (nr == 1) {
		pb_write_pte(mm, va, ptep, pte);
		return;
	}
	if (mm->shadowed || pb_naive(mm)) {
		for (i = 0; i < nr; i++) {
			pb_write_pte(mm, va + ((u64)i << g->page_shift), ptep + i, pte);
			pte = pb_pte_advance(g, pte, 1, pb_naive(mm));
		}
		return;
	}
	/*
	 * Nothing watches these writes.  Where the output addresses of the
	 * run share their top, stored-apart bits, stepping the in-place field
	 * is what decoding and re-encoding each entry gives; else do that.
	 */
	pfn = pb_pte_pfn(g, pte);
	prot = pb_pte_pgprot(g, pte);
	pb_mm_count(mm, PB_MMC_pte_writes, nr);
	if ((((pfn + nr - 1) << g->page_shift) & ~g->oa_low_mask) ==
	    ((pfn << g->page_shift) & ~g->oa_low_mask)) {
		/* A local: the stores would make the compiler reload g's. */
		u64 step = pb_page_size(g);

		pte = pb_pfn_pte(g, pfn, prot);
		/* Two a pass: half the loop's tests and steps per store. */
		for (i = 0; i + 1 < nr; i += 2, pte += 2 * step) {
			ptep[i] = pte;
			ptep[i + 1] = pte + step;
		}
		if (i < nr)
			ptep[i] = pte;
		return;
	}
	for (i = 0; i < nr; i++)
		ptep[i] = pb_pfn_pte(g, pfn + i, prot);
}

pb_pte_t pb_raw_get_and_clear(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	pb_pte_t old = *ptep;

	if (old)
		pb_write_pte(mm, va, ptep, 0);
	return old;
}

static void pb_raw_wrprotect(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	pb_pte_t old = *ptep, new = pb_pte_wrprotect(old);

	if (pb_pte_present(old) && new != old)
		pb_write_pte(mm, va, ptep, new);
}

/*
 * __ptep_test_and_clear_young() clears AF whatever the entry: a PROT_NONE
 * entry that kept AF reports young too.
 */
static bool pb_raw_test_and_clear_young(struct pb_mm *mm, u64 va,
					pb_pte_t *ptep)
{
	pb_pte_t old = *ptep;

	if (!pb_pte_young(old))
		return false;
	pb_write_pte(mm, va, ptep, pb_pte_mkold(old));
	return true;
}

/*
 * The access flags of @entry applied to @old: AF, write and dirty can only be
 * added, and RDONLY takes the more permissive of the two.  Soft-dirty too, as
 * pte_mkdirty() sets it where the architecture has it.
 */
static pb_pte_t pb_access_flags_apply(pb_pte_t old, pb_pte_t entry)
{
	pb_pte_t bits = entry & (PB_PTE_RDONLY | PB_PTE_AF | PB_PTE_WRITE |
				 PB_PTE_DIRTY | PB_PTE_SOFT_DIRTY);

	return ((old ^ PB_PTE_RDONLY) | (bits ^ PB_PTE_RDONLY)) ^ PB_PTE_RDONLY;
}

/* --- Convert: fold and unfold by break-before-make ------------------------- */

static void pb_contpte_convert(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			       pb_pte_t pte)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int nr = pb_cont_ptes(g), i;
	u64 start = va & ~(pb_cont_size(g) - 1);
	pb_pte_t *first = ptep - pb_cont_index(mm, va);

	for (i = 0; i < nr; i++) {
		pb_pte_t old = pb_raw_get_and_clear(mm, start + ((u64)i << g->page_shift),
						    first + i);

		if (pb_mutation(mm, PB_KNOB_skip_ad_gather))
			continue;
		if (pb_pte_dirty(old))
			pte = pb_pte_mkdirty(pte);
		if (pb_pte_young(old))
			pte = pb_pte_mkyoung(pte);
	}
	if (mm->knobs[PB_KNOB_bbml2])
		pb_mm_count(mm, PB_MMC_tlbi_skipped_bbml2, 1);
	else
		pb_flush_tlb_range(mm, start, start + pb_cont_size(g));

	pte = pb_pfn_pte(g, pb_pte_pfn(g, pte) & ~((u64)nr - 1), pte);
	pb_raw_set_ptes(mm, start, first, pte, nr);
	pb_mm_count(mm, PB_MMC_converts, 1);
}

void pb_contpte_try_unfold(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			   pb_pte_t pte)
{
	if (!mm->knobs[PB_KNOB_contpte] || !pb_pte_valid_cont(pte))
		return;
	pb_contpte_convert(mm, va, ptep, pte & ~PB_PTE_CONT);
	pb_mm_count(mm, PB_MMC_unfolds, 1);
}

/*
 * Can the block around @va be folded?  One folio must cover it and every entry
 * must map the next page with the same attributes, A/D aside.  Returns NULL
 * or why not.
 */
const char *pb_contpte_foldable(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int nr = pb_cont_ptes(g), i;
	pb_pte_t *first = ptep - pb_cont_index(mm, va);
	pb_pte_t pte = *ptep, prot, expected;
	u64 pfn, head_pfn;
	struct pb_page *head;

	if (!pb_pte_valid(pte))
		return "entry not valid";
	if (pte & PB_PTE_SPECIAL)
		return "special entry";
	pfn = pb_pte_pfn(g, pte) - pb_cont_index(mm, va);
	if (pfn & (nr - 1))
		return "physical address not block aligned";
	head = pb_page_folio(mm->phys, pfn, &head_pfn);
	if (!head)
		return "no folio";
	if (head_pfn > pfn || pfn + nr > head_pfn + (1ULL << head->order))
		return "block not inside one folio";
	prot = pb_pte_pgprot(g, pb_pte_mkold(pb_pte_mkclean(pte)));
	expected = pb_pfn_pte(g, pfn, prot);
	for (i = 0; i < nr; i++) {
		if (pb_pte_mkold(pb_pte_mkclean(first[i])) != expected)
			return "entries differ";
		expected = pb_pte_advance(g, expected, 1, false);
	}
	return NULL;
}

void pb_contpte_fold(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	pb_contpte_convert(mm, va, ptep, *ptep | PB_PTE_CONT);
	pb_mm_count(mm, PB_MMC_folds, 1);
}

/* Core mm writes low to high, so only the block's last entry tries a fold. */
static void pb_contpte_try_fold(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				pb_pte_t pte)
{
	unsigned int mask = pb_cont_ptes(&mm->geom) - 1;

	if (!mm->knobs[PB_KNOB_autofold] || pb_cont_index(mm, va) != mask)
		return;
	if ((pb_pte_pfn(&mm->geom, pte) & mask) != mask || !pb_pte_valid(pte) ||
	    pb_pte_cont(pte) || (pte & PB_PTE_SPECIAL))
		return;
	pb_mm_count(mm, PB_MMC_fold_attempts, 1);
	if (!pb_contpte_foldable(mm, va, ptep))
		pb_contpte_fold(mm, va, ptep);
}

/* Unfold the blocks at either end of [va, va + nr) that it covers only partly. */
static void pb_contpte_try_unfold_partial(struct pb_mm *mm, u64 va,
					  pb_pte_t *ptep, unsigned int nr)
{
	unsigned int cont = pb_cont_ptes(&mm->geom);
	u64 last = va + ((u64)(nr - 1) << mm->geom.page_shift);

	if (pb_cont_index(mm, va) || nr < cont)
		pb_contpte_try_unfold(mm, va, ptep, *ptep);
	if ((pb_cont_index(mm, va) + nr) & (cont - 1))
		pb_contpte_try_unfold(mm, last, ptep + nr - 1, ptep[nr - 1]);
}

/* --- Public helpers --------------------------------------------------------- */

static pb_pte_t __pb_ptep_get(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	unsigned int nr = pb_cont_ptes(&mm->geom), i;
	pb_pte_t pte = *ptep, *first, any = 0, hw = 0;
	bool young, dirty;

	if (!mm->knobs[PB_KNOB_contpte] || !pb_pte_valid_cont(pte) ||
	    pb_mutation(mm, PB_KNOB_skip_ad_gather))
		return pte;
	first = ptep - pb_cont_index(mm, va);
	/*
	 * Mainline stops once the block's entries, read from the first, have
	 * shown both bits ("arm64/mm: Optimize loop to reduce redundant
	 * operations of contpte_ptep_get", 6.16); 6.12 reads the whole block.
	 * Same result, fewer reads.  The bits are gathered without a branch
	 * per entry: ORed, and hardware dirty (DBM without RDONLY) as DBM
	 * less RDONLY moved up to DBM's place.  6.12's whole block is ORed
	 * and ANDed first: hardware dirty needs a look at each entry only
	 * when no entry is dirty in software, some has DBM and some lacks
	 * RDONLY.
	 */
	if (mm->profile != PB_PROFILE_MAINLINE) {
		pb_pte_t all = ~0ULL;

		/*
		 * Four at a time: a block is 16, 128 or 32 entries (4K, 16K,
		 * 64K granule), and the loop's own test and step cost as
		 * much as the two bit operations per entry.
		 */
		for (i = 0; i < nr; i += 4) {
			any |= first[i] | first[i + 1] | first[i + 2] | first[i + 3];
			all &= first[i] & first[i + 1] & first[i + 2] & first[i + 3];
		}
		if (!(any & PB_PTE_DIRTY) && (any & PB_PTE_DBM) &&
		    !(all & PB_PTE_RDONLY))
			for (i = 0; i < nr; i++)
				hw |= first[i] & ~(first[i] * (PB_PTE_DBM / PB_PTE_RDONLY));
	} else {
		for (i = 0; i < nr;) {
			pb_pte_t e = first[i++];

			any |= e;
			hw |= e & ~(e * (PB_PTE_DBM / PB_PTE_RDONLY));
			if ((any & PB_PTE_AF) &&
			    ((any & PB_PTE_DIRTY) || (hw & PB_PTE_DBM)))
				break;
		}
	}
	young = any & PB_PTE_AF;
	dirty = (any & PB_PTE_DIRTY) || (hw & PB_PTE_DBM);
	if (dirty)
		pte = pb_pte_mkdirty(pte);
	if (young)
		pte = pb_pte_mkyoung(pte);
	pb_mm_count(mm, PB_MMC_ad_gather_reads, i);
	return pte;
}

static void __pb_set_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep, pb_pte_t pte,
			  unsigned int nr)
{
	const struct pb_geom *g = &mm->geom;
	u64 end, next, cmask = pb_cont_size(g) - 1;

	pte &= ~PB_PTE_CONT;
	if (!mm->knobs[PB_KNOB_contpte]) {
		pb_raw_set_ptes(mm, va, ptep, pte, nr);
		return;
	}
	if (nr == 1) {
		pb_contpte_try_unfold(mm, va, ptep, *ptep);
		pb_raw_set_ptes(mm, va, ptep, pte, 1);
		pb_contpte_try_fold(mm, va, ptep, pte);
		return;
	}
	/* contpte_set_ptes(): an invalid entry (PROT_NONE) is never CONT. */
	if (!pb_pte_valid(pte)) {
		pb_raw_set_ptes(mm, va, ptep, pte, nr);
		return;
	}
	/* Every target is not present: set CONT on aligned, covered blocks. */
	end = va + ((u64)nr << g->page_shift);
	do {
		u64 pa = pb_pte_pfn(g, pte) << g->page_shift;
		unsigned int n;

		next = min((va + cmask + 1) & ~cmask, end);
		/* Whole blocks, output addresses aligned too: in one pass. */
		if (!((va | pa) & cmask) && end - va > cmask)
			next = va + ((end - va) & ~cmask);
		n = (next - va) >> g->page_shift;
		if (!((va | next | pa) & cmask))
			pte |= PB_PTE_CONT;
		else
			pte &= ~PB_PTE_CONT;
		pb_raw_set_ptes(mm, va, ptep, pte, n);
		va = next;
		ptep += n;
		/* The next run's first entry; none after the last run. */
		if (va != end)
			pte = pb_pte_advance(g, pte, n, pb_naive(mm));
	} while (va != end);
}

static pb_pte_t __pb_ptep_get_and_clear(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	pb_contpte_try_unfold(mm, va, ptep, *ptep);
	return pb_raw_get_and_clear(mm, va, ptep);
}

/*
 * Clear @nr entries; the first entry's value is returned with the dirty and
 * young bits of all of them.  Only partly covered blocks are unfolded.
 */
static pb_pte_t __pb_get_and_clear_full_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
					     unsigned int nr)
{
	pb_pte_t pte;
	unsigned int i;

	if (nr == 1)
		return pb_ptep_get_and_clear(mm, va, ptep);
	if (mm->knobs[PB_KNOB_contpte])
		pb_contpte_try_unfold_partial(mm, va, ptep, nr);
	pte = pb_raw_get_and_clear(mm, va, ptep);
	for (i = 1; i < nr; i++) {
		pb_pte_t t = pb_raw_get_and_clear(mm, va + ((u64)i << mm->geom.page_shift),
						  ptep + i);

		if (pb_pte_dirty(t))
			pte = pb_pte_mkdirty(pte);
		if (pb_pte_young(t))
			pte = pb_pte_mkyoung(pte);
	}
	return pte;
}

static void __pb_clear_full_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				 unsigned int nr)
{
	unsigned int i;

	if (nr == 1) {
		pb_ptep_get_and_clear(mm, va, ptep);
		return;
	}
	if (mm->knobs[PB_KNOB_contpte])
		pb_contpte_try_unfold_partial(mm, va, ptep, nr);
	for (i = 0; i < nr; i++)
		pb_raw_get_and_clear(mm, va + ((u64)i << mm->geom.page_shift),
				     ptep + i);
}

/*
 * get_and_clear_ptes() and clear_ptes() (include/linux/pgtable.h, "mm: add
 * get_and_clear_ptes() and clear_ptes()", 6.17): the full=0 forms, for a
 * caller that does not tear down the whole mm (mremap, mprotect's
 * modify_prot_start_ptes()).  arm64's contpte forms ignore full, so they
 * behave as the full forms do; 6.12 has neither.
 */
static pb_pte_t __pb_get_and_clear_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
					unsigned int nr)
{
	return pb_get_and_clear_full_ptes(mm, va, ptep, nr);
}

static void __pb_clear_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep, unsigned int nr)
{
	pb_clear_full_ptes(mm, va, ptep, nr);
}

/*
 * Whole blocks are write-protected without unfolding, which the Arm ARM's
 * "Misprogramming the Contiguous bit" rule allows until the caller's flush;
 * partly covered blocks must be unfolded first.
 */
static void __pb_wrprotect_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				unsigned int nr)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int cont = pb_cont_ptes(g), i, step;

	if (mm->knobs[PB_KNOB_contpte]) {
		if (nr == 1) {
			pb_contpte_try_unfold(mm, va, ptep, *ptep);
		} else {
			for (i = 0; i < nr; i += step) {
				u64 addr = va + ((u64)i << g->page_shift);
				unsigned int idx = pb_cont_index(mm, addr);

				step = cont - idx;
				if (!pb_pte_valid_cont(ptep[i]))
					continue;
				if (!idx && nr - i >= cont)
					pb_mm_count(mm, PB_MMC_wrprotect_whole_blocks, 1);
				else
					pb_mm_count(mm, PB_MMC_wrprotect_partial_blocks, 1);
			}
			if (!pb_mutation(mm, PB_KNOB_partial_wrprotect_no_unfold))
				pb_contpte_try_unfold_partial(mm, va, ptep, nr);
		}
	}
	if (mm->shadowed) {
		for (i = 0; i < nr; i++)
			pb_raw_wrprotect(mm, va + ((u64)i << g->page_shift), ptep + i);
		return;
	}
	/*
	 * Nothing watches these stores (the shadowed case is above), so an
	 * entry is stored back whether it changed or not: no branch per entry.
	 * Only present entries are write-protected: a swap entry's bits are
	 * not a descriptor's.
	 */
	for (i = 0, step = 0; i < nr; i++) {
		pb_pte_t old = ptep[i];
		pb_pte_t new = pb_pte_present(old) ? pb_pte_wrprotect(old) : old;

		step += new != old;
		ptep[i] = new;
	}
	pb_mm_count(mm, PB_MMC_pte_writes, step);
}

void pb_ptep_set_wrprotect(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	pb_wrprotect_ptes(mm, va, ptep, 1);
}

/* A/D is tracked per folio, so a block's young state is cleared as a whole. */
static bool __pb_ptep_test_and_clear_young(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int nr = pb_cont_ptes(g), i;
	u64 start = va & ~(pb_cont_size(g) - 1);
	pb_pte_t *first;
	bool young = false;

	if (!mm->knobs[PB_KNOB_contpte] || !pb_pte_valid_cont(*ptep))
		return pb_raw_test_and_clear_young(mm, va, ptep);
	first = ptep - pb_cont_index(mm, va);
	for (i = 0; i < nr; i++)
		young |= pb_raw_test_and_clear_young(mm, start + ((u64)i << g->page_shift),
						     first + i);
	return young;
}

static bool __pb_ptep_clear_flush_young(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	const struct pb_geom *g = &mm->geom;
	bool cont = mm->knobs[PB_KNOB_contpte] && pb_pte_valid_cont(*ptep);
	bool young = pb_ptep_test_and_clear_young(mm, va, ptep);
	u64 start = va & ~(pb_cont_size(g) - 1);

	if (!young)
		return false;
	if (cont)
		pb_flush_tlb_range(mm, start, start + pb_cont_size(g));
	else
		pb_flush_tlb_page(mm, va);
	return true;
}

static bool pb_raw_set_access_flags(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				    pb_pte_t entry)
{
	pb_pte_t old = *ptep, new = pb_access_flags_apply(old, entry);

	if (new == old)
		return false;
	pb_write_pte(mm, va, ptep, new);
	return true;
}

/*
 * Returns whether anything changed.  For a block, the no-op test looks at
 * every descriptor, not at the gathered view: a walker that reads one
 * descriptor (an SMMU without HTTU) would otherwise fault forever (the fix
 * in v7.0-rc3).
 */
static bool __pb_ptep_set_access_flags(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				       pb_pte_t entry, bool dirty)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int nr = pb_cont_ptes(g), i;
	u64 start = va & ~(pb_cont_size(g) - 1);
	pb_pte_t orig, *first;
	bool changed = false;

	if (!mm->knobs[PB_KNOB_contpte] || !pb_pte_valid_cont(*ptep)) {
		if (!pb_raw_set_access_flags(mm, va, ptep, entry))
			return false;
		if (dirty)
			pb_flush_tlb_page(mm, va);
		return true;
	}
	first = ptep - pb_cont_index(mm, va);
	for (i = 0; i < nr; i++)
		if (pb_access_flags_apply(first[i], entry) != first[i])
			changed = true;
	if (!changed)
		return false;
	/* The raw target entry, not the gathered view, decides the write bit. */
	orig = *ptep & ~PB_PTE_CONT;
	if (pb_pte_write(orig) == pb_pte_write(entry)) {
		for (i = 0; i < nr; i++)
			pb_raw_set_access_flags(mm, start + ((u64)i << g->page_shift),
						first + i, entry);
		if (dirty)
			pb_flush_tlb_range(mm, start, start + pb_cont_size(g));
		return true;
	}
	pb_contpte_try_unfold(mm, va, ptep, *ptep);
	pb_raw_set_access_flags(mm, va, ptep, entry);
	if (dirty)
		pb_flush_tlb_page(mm, va);
	return true;
}

/* MADV_FREE's helper: widened to whole blocks, never unfolds. */
static void __pb_clear_young_dirty_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
					unsigned int nr, bool young, bool dirty)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int i;

	if (mm->knobs[PB_KNOB_contpte]) {
		unsigned int cont = pb_cont_ptes(g);
		unsigned int head = pb_cont_index(mm, va);
		unsigned int tail = (head + nr) & (cont - 1);

		if (head && pb_pte_valid_cont(*ptep)) {
			ptep -= head;
			va -= (u64)head << g->page_shift;
			nr += head;
		}
		if (tail && pb_pte_valid_cont(ptep[nr - 1]))
			nr += cont - tail;
	}
	/*
	 * __clear_young_dirty_ptes() rewrites every entry it is given, valid
	 * or not: a PROT_NONE entry (MADV_FREE takes any pte_present() one)
	 * loses AF and dirty too.  Only none entries, which the model's are
	 * where not present, stay as they are.
	 */
	for (i = 0; i < nr; i++) {
		pb_pte_t old = ptep[i], new = old;

		if (!pb_pte_present(old))
			continue;
		if (young)
			new = pb_pte_mkold(new);
		if (dirty) {
			new = pb_pte_mkclean(new);
			pb_page_mark_clean(mm->phys, pb_pte_pfn(g, old));
		}
		if (new != old)
			pb_write_pte(mm, va + ((u64)i << g->page_shift), ptep + i, new);
	}
}

/*
 * --- The public helpers, mirrored --------------------------------------------
 *
 * With the kernel_shadow knob on, each runs on the running kernel's own
 * helper too (real/kmirror.c), from the same entries and with the same
 * arguments, and the two are compared.  A helper that calls another is
 * mirrored once, as the outer one.
 */

/* Off, a helper pays one test for the mirror: no frame for its state. */
static bool pb_mirrored(struct pb_mm *mm)
{
	return mm->knobs[PB_KNOB_kernel_shadow];
}

/*
 * Helper @op with the kernel's beside it.  Out of line, and given its
 * arguments by value, so that the mirror's state (the call, the span, and
 * the stack protector that locals whose address is taken bring) costs
 * nothing when it is off: fork and zap call the helpers per batch, and per
 * PTE one at a time.  @pte is the entry of set_ptes and set_access_flags;
 * @young and @dirty are clear_young_dirty's flags, @dirty set_access_flags'.
 */
static noinline u64 pb_mirror(struct pb_mm *mm, enum pb_khelper op, u64 va,
			      pb_pte_t *ptep, unsigned int nr, pb_pte_t pte,
			      bool young, bool dirty)
{
	struct pb_kcall c = {
		.op = op, .va = va, .nr = nr, .young = young, .dirty = dirty,
	};
	bool ret_pte = false, m;
	struct pb_kspan sp;
	u64 ret = 0;

	m = pb_kmirror_begin(mm, va, ptep, nr, &sp);
	switch (op) {
	case PB_KH_set_ptes:
		__pb_set_ptes(mm, va, ptep, pte, nr);
		break;
	case PB_KH_ptep_get:
		ret = __pb_ptep_get(mm, va, ptep);
		ret_pte = true;
		break;
	case PB_KH_ptep_get_and_clear:
		ret = __pb_ptep_get_and_clear(mm, va, ptep);
		ret_pte = true;
		break;
	case PB_KH_get_and_clear_full_ptes:
		ret = __pb_get_and_clear_full_ptes(mm, va, ptep, nr);
		ret_pte = true;
		break;
	case PB_KH_clear_full_ptes:
		__pb_clear_full_ptes(mm, va, ptep, nr);
		break;
	case PB_KH_get_and_clear_ptes:
		ret = __pb_get_and_clear_ptes(mm, va, ptep, nr);
		ret_pte = true;
		break;
	case PB_KH_clear_ptes:
		__pb_clear_ptes(mm, va, ptep, nr);
		break;
	case PB_KH_wrprotect_ptes:
		__pb_wrprotect_ptes(mm, va, ptep, nr);
		break;
	case PB_KH_ptep_test_and_clear_young:
		ret = __pb_ptep_test_and_clear_young(mm, va, ptep);
		break;
	case PB_KH_ptep_clear_flush_young:
		ret = __pb_ptep_clear_flush_young(mm, va, ptep);
		break;
	case PB_KH_ptep_set_access_flags:
		ret = __pb_ptep_set_access_flags(mm, va, ptep, pte, dirty);
		break;
	case PB_KH_clear_young_dirty_ptes:
		__pb_clear_young_dirty_ptes(mm, va, ptep, nr, young, dirty);
		break;
	case PB_NR_KHELPERS:
		break;
	}
	if (m)
		pb_kmirror_end(mm, &sp, &c, pte, ret_pte, ret);
	return ret;
}

pb_pte_t pb_ptep_get(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	if (!pb_mirrored(mm))
		return __pb_ptep_get(mm, va, ptep);
	return pb_mirror(mm, PB_KH_ptep_get, va, ptep, 1, 0, false, false);
}

void pb_set_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep, pb_pte_t pte,
		 unsigned int nr)
{
	if (!pb_mirrored(mm))
		__pb_set_ptes(mm, va, ptep, pte, nr);
	else
		pb_mirror(mm, PB_KH_set_ptes, va, ptep, nr, pte, false, false);
}

pb_pte_t pb_ptep_get_and_clear(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	if (!pb_mirrored(mm))
		return __pb_ptep_get_and_clear(mm, va, ptep);
	return pb_mirror(mm, PB_KH_ptep_get_and_clear, va, ptep, 1, 0, false, false);
}

pb_pte_t pb_get_and_clear_full_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
				    unsigned int nr)
{
	if (!pb_mirrored(mm))
		return __pb_get_and_clear_full_ptes(mm, va, ptep, nr);
	return pb_mirror(mm, PB_KH_get_and_clear_full_ptes, va, ptep, nr, 0, false,
			 false);
}

void pb_clear_full_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			unsigned int nr)
{
	if (!pb_mirrored(mm))
		__pb_clear_full_ptes(mm, va, ptep, nr);
	else
		pb_mirror(mm, PB_KH_clear_full_ptes, va, ptep, nr, 0, false, false);
}

pb_pte_t pb_get_and_clear_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			       unsigned int nr)
{
	if (!pb_mirrored(mm))
		return __pb_get_and_clear_ptes(mm, va, ptep, nr);
	return pb_mirror(mm, PB_KH_get_and_clear_ptes, va, ptep, nr, 0, false, false);
}

void pb_clear_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep, unsigned int nr)
{
	if (!pb_mirrored(mm))
		__pb_clear_ptes(mm, va, ptep, nr);
	else
		pb_mirror(mm, PB_KH_clear_ptes, va, ptep, nr, 0, false, false);
}

void pb_wrprotect_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
		       unsigned int nr)
{
	if (!pb_mirrored(mm))
		__pb_wrprotect_ptes(mm, va, ptep, nr);
	else
		pb_mirror(mm, PB_KH_wrprotect_ptes, va, ptep, nr, 0, false, false);
}

bool pb_ptep_test_and_clear_young(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	if (!pb_mirrored(mm))
		return __pb_ptep_test_and_clear_young(mm, va, ptep);
	return pb_mirror(mm, PB_KH_ptep_test_and_clear_young, va, ptep, 1, 0, false,
			 false);
}

bool pb_ptep_clear_flush_young(struct pb_mm *mm, u64 va, pb_pte_t *ptep)
{
	if (!pb_mirrored(mm))
		return __pb_ptep_clear_flush_young(mm, va, ptep);
	return pb_mirror(mm, PB_KH_ptep_clear_flush_young, va, ptep, 1, 0, false,
			 false);
}

bool pb_ptep_set_access_flags(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			      pb_pte_t entry, bool dirty)
{
	if (!pb_mirrored(mm))
		return __pb_ptep_set_access_flags(mm, va, ptep, entry, dirty);
	return pb_mirror(mm, PB_KH_ptep_set_access_flags, va, ptep, 1, entry, false,
			 dirty);
}

void pb_clear_young_dirty_ptes(struct pb_mm *mm, u64 va, pb_pte_t *ptep,
			       unsigned int nr, bool young, bool dirty)
{
	if (!pb_mirrored(mm))
		__pb_clear_young_dirty_ptes(mm, va, ptep, nr, young, dirty);
	else
		pb_mirror(mm, PB_KH_clear_young_dirty_ptes, va, ptep, nr, 0, young,
			  dirty);
}
