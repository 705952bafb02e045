/* SPDX-License-Identifier: BSD-2-Clause */
/* msi.c - the MSI and MSI-X capabilities: their registers, the MSI-X
 * table and PBA, masking with pending bits, and building each message
 * from the registers as they are when it fires. */
#include <errno.h>

#include "pci_internal.h"

/* Messages go to the local APICs' window, 0xfee00000-0xfeefffff. */
#define MSI_WINDOW 0xfee00000u
#define MSI_WINDOW_SIZE 0x100000u

static unsigned log2_of(unsigned pow2)
{
	unsigned n = 0;

	while (pow2 > 1) {
		pow2 >>= 1;
		n++;
	}
	return n;
}

unsigned msi_layout(struct pci_function *f, unsigned at)
{
	const struct pci_function_desc *d = &f->desc;
	unsigned n;

	if (d->msi_vectors) {
		n = d->msi_vectors;
		f->msi_cap = at;
		f->cfg[at] = CAP_ID_MSI;
		cfg_put16(f, at + MSI_CTRL,
			  (uint16_t)(MSI_CTRL_64BIT | MSI_CTRL_MASKABLE |
				     log2_of(n) << 1));
		/* Enable and how many vectors the guest grants. */
		f->wmask[at + MSI_CTRL] = MSI_CTRL_ENABLE | 0x70;
		bytes_put(f->wmask, at + MSI_ADDR_LO, 4, 0xfffffffc);
		bytes_put(f->wmask, at + MSI_ADDR_HI, 4, 0xffffffff);
		bytes_put(f->wmask, at + MSI_DATA, 2, 0xffff);
		bytes_put(f->wmask, at + MSI_MASK, 4,
			  n == 32 ? 0xffffffff : (1u << n) - 1);
		at += MSI_CAP_SIZE;
		if (d->msix_vectors)
			f->cfg[f->msi_cap + 1] = (uint8_t)at;
	}
	if (d->msix_vectors) {
		f->msix_cap = at;
		f->cfg[at] = CAP_ID_MSIX;
		cfg_put16(f, at + MSIX_CTRL, (uint16_t)(d->msix_vectors - 1));
		f->wmask[at + MSIX_CTRL + 1] =
			(MSIX_CTRL_MASKALL | MSIX_CTRL_ENABLE) >> 8;
		cfg_put32(f, at + MSIX_TABLE,
			  PCI_MSIX_TABLE_OFFSET | d->msix_bar);
		cfg_put32(f, at + MSIX_PBA, PCI_MSIX_PBA_OFFSET | d->msix_bar);
		/* Every vector starts masked. */
		for (unsigned v = 0; v < d->msix_vectors; v++)
			f->msix[v].ctrl = MSIX_ENTRY_MASKED;
		at += MSIX_CAP_SIZE;
	}
	return at;
}

static bool msi_enabled(const struct pci_function *f)
{
	return f->msi_cap &&
	       (cfg_get16(f, f->msi_cap + MSI_CTRL) & MSI_CTRL_ENABLE);
}

static uint16_t msix_ctrl(const struct pci_function *f)
{
	return f->msix_cap ? cfg_get16(f, f->msix_cap + MSIX_CTRL) : 0;
}

bool msi_active(const struct pci_function *f)
{
	return msi_enabled(f) || (msix_ctrl(f) & MSIX_CTRL_ENABLE);
}

/* Sends one message unless it could only be wrong: no bus mastering, an
 * address outside the interrupt window, or vector 0 (Linux passes
 * through all of these while it reprograms or frees a vector). */
static void send(struct pci_function *f, uint64_t addr, uint32_t data)
{
	if (!(cfg_get16(f, REG_COMMAND) & CMD_MASTER) ||
	    (addr & ~(uint64_t)(MSI_WINDOW_SIZE - 1)) != MSI_WINDOW ||
	    (data & 0xff) == 0) {
		atomic_fetch_add(&f->stats.dropped, 1);
		return;
	}
	if (f->ev.send_msi(f->ev.ctx, addr, data))
		atomic_fetch_add(&f->stats.refused, 1);
	else
		atomic_fetch_add(&f->stats.messages, 1);
}

/* The vectors the guest granted: at most what the function asks for. */
static unsigned msi_granted(const struct pci_function *f)
{
	unsigned mme = (cfg_get16(f, f->msi_cap + MSI_CTRL) >> 4) & 7;
	unsigned n = 1u << mme;

	return n < f->desc.msi_vectors ? n : f->desc.msi_vectors;
}

static void msi_send(struct pci_function *f, unsigned vector)
{
	unsigned cap = f->msi_cap, n = msi_granted(f);
	uint64_t addr = cfg_get32(f, cap + MSI_ADDR_LO) |
			(uint64_t)cfg_get32(f, cap + MSI_ADDR_HI) << 32;
	uint32_t data = cfg_get16(f, cap + MSI_DATA);

	/* With n vectors granted, the low log2(n) data bits carry it. */
	send(f, addr, (data & ~(n - 1)) | vector);
}

