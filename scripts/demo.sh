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
stats
'

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

banner "a bad command gets EINVAL and a one-line reason"
if pbctl "$BAD_COMMAND" 2>&1; then
	echo "demo: '$BAD_COMMAND' was accepted"
	exit 1
fi

banner "cat $DIR/stats (no session open: the live_ counters read 0)"
cat "$DIR/stats"

echo
echo "demo: done"
