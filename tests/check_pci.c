/* SPDX-License-Identifier: BSD-2-Clause */
/* check_pci.c - PCI configuration space semantics: probe values,
 * read-only and read-write bits, BAR sizing and decode, the capability
 * chain, MSI and MSI-X with masking and pending bits, INTx, the 0xcf8
 * latch. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pci/pci.h"

/* What the function told its owner. */
static struct {
	unsigned maps, unmaps;
	unsigned last_bar;
	struct range last_map, last_unmap;
	int refuse_map; /* bar_map answers -1 */
	unsigned msis;
	uint64_t msi_addr;
	uint32_t msi_data;
	int intx; /* -1: never set */
	unsigned reg_reads, reg_writes, last_reg, last_size;
	uint32_t last_value;
} seen;

static int bar_map(void *ctx, unsigned bar, struct range r)
{
	if (seen.refuse_map)
		return -1;
	seen.maps++;
	seen.last_bar = bar;
	seen.last_map = r;
	return 0;
}

static void bar_unmap(void *ctx, unsigned bar, struct range r)
{
	seen.unmaps++;
	seen.last_bar = bar;
	seen.last_unmap = r;
}

static int send_msi(void *ctx, uint64_t addr, uint32_t data)
{
	seen.msis++;
	seen.msi_addr = addr;
	seen.msi_data = data;
	return 0;
}

static void set_intx(void *ctx, bool level)
{
	seen.intx = level;
}

/* The device's own registers read as 0xd0000000 | reg << 8 | size. */
static uint32_t device_reg_read(void *ctx, unsigned reg, unsigned size)
{
	seen.reg_reads++;
	seen.last_reg = reg;
	seen.last_size = size;
	return 0xd0000000u | reg << 8 | size;
}

static void device_reg_write(void *ctx, unsigned reg, unsigned size,
			     uint32_t value)
{
	seen.reg_writes++;
	seen.last_reg = reg;
	seen.last_size = size;
	seen.last_value = value;
}

static const struct pci_events events = {
	.bar_map = bar_map,
	.bar_unmap = bar_unmap,
	.send_msi = send_msi,
	.set_intx = set_intx,
	.config_read = device_reg_read,
	.config_write = device_reg_write,
};

/* A NetMos 9900 16550 as Linux's 8250_pci knows it, with an 8-byte I/O
 * BAR0, a 4K memory BAR1, a 64-bit prefetchable BAR2-3, MSI with 4
 * vectors, MSI-X with its table in BAR4, and INTA. */
static const struct pci_function_desc uart_desc = {
	.id = {.vendor = 0x9710,
	       .device = 0x9900,
	       .subsystem_vendor = 0xa000,
	       .subsystem = 0x1000,
	       .class_code = 0x070002,
	       .revision = 0x01},
	.bars = {{PCI_BAR_IO, false, 8},
		 {PCI_BAR_MEM32, false, 4096},
		 {PCI_BAR_MEM64, true, 1 << 20},
		 {PCI_BAR_NONE, false, 0},
		 {PCI_BAR_MEM32, false, PCI_MSIX_BAR_SIZE}},
	.msi_vectors = 4,
	.msix_vectors = 8,
	.msix_bar = 4,
	.intx_pin = 1,
};

static struct pci_function *f;

static void setup(void)
{
	memset(&seen, 0, sizeof(seen));
	seen.intx = -1;
	f = pci_function_create(&uart_desc, &events);
	ck_assert_ptr_nonnull(f);
}

static void teardown(void)
{
	pci_function_destroy(f);
}

static uint32_t rd(unsigned reg, unsigned size)
{
	return pci_config_read(f, reg, size);
}

static void wr(unsigned reg, unsigned size, uint32_t v)
{
	pci_config_write(f, reg, size, v);
}

/* --- header --------------------------------------------------------- */

