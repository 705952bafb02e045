#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# journal.sh - log lines carry their sd-daemon priority ("<3>" ...) when
# stderr is the journal (JOURNAL_STREAM names it), and are plain otherwise.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
mmiod=$builddir/mmiod
. "$srcdir/tests/lib.sh"

work=$(mktemp -d /tmp/mmiod-journal-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
printf 'mmio = [ "base=0xfe100000,size=4K,type=ram" ]\n' >ram.cfg

# An error line: nothing listens at the socket.
error_line() {
	"$mmiod" --sim-attach "$work/no.sock" ram.cfg 2>>"$1"
	grep 'cannot attach' "$1"
}

: >journal.log
line=$(JOURNAL_STREAM=$(stat -c %d:%i journal.log) error_line journal.log)
case $line in
"<3>mmiod: error: cannot attach"*) pass "stderr is the journal: <3> on an error line" ;;
*) fail "stderr is the journal, but the error line is '$line'" ;;
esac

: >plain.log
line=$(unset JOURNAL_STREAM; error_line plain.log)
case $line in
"mmiod: error: cannot attach"*) pass "no JOURNAL_STREAM: a plain line" ;;
*) fail "without JOURNAL_STREAM the error line is '$line'" ;;
esac

# systemd's stream, inherited by a process whose stderr went elsewhere.
: >other.log
: >redirected.log
line=$(JOURNAL_STREAM=$(stat -c %d:%i other.log) error_line redirected.log)
case $line in
"mmiod: error: cannot attach"*) pass "JOURNAL_STREAM names another file: a plain line" ;;
*) fail "stderr redirected away from the journal, but the line is '$line'" ;;
esac
finish
