// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: the pages and folios of a real process (task_dump, task_folio)
 * and its VMAs' counts (task_maps, made by maps.c).
 *
 * walk_page_range(), __pte_offset_map_lock() and vm_normal_page() are not
 * exported to modules, and apply_to_existing_page_range() is exported by 6.12
 * but not by mainline, so the walk is the inline accessors' own (pgd_offset()
 * .. pmd_offset(), pte_offset_kernel()), under the locks that upstream's
 * walkers take; each choice cites the function it follows.
 *
 * What dump shows of a private mm is the entry itself, not A/D gathered over
 * a contpte block (ptep_get()), so the entry is read with __ptep_get() on
 * arm64, which is the raw read there, and ptep_get() elsewhere.
 */
#include <linux/kernel.h>
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/hugetlb_inline.h>
#include <linux/mmap_lock.h>
#include <linux/pgtable.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/string.h>

#include "real/maps.h"
#include "real/task.h"

/* One entry of the walk, read under its lock. */
struct pb_task_entry {
	unsigned long va;
	/* The PTE; for a PMD leaf, the page's PTE as a split would make it. */
	pte_t pte;
	bool pmd;
};

typedef void (*pb_task_visit_t)(const struct pb_task_entry *e, void *arg);

/*
 * "uffd-wp" became "uffd" in mainline's names (pte_uffd(), with
 * pgtable_supports_uffd() beside it); 6.12 has pte_uffd_wp().
 */
#ifdef pgtable_supports_uffd
#define pb_task_pte_uffd_wp(pte)	pte_uffd(pte)
#else
#define pb_task_pte_uffd_wp(pte)	pte_uffd_wp(pte)
#endif

#ifdef CONFIG_ARM64
/* The entry itself: ptep_get() would gather A/D over a contpte block. */
static pte_t pb_task_raw_pte(pte_t *ptep)
{
	return __ptep_get(ptep);
}

/*
 * The PTE of @va's page of a PMD leaf, as __split_huge_pmd_locked() makes
 * it: the leaf's attributes with the page's output address, and the page
 * type (the table bit) that a block descriptor lacks.
 */
static pte_t pb_task_pmd_pte(pmd_t pmd, unsigned long pfn)
{
	pte_t pte = pfn_pte(pfn, pte_pgprot(pmd_pte(pmd)));

	/* Bit 1 of PTE_TYPE_PAGE (PTE_TABLE_BIT in 6.12), not the valid bit. */
	return __pte(pte_val(pte) | (PTE_TYPE_PAGE & ~PTE_VALID));
}

static u32 pb_task_pte_flags(pte_t pte)
{
	static const pteval_t bits[PB_NR_VF] = {
		[PB_VF_V] = PTE_VALID, [PB_VF_U] = PTE_USER,
		[PB_VF_RO] = PTE_RDONLY, [PB_VF_AF] = PTE_AF,
		[PB_VF_NG] = PTE_NG, [PB_VF_DBM] = PTE_DBM,
		[PB_VF_CONT] = PTE_CONT, [PB_VF_PXN] = PTE_PXN,
		[PB_VF_UXN] = PTE_UXN, [PB_VF_D] = PTE_DIRTY,
		[PB_VF_SP] = PTE_SPECIAL,
	};
	u32 flags = 0;
	unsigned int i;

	if (pte_protnone(pte))
		return PB_VF_PROTNONE;
	for (i = 0; i < PB_NR_VF; i++)
		if (pte_val(pte) & bits[i])
			flags |= BIT(i);
	/* PTE_UFFD_WP in 6.12, PTE_UFFD in mainline: the accessor knows. */
	if (pb_task_pte_uffd_wp(pte))
		flags |= BIT(PB_VF_WP);
	return flags;
}
#elif defined(CONFIG_X86)
static pte_t pb_task_raw_pte(pte_t *ptep)
{
	return ptep_get(ptep);
}

/* As __split_huge_pmd_locked(): a 4K PTE has PAT where the leaf has PSE. */
static pte_t pb_task_pmd_pte(pmd_t pmd, unsigned long pfn)
{
	return pfn_pte(pfn, pgprot_large_2_4k(pmd_pgprot(pmd)));
}

/*
 * x86 has no CONT, DBM, nG or PXN/UXN: the flags that exist are present (V),
 * user (U), a read-only entry (RO, !_PAGE_RW, as arm64's AP[2]: a write
 * faults), accessed (AF), dirty (D: _PAGE_DIRTY or the shadow-stack
 * SavedDirty, as pte_dirty() reads them), no-execute (NX), special (SP),
 * soft-dirty (SD) and uffd-wp (WP).
 */
