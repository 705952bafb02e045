/* SPDX-License-Identifier: BSD-2-Clause */
/* pci_internal.h - a function's state and the registers its files
 * share. Private to pci/. */
#ifndef MMIOD_PCI_INTERNAL_H
#define MMIOD_PCI_INTERNAL_H

#include <pthread.h>

#include "pci.h"

#define PCI_CONFIG_SIZE 256
/* Where the capabilities mmiod lays out begin. */
#define PCI_CAPS_START 0x40

#define REG_VENDOR 0x00
#define REG_DEVICE 0x02
#define REG_COMMAND 0x04
#define REG_STATUS 0x06
#define REG_REVISION 0x08
#define REG_CACHE_LINE 0x0c
#define REG_LATENCY 0x0d
#define REG_HEADER 0x0e
#define REG_BAR0 0x10
#define REG_SUBSYSTEM_VENDOR 0x2c
#define REG_SUBSYSTEM 0x2e
#define REG_CAP_PTR 0x34
#define REG_INT_LINE 0x3c
#define REG_INT_PIN 0x3d

#define CMD_IO 0x0001
#define CMD_MEM 0x0002
#define CMD_MASTER 0x0004
#define CMD_PARITY 0x0040
#define CMD_SERR 0x0100
#define CMD_INTX_DISABLE 0x0400
#define STATUS_INTX 0x0008
#define STATUS_CAP_LIST 0x0010
/* Parity, system and target/master abort errors: write 1 to clear. */
#define STATUS_W1C 0xf900

#define CAP_ID_MSI 0x05
#define CAP_ID_MSIX 0x11

/* MSI capability, 64-bit with per-vector masking: register offsets. */
#define MSI_CTRL 2
#define MSI_ADDR_LO 4
#define MSI_ADDR_HI 8
#define MSI_DATA 12
#define MSI_MASK 16
#define MSI_PENDING 20
#define MSI_CAP_SIZE 24
#define MSI_CTRL_ENABLE 0x0001
#define MSI_CTRL_MME_SHIFT 4
#define MSI_CTRL_64BIT 0x0080
#define MSI_CTRL_MASKABLE 0x0100

/* MSI-X capability. */
#define MSIX_CTRL 2
#define MSIX_TABLE 4
#define MSIX_PBA 8
#define MSIX_CAP_SIZE 12
#define MSIX_CTRL_MASKALL 0x4000
#define MSIX_CTRL_ENABLE 0x8000
#define MSIX_ENTRY_SIZE 16
#define MSIX_ENTRY_MASKED 0x1

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct pci_function {
	pthread_mutex_t lock;
	struct pci_function_desc desc;
	struct pci_events ev;
	/* The registers, which bits a write may change, and which a 1
	 * written clears. */
	uint8_t cfg[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];
	uint8_t w1c[PCI_CONFIG_SIZE];
	/* What each BAR decodes now, and a range its owner refused (not
	 * asked again until the BAR changes). */
	bool bar_mapped[PCI_NUM_BARS];
	struct range bar_range[PCI_NUM_BARS];
	bool bar_refused[PCI_NUM_BARS];
	struct range refused_range[PCI_NUM_BARS];
	bool level;		    /* the device's interrupt output */
	bool intx;		    /* what the INTx pin was last set to */
	unsigned msi_cap, msix_cap; /* offsets; 0: none */
	struct msix_entry msix[PCI_MSIX_MAX_VECTORS];
	uint32_t msix_pending[PCI_MSIX_MAX_VECTORS / 32];
	struct pci_stats stats;
};

/* The little-endian dword at reg of a register or mask array. */
static inline uint32_t bytes_get32(const uint8_t *bytes, unsigned reg)
{
	return (uint32_t)bytes[reg] | (uint32_t)bytes[reg + 1] << 8 |
	       (uint32_t)bytes[reg + 2] << 16 | (uint32_t)bytes[reg + 3] << 24;
}

/* Sets size bytes of a register or mask array from v, little-endian. */
static inline void bytes_put(uint8_t *bytes, unsigned reg, unsigned size,
			     uint32_t v)
{
	for (unsigned i = 0; i < size; i++)
		bytes[reg + i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t cfg_get16(const struct pci_function *f, unsigned reg)
{
	return (uint16_t)(f->cfg[reg] | f->cfg[reg + 1] << 8);
}

static inline uint32_t cfg_get32(const struct pci_function *f, unsigned reg)
{
	return bytes_get32(f->cfg, reg);
}

static inline void cfg_put16(struct pci_function *f, unsigned reg, uint16_t v)
{
	f->cfg[reg] = (uint8_t)v;
	f->cfg[reg + 1] = (uint8_t)(v >> 8);
}

static inline void cfg_put32(struct pci_function *f, unsigned reg, uint32_t v)
{
	cfg_put16(f, reg, (uint16_t)v);
	cfg_put16(f, reg + 2, (uint16_t)(v >> 16));
}

/* msi.c: lays out the MSI and MSI-X capabilities from offset at on;
 * returns the offset after them. */
unsigned msi_layout(struct pci_function *f, unsigned at);
/* msi.c: whether MSI or MSI-X is enabled (INTx is then silent). */
bool msi_active(const struct pci_function *f);
/* msi.c: after a config write to [reg, reg + size): sends what an
 * unmask or an enable released. */
void msi_config_written(struct pci_function *f, unsigned reg, unsigned size);
/* msi.c: fires vector (MSI or MSI-X, whichever is enabled). */
int msi_fire(struct pci_function *f, unsigned vector);

#endif
