/* SPDX-License-Identifier: BSD-2-Clause */
/* pci.h - PCI functions as a guest's OS scans and drives them: a type-0
 * configuration space with its read-only, read-write and write-1-to-
 * clear bits, BARs with size probing and decode, an MSI capability
 * (64-bit, per-vector masking) and an MSI-X capability (table and PBA in
 * a BAR), and the 0xcf8 address latch of configuration mechanism #1.
 *
 * A function knows nothing of buses or Xen: its owner hears, through
 * struct pci_events, when a BAR starts or stops decoding a range (the
 * guest programmed or moved it, or flipped COMMAND's IO/MEM bits) and
 * when a message is to be sent. The device behind the function drives
 * its interrupt output with pci_function_set_level() (an edge fires MSI
 * or MSI-X vector 0; without either it is the INTx level) or fires a
 * vector with pci_function_send_vector().
 *
 * Messages follow what Linux does to a live function: it updates the
 * MSI address and data one register at a time and, after free_irq(),
 * leaves MSI enabled with address and data 0. So a message is built from
 * the registers as they are when it fires, and one whose address is not
 * in the 0xfeexxxxx window or whose vector is 0 is dropped and counted
 * (Xen would refuse vector 0 with ERANGE). A masked vector is latched in
 * the pending bits and sent when it is unmasked.
 *
 * Thread-safe: configuration accesses, MSI-X table accesses and the
 * device's interrupts may come from any thread. The events but the
 * device's registers are called with the function's lock held: they
 * must not call back into it.
 */
#ifndef MMIOD_PCI_H
#define MMIOD_PCI_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/range.h"

#define PCI_NUM_BARS 6
#define PCI_MSI_MAX_VECTORS 32
#define PCI_MSIX_MAX_VECTORS 128
/* Where MSI-X keeps its table and PBA inside its BAR. */
#define PCI_MSIX_TABLE_OFFSET 0x0
#define PCI_MSIX_PBA_OFFSET 0x800
#define PCI_MSIX_BAR_SIZE 0x1000

enum pci_bar_type {
	PCI_BAR_NONE,
	PCI_BAR_IO,
	PCI_BAR_MEM32,
	PCI_BAR_MEM64, /* takes this slot and the next */
};

struct pci_bar {
	enum pci_bar_type type;
	bool prefetchable;
	uint64_t size; /* a power of two: I/O 4 to 256, memory at least 16 */
};

struct pci_identity {
	uint16_t vendor, device;
	uint16_t subsystem_vendor, subsystem;
	uint32_t class_code; /* base class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
};

struct pci_function_desc {
	struct pci_identity id;
	struct pci_bar bars[PCI_NUM_BARS];
	unsigned msi_vectors;  /* 0: no MSI capability; else 1, 2, 4 ... 32 */
	unsigned msix_vectors; /* 0: no MSI-X; else 1 to 128 */
	unsigned msix_bar;     /* the BAR holding the table and PBA */
	uint8_t intx_pin;      /* 0: none; 1 to 4: INTA to INTD */
	bool multifunction;    /* header type bit 7 (function 0 of a slot) */
	/* The device's own registers: device_regs to 0xff (0: none), with
	 * the MSI and MSI-X capabilities below them (from 0x40). device_cap:
	 * a capability of the device's in there, linked after those (0:
	 * none). */
	uint8_t device_regs;
	uint8_t device_cap;
};

struct pci_events {
	/* BAR bar now decodes r: 0, or -1 when it can't (the range is
	 * taken); the BAR then stays unmapped until it changes again. */
	int (*bar_map)(void *ctx, unsigned bar, struct range r);
	void (*bar_unmap)(void *ctx, unsigned bar, struct range r);
	/* Sends one message; -1 when the transport refused it. */
	int (*send_msi)(void *ctx, uint64_t addr, uint32_t data);
	/* The level of the INTx pin. */
	void (*set_intx)(void *ctx, bool level);
	/* The device's own registers (desc.device_regs on), called without
	 * the function's lock: the device may raise its interrupt there. */
	uint32_t (*config_read)(void *ctx, unsigned reg, unsigned size);
	void (*config_write)(void *ctx, unsigned reg, unsigned size,
			     uint32_t value);
	void *ctx;
};

struct pci_stats {
	atomic_ullong messages;	  /* MSI and MSI-X messages sent */
	atomic_ullong dropped;	  /* address outside 0xfeexxxxx or vector 0 */
	atomic_ullong refused;	  /* the transport refused the message */
	atomic_ullong bar_moves;  /* BAR mappings made */
	atomic_ullong bar_failed; /* BAR mappings refused: range taken */
};

struct pci_function;

/* Checks d: 0, or -1 with a message in err (BAR sizes, vector counts,
 * a 64-bit BAR in the last slot...). */
int pci_function_check(const struct pci_function_desc *d, char *err,
		       size_t errlen);
/* A function in its power-on state (decode off, no BAR programmed).
 * NULL on ENOMEM or a desc that pci_function_check() refuses. */
struct pci_function *pci_function_create(const struct pci_function_desc *d,
					 const struct pci_events *ev);
/* Unmaps every BAR still mapped (through bar_unmap), then frees. */
void pci_function_destroy(struct pci_function *f);

/* A configuration access of size 1, 2 or 4 at reg, not crossing a
 * dword. reg 0x100 to 0xfff (extended space) reads 0, ignores writes. */
uint32_t pci_config_read(struct pci_function *f, unsigned reg, unsigned size);
void pci_config_write(struct pci_function *f, unsigned reg, unsigned size,
		      uint32_t value);

/* The MSI-X table and PBA, as offsets into their BAR; size 4 or 8,
 * aligned. Reads of anything else are 0. */
uint64_t pci_msix_read(struct pci_function *f, uint64_t offset, unsigned size);
void pci_msix_write(struct pci_function *f, uint64_t offset, unsigned size,
		    uint64_t value);

/* The device's interrupt output (see above). */
void pci_function_set_level(struct pci_function *f, bool level);
/* -1 (EINVAL) when vector is not one the guest enabled. */
int pci_function_send_vector(struct pci_function *f, unsigned vector);

void pci_function_stats(const struct pci_function *f, struct pci_stats *out);

/* The 0xcf8 CONFIG_ADDRESS latch, for the port range 0xcf8-0xcff a host
 * bridge claims. Xen latches the guest's 4-byte writes itself and still
 * forwards them, and routes 0xcfc-0xcff to the SBDF's server; the
 * device model must read the latch back (Linux's conf1 probe writes it
 * and checks). Other ports of the range read all ones. */
struct pci_cf8 {
	atomic_uint value;
};
uint64_t pci_cf8_read(struct pci_cf8 *l, unsigned offset, unsigned size);
void pci_cf8_write(struct pci_cf8 *l, unsigned offset, unsigned size,
		   uint64_t value);

/* The host bridge a guest scanning bus 0 expects at 00:00.0 (Linux's
 * pci_sanity_check looks for a host bridge class there). */
extern const struct pci_function_desc pci_host_bridge;

#endif
