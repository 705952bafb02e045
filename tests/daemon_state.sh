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

# exited PID: true once PID is gone or a zombie.
exited() {
	state=$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null)
	[ -z "$state" ] || [ "$state" = Z ]
}

# wait_exit PID SECONDS: waits at most SECONDS for PID (a child) to exit
# and sets $status; on a timeout kills it, sets status 124, returns 1.
wait_exit() {
	n=0
	while ! exited "$1" && [ $n -lt $(($2 * 10)) ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if ! exited "$1"; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		status=124
		return 1
	fi
	wait "$1"
	status=$?
	return 0
}

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

# --- the uart never blocks on a reader that doesn't read ------------------
line=$(head -c 900 /dev/zero | tr '\0' x)
{
	echo "vcpus 1"
	i=0
	while [ $i -lt 120 ]; do
		echo "puts 0xfe300000 1 $line\\n"
		i=$((i + 1))
	done
} > flood.sim
cat > stdio.cfg <<'CFG'
mmio = [ "base=0xfe300000,size=8,type=uart16550,backend=stdio" ]
CFG
mkfifo full.fifo
sleep 120 < full.fifo &
reader=$!
"$mmiod" --sim flood.sim stdio.cfg > full.fifo 2> stdio.log &
pid=$!
if wait_exit $pid 30 && [ $status -eq 0 ]; then
	pass "a uart on a stdout nobody reads drops the output and mmiod finishes"
else
	fail "uart on a full stdout pipe: status $status; $(tail -3 stdio.log)"
fi
kill $reader
wait $reader 2>/dev/null

finish
