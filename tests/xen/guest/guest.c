/* SPDX-License-Identifier: BSD-2-Clause */
/* guest.c - a freestanding PVH guest that exercises mmiod on real Xen.
 *
 * It prints one line per check on port 0xE9, which Xen shows as
 * "(dN) ..." in xl dmesg; dom0's scenario script reads them there. The
 * command line (xl "cmdline") picks the job:
 *   battery  every access shape of the test config, checked, then a
 *            summary line "battery: N passed, N failed";
 *   loop     count forever in a file-backed ram register, printing the
 *            count every LOOP_REPORT rounds (for restart tests);
 *   timing   timed batches of reads, for make bench-xen;
 *   copy     drive the copy-engine plugin on PCI 00:02.0 as its driver
 *            would: find and size its BAR, program it, enable MSI to an
 *            IDT handler of its own, have the device copy a buffer by
 *            DMA, and check the data and that the handler ran; then
 *            "copy: N passed, N failed".
 *   reboot   wait until the file-backed ram register is served, count
 *            this boot in it, reboot the first time; the second, write
 *            lines to the pty uart (for xl console), then power off
 *            (for the reboot scenario).
 *
 * The addresses below are those of tests/xen/etc/mmiod/battery.cfg and
 * copy.cfg.
 */
#include <stdbool.h>
#include <stdint.h>

/* The current interface: without it xen.h makes __HYPERVISOR_sched_op
 * the pre-3.0.2 compat number, which Xen refuses an HVM guest (-ENOSYS). */
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/hvm/hvm_vcpu.h>
#include <xen/arch-x86/hvm/start_info.h>

#define RAM_BASE 0xfe000000u   /* ram, 4 KiB, file-backed */
#define ROM_BASE 0xfe001000u   /* rom: byte i holds i & 0xff */
#define TRACE_BASE 0xfe002000u /* trace, read_value=0x5a5a5a5a5a5a5a5a */
#define UNCLAIMED 0xfe003000u  /* in no region */
#define FLOOR_BASE 0xfe001000u /* timing: the floor server's page */
#define PIO_PORT 0x510	       /* pio ram, 4 ports */
#define UART_BASE 0xfe001000u  /* reboot.cfg: uart16550, backend=pty */

#define MAX_VCPUS 4
#define SMP_ROUNDS 300
#define LOOP_REPORT 200

void halt_forever(void);
void ap_entry(void);

static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static uint8_t ap_stacks[MAX_VCPUS][4096] __attribute__((aligned(16)));
static volatile uint32_t ap_done[MAX_VCPUS], ap_errors[MAX_VCPUS];
static uint32_t ram_buffer[64], copy_back[64];
static unsigned passed, failed;

/* Output on port 0xE9: Xen prints each line on its console. */
static void putc_e9(char c)
{
	asm volatile("outb %0, $0xe9" : : "a"(c));
}

static void puts_e9(const char *s)
{
	while (*s)
		putc_e9(*s++);
}

static void put_hex(uint64_t v)
{
	puts_e9("0x");
	for (int shift = 60; shift >= 0; shift -= 4) {
		if ((v >> shift) || !shift)
			putc_e9("0123456789abcdef"[(v >> shift) & 15]);
	}
}

static void put_dec(uint32_t v)
{
	char digits[12];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		putc_e9(digits[--n]);
}

static void check(const char *name, uint64_t got, uint64_t want)
{
	if (got == want) {
		passed++;
		puts_e9("ok ");
		puts_e9(name);
	} else {
		failed++;
		puts_e9("not ok ");
		puts_e9(name);
		puts_e9(": got ");
		put_hex(got);
		puts_e9(", expected ");
		put_hex(want);
	}
	putc_e9('\n');
}

/* One access each, of exactly the size named: the compiler must not merge,
 * split or elide them. */
static uint8_t read8(uint32_t a)
{
	return *(volatile uint8_t *)a;
}

static uint16_t read16(uint32_t a)
{
	return *(volatile uint16_t *)a;
}

static uint32_t read32(uint32_t a)
{
	return *(volatile uint32_t *)a;
}