static u32 pb_task_pte_flags(pte_t pte)
{
	u32 flags = 0;

	if (pte_protnone(pte))
		return PB_VF_PROTNONE;
	if (pte_flags(pte) & _PAGE_PRESENT)
		flags |= BIT(PB_VF_V);
	if (pte_flags(pte) & _PAGE_USER)
		flags |= BIT(PB_VF_U);
	if (!(pte_flags(pte) & _PAGE_RW))
		flags |= BIT(PB_VF_RO);
	if (pte_young(pte))
		flags |= BIT(PB_VF_AF);
	if (pte_dirty(pte))
		flags |= BIT(PB_VF_D);
	if (pte_special(pte))
		flags |= BIT(PB_VF_SP);
	if (pte_soft_dirty(pte))
		flags |= BIT(PB_VF_SD);
	if (pb_task_pte_uffd_wp(pte))
		flags |= BIT(PB_VF_WP);
	if (pte_flags(pte) & _PAGE_NX)
		flags |= BIT(PB_VF_NX);
	return flags;
}
#else
#error "task_dump reads arm64 and x86 page tables only"
#endif

/*
 * The range walker that task_dump, task_folio, task_maps and task_import
 * share.  Its user gets the entries of [addr, end) of one VMA in address
 * order: a PTE table's at a time under the table's lock, a PMD leaf under
 * the PMD lock, as walk_page_range()'s walk_pmd_range() and
 * walk_pte_range() take them (neither is exported).
 */
struct pb_task_walker {
	/* @n entries of one PTE table from @addr at @ptep, under its lock. */
	void (*ptes)(struct pb_task_walker *w, unsigned long addr, pte_t *ptep,
		     unsigned int n);
	/*
	 * @n pages from @addr of the PMD @pmd: a leaf, under the PMD lock, or
	 * a THP's migration entry (not present).
	 */
	void (*pmd)(struct pb_task_walker *w, unsigned long addr, pmd_t pmd,
		    unsigned int n);
	/* @n pages from @addr whose tables are empty (none at a level). */
	void (*none)(struct pb_task_walker *w, unsigned long addr, unsigned long n);
	/* @n pages not read: a PUD leaf (DAX), a bad table entry. */
	void (*unread)(struct pb_task_walker *w, unsigned long addr, unsigned long n);
};

/* The entry of @addr's page of the PMD @pmd, as a split would make it. */
static void pb_task_pmd_entry(pmd_t pmd, unsigned long addr, struct pb_task_entry *e)
{
	e->va = addr;
	e->pmd = pmd_present(pmd);
	if (!e->pmd) {
		/* A migration entry: not present, as dump says. */
		e->pte = __pte(pmd_val(pmd));
		return;
	}
	e->pte = pb_task_pmd_pte(pmd, pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT));
}

/*
 * Walk [@addr, @end), inside one VMA, into @w.  The caller holds the mmap
 * read lock and has found the VMA: that keeps every table above the PTE
 * level, which only free_pgtables() frees, and that only for ranges no VMA
 * covers any more (the reason walk_page_range() looks the VMA up first).
 * PTE tables can still go under the mmap read lock (retract_page_tables(),
 * and mainline's reclaim of empty PTE tables), RCU-deferred
 * (pte_free_defer()), hence the RCU read side and the recheck below.  What
 * is none at any level is skipped at that level's size.  Between tables it
 * may sleep, and stops on a fatal signal (-EINTR).
 */
