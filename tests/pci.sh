#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# pci.sh - devices that act, end to end on the simulator: interrupts
# refused where Xen would drop them and delivered where it wouldn't.
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

finish
