#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# systemd.sh - the unit installs where systemd looks and passes
# systemd-analyze verify, with the sysusers and tmpfiles snippets.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
. "$srcdir/tests/lib.sh"

root=$(mktemp -d /tmp/mmiod-install-XXXXXX)
trap 'rm -rf "$root"' EXIT
if make -C "$builddir" install DESTDIR="$root" >"$root.log" 2>&1; then
	pass "make install"
else
	fail "make install: $(tail -5 "$root.log")"
fi
rm -f "$root.log"
unit=$(find "$root" -name 'mmiod@.service' | head -1)
for f in "$unit" "$(find "$root" -path '*sysusers.d/mmiod.conf')" \
	"$(find "$root" -path '*tmpfiles.d/mmiod.conf')" \
	"$(find "$root" -name mmiod-device.h)"; do
	if [ -n "$f" ] && [ -s "$f" ]; then
		pass "installed ${f#"$root"}"
	else
		fail "a unit, snippet or header was not installed"
	fi
done
bin=$(find "$root" -type f -name mmiod -perm -u+x | head -1)
if grep -q "^ExecStart=${bin#"$root"} --wait %i$" "$unit"; then
	pass "ExecStart names the installed binary"
else
	fail "ExecStart: $(grep ExecStart "$unit")"
fi

if ! command -v systemd-analyze >/dev/null; then
	fail "systemd-analyze is missing (scripts/setup-deps installs systemd)"
	finish
	exit
fi
# verify resolves ExecStart, so point it at the installed binary.
mkdir -p "$root/verify"
sed "s|^ExecStart=[^ ]*|ExecStart=$bin|" "$unit" > "$root/verify/mmiod@vm1.service"
if out=$(systemd-analyze verify --man=no "$root/verify/mmiod@vm1.service" 2>&1) &&
	! printf '%s\n' "$out" | grep -q 'mmiod@'; then
	pass "systemd-analyze verify"
else
	fail "systemd-analyze verify: $out"
fi
finish
