# SPDX-License-Identifier: GPL-2.0
# Shared by the ptebatch scripts: where the cache, kernel and build folders are.

PTEBATCH_CACHE=${PTEBATCH_CACHE:-$HOME/.cache/ptebatch}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${PTEBATCH_BUILD:-$TOP/build}

die() {
	printf '%s: %s\n' "$(basename "$0")" "$*" >&2
	exit 1
}

# Sets KVER, ROOT (the flavour's extracted packages), KDIR and ARCH.
flavour_env() {
	FLAVOUR=$1
	case "$FLAVOUR" in
	arm64 | arm64-16k) ARCH=arm64 ;;
	amd64) ARCH=x86_64 ;;
	*) die "unknown flavour '$FLAVOUR' (arm64, arm64-16k or amd64)" ;;
	esac
	if [ -z "${KVER:-}" ]; then
		[ -s "$PTEBATCH_CACHE/kver" ] || die "no kernel in $PTEBATCH_CACHE; run 'make setup' first"
		KVER=$(cat "$PTEBATCH_CACHE/kver")
	fi
	ROOT=$PTEBATCH_CACHE/$KVER/$FLAVOUR
	KDIR=$ROOT/usr/src/linux-headers-$KVER-$FLAVOUR
	[ -e "$ROOT/.complete" ] || die "flavour $FLAVOUR of $KVER is not in the cache; run 'make setup KVER=$KVER'"
}

# The C compiler for a flavour's user programs.
user_cc() {
	case "$1" in
	arm64 | arm64-16k) echo aarch64-linux-gnu-gcc ;;
	amd64) echo gcc ;;
	esac
}