static void write8(uint32_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

static void write16(uint32_t a, uint16_t v)
{
	*(volatile uint16_t *)a = v;
}

static void write32(uint32_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

/* 8-byte accesses in 32-bit mode: SSE movq, one request of size 8. */
static uint64_t read64(uint32_t a)
{
	uint64_t v;

	asm volatile("movq (%1), %%xmm0\n\tmovq %%xmm0, %0"
		     : "=m"(v)
		     : "r"(a)
		     : "xmm0", "memory");
	return v;
}

static void write64(uint32_t a, uint64_t v)
{
	asm volatile("movq %0, %%xmm0\n\tmovq %%xmm0, (%1)"
		     :
		     : "m"(v), "r"(a)
		     : "xmm0", "memory");
}

static void enable_sse(void)
{
	uint32_t cr0, cr4;

	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 & ~(1u << 2)) | (1u << 1); /* EM off, MP on */
	asm volatile("mov %0, %%cr0" : : "r"(cr0));
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= (1u << 9) | (1u << 10); /* OSFXSR, OSXMMEXCPT */
	asm volatile("mov %0, %%cr4" : : "r"(cr4));
}

static void ram_sizes(void)
{
	write8(RAM_BASE + 0x11, 0xa1);
	check("ram write8/read8", read8(RAM_BASE + 0x11), 0xa1);
	write16(RAM_BASE + 0x22, 0xb2c3);
	check("ram write16/read16", read16(RAM_BASE + 0x22), 0xb2c3);
	write32(RAM_BASE + 0x34, 0xd4e5f607);
	check("ram write32/read32", read32(RAM_BASE + 0x34), 0xd4e5f607);
	write64(RAM_BASE + 0x48, 0x1122334455667788ull);
	check("ram write64/read64", read64(RAM_BASE + 0x48),
	      0x1122334455667788ull);
	check("ram is little-endian", read8(RAM_BASE + 0x48), 0x88);
	check("ram byte 7 of the 8-byte write", read8(RAM_BASE + 0x4f), 0x11);
	write32(RAM_BASE + 0x61, 0xcafef00d);
	check("ram unaligned write32/read32", read32(RAM_BASE + 0x61),
	      0xcafef00d);
}

static void rom_reads(void)
{
	check("rom read8", read8(ROM_BASE + 0x05), 0x05);
	check("rom read16", read16(ROM_BASE + 0x10), 0x1110);
	check("rom read32", read32(ROM_BASE + 0x20), 0x23222120);
	check("rom read64", read64(ROM_BASE + 0x40), 0x4746454443424140ull);
	write32(ROM_BASE + 0x20, 0xffffffff);
	check("rom ignores writes", read32(ROM_BASE + 0x20), 0x23222120);
}

/* dom0 checks that the trace file holds exactly these writes. */
static void trace_writes(void)
{
	write8(TRACE_BASE + 0x1, 0x5e);
	write16(TRACE_BASE + 0x2, 0x7e57);
	write32(TRACE_BASE + 0x4, 0xfeedc0de);
	write64(TRACE_BASE + 0x8, 0x0123456789abcdefull);
	check("trace read32 returns read_value", read32(TRACE_BASE + 0x10),
	      0x5a5a5a5a);
	check("trace read64 returns read_value", read64(TRACE_BASE + 0x18),
	      0x5a5a5a5a5a5a5a5aull);
}

/* Xen emulates these: a read then a write of the same size each. */
static void read_modify_write(void)
{
	uint32_t a = RAM_BASE + 0x100;
	uint32_t old;

	write32(a, 0x0f00000f);
	asm volatile("orl $0x0000f0f0, (%0)" : : "r"(a) : "memory");
	check("or to mmio", read32(a), 0x0f00f0ff);
	asm volatile("addw $0x0101, (%0)" : : "r"(a) : "memory");
	check("add to mmio", read32(a), 0x0f00f200);
	old = 0x12345678;
	asm volatile("xchgl %0, (%1)" : "+r"(old) : "r"(a) : "memory");
	check("xchg with mmio (old value)", old, 0x0f00f200);
	check("xchg with mmio (new value)", read32(a), 0x12345678);
	asm volatile("lock andl $0xffff00ff, (%0)" : : "r"(a) : "memory");
	check("lock and to mmio", read32(a), 0x12340078);
}

static void rep_movsl(uint32_t dst, uint32_t src, uint32_t n)
{
	asm volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

/* With the direction flag set, dst and src name the last element. */
static void rep_movsl_down(uint32_t dst, uint32_t src, uint32_t n)
{
	asm volatile("std\n\trep movsl\n\tcld"
		     : "+D"(dst), "+S"(src), "+c"(n)
		     :
		     : "memory");
}

static void rep_stosl(uint32_t dst, uint32_t value, uint32_t n)
{
	asm volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(value) : "memory");
}

static uint32_t count_differences(const uint32_t *a, uint32_t mmio, int n)
{
	uint32_t bad = 0;

	for (int i = 0; i < n; i++)
		bad += read32(mmio + 4 * i) != a[i];
	return bad;
}

/* rep movs and rep stos between guest RAM and the ram region: Xen sends
 * them as single requests with a count (data_is_ptr for movs). */
static void rep_strings(void)
{
	uint32_t mmio = RAM_BASE + 0x200, bad = 0;

	for (uint32_t i = 0; i < 64; i++) {
		ram_buffer[i] = 0x9e000000u | i * 0x10101u;
		copy_back[i] = 0;
	}
	rep_movsl(mmio, (uint32_t)ram_buffer, 64);
	check("rep movsl ram -> mmio", count_differences(ram_buffer, mmio, 64),
	      0);
	rep_movsl((uint32_t)copy_back, mmio, 64);
	for (int i = 0; i < 64; i++)
		bad += copy_back[i] != ram_buffer[i];
	check("rep movsl mmio -> ram", bad, 0);

	for (uint32_t i = 0; i < 64; i++)
		ram_buffer[i] = ~ram_buffer[i];
	rep_movsl_down(mmio + 4 * 63, (uint32_t)&ram_buffer[63], 64);
	check("rep movsl downwards (df=1)",
	      count_differences(ram_buffer, mmio, 64), 0);

	for (uint32_t i = 0; i < 64; i++)
		ram_buffer[i] = 0x5eed5eed;
	rep_stosl(mmio, 0x5eed5eed, 64);
	check("rep stosl to mmio", count_differences(ram_buffer, mmio, 64), 0);
}

static void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void port_io(void)
{
	outl(PIO_PORT, 0x600df00d);
	check("pio outl/inl", inl(PIO_PORT), 0x600df00d);
	outw(PIO_PORT + 2, 0xbeef);
	check("pio outw/inw", inw(PIO_PORT + 2), 0xbeef);
	outb(PIO_PORT + 1, 0x42);
	check("pio outb/inb", inb(PIO_PORT + 1), 0x42);
	check("pio inl sees the narrower writes", inl(PIO_PORT), 0xbeef420d);
}

/* Xen answers accesses outside every claimed range itself. */
static void unclaimed(void)
{
	write32(UNCLAIMED, 0);
	check("read32 from no region is all ones", read32(UNCLAIMED),
	      0xffffffff);
	check("read8 from no region is all ones", read8(UNCLAIMED + 7), 0xff);
}

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	asm volatile("cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(0));
}

/* Xen fills the hypercall page when its MSR (from CPUID) is written. */
static bool setup_hypercalls(void)
{
	uint32_t r[4];

	for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
		cpuid(base, r);
		if (r[1] == 0x566e6558 && r[2] == 0x65584d4d &&
		    r[3] == 0x4d4d566e && r[0] - base >= 2) {
			cpuid(base + 2, r);
			asm volatile("wrmsr"
				     :
				     : "c"(r[1]), "a"((uint32_t)hypercall_page),
				       "d"(0));
			return true;
		}
	}
	return false;
}

