#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# spdx.sh - scripts/check-spdx names every file without the licence line,
# and scripts/add-spdx adds it in each file type's comment syntax (after a
# shebang), keeps modes, leaves data files alone and is idempotent.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
. "$srcdir/tests/lib.sh"

if ! command -v git >/dev/null; then
	fail "git is missing (the scripts list a checkout's files with it)"
	finish
	exit
fi
tree=$(mktemp -d /tmp/mmiod-spdx-XXXXXX)
trap 'rm -rf "$tree"' EXIT
git -C "$tree" init -q
mkdir -p "$tree/man" "$tree/debian" "$tree/scripts"
printf '/* a.c - a file. */\nint a;\n' >"$tree/a.c"
printf '/* b.h - a header. */\n' >"$tree/b.h"
printf '#!/bin/sh\n# t.sh - a test.\ntrue\n' >"$tree/t.sh"
printf '#!/bin/sh\n# run - a script without a suffix.\ntrue\n' >"$tree/scripts/run"
printf '#!/usr/bin/make -f\n%%:\n\tdh $@\n' >"$tree/debian/rules"
printf '# Makefile.am\nbin_PROGRAMS =\n' >"$tree/Makefile.am"
printf 'AC_INIT([x], [1])\n' >"$tree/configure.ac"
printf '[Unit]\nDescription=x\n' >"$tree/x.service.in"
printf '.TH X 8\n' >"$tree/man/x.8"
printf 'domain = "vm1"\n' >"$tree/data.cfg"
printf 'int ignored;\n' >"$tree/ignored.c"
printf 'ignored.c\n' >"$tree/.gitignore"
chmod +x "$tree/t.sh" "$tree/scripts/run" "$tree/debian/rules"
sources="a.c b.h t.sh scripts/run debian/rules Makefile.am configure.ac
x.service.in man/x.8"

out=$(sh "$srcdir/scripts/check-spdx" "$tree" 2>&1)
status=$?
[ "$status" -eq 1 ] && pass "check-spdx fails on a tree without the line" ||
	fail "check-spdx: exit status $status, expected 1: $out"
for f in $sources; do
	printf '%s\n' "$out" | grep -q "^$f: " && pass "check-spdx names $f" ||
		fail "check-spdx does not name $f: $out"
done
printf '%s\n' "$out" | grep -Eq '^(data.cfg|ignored.c|.gitignore):' &&
	fail "check-spdx names a data or ignored file: $out" ||
	pass "check-spdx leaves data and ignored files alone"

# The checkout's own copy rewrites itself as it runs, as in this tree
# (copied without the line, whether or not this tree has it yet).
for f in add-spdx spdx-lib.sh; do
	grep -vxF '# SPDX-License-Identifier: BSD-2-Clause' "$srcdir/scripts/$f" \
		>"$tree/scripts/$f"
done
sources="$sources scripts/add-spdx scripts/spdx-lib.sh"
expect "add-spdx survives adding the line to itself" 0 \
	'added the licence line to 11 files' -- sh "$tree/scripts/add-spdx"
id="SPDX-License-Identifier: BSD-2-Clause"
# line FILE N WANT: line N of FILE is WANT.
line() {
	got=$(sed -n "${2}p" "$tree/$1")
	[ "$got" = "$3" ] && pass "$1 line $2: $3" ||
		fail "$1 line $2 is '$got', expected '$3'"
}
line a.c 1 "/* $id */"
line a.c 2 "/* a.c - a file. */"
line b.h 1 "/* $id */"
line t.sh 1 "#!/bin/sh"
line t.sh 2 "# $id"
line scripts/run 2 "# $id"
line debian/rules 1 "#!/usr/bin/make -f"
line debian/rules 2 "# $id"
line Makefile.am 1 "# $id"
line configure.ac 1 "# $id"
line x.service.in 1 "# $id"
line man/x.8 1 ".\\\" $id"
for f in t.sh scripts/run debian/rules; do
	[ -x "$tree/$f" ] && pass "$f is still executable" ||
		fail "$f lost its mode"
done
[ "$(cat "$tree/data.cfg")" = 'domain = "vm1"' ] &&
	[ "$(cat "$tree/ignored.c")" = 'int ignored;' ] &&
	pass "add-spdx leaves data and ignored files alone" ||
	fail "add-spdx changed data.cfg or ignored.c"

expect "check-spdx passes once add-spdx ran" 0 '^$' -- \
	sh "$srcdir/scripts/check-spdx" "$tree"
before=$(cd "$tree" && cat $sources | cksum)
expect "add-spdx again adds nothing" 0 'added the licence line to 0 files' -- \
	sh "$srcdir/scripts/add-spdx" "$tree"
[ "$(cd "$tree" && cat $sources | cksum)" = "$before" ] &&
	pass "add-spdx again changes nothing" || fail "add-spdx is not idempotent"
finish
