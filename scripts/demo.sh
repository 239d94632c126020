#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of 'make demo': show what ptebatch offers.  It runs in the guest
# (busybox sh) as a qemu-run --extra, with the module loaded and pbctl on PATH.
#
# To show more, add command lines to COMMANDS: they run in order in one ctl
# session (pbctl -), so a later line can use what an earlier one created;
# blank lines and lines starting with '#' are skipped.  A failing command
# fails the demo; BAD_COMMAND must fail.

set -eu

DIR=/sys/kernel/debug/ptebatch

COMMANDS='
help
version
session
# A private mm (4K granule), 2 MiB of 64K folios: every block contiguous.
mm_create page_kb=4
mmap mm=0 start=0x40000000 len=0x400000
populate mm=0 va=0x40000000 len=0x200000 order=4
dump mm=0 va=0x40000000 nr=2
# A batched fork keeps the parent folded; the child shares the folios.
fork mm=0
dump mm=0 va=0x40000000 nr=2
folio mm=0 va=0x40000000
# A write in the child copies one page and unfolds just that block.
touch mm=1 va=0x40010000 write=1
dump mm=1 va=0x4000f000 nr=2
mm_stats mm=1
check mm=0
# The differential oracle: batched against per-PTE, 20 seeds.
oracle seed=1 seeds=20 steps=40
'

# The running kernel's own contpte helpers in lockstep with the model's.
KERNEL_ORACLE='kernel_oracle seed=1 seeds=20 steps=50'

BAD_COMMAND='frobnicate now=1'

banner() {
	echo
	echo "==== $* ===="
}

banner "cat $DIR/version"
cat "$DIR/version"

banner "ls -l $DIR"
ls -l "$DIR"

banner "ctl commands in one session (pbctl -)"
echo "$COMMANDS" | pbctl -

banner "the model against the running kernel: $KERNEL_ORACLE"
pbctl "$KERNEL_ORACLE" 2>&1 || echo "(no contpte in this kernel: EOPNOTSUPP)"

banner "a bad command gets EINVAL and a one-line reason"
if pbctl "$BAD_COMMAND" 2>&1; then
	echo "demo: '$BAD_COMMAND' was accepted"
	exit 1
fi

# --- pbmaps (issue 14): one step, apart from the story above ---
banner "pbmaps: the folios and contpte blocks of a sleeping process, and the model's what-if"
sleep 60 &
sleeper=$!
pbmaps "$sleeper"
pbmaps --what-if "$sleeper" | sed -n '/^task_import/,$p'
kill "$sleeper"

banner "cat $DIR/stats (no session open: the live_ counters read 0)"
cat "$DIR/stats"

echo
echo "demo: done"
