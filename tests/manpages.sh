#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# manpages.sh - the manual pages keep up with the programs and the README:
# every option --help lists is in the program's page, and every config
# key and device type of the README's tables is in mmiod.cfg(5).
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
. "$srcdir/tests/lib.sh"

# documented PAGE WHAT TEXT: PAGE holds TEXT as man(7) writes it (a
# hyphen is \-).
documented() {
	if grep -qF -- "$(printf '%s' "$3" | sed 's/-/\\-/g')" "$srcdir/man/$1"; then
		pass "$1 documents $2 $3"
	else
		fail "$1 does not document $2 $3"
	fi
}

for prog in mmiod mmiod-decode; do
	case $prog in
	mmiod) page=mmiod.8 ;;
	*) page=mmiod-decode.1 ;;
	esac
	opts=$("$builddir/$prog" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ -n "$opts" ] || fail "$prog --help lists no option"
	for opt in $opts; do
		documented "$page" option "$opt"
	done
done

# The README's tables: | `key` | ... in Configuration, | `function key` |
# in PCI functions, | `type` | keys | in Devices. A cell's escaped \| is no column separator.
readme=$srcdir/README.md
table() {
	sed -n "/^| $1 |/,/^\$/p" "$readme" | tail -n +3 | sed 's/\\|/ /g'
}
keys=$(table 'key | value | default' | awk -F'|' '{print $2}' | tr -d ' `')
function_keys=$(table 'function key | value | default' | awk -F'|' '{print $2}' |
	tr -d ' `')
types=$(table 'type | keys | what it does' | awk -F'|' '{print $2}' | tr -d ' `')
device_keys=$(table 'type | keys | what it does' | awk -F'|' '{print $3}' |
	grep -o '`[a-z_0-9]*=' | tr -d '`=' | sort -u)
[ -n "$keys" ] && [ -n "$types" ] && [ -n "$device_keys" ] &&
	[ -n "$function_keys" ] ||
	fail "the README's config tables were not found"
for key in $keys base size type slot function $device_keys $function_keys; do
	documented mmiod.cfg.5 key ".BI $key="
done
for type in $types; do
	documented mmiod.cfg.5 "device type" ".SS $type"
done
finish
