#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# script.sh - the --sim script parser: long lines, NUL bytes, 20-bit
# buffered addresses, VALUE against SIZE, and files that are not regular
# files or are too large, each refused with FILE:LINE or the file's name.
srcdir=${top_srcdir:-.}
builddir=$(cd "${top_builddir:-.}" && pwd)
mmiod=$builddir/mmiod
srcdir=$(cd "$srcdir" && pwd)
. "$srcdir/tests/lib.sh"

work=$(mktemp -d /tmp/mmiod-script-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

cat > trace.cfg <<'CFG'
mmio = [ "base=0xfe000000,size=4K,type=trace,file=trace.json" ]
CFG

# 3,000 bytes of text on one puts line: every byte reaches the device.
text=$(head -c 3000 /dev/zero | tr '\0' 'x')
printf 'puts 0xfe000000 1 %s\n' "$text" > long.sim
expect "puts sends a 3,000-byte line whole" 0 '' \
	-- "$mmiod" --sim long.sim trace.cfg
writes=$(grep -c '"dir":"write","value":"0x78"' trace.json)
if [ "$writes" = 3000 ]; then
	pass "the trace holds 3000 writes of 'x'"
else
	fail "the trace holds $writes writes of 'x', not 3000"
fi

printf 'write 0xfe000000 4 1\nputs 0xfe000000 1 ab\000cd\n' > nul.sim
expect "a NUL byte is refused with its line" 2 'nul.sim:2: .*NUL' \
	-- "$mmiod" --sim nul.sim trace.cfg

printf 'buffered-write 0x100000 4 1\n' > buf.sim
expect "buffered-write above 20 bits is refused" 2 \
	'buf.sim:1: .*0x100000.*0xfffff' -- "$mmiod" --sim buf.sim trace.cfg

printf 'write 0xfe000000 1 0x1ff\n' > value.sim
expect "VALUE wider than SIZE is refused" 2 \
	'value.sim:1: VALUE 0x1ff does not fit in SIZE 1 \(at most 0xff\)' \
	-- "$mmiod" --sim value.sim trace.cfg
printf 'read 0xfe000000 2 expect 0x10000\n' > expect.sim
expect "an expect VALUE wider than SIZE is refused" 2 \
	'expect.sim:1: VALUE 0x10000 does not fit in SIZE 2' \
	-- "$mmiod" --sim expect.sim trace.cfg
printf 'write 0xfe000000 8 0xffffffffffffffff\n' > wide.sim
expect "an 8-byte VALUE may use every bit" 0 '' \
	-- "$mmiod" --sim wide.sim trace.cfg

mkfifo fifo.sim
expect "a FIFO is refused, not waited on" 2 'fifo.sim: not a regular file' \
	-- timeout 10 "$mmiod" --sim fifo.sim trace.cfg
expect "a device is refused" 2 '/dev/zero: not a regular file' \
	-- timeout 10 "$mmiod" --sim /dev/zero trace.cfg
head -c 1048577 /dev/zero | tr '\0' '#' > big.sim
expect "a script over 1 MiB is refused" 2 'big.sim: larger than 1 MiB' \
	-- "$mmiod" --sim big.sim trace.cfg
finish
