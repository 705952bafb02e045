#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
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

# wait_for TEST PATH: up to 5 s for test(1) TEST on PATH to hold.
wait_for() {
	n=0
	while ! test "$1" "$2" && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}

cat > attach.cfg <<'CFG'
domain = "simvm"
unpause = 1
mmio = [ "base=0xfe100000,size=4K,type=ram,file=attach-ram.bin" ]
CFG
printf 'vcpus 1\nsleep 60000\n' > idle.sim

# --- --stats never signals a pid read from a file ------------------------
sleep 300 &
victim=$!
printf 'pid %s\ndomid 1\nserver 0\n' $victim > victim.state
expect "--stats with a state file naming another process: no mmiod serves" 1 \
	'no mmiod serves victim' -- timeout -k 2 10 "$mmiod" --stats --state-dir . victim
printf 'pid -1\ndomid 1\nserver 0\n' > everyone.state
expect "--stats with a state file naming pid -1: no mmiod serves" 1 \
	'no mmiod serves everyone' -- timeout -k 2 10 "$mmiod" --stats --state-dir . everyone
sleep 0.2
if ! exited $victim; then
	pass "the process the state files named survived --stats"
else
	fail "--stats signalled the process its state file named"
fi
kill $victim
wait $victim 2>/dev/null

# --- one instance per guest ----------------------------------------------
"$mmiod" --sim-guest two.sock idle.sim > /dev/null 2>&1 &
guest=$!
wait_for -S two.sock
"$mmiod" --sim-attach two.sock --state-dir . attach.cfg 2> first.log &
first=$!
wait_for -s simvm.state
expect "a second mmiod for the same guest is refused, exit 1" 1 \
	"mmiod for simvm is already running \\(pid $first\\)" \
	-- timeout -k 2 10 "$mmiod" --sim-attach two.sock --state-dir . attach.cfg
if ! exited $first && grep -q "^pid $first\$" simvm.state; then
	pass "the first instance keeps serving and keeps its state file"
else
	fail "after a refused second instance: $(cat simvm.state 2>&1); $(tail -3 first.log)"
fi
expect "--stats asks the running daemon over its control socket" 0 \
	'^requests [0-9]+ buffered 0' -- timeout -k 2 10 "$mmiod" --stats --state-dir . simvm
if [ "$(stat -c %a simvm.ctl 2>&1)" = 600 ] && [ -S simvm.ctl ]; then
	pass "the control socket is a socket of mode 0600"
else
	fail "control socket: $(stat -c '%F %a' simvm.ctl 2>&1)"
fi
kill -USR1 $first
sleep 0.5
if grep -q 'requests [0-9]* buffered' first.log; then
	pass "SIGUSR1 still writes the counters to the log"
else
	fail "SIGUSR1 wrote no counters: $(tail -3 first.log)"
fi
kill -TERM $first
wait_exit $first 10
if [ $status -eq 0 ] && [ ! -e simvm.state ] && [ ! -e simvm.ctl ]; then
	pass "a stopped instance removes its own state file and socket"
else
	fail "stop: status $status, left $(ls simvm.* 2>&1)"
fi
kill $guest 2>/dev/null
wait $guest 2>/dev/null

# --- the pty uarts' console links ----------------------------------------
cat > pty.cfg <<'CFG'
domain = "ptyvm"
unpause = 1
mmio = [ "base=0xfe300000,size=8,type=uart16550,backend=pty",
	"base=0xfe301000,size=8,type=uart16550,backend=file,path=pty-file.out",
	"base=0xfe302000,size=8,type=uart16550,backend=pty" ]
CFG
printf 'vcpus 1\nsleep 1500\nputs 0xfe302000 1 to uart1\\n\nsleep 60000\n' > pty.sim
"$mmiod" --sim-guest pty.sock pty.sim > /dev/null 2>&1 &
guest=$!
wait_for -S pty.sock
"$mmiod" --sim-attach pty.sock --state-dir . pty.cfg 2> pty.log &
pid=$!
wait_for -L ptyvm.uart1
timeout 10 head -1 ptyvm.uart1 > pty.got 2>&1 &
reader=$!
if [ -c "$(readlink ptyvm.uart0)" ] && [ -c "$(readlink ptyvm.uart1)" ] &&
	[ "$(readlink ptyvm.uart0)" != "$(readlink ptyvm.uart1)" ] &&
	[ ! -e ptyvm.uart2 ]; then
	pass "each pty uart (not the file one) gets GUEST.uartN, a link to its pty"
else
	fail "console links: $(ls -l ptyvm.* 2>&1); $(cat pty.log)"
fi
wait $reader
if grep -q 'to uart1' pty.got; then
	pass "what the guest writes to the second pty uart is read through GUEST.uart1"
else
	fail "read through ptyvm.uart1: $(cat pty.got)"
fi
kill -TERM $pid
wait_exit $pid 10
if [ $status -eq 0 ] && [ ! -L ptyvm.uart0 ] && [ ! -L ptyvm.uart1 ]; then
	pass "a stopped mmiod removes its console links"
