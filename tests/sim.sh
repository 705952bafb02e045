#!/bin/sh
# sim.sh - mmiod --sim end to end: daemon and scripted guest as separate
# processes, real configs, devices checked on disk afterwards.
srcdir=${top_srcdir:-.}
builddir=$(cd "${top_builddir:-.}" && pwd)
mmiod=$builddir/mmiod
srcdir=$(cd "$srcdir" && pwd)
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

# SIGTERM in the middle of a load: the daemon stops cleanly, exit 0, and
# everything the guest wrote before is on disk.
{
	echo "vcpus 4"
	i=0
	while [ $i -lt 2000 ]; do
		echo "on vcpu $((i % 4))"
		echo "write 0xfe100000 4 $i"
		echo "write 0xfe000000 4 $i"
		i=$((i + 1))
	done
	echo "sleep 10000"
} > load.sim
"$mmiod" --sim load.sim "$srcdir/examples/sim.cfg" >/dev/null 2>daemon.log &
pid=$!
n=0
while [ "$(grep -c '"dir":"write"' sim-trace.json 2>/dev/null)" -lt 2 ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
sleep 0.5
kill -TERM $pid
wait $pid
status=$?
writes=$(grep -c '"value":"0x7cf"' sim-trace.json)
last=$(od -An -tu4 -N4 sim-nvram.bin | tr -d ' ')
if [ $status -eq 0 ] && [ "$writes" -ge 1 ] && [ "$last" = 1999 ]; then
	pass "SIGTERM while the guest runs: exit 0, trace and ram complete"
else
	fail "SIGTERM mid-load: status $status, last trace writes $writes, ram $last; $(tail -3 daemon.log)"
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
finish
