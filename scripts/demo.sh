#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of 'make demo': what ptebatch offers, as a story of steps.  It
# runs in the guest (busybox sh) as a qemu-run --extra, with the module
# loaded and pbctl on PATH.
#
# Each step says in one line what it shows, runs, and checks that it did
# show it; the demo ends with the verdict "demo: N of M steps did what they
# show" and fails unless N is M.  To add a step, write a function that
# prints what it runs and returns 0 when it showed what it says, and add a
# 'step "what it shows" function' line to the list at the end.  A step that
# needs mms creates them: each pbctl call is a session of its own, and its
# mms go when it ends.

set -u

DIR=/sys/kernel/debug/ptebatch
OUT=/tmp/demo.out
nr=0
good=0

# step WHAT FUNCTION: one step of the story.
step() {
	nr=$((nr + 1))
	echo
	echo "==== step $nr: $1 ===="
	if "$2"; then
		good=$((good + 1))
	else
		echo "demo: step $nr did not show it"
	fi
}

# run_ctl: the ctl lines on stdin in one session, echoed, stopping at the
# first error; the reply goes to the terminal and $OUT.
run_ctl() {
	pbctl -v -e - >"$OUT" 2>&1
	rc=$?
	cat "$OUT"
	return $rc
}

# A private mm (4K granule) with 2 MiB of 64K folios: every block contiguous.
MM0='mm_create page_kb=4
mmap mm=0 start=0x40000000 len=0x400000
populate mm=0 va=0x40000000 len=0x200000 order=4'

show_version() {
	tee "$OUT" <"$DIR/version"
	grep -qE '^[0-9]+\.[0-9]+\.[0-9]+$' "$OUT"
}

show_help() {
	pbctl help wrprotect | tee "$OUT"
	grep -qx 'wrprotect mm=N va=N nr=N' "$OUT" &&
		grep -q '^    key nr required range 1\.\.' "$OUT"
}

show_fold() {
	printf '%s\n%s\n' "$MM0" 'dump mm=0 va=0x40000000 nr=2' | run_ctl &&
		[ "$(grep -c 'CONT.* cont=1$' "$OUT")" -eq 2 ]
}

show_fork() {
	printf '%s\n%s\n' "$MM0" 'fork mm=0
dump mm=0 va=0x40000000 nr=1
folio mm=0 va=0x40000000' | run_ctl &&
		grep -qx 'mm 1' "$OUT" && grep -q ' cont=1$' "$OUT" &&
		grep -qx 'mapcount 2' "$OUT"
}

show_cow() {
	printf '%s\n%s\n' "$MM0" 'fork mm=0
touch mm=1 va=0x40010000 write=1
dump mm=1 va=0x4000f000 nr=2
mm_stats mm=1' | run_ctl &&
		grep -q '^0x00004000f000 .* cont=1$' "$OUT" &&
		grep -q '^0x000040010000 .* cont=0$' "$OUT" &&
		grep -qx 'cow_copies 1' "$OUT"
}

show_check() {
	printf '%s\n%s\n' "$MM0" 'check mm=0' | run_ctl &&
		grep -qx 'violations 0' "$OUT"
}

show_oracle() {
	echo 'oracle seed=1 seeds=20 steps=40' | run_ctl &&
		grep -qx 'seeds 20' "$OUT"
}

show_kernel_oracle() {
	echo 'kernel_oracle seed=1 seeds=20 steps=50' | run_ctl &&
		grep -qx 'mismatches 0' "$OUT"
}

show_bad_command() {
	! echo 'frobnicate now=1' | run_ctl &&
		grep -q "^error: unknown command 'frobnicate'" "$OUT"
}

# start_layout: pbmaps_layout in the background ($layout its pid), which
# maps four 64K folios (the hugepages-64kB knob on while it faults them in,
# then restored; $order their order), a file and a region it shares with a
# forked child, and prints where (in /tmp/layout).
start_layout() {
	knob=/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled
	page_kb=$(pbctl task_maps | sed -n 's/.* page_kb=\([0-9]*\).*/\1/p')
	order=0
	while [ $((page_kb << order)) -lt 64 ]; do order=$((order + 1)); done
	saved=$(sed 's/.*\[\(.*\)\].*/\1/' "$knob" 2>/dev/null)
	[ -n "$saved" ] && echo always >"$knob"
	pbmaps_layout -o "$order" >/tmp/layout &
	layout=$!
	i=0
	while ! grep -q '^pbmaps_layout ' /tmp/layout && [ $i -lt 20 ]; do
		sleep 1
		i=$((i + 1))
	done
	[ -n "$saved" ] && echo "$saved" >"$knob"
	cat /tmp/layout
}

# pbmaps must show each of the layout's folios as one.
show_pbmaps() {
	start_layout
	{ pbmaps "$layout" && pbmaps --what-if "$layout" | sed -n '/^task_import/,$p'; } \
		>"$OUT" 2>&1
	rc=$?
	kill "$layout"
	cat "$OUT"
	anon=$(sed -n 's/.* anon=\(0x[0-9a-f]*\).*/\1/p' /tmp/layout)
	pages=$(sed -n 's/.* anon_pages=\([0-9]*\).*/\1/p' /tmp/layout)
	# The anon row: present and large_folios as mapped.
	[ $rc -eq 0 ] && [ -n "$anon" ] &&
		[ "$(awk -v s="$anon" 'index($1, s "-") == 1 { print $4, $7 }' "$OUT")" = \
			"$pages $((pages >> order))" ] &&
		grep -q '^task_import mm=' "$OUT" &&
		[ "$(grep -cE '^[01] +[01] +(fork|zap|mprotect) ' "$OUT")" -eq 12 ]
}

# The oracle from the layout's import: both families are made of it, every
# page again, and agree over 10 seeds of random steps on its VMAs.
show_oracle_import() {
	start_layout
	printf 'task_import pid=%s\noracle mm=0 seed=1 seeds=10 steps=30\n' "$layout" | run_ctl
	rc=$?
	kill "$layout"
	imported=$(sed -n 's/^task_import .* imported=\([0-9]*\).*/\1/p' "$OUT")
	[ $rc -eq 0 ] && [ -n "$imported" ] &&
		grep -qx 'seeds 10' "$OUT" &&
		grep -qx "imported $imported" "$OUT"
}

show_stats() {
	tee "$OUT" <"$DIR/stats" | head -n 8
	echo ...
	! grep -E '^live_[a-z_]+ ' "$OUT" | grep -qv ' 0$'
}

step "the module is loaded; the version file gives the ctl interface's version" show_version
step "help: each command's keys, required ones bare, with their ranges" show_help
step "populate maps 64K folios and contpte folds every 16-page block (CONT)" show_fold
step "a batched fork keeps the parent folded; the child maps the same folios" show_fork
step "a write in the child copies one page and unfolds only its block" show_cow
step "the checker finds no violation in the parent" show_check
step "the oracle: batched and per-PTE mms agree over 20 random seeds" show_oracle
step "the model's contpte helpers in lockstep with the running kernel's" show_kernel_oracle
step "a bad command gets EINVAL and a one-line reason" show_bad_command
step "pbmaps: a known layout's folios (four 64K), then its import priced per-PTE and batched" show_pbmaps
step "the oracle from that layout's import: batched and per-PTE agree on its folios" show_oracle_import
step "with no session open, every live_ counter of the stats file is 0" show_stats

echo
echo "demo: $good of $nr steps did what they show"
[ "$good" -eq "$nr" ]