/* A hypercall of up to three arguments through the page Xen filled. */
static long hypercall3(unsigned nr, uint32_t b, uint32_t c, uint32_t d)
{
	void *entry = hypercall_page + nr * 32;
	uint32_t si, di;
	long ret;

	asm volatile("call *%[entry]"
		     : "=a"(ret), "+b"(b), "+c"(c), "+d"(d), "=S"(si), "=D"(di)
		     : [entry] "m"(entry)
		     : "memory");
	return ret;
}

static long vcpu_op(uint32_t cmd, uint32_t vcpu, void *arg)
{
	return hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, (uint32_t)arg);
}

static long start_vcpu(uint32_t id)
{
	struct vcpu_hvm_context ctx = {.mode = VCPU_HVM_MODE_32B};
	struct vcpu_hvm_x86_32 *r = &ctx.cpu_regs.x86_32;
	long rc;

	r->eax = id;
	r->esp = (uint32_t)&ap_stacks[id][sizeof(ap_stacks[id])];
	r->eip = (uint32_t)ap_entry;
	r->eflags = 0x2;
	r->cr0 = 0x11; /* PE, ET */
	r->cs_limit = r->ds_limit = r->ss_limit = r->es_limit = ~0u;
	r->cs_ar = 0xc9b; /* present, 32-bit, 4K granular, execute/read */
	r->ds_ar = r->ss_ar = r->es_ar = 0xc93; /* the same, read/write */
	r->tr_limit = 0x67;
	r->tr_ar = 0x8b; /* present 32-bit TSS */
	rc = vcpu_op(VCPUOP_initialise, id, &ctx);
	return rc ? rc : vcpu_op(VCPUOP_up, id, 0);
}