static void msix_send(struct pci_function *f, unsigned vector)
{
	const struct msix_entry *e = &f->msix[vector];

	send(f, e->addr_lo | (uint64_t)e->addr_hi << 32, e->data);
}

static bool msix_masked(const struct pci_function *f, unsigned vector)
{
	return (msix_ctrl(f) & MSIX_CTRL_MASKALL) ||
	       (f->msix[vector].ctrl & MSIX_ENTRY_MASKED);
}

int msi_fire(struct pci_function *f, unsigned vector)
{
	unsigned cap = f->msi_cap;

	if (msix_ctrl(f) & MSIX_CTRL_ENABLE) {
		if (vector >= f->desc.msix_vectors)
			goto invalid;
		if (msix_masked(f, vector))
			f->msix_pending[vector / 32] |= 1u << (vector % 32);
		else
			msix_send(f, vector);
		return 0;
	}
	if (msi_enabled(f)) {
		uint32_t bit = 1u << vector;

		if (vector >= msi_granted(f))
			goto invalid;
		if (cfg_get32(f, cap + MSI_MASK) & bit)
			cfg_put32(f, cap + MSI_PENDING,
				  cfg_get32(f, cap + MSI_PENDING) | bit);
		else
			msi_send(f, vector);
		return 0;
	}
invalid:
	errno = EINVAL;
	return -1;
}

/* Sends and clears every pending vector the guest no longer masks. */
static void release_pending(struct pci_function *f)
{
	if (msi_enabled(f)) {
		unsigned cap = f->msi_cap;
		uint32_t pending = cfg_get32(f, cap + MSI_PENDING);
		uint32_t ready = pending & ~cfg_get32(f, cap + MSI_MASK);

		cfg_put32(f, cap + MSI_PENDING, pending & ~ready);
		for (unsigned v = 0; ready; v++, ready >>= 1)
			if (ready & 1)
				msi_send(f, v);
	}
	if (!(msix_ctrl(f) & MSIX_CTRL_ENABLE))
		return;
	for (unsigned v = 0; v < f->desc.msix_vectors; v++) {
		uint32_t *word = &f->msix_pending[v / 32], bit = 1u << (v % 32);

		if ((*word & bit) && !msix_masked(f, v)) {
			*word &= ~bit;
			msix_send(f, v);
		}
	}
}

void msi_config_written(struct pci_function *f, unsigned reg, unsigned size)
{
	bool msi = f->msi_cap && reg < f->msi_cap + MSI_CAP_SIZE &&
		   f->msi_cap < reg + size;
	bool msix = f->msix_cap && reg < f->msix_cap + MSIX_CAP_SIZE &&
		    f->msix_cap < reg + size;

	if (msi || msix)
		release_pending(f);
}

/* The dword of the table or PBA at offset, or NULL. */
static uint32_t *msix_dword(struct pci_function *f, uint64_t offset, bool *pba)
{
	uint64_t n = f->desc.msix_vectors;

	*pba = false;
	/* Below either start, the unsigned difference is huge. */
	if (offset - PCI_MSIX_TABLE_OFFSET < n * MSIX_ENTRY_SIZE) {
		uint64_t at = offset - PCI_MSIX_TABLE_OFFSET;
		struct msix_entry *e = &f->msix[at / MSIX_ENTRY_SIZE];
		uint32_t *fields[] = {&e->addr_lo, &e->addr_hi, &e->data,
				      &e->ctrl};

		return fields[(at % MSIX_ENTRY_SIZE) / 4];
	}
	if (offset - PCI_MSIX_PBA_OFFSET < (n + 31) / 32 * 4) {
		*pba = true;
		return &f->msix_pending[(offset - PCI_MSIX_PBA_OFFSET) / 4];
	}
	return NULL;
}

uint64_t pci_msix_read(struct pci_function *f, uint64_t offset, unsigned size)
{
	uint64_t v = 0;
	bool pba;

	if ((size != 4 && size != 8) || offset % size)
		return 0;
	pthread_mutex_lock(&f->lock);
	for (unsigned i = 0; i < size / 4; i++) {
		const uint32_t *d = msix_dword(f, offset + 4 * i, &pba);

		v |= (uint64_t)(d ? *d : 0) << (32 * i);
	}
	pthread_mutex_unlock(&f->lock);
	return v;
}

void pci_msix_write(struct pci_function *f, uint64_t offset, unsigned size,
		    uint64_t value)
{
	bool pba;

	if ((size != 4 && size != 8) || offset % size)
		return;
	pthread_mutex_lock(&f->lock);
	for (unsigned i = 0; i < size / 4; i++) {
		uint32_t *d = msix_dword(f, offset + 4 * i, &pba);

		if (d && !pba) /* the PBA is read-only */
			*d = (uint32_t)(value >> (32 * i));
	}
	release_pending(f);
	pthread_mutex_unlock(&f->lock);
}
