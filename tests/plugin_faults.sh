#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# plugin_faults.sh - a plugin that breaks the rules is named, not silent:
# a system call outside the seccomp filter gets a log line naming the
# call and the plugin, then mmiod exits non-zero; a failing flush says
# the real error and is not repeated every second.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
mmiod=$builddir/mmiod
plugin=$builddir/tests/plugins/.libs/misbehave.so
. "$srcdir/tests/lib.sh"

work=$(mktemp -d /tmp/mmiod-plugin-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

printf 'vcpus 1\nread 0xfe000000 4\n' >read.sim

region() {
	printf 'mmio = [ "base=0xfe000000,size=16,type=plugin,plugin=%s,does=%s" ]\n' \
		"$plugin" "$1"
}

# The sanitizer build installs no filter (its runtime makes calls of its
# own), so there is nothing to trap there.
if ldd "$mmiod" 2>/dev/null | grep -q libasan; then
	echo "SKIP: seccomp trap: the sanitizer build installs no filter"
else
	region syscall >syscall.cfg
	# mmiod exits in the middle of the guest's read: in a PID namespace
	# of its own (as root), the scripted guest ends with it.
	ns=""
	[ "$(id -u)" -ne 0 ] || ns="unshare --pid --fork --kill-child --mount-proc"
	timeout 20 $ns "$mmiod" --sim read.sim syscall.cfg >syscall.out 2>&1
	status=$?
	line=$(grep seccomp syscall.out)
	if [ $status -ne 0 ] && [ $status -lt 124 ] &&
		printf '%s\n' "$line" | grep -Eq "system call timerfd_create \([0-9]+\)" &&
		printf '%s\n' "$line" | grep -q "plugin .*$plugin"; then
		pass "a forbidden syscall is named with its plugin, exit $status"
	else
		fail "forbidden syscall: exit $status, $(tail -3 syscall.out)"
	fi
fi

# A flush every second for 3.5 s, each failing with errno 0.
region fail-flush >flush.cfg
printf 'vcpus 1\nwrite 0xfe000000 4 1\nsleep 3500\n' >sleep.sim
timeout 20 "$mmiod" --sim sleep.sim flush.cfg >flush.out 2>&1
lines=$(grep -c ': flush failed' flush.out)
if grep -q 'Success' flush.out; then
	fail "a failing flush says 'Success': $(grep -m1 Success flush.out)"
elif [ "$lines" -eq 1 ] &&
	grep -q ': flush failed.*Input/output error' flush.out; then
	pass "a failing flush says EIO, once in 3 seconds"
else
	fail "failing flush: $lines lines: $(grep flush flush.out | head -5)"
fi
# An error text the plugin left without its NUL is cut at the buffer's
# end, not printed past it (ASan reports the overread in build-san).
region unterminated-error >unterminated.cfg
"$mmiod" --sim read.sim unterminated.cfg >unterminated.out 2>&1
status=$?
# mmiod lends create() 512 bytes: 511 of them and the NUL it adds.
run=$(grep -o 'x*' unterminated.out | awk '{ if (length > n) n = length } END { print n + 0 }')
if [ $status -eq 1 ] && [ "$run" -eq 511 ] &&
	grep -Eq 'unterminated.cfg:1: plugin region at 0xfe000000: x+$' unterminated.out; then
	pass "a plugin's unterminated error text is cut at its buffer, exit 1"
else
	fail "unterminated error: exit $status, $run x in a row, $(head -c 300 unterminated.out)"
fi
finish