static int pb_task_walk_range(struct mm_struct *mm, unsigned long addr,
			      unsigned long end, struct pb_task_walker *w)
{
	while (addr < end) {
		unsigned long next;
		pmd_t *pmdp, pmdval;
		spinlock_t *ptl;	/* the PMD's or the PTE table's lock */
		pgd_t *pgdp;
		p4d_t *p4dp;
		pud_t *pudp, pud;
		pte_t *ptep;

		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		pgdp = pgd_offset(mm, addr);
		next = pgd_addr_end(addr, end);
		if (pgd_none(pgdp_get(pgdp)))
			goto none;
		if (pgd_bad(pgdp_get(pgdp)))
			goto unread;
		p4dp = p4d_offset(pgdp, addr);
		next = p4d_addr_end(addr, end);
		if (p4d_none(p4dp_get(p4dp)))
			goto none;
		if (p4d_bad(p4dp_get(p4dp)))
			goto unread;
		pudp = pud_offset(p4dp, addr);
		next = pud_addr_end(addr, end);
		pud = pudp_get(pudp);
		if (pud_none(pud))
			goto none;
		/* A PUD leaf (DAX; hugetlb's VMAs are refused) or a bad entry. */
		if (pud_leaf(pud) || pud_bad(pud))
			goto unread;
		pmdp = pmd_offset(pudp, addr);
		next = pmd_addr_end(addr, end);
again:
		pmdval = pmdp_get_lockless(pmdp);
		if (pmd_none(pmdval))
			goto none;
		if (!pmd_present(pmdval)) {
			w->pmd(w, addr, pmdval, (next - addr) >> PAGE_SHIFT);
			addr = next;
			continue;
		}
		if (pmd_leaf(pmdval)) {
			/*
			 * A PMD-mapped THP, read under the PMD lock and
			 * rechecked, as __pmd_trans_huge_lock() does: a split
			 * or a zap changes the PMD only under this lock.
			 */
			ptl = pmd_lockptr(mm, pmdp);
			spin_lock(ptl);
			pmdval = pmdp_get(pmdp);
			if (!pmd_present(pmdval) || !pmd_leaf(pmdval)) {
				spin_unlock(ptl);
				goto again;
			}
			w->pmd(w, addr, pmdval, (next - addr) >> PAGE_SHIFT);
			spin_unlock(ptl);
			addr = next;
			continue;
		}
		if (pmd_bad(pmdval))
			goto unread;
		/*
		 * A PTE table, as __pte_offset_map_lock() maps it: under the
		 * RCU read lock, from the PMD value read once, then the
		 * table's lock, then a recheck that the PMD still points to
		 * this table; if not, the table was retracted or reclaimed
		 * meanwhile, and is read again.
		 */
		rcu_read_lock();
		ptep = pte_offset_kernel(&pmdval, addr);
		ptl = pte_lockptr(mm, &pmdval);
		spin_lock(ptl);
		if (unlikely(!pmd_same(pmdval, pmdp_get_lockless(pmdp)))) {
			spin_unlock(ptl);
			rcu_read_unlock();
			goto again;
		}
		w->ptes(w, addr, ptep, (next - addr) >> PAGE_SHIFT);
		spin_unlock(ptl);
		rcu_read_unlock();
		addr = next;
		continue;
unread:
		w->unread(w, addr, (next - addr) >> PAGE_SHIFT);
		addr = next;
		continue;
none:
		w->none(w, addr, (next - addr) >> PAGE_SHIFT);
		addr = next;
	}
	return 0;
}

/* A walker that hands every page's entry, one at a time, to a visitor. */
struct pb_task_each {
	struct pb_task_walker w;
	pb_task_visit_t visit;
	void *arg;
	bool unread;
};

static void pb_task_each_ptes(struct pb_task_walker *w, unsigned long addr,
			      pte_t *ptep, unsigned int n)
{
	struct pb_task_each *ea = container_of(w, struct pb_task_each, w);
	struct pb_task_entry e = { };
	unsigned int i;

	for (i = 0; i < n; i++) {
		e.va = addr + ((unsigned long)i << PAGE_SHIFT);
		e.pte = pb_task_raw_pte(ptep + i);
		ea->visit(&e, ea->arg);
	}
}

static void pb_task_each_pmd(struct pb_task_walker *w, unsigned long addr,
			     pmd_t pmd, unsigned int n)
{
	struct pb_task_each *ea = container_of(w, struct pb_task_each, w);
	struct pb_task_entry e;
	unsigned int i;

	for (i = 0; i < n; i++) {
		pb_task_pmd_entry(pmd, addr + ((unsigned long)i << PAGE_SHIFT), &e);
		ea->visit(&e, ea->arg);
	}
}

static void pb_task_each_none(struct pb_task_walker *w, unsigned long addr,
			      unsigned long n)
{
	struct pb_task_each *ea = container_of(w, struct pb_task_each, w);
	struct pb_task_entry e = { .pte = __pte(0) };
	unsigned long i;

	for (i = 0; i < n; i++) {
		e.va = addr + (i << PAGE_SHIFT);
		ea->visit(&e, ea->arg);
	}
}

static void pb_task_each_unread(struct pb_task_walker *w, unsigned long addr,
				unsigned long n)
{
	container_of(w, struct pb_task_each, w)->unread = true;
}

/*
 * Each page of [@va, @end) to @visit, under the mmap read lock that the
 * caller holds: a page no VMA covers maps nothing (and its tables may be
 * going, see pb_task_walk_range()).
 */