/* Every vCPU hammers its own 8 bytes of the ram region at once; Xen gives
 * each vCPU its own ioreq slot and event channel. */
static uint32_t hammer(uint32_t id)
{
	uint32_t a = RAM_BASE + 0x800 + 8 * id, errors = 0;

	for (uint32_t i = 0; i < SMP_ROUNDS; i++) {
		uint32_t v = id << 24 | i;

		write32(a, v);
		write32(a + 4, ~v);
		errors += read32(a) != v;
		errors += read32(a + 4) != ~v;
	}
	return errors;
}

void ap_main(uint32_t id)
{
	ap_errors[id] = hammer(id);
	ap_done[id] = 1;
}

static void several_vcpus(uint32_t vcpus)
{
	uint32_t errors, started = 1;

	for (uint32_t id = 1; id < vcpus; id++) {
		long rc = start_vcpu(id);

		if (rc) {
			puts_e9("vcpu ");
			put_dec(id);
			puts_e9(" failed to start: ");
			put_hex((uint32_t)rc);
			putc_e9('\n');
		} else {
			started++;
		}
	}
	check("secondary vcpus started", started, vcpus);
	errors = hammer(0);
	for (uint32_t id = 1; id < vcpus; id++) {
		for (uint32_t spin = 0; !ap_done[id] && spin < 400000000;
		     spin++)
			asm volatile("pause");
		check("secondary vcpu finished", ap_done[id], 1);
		errors += ap_errors[id];
	}
	check("concurrent accesses from every vcpu read back", errors, 0);
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Not a check: what a read served by mmiod costs next to one Xen answers
 * itself, in TSC ticks, for dom0 to print. Only the ratio means much
 * under emulation. */
static void timing(void)
{
	enum { READS = 200 };
	uint64_t start, served, by_xen;

	start = rdtsc();
	for (int i = 0; i < READS; i++)
		read32(RAM_BASE + 0x300);
	served = rdtsc() - start;
	start = rdtsc();
	for (int i = 0; i < READS; i++)
		read32(UNCLAIMED);
	by_xen = rdtsc() - start;
	puts_e9("timing: a 4-byte read served by mmiod ");
	put_dec((uint32_t)(served / READS));
	puts_e9(" TSC ticks, answered by Xen itself ");
	put_dec((uint32_t)(by_xen / READS));
	putc_e9('\n');
}

/* The "timing" job, for make bench-xen: two servers serve this guest at
 * once, mmiod the page at RAM_BASE (side a) and the floor server of
 * bench/xen the next one (side b). Batches of reads alternate between
 * them, b a a b b a ..., so that the drift of an emulated machine falls
 * on both alike, and the last one is the floor's (whose exit after its
 * last answer tells dom0 the guest is done); each batch's TSC ticks per
 * read are printed. Under emulation on a loaded host a read can cost
 * millions of ticks: a batch stays well below 2^32. */
static void timed_batch(char side, uint32_t addr)
{
	enum { READS = 50 };
	uint64_t start = rdtsc();

	for (int i = 0; i < READS; i++)
		read32(addr);
	puts_e9("bench: ");
	putc_e9(side);
	putc_e9(' ');
	put_dec((uint32_t)((rdtsc() - start) / READS));
	puts_e9(" ticks per read\n");
}

static void timing_batches(void)
{
	enum { PAIRS = 40 };

	for (int p = 0; p < PAIRS; p++)
		for (int i = 0; i < 2; i++) {
			if ((p + i) % 2)
				timed_batch('a', RAM_BASE + 0x300);
			else
				timed_batch('b', FLOOR_BASE + 0x300);
		}
	puts_e9("bench: done\n");
}

static void battery(uint32_t vcpus)
{
	puts_e9("battery: start\n");
	ram_sizes();
	rom_reads();
	trace_writes();
	read_modify_write();
	rep_strings();
	port_io();
	unclaimed();
	several_vcpus(vcpus);
	timing();
	puts_e9("battery: ");
	put_dec(passed);
	puts_e9(" passed, ");
	put_dec(failed);
	puts_e9(" failed\n");
}

/* --- copy: a PCI device with DMA and MSI ------------------------------- */

#define CE_SLOT 2
#define CE_BAR 0xfd000000u /* a hole in this guest's memory map */
#define CE_VECTOR 0x40
#define LAPIC 0xfee00000u

struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t zero, type;
	uint16_t offset_hi;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(8)));
