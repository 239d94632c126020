/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the page cache of a family of mms.
 *
 * Every VMA that is not private anon maps a file: a regular file for a
 * file mapping, the shmem object shmem_zero_setup() makes for MAP_SHARED |
 * MAP_ANONYMOUS.  Each mmap() maps a file of its own, at file offset equal to
 * its address (index = va >> page_shift), so that a folio is as aligned in
 * the file as in the address space.  The file's folios live in the page cache
 * of the arena, found by (file, index) as filemap_get_folio() finds them, and
 * outlive their mappings until the last VMA of the file goes from the family.
 */
#ifndef _PB_MODEL_FILEMAP_H
#define _PB_MODEL_FILEMAP_H

#include <linux/types.h>

#include "model/phys.h"

/* Set up @p's page cache, empty; 0 or -ENOMEM. */
int pb_filemap_init(struct pb_phys *p);
/* A new file of @p's family: a non-zero id. */
u32 pb_file_new(struct pb_phys *p);
/* The head page (and its PFN) of the cached folio holding @index, or NULL. */
struct pb_page *pb_filemap_lookup(struct pb_phys *p, u32 file, u64 index,
				  u64 *head_pfn);
/*
 * Add the new folio at @head_pfn to the page cache at @index (aligned to its
 * order, none of its pages cached): the cache takes a reference.
 */
void pb_filemap_add(struct pb_phys *p, u64 head_pfn, u32 file, u64 index);
/*
 * truncate_inode_pages_final() of @file: drop every folio from the cache,
 * with the cache's reference.  The folios must be unmapped; a pin keeps its
 * folio alive after.
 */
void pb_filemap_evict_file(struct pb_phys *p, u32 file);
/* Free the page cache's own memory; the arena's folios go with it. */
void pb_filemap_destroy(struct pb_phys *p);

#endif /* _PB_MODEL_FILEMAP_H */