static int pb_task_visit(struct mm_struct *mm, unsigned long va, unsigned long end,
			 pb_task_visit_t visit, void *arg, const char **why)
{
	struct pb_task_each ea = {
		.w = {
			.ptes = pb_task_each_ptes, .pmd = pb_task_each_pmd,
			.none = pb_task_each_none, .unread = pb_task_each_unread,
		},
		.visit = visit, .arg = arg,
	};
	struct vm_area_struct *vma;
	unsigned long next;
	int ret;

	while (va < end) {
		vma = find_vma(mm, va);
		if (!vma || vma->vm_start > va) {
			next = vma ? min(vma->vm_start, end) : end;
			pb_task_each_none(&ea.w, va, (next - va) >> PAGE_SHIFT);
			va = next;
			continue;
		}
		/* hugetlb has tables of its own (shared PMDs, huge_pte_lock()). */
		if (is_vm_hugetlb_page(vma)) {
			*why = "va is in a hugetlb VMA, which this walk does not read";
			return -EINVAL;
		}
		next = min(vma->vm_end, end);
		ret = pb_task_walk_range(mm, va, next, &ea.w);
		if (ret) {
			*why = "interrupted";
			return ret;
		}
		if (ea.unread) {
			*why = "a table entry above the PTE level is not a table";
			return -EINVAL;
		}
		va = next;
	}
	return 0;
}

/*
 * The folio behind a present entry, or NULL and *@zero, under the entry's
 * lock (which keeps the folio from being split or freed: both unmap it
 * first).  The rules are vm_normal_page()'s and vm_normal_page_pmd()'s,
 * neither of which is exported: a special entry has no folio to count, and
 * the zero pages are none.
 */
static struct folio *pb_task_entry_folio(const struct pb_task_entry *e,
					 bool *zero)
{
	unsigned long pfn = pte_pfn(e->pte);
	struct folio *folio = NULL;

	*zero = false;
	if (pfn_valid(pfn))
		folio = page_folio(pfn_to_page(pfn));
	if (e->pmd) {
		/*
		 * huge_zero_pfn is not exported, so the huge zero folio is
		 * known by what it lacks: a PMD of a user mapping whose large
		 * folio is neither anon nor in a file can be only that one
		 * (mainline maps it special, 6.12 does not).
		 */
		if (folio && folio_test_large(folio) && !folio_test_anon(folio) &&
		    !folio->mapping) {
			*zero = true;
			return NULL;
		}
		return pte_special(e->pte) ? NULL : folio;
	}
	if (is_zero_pfn(pfn)) {
		*zero = true;
		return NULL;
	}
	return pte_special(e->pte) ? NULL : folio;
}

/* task_dump's pages: out[] from va. */
struct pb_task_dump_arg {
	struct pb_page_view *out;
	unsigned long va;
};

static void pb_task_dump_visit(const struct pb_task_entry *e, void *arg)
{
	struct pb_task_dump_arg *da = arg;
	struct pb_page_view *v = &da->out[(e->va - da->va) >> PAGE_SHIFT];
	struct folio *folio;
	bool zero;

	memset(v, 0, sizeof(*v));
	v->va = e->va;
	v->desc = pte_val(e->pte);
	if (!pte_val(e->pte) || !pte_present(e->pte))
		return;
	v->present = true;
	v->pmd = e->pmd;
	v->pfn = pte_pfn(e->pte);
	v->flags = pb_task_pte_flags(e->pte);
	folio = pb_task_entry_folio(e, &zero);
	if (folio) {
		v->folio = true;
		v->head_pfn = folio_pfn(folio);
		v->order = folio_order(folio);
	}
}

struct pb_task_folio_arg {
	struct pb_folio_view *v;
	enum pb_view_miss miss;
	/* The reference taken, dropped once the locks are gone. */
	struct folio *folio;
};

