# SPDX-License-Identifier: GPL-2.0
#
# ptebatch: out-of-tree module, selftests and the QEMU guests that run them.
#
#   make help             this list
#   make modules          (or make) build ptebatch.ko for the running kernel (KDIR=...)
#   make install          kbuild's modules_install (INSTALL_MOD_PATH, INSTALL_MOD_DIR:
#                         default the kernel's, updates on Debian), pbctl's man
#                         page and bash completion (DESTDIR, default INSTALL_MOD_PATH)
#   make man              build/man/pbctl.1 from Documentation/pbctl.rst (rst2man)
#   make clean            remove build products (KDIR not needed)
#   make setup            install host packages, fetch Debian kernels (cached)
#   make flavour-arm64    build module + selftests for a guest flavour into
#                         build/<flavour>/ (also flavour-arm64-16k, -amd64,
#                         flavour-mainline-arm64, -mainline-arm64-16k,
#                         -mainline-amd64)
#   make demo             boot the arm64 guest and show what the module offers
#   make shell            a guest (FLAVOUR=arm64 by default) with the module
#                         loaded and a shell on the console; SHARE=DIR (default:
#                         this folder) is at /mnt/host; DATA="files" in /data
#   make native           the native tests (ASan, UBSan): selftests/native
#   make fuzz             each libFuzzer target for FUZZ_S seconds (default 60)
#   make check            every test, ending with "N passed, M failed"
#   make lint             checkpatch --strict and the layering rules (scripts/check
#                         checkpatch layers)
#   make docs             Documentation/ as HTML with Sphinx, warnings as errors,
#                         into build/docs (DOCS_OUT=...)
#   make soak             the long forms: oracle sweeps, kernel_oracle in the
#                         arm64 guests, the stress for SOAK_STRESS_MIN minutes,
#                         fuzzing if SOAK_FUZZ_S is set (scripts/soak)
#   make bench            benchmarks in instruction time: build/bench/results.md
#                         (BENCH_PROFILE=6.12|mainline: the model's profile;
#                         default: each guest kernel's)

KDIR ?= /lib/modules/$(shell uname -r)/build
PTEBATCH_CACHE ?= $(HOME)/.cache/ptebatch
export PTEBATCH_CACHE

FLAVOURS := arm64 arm64-16k amd64 mainline-arm64 mainline-arm64-16k mainline-amd64

.PHONY: all help modules install man clean setup demo shell check soak bench lint docs native fuzz $(addprefix flavour-,$(FLAVOURS))

all: modules

# The list at the head of this file.
help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

modules:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "no kernel headers at KDIR=$(KDIR);" \
		     "install linux-headers-$$(uname -r) or use make flavour-arm64" >&2; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# modules_install installs into $(INSTALL_MOD_PATH)/lib/modules/<release>/
# $(INSTALL_MOD_DIR) and runs depmod there; both are kbuild's own variables, so
# they pass to it from the command line or the environment as they are.
# Debian's headers ask for every installed module to be signed
# (CONFIG_MODULE_SIG_ALL) with a key they do not ship: without the key, the
# module is installed unsigned, without sign-file's SSL errors.
DESTDIR ?= $(INSTALL_MOD_PATH)
MANDIR ?= /usr/share/man
COMPLETIONDIR ?= /usr/share/bash-completion/completions
install: modules man
	$(MAKE) -C $(KDIR) M=$(CURDIR) \
		$(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=) modules_install
	install -D -m 644 build/man/pbctl.1 $(DESTDIR)$(MANDIR)/man1/pbctl.1
	install -D -m 644 selftests/pbctl.bash-completion $(DESTDIR)$(COMPLETIONDIR)/pbctl

# Debian's python3-docutils; set-up installs it.
man: build/man/pbctl.1
build/man/pbctl.1: Documentation/pbctl.rst
	@command -v rst2man >/dev/null || { echo "no rst2man: apt-get install python3-docutils" >&2; exit 1; }
	mkdir -p $(@D)
	rst2man --exit-status=2 $< $@

# kbuild's products of an M= build, which clean removes without a KDIR (the
# headers the module was built against may be gone by then).
KBUILD_PRODUCTS := '*.o' '*.ko' '*.mod' '*.mod.c' '.*.cmd' '*.o.d' \
		   modules.order Module.symvers '.*.o' .tmp_versions

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	find $(CURDIR) $(CURDIR)/module -maxdepth 1 \( $(foreach p,$(KBUILD_PRODUCTS),-name $(p) -o) \
		-false \) -exec rm -rf {} +
	find $(CURDIR)/module -mindepth 2 \( -name '*.o' -o -name '.*.cmd' -o -name '*.o.d' \) \
		-delete
	$(MAKE) -C selftests clean
	$(MAKE) -C selftests/native clean
	rm -rf build

setup:
	scripts/setup

$(addprefix flavour-,$(FLAVOURS)): flavour-%:
	scripts/build-flavour $*

native:
	$(MAKE) -C selftests/native run

FUZZ_S ?= 60
fuzz:
	$(MAKE) -C selftests/native fuzz FUZZ_S=$(FUZZ_S)

# The last line is the demo's own verdict, "demo: N of M steps did what they
# show"; it fails unless every step did.
demo: setup
	scripts/build-flavour arm64
	@log=$${PTEBATCH_BUILD:-build}/logs/demo.log; rc=0; \
	scripts/qemu-run --flavour arm64 --no-tests --extra scripts/demo.sh \
		--log $$log || rc=$$?; \
	v=$$(grep -a '^demo: [0-9]* of [0-9]* steps' $$log | tail -n1 | tr -d '\r'); \
	echo "$${v:-demo: no verdict; see $$log}"; [ $$rc -eq 0 ] && [ -n "$$v" ]

FLAVOUR ?= arm64
SHARE ?= $(CURDIR)
shell: setup
	scripts/build-flavour $(FLAVOUR)
	scripts/qemu-run --flavour $(FLAVOUR) --shell --share $(SHARE) \
		$(foreach d,$(DATA),--data $(d)) --log $${PTEBATCH_BUILD:-build}/logs/shell.log

check: setup
	scripts/check

lint:
	scripts/check checkpatch layers

# Debian's python3-sphinx; set-up installs it.  No conf.py: the few settings
# are given here.
DOCS_OUT ?= build/docs
docs:
	@command -v sphinx-build >/dev/null || { echo "no sphinx-build: apt-get install python3-sphinx" >&2; exit 1; }
	sphinx-build -C -W -q -b html -D master_doc=index -D project=ptebatch \
		-D exclude_patterns=bench-results.md Documentation $(DOCS_OUT)

soak: setup
	scripts/soak

bench: setup
	scripts/bench
