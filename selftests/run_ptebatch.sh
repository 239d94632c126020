#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load ptebatch, run every selftest, unload, in the way of mm's test_hmm.sh.
#
#   run_ptebatch.sh [-m path/to/ptebatch.ko] [-n] [test...]
#
#   -m  the module to insmod (default: modprobe ptebatch)
#   -n  neither load nor unload: the module is already loaded
#   test...  the test programs to run (default: every *_test beside this
#       script; the Makefile's TEST_GEN_PROGS is the list, and names them so)
#
# Exit status: 0 all passed, 1 a test failed, 4 skipped (kselftest convention).

ksft_skip=4
here=$(cd "$(dirname "$0")" && pwd)
module=
manage=1

while getopts "m:n" opt; do
	case $opt in
	m) module=$OPTARG ;;
	n) manage=0 ;;
	*) echo "usage: $0 [-m ptebatch.ko] [-n] [test...]" >&2; exit 1 ;;
	esac
done
shift $((OPTIND - 1))

if [ $# -eq 0 ]; then
	for t in "$here"/*_test; do
		[ -x "$t" ] && set -- "$@" "${t##*/}"
	done
	[ $# -gt 0 ] || { echo "# no *_test program in $here: run make"; exit 1; }
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "# ptebatch selftests must run as root"
	exit $ksft_skip
fi

load() {
	if [ -n "$module" ]; then
		insmod "$module" || { echo "# insmod $module failed"; exit 1; }
	elif ! modprobe ptebatch 2>/dev/null; then
		echo "# no ptebatch module: build it with 'make' and pass -m ptebatch.ko"
		exit $ksft_skip
	fi
}

unload() {
	rmmod ptebatch || { echo "# rmmod ptebatch failed"; exit 1; }
	# The module reports any live object left at unload as a leak.
	if dmesg | tail -n +"$log_start" | grep 'ptebatch: leak'; then
		echo "# ptebatch leaked objects"
		exit 1
	fi
}

log_start=$(($(dmesg | wc -l) + 1))

mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs none /sys/kernel/debug 2>/dev/null

[ $manage -eq 1 ] && load
[ -d /sys/kernel/debug/ptebatch ] || { echo "# /sys/kernel/debug/ptebatch missing"; exit 1; }

rc=0
for t in "$@"; do
	"$here/$t" || rc=1
done

[ $manage -eq 1 ] && unload
exit $rc