static void pb_task_folio_visit(const struct pb_task_entry *e, void *arg)
{
	struct pb_task_folio_arg *fa = arg;
	struct pb_folio_view *v = fa->v;
	struct folio *folio;
	struct page *page;
	bool zero;

	memset(v, 0, sizeof(*v));
	if (!pte_val(e->pte) || !pte_present(e->pte)) {
		fa->miss = PB_VIEW_NOTHING;
		return;
	}
	folio = pb_task_entry_folio(e, &zero);
	if (!folio || !folio_try_get(folio)) {
		fa->miss = zero ? PB_VIEW_ZERO : PB_VIEW_NO_FOLIO;
		return;
	}
	fa->folio = folio;
	fa->miss = PB_VIEW_OK;
	page = pfn_to_page(pte_pfn(e->pte));
	v->pfn = pte_pfn(e->pte);
	v->head_pfn = folio_pfn(folio);
	v->order = folio_order(folio);
	/* Not counting the reference just taken. */
	v->refcount = folio_ref_count(folio) - 1;
	/* This page's PTE mappings: page_mapcount() without the entire ones. */
	v->mapcount = atomic_read(&page->_mapcount) + 1;
	/* folio_mapcount(): the large mapcount, a PMD counting once. */
	v->large_mapcount = folio_mapcount(folio);
	/*
	 * A small folio has no pin count: pins add GUP_PIN_COUNTING_BIAS to
	 * its refcount, so that is the best guess, as
	 * folio_maybe_dma_pinned() makes it.
	 */
	v->pincount = folio_has_pincount(folio) ? atomic_read(&folio->_pincount) :
		      v->refcount / GUP_PIN_COUNTING_BIAS;
	v->anon = folio_test_anon(folio);
	/* A PMD mapping's exclusivity is the head page's (RMAP_LEVEL_PMD). */
	v->exclusive = v->anon && PageAnonExclusive(e->pmd ? &folio->page : page);
	/*
	 * The deferred-split list, in the third page, exists from order 2;
	 * read without the queue's lock, as a snapshot.
	 */
	v->deferred = v->anon && folio_order(folio) >= 2 &&
		      !list_empty(&folio->_deferred_list);
	v->dirty = folio_test_dirty(folio);
	if (!v->anon && folio->mapping) {
		v->file = 1;
		v->index = folio->index + folio_page_idx(folio, page);
	}
	if (folio_test_large(folio)) {
		v->entire_mapcount = folio_entire_mapcount(folio);
		v->partially_mapped = folio_test_partially_mapped(folio);
	}
	v->pmd = e->pmd;
}

/*
 * The mm to read, with a reference (mmput()): the writer's own, or @pid's.
 * Reading another process's page tables is for the administrator only, as
 * debugfs itself is.
 */
static int pb_task_get_mm(u32 pid, struct mm_struct **mmp, const char **why)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *p;

	if (!pid) {
		mm = current->mm;
		if (!mm || (current->flags & PF_KTHREAD)) {
			*why = "the caller has no mm";
			return -EINVAL;
		}
		mmget(mm);
		*mmp = mm;
		return 0;
	}
	if (!capable(CAP_SYS_ADMIN)) {
		*why = "pid= needs CAP_SYS_ADMIN";
		return -EPERM;
	}
	p = find_get_pid(pid);
	task = p ? get_pid_task(p, PIDTYPE_PID) : NULL;
	put_pid(p);
	if (!task) {
		*why = "no process has this pid";
		return -ESRCH;
	}
	if (task->flags & PF_KTHREAD) {
		put_task_struct(task);
		*why = "pid is a kernel thread, which has no mm";
		return -EINVAL;
	}
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm) {
		*why = "pid has no mm any more (it is exiting)";
		return -ESRCH;
	}
	*mmp = mm;
	return 0;
}

int pb_task_dump(u32 pid, u64 va, unsigned int nr, struct pb_page_view *out,
		 const char **why)
{
	struct pb_task_dump_arg da = { .out = out, .va = va };
	struct mm_struct *mm;
	int ret;

	if (va & ~PAGE_MASK) {
		*why = "va is not page aligned";
		return -EINVAL;
	}
	ret = pb_task_get_mm(pid, &mm, why);
	if (ret)
		return ret;
	if (va >= mm->task_size || nr > (mm->task_size - va) >> PAGE_SHIFT) {
		*why = "the range passes the end of the process's address space";
		ret = -EINVAL;
		goto out;
	}
	if (mmap_read_lock_killable(mm)) {
		*why = "interrupted";
		ret = -EINTR;
		goto out;
	}
	ret = pb_task_visit(mm, va, va + ((u64)nr << PAGE_SHIFT),
			    pb_task_dump_visit, &da, why);
	mmap_read_unlock(mm);
out:
	mmput(mm);
	return ret;
}

int pb_task_folio(u32 pid, u64 va, struct pb_folio_view *out,
		  enum pb_view_miss *miss, const char **why)
{
	struct pb_task_folio_arg fa = { .v = out };
	struct mm_struct *mm;
	int ret;

	ret = pb_task_get_mm(pid, &mm, why);
	if (ret)
		return ret;
	if (va >= mm->task_size) {
		*why = "va is beyond the process's address space";
		ret = -EINVAL;
		goto out;
	}
	if (mmap_read_lock_killable(mm)) {
		*why = "interrupted";
		ret = -EINTR;
		goto out;
	}
	ret = pb_task_visit(mm, va & PAGE_MASK, (va & PAGE_MASK) + PAGE_SIZE,
			    pb_task_folio_visit, &fa, why);
	mmap_read_unlock(mm);
	/* folio_put() may free the folio: not under the locks. */
	if (fa.folio)
		folio_put(fa.folio);
	*miss = fa.miss;
out:
	mmput(mm);
	return ret;
}

