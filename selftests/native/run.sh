#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run native test programs under ASan/UBSan and total their TAP results.  The
# last line is "native: N passed, M failed"; a program that crashes, exits
# non-zero or does not finish its TAP plan counts as one more failure.
#
# NATIVE_JOBS programs run at once (default: the number of CPUs); each one's
# output is shown whole, in the order given, once it has ended.

export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

jobs=${NATIVE_JOBS:-$(nproc 2>/dev/null || echo 1)}
case "$jobs" in
'' | *[!0-9]* | 0*)
	echo "run.sh: NATIVE_JOBS must be a positive number, not '$jobs'" >&2
	exit 2 ;;
esac

# One program: its log and its exit status beside it.  A hung program, not a
# slow one: test_tools_oracle takes about 110 s under ASan on a loaded 2-core
# machine.
if [ "${1:-}" = --one ]; then
	timeout 600 "$2" >"$2.log" 2>&1
	echo $? >"$2.rc"
	exit 0
fi

for prog in "$@"; do
	rm -f "$prog.log" "$prog.rc"
done
printf '%s\n' "$@" | xargs -P "$jobs" -I{} "$0" --one {}

passed=0
failed=0
for prog in "$@"; do
	log="$prog.log"
	rc=$(cat "$prog.rc" 2>/dev/null || echo 255)
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
