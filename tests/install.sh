#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# install.sh - make install lays out what an administrator and a plugin
# author need: programs, man pages that render, examples whose files exist,
# the config directory and a pkg-config file that builds the example plugin.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
. "$srcdir/tests/lib.sh"

root=$(mktemp -d /tmp/mmiod-install-XXXXXX)
trap 'rm -rf "$root"' EXIT
if ! make -C "$builddir" install DESTDIR="$root" >"$root/make.log" 2>&1; then
	fail "make install: $(tail -5 "$root/make.log")"
	finish
	exit
fi

# installed NAME FIND-ARGS...: the one installed file FIND-ARGS select.
installed() {
	find "$root" ! -path "$root/make.log" "$@" | head -1
}

for f in sbin/mmiod bin/mmiod-decode man8/mmiod.8 man5/mmiod.cfg.5 \
	man1/mmiod-decode.1 pkgconfig/mmiod.pc examples/vm1.cfg \
	examples/sim.cfg examples/hello.sim examples/plugin/counter.c; do
	if [ -n "$(installed -type f -path "*/$f")" ]; then
		pass "installs $f"
	else
		fail "no $f installed"
	fi
done

if [ -n "$(installed -type d -path '*/etc/xen/mmiod')" ]; then
	pass "creates /etc/xen/mmiod"
else
	fail "no etc/xen/mmiod directory"
fi

# Every ROM image an installed example names must be installed too.
roms=0
# shellcheck disable=SC2044 # mktemp's paths have no spaces
for cfg in $(find "$root" -type f -path '*/examples/*.cfg'); do
	for rom in $(grep -o 'type=rom, *file=[^",]*' "$cfg" | sed 's/.*file=//'); do
		roms=$((roms + 1))
		if [ -f "$root$rom" ]; then
			pass "$(basename "$cfg")'s ROM $rom is installed"
		else
			fail "$(basename "$cfg") names the ROM $rom, which is not installed"
		fi
	done
done
[ "$roms" -gt 0 ] || fail "no installed example has a rom region"

if ! command -v man >/dev/null; then
	fail "man is missing (scripts/setup-deps installs man-db)"
else
	# shellcheck disable=SC2044 # mktemp's paths have no spaces
	for page in $(find "$root" -type f -path '*/man/man*/*'); do
		warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		if [ -z "$warnings" ]; then
			pass "man --warnings $(basename "$page") is quiet"
		else
			fail "man --warnings $(basename "$page"): $warnings"
		fi
	done
fi

# The example plugin builds as its comment says, with the installed
# header found through the installed pkg-config file.
pc=$(installed -type f -name mmiod.pc)
if [ -z "$pc" ]; then
	fail "no mmiod.pc, so the example plugin can't be built"
else
	pcdir=$(dirname "$pc")
	prefix=$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=prefix mmiod)
	cflags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags mmiod \
		--define-variable=prefix="$root$prefix")
	# shellcheck disable=SC2086 # cflags are words
	if out=$(cc -shared -fPIC -o "$root/counter.so" \
		"$(installed -type f -path '*/examples/plugin/counter.c')" \
		$cflags 2>&1); then
		pass "counter.c builds with pkg-config --cflags mmiod"
	else
		fail "counter.c with cflags '$cflags': $out"
	fi
fi
finish