/* task_maps: the entry @e as maps.c counts it, read under its lock. */
static void pb_task_maps_entry(const struct pb_task_entry *e,
			       struct pb_maps_pte *m)
{
	struct folio *folio;
	struct page *page;
	bool zero;

	memset(m, 0, sizeof(*m));
	if (pte_none(e->pte))
		return;
	if (!pte_present(e->pte)) {
		m->swap = true;
		return;
	}
	m->present = true;
	m->pfn = pte_pfn(e->pte);
	m->young = pte_young(e->pte);
	m->dirty = pte_dirty(e->pte);
#ifdef CONFIG_ARM64
	m->cont = pte_cont(e->pte);
	/* What contpte_try_fold() compares: pte_pgprot() of the old, clean entry. */
	m->attrs = pgprot_val(pte_pgprot(pte_mknoncont(pte_mkold(pte_mkclean(e->pte)))));
#else
	m->attrs = pgprot_val(pte_pgprot(pte_mkold(pte_mkclean(e->pte))));
#endif
	folio = pb_task_entry_folio(e, &zero);
	m->zero = zero;
	if (!folio)
		return;
	page = pfn_to_page(m->pfn);
	m->folio = true;
	m->head_pfn = folio_pfn(folio);
	m->order = folio_order(folio);
	m->anon = folio_test_anon(folio);
	/* A PMD mapping's exclusivity is the head page's (RMAP_LEVEL_PMD). */
	m->exclusive = m->anon && PageAnonExclusive(e->pmd ? &folio->page : page);
	m->pinned = folio_maybe_dma_pinned(folio);
	/* The flag lives in the second page: large folios only. */
	m->partially_mapped = folio_test_large(folio) &&
			      folio_test_partially_mapped(folio);
}

/* task_maps' walker: the entries a block at a time into maps.c's walk. */
struct pb_task_maps_walker {
	struct pb_task_walker w;
	struct pb_maps_walk *mw;
	struct pb_maps_result *r;
};

static void pb_task_maps_ptes(struct pb_task_walker *w, unsigned long addr,
			      pte_t *ptep, unsigned int n)
{
	struct pb_task_maps_walker *tw = container_of(w, struct pb_task_maps_walker, w);
	unsigned int cont = tw->r->cont_ptes ? tw->r->cont_ptes : PB_MAPS_BLOCK_MAX;
	unsigned long chunk = (unsigned long)cont << PAGE_SHIFT;
	unsigned long end = addr + ((unsigned long)n << PAGE_SHIFT), bend;
	struct pb_task_entry e = { };
	unsigned int nr, i;

	/* A block at a time: aligned, or cut by the table's or VMA's end. */
	for (; addr < end; addr = bend) {
		bend = (addr + chunk) & ~(chunk - 1);
		if (bend > end || bend < addr)
			bend = end;
		nr = (bend - addr) >> PAGE_SHIFT;
		for (i = 0; i < nr; i++, ptep++) {
			e.va = addr + ((unsigned long)i << PAGE_SHIFT);
			e.pte = pb_task_raw_pte(ptep);
			pb_task_maps_entry(&e, &tw->r->blk[i]);
		}
		pb_maps_ptes(tw->mw, addr, tw->r->blk, nr);
	}
}

static void pb_task_maps_pmd(struct pb_task_walker *w, unsigned long addr,
			     pmd_t pmd, unsigned int n)
{
	struct pb_task_maps_walker *tw = container_of(w, struct pb_task_maps_walker, w);
	struct pb_task_entry e;
	struct pb_maps_pte m;

	pb_task_pmd_entry(pmd, addr, &e);
	pb_task_maps_entry(&e, &m);
	pb_maps_pmd(tw->mw, addr, &m, n);
}

static void pb_task_maps_none(struct pb_task_walker *w, unsigned long addr,
			      unsigned long n)
{
}

static void pb_task_maps_unread(struct pb_task_walker *w, unsigned long addr,
				unsigned long n)
{
	pb_maps_unread(container_of(w, struct pb_task_maps_walker, w)->mw, n);
}

static enum pb_maps_kind pb_task_vma_kind(struct vm_area_struct *vma)
{
	if (is_vm_hugetlb_page(vma))
		return PB_MAPS_KIND_HUGETLB;
	if (vma->vm_flags & (VM_PFNMAP | VM_IO))
		return PB_MAPS_KIND_PFNMAP;
	if (vma_is_anonymous(vma))
		return PB_MAPS_KIND_ANON;
	return vma->vm_file ? PB_MAPS_KIND_FILE : PB_MAPS_KIND_SPECIAL;
}