START_TEST(identity_reads_as_described)
{
	ck_assert_uint_eq(rd(0x00, 4), 0x99009710);
	ck_assert_uint_eq(rd(0x08, 4), 0x07000201);
	ck_assert_uint_eq(rd(0x0a, 2), 0x0700);
	ck_assert_uint_eq(rd(0x0e, 1), 0x00);
	ck_assert_uint_eq(rd(0x2c, 2), 0xa000);
	ck_assert_uint_eq(rd(0x2e, 2), 0x1000);
	ck_assert_uint_eq(rd(0x3d, 1), 1);
	ck_assert_uint_eq(rd(0x06, 2) & 0x10, 0x10); /* capability list */
	ck_assert_uint_eq(rd(0x34, 1), 0x40);
	ck_assert_uint_eq(rd(0x100, 4), 0); /* extended space */
}
END_TEST

START_TEST(read_only_registers_ignore_writes)
{
	wr(0x00, 4, 0x12345678);
	wr(0x08, 4, 0xffffffff);
	wr(0x2c, 4, 0);
	wr(0x34, 1, 0x80);
	wr(0x3d, 1, 3);
	ck_assert_uint_eq(rd(0x00, 4), 0x99009710);
	ck_assert_uint_eq(rd(0x08, 4), 0x07000201);
	ck_assert_uint_eq(rd(0x2c, 4), 0x1000a000);
	ck_assert_uint_eq(rd(0x34, 1), 0x40);
	ck_assert_uint_eq(rd(0x3d, 1), 1);
}
END_TEST

START_TEST(command_bits_linux_probes_are_writable)
{
	/* Linux's INTx-masking probe, then enable and bus master. */
	wr(0x04, 2, 0x400);
	ck_assert_uint_eq(rd(0x04, 2), 0x400);
	wr(0x04, 2, 0);
	wr(0x04, 2, 0x7);
	ck_assert_uint_eq(rd(0x04, 2), 0x7);
	/* Reserved bits stay 0. */
	wr(0x04, 2, 0xffff);
	ck_assert_uint_eq(rd(0x04, 2), 0x547);
	/* Latency timer and interrupt line are scratch registers. */
	wr(0x0d, 1, 0x40);
	wr(0x3c, 1, 0x0b);
	ck_assert_uint_eq(rd(0x0d, 1), 0x40);
	ck_assert_uint_eq(rd(0x3c, 1), 0x0b);
}
END_TEST

START_TEST(status_error_bits_are_write_one_to_clear)
{
	/* Writing ones to STATUS sets nothing: its error bits only clear,
	 * and CAP_LIST is read-only. */
	wr(0x06, 2, 0xffff);
	ck_assert_uint_eq(rd(0x06, 2), 0x10);
}
END_TEST

START_TEST(bad_config_accesses_are_harmless)
{
	ck_assert_uint_eq(rd(0x02, 4), UINT32_MAX); /* crosses a dword */
	ck_assert_uint_eq(rd(0x00, 3), UINT32_MAX);
	wr(0x03, 2, 0xffff);
	wr(0x1000, 4, 0xffffffff);
	ck_assert_uint_eq(rd(0x00, 4), 0x99009710);
}
END_TEST

/* --- BARs ------------------------------------------------------------ */

START_TEST(bar_sizing_reads_back_the_size)
{
	wr(0x10, 4, 0xffffffff);
	ck_assert_uint_eq(rd(0x10, 4), 0xfffffff9); /* 8-byte I/O */
	wr(0x14, 4, 0xffffffff);
	ck_assert_uint_eq(rd(0x14, 4), 0xfffff000); /* 4K memory */
	wr(0x18, 4, 0xffffffff);
	wr(0x1c, 4, 0xffffffff);
	ck_assert_uint_eq(rd(0x18, 4), 0xfff0000c); /* 1M, 64-bit, pf */
	ck_assert_uint_eq(rd(0x1c, 4), 0xffffffff);
	wr(0x24, 4, 0xffffffff);
	ck_assert_uint_eq(rd(0x24, 4), 0); /* absent */
	wr(0x30, 4, 0xfffff800);
	ck_assert_uint_eq(rd(0x30, 4), 0); /* no ROM */
	ck_assert_uint_eq(seen.maps, 0);   /* decode is off */
}
END_TEST

