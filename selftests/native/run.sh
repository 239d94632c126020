#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run native test programs under ASan/UBSan and total their TAP results.  The
# last line is "native: N passed, M failed"; a program that crashes, exits
# non-zero or does not finish its TAP plan counts as one more failure.

export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

passed=0
failed=0
# A hung program, not a slow one: test_tools_oracle takes about 110 s
# under ASan on a loaded 2-core machine.
for prog in "$@"; do
	log="$prog.log"
	timeout 600 "$prog" >"$log" 2>&1
	rc=$?
	cat "$log"
	ok=$(grep -c '^ok ' "$log")
	notok=$(grep -c '^not ok ' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
	passed=$((passed + ok))
	failed=$((failed + notok))
	if [ -z "$plan" ] || [ $((ok + notok)) -ne "$plan" ] || [ "$rc" -ne 0 ]; then
		echo "# $prog: exit $rc, plan '${plan:-none}', $ok ok, $notok not ok" >&2
		if [ "$notok" -eq 0 ] || [ -z "$plan" ] || [ $((ok + notok)) -ne "$plan" ]; then
			failed=$((failed + 1))
		fi
	fi
done
echo "native: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