/* The VMA's line of task_maps, as show_map_vma() spells its permissions. */
static void pb_task_vma_prot(struct vm_area_struct *vma, char prot[5])
{
	prot[0] = vma->vm_flags & VM_READ ? 'r' : '-';
	prot[1] = vma->vm_flags & VM_WRITE ? 'w' : '-';
	prot[2] = vma->vm_flags & VM_EXEC ? 'x' : '-';
	prot[3] = vma->vm_flags & VM_MAYSHARE ? 's' : 'p';
	prot[4] = '\0';
}

/*
 * The mm of @pid, read-locked as pagewalk users take it, and the end of
 * [@start, @start + @len) (without @len, the end of the address space):
 * what task_maps and task_import read.  The caller ends with
 * pb_task_unlock_range().
 */
static int pb_task_lock_range(u32 pid, u64 start, u64 len, struct mm_struct **mmp,
			      u64 *end, const char **why)
{
	struct mm_struct *mm;
	int ret;

	if ((start | len) & ~PAGE_MASK) {
		*why = "start and len must be page aligned";
		return -EINVAL;
	}
	ret = pb_task_get_mm(pid, &mm, why);
	if (ret)
		return ret;
	*end = len ? start + len : mm->task_size;
	if (start >= mm->task_size || *end > mm->task_size || *end <= start) {
		*why = "the range passes the end of the process's address space";
		ret = -EINVAL;
	} else if (mmap_read_lock_killable(mm)) {
		*why = "interrupted";
		ret = -EINTR;
	}
	if (ret) {
		mmput(mm);
		return ret;
	}
	*mmp = mm;
	return 0;
}

/* The lock and reference of pb_task_lock_range() dropped; @ret, or none read. */
static int pb_task_unlock_range(struct mm_struct *mm, int ret, u64 nr_vmas,
				const char **why)
{
	mmap_read_unlock(mm);
	mmput(mm);
	if (!ret && !nr_vmas) {
		*why = "no VMA of the process is in the range";
		ret = -EINVAL;
	}
	return ret;
}

int pb_task_maps(u32 pid, u64 start, u64 len, struct pb_maps_result *r,
		 const char **why)
{
	struct pb_maps_walk w;
	struct pb_task_maps_walker tw = {
		.w = {
			.ptes = pb_task_maps_ptes, .pmd = pb_task_maps_pmd,
			.none = pb_task_maps_none, .unread = pb_task_maps_unread,
		},
		.mw = &w, .r = r,
	};
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	u64 end;
	int ret;

	memset(r, 0, offsetof(struct pb_maps_result, cur));
	r->pid = pid;
	r->page_shift = PAGE_SHIFT;
#ifdef CONFIG_ARM64
	r->cont_ptes = CONT_PTES;
#endif
	r->pmd_order = PMD_SHIFT - PAGE_SHIFT;
	ret = pb_task_lock_range(pid, start, len, &mm, &end, why);
	if (ret)
		return ret;
	/* find_vma() is exported where the VMA iterator's helpers are not. */
	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
		u64 s = max_t(u64, start, vma->vm_start);
		u64 e = min_t(u64, end, vma->vm_end);
		enum pb_maps_kind kind = pb_task_vma_kind(vma);
		struct pb_maps_vma *v;

		pb_maps_begin(&w, &r->cur, PAGE_SHIFT, r->cont_ptes,
			      (e - s) >> PAGE_SHIFT);
		if (kind == PB_MAPS_KIND_HUGETLB || kind == PB_MAPS_KIND_PFNMAP)
			pb_maps_unread(&w, (e - s) >> PAGE_SHIFT);
		else
			ret = pb_task_walk_range(mm, s, e, &tw.w);
		if (ret) {
			*why = "interrupted";
			break;
		}
		pb_maps_end(&w);
		pb_maps_add(&r->total, &r->cur);
		if (r->listed < PB_MAPS_VMAS_MAX) {
			v = &r->vma[r->listed++];
			v->start = s;
			v->end = e;
			v->kind = kind;
			pb_task_vma_prot(vma, v->prot);
			v->st = r->cur;
		}
		r->nr_vmas++;
		if (vma->vm_end >= end)
			break;
	}
	return pb_task_unlock_range(mm, ret, r->nr_vmas, why);
}

/* task_import's walker: each present page into the source's list. */
struct pb_task_import_walker {
	struct pb_task_walker w;
	struct pb_import_src *src;
};

