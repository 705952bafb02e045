#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# cli.sh - mmiod's command line: help, version, --check-config, usage errors
# (exit 2 with a message naming the option or file:line).
srcdir=${top_srcdir:-.}
mmiod=${top_builddir:-.}/mmiod
. "$srcdir/tests/lib.sh"

expect "help lists the options" 0 'check-config' -- "$mmiod" --help
expect "version prints the version" 0 '^mmiod [0-9]+\.[0-9]+' -- "$mmiod" --version
# vm1.cfg runs as user mmiod, which the package creates; where it does
# not exist --check-config rightly refuses it, so check a copy as root.
example=$srcdir/examples/vm1.cfg
if ! getent passwd mmiod >/dev/null; then
	example=$(mktemp /tmp/mmiod-vm1-XXXXXX.cfg)
	trap 'rm -f "$example"' EXIT
	sed 's/^user = "mmiod"/user = "root"/' "$srcdir/examples/vm1.cfg" > "$example"
fi
expect "example config is valid" 0 'pio +0x0000000000000510 0x0000000000000513 0x4 +trace' \
	-- "$mmiod" --check-config "$example"
expect "overlap names file, line and both regions" 2 \
	'overlap.cfg:4: mmio\[1\].*overlaps the ram region 0xfe000000-0xfe000fff on line 3' \
	-- "$mmiod" --check-config "$srcdir/tests/configs/overlap.cfg"
expect "unknown device key names file, line, key and valid keys" 2 \
	'bad-device-key.cfg:3: trace region at 0xfe000000: colour: unknown key.*valid: .*read_value' \
	-- "$mmiod" --check-config "$srcdir/tests/configs/bad-device-key.cfg"
expect "check-config: a user that does not exist, with file:line" 2 \
	"bad-user.cfg:2: user: no user 'no-such-user-mmiod' on this machine" \
	-- "$mmiod" --check-config "$srcdir/tests/configs/bad-user.cfg"
expect "help says that check-config runs plugins' code" 0 \
	'loads plugins' -- "$mmiod" --help
expect "missing config file" 2 'nonexistent.cfg: cannot open' \
	-- "$mmiod" --check-config /nonexistent.cfg
expect "unknown option" 2 '--frobnicate: unknown option' -- "$mmiod" --frobnicate
expect "option without its argument" 2 'needs an argument' -- "$mmiod" --check-config
expect "bad log level lists the levels" 2 'valid: error, warn, info, debug' \
	-- "$mmiod" --log-level loud vm1
expect "missing GUEST" 2 'GUEST is missing' -- "$mmiod"

decode=${top_builddir:-.}/mmiod-decode
expect "mmiod-decode: a store, as JSON" 0 \
	'^\{"mnemonic":"mov","length":2,"access":"write","size":4,"count":1,"value":"0x55667788","extend":"none"\}$' \
	-- "$decode" --reg rcx=0x1122334455667788 "89 08"
expect "mmiod-decode: a sign-extending read with the registers after it" 0 \
	'"register":"eax","extend":"sign","regs":\{"rax":"0xffffff80",.*"rip":"0x3"' \
	-- "$decode" --reg rax=0x1122334455667788 --read-value 0x80 0fbe00
expect "mmiod-decode: rep stos counts from rcx in 16-bit mode" 0 \
	'"mnemonic":"rep stosw","length":2,"access":"write","size":2,"count":3' \
	-- "$decode" --mode 16 --reg rcx=0x10003 "f3 ab"
expect "mmiod-decode: unsupported instruction, exit 2" 2 \
	'unsupported instruction syscall \(0f 05\)' -- "$decode" "0f 05"
expect "mmiod-decode: bad mode, exit 2" 2 "--mode: '8' is not 16, 32 or 64" \
	-- "$decode" --mode 8 "89 08"
expect "mmiod-decode: not hex, exit 2" 2 "is not hex bytes" -- "$decode" "zz"
expect "mmiod-decode: 0x-prefixed bytes are the same bytes" 0 \
	'^\{"mnemonic":"mov","length":2,"access":"write","size":4' \
	-- "$decode" "0x89 0x08"
expect "mmiod-decode: one 0x group is its bytes in order" 0 \
	'^\{"mnemonic":"mov","length":2,"access":"write","size":4' \
	-- "$decode" "0x8908"
expect "mmiod-decode: a sign is not hex" 2 "'\+890' is not hex bytes" \
	-- "$decode" "+890"
expect "mmiod-decode: an odd digit count is refused" 2 \
	"'0x1 89' is not hex bytes" -- "$decode" "0x1 89"
expect "mmiod-decode: --version" 0 '^mmiod-decode [0-9]+\.[0-9]+' \
	-- "$decode" --version
# One message per bad option: getopt's own and ours would be two lines.
one_line() {
	name=$1 pattern=$2
	shift 2
	out=$("$@" 2>&1)
	status=$?
	if [ "$status" -ne 2 ] || [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ] ||
		! printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
		fail "$name: exit status $status, output: $out"
	else
		pass "$name"
	fi
}
one_line "mmiod-decode: an unknown option, one message" \
	'^mmiod-decode: --frobnicate: unknown option' \
	"$decode" --frobnicate "89 08"
one_line "mmiod-decode: a missing argument, one message" \
	'^mmiod-decode: --mode: needs an argument' "$decode" --mode
# A fault_socket naming a file that is not a socket (here the guest's
# ram file) is refused at load time, with its line, and the file stays.
fs_dir=$(mktemp -d /tmp/mmiod-cli-XXXXXX)
printf 'the ram\n' > "$fs_dir/ram.bin"
printf 'fault_socket = "%s"\nmmio = [ "base=0xfe000000,size=4K,type=ram,file=%s" ]\n' \
	"$fs_dir/ram.bin" "$fs_dir/ram.bin" > "$fs_dir/fs.cfg"
expect "--check-config: a fault_socket that is a regular file, file:line, exit 2" 2 \
	"fs.cfg:1: fault_socket: .*not a socket" -- "$mmiod" --check-config "$fs_dir/fs.cfg"
if [ "$(cat "$fs_dir/ram.bin")" = "the ram" ]; then
	pass "the file at the fault_socket path is left alone"
else
	fail "the file at the fault_socket path changed"
fi
rm -rf "$fs_dir"
finish
