#!/bin/sh
# daemon_state.sh - what mmiod does to the files, sockets, processes and
# signals around it, and what they do to it. Runs in a PID namespace of
# its own (tests/pidns.sh): it sends signals, and checks that mmiod sends
# none where it mustn't.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
. "$srcdir/tests/pidns.sh"
builddir=$(cd "${top_builddir:-.}" && pwd)
mmiod=$builddir/mmiod
. "$srcdir/tests/lib.sh"

work=$(mktemp -d /tmp/mmiod-state-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

printf 'vcpus 1\nsleep 60000\n' > idle.sim

# --- sockets never replace what isn't a socket --------------------------
echo precious > uart-file
cat > uart.cfg <<'CFG'
mmio = [ "base=0xfe300000,size=8,type=uart16550,backend=unix,path=uart-file" ]
CFG
expect "a uart socket path holding a regular file is refused, exit 2" 2 \
	"uart.cfg:1: uart16550 region at 0xfe300000: path: 'uart-file' exists and is not a socket" \
	-- timeout -k 2 10 "$mmiod" --check-config uart.cfg
expect "--sim refuses the uart socket path too, exit 2" 2 \
	"'uart-file' exists and is not a socket" \
	-- timeout -k 2 20 "$mmiod" --sim idle.sim uart.cfg
if [ "$(cat uart-file)" = precious ]; then
	pass "the regular file at the uart's socket path survives"
else
	fail "the uart removed or changed the regular file at its path"
fi
echo precious > guest-file
expect "--sim-guest refuses a SOCKET path holding a regular file, exit 2" 2 \
	"guest-file.*exists and is not a socket" \
	-- timeout -k 2 15 "$mmiod" --sim-guest guest-file idle.sim
if [ "$(cat guest-file)" = precious ]; then
	pass "the regular file at --sim-guest's SOCKET survives"
else
	fail "--sim-guest removed or changed the regular file at SOCKET"
fi

finish