static void pb_task_import_entry(struct pb_task_import_walker *tw,
				 const struct pb_task_entry *e)
{
	struct pb_import_src *src = tw->src;
	struct pb_import_page *p;
	struct pb_maps_pte m;

	pb_task_maps_entry(e, &m);
	if (m.swap)
		src->skip[PB_IMPORT_SKIP_swap]++;
	if (!m.present)
		return;
	src->present++;
	if (!m.folio) {
		src->skip[PB_IMPORT_SKIP_nofolio]++;
		return;
	}
	p = pb_import_src_next(src);
	if (!p)
		return;
	p->va = e->va;
	p->pfn = m.pfn;
	p->head_pfn = m.head_pfn;
	p->order = m.order;
	p->flags = (m.anon ? PB_IMPORT_PG_ANON : 0) |
		   (m.exclusive ? PB_IMPORT_PG_EXCL : 0) |
		   (m.young ? PB_IMPORT_PG_YOUNG : 0) |
		   (m.dirty ? PB_IMPORT_PG_DIRTY : 0) |
		   (pte_write(e->pte) ? PB_IMPORT_PG_WRITE : 0) |
		   (m.cont ? PB_IMPORT_PG_CONT : 0) |
		   (e->pmd ? PB_IMPORT_PG_PMD : 0);
}

static void pb_task_import_ptes(struct pb_task_walker *w, unsigned long addr,
				pte_t *ptep, unsigned int n)
{
	struct pb_task_import_walker *tw = container_of(w, struct pb_task_import_walker, w);
	struct pb_task_entry e = { };
	unsigned int i;

	for (i = 0; i < n; i++) {
		e.va = addr + ((unsigned long)i << PAGE_SHIFT);
		e.pte = pb_task_raw_pte(ptep + i);
		pb_task_import_entry(tw, &e);
	}
}

static void pb_task_import_pmd(struct pb_task_walker *w, unsigned long addr,
			       pmd_t pmd, unsigned int n)
{
	struct pb_task_import_walker *tw = container_of(w, struct pb_task_import_walker, w);
	struct pb_task_entry e;
	unsigned int i;

	for (i = 0; i < n; i++) {
		pb_task_pmd_entry(pmd, addr + ((unsigned long)i << PAGE_SHIFT), &e);
		pb_task_import_entry(tw, &e);
	}
}

static void pb_task_import_unread(struct pb_task_walker *w, unsigned long addr,
				  unsigned long n)
{
	container_of(w, struct pb_task_import_walker, w)->src->skip[PB_IMPORT_SKIP_unread] += n;
}

int pb_task_import_read(u32 pid, u64 start, u64 len, struct pb_import_src *src,
			const char **why)
{
	struct pb_task_import_walker tw = {
		.w = {
			.ptes = pb_task_import_ptes, .pmd = pb_task_import_pmd,
			.none = pb_task_maps_none, .unread = pb_task_import_unread,
		},
		.src = src,
	};
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	u64 end;
	int ret;

	memset(src, 0, offsetof(struct pb_import_src, page));
	src->pid = pid;
	src->page_shift = PAGE_SHIFT;
#ifdef CONFIG_ARM64
	src->cont_ptes = CONT_PTES;
#endif
	ret = pb_task_lock_range(pid, start, len, &mm, &end, why);
	if (ret)
		return ret;
	/*
	 * The model's VA size: the process's, at most 52 bits (x86 with LA57
	 * has 56; its VMAs above 52 bits are left out as vma_limit).
	 */
	src->va_bits = min_t(unsigned int, fls64(mm->task_size - 1), 52);
	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
		u64 s = max_t(u64, start, vma->vm_start);
		u64 e = min_t(u64, end, vma->vm_end);
		enum pb_maps_kind kind = pb_task_vma_kind(vma);
		u64 pages = (e - s) >> PAGE_SHIFT;
		struct pb_import_vma *v;

		src->nr_vmas++;
		if (kind == PB_MAPS_KIND_PFNMAP || kind == PB_MAPS_KIND_HUGETLB ||
		    kind == PB_MAPS_KIND_SPECIAL) {
			src->skip[kind == PB_MAPS_KIND_PFNMAP ? PB_IMPORT_SKIP_pfnmap :
				  kind == PB_MAPS_KIND_HUGETLB ? PB_IMPORT_SKIP_hugetlb :
				  PB_IMPORT_SKIP_special] += pages;
		} else if (src->listed == PB_MAX_VMAS) {
			src->skip[PB_IMPORT_SKIP_vma_limit] += pages;
		} else {
			v = &src->vma[src->listed++];
			v->start = s;
			v->end = e;
			v->kind = kind;
			v->read = vma->vm_flags & VM_READ;
			v->write = vma->vm_flags & VM_WRITE;
			v->shared = vma->vm_flags & VM_MAYSHARE;
			ret = pb_task_walk_range(mm, s, e, &tw.w);
			if (ret) {
				*why = "interrupted";
				break;
			}
		}
		if (vma->vm_end >= end)
			break;
	}
	return pb_task_unlock_range(mm, ret, src->nr_vmas, why);
}
