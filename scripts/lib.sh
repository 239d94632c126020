# SPDX-License-Identifier: GPL-2.0
# Shared by the ptebatch scripts: where the cache, kernel and build folders are.

PTEBATCH_CACHE=${PTEBATCH_CACHE:-$HOME/.cache/ptebatch}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${PTEBATCH_BUILD:-$TOP/build}

die() {
	printf '%s: %s\n' "$(basename "$0")" "$*" >&2
	exit 1
}

# no_args "$@": a script that takes no argument (its environment says what
# to do) answers -h or --help with its header comment, and refuses anything
# else before it runs.
no_args() {
	[ $# -gt 0 ] || return 0
	case $1 in
	-h | --help)
		awk 'NR > 2 && !/^#/ { exit }
			NR > 2 { sub(/^# ?/, ""); if (NR > 3 || $0 != "") print }' "$0"
		exit 0
		;;
	esac
	die "takes no arguments, not '$*' (--help says what it does)"
}

# The guest flavours of each kernel series.  The 6.12 series is Debian 12's
# kernel (KVER pins it); the mainline series is the newest kernel in
# trixie-backports (KVER_MAINLINE pins it), built in a trixie build root.
FLAVOURS_612="arm64 arm64-16k amd64"
FLAVOURS_MAINLINE="mainline-arm64 mainline-arm64-16k mainline-amd64"
ALL_FLAVOURS="$FLAVOURS_612 $FLAVOURS_MAINLINE"

# Sets SERIES, KREL (the kernel version: KVER or KVER_MAINLINE), ROOT (the
# flavour's extracted packages), KDIR, KERNEL (the image), KCONFIG (its
# config), ARCH and BUILDROOT (the build root to build in, or empty for the
# host).
flavour_env() {
	local debfl
	FLAVOUR=$1
	case "$FLAVOUR" in
	arm64 | arm64-16k | mainline-arm64 | mainline-arm64-16k) ARCH=arm64 ;;
	amd64 | mainline-amd64) ARCH=x86_64 ;;
	*) die "unknown flavour '$FLAVOUR' (one of: $ALL_FLAVOURS)" ;;
	esac
	debfl=${FLAVOUR#mainline-}
	if [ "$debfl" = "$FLAVOUR" ]; then
		SERIES=6.12 BUILDROOT=
		if [ -z "${KVER:-}" ]; then
			[ -s "$PTEBATCH_CACHE/kver" ] || die "no 6.12 kernel in $PTEBATCH_CACHE; run 'make setup' first"
			KVER=$(cat "$PTEBATCH_CACHE/kver")
		fi
		KREL=$KVER
	else
		SERIES=mainline BUILDROOT=$PTEBATCH_CACHE/buildroot-trixie
		if [ -z "${KVER_MAINLINE:-}" ]; then
			[ -s "$PTEBATCH_CACHE/kver-mainline" ] ||
				die "no mainline kernel in $PTEBATCH_CACHE; run 'make setup' first (without PTEBATCH_SERIES=6.12)"
			KVER_MAINLINE=$(cat "$PTEBATCH_CACHE/kver-mainline")
		fi
		KREL=$KVER_MAINLINE
		[ -e "$BUILDROOT/.complete" ] || die "no trixie build root in $BUILDROOT; run 'make setup'"
	fi
	ROOT=$PTEBATCH_CACHE/$KREL/$debfl
	KDIR=$ROOT/usr/src/linux-headers-$KREL-$debfl
	KERNEL=$ROOT/boot/vmlinuz-$KREL-$debfl
	KCONFIG=$ROOT/boot/config-$KREL-$debfl
	if [ ! -e "$ROOT/.complete" ]; then
		if [ "$SERIES" = 6.12 ]; then
			die "flavour $FLAVOUR of $KREL is not in the cache; run 'make setup KVER=$KREL'"
		fi
		die "flavour $FLAVOUR of $KREL is not in the cache; run 'make setup KVER_MAINLINE=$KREL'"
	fi
}

# The flavours that are set up in the cache, of the series in PTEBATCH_SERIES
# (default: both).
flavours_set_up() {
	local series=" ${PTEBATCH_SERIES:-6.12 mainline} " out=
	case "$series" in *" 6.12 "*) out=$FLAVOURS_612 ;; esac
	case "$series" in
	*" mainline "*)
		if [ -s "$PTEBATCH_CACHE/kver-mainline" ] && [ -e "$PTEBATCH_CACHE/buildroot-trixie/.complete" ]; then
			out="$out $FLAVOURS_MAINLINE"
		fi
		;;
	esac
	echo "${out# }"
}

# in_buildroot DIR... -- COMMAND...: run COMMAND in the flavour's build root
# (BUILDROOT), or on the host when there is none.  The build root is entered
# with chroot in a private mount namespace, so nothing stays mounted: each DIR
# (the tree, the build folder, the kernel's cache folder) is bound at its own
# path inside, with /dev and /proc.
in_buildroot() {
	local dirs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		dirs+=("$1")
		shift
	done
	shift
	if [ -z "$BUILDROOT" ]; then
		"$@"
		return
	fi
	# shellcheck disable=SC2016
	unshare --mount --propagation private -- /bin/bash -euc '
		br=$1 n=$2
		shift 2
		for d in "${@:1:$n}"; do
			mkdir -p "$br$d"
			mount --bind "$d" "$br$d"
		done
		shift "$n"
		mount --bind /dev "$br/dev"
		mount -t proc proc "$br/proc"
		exec chroot "$br" /usr/bin/env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 "$@"' in_buildroot "$BUILDROOT" ${#dirs[@]} "${dirs[@]}" "$@"
}

# The C compiler for a flavour's user programs.
user_cc() {
	case "$1" in
	arm64 | arm64-16k | mainline-arm64 | mainline-arm64-16k) echo aarch64-linux-gnu-gcc ;;
	amd64 | mainline-amd64) echo gcc ;;
	esac
}
