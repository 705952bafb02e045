#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sim.sh - mmiod --sim end to end: daemon and scripted guest as separate
# processes, real configs, devices checked on disk afterwards.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
# It sends SIGTERM and SIGKILL: only ever inside a PID namespace.
. "$srcdir/tests/pidns.sh"
builddir=$(cd "${top_builddir:-.}" && pwd)
mmiod=$builddir/mmiod
. "$srcdir/tests/lib.sh"

work=$(mktemp -d /tmp/mmiod-sim-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

expect "example script passes every expect" 0 'rep-read 0xfe100100 x8: (0xa5a5a5a5 ){7}0xa5a5a5a5' \
	-- "$mmiod" --sim "$srcdir/examples/hello.sim" "$srcdir/examples/sim.cfg"
if grep -q '"addr":"0xfe000000","size":4,"dir":"write","value":"0x12345678"' sim-trace.json; then
	pass "trace file holds the guest's write"
else
	fail "trace file lacks the guest's write: $(cat sim-trace.json)"
fi
# Bytes 0-7 of the ram file: the 8-byte write, little-endian.
if [ "$(od -An -tx1 -N8 sim-nvram.bin | tr -d ' ')" = 8877665544332211 ]; then
	pass "ram file holds the guest's write after exit"
else
	fail "ram file: $(od -An -tx1 -N8 sim-nvram.bin)"
fi

cat > fail.sim <<'SIM'
vcpus 1
write 0xfe100010 4 7
read 0xfe100010 4 expect 8
SIM
expect "a failed expect names the line and the value, exit 1" 1 \
	'fail.sim:3: expect failed: read 0xfe100010 gave 0x7, expected 0x8' \
	-- "$mmiod" --sim fail.sim "$srcdir/examples/sim.cfg"

printf 'vcpus 1\nwrit 0xfe100000 4 7\n' > typo.sim
expect "an unknown command names file and line, exit 2" 2 \
	"typo.sim:2: unknown command 'writ'" \
	-- "$mmiod" --sim typo.sim "$srcdir/examples/sim.cfg"
printf 'read 0xfe100000 3\n' > size.sim
expect "a bad size says what is valid, exit 2" 2 \
	'size.sim:1: SIZE 3 must be 1, 2, 4 or 8' \
	-- "$mmiod" --sim size.sim "$srcdir/examples/sim.cfg"
expect "a bad config is refused before the guest starts, exit 2" 2 \
	'overlap.cfg:4:' \
	-- "$mmiod" --sim "$srcdir/examples/hello.sim" "$srcdir/tests/configs/overlap.cfg"

# poll_us: a worker that spins after each answer serves the guest's
# next request before its event, and every request exactly once.
cat > poll.cfg <<'CFG'
poll_us = 1000
mmio = [ "base=0xfe000000, size=4K, type=ram" ]
CFG
{
	echo "vcpus 1"
	i=0
	while [ $i -lt 500 ]; do
		echo "write 0xfe000000 4 $i"
		echo "read 0xfe000000 4 expect $i"
		i=$((i + 1))
	done
} > poll.sim
expect "with poll_us, requests are served by the spin, each once" 0 \
	'^requests 1000 buffered 0 spurious [0-9]+ swept 0 polled [1-9][0-9]* ' \
	-- "$mmiod" --sim poll.sim poll.cfg
printf 'poll_us = 2000\n' > badpoll.cfg
expect "poll_us out of range names file, line, key and range, exit 2" 2 \
	'badpoll.cfg:1: poll_us: .2000. is not a number from 0 to 1000' \
	-- "$mmiod" --sim poll.sim badpoll.cfg

# SIGTERM in the middle of a load: the daemon stops cleanly, exit 0, and
# nothing the guest wrote is lost. Each round writes i to ram, then i to
# the trace: when it stops, the trace holds 0..N-1 in order and the ram
# holds N-1 or N (the trace write of round N may not have happened).
{
	echo "vcpus 1"
	i=0
	while [ $i -lt 20000 ]; do
		echo "write 0xfe100000 4 $i"
		echo "write 0xfe000000 4 $i"
		i=$((i + 1))
	done
} > load.sim
rm -f sim-trace.json sim-nvram.bin
"$mmiod" --sim load.sim "$srcdir/examples/sim.cfg" >/dev/null 2>daemon.log &
pid=$!
ram_value() {
	v=$(od -An -tu4 -N4 sim-nvram.bin 2>/dev/null | tr -d ' ')
	echo "${v:-0}"
}
n=0
while [ "$(ram_value)" -lt 500 ] && [ $n -lt 200 ]; do
	sleep 0.05
	n=$((n + 1))
done
kill -TERM $pid
wait $pid
status=$?
ram=$(od -An -tu4 -N4 sim-nvram.bin | tr -d ' ')
records=$(grep -c '"dir":"write"' sim-trace.json)
in_order=$(grep '"dir":"write"' sim-trace.json |
	sed 's/.*"value":"0x\([0-9a-f]*\)".*/\1/' |
	awk 'function hex(s, i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	{ if (hex($1) != NR - 1) bad++ } END { print bad + 0 }')
if [ $status -eq 0 ] && [ "$records" -ge 500 ] && [ "$records" -lt 20000 ] &&
	[ "$in_order" -eq 0 ] &&
	{ [ "$ram" -eq "$records" ] || [ "$ram" -eq $((records - 1)) ]; }; then
	pass "SIGTERM mid-load: exit 0, $records trace records in order, ram $ram"
else
	fail "SIGTERM mid-load: status $status, $records records ($in_order out of order), ram $ram; $(tail -3 daemon.log)"
fi

# kill_attached SOCKET SCRIPT OUT SECONDS: a simulated domain running
# SCRIPT at SOCKET (its output in OUT, its pid in $guest) and an mmiod
# attached to it with attach.cfg, SIGKILLed SECONDS after it serves.
kill_attached() {
	"$mmiod" --sim-guest "$1" "$2" > "$3" 2>&1 &
	guest=$!
	n=0
	while [ ! -S "$1" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	"$mmiod" --sim-attach "$1" --state-dir . attach.cfg 2> first.log &
	first=$!
	n=0
	while [ ! -s simvm.state ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	sleep "$4"
	kill -KILL $first
	wait $first 2>/dev/null
}

# A simulated domain that outlives its device model: SIGKILL mmiod while
# the guest sleeps, start it again, and the guest goes on being served.
cat > attach.cfg <<'CFG'
domain = "simvm"
unpause = 1
mmio = [ "base=0xfe100000,size=4K,type=ram,file=attach-ram.bin" ]
CFG
cat > attach.sim <<'SIM'
vcpus 2
write 0xfe100000 4 0x11111111
sleep 2000
read 0xfe100000 4 expect 0x11111111
on vcpu 1
write 0xfe100004 4 0x22222222
destroy
SIM
kill_attached attach.sock attach.sim guest.out 0.3
"$mmiod" --sim-attach attach.sock --state-dir . attach.cfg 2> second.log
second_status=$?
wait $guest
guest_status=$?
if grep -q 'reclaiming ioreq server 0 left by pid' second.log; then
	pass "a restarted mmiod destroys the server its killed predecessor left"
else
	fail "no stale server cleanup: $(cat second.log)"
fi
if [ $guest_status -eq 0 ] && grep -q '= 0x11111111' guest.out; then
	pass "the guest is served again after the restart, ram intact"
else
	fail "guest after restart: status $guest_status, $(cat guest.out)"
fi
if [ $second_status -eq 0 ] && grep -q 'domain 1 is gone' second.log &&
	[ "$(od -An -tx4 -N8 attach-ram.bin | tr -s ' ')" = ' 11111111 22222222' ]; then
	pass "domain death: mmiod exits 0 and the ram file holds every write"
else
	fail "domain death: status $second_status, ram $(od -An -tx4 -N8 attach-ram.bin), $(cat second.log)"
fi
if [ ! -e simvm.state ]; then
	pass "a clean exit removes the state file"
else
	fail "state file left behind after a clean exit"
fi

# --stats reads a running daemon's counters, whole every time.
printf 'vcpus 1\nsleep 60000\n' > idle.sim
"$mmiod" --sim-guest idle.sock idle.sim > /dev/null 2>&1 &
guest=$!
n=0
while [ ! -S idle.sock ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
"$mmiod" --sim-attach idle.sock --state-dir . attach.cfg 2>/dev/null &
first=$!
n=0
while [ ! -s simvm.state ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
expect "mmiod --stats prints the running daemon's counters" 0 \
	'^requests [0-9]+ buffered 0' -- "$mmiod" --stats --state-dir . simvm
# The daemon answers each --stats whole over its control socket:
# back-to-back readers never get an empty or half answer.
torn=0
i=0
while [ $i -lt 100 ]; do
	"$mmiod" --stats --state-dir . simvm 2>/dev/null | grep -q '^pio ' ||
		torn=$((torn + 1))
	i=$((i + 1))
done
if [ $torn -eq 0 ]; then
	pass "100 back-to-back --stats reads are all complete"
else
	fail "$torn of 100 --stats reads were empty or torn"
fi
kill -TERM $first
wait $first 2>/dev/null
kill $guest 2>/dev/null
wait $guest 2>/dev/null

# A request sent while mmiod is dead waits in the killed mmiod's server,
# which is still enabled; the restarted mmiod must answer it before it
# destroys that server, or the vCPU hangs (Xen never wakes it).
rm -f attach-ram.bin
cat > waiting.sim <<'SIM'
vcpus 1
write 0xfe100000 4 0x11111111
sleep 1500
write 0xfe100004 4 0x22222222
read 0xfe100004 4 expect 0x22222222
destroy
SIM
kill_attached waiting.sock waiting.sim waiting.out 0.5
sleep 2 # the guest's second write now waits in the dead mmiod's server
"$mmiod" --sim-attach waiting.sock --state-dir . attach.cfg 2> second.log
wait $guest
guest_status=$?
if [ $guest_status -eq 0 ] && grep -q 'after answering 1 request left' second.log &&
	[ "$(od -An -tx4 -N8 attach-ram.bin | tr -s ' ')" = ' 11111111 22222222' ]; then
	pass "a request waiting through SIGKILL and restart is answered, nothing lost"
else
	fail "waiting request after restart: guest $guest_status, ram $(od -An -tx4 -N8 attach-ram.bin), $(cat waiting.out second.log)"
fi

# Every device type in one guest: ram, rom, trace, uart16550, plugin.
printf 'ROMDATA!' > rom.bin
cat > all.cfg <<CFG
mmio = [
	"base=0xfe000000,size=4K,type=trace,file=all-trace.json",
	"base=0xfe100000,size=4K,type=ram,file=all-ram.bin",
	"base=0xfe200000,size=4K,type=rom,file=rom.bin",
	"base=0xfe300000,size=8,type=uart16550,backend=file,path=uart.out",
	"base=0xfe400000,size=16,type=plugin,plugin=$builddir/examples/plugin/.libs/counter.so,start=5",
]
CFG
cat > all.sim <<'SIM'
vcpus 2
write 0xfe000010 2 0xbeef
write 0xfe100000 4 0x600dcafe
read 0xfe100000 4 expect 0x600dcafe
read 0xfe200000 8 expect 0x21415441444d4f52
write 0xfe200000 4 0
read 0xfe200000 4 expect 0x444d4f52
read 0xfe300005 1 expect 0x60
puts 0xfe300000 1 Linux version 6.1 (simulated)\n
on vcpu 1
write 0xfe400008 8 0x77
write 0xfe400008 8 0x78
read 0xfe400000 8 expect 7
read 0xfe400008 8 expect 0x78
SIM
expect "every device type serves a guest" 0 'read 0xfe400000 size 8 = 0x7' \
	-- "$mmiod" --sim all.sim all.cfg
if grep -q '^Linux version 6.1 (simulated)$' uart.out; then
	pass "uart16550 output reaches its file backend"
else
	fail "uart.out: $(cat uart.out)"
fi
if [ "$(cat rom.bin)" = 'ROMDATA!' ]; then
	pass "rom file is never written"
else
	fail "rom file changed: $(cat rom.bin)"
fi

sed 's/start=5/start=x/' all.cfg > badplugin.cfg
expect "a plugin rejects a bad key through mmiod, exit 2" 2 \
	"badplugin.cfg:6: plugin region at 0xfe400000: start: 'x' is not a number" \
	-- "$mmiod" --check-config badplugin.cfg
sed 's|plugin=[^,]*,|plugin=/nonexistent.so,|' all.cfg > noplugin.cfg
expect "a missing plugin is a config error, exit 2" 2 \
	'noplugin.cfg:6: .*plugin: cannot load' \
	-- "$mmiod" --check-config noplugin.cfg
# Nothing the guest sends reaches a device before mmiod is confined: the
# confined plugin reports, from inside the guest's first access, whether
# the serving thread already runs under seccomp, without root and
# without a way back to privileges (offset 4: the same at create time).
if [ "$(id -u)" -eq 0 ]; then user_line='user = "nobody"'; else user_line=; fi
cat > confined.cfg <<CFG
$user_line
mmio = [ "base=0xfe500000,size=8,type=plugin,plugin=$builddir/tests/plugins/.libs/confined.so" ]
CFG
if grep -q '^#define MMIOD_SANITIZERS 1' "$builddir/build.h"; then
	want=0x2 # the sanitizer build installs no filter
else
	want=0x7
fi
printf 'vcpus 1\nread 0xfe500000 4 expect %s\nread 0xfe500004 4\n' "$want" > confined.sim
mkdir -m 1777 confined-state
expect "the guest's first access finds mmiod already confined" 0 \
	"read 0xfe500000 size 4 = $want" \
	-- "$mmiod" --sim confined.sim --state-dir confined-state confined.cfg

# A device call that never returns must not hang a stop: SIGTERM, and
# mmiod names the stuck device and exits 1 within its stop timeout,
# keeping the state file for a restart to take the server over.
cat > stuck.cfg <<CFG
mmio = [ "base=0xfe600000,size=8,type=plugin,plugin=$builddir/tests/plugins/.libs/stuck.so" ]
CFG
printf 'vcpus 1\nread 0xfe600000 4\n' > stuck.sim
mkdir -m 1777 stuck-state
"$mmiod" --sim stuck.sim --state-dir stuck-state stuck.cfg > stuck.log 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
n=0
while kill -0 $pid 2>/dev/null && [ $n -lt 150 ]; do sleep 0.1; n=$((n + 1)); done
if kill -0 $pid 2>/dev/null; then
	kill -KILL $pid
	wait $pid 2>/dev/null
	fail "a stop with a stuck device still runs after 15 s: $(cat stuck.log)"
else
	wait $pid
	status=$?
	if [ $status -eq 1 ] &&
		grep -q 'worker 0 is stuck in the device of mmio 0xfe600000 plugin' stuck.log &&
		[ -e stuck-state/sim.state ]; then
		pass "a stuck device: stop names it, exits 1, keeps the state file"
	else
		fail "stuck device: status $status, $(ls stuck-state) $(cat stuck.log)"
	fi
fi

finish