START_TEST(bar_maps_when_decode_is_on_and_moves)
{
	wr(0x14, 4, 0x0c000000);
	ck_assert_uint_eq(seen.maps, 0);
	wr(0x04, 2, 0x2);
	ck_assert_uint_eq(seen.maps, 1);
	ck_assert_uint_eq(seen.last_bar, 1);
	ck_assert_uint_eq(seen.last_map.base, 0x0c000000);
	ck_assert_uint_eq(seen.last_map.last, 0x0c000fff);
	/* The guest moves it while decode is on. */
	wr(0x14, 4, 0x0d000000);
	ck_assert_uint_eq(seen.unmaps, 1);
	ck_assert_uint_eq(seen.last_unmap.base, 0x0c000000);
	ck_assert_uint_eq(seen.maps, 2);
	ck_assert_uint_eq(seen.last_map.base, 0x0d000000);
	/* Sizing with decode on maps nothing at the pattern. */
	wr(0x14, 4, 0xffffffff);
	ck_assert_uint_eq(seen.unmaps, 2);
	ck_assert_uint_eq(seen.maps, 2);
	wr(0x14, 4, 0x0d000000);
	ck_assert_uint_eq(seen.maps, 3);
	/* MEM decode off: unmapped; the I/O BAR never mapped (IO off). */
	wr(0x04, 2, 0x0);
	ck_assert_uint_eq(seen.unmaps, 3);
	ck_assert_uint_eq(seen.maps, 3);
}
END_TEST

START_TEST(io_bar_follows_io_decode)
{
	wr(0x10, 4, 0x1001);
	wr(0x04, 2, 0x1);
	ck_assert_uint_eq(seen.maps, 1);
	ck_assert_uint_eq(seen.last_bar, 0);
	ck_assert_uint_eq(seen.last_map.base, 0x1000);
	ck_assert_uint_eq(seen.last_map.last, 0x1007);
	ck_assert_uint_eq(rd(0x10, 4), 0x1001);
	/* Past the 64K port space: not decoded. */
	wr(0x10, 4, 0x10000);
	ck_assert_uint_eq(seen.unmaps, 1);
	ck_assert_uint_eq(seen.maps, 1);
}
END_TEST

START_TEST(bar_64bit_maps_above_4g)
{
	wr(0x18, 4, 0x0);
	wr(0x1c, 4, 0x1);
	wr(0x04, 2, 0x2);
	ck_assert_uint_eq(seen.maps, 1);
	ck_assert_uint_eq(seen.last_bar, 2);
	ck_assert_uint_eq(seen.last_map.base, 0x100000000ull);
	ck_assert_uint_eq(seen.last_map.last, 0x1000fffffull);
}
END_TEST

START_TEST(refused_bar_is_counted_and_not_asked_again)
{
	struct pci_stats st;

	seen.refuse_map = 1;
	wr(0x14, 4, 0x0c000000);
	wr(0x04, 2, 0x2);
	wr(0x04, 2, 0x6); /* another COMMAND write: same range */
	pci_function_stats(f, &st);
	ck_assert_uint_eq(st.bar_failed, 1);
	seen.refuse_map = 0;
	wr(0x14, 4, 0x0e000000);
	ck_assert_uint_eq(seen.maps, 1);
	ck_assert_uint_eq(seen.unmaps, 0); /* the refused one was never on */
}
END_TEST

START_TEST(destroy_unmaps_what_is_mapped)
{
	wr(0x14, 4, 0x0c000000);
	wr(0x04, 2, 0x2);
	pci_function_destroy(f);
	ck_assert_uint_eq(seen.unmaps, 1);
	f = pci_function_create(&uart_desc, &events);
}
END_TEST

/* --- capabilities and MSI -------------------------------------------- */

START_TEST(capability_chain_is_msi_then_msix)
{
	ck_assert_uint_eq(rd(0x40, 1), 0x05);
	ck_assert_uint_eq(rd(0x41, 1), 0x58);
	/* 64-bit, per-vector mask, 4 vectors capable (MMC 2). */
	ck_assert_uint_eq(rd(0x42, 2), 0x0184);
	ck_assert_uint_eq(rd(0x58, 1), 0x11);
	ck_assert_uint_eq(rd(0x59, 1), 0x00);
	ck_assert_uint_eq(rd(0x5a, 2), 7);     /* table size - 1 */
	ck_assert_uint_eq(rd(0x5c, 4), 0x4);   /* table: BAR4 + 0 */
	ck_assert_uint_eq(rd(0x60, 4), 0x804); /* PBA: BAR4 + 0x800 */
}
END_TEST

