#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in a guest (make bench copies it in as an --extra): per folio size and
# run, on fresh mms of 1 GiB in four variants, interleaved: the mprotect
# round trip of the never-forked mm (which leaves it as it was), the fork's
# semantic floor, the first fork and the steady-state (second) fork with
# their phases, the child's zap, and the round trip of the forked mm; the
# bounds (memcpy, memset, two read-modify-write passes); the model's
# metadata; partial unmaps of 32 MiB and 4 GiB (zap_partial); then the real
# kernel (bench_real).  Writes model.tsv (one row per run: guest, granule_kb,
# op, variant, folio_kb, ns, bytes, profile), real.tsv and kernel (uname -r)
# into the current folder (/results).
#
#   bench-guest.sh GUEST [RUNS] [MAX_ORDER] [PROFILE]
#
# PROFILE (6.12 or mainline) is passed as kernel= to every mm_create; empty,
# each mm takes the profile of the kernel the module was built for.

guest=${1:?guest name}
runs=${2:-3}
granule=$(awk '/KernelPageSize/ {print $2; exit}' /proc/self/smaps)
va=0x40000000
gib=0x40000000
# Folio sizes up to 2 MiB.
case $granule in
4) max_order=9 ;;
16) max_order=7 ;;
*) max_order=5 ;;
esac
max_order=${3:-$max_order}
profile=${4:-}
case $profile in
'' | 6.12 | mainline) ;;
*)
	echo "bench: $guest: profile '$profile': must be 6.12 or mainline" >&2
	exit 1
	;;
esac
variants="pte-nocont:0:0 pte-cont:0:1 batch-nocont:1:0 batch-cont:1:1"

say() { echo "bench: $guest: $*" >&2; }

# Run ctl commands from standard input in one session; print "op mm ns"
# rows, and a "profile - <profile>" row for each mm_create's reply.  An mm's
# first fork after its mm_create is "fork", its second "fork_steady"; each
# fork also gives its phases (op_alloc, op_copy, op_flush).  The round trip
# is "mprotect" before the mm's first fork, "mprotect_forked" after it.
# pbctl's replies go to a file that is read once it has exited: a reader
# running meanwhile (the loops below start four processes a row) is
# scheduled while an op is timed, and its instructions count in the op's
# instruction-time window (the fork's allocation phase read 2.8 to 15 ms
# per GiB, buffered 2.8 every time).
run() {
	pbctl - >/tmp/bench-replies
	awk '
		/^> mm_create/ { stats = 0; next }
		/^> mm_destroy / { split($3, kv, "="); forks[kv[2]] = 0; stats = 0; next }
		/^> bench / { op = ""; mm = "";
			for (i = 3; i <= NF; i++) {
				split($i, kv, "=");
				if (kv[1] == "op") op = kv[2];
				if (kv[1] == "mm") mm = kv[2];
			}
			if (op == "fork")
				op = forks[mm]++ ? "fork_steady" : "fork";
			if (op == "mprotect" && forks[mm])
				op = "mprotect_forked";
			stats = 0; next }
		/^> mm_stats/ { stats = 1; next }
		/^> / { stats = 0; next }
		/^ns / && op != "" { print op, (mm == "" ? "-" : mm), $2 }
		/^(alloc|copy|flush)_ns / && op ~ /^fork/ {
			sub(/_ns$/, "", $1); print op "_" $1, mm, $2 }
		/^kernel / { print "profile", "-", $2 }
		stats && /^(pt_bytes|arena_meta_bytes) / { meta += $2 }
		END { if (meta) print "metadata", 0, meta }' /tmp/bench-replies
	rm -f /tmp/bench-replies
}

# QEMU's -icount clock runs ahead of the instructions for a while after boot:
# let it settle before anything is timed.
sleep 3
: >model.tsv
uname -r >kernel
bytes=$((gib / (granule * 1024) * 8))
say "bounds: memcpy, memset and two read-modify-write passes of $bytes bytes, the entries of 1 GiB"
r=0
while [ $r -lt "$runs" ]; do
	for b in memcpy memset rmw; do
		echo "bench op=$b bytes=$bytes"
	done
	r=$((r + 1))
done | run | while read -r op mm ns; do
	printf '%s\t%s\t%s\tbound\t%s\t%s\t%s\t-\n' "$guest" "$granule" "$op" \
		"$granule" "$ns" "$bytes" >>model.tsv
done

