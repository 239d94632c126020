#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the libFuzzer targets, one process and one job each:
#
#   run.sh time  OUT SECONDS TARGET...   fuzz each for SECONDS, corpus kept in
#                                        OUT/corpus/<target>
#   run.sh check OUT RUNS:SEED TARGET... replay the seeds and the regression
#                                        corpus, then RUNS inputs of -seed=SEED,
#                                        from a fresh OUT/check/<target>
#
# Each target's input corpora are OUT/seeds/<name> (generated) and
# fuzz/regress/<name> (committed), <name> being the target's without
# "fuzz_".  Per target it prints executions, libFuzzer's cov: and ft:
# figures, exec/s and the seconds taken; a crash, leak, UB report or timeout
# leaves OUT/crashes/<target>-* and counts as a failure.  The last line is
# "fuzz: N passed, M failed".

mode=$1 out=$2 arg=$3
shift 3
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
passed=0
failed=0
mkdir -p "$out/crashes"
for t in "$@"; do
	name=${t#fuzz_}
	corpora="$out/seeds/$name"
	[ -d "fuzz/regress/$name" ] && corpora="$corpora fuzz/regress/$name"
	log=$out/$t.log
	# One more byte than a command line may be, so that too long is seen.
	opts="-dict=$out/ptebatch.dict -max_len=4097 -print_final_stats=1
	      -artifact_prefix=$out/crashes/$t-"
	case $mode in
	time)
		dir=$out/corpus/$t
		opts="$opts -max_total_time=$arg -timeout=10"
		;;
	check)
		dir=$out/check/$t
		rm -rf "$dir"
		opts="$opts -runs=${arg%%:*} -seed=${arg#*:} -timeout=30"
		;;
	*)
		echo "run.sh: unknown mode '$mode'" >&2
		exit 2
		;;
	esac
	mkdir -p "$dir"
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$out/$t" $opts "$dir" $corpora >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	last=$(grep -aE '^#[0-9]+' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	edges=$(sed -n 's/^INFO: Loaded 1 modules *(\([0-9]*\) inline.*/\1/p' "$log")
	echo "$t: ${execs:-?} executions in ${secs} s (${rate:-?} exec/s), cov ${cov:-?}" \
	     "of ${edges:-?} edges, ft ${ft:-?}, corpus ${corp:-?} inputs"
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "$t: FAILED (exit $rc); see $log:"
		grep -aE '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz: |artifact_prefix|Test unit written)' \
			"$log" | head -n 20
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