/* Linux's order: address, high half, data, INTx off, then enable. */
static void enable_msi(uint32_t addr, uint16_t data, unsigned mme)
{
	wr(0x04, 2, 0x7);
	wr(0x44, 4, addr);
	wr(0x48, 4, 0);
	wr(0x4c, 2, data);
	wr(0x04, 2, 0x407);
	wr(0x42, 2, (uint16_t)(0x0001 | mme << 4));
}

START_TEST(msi_fires_on_each_rising_edge)
{
	enable_msi(0xfee00000, 0x21, 0);
	pci_function_set_level(f, true);
	ck_assert_uint_eq(seen.msis, 1);
	ck_assert_uint_eq(seen.msi_addr, 0xfee00000);
	ck_assert_uint_eq(seen.msi_data, 0x21);
	pci_function_set_level(f, true); /* still high: no edge */
	ck_assert_uint_eq(seen.msis, 1);
	pci_function_set_level(f, false);
	pci_function_set_level(f, true);
	ck_assert_uint_eq(seen.msis, 2);
	ck_assert_int_eq(seen.intx, -1); /* INTx stays silent */
}
END_TEST

START_TEST(masked_msi_is_pending_until_unmasked)
{
	enable_msi(0xfee00000, 0x21, 0);
	wr(0x50, 4, 0x1);
	pci_function_set_level(f, true);
	ck_assert_uint_eq(seen.msis, 0);
	ck_assert_uint_eq(rd(0x54, 4), 0x1);
	wr(0x54, 4, 0); /* pending bits are read-only */
	ck_assert_uint_eq(rd(0x54, 4), 0x1);
	wr(0x50, 4, 0x0);
	ck_assert_uint_eq(seen.msis, 1);
	ck_assert_uint_eq(rd(0x54, 4), 0);
}
END_TEST

START_TEST(msi_with_address_or_vector_0_is_dropped)
{
	struct pci_stats st;

	/* What Linux leaves after free_irq: enabled, address and data 0. */
	enable_msi(0, 0, 0);
	pci_function_set_level(f, true);
	pci_function_set_level(f, false);
	/* Reprogrammed half way: the address, not yet the data. */
	wr(0x44, 4, 0xfee00000);
	pci_function_set_level(f, true);
	pci_function_set_level(f, false);
	ck_assert_uint_eq(seen.msis, 0);
	wr(0x4c, 2, 0x31);
	pci_function_set_level(f, true);
	ck_assert_uint_eq(seen.msis, 1);
	ck_assert_uint_eq(seen.msi_data, 0x31);
	pci_function_stats(f, &st);
	ck_assert_uint_eq(st.dropped, 2);
	ck_assert_uint_eq(st.messages, 1);
}
END_TEST

START_TEST(msi_without_bus_master_is_dropped)
{
	enable_msi(0xfee00000, 0x21, 0);
	wr(0x04, 2, 0x403);
	pci_function_set_level(f, true);
	ck_assert_uint_eq(seen.msis, 0);
}
END_TEST

