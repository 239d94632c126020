/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the paths tests (test_paths_*.c): an mm with the defaults
 * (batched, contpte) on each granule, room for a second mm and for fork
 * children, and the steps of a user of the paths: VMAs, populate, fork,
 * accesses that fault, mprotect.
 */
#ifndef _NT_PATHS_H
#define _NT_PATHS_H

#include "nt_mm.h"

FIXTURE(paths)
{
	struct pb_mm *mm;		/* the defaults: batched, contpte */
	struct pb_mm *other;		/* a second family, when a test needs one */
	struct pb_mm *kids[4];		/* fork children, gone in teardown */
	unsigned int nr_kids;
	const struct pb_geom *g;
	unsigned int cont, ptrs;
	u64 psize, block;
};

FIXTURE_VARIANT(paths)
{
	NT_GRANULE_FIELDS;
};

FIXTURE_VARIANT_ADD(paths, granule_4k) NT_GRANULE_4K;
FIXTURE_VARIANT_ADD(paths, granule_16k) NT_GRANULE_16K;
FIXTURE_VARIANT_ADD(paths, granule_64k) NT_GRANULE_64K;

#define RW_ANON		(PB_VM_READ | PB_VM_WRITE | PB_VM_ANON)
#define RW_SHARED	(PB_VM_READ | PB_VM_WRITE | PB_VM_SHARED)
/* MAP_SHARED|MAP_ANONYMOUS: shmem, whose folios are file folios. */
#define RW_SHMEM	(RW_SHARED | PB_VM_ANON)

FIXTURE_SETUP(paths)
{
	self->mm = nt_mm_create(variant->page_kb, 48, 48, 1 << 20, 1 << 16, true);
	ASSERT_FALSE(IS_ERR(self->mm));
	self->g = &self->mm->geom;
	self->cont = pb_cont_ptes(self->g);
	self->ptrs = pb_ptrs_per_table(self->g);
	self->psize = pb_page_size(self->g);
	self->block = pb_cont_size(self->g);
	ASSERT_EQ(1U << variant->cont_shift, self->cont);
}

FIXTURE_TEARDOWN(paths)
{
	atomic_set(&pb_fail_nth, 0);
	while (self->nr_kids)
		pb_mm_destroy(self->kids[--self->nr_kids]);
	if (!IS_ERR_OR_NULL(self->other))
		pb_mm_destroy(self->other);
	if (!IS_ERR_OR_NULL(self->mm))
		pb_mm_destroy(self->mm);
	nt_check_leaks(_metadata);
}

static inline struct pb_mm *fork_child(struct __test_metadata *_metadata,
				       struct _test_data_paths *self, struct pb_mm *parent)
{
	const char *why = NULL;
	struct pb_mm *child;

	child = pb_fork(parent, 1 + self->nr_kids, &why);
	if (IS_ERR(child)) {
		TH_LOG("fork: %s", why);
		return NULL;
	}
	self->kids[self->nr_kids++] = child;
	return child;
}

/* The last child forked, destroyed now (an exit). */
static inline void exit_child(struct _test_data_paths *self)
{
	pb_mm_destroy(self->kids[--self->nr_kids]);
}

/* A second mm of the same geometry, with backing pages or not. */
static inline struct pb_mm *other_mm(struct _test_data_paths *self, bool backing)
{
	struct pb_mm_params p = {
		.page_kb = self->psize >> 10, .va_bits = 48, .pa_bits = 48,
		.base_pfn = 1 << 20, .arena_pages = 1 << 16, .backing = backing,
		.check = true,
	};
	const char *why = NULL;

	self->other = pb_mm_create(&p, 0, &why);
	return IS_ERR(self->other) ? NULL : self->other;
}

/*
 * A user access as the touch command makes it: the CPU's, and on a fault the
 * kernel's handling and a retry.  0, or the fault's error.
 */
static inline int touch(struct pb_mm *mm, u64 va, bool write, u64 *val)
{
	const char *why = NULL;
	int ret;

	if (!pb_access(mm, va, write, val))
		return 0;
	ret = pb_handle_fault(mm, va, write, &why);
	if (ret)
		return ret;
	return pb_access(mm, va, write, val) ? -EIO : 0;
}

/* Write every page of [va, va + nr pages); the write faults that took. */
static inline u64 write_all(struct __test_metadata *_metadata, struct pb_mm *mm, u64 va,
			    unsigned int nr)
{
	u64 before = mm->counters[PB_MMC_write_faults], val = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		EXPECT_EQ(0, touch(mm, va + ((u64)i << mm->geom.page_shift), true, &val))
			TH_LOG("page %u", i);
		val++;
	}
	return mm->counters[PB_MMC_write_faults] - before;
}

/* The value at @va through the page table (backing pages), or U64_MAX. */
static inline u64 peek(struct pb_mm *mm, u64 va)
{
	u64 val = U64_MAX;

	if (touch(mm, va, false, &val))
		return U64_MAX;
	return val;
}

static inline int poke(struct pb_mm *mm, u64 va, u64 val)
{
	return touch(mm, va, true, &val);
}

static inline int protect(struct __test_metadata *_metadata, struct pb_mm *mm, u64 start,
			  u64 end, u32 prot)
{
	const char *why = NULL;
	int ret = pb_mprotect(mm, start, end, prot, &why);

	EXPECT_EQ(0, ret) TH_LOG("mprotect: %s", why);
	return ret;
}

/* mprotect(r) then mprotect(rw) over [start, end): upgrades and refusals. */
static inline void ro_rw(struct __test_metadata *_metadata, struct pb_mm *mm, u64 start, u64 end,
			 u64 *avoided, u64 *denied)
{
	u64 a = mm->counters[PB_MMC_write_faults_avoided];
	u64 d = mm->counters[PB_MMC_write_upgrades_denied];

	protect(_metadata, mm, start, end, PB_VM_READ);
	EXPECT_EQ(a, mm->counters[PB_MMC_write_faults_avoided]);
	EXPECT_EQ(d, mm->counters[PB_MMC_write_upgrades_denied]);
	protect(_metadata, mm, start, end, PB_VM_READ | PB_VM_WRITE);
	*avoided = mm->counters[PB_MMC_write_faults_avoided] - a;
	*denied = mm->counters[PB_MMC_write_upgrades_denied] - d;
}

#endif /* _NT_PATHS_H */