else
	fail "after the stop: status $status, $(ls -l ptyvm.* 2>&1)"
fi
kill $guest 2>/dev/null
wait $guest 2>/dev/null

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
# A directory, and a symlink (even one to a socket), are not sockets
# either: the uart refuses both and removes neither.
mkdir uart-dir
ln -s two.sock uart-link
for path in uart-dir uart-link; do
	sed "s/uart-file/$path/" uart.cfg > "$path.cfg"
	expect "a uart socket path holding a ${path#uart-} is refused, exit 2" 2 \
		"'$path' exists and is not a socket" \
		-- timeout -k 2 10 "$mmiod" --sim idle.sim "$path.cfg"
done
if [ -d uart-dir ] && [ -L uart-link ]; then
	pass "the directory and the symlink at the uart's path survive"
else
	fail "the uart removed the directory or the symlink at its path"
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

# --- a stop works at every moment of start-up -----------------------------
mkfifo trace.fifo
cat > fifo.cfg <<'CFG'
mmio = [ "base=0xfe000000,size=4K,type=trace,file=trace.fifo" ]
CFG
"$mmiod" --sim-guest fifo.sock idle.sim > /dev/null 2>&1 &
guest=$!
wait_for -S fifo.sock
for mode in sim sim-attach; do
	if [ $mode = sim ]; then
		"$mmiod" --sim idle.sim fifo.cfg > /dev/null 2> fifo.log &
	else
		"$mmiod" --sim-attach fifo.sock --state-dir . fifo.cfg \
			> /dev/null 2> fifo.log &
	fi
	pid=$!
	sleep 0.5
	kill -TERM $pid
	if wait_exit $pid 5 && [ $status -le 1 ] && grep -q 'signal' fifo.log; then
		pass "--$mode: SIGTERM while opening a FIFO device file stops mmiod (status $status)"
	else
		fail "--$mode: SIGTERM while opening a FIFO: status $status; $(cat fifo.log)"
	fi
done
kill $guest
wait $guest 2>/dev/null
if [ ! -e /dev/xen/xenbus ] && [ ! -S /run/xenstored/socket ] &&
	[ ! -S /var/run/xenstored/socket ]; then
	expect "without xenstore, --wait says xenstore is not reachable" 1 \
		'xenstore is not reachable' \
		-- timeout -k 2 10 "$mmiod" --wait -c attach.cfg --state-dir . simvm
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

# --- --sim: destroy, the guest's death, names, file owners ----------------
printf 'vcpus 1\nwrite 0xfe100000 4 5\nread 0xfe100000 4 expect 5\ndestroy\n' > destroy.sim
expect "--sim exits 0 after a destroy when every expect held" 0 \
	'read 0xfe100000 size 4 = 0x5' \
	-- timeout -k 2 20 "$mmiod" --sim destroy.sim attach.cfg

long=$(head -c 5000 /dev/zero | tr '\0' g)
expect "a too-long GUEST is reported as such, exit 2" 2 \
	'GUEST is too long' -- "$mmiod" --stats --state-dir . "$long"

"$mmiod" --sim idle.sim attach.cfg > /dev/null 2>&1 &
pid=$!
n=0
while [ -z "$(cat /proc/$pid/task/$pid/children 2>/dev/null)" ] && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
scripted=$(cat /proc/$pid/task/$pid/children 2>/dev/null)
sleep 0.3
kill -KILL $pid
wait $pid 2>/dev/null
n=0
while [ -n "$scripted" ] && ! exited $scripted && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
if [ -n "$scripted" ] && exited $scripted; then
	pass "the scripted guest dies with a SIGKILLed mmiod --sim"
else
	fail "scripted guest '$scripted' outlived mmiod --sim"
	[ -n "$scripted" ] && kill -KILL $scripted
fi

if [ "$(id -u)" -eq 0 ] && getent passwd nobody > /dev/null; then
	chmod 755 "$work"
	cat > own.cfg <<'CFG'
user = "nobody"
mmio = [
	"base=0xfe000000,size=4K,type=trace,file=own-trace.json",
	"base=0xfe100000,size=4K,type=ram,file=own-ram.bin",
]
CFG
	printf 'vcpus 1\nwrite 0xfe000000 4 1\nsleep 1500\nwrite 0xfe000000 4 2\n' > own.sim
	"$mmiod" --sim own.sim own.cfg > /dev/null 2> own.log &
	pid=$!
	sleep 0.7
	kill -HUP $pid
	wait_exit $pid 20
	owners=$(stat -c %U own-trace.json own-ram.bin | tr '\n' ' ')
	if [ $status -eq 0 ] && [ "$owners" = "nobody nobody " ] &&
		! grep -q 'cannot reopen' own.log; then
		pass "files created before the drop belong to user=, SIGHUP reopens them"
	else
		fail "user= files: status $status, owners $owners; $(grep -i 'reopen\|error' own.log)"
	fi
fi
finish
