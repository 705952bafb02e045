#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# pci.sh - devices that act, end to end on the simulator: interrupts
# refused where Xen would drop them and delivered where they aren't, and
# PCI functions a guest finds, sizes, programs and moves through ports
# 0xcf8/0xcfc exactly as Xen delivers those cycles.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
mmiod=$builddir/mmiod
. "$srcdir/tests/lib.sh"

work=$(mktemp -d /tmp/mmiod-pci-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# A 16550 on ISA line 4, registers at 0xfe000000 stride 1.
cat > isa.cfg <<'CFG'
mmio = [
  "base=0xfe000000,size=4K,type=uart16550,backend=file,path=uart.out,irq=4",
]
CFG
# Enables the THR-empty interrupt with OUT2 set: the line goes up at
# once (the transmitter is empty); reading IIR acknowledges it.
cat > thre.body <<'SIM'
write 0xfe000004 1 0x08
write 0xfe000001 1 0x02
expect-irq 4 1
read 0xfe000002 1 expect 0x02
expect-irq 4 0
SIM

{ echo "platform hvm"; cat thre.body; } > hvm.sim
expect "HVM: the uart's ISA line follows its pending interrupt" 0 \
	'read 0xfe000002 size 1 = 0x2' \
	-- "$mmiod" --sim hvm.sim isa.cfg

{ echo "platform pvh"; cat thre.body; } > pvh.sim
expect "PVH: an ISA irq is refused at start, naming file, line and key, exit 2" 2 \
	'isa.cfg:2: uart16550 region at 0xfe000000: irq: domain .* is PVH and has no PIC/IOAPIC, so ISA interrupts never arrive; put the device on PCI' \
	-- "$mmiod" --sim pvh.sim isa.cfg
cp thre.body default.sim
expect "the simulated domain is PVH unless the script says otherwise" 2 \
	'is PVH and has no PIC/IOAPIC' \
	-- "$mmiod" --sim default.sim isa.cfg

printf 'platform hvm\nvcpus 1\nplatform pvh\n' > twice.sim
expect "platform twice names the line, exit 2" 2 \
	'twice.sim:3: platform must come before any command, once' \
	-- "$mmiod" --sim twice.sim isa.cfg
printf 'platform kvm\n' > kvm.sim
expect "an unknown platform says what is valid, exit 2" 2 \
	'kvm.sim:1: usage: platform pvh\|hvm' \
	-- "$mmiod" --sim kvm.sim isa.cfg

# --- PCI ---------------------------------------------------------------
cat > pci.cfg <<'CFG'
pci = [
  "slot=1,type=uart16550,backend=file,path=pci-uart.out",
]
CFG
# cfg ADDR: selects a configuration dword of bus 0 (0x80000000 | ...).
cat > pci.sim <<'SIM'
# Linux's conf1 probe: a byte at 0xcfb, then the latch reads back.
pio-write 0xcfb 1 0x01
pio-write 0xcf8 4 0x80000000
pio-read 0xcf8 4 expect 0x80000000
# The host bridge at 00:00.0, and pci_sanity_check's class read.
pio-read 0xcfc 4 expect 0x00081b36
pio-write 0xcf8 4 0x80000008
pio-read 0xcfe 2 expect 0x0600
# The uart at 00:01.0: a NetMos 9900, class 070002.
pio-write 0xcf8 4 0x80000800
pio-read 0xcfc 4 expect 0x99009710
pio-write 0xcf8 4 0x8000082c
pio-read 0xcfc 4 expect 0x1000a000
# Nobody claims 00:02.0: Xen answers all ones.
pio-write 0xcf8 4 0x80001000
pio-read 0xcfc 4 expect 0xffffffff
# BAR0: size it, program 0x1000, turn I/O decode and bus mastering on.
pio-write 0xcf8 4 0x80000810
pio-write 0xcfc 4 0xffffffff
pio-read 0xcfc 4 expect 0xfffffff9
pio-write 0xcfc 4 0x1001
pio-write 0xcf8 4 0x80000804
pio-write 0xcfc 2 0x0007
# The uart answers at its BAR: scratch register.
pio-write 0x1007 1 0x5a
pio-read 0x1007 1 expect 0x5a
# MSI as Linux programs it: address, high half, data, then enable.
pio-write 0xcf8 4 0x80000844
pio-write 0xcfc 4 0xfee00000
pio-write 0xcf8 4 0x80000848
pio-write 0xcfc 4 0
pio-write 0xcf8 4 0x8000084c
pio-write 0xcfc 2 0x21
pio-write 0xcf8 4 0x80000840
pio-write 0xcfe 2 0x0001
# OUT2, then the THR-empty interrupt: one MSI; IIR acknowledges it.
pio-write 0x1004 1 0x08
pio-write 0x1001 1 0x02
expect-msi 0xfee00000 0x21
pio-read 0x1002 1 expect 0x02
pio-write 0x1001 1 0x00
pio-write 0x1001 1 0x02
expect-msi 0xfee00000 0x21
# The guest moves the BAR: the uart follows, the old ports are gone.
pio-write 0xcf8 4 0x80000810
pio-write 0xcfc 4 0x2001
pio-read 0x2007 1 expect 0x5a
pio-read 0x1007 1 expect 0xff
# I/O decode off: nothing answers.
pio-write 0xcf8 4 0x80000804
pio-write 0xcfc 2 0x0000
pio-read 0x2007 1 expect 0xff
SIM
expect "PCI: the guest finds, sizes, programs and moves a uart function, which sends MSIs" 0 \
	'pci 00:01.0 uart16550 messages 2 dropped 0' \
	-- "$mmiod" --sim pci.sim pci.cfg

printf 'platform hvm\n' > hvm-pci.sim
cat pci.sim >> hvm-pci.sim
expect "PCI on HVM: no host bridge unless pci_host says so" 1 \
	'hvm-pci.sim:5: expect failed: read 0xcf8 gave 0xffffffff' \
	-- "$mmiod" --sim hvm-pci.sim pci.cfg
{ echo "pci_host = 1"; cat pci.cfg; } > hvm-host.cfg
expect "PCI on HVM with pci_host = 1: the same guest passes" 0 \
	'pci 00:01.0 uart16550 messages 2' \
	-- "$mmiod" --sim hvm-pci.sim hvm-host.cfg

bad_pci() { # NAME ENTRY PATTERN
	printf 'pci = [ "%s" ]\n' "$2" > bad.cfg
	expect "$1" 2 "$3" -- "$mmiod" --check-config bad.cfg
}
bad_pci "pci: a missing slot names the key" "type=uart16550" \
	'bad.cfg:1: pci\[0\]: missing slot \(each entry needs slot and type; function defaults to 0\)'
bad_pci "pci: slot 32 is refused" "slot=32,type=uart16550" \
	'bad.cfg:1: pci\[0\] slot: 32 is not 0 to 31'
bad_pci "pci: function 8 is refused" "slot=1,function=8,type=uart16550" \
	'bad.cfg:1: pci\[0\] function: 8 is not 0 to 7'
bad_pci "pci: a trace function needs ids" "slot=1,type=trace,size=4K,file=t.json" \
	'trace function at slot 1: vendor: a trace function needs vendor= and device='
bad_pci "pci: a memory BAR needs a power-of-two size" \
	"slot=1,type=ram,vendor=0x1234,device=0x1,size=3000" \
	"ram function at slot 1: BAR0: a memory BAR's size is a power of two"
bad_pci "pci: a uart takes no size" "slot=1,type=uart16550,size=4K" \
	"size: a uart16550 function's BAR0 holds its 8 registers; leave size out"
bad_pci "pci: an unknown key lists the entry's keys and the device's" \
	"slot=1,type=uart16550,foo=1" \
	"foo: unknown key for a uart16550 function .valid: slot, function, type, vendor, device, subvendor, subdevice, class, revision, size, msi, msix, intx, backend, path, reg_shift, reg_width.$"
bad_pci "pci: irq is refused, saying how a function interrupts" \
	"slot=1,type=uart16550,irq=4" \
	"irq: a PCI function interrupts by MSI, MSI-X or INTx .msi=, msix=, intx=.; leave irq out"
bad_pci "pci: MSI vectors are a power of two" "slot=1,type=uart16550,msi=3" \
	"MSI vectors: 1, 2, 4, 8, 16 or 32"
printf 'pci = [ "slot=1,type=uart16550", "slot=1,type=uart16550" ]\n' > dup.cfg
expect "pci: a slot given twice names both lines" 2 \
	'dup.cfg:1: pci\[1\]: slot 1 function 0 is already the uart16550 on line 1' \
	-- "$mmiod" --check-config dup.cfg
printf 'pci = [ "slot=0,type=uart16550,backend=file,path=x.out" ]\n' > slot0.cfg
expect "PVH: slot 0 is the host bridge's" 2 \
	'slot0.cfg:1: pci entry at slot 0: slot 0 holds the host bridge' \
	-- "$mmiod" --sim pci.sim slot0.cfg

# Interrupt-driven receive: a byte that comes while the guest waits
# raises the receive interrupt, as Linux's 8250 driver needs. The test
# types it into the uart's pty once mmiod names it.
sed -n '/^# BAR0: size it/,/^pio-write 0xcfe 2 0x0001/p' pci.sim > rx.sim
cat >> rx.sim <<'SIM'
pio-write 0x1004 1 0x08
pio-write 0x1001 1 0x01
expect-msi 0xfee00000 0x21
pio-read 0x1002 1 expect 0x04
pio-read 0x1000 1 expect 0x41
SIM
printf 'pci = [ "slot=1,type=uart16550,backend=pty" ]\n' > pty.cfg
"$mmiod" --sim rx.sim pty.cfg >rx.out 2>&1 &
pid=$!
pts=
for _ in $(seq 50); do
	pts=$(sed -n 's/.*guest console on \(\/dev\/pts\/[0-9]*\).*/\1/p' rx.out)
	[ -n "$pts" ] && break
	sleep 0.1
done
[ -n "$pts" ] && printf A > "$pts"
wait $pid
status=$?
if [ $status -eq 0 ] && grep -q 'uart16550 messages 1 ' rx.out; then
	pass "PCI uart: input that comes while the guest waits raises its MSI"
else
	fail "PCI uart receive interrupt: exit $status: $(cat rx.out)"
fi

# --- a PCI plugin that does DMA and raises an MSI (device ABI 2) --------
engine=$builddir/examples/plugin/.libs/copy_engine.so
cat > dma.cfg <<CFG
pci = [ "slot=2,type=plugin,plugin=$engine" ]
CFG
cat > dma.sim <<'SIM'
# 00:02.0 as the plugin declares it: ids, class, MSI at 0x40 and then
# its own vendor capability at 0x80.
pio-write 0xcf8 4 0x80001000
pio-read 0xcfc 4 expect 0x11e01234
pio-write 0xcf8 4 0x80001008
pio-read 0xcfc 4 expect 0x08010000
pio-write 0xcf8 4 0x80001034
pio-read 0xcfc 1 expect 0x40
pio-write 0xcf8 4 0x80001040
pio-read 0xcfd 1 expect 0x80
pio-write 0xcf8 4 0x80001080
pio-read 0xcfc 4 expect 0x00080009
# 00:02.0: BAR0 sized and put at 0xc000000, memory decode and mastering.
pio-write 0xcf8 4 0x80001010
pio-write 0xcfc 4 0xffffffff
pio-read 0xcfc 4 expect 0xfffff000
pio-write 0xcfc 4 0x0c000000
pio-write 0xcf8 4 0x80001004
pio-write 0xcfc 2 0x0006
pio-write 0xcf8 4 0x80001044
pio-write 0xcfc 4 0xfee00000
pio-write 0xcf8 4 0x80001048
pio-write 0xcfc 4 0
pio-write 0xcf8 4 0x8000104c
pio-write 0xcfc 2 0x31
pio-write 0xcf8 4 0x80001040
pio-write 0xcfe 2 0x0001
# A buffer in guest RAM; the device copies it and says so with an MSI.
ram-write 0x20000 8 0x1122334455667788
ram-write 0x20008 8 0x99aabbccddeeff00
write 0xc000000 8 0x20000
write 0xc000008 8 0x30000
write 0xc000010 4 16
write 0xc000014 4 1
expect-msi 0xfee00000 0x31
read 0xc000018 4 expect 1
ram-read 0x30000 8 expect 0x1122334455667788
ram-read 0x30008 8 expect 0x99aabbccddeeff00
write 0xc000018 4 1
read 0xc000018 4 expect 0
# Its configuration register counts the copy; writes don't change it.
pio-write 0xcf8 4 0x80001084
pio-read 0xcfc 4 expect 1
pio-write 0xcfc 4 7
pio-read 0xcfc 4 expect 1
# From outside the guest's memory: ERROR (counted), and an MSI again.
write 0xc000000 8 0xffff000000
write 0xc000014 4 1
expect-msi 0xfee00000 0x31
read 0xc000018 4 expect 2
SIM
expect "ABI 2 plugin on PCI: the guest's buffer is copied by DMA and an MSI says so" 0 \
	'dma reads 2 writes 1 errors 1' \
	-- "$mmiod" --sim dma.sim dma.cfg
expect "a plugin's own name shows in the stats" 0 \
	'pci 00:02.0 plugin copy_engine \(/.* messages 2 dropped 0' \
	-- "$mmiod" --sim dma.sim dma.cfg

printf 'pci = [ "slot=2,type=plugin,plugin=%s,device=0x11e1,class=0xff0000" ]\n' "$engine" > ids.cfg
printf 'pio-write 0xcf8 4 0x80001000\npio-read 0xcfc 4 expect 0x11e11234\npio-write 0xcf8 4 0x80001008\npio-read 0xcfc 4 expect 0xff000000\n' > ids.sim
expect "the entry's ids override the plugin's own" 0 'read 0xcfc size 4 = 0xff000000' \
	-- "$mmiod" --sim ids.sim ids.cfg
bad_pci "pci: a plugin that sizes its own BARs takes no size" \
	"slot=2,type=plugin,plugin=$engine,size=8K" \
	"plugin function at slot 2: size: this plugin declares its own BARs; leave size out"

# A plugin's own layout: several BARs, each reaching it as itself, the
# MSI-X table in the first BAR it left free, registers of its own.
bars=$builddir/tests/plugins/.libs/pcibars.so
printf 'pci = [ "slot=3,type=plugin,plugin=%s" ]\n' "$bars" > bars.cfg
cat > bars.sim <<'SIM'
pio-write 0xcf8 4 0x80001800
pio-read 0xcfc 4 expect 0x10f01af4
# Sizing: BAR1 16 ports, BAR2-3 a 1M prefetchable 64-bit BAR, BAR4 the
# 4K MSI-X table; BAR5 is not there.
pio-write 0xcf8 4 0x80001814
pio-write 0xcfc 4 0xffffffff
pio-read 0xcfc 4 expect 0xfffffff1
pio-write 0xcfc 4 0x3000
pio-write 0xcf8 4 0x80001818
pio-write 0xcfc 4 0xffffffff
pio-read 0xcfc 4 expect 0xfff0000c
pio-write 0xcfc 4 0xd0000000
pio-write 0xcf8 4 0x8000181c
pio-write 0xcfc 4 0xffffffff
pio-read 0xcfc 4 expect 0xffffffff
pio-write 0xcfc 4 0
pio-write 0xcf8 4 0x80001820
pio-write 0xcfc 4 0xffffffff
pio-read 0xcfc 4 expect 0xfffff000
pio-write 0xcfc 4 0xc0100000
pio-write 0xcf8 4 0x80001824
pio-write 0xcfc 4 0xffffffff
pio-read 0xcfc 4 expect 0
pio-write 0xcf8 4 0x80001810
pio-write 0xcfc 4 0xc0000000
pio-write 0xcf8 4 0x80001804
pio-write 0xcfc 2 0x0003
# Each BAR reaches the plugin with its number; a failed read is ones.
read 0xc0000010 4 expect 0x10
pio-read 0x3004 4 expect 0x01000004
pio-read 0x300f 1 expect 0xff
read 0xd0000020 4 expect 0x02000020
# MSI-X at 0x40, table and PBA in BAR4, then the plugin's capability.
pio-write 0xcf8 4 0x80001840
pio-read 0xcfc 4 expect 0x00018011
pio-write 0xcf8 4 0x80001844
pio-read 0xcfc 4 expect 0x4
read 0xc010000c 4 expect 1
pio-write 0xcf8 4 0x80001880
pio-read 0xcfc 4 expect 0x00080009
pio-read 0xcfe 1 expect 0x08
pio-write 0xcf8 4 0x80001884
pio-write 0xcfc 4 0x5a5a1234
pio-read 0xcfc 4 expect 0x5a5a1234
pio-read 0xcfd 1 expect 0x12
SIM
expect "a plugin's PCI function: its ids, BARs, MSI-X BAR and registers" 0 \
	'read 0xcfd size 1 = 0x12' \
	-- "$mmiod" --sim bars.sim bars.cfg

expect "a plugin with BAR1 but no bar_read is refused" 2 \
	"bars.cfg:1: plugin function at slot 3: plugin: .*pcibars.so declares BAR1 but no bar_read and bar_write to serve it" \
	-- env PCIBARS_LACK=bar_ops "$mmiod" --check-config bars.cfg
expect "a plugin with registers but no config_read is refused" 2 \
	"declares configuration registers but no config_read and config_write" \
	-- env PCIBARS_LACK=config_ops "$mmiod" --check-config bars.cfg
expect "a plugin's function without BAR0 is refused" 2 \
	"declares a PCI function without BAR0" \
	-- env PCIBARS_LACK=bar0 "$mmiod" --check-config bars.cfg

abi1=$builddir/tests/plugins/.libs/abi1.so
printf 'mmio = [ "base=0xfe700000,size=8,type=plugin,plugin=%s" ]\n' "$abi1" > abi1.cfg
printf 'read 0xfe700000 4 expect 0xab1\n' > abi1.sim
expect "an ABI 1 plugin still loads and serves" 0 'read 0xfe700000 size 4 = 0xab1' \
	-- "$mmiod" --sim abi1.sim abi1.cfg
expect "a plugin built for a newer ABI is refused with both versions" 2 \
	'is built for device ABI 3; this mmiod loads ABI 1 to 2' \
	-- env ABI1_PLUGIN_VERSION=3 "$mmiod" --check-config abi1.cfg

finish