START_TEST(msi_vectors_the_guest_granted)
{
	enable_msi(0xfee01000, 0x40, 2); /* 4 vectors */
	ck_assert_int_eq(pci_function_send_vector(f, 3), 0);
	ck_assert_uint_eq(seen.msi_data, 0x43);
	ck_assert_uint_eq(seen.msi_addr, 0xfee01000);
	ck_assert_int_eq(pci_function_send_vector(f, 4), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* Granted fewer than asked: the rest are refused. */
	wr(0x42, 2, 0x0001 | 1 << 4);
	ck_assert_int_eq(pci_function_send_vector(f, 2), -1);
	/* Disabled: no vector at all. */
	wr(0x42, 2, 0);
	ck_assert_int_eq(pci_function_send_vector(f, 0), -1);
}
END_TEST

/* --- MSI-X ------------------------------------------------------------ */

static void program_msix_entry(unsigned v, uint32_t addr, uint32_t data,
			       bool masked)
{
	pci_msix_write(f, 16 * v, 4, addr);
	pci_msix_write(f, 16 * v + 4, 4, 0);
	pci_msix_write(f, 16 * v + 8, 4, data);
	pci_msix_write(f, 16 * v + 12, 4, masked);
}

START_TEST(msix_table_reads_back_and_starts_masked)
{
	ck_assert_uint_eq(pci_msix_read(f, 12, 4), 1);
	ck_assert_uint_eq(pci_msix_read(f, 16 * 7 + 12, 4), 1);
	program_msix_entry(2, 0xfee00000, 0x55, false);
	ck_assert_uint_eq(pci_msix_read(f, 32, 8), 0xfee00000);
	ck_assert_uint_eq(pci_msix_read(f, 40, 8), 0x55);
	ck_assert_uint_eq(pci_msix_read(f, 16 * 8, 4), 0); /* past table */
	ck_assert_uint_eq(pci_msix_read(f, 0x800, 4), 0);  /* PBA */
}
END_TEST

START_TEST(msix_function_and_vector_masks_latch_pending)
{
	wr(0x04, 2, 0x7);
	program_msix_entry(0, 0xfee00000, 0x61, false);
	program_msix_entry(5, 0xfee02000, 0x65, true);
	wr(0x5a, 2, 0xc000); /* enabled, function masked */
	ck_assert_int_eq(pci_function_send_vector(f, 0), 0);
	ck_assert_uint_eq(seen.msis, 0);
	ck_assert_uint_eq(pci_msix_read(f, 0x800, 4), 0x1);
	wr(0x5a, 2, 0x8000); /* function mask off: vector 0 goes */
	ck_assert_uint_eq(seen.msis, 1);
	ck_assert_uint_eq(seen.msi_data, 0x61);
	ck_assert_uint_eq(pci_msix_read(f, 0x800, 4), 0);
	ck_assert_int_eq(pci_function_send_vector(f, 5), 0);
	ck_assert_uint_eq(pci_msix_read(f, 0x800, 4), 0x20);
	pci_msix_write(f, 0x800, 4, 0); /* the PBA is read-only */
	ck_assert_uint_eq(pci_msix_read(f, 0x800, 4), 0x20);
	pci_msix_write(f, 16 * 5 + 12, 4, 0); /* unmask vector 5 */
	ck_assert_uint_eq(seen.msis, 2);
	ck_assert_uint_eq(seen.msi_addr, 0xfee02000);
	ck_assert_int_eq(pci_function_send_vector(f, 8), -1);
}
END_TEST

START_TEST(msix_takes_precedence_over_msi)
{
	enable_msi(0xfee00000, 0x21, 0);
	program_msix_entry(0, 0xfee00000, 0x71, false);
	wr(0x5a, 2, 0x8000);
	pci_function_set_level(f, true);
	ck_assert_uint_eq(seen.msis, 1);
	ck_assert_uint_eq(seen.msi_data, 0x71);
}
END_TEST

/* --- INTx --------------------------------------------------------------- */

START_TEST(intx_follows_the_level_unless_disabled)
{
	pci_function_set_level(f, true);
	ck_assert_int_eq(seen.intx, 1);
	ck_assert_uint_eq(rd(0x06, 2) & 0x08, 0x08);
	wr(0x04, 2, 0x400);
	ck_assert_int_eq(seen.intx, 0);
	ck_assert_uint_eq(rd(0x06, 2) & 0x08, 0x08); /* status still shows it */
	wr(0x04, 2, 0);
	ck_assert_int_eq(seen.intx, 1);
	pci_function_set_level(f, false);
	ck_assert_int_eq(seen.intx, 0);
	ck_assert_uint_eq(rd(0x06, 2) & 0x08, 0);
}
END_TEST

/* --- descriptions ------------------------------------------------------- */

START_TEST(bad_descriptions_are_refused_with_a_reason)
{
	struct pci_function_desc d = uart_desc;
	char err[128];

	ck_assert_int_eq(pci_function_check(&d, err, sizeof(err)), 0);
	d.bars[0].size = 12;
	ck_assert_int_eq(pci_function_check(&d, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "BAR0: an I/O BAR's size is a power of two, "
			      "4 to 256 bytes");
	d = uart_desc;
	d.bars[5] = (struct pci_bar){PCI_BAR_MEM64, false, 4096};
	ck_assert_int_eq(pci_function_check(&d, err, sizeof(err)), -1);
	d = uart_desc;
	d.msi_vectors = 3;
	ck_assert_int_eq(pci_function_check(&d, err, sizeof(err)), -1);
	d = uart_desc;
	d.msix_bar = 0; /* an I/O BAR can't hold the table */
	ck_assert_int_eq(pci_function_check(&d, err, sizeof(err)), -1);
	ck_assert_ptr_null(pci_function_create(&d, &events));
}
END_TEST

/* MSI at 0x40 (24 bytes), then the device's registers from 0x60 with a
 * vendor capability (ID 0x09) at 0x60 linked after MSI. */
static const struct pci_function_desc registers_desc = {
	.id = {.vendor = 0x1234, .device = 0x5678, .class_code = 0xff0000},
	.bars = {{PCI_BAR_MEM32, false, 4096}},
	.msi_vectors = 1,
	.device_regs = 0x60,
	.device_cap = 0x60,
};

START_TEST(device_registers_reach_the_device_and_join_the_chain)
{
	struct pci_function *g = pci_function_create(&registers_desc, &events);

	ck_assert_ptr_nonnull(g);
	/* cap pointer -> MSI at 0x40 -> the device's capability. */
	ck_assert_uint_eq(pci_config_read(g, 0x34, 1), 0x40);
	ck_assert_uint_eq(pci_config_read(g, 0x41, 1), 0x60);
	ck_assert_uint_eq(seen.reg_reads, 0);
	ck_assert_uint_eq(pci_config_read(g, 0x60, 4), 0xd0006004);
	ck_assert_uint_eq(pci_config_read(g, 0xfe, 2), 0xfe02); /* 2 bytes */
	ck_assert_uint_eq(seen.reg_reads, 2);
	pci_config_write(g, 0x64, 4, 0xcafe);
	ck_assert_uint_eq(seen.reg_writes, 1);
	ck_assert_uint_eq(seen.last_reg, 0x64);
	ck_assert_uint_eq(seen.last_value, 0xcafe);
	/* The header and MSI stay mmiod's: not the device's business. */
	pci_config_write(g, 0x44, 4, 0xfee00000);
	ck_assert_uint_eq(pci_config_read(g, 0x44, 4), 0xfee00000);
	ck_assert_uint_eq(pci_config_read(g, 0x5c, 4), 0);
	ck_assert_uint_eq(seen.reg_reads, 2);
	ck_assert_uint_eq(seen.reg_writes, 1);
	pci_function_destroy(g);
}
END_TEST

START_TEST(device_capability_alone_heads_the_chain)
{
	struct pci_function_desc d = registers_desc;
	struct pci_function *g;

	d.msi_vectors = 0;
	d.device_regs = 0x40;
	d.device_cap = 0x48;
	g = pci_function_create(&d, &events);
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(pci_config_read(g, 0x34, 1), 0x48);
	ck_assert_uint_eq(pci_config_read(g, 0x06, 2) & 0x10, 0x10);
	pci_function_destroy(g);
}
END_TEST

START_TEST(device_registers_over_the_capabilities_are_refused)
{
	struct pci_function_desc d = registers_desc;
	char err[160];

	d.device_regs = 0x54; /* MSI runs to 0x58 */
	ck_assert_int_eq(pci_function_check(&d, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "device registers: a dword-aligned start from "
			      "0x58 (above the MSI/MSI-X capabilities) to "
			      "0xfc");
	d.device_regs = 0x62; /* not a dword */
	ck_assert_int_eq(pci_function_check(&d, err, sizeof(err)), -1);
	d = registers_desc;
	d.device_cap = 0x5c; /* below the registers */
	ck_assert_int_eq(pci_function_check(&d, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "device capability: a dword-aligned offset "
			      "inside the device's registers (0x60 to 0xfc)");
	d.device_cap = 0x62;
	ck_assert_int_eq(pci_function_check(&d, err, sizeof(err)), -1);
	d = registers_desc;
	d.device_regs = 0;
	ck_assert_int_eq(pci_function_check(&d, err, sizeof(err)), -1);
}
END_TEST

START_TEST(host_bridge_is_a_host_bridge)
{
	struct pci_function *h = pci_function_create(&pci_host_bridge, &events);

	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(pci_config_read(h, 0x0a, 2), 0x0600);
	ck_assert_uint_eq(pci_config_read(h, 0x06, 2) & 0x10, 0);
	pci_function_destroy(h);
}
END_TEST

START_TEST(cf8_latch_reads_back_dword_writes_only)
{
	struct pci_cf8 l = {0};

	pci_cf8_write(&l, 3, 1, 0x01); /* Linux's probe: a byte at 0xcfb */
	ck_assert_uint_eq(pci_cf8_read(&l, 0, 4), 0);
	pci_cf8_write(&l, 0, 4, 0x80000000);
	ck_assert_uint_eq(pci_cf8_read(&l, 0, 4), 0x80000000);
	pci_cf8_write(&l, 0, 4, 0xffffffff);
	ck_assert_uint_eq(pci_cf8_read(&l, 0, 4), 0x80fffffc);
	ck_assert_uint_eq(pci_cf8_read(&l, 2, 2), 0x80ff);
	ck_assert_uint_eq(pci_cf8_read(&l, 4, 4), 0xffffffff); /* 0xcfc */
}
END_TEST

static Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *header = tcase_create("header");
	TCase *bars = tcase_create("bars");
	TCase *msi = tcase_create("msi");
	TCase *other = tcase_create("other");

	tcase_add_checked_fixture(header, setup, teardown);
	tcase_add_test(header, identity_reads_as_described);
	tcase_add_test(header, read_only_registers_ignore_writes);
	tcase_add_test(header, command_bits_linux_probes_are_writable);
	tcase_add_test(header, status_error_bits_are_write_one_to_clear);
	tcase_add_test(header, bad_config_accesses_are_harmless);
	suite_add_tcase(s, header);

	tcase_add_checked_fixture(bars, setup, teardown);
	tcase_add_test(bars, bar_sizing_reads_back_the_size);
	tcase_add_test(bars, bar_maps_when_decode_is_on_and_moves);
	tcase_add_test(bars, io_bar_follows_io_decode);
	tcase_add_test(bars, bar_64bit_maps_above_4g);
	tcase_add_test(bars, refused_bar_is_counted_and_not_asked_again);
	tcase_add_test(bars, destroy_unmaps_what_is_mapped);
	suite_add_tcase(s, bars);

	tcase_add_checked_fixture(msi, setup, teardown);
	tcase_add_test(msi, capability_chain_is_msi_then_msix);
	tcase_add_test(msi, msi_fires_on_each_rising_edge);
	tcase_add_test(msi, masked_msi_is_pending_until_unmasked);
	tcase_add_test(msi, msi_with_address_or_vector_0_is_dropped);
	tcase_add_test(msi, msi_without_bus_master_is_dropped);
	tcase_add_test(msi, msi_vectors_the_guest_granted);
	tcase_add_test(msi, msix_table_reads_back_and_starts_masked);
	tcase_add_test(msi, msix_function_and_vector_masks_latch_pending);
	tcase_add_test(msi, msix_takes_precedence_over_msi);
	tcase_add_test(msi, intx_follows_the_level_unless_disabled);
	suite_add_tcase(s, msi);

	tcase_add_checked_fixture(other, setup, teardown);
	tcase_add_test(other, bad_descriptions_are_refused_with_a_reason);
	tcase_add_test(other,
		       device_registers_reach_the_device_and_join_the_chain);
	tcase_add_test(other, device_capability_alone_heads_the_chain);
	tcase_add_test(other,
		       device_registers_over_the_capabilities_are_refused);
	tcase_add_test(other, host_bridge_is_a_host_bridge);
	tcase_add_test(other, cf8_latch_reads_back_dword_writes_only);
	suite_add_tcase(s, other);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pci_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
