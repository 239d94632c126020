/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: the names that user space sees, as X-macro lists, in the way of
 * arch/x86/include/asm/kvm-x86-ops.h.  There is no include guard on purpose:
 * a file defines the macro of each list it wants, includes this file, and
 * gets one expansion per entry; each macro is undefined after its list.
 *
 *   PB_COUNTER(name)			global counters, in the stats file's order;
 *					the live-object counters (live_*) first
 *   PB_VIOLATION(name)			the checker's violation kinds
 *   PB_MM_COUNTER(name)		per-mm counters, in mm_stats' order; the
 *					violations_<kind> ones in PB_VIOLATION's
 *   PB_MM_STATE(name)			the state of an mm (its arena, its memory
 *					use) that mm_stats prints after them
 *   PB_KNOB(name, default, max, help)	knobs of an mm, in the knobs command's
 *					order; the mutation ones inject a bug
 *   PB_COMMAND(name)			ctl commands, in help's order
 *   PB_KEY(cmd, key, need, def, min, max)
 *   PB_KEY_TEXT(cmd, key, need, def, values)
 *					the keys of each command, in help's order
 *					(a list defines both macros): need is
 *					PB_KEY_REQ (required), PB_KEY_DEF
 *					(optional, def if left out) or PB_KEY_OPT
 *					(optional; leaving it out means what the
 *					command's help says).  A PB_KEY takes a
 *					number within min..max, a PB_KEY_TEXT one
 *					of values ("a|b"), or any text if "".  set
 *					and kernel_oracle take knobs as keys too.
 *   PB_MAPS_INFO(name)			task_maps' first line, in its order
 *   PB_MAPS_KEY(name)			task_maps' counts of a VMA and of the
 *					total, in the order of their lines
 *   PB_IMPORT_INFO(name)		task_import's first line, in its order
 *   PB_IMPORT_SKIP(name)		task_import's "skipped" line: pages not
 *					imported, by reason, in its order
 *   PB_MAPS_HIST(name)			task_maps' folio-size histograms, after
 *					the counts
 */

#ifdef PB_COUNTER
PB_COUNTER(live_sessions)
PB_COUNTER(live_mms)
PB_COUNTER(live_pt_pages)
PB_COUNTER(live_folios)
PB_COUNTER(live_data_pages)
PB_COUNTER(live_bytes)
PB_COUNTER(live_kernel_folios)
PB_COUNTER(sessions_opened)
PB_COUNTER(commands)
PB_COUNTER(command_errors)
PB_COUNTER(allocs)
PB_COUNTER(alloc_failures_injected)
PB_COUNTER(budget_refusals)
#undef PB_COUNTER
#endif

#ifdef PB_VIOLATION
PB_VIOLATION(misprogrammed)
PB_VIOLATION(bbm)
PB_VIOLATION(refcount)
PB_VIOLATION(mapcount)
PB_VIOLATION(freed)
PB_VIOLATION(dirty_lost)
PB_VIOLATION(stale_tlb)
PB_VIOLATION(exclusive)
PB_VIOLATION(kernel)
#undef PB_VIOLATION
#endif

#ifdef PB_MM_COUNTER
PB_MM_COUNTER(pte_writes)
PB_MM_COUNTER(folds)
PB_MM_COUNTER(fold_attempts)
PB_MM_COUNTER(ad_gather_reads)
PB_MM_COUNTER(unfolds)
PB_MM_COUNTER(converts)
PB_MM_COUNTER(wrprotect_whole_blocks)
PB_MM_COUNTER(wrprotect_partial_blocks)
PB_MM_COUNTER(tlbi_page)
PB_MM_COUNTER(tlbi_range)
PB_MM_COUNTER(tlbi_mm)
PB_MM_COUNTER(tlbi_skipped_bbml2)
PB_MM_COUNTER(gather_flushes)
PB_MM_COUNTER(gather_forced_flushes)
PB_MM_COUNTER(tlb_hits)
PB_MM_COUNTER(tlb_misses)
PB_MM_COUNTER(tlb_fills)
PB_MM_COUNTER(accesses)
PB_MM_COUNTER(faults)
PB_MM_COUNTER(hw_af_updates)
PB_MM_COUNTER(hw_dirty_updates)
PB_MM_COUNTER(stale_tlb_writes)
PB_MM_COUNTER(refcount_atomics)
PB_MM_COUNTER(mapcount_atomics)
PB_MM_COUNTER(pt_pages)
PB_MM_COUNTER(folios_mapped)
PB_MM_COUNTER(deferred_split_adds)
PB_MM_COUNTER(deferred_split_spurious)
PB_MM_COUNTER(ptes_copied)
PB_MM_COUNTER(fork_batches)
PB_MM_COUNTER(batch_size_1)
PB_MM_COUNTER(batch_size_small)
PB_MM_COUNTER(batch_size_cont)
PB_MM_COUNTER(batch_size_large)
PB_MM_COUNTER(batch_size_pmd)
PB_MM_COUNTER(pinned_fallbacks)
PB_MM_COUNTER(zap_batches)
PB_MM_COUNTER(mprotect_batches)
PB_MM_COUNTER(mremap_ptes)
PB_MM_COUNTER(mremap_batches)
PB_MM_COUNTER(mremap_tables)
PB_MM_COUNTER(read_faults)
PB_MM_COUNTER(write_faults)
PB_MM_COUNTER(write_faults_avoided)
PB_MM_COUNTER(write_upgrades_denied)
PB_MM_COUNTER(wp_reuses)
PB_MM_COUNTER(cow_copies)
PB_MM_COUNTER(uffd_wp_faults)
PB_MM_COUNTER(zero_page_faults)
PB_MM_COUNTER(page_cache_maps)
PB_MM_COUNTER(lazyfree_folios)
PB_MM_COUNTER(folio_splits)
PB_MM_COUNTER(pmd_writes)
PB_MM_COUNTER(pmd_maps)
PB_MM_COUNTER(pmd_copies)
PB_MM_COUNTER(pmd_splits)
PB_MM_COUNTER(pmd_zaps)
PB_MM_COUNTER(pmd_changes)
PB_MM_COUNTER(segv)
PB_MM_COUNTER(kernel_compares)
PB_MM_COUNTER(kernel_mismatches)
PB_MM_COUNTER(checks)
PB_MM_COUNTER(violations)
PB_MM_COUNTER(violations_misprogrammed)
PB_MM_COUNTER(violations_bbm)
PB_MM_COUNTER(violations_refcount)
PB_MM_COUNTER(violations_mapcount)
PB_MM_COUNTER(violations_freed)
PB_MM_COUNTER(violations_dirty_lost)
PB_MM_COUNTER(violations_stale_tlb)
PB_MM_COUNTER(violations_exclusive)
PB_MM_COUNTER(violations_kernel)
#undef PB_MM_COUNTER
#endif

#ifdef PB_MM_STATE
PB_MM_STATE(arena_folios)
PB_MM_STATE(arena_data_pages)
PB_MM_STATE(deferred_split_queue)
PB_MM_STATE(page_cache_folios)
PB_MM_STATE(pt_bytes)
PB_MM_STATE(arena_meta_bytes)
#undef PB_MM_STATE
#endif

#ifdef PB_KNOB
PB_KNOB(contpte, 1, 1,
	"use the contpte layer (0: plain per-PTE helpers)")
PB_KNOB(autofold, 1, 1,
	"fold a block on set_ptes(nr==1) of its last entry")
PB_KNOB(bbml2, 0, 1,
	"BBML2_NOABORT: skip the TLBI between clear and set in convert")
PB_KNOB(check, 1, 1,
	"run the checker after every command")
PB_KNOB(ad_policy, 0, PB_AD_RANDOM,
	"entry a hardware A/D update lands on: 0 accessed, 1 first, 2 last, 3 random")
PB_KNOB(seed, 1, 0xfffffffffffffffeULL,
	"seed of the random A/D policy")
PB_KNOB(gather_capacity, 64, PB_GATHER_MAX,
	"mmu_gather slots (1 a page, 2 a run of a folio); full below 2 free")
PB_KNOB(naive_pfn_step, 0, 1,
	"mutation: step PFNs by adding a granule to the descriptor")
PB_KNOB(skip_wrprotect_flush, 0, 1,
	"mutation: no TLB flush after a whole-block wrprotect")
PB_KNOB(partial_wrprotect_no_unfold, 0, 1,
	"mutation: wrprotect part of a block without unfolding")
PB_KNOB(skip_ad_gather, 0, 1,
	"mutation: ptep_get and convert do not gather A/D")
PB_KNOB(fork_batch, 1, 1,
	"batched fork (0: one PTE at a time)")
PB_KNOB(zap_batch, 1, 1,
	"batched zap (0: one PTE at a time)")
PB_KNOB(mprotect_batch, 1, 1,
	"batched mprotect (0: one PTE at a time, the 6.12 profile's default)")
PB_KNOB(mremap_batch, 1, 1,
	"batched mremap (0: one PTE at a time, the 6.12 profile's default)")
PB_KNOB(fault_order, 0, PB_MAX_ORDER,
	"order of the folio a fault on an empty entry tries first")
PB_KNOB(mprotect_upgrade, 1, 1,
	"mprotect makes PTEs writable where can_change_pte_writable() allows")
PB_KNOB(thp_orders, PB_THP_ORDERS_ALL, PB_THP_ORDERS_ALL,
	"mTHP orders an anon fault may use: bit N is order N (2..PMD order)")
PB_KNOB(uffd_fork_event, 0, 1,
	"UFFD_FEATURE_EVENT_FORK: a fork child keeps uffd-wp registration")
PB_KNOB(thp_pmd, 0, 1,
	"PMD THP (enabled=always): a PMD-order anon fault or populate maps a PMD")
PB_KNOB(use_zero_page, 1, 1,
	"THP use_zero_page: a read fault maps the huge zero page (0: a new THP)")
PB_KNOB(skip_pmd_split_flush, 0, 1,
	"mutation: no TLB flush after pmdp_invalidate() in a PMD split")
PB_KNOB(kernel_shadow, 0, 1,
	"mirror every contpte helper call on the running kernel's own helpers")
#undef PB_KNOB
#endif

#ifdef PB_COMMAND
PB_COMMAND(help)
PB_COMMAND(version)
PB_COMMAND(session)
PB_COMMAND(stats)
PB_COMMAND(mm_create)
PB_COMMAND(mm_destroy)
PB_COMMAND(mmap)
PB_COMMAND(populate)
PB_COMMAND(munmap)
PB_COMMAND(set)
PB_COMMAND(knobs)
PB_COMMAND(mm_stats)
PB_COMMAND(check)
PB_COMMAND(ptep_get)
PB_COMMAND(wrprotect)
PB_COMMAND(get_and_clear)
PB_COMMAND(clear_full)
PB_COMMAND(young)
PB_COMMAND(set_access_flags)
PB_COMMAND(clear_young_dirty)
PB_COMMAND(fold)
PB_COMMAND(unfold)
PB_COMMAND(access)
PB_COMMAND(dump)
PB_COMMAND(folio)
PB_COMMAND(task_dump)
PB_COMMAND(task_folio)
PB_COMMAND(task_maps)
PB_COMMAND(task_import)
PB_COMMAND(flush)
PB_COMMAND(checksum)
PB_COMMAND(fork)
PB_COMMAND(touch)
PB_COMMAND(mprotect)
PB_COMMAND(madvise)
PB_COMMAND(mremap)
PB_COMMAND(clear_refs)
PB_COMMAND(uffd_wp)
PB_COMMAND(pin)
PB_COMMAND(unpin)
PB_COMMAND(bench)
PB_COMMAND(oracle)
PB_COMMAND(kernel_oracle)
#undef PB_COMMAND
#endif

#ifdef PB_KEY
PB_KEY(session, budget_bytes, PB_KEY_OPT, 0, 1, PB_KEY_ANY)
PB_KEY(mm_create, page_kb, PB_KEY_DEF, 4, 4, 64)
PB_KEY(mm_create, va_bits, PB_KEY_DEF, 48, 36, 52)
PB_KEY(mm_create, pa_bits, PB_KEY_DEF, 48, 48, 52)
PB_KEY(mm_create, base_pfn, PB_KEY_DEF, 0, 0, PB_KEY_ANY)
PB_KEY(mm_create, arena_pages, PB_KEY_DEF, 1 << 20, 1, 0xfffffffeULL)
PB_KEY(mm_create, backing, PB_KEY_DEF, 0, 0, 1)
PB_KEY(mm_create, check, PB_KEY_DEF, 1, 0, 1)
PB_KEY_TEXT(mm_create, kernel, PB_KEY_OPT, "", "6.12|mainline")
PB_KEY(mm_create, no_page_mapcount, PB_KEY_OPT, 0, 0, 1)
PB_KEY(mm_destroy, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(mmap, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(mmap, start, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(mmap, len, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY_TEXT(mmap, flags, PB_KEY_DEF, "r,w,anon", "")
PB_KEY(populate, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(populate, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(populate, len, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(populate, order, PB_KEY_DEF, 0, 0, PB_MAX_ORDER)
PB_KEY(populate, per_pte, PB_KEY_DEF, 0, 0, 1)
PB_KEY(munmap, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(munmap, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(munmap, len, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(set, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(knobs, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(mm_stats, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(check, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(ptep_get, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(ptep_get, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(wrprotect, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(wrprotect, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(wrprotect, nr, PB_KEY_REQ, 0, 1, PB_TABLE_PTRS_MAX)
PB_KEY(get_and_clear, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(get_and_clear, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(get_and_clear, nr, PB_KEY_REQ, 0, 1, PB_TABLE_PTRS_MAX)
PB_KEY(get_and_clear, full, PB_KEY_DEF, 1, 0, 1)
PB_KEY(clear_full, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(clear_full, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(clear_full, nr, PB_KEY_REQ, 0, 1, PB_TABLE_PTRS_MAX)
PB_KEY(clear_full, full, PB_KEY_DEF, 1, 0, 1)
PB_KEY(young, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(young, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(young, flush, PB_KEY_DEF, 0, 0, 1)
PB_KEY(set_access_flags, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(set_access_flags, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(set_access_flags, write, PB_KEY_DEF, 0, 0, 1)
PB_KEY(clear_young_dirty, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(clear_young_dirty, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(clear_young_dirty, nr, PB_KEY_REQ, 0, 1, PB_TABLE_PTRS_MAX)
PB_KEY(clear_young_dirty, young, PB_KEY_DEF, 1, 0, 1)
PB_KEY(clear_young_dirty, dirty, PB_KEY_DEF, 1, 0, 1)
PB_KEY(fold, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(fold, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(unfold, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(unfold, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(access, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(access, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(access, write, PB_KEY_DEF, 0, 0, 1)
PB_KEY(access, val, PB_KEY_DEF, 0, 0, PB_KEY_ANY)
PB_KEY(dump, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(dump, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(dump, nr, PB_KEY_DEF, 1, 1, PB_DUMP_MAX)
PB_KEY(folio, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(folio, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(task_dump, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(task_dump, nr, PB_KEY_DEF, 1, 1, PB_DUMP_MAX)
PB_KEY(task_dump, pid, PB_KEY_OPT, 0, 1, PB_PID_MAX)
PB_KEY(task_folio, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(task_folio, pid, PB_KEY_OPT, 0, 1, PB_PID_MAX)
PB_KEY(task_maps, start, PB_KEY_DEF, 0, 0, PB_KEY_ANY)
PB_KEY(task_maps, len, PB_KEY_OPT, 0, 0, PB_KEY_ANY)
PB_KEY(task_maps, pid, PB_KEY_OPT, 0, 1, PB_PID_MAX)
PB_KEY(task_import, start, PB_KEY_DEF, 0, 0, PB_KEY_ANY)
PB_KEY(task_import, len, PB_KEY_OPT, 0, 0, PB_KEY_ANY)
PB_KEY(task_import, pid, PB_KEY_OPT, 0, 1, PB_PID_MAX)
PB_KEY_TEXT(task_import, kernel, PB_KEY_OPT, "", "6.12|mainline")
PB_KEY(flush, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(flush, va, PB_KEY_OPT, 0, 0, PB_KEY_ANY)
PB_KEY(flush, nr, PB_KEY_DEF, 1, 0, PB_KEY_ANY)
PB_KEY(checksum, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(checksum, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(checksum, len, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(fork, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(touch, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(touch, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(touch, write, PB_KEY_DEF, 0, 0, 1)
PB_KEY(touch, val, PB_KEY_DEF, 0, 0, PB_KEY_ANY)
PB_KEY(mprotect, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(mprotect, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(mprotect, len, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY_TEXT(mprotect, prot, PB_KEY_REQ, "", "none|r|rw")
PB_KEY(madvise, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(madvise, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(madvise, len, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY_TEXT(madvise, advice, PB_KEY_REQ, "", "dontneed|free")
PB_KEY(mremap, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(mremap, old, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(mremap, len, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(mremap, new, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(clear_refs, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(uffd_wp, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(uffd_wp, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(uffd_wp, len, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(uffd_wp, wp, PB_KEY_DEF, 1, 0, 1)
PB_KEY(pin, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(pin, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(pin, len, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(unpin, mm, PB_KEY_REQ, 0, 0, PB_SESSION_MMS - 1)
PB_KEY(unpin, va, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(unpin, len, PB_KEY_REQ, 0, 0, PB_KEY_ANY)
PB_KEY(bench, mm, PB_KEY_OPT, 0, 0, PB_SESSION_MMS - 1)
PB_KEY_TEXT(bench, op, PB_KEY_REQ, "", "fork|zap|zap_partial|mprotect|floor|memcpy|memset|rmw")
PB_KEY(bench, bytes, PB_KEY_OPT, 0, 1, PB_BENCH_MEMCPY_MAX)
PB_KEY(bench, stride, PB_KEY_OPT, 0, 0, PB_BENCH_STRIDE_MAX)
PB_KEY(oracle, seed, PB_KEY_DEF, 1, 0, PB_KEY_ANY)
PB_KEY(oracle, seeds, PB_KEY_DEF, 1, 1, PB_ORACLE_MAX)
PB_KEY(oracle, steps, PB_KEY_DEF, 50, 1, PB_ORACLE_MAX)
PB_KEY(oracle, page_kb, PB_KEY_DEF, 4, 4, 64)
PB_KEY(oracle, backing, PB_KEY_DEF, 0, 0, 1)
PB_KEY(oracle, trace, PB_KEY_DEF, 0, 0, 1)
PB_KEY(oracle, mm, PB_KEY_OPT, 0, 0, PB_SESSION_MMS - 1)
PB_KEY_TEXT(oracle, kernel, PB_KEY_OPT, "", "6.12|mainline")
PB_KEY(kernel_oracle, seed, PB_KEY_DEF, 1, 0, PB_KEY_ANY)
PB_KEY(kernel_oracle, seeds, PB_KEY_DEF, 1, 1, PB_ORACLE_MAX)
PB_KEY(kernel_oracle, steps, PB_KEY_DEF, 100, 1, PB_ORACLE_MAX)
PB_KEY(kernel_oracle, pa_bits, PB_KEY_DEF, 48, 48, 52)
PB_KEY(kernel_oracle, base_pfn, PB_KEY_DEF, 0, 0, PB_KEY_ANY)
#undef PB_KEY
#undef PB_KEY_TEXT
#endif

#ifdef PB_MAPS_INFO
PB_MAPS_INFO(pid)
PB_MAPS_INFO(page_kb)
PB_MAPS_INFO(cont_ptes)
PB_MAPS_INFO(pmd_order)
PB_MAPS_INFO(vmas)
PB_MAPS_INFO(listed)
#undef PB_MAPS_INFO
#endif

#ifdef PB_MAPS_KEY
PB_MAPS_KEY(pages)
PB_MAPS_KEY(unread)
PB_MAPS_KEY(present)
PB_MAPS_KEY(swap)
PB_MAPS_KEY(anon)
PB_MAPS_KEY(file)
PB_MAPS_KEY(zero)
PB_MAPS_KEY(nofolio)
PB_MAPS_KEY(pmd_thps)
PB_MAPS_KEY(pmd_pages)
PB_MAPS_KEY(exclusive)
PB_MAPS_KEY(shared)
PB_MAPS_KEY(young)
PB_MAPS_KEY(dirty)
PB_MAPS_KEY(folios)
PB_MAPS_KEY(large_folios)
PB_MAPS_KEY(pinned)
PB_MAPS_KEY(partially_mapped)
PB_MAPS_KEY(cont_blocks)
PB_MAPS_KEY(cont_folded)
PB_MAPS_KEY(cont_foldable)
PB_MAPS_KEY(cont_attrs)
PB_MAPS_KEY(cont_misaligned)
PB_MAPS_KEY(cont_mixed)
PB_MAPS_KEY(cont_hole)
PB_MAPS_KEY(cont_small)
PB_MAPS_KEY(cont_edge)
PB_MAPS_KEY(cont_torn)
#undef PB_MAPS_KEY
#endif

#ifdef PB_MAPS_HIST
PB_MAPS_HIST(anon_full)
PB_MAPS_HIST(anon_partial)
PB_MAPS_HIST(file_full)
PB_MAPS_HIST(file_partial)
#undef PB_MAPS_HIST
#endif

#ifdef PB_IMPORT_INFO
PB_IMPORT_INFO(mm)		/* the new mm's id */
PB_IMPORT_INFO(pid)
PB_IMPORT_INFO(vmas)		/* the process's VMAs in the range */
PB_IMPORT_INFO(vmas_imported)
PB_IMPORT_INFO(present)		/* present pages in the range */
PB_IMPORT_INFO(imported)	/* pages mapped in the new mm as in the process */
PB_IMPORT_INFO(folios)		/* folios made for them */
#undef PB_IMPORT_INFO
#endif

#ifdef PB_IMPORT_SKIP
PB_IMPORT_SKIP(pfnmap)		/* pages of VM_PFNMAP or VM_IO VMAs */
PB_IMPORT_SKIP(hugetlb)		/* pages of hugetlb VMAs */
PB_IMPORT_SKIP(special)		/* pages of VMAs with neither file nor anon */
PB_IMPORT_SKIP(vma_limit)	/* VMAs past PB_MAX_VMAS or PB_MM_MAPPED_MAX */
PB_IMPORT_SKIP(unread)		/* not read: a PUD leaf, a bad table entry */
PB_IMPORT_SKIP(swap)		/* swap, migration and device entries */
PB_IMPORT_SKIP(nofolio)		/* the zero pages, special entries */
PB_IMPORT_SKIP(pages_limit)	/* past PB_IMPORT_PAGES_MAX present pages */
PB_IMPORT_SKIP(misaligned)	/* the folio is not at its order's alignment */
PB_IMPORT_SKIP(kind)		/* an anon folio in a file VMA, or the reverse */
PB_IMPORT_SKIP(cont)		/* the block is folded in the process, not here */
#undef PB_IMPORT_SKIP
#endif
