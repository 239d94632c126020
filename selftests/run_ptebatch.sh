#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load ptebatch, run every selftest, unload, in the way of mm's test_hmm.sh.
#
#   run_ptebatch.sh [-m path/to/ptebatch.ko] [-n] [test...]
#
#   -m  the module to insmod (default: $PTEBATCH_MODULE if that file exists,
#       else modprobe ptebatch)
#   -n  neither load nor unload: the module is already loaded (the default
#       when it is loaded and -m is not given)
#   test...  the test programs to run (default: $PTEBATCH_TESTS, else every
#       *_test in $PTEBATCH_TEST_DIR or beside this script; the Makefile's
#       TEST_GEN_PROGS_EXTENDED is the list, and names them so)
#
# Output: one TAP stream, as kselftest's runner and prove read it: a plan of
# one test per program (and one for the unload, when this loads the module),
# each program's own TAP indented by four spaces as a KTAP subtest, then a
# "# PROGRAM: N s" line with its wall time, before its "ok"/"not ok" line.
#
# Exit status: 0 all passed, 1 a test failed, 4 skipped (kselftest convention).

ksft_skip=4
here=$(cd "$(dirname "$0")" && pwd)
dir=${PTEBATCH_TEST_DIR:-$here}
module=${PTEBATCH_MODULE:-}
[ -f "$module" ] || module=
manage=1
given_m=0

while getopts "m:n" opt; do
	case $opt in
	m) module=$OPTARG given_m=1 ;;
	n) manage=0 ;;
	*) echo "usage: $0 [-m ptebatch.ko] [-n] [test...]" >&2; exit 1 ;;
	esac
done
shift $((OPTIND - 1))

[ $# -gt 0 ] || set -- ${PTEBATCH_TESTS:-}
if [ $# -eq 0 ]; then
	for t in "$dir"/*_test; do
		[ -x "$t" ] && set -- "$@" "${t##*/}"
	done
fi

echo "TAP version 13"
skip_all() {
	echo "1..0 # SKIP $*"
	exit $ksft_skip
}
[ $# -gt 0 ] || { echo "Bail out! no *_test program in $dir: run make"; exit 1; }
[ "$(id -u)" -eq 0 ] || skip_all "ptebatch selftests must run as root"
[ -d /sys/module/ptebatch ] && [ $given_m -eq 0 ] && manage=0

grep -q '^[^ ]* /sys/kernel/debug debugfs ' /proc/mounts ||
	mount -t debugfs none /sys/kernel/debug 2>/dev/null ||
	skip_all "debugfs is not mounted at /sys/kernel/debug and cannot be"

log_start=$(($(dmesg | wc -l) + 1))
if [ $manage -eq 1 ]; then
	if [ -n "$module" ]; then
		insmod "$module" || { echo "Bail out! insmod $module failed"; exit 1; }
	elif ! modprobe ptebatch 2>/dev/null; then
		skip_all "no ptebatch module: build it with 'make' and pass -m ptebatch.ko"
	fi
fi
if [ ! -d /sys/kernel/debug/ptebatch ]; then
	echo "Bail out! /sys/kernel/debug/ptebatch missing"
	exit 1
fi

echo "1..$(($# + manage))"
rc=0 n=0
for t in "$@"; do
	n=$((n + 1))
	echo "# $t"
	t0=$(date +%s)
	# The program's exit status through the pipe that indents its output.
	trc=$({ { "$dir/$t" 2>&1; echo $? >&3; } | sed 's/^/    /' >&4; } 3>&1) 4>&1
	echo "# $t: $(($(date +%s) - t0)) s"
	case $trc in
	0) echo "ok $n $t" ;;
	"$ksft_skip") echo "ok $n $t # SKIP" ;;
	*) echo "not ok $n $t # exit=$trc"; rc=1 ;;
	esac
done

if [ $manage -eq 1 ]; then
	n=$((n + 1))
	# The module reports any live object left at unload as a leak.
	if ! rmmod ptebatch; then
		echo "not ok $n rmmod ptebatch"
		rc=1
	elif leaks=$(dmesg | tail -n +"$log_start" | grep 'ptebatch: leak'); then
		echo "$leaks" | sed 's/^/# /'
		echo "not ok $n rmmod ptebatch: the module leaked objects"
		rc=1
	else
		echo "ok $n rmmod ptebatch, no leak"
	fi
fi
exit $rc
