// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the differential oracle.  One seeded random sequence of map,
 * fault, access, fork, mprotect, munmap, madvise, mremap, pin, soft-dirty
 * clear, uffd-wp and exit runs, over private and shared, anon, file and
 * shmem VMAs, on two families of mms of one kernel profile that differ only
 * in batching (the profile's own, against one PTE at a time everywhere);
 * after every step both must hold the same logical state, the checker must
 * be clean on both, and the batched family must not have issued more
 * unfolds or TLB invalidations.
 *
 * Access and dirty are per folio and approximate: an unfold spreads a block's
 * A/D to all its entries, and the families fold differently.  What the
 * semantics require, that a page the hardware wrote shows dirty while it is
 * mapped, is the checker's dirty_lost rule, checked on both.
 *
 * A mismatch names the seed, the step and the first differing VA, so that
 * "oracle seed=S steps=K trace=1" replays it step by step.  The oracle
 * prints nothing: it fills a result, and hands each step to a trace callback.
 */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "lib/alloc.h"
#include "model/cpu.h"
#include "model/mm.h"
#include "model/pgtable.h"
#include "model/phys.h"
#include "check/check.h"
#include "paths/fault.h"
#include "paths/fork.h"
#include "paths/madvise.h"
#include "paths/mprotect.h"
#include "paths/mremap.h"
#include "paths/populate.h"
#include "paths/tracking.h"
#include "paths/zap.h"
#include "tools/oracle.h"

#define PB_ORACLE_MMS	4
#define PB_ORACLE_VMAS	6

struct pb_family {
	struct pb_mm *mms[PB_ORACLE_MMS];
	unsigned int nr;
	/* Counters of the mms that exited, so that totals survive them. */
	u64 unfolds, tlbis, violations;
};

struct pb_oracle {
	struct pb_oracle_args args;
	struct pb_family fam[2];	/* 0: batched, 1: one PTE at a time */
	/* The VMAs that the steps draw their ranges from. */
	u64 vstart[PB_MAX_VMAS], vend[PB_MAX_VMAS];
	unsigned int nr_v;
	u64 rng;
	u64 step;
	const char *op;
	struct pb_oracle_result *res;
};

static u64 pb_rand(struct pb_oracle *o)
{
	o->rng ^= o->rng << 13;
	o->rng ^= o->rng >> 7;
	o->rng ^= o->rng << 17;
	return o->rng;
}

static u64 pb_rand_below(struct pb_oracle *o, u64 n)
{
	return pb_rand(o) % n;
}

static const u64 pb_oracle_vma_start[PB_ORACLE_VMAS] = {
	0x10000000, 0x20000000, 0x30000000, 0x40000000, 0x50000000, 0x60000000,
};

/*
 * Private anon; a shared file; private anon with soft-dirty tracking; a
 * private file; shmem; private anon registered for uffd-wp.
 */
static const u32 pb_oracle_vma_flags[PB_ORACLE_VMAS] = {
	PB_VM_READ | PB_VM_WRITE | PB_VM_ANON,
	PB_VM_READ | PB_VM_WRITE | PB_VM_SHARED,
	PB_VM_READ | PB_VM_WRITE | PB_VM_ANON | PB_VM_SOFTDIRTY,
	PB_VM_READ | PB_VM_WRITE,
	PB_VM_READ | PB_VM_WRITE | PB_VM_SHARED | PB_VM_ANON,
	PB_VM_READ | PB_VM_WRITE | PB_VM_ANON | PB_VM_UFFD_WP,
};

/*
 * Where mremap moves a range of a VMA to, from its own address: a place of
 * the same alignment (blocks can stay folded) or one page off it (none
 * can), free of VMAs; a range found there moves back.
 */
#define PB_ORACLE_MREMAP_ALIGNED	0x08000000ULL
#define PB_ORACLE_MREMAP_UNALIGNED	0x0c000000ULL

/* Two blocks and three pages: whole blocks and a ragged end. */
static u64 pb_oracle_vma_len(const struct pb_geom *g)
{
	return 2 * pb_cont_size(g) + 3 * pb_page_size(g);
}

static void pb_family_destroy(struct pb_family *f)
{
	while (f->nr)
		pb_mm_destroy(f->mms[--f->nr]);
}

static u64 pb_mm_tlbis(const struct pb_mm *mm)
{
	return mm->counters[PB_MMC_tlbi_page] + mm->counters[PB_MMC_tlbi_range] +
	       mm->counters[PB_MMC_tlbi_mm];
}

static u64 pb_family_unfolds(const struct pb_family *f)
{
	u64 sum = f->unfolds;
	unsigned int i;

	for (i = 0; i < f->nr; i++)
		sum += f->mms[i]->counters[PB_MMC_unfolds];
	return sum;
}

static u64 pb_family_tlbis(const struct pb_family *f)
{
	u64 sum = f->tlbis;
	unsigned int i;

	for (i = 0; i < f->nr; i++)
		sum += pb_mm_tlbis(f->mms[i]);
	return sum;
}

static int pb_family_init(struct pb_oracle *o, struct pb_family *f, bool batch)
{
	const struct pb_import_src *src = o->args.src;
	struct pb_mm_params p = {
		.profile = o->args.profile, .page_kb = o->args.page_kb,
		.va_bits = 48, .pa_bits = 48, .arena_pages = 1 << 16,
		.backing = o->args.backing, .check = true,
		/* The mapcounts of the profile's kernel, as mm_create has them. */
		.no_page_mapcount = o->args.profile == PB_PROFILE_MAINLINE &&
				    PB_NO_PAGE_MAPCOUNT_BUILT,
	};
	struct pb_import_result res;
	const char *why;
	struct pb_mm *mm;
	unsigned int i;
	int ret;

	if (src) {
		p.page_kb = (1U << src->page_shift) / 1024;
		p.va_bits = src->va_bits;
		p.arena_pages = o->args.arena_pages;
		p.no_page_mapcount = o->args.no_page_mapcount;
	}
	mm = pb_mm_create(&p, 0, &why);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	f->mms[f->nr++] = mm;
	/*
	 * Built before the batching knobs differ, so that both families
	 * start alike; step 0's compare makes sure of it.
	 */
	if (src) {
		ret = pb_import_build(mm, src, &res, &why);
		if (ret)
			return ret;
		o->res->import = res;
	}
	/* Batched: as the profile's kernel batches.  Else one PTE at a time. */
	if (!batch) {
		mm->knobs[PB_KNOB_fork_batch] = 0;
		mm->knobs[PB_KNOB_zap_batch] = 0;
		mm->knobs[PB_KNOB_mprotect_batch] = 0;
		mm->knobs[PB_KNOB_mremap_batch] = 0;
	}
	mm->knobs[PB_KNOB_check] = false;	/* the oracle runs it itself */
	if (src)
		return 0;
	for (i = 0; i < PB_ORACLE_VMAS; i++)
		pb_vma_add(mm, pb_oracle_vma_start[i],
			   pb_oracle_vma_start[i] + pb_oracle_vma_len(&mm->geom),
			   pb_oracle_vma_flags[i], &why);
	return 0;
}

/* The VMAs the steps draw from: the six, or those the import made. */
static void pb_oracle_vmas(struct pb_oracle *o)
{
	const struct pb_mm *mm = o->fam[0].mms[0];
	unsigned int i;

	o->nr_v = o->args.src ? mm->nr_vmas : PB_ORACLE_VMAS;
	for (i = 0; i < o->nr_v; i++) {
		o->vstart[i] = o->args.src ? mm->vmas[i].start :
			       pb_oracle_vma_start[i];
		o->vend[i] = o->args.src ? mm->vmas[i].end :
			     o->vstart[i] + pb_oracle_vma_len(&mm->geom);
	}
}

/* Record the first mismatch: what differs, and where. */
static int pb_mismatch(struct pb_oracle *o, enum pb_oracle_fail kind,
		       unsigned int mmi, u64 va, s64 a, s64 b)
{
	struct pb_oracle_mismatch *m = &o->res->mismatch;

	m->kind = kind;
	m->seed = o->args.seed;
	m->step = o->step;
	m->op = o->op;
	m->mm = mmi;
	m->va = va;
	m->a = a;
	m->b = b;
	return -EUCLEAN;
}

/*
 * What maps @va in @mm, PTE or PMD leaf alike (a PMD mapping is the same in
 * both families), with its folio.
 */
/*
 * What pb_va_entry() answers, with the tables looked up once per last-level
 * table's span rather than once per page: the compare reads every page.
 */
struct pb_entry_cursor {
	u64 base;		/* the span looked up, or 1 before the first */
	pb_pte_t *table;	/* its last-level table, or NULL */
	pb_pte_t pmd;		/* without one, its PMD entry */
};

static pb_pte_t pb_cursor_entry(struct pb_mm *mm, struct pb_entry_cursor *c,
				u64 va, bool *pmd)
{
	const struct pb_geom *g = &mm->geom;
	unsigned int shift = g->page_shift;
	u64 span = (u64)pb_ptrs_per_table(g) << shift;
	u64 base = va & ~(span - 1);

	if (c->base != base) {
		pb_pte_t *pmdp;

		c->base = base;
		c->table = pb_pte_offset(mm, base, false);
		c->pmd = 0;
		if (!c->table) {
			pmdp = pb_pmd_offset(mm, base);
			c->pmd = pmdp ? *pmdp : 0;
		}
	}
	*pmd = false;
	if (c->table)
		return c->table[(va - base) >> shift];
	if (!pb_pmd_leaf(c->pmd))
		return 0;
	*pmd = true;
	return pb_pte_advance(g, pb_pmd_to_pte(c->pmd), (va - base) >> shift, false);
}

static bool pb_view_of(struct pb_mm *mm, struct pb_entry_cursor *c, u64 va,
		       struct pb_oracle_view *v)
{
	const struct pb_geom *g = &mm->geom;
	bool pmd;
	pb_pte_t pte = pb_cursor_entry(mm, c, va, &pmd);
	struct pb_page *head;
	u64 pfn, head_pfn;
	u64 *data;

	memset(v, 0, sizeof(*v));
	v->present = pb_pte_present(pte);
	if (!v->present)
		return false;
	v->valid = pb_pte_valid(pte);
	v->write = pb_pte_write(pte);
	v->uffd_wp = pte & PB_PTE_UFFD_WP;
	v->soft_dirty = pte & PB_PTE_SOFT_DIRTY;
	pfn = pb_pte_pfn(g, pte);
	head = pb_page_folio(mm->phys, pfn, &head_pfn);
	if (!head)
		return true;
	v->folio_idx = pfn - head_pfn;
	v->order = head->order;
	v->refcount = head->refcount;
	v->large_mapcount = pb_folio_large_mapcount(head);
	v->pincount = head->pincount;
	v->mapcount = head[pfn - head_pfn].mapcount;
	v->pmd = pmd;
	v->entire_mapcount = pb_folio_entire_mapcount(head);
	v->exclusive = head[pmd ? 0 : pfn - head_pfn].flags & PB_PG_ANON_EXCLUSIVE;
	data = pb_page_data(mm->phys, pfn);
	v->data = data ? *data : 0;
	return true;
}

/*
 * Is the folio that @pte maps known dirty in family @f: marked dirty, or
 * mapped dirty (a D bit, or a hardware-dirty entry) by any mm of @f?  Any mm,
 * because fork makes a shared VMA's PTEs clean in the child and leaves the
 * dirty ones in the parent.
 */
static bool pb_folio_dirty(struct pb_family *f, struct pb_mm *mm, pb_pte_t pte)
{
	const struct pb_geom *g = &mm->geom;
	u64 head_pfn, nr;
	struct pb_page *head;
	unsigned int m, i;

	head = pb_page_folio(mm->phys, pb_pte_pfn(g, pte), &head_pfn);
	if (!head)
		return false;
	if (head->flags & PB_PG_DIRTY)
		return true;
	nr = 1ULL << head->order;
	for (m = 0; m < f->nr; m++) {
		struct pb_mm *other = f->mms[m];

		for (i = 0; i < other->nr_vmas; i++) {
			const struct pb_vma *vma = &other->vmas[i];
			u64 va;

			for (va = vma->start; va < vma->end; va += pb_page_size(g)) {
				bool pmd;
				pb_pte_t p = pb_va_entry(other, va, &pmd);
				u64 pfn;

				if (!pb_pte_present(p) || !pb_pte_dirty(p))
					continue;
				pfn = pb_pte_pfn(g, p);
				if (pfn >= head_pfn && pfn < head_pfn + nr)
					return true;
			}
		}
	}
	return false;
}

/*
 * The write bit of a PTE in a shared VMA that wants write notifies
 * (pb_vma_wants_writenotify(): a file, not shmem, whose PTEs are writable
 * wherever the VMA is and so compared) is not compared between the
 * families, only checked in each.  There it derives from dirty: dirty
 * accounting keeps a clean PTE read-only so that the first write faults,
 * and mprotect() makes only a dirty PTE writable (can_change_pte_writable()).
 * Dirty is per folio and approximate: a per-PTE set_ptes() that folds a
 * block ORs one written page's dirty bit into every entry (contpte_convert(),
 * as 6.12 does), a batch that does not fold leaves it on the one page, and a
 * later mprotect(rw) then upgrades different pages in the two families (seed
 * 239 on 16K).  Both states are correct: a read-only PTE of a shared mapping
 * only costs a write fault, which makes it writable, and no COW depends on
 * it.  What must hold is what dirty accounting needs, in either family, for
 * a PTE that is writable: a valid entry of a writable VMA, without uffd-wp,
 * soft-dirty if soft-dirty is tracked, and mapping a folio that is dirty
 * somewhere, so that writeback would write-protect it again.  Every other
 * field, and the write bit in every private VMA (where it decides COW), is
 * still compared.
 */
static bool pb_shared_write_excused(struct pb_oracle *o, unsigned int mmi,
				    const struct pb_vma *vma, u64 va,
				    struct pb_oracle_view *x,
				    struct pb_oracle_view *y)
{
	bool tracked = vma->flags & PB_VM_SOFTDIRTY;
	struct pb_oracle_view xw = *x;
	unsigned int f = x->write ? 0 : 1;
	struct pb_mm *mm = o->fam[f].mms[mmi];
	const struct pb_oracle_view *w = f ? y : x;
	bool pmd;

	if (!pb_vma_wants_writenotify(vma) || x->write == y->write)
		return false;
	xw.write = y->write;
	if (memcmp(&xw, y, sizeof(xw)))
		return false;
	if (!(vma->flags & PB_VM_WRITE) || !w->valid || w->uffd_wp ||
	    (tracked && !w->soft_dirty) ||
	    !pb_folio_dirty(&o->fam[f], mm, pb_va_entry(mm, va, &pmd)))
		return false;
	o->res->shared_write_excused++;
	return true;
}

static int pb_compare_mm(struct pb_oracle *o, unsigned int mmi)
{
	struct pb_mm *a = o->fam[0].mms[mmi], *b = o->fam[1].mms[mmi];
	const struct pb_geom *g = &a->geom;
	unsigned int i;

	if (a->nr_vmas != b->nr_vmas)
		return pb_mismatch(o, PB_ORACLE_NR_VMAS, mmi, 0, a->nr_vmas,
				   b->nr_vmas);
	for (i = 0; i < a->nr_vmas; i++) {
		const struct pb_vma *vma = &a->vmas[i];
		bool tracked = vma->flags & PB_VM_SOFTDIRTY;
		u64 va;

		if (memcmp(vma, &b->vmas[i], sizeof(*vma)))
			return pb_mismatch(o, PB_ORACLE_VMAS, mmi, vma->start,
					   0, 0);
		struct pb_entry_cursor ca = { .base = 1 }, cb = { .base = 1 };

		for (va = vma->start; va < vma->end; va += pb_page_size(g)) {
			struct pb_oracle_view x, y;
			bool mapped = pb_view_of(a, &ca, va, &x);

			/*
			 * Unmapped in both, the views are equal: no memcmp(),
			 * whose word loads of the views' fresh byte stores
			 * stall the CPU (the oracle's hottest spot).
			 */
			if (!pb_view_of(b, &cb, va, &y) && !mapped)
				continue;
			if (!tracked) {
				x.soft_dirty = false;
				y.soft_dirty = false;
			}
			if (memcmp(&x, &y, sizeof(x)) &&
			    !pb_shared_write_excused(o, mmi, vma, va, &x, &y)) {
				o->res->mismatch.views[0] = x;
				o->res->mismatch.views[1] = y;
				return pb_mismatch(o, PB_ORACLE_VIEW, mmi, va, 0, 0);
			}
		}
	}
	return 0;
}

static int pb_oracle_compare(struct pb_oracle *o)
{
	unsigned int f, i;
	int ret;

	if (o->fam[0].nr != o->fam[1].nr)
		return pb_mismatch(o, PB_ORACLE_NR_MMS, 0, 0, o->fam[0].nr,
				   o->fam[1].nr);
	/* Any violation, in the step (BBM, stale TLB) or in the scan, fails. */
	for (f = 0; f < 2; f++) {
		for (i = 0; i < o->fam[f].nr; i++) {
			struct pb_mm *mm = o->fam[f].mms[i];

			/* The failing mm's violations go with the result. */
			memset(&o->res->report, 0, sizeof(o->res->report));
			mm->report = &o->res->report;
			/*
			 * A family's forks share its first mm's arena: that
			 * mm's check sees every mm's entries and every folio,
			 * and the checks after it add only each mm's blocks.
			 */
			if (i && mm->phys == o->fam[f].mms[0]->phys)
				pb_check_mm_tables(mm);
			else
				pb_check_mm(mm);
			mm->report = NULL;
			if (mm->counters[PB_MMC_violations] || o->fam[f].violations)
				return pb_mismatch(o, PB_ORACLE_VIOLATIONS, i, 0, f, 0);
		}
	}
	for (i = 0; i < o->fam[0].nr; i++) {
		ret = pb_compare_mm(o, i);
		if (ret)
			return ret;
	}
	if (pb_family_unfolds(&o->fam[0]) >
	    pb_family_unfolds(&o->fam[1]))
		return pb_mismatch(o, PB_ORACLE_UNFOLDS, 0, 0,
				   pb_family_unfolds(&o->fam[0]),
				   pb_family_unfolds(&o->fam[1]));
	if (pb_family_tlbis(&o->fam[0]) >
	    pb_family_tlbis(&o->fam[1]))
		return pb_mismatch(o, PB_ORACLE_TLBIS, 0, 0,
				   pb_family_tlbis(&o->fam[0]),
				   pb_family_tlbis(&o->fam[1]));
	return 0;
}

/*
 * A random page-aligned range inside a random VMA of the seed's first mm
 * (as it was made: the steps may since have moved or unmapped it).
 */
static void pb_rand_range(struct pb_oracle *o, const struct pb_geom *g,
			  u64 *start, u64 *end)
{
	unsigned int vi = pb_rand_below(o, o->nr_v);
	u64 pages = (o->vend[vi] - o->vstart[vi]) >> g->page_shift;
	u64 first = pb_rand_below(o, pages);
	u64 nr = 1 + pb_rand_below(o, pages - first);

	*start = o->vstart[vi] + (first << g->page_shift);
	*end = *start + (nr << g->page_shift);
}

/* One random step, applied alike to both families. */
static int pb_oracle_step(struct pb_oracle *o)
{
	struct pb_family *fa = &o->fam[0];
	const struct pb_geom *g = &fa->mms[0]->geom;
	unsigned int op = pb_rand_below(o, 100), mmi = pb_rand_below(o, fa->nr);
	unsigned int order = pb_rand_below(o, g->cont_shift + 2), f;
	u64 start, end, val = pb_rand(o);
	bool write = pb_rand(o) & 1;
	int ret[2];
	const char *why;

	pb_rand_range(o, g, &start, &end);
	for (f = 0; f < 2; f++) {
		struct pb_family *fam = &o->fam[f];
		struct pb_mm *mm = fam->mms[mmi], *child;

		ret[f] = 0;
		if (op < 31) {
			o->op = write ? "write" : "read";
			mm->knobs[PB_KNOB_fault_order] = order;
			if (pb_access(mm, start, write, &val)) {
				ret[f] = pb_handle_fault(mm, start, write, &why);
				if (!ret[f])
					ret[f] = pb_access(mm, start, write, &val);
			}
		} else if (op < 35) {
			/* MADV_FREE refuses all but private anon: both alike. */
			o->op = write ? "madv-free" : "madv-dontneed";
			ret[f] = pb_madvise(mm, start, end, write ? PB_MADV_FREE :
					    PB_MADV_DONTNEED, &why);
		} else if (op < 43) {
			o->op = "fork";
			if (fam->nr == PB_ORACLE_MMS)
				continue;
			child = pb_fork(mm, fam->nr, &why);
			if (IS_ERR(child))
				return PTR_ERR(child);
			fam->mms[fam->nr++] = child;
		} else if (op < 55) {
			o->op = write ? "mprotect-rw" : "mprotect-r";
			ret[f] = pb_mprotect(mm, start, end, write ?
					     PB_VM_READ | PB_VM_WRITE : PB_VM_READ,
					     &why);
		} else if (op < 63) {
			o->op = "munmap";
			pb_zap_range(mm, start, end);
		} else if (op < 70) {
			o->op = write ? "pin" : "unpin";
			ret[f] = pb_pin(mm, start, start + pb_page_size(g), write,
					&why);
		} else if (op < 75) {
			o->op = "clear_refs";
			pb_clear_soft_dirty(mm);
		} else if (op < 82) {
			/* Only the uffd-wp VMA takes it; elsewhere both refuse. */
			o->op = write ? "uffd-wp" : "uffd-unwp";
			ret[f] = pb_uffd_wp(mm, start, end, write, &why);
		} else if (op < 88) {
			o->op = "exit";
			if (!mmi)
				continue;
			fam->unfolds += mm->counters[PB_MMC_unfolds];
			fam->tlbis += pb_mm_tlbis(mm);
			fam->violations += mm->counters[PB_MMC_violations];
			pb_mm_destroy(mm);
			fam->mms[mmi] = fam->mms[--fam->nr];
		} else if (op < 94) {
			u64 off = write ? PB_ORACLE_MREMAP_UNALIGNED +
					  pb_page_size(g) : PB_ORACLE_MREMAP_ALIGNED;

			o->op = "mremap";
			if (pb_vma_find(mm, start))
				ret[f] = pb_mremap(mm, start, end - start,
						   start + off, &why);
			else
				ret[f] = pb_mremap(mm, start + off, end - start,
						   start, &why);
		} else {
			u64 size = pb_page_size(g) << order;

			o->op = "populate";
			ret[f] = pb_populate(mm, start & ~(size - 1),
					     (start & ~(size - 1)) + size, order,
					     write, &why);
		}
	}
	if (o->args.trace) {
		struct pb_oracle_step rec = {
			.step = o->step, .op = o->op, .mm = mmi,
			.start = start, .end = end, .order = order, .ret = ret[0],
			.unfolds = { pb_family_unfolds(fa),
				     pb_family_unfolds(&o->fam[1]) },
			.tlbis = { pb_family_tlbis(fa), pb_family_tlbis(&o->fam[1]) },
		};

		o->args.trace(&rec, o->args.trace_arg);
	}
	/*
	 * Both families use the same folios, so an arena that is full fails
	 * both alike; one family alone out of memory is an allocation that
	 * failed (fail_nth, or the kernel's), not a divergence.
	 */
	if (ret[0] != ret[1] && (ret[0] == -ENOMEM || ret[1] == -ENOMEM))
		return -ENOMEM;
	if (ret[0] != ret[1])
		return pb_mismatch(o, PB_ORACLE_RESULTS, mmi, start, ret[0],
				   ret[1]);
	return 0;
}

/* Run @args->seeds seeds from @args->seed, @args->steps steps each. */
int pb_oracle_run(const struct pb_oracle_args *args,
		  struct pb_oracle_result *res)
{
	struct pb_oracle *o;
	u64 s;
	int ret = 0, f;

	o = pb_zalloc(sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->res = res;
	for (s = 0; s < args->seeds && !ret; s++) {
		o->args = *args;
		o->args.seed = args->seed + s;
		o->rng = o->args.seed * 0x9e3779b97f4a7c15ULL | 1;
		memset(o->fam, 0, sizeof(o->fam));
		for (f = 0; f < 2 && !ret; f++)
			ret = pb_family_init(o, &o->fam[f], !f);
		/* An imported start is compared before the first step. */
		o->step = 0;
		o->op = "import";
		if (!ret && args->src)
			ret = pb_oracle_compare(o);
		if (!ret)
			pb_oracle_vmas(o);
		/* A @src none of whose VMAs could be made: no range to draw. */
		if (!ret && !o->nr_v)
			ret = -ENOENT;
		for (o->step = 1; o->step <= args->steps && !ret; o->step++) {
			ret = pb_oracle_step(o);
			if (!ret)
				ret = pb_oracle_compare(o);
		}
		if (!ret) {
			res->unfolds[0] += pb_family_unfolds(&o->fam[0]);
			res->unfolds[1] += pb_family_unfolds(&o->fam[1]);
			res->tlbis[0] += pb_family_tlbis(&o->fam[0]);
			res->tlbis[1] += pb_family_tlbis(&o->fam[1]);
			res->seeds++;
			res->steps += args->steps;
		}
		for (f = 0; f < 2; f++)
			pb_family_destroy(&o->fam[f]);
	}
	pb_free(o, sizeof(*o));
	return ret;
}