volatile uint32_t msi_count, stray_count; /* bumped by head.S's stubs */
void msi_stub(void);
void stray_stub(void);
static uint8_t dma_src[256], dma_dst[256];

static uint32_t cfg_read32(unsigned slot, unsigned reg)
{
	outl(0xcf8, 0x80000000u | slot << 11 | reg);
	return inl(0xcfc);
}

static void cfg_write32(unsigned slot, unsigned reg, uint32_t v)
{
	outl(0xcf8, 0x80000000u | slot << 11 | reg);
	outl(0xcfc, v);
}

static void set_gate(unsigned vector, void (*stub)(void))
{
	uint32_t at = (uint32_t)stub;

	idt[vector] = (struct idt_gate){(uint16_t)at, 0x08, 0, 0x8e,
					(uint16_t)(at >> 16)};
}

static void load_idt(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) desc = {sizeof(idt) - 1, (uint32_t)idt};

	for (unsigned v = 0; v < 256; v++)
		set_gate(v, stray_stub);
	set_gate(CE_VECTOR, msi_stub);
	asm volatile("lidt %0" : : "m"(desc));
}

/* The MSI capability's offset, walking the list from 0x34. */
static unsigned find_msi(unsigned slot)
{
	unsigned at = cfg_read32(slot, 0x34) & 0xfc;

	for (int hops = 0; at && hops < 48; hops++) {
		uint32_t head = cfg_read32(slot, at);

		if ((head & 0xff) == 0x05)
			return at;
		at = (head >> 8) & 0xfc;
	}
	return 0;
}

static void copy_engine(void)
{
	uint32_t size, msi;

	puts_e9("copy: start\n");
	check("copy engine ids at 00:02.0", cfg_read32(CE_SLOT, 0x00),
	      0x11e01234);
	cfg_write32(CE_SLOT, 0x10, 0xffffffff);
	size = ~(cfg_read32(CE_SLOT, 0x10) & ~0xfu) + 1;
	check("copy engine BAR0 sizes to 4K", size, 4096);
	cfg_write32(CE_SLOT, 0x10, CE_BAR);
	cfg_write32(CE_SLOT, 0x04, 0x6); /* memory decode, bus master */
	check("copy engine answers at its BAR", read32(CE_BAR + 0x18), 0);
	msi = find_msi(CE_SLOT);
	check("copy engine has an MSI capability", msi != 0, 1);
	/* The local APIC on (spurious vector 0xff), the IDT, then MSI to
	 * this vCPU (APIC ID 0): edge, fixed, vector CE_VECTOR. */
	write32(LAPIC + 0xf0, read32(LAPIC + 0xf0) | 0x1ff);
	load_idt();
	cfg_write32(CE_SLOT, msi + 4, LAPIC);
	cfg_write32(CE_SLOT, msi + 8, 0);
	cfg_write32(CE_SLOT, msi + 12, CE_VECTOR);
	cfg_write32(CE_SLOT, msi, cfg_read32(CE_SLOT, msi) | 0x10000);
	asm volatile("sti");
	for (unsigned i = 0; i < sizeof(dma_src); i++)
		dma_src[i] = (uint8_t)(i * 7 + 3);
	write32(CE_BAR + 0x00, (uint32_t)dma_src);
	write32(CE_BAR + 0x04, 0);
	write32(CE_BAR + 0x08, (uint32_t)dma_dst);
	write32(CE_BAR + 0x0c, 0);
	write32(CE_BAR + 0x10, sizeof(dma_src));
	write32(CE_BAR + 0x14, 1);
	for (uint32_t spin = 0; !msi_count && spin < 400000000; spin++)
		asm volatile("pause");
	asm volatile("cli");
	check("copy engine status says done", read32(CE_BAR + 0x18), 1);
	check("the device's DMA copied the buffer",
	      count_differences((const uint32_t *)dma_src, (uint32_t)dma_dst,
				sizeof(dma_src) / 4) == 0,
	      1);
	check("the MSI handler ran once", msi_count, 1);
	check("no other interrupt came", stray_count, 0);
	puts_e9("copy: ");
	put_dec(passed);
	puts_e9(" passed, ");
	put_dec(failed);
	puts_e9(" failed\n");
}