# One mm of variant $1 as mm $2: created, mapped and populated (untimed).
mm_fresh() {
	batch=${1#*:}
	batch=${batch%%:*}
	cont=${1##*:}
	echo "mm_create page_kb=$granule check=0 arena_pages=$((gib / (granule * 1024)))$want"
	echo "set mm=$2 fork_batch=$batch zap_batch=$batch mprotect_batch=$batch contpte=$cont"
	echo "mmap mm=$2 start=$va len=$gib"
	echo "populate mm=$2 va=$va len=$gib order=$order"
}

order=0
want=
[ -z "$profile" ] || want=" kernel=$profile"
while [ $order -le "$max_order" ]; do
	folio_kb=$((granule << order))
	say "folio ${folio_kb}K: $runs runs on fresh mms: mprotect never forked, floor, first and steady fork, zap, mprotect forked"
	{
		r=0
		while [ $r -lt "$runs" ]; do
			i=0
			for v in $variants; do
				mm_fresh "$v" $i
				i=$((i + 1))
			done
			[ $r -gt 0 ] || echo "mm_stats mm=0"
			# Never forked: the round trip leaves the mm as it was.
			for i in 0 1 2 3; do
				echo "bench mm=$i op=mprotect"
			done
			echo "bench mm=0 op=floor"
			for op in fork fork zap mprotect; do
				for i in 0 1 2 3; do
					echo "bench mm=$i op=$op"
				done
			done
			for i in 0 1 2 3; do
				echo "mm_destroy mm=$i"
			done
			r=$((r + 1))
		done
	} | run | {
		# The mms' profile, from mm_create's replies.
		used=
		while read -r op mm ns; do
			if [ "$op" = profile ]; then
				if [ -n "$profile" ] && [ "$ns" != "$profile" ]; then
					say "error: an mm got profile $ns, not $profile"
					exit 1
				fi
				[ -z "$used" ] || [ "$used" = "$ns" ] ||
					say "warning: mms of profiles $used and $ns"
				used=$ns
				continue
			fi
			if [ "$op" = metadata ]; then
				printf '%s\t%s\tmetadata\tmodel\t%s\t%s\t%s\t%s\n' "$guest" \
					"$granule" "$folio_kb" "$ns" "$((gib))" "${used:--}" >>model.tsv
				continue
			fi
			if [ "$op" = floor ]; then
				variant=floor
			else
				# The name of mm's variant, by the shell alone:
				# a process per row is seconds of a guest's
				# wall time over a run.
				set -- $variants
				shift $((mm % 4))
				variant=${1%%:*}
			fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$guest" "$granule" "$op" \
				"$variant" "$folio_kb" "$ns" "$((gib))" "${used:--}" >>model.tsv
		done
	} || exit 1
	order=$((order + 1))
done

# Partial unmaps of 32 MiB and of 4 GiB (issue 12): the first page of every
# folio, then the rest, through the deferred-split queue; per PTE the two
# must cost the same.  Folios of 64K (256K, four pages, at the 64K granule:
# folios of order 0 and 1 never queue).
scale_order=$((granule == 4 ? 4 : 2))
scale_folio=$((granule * 1024 << scale_order))
for scale_bytes in $((32 << 20)) $((4 << 30)); do
	for v in pte-nocont:0 batch-nocont:1; do
		batch=${v#*:}
		say "partial unmaps of $((scale_bytes >> 20)) MiB, ${v%:*}, $runs runs"
		r=0
		while [ $r -lt "$runs" ]; do
			echo "mm_create page_kb=$granule check=0 arena_pages=$((scale_bytes / (granule * 1024)))${profile:+ kernel=$profile}"
			echo "set mm=0 zap_batch=$batch contpte=0"
			echo "mmap mm=0 start=$va len=$scale_bytes"
			echo "populate mm=0 va=$va len=$scale_bytes order=$scale_order"
			echo "bench mm=0 op=zap_partial stride=$scale_folio"
			echo "mm_destroy mm=0"
			r=$((r + 1))
		done | run | while read -r op mm ns; do
			[ "$op" = zap_partial ] || continue
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$guest" "$granule" zap_partial \
				"${v%:*}" "$((scale_folio >> 10))" "$ns" "$scale_bytes" "${profile:--}" >>model.tsv
		done
	done
done

if [ -x /selftests/bench_real ]; then
	say "the real kernel: fork, munmap, mprotect RO+RW of 256 MiB per mTHP size; seed 002"
	/selftests/bench_real "$guest" >real.tsv || say "bench_real failed ($?)"
fi
say "done"