/* Never returns: restart tests watch the count keep going. */
static void loop(void)
{
	uint32_t count = read32(RAM_BASE);

	puts_e9("loop: resuming from ");
	put_dec(count);
	putc_e9('\n');
	for (;;) {
		count++;
		write32(RAM_BASE, count);
		if (read32(RAM_BASE) != count) {
			puts_e9("loop: lost a write at ");
			put_dec(count);
			putc_e9('\n');
		}
		if (count % LOOP_REPORT == 0) {
			puts_e9("loop: ");
			put_dec(count);
			putc_e9('\n');
		}
	}
}

/* Prompts on the uart for a while, for xl console -t serial to show;
 * output nobody reads is dropped, so this never waits. */
static void console_prompt(void)
{
	static const char prompt[] = "reboot: hello from serial 0\r\n";

	for (uint32_t lines = 0; lines < 200; lines++)
		for (const char *c = prompt; *c; c++)
			write8(UART_BASE, (uint8_t)*c); /* THR */
}

/* Reads the register until an mmiod serves it (Xen answers all ones
 * while none does: a rebooted domain runs before its restarted mmiod
 * serves), then counts this boot there. The first boot reboots itself as
 * a guest does (SCHEDOP_shutdown, reason reboot), the second powers off
 * by halting its only vCPU with interrupts off. */
static void reboot_job(void)
{
	struct sched_shutdown reboot = {.reason = SHUTDOWN_reboot};
	uint32_t boots, unserved = 0;

	while ((boots = read32(RAM_BASE)) == 0xffffffffu)
		unserved++;
	write32(RAM_BASE, boots + 1);
	puts_e9("reboot: boot ");
	put_dec(boots + 1);
	puts_e9(read32(RAM_BASE) == boots + 1 ? " served" : " lost its write");
	puts_e9(" after ");
	put_dec(unserved);
	puts_e9(" unserved reads\n");
	if (boots == 0) {
		long rc = hypercall3(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
				     (uint32_t)&reboot, 0);

		/* Xen pauses the vCPU on the way back: this runs only if the
		 * call failed, and the guest then powers off instead. */
		puts_e9("reboot: SCHEDOP_shutdown failed: ");
		put_hex((uint64_t)rc);
		putc_e9('\n');
	} else {
		console_prompt();
	}
	puts_e9("reboot: powering off\n");
}

static bool cmdline_is(const struct hvm_start_info *si, const char *word)
{
	const char *s = (const char *)(uint32_t)si->cmdline_paddr;

	if (!si->cmdline_paddr)
		return false;
	while (*word && *s == *word)
		s++, word++;
	return !*word && (*s == '\0' || *s == ' ');
}

static uint32_t count_vcpus(void)
{
	uint32_t vcpus = 0;

	/* VCPUOP_is_up fails with -ENOENT past the domain's maximum. */
	while (vcpus < MAX_VCPUS && vcpu_op(VCPUOP_is_up, vcpus, 0) >= 0)
		vcpus++;
	return vcpus;
}

void guest_main(const struct hvm_start_info *si)
{
	enable_sse();
	if (si->magic != XEN_HVM_START_MAGIC_VALUE || !setup_hypercalls()) {
		puts_e9("guest: not started by Xen as a PVH guest\n");
		return;
	}
	if (cmdline_is(si, "loop"))
		loop();
	if (cmdline_is(si, "copy"))
		copy_engine();
	else if (cmdline_is(si, "timing"))
		timing_batches();
	else if (cmdline_is(si, "reboot"))
		reboot_job();
	else
		battery(count_vcpus());
}
