/* SPDX-License-Identifier: BSD-2-Clause */
/* function.c - a PCI function's type-0 header: identity, COMMAND and
 * STATUS, BARs with size probing and decode, INTx, and the capability
 * list the MSI code fills. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/counters.h"
#include "pci_internal.h"

#define IO_SPACE_LAST 0xffff

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* The device's own registers lie above the capabilities mmiod lays out
 * from 0x40, and its capability inside them, dword-aligned. */
static int check_device_regs(const struct pci_function_desc *d, char *err,
			     size_t errlen)
{
	unsigned caps_end = PCI_CAPS_START +
			    (d->msi_vectors ? MSI_CAP_SIZE : 0) +
			    (d->msix_vectors ? MSIX_CAP_SIZE : 0);

	if (d->device_regs && (d->device_regs < caps_end || d->device_regs & 3)) {
		snprintf(err, errlen,
			 "device registers: a dword-aligned start from 0x%x "
			 "(above the MSI/MSI-X capabilities) to 0xfc",
			 caps_end);
		return -1;
	}
	if (d->device_cap && (!d->device_regs ||
			      d->device_cap < d->device_regs ||
			      d->device_cap & 3 || d->device_cap > 0xfc)) {
		snprintf(err, errlen,
			 "device capability: a dword-aligned offset inside "
			 "the device's registers (0x%x to 0xfc)",
			 d->device_regs ? d->device_regs : caps_end);
		return -1;
	}
	return 0;
}

int pci_function_check(const struct pci_function_desc *d, char *err,
		       size_t errlen)
{
	const struct pci_bar *msix_bar;

	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_bar *b = &d->bars[i];

		if (b->type == PCI_BAR_NONE)
			continue;
		if (b->type == PCI_BAR_IO &&
		    (!is_pow2(b->size) || b->size < 4 || b->size > 256)) {
			snprintf(err, errlen,
				 "BAR%u: an I/O BAR's size is a power of two, "
				 "4 to 256 bytes",
				 i);
			return -1;
		}
		if (b->type != PCI_BAR_IO &&
		    (!is_pow2(b->size) || b->size < 16 ||
		     (b->type == PCI_BAR_MEM32 && b->size > 1ull << 31))) {
			snprintf(err, errlen,
				 "BAR%u: a memory BAR's size is a power of "
				 "two, at least 16 bytes (at most 2G below 4G)",
				 i);
			return -1;
		}
		if (b->type == PCI_BAR_MEM64 &&
		    (i == PCI_NUM_BARS - 1 ||
		     d->bars[i + 1].type != PCI_BAR_NONE)) {
			snprintf(err, errlen,
				 "BAR%u: a 64-bit BAR needs the next slot free",
				 i);
			return -1;
		}
		if (b->type == PCI_BAR_MEM64)
			i++;
	}
	if (d->msi_vectors && (!is_pow2(d->msi_vectors) ||
			       d->msi_vectors > PCI_MSI_MAX_VECTORS)) {
		snprintf(err, errlen, "MSI vectors: 1, 2, 4, 8, 16 or 32");
		return -1;
	}
	if (d->msix_vectors > PCI_MSIX_MAX_VECTORS) {
		snprintf(err, errlen, "MSI-X vectors: 1 to %d",
			 PCI_MSIX_MAX_VECTORS);
		return -1;
	}
	msix_bar = d->msix_bar < PCI_NUM_BARS ? &d->bars[d->msix_bar] : NULL;
	if (d->msix_vectors && (!msix_bar || msix_bar->type == PCI_BAR_NONE ||
				msix_bar->type == PCI_BAR_IO ||
				msix_bar->size < PCI_MSIX_BAR_SIZE)) {
		snprintf(err, errlen,
			 "MSI-X needs a memory BAR of at least 4K for its "
			 "table");
		return -1;
	}
	if (d->intx_pin > 4) {
		snprintf(err, errlen, "INTx pin: 0 (none) or 1 to 4 (A to D)");
		return -1;
	}
	return check_device_regs(d, err, errlen);
}

/* The flag bits a BAR reads back, and the address bits a write keeps:
 * writing all ones and reading back is how a guest learns the size. */
static void init_bar(struct pci_function *f, unsigned i)
{
	const struct pci_bar *b = &f->desc.bars[i];
	unsigned reg = REG_BAR0 + 4 * i;
	uint32_t flags = 0;

	switch (b->type) {
	case PCI_BAR_NONE:
		return;
	case PCI_BAR_IO:
		flags = 0x1;
		break;
	case PCI_BAR_MEM64:
		flags = 0x4;
		bytes_put(f->wmask, reg + 4, 4,
			  (uint32_t)(~(b->size - 1) >> 32));
		/* fall through */
	case PCI_BAR_MEM32:
		flags |= b->prefetchable ? 0x8 : 0;
		break;
	}
	cfg_put32(f, reg, flags);
	/* Bits 1:0 of an I/O BAR, 3:0 of a memory BAR, are its flags. */
	bytes_put(f->wmask, reg, 4,
		  (uint32_t) ~(b->size - 1) &
			  (b->type == PCI_BAR_IO ? ~0x3u : ~0xfu));
}

static void init_header(struct pci_function *f)
{
	const struct pci_identity *id = &f->desc.id;
	unsigned caps, last, first;

	cfg_put16(f, REG_VENDOR, id->vendor);
	cfg_put16(f, REG_DEVICE, id->device);
	cfg_put32(f, REG_REVISION, id->class_code << 8 | id->revision);
	f->cfg[REG_HEADER] = f->desc.multifunction ? 0x80 : 0x00;
	cfg_put16(f, REG_SUBSYSTEM_VENDOR, id->subsystem_vendor);
	cfg_put16(f, REG_SUBSYSTEM, id->subsystem);
	f->cfg[REG_INT_PIN] = f->desc.intx_pin;
	/* Linux checks that INTx can be disabled (it writes bit 10 and
	 * reads it back), and that parity and SERR stick. */
	bytes_put(f->wmask, REG_COMMAND, 2,
		  CMD_IO | CMD_MEM | CMD_MASTER | CMD_PARITY | CMD_SERR |
			  CMD_INTX_DISABLE);
	bytes_put(f->w1c, REG_STATUS, 2, STATUS_W1C);
	f->wmask[REG_CACHE_LINE] = 0xff;
	f->wmask[REG_LATENCY] = 0xff;
	f->wmask[REG_INT_LINE] = 0xff;
	for (unsigned i = 0; i < PCI_NUM_BARS; i++)
		init_bar(f, i);
	caps = msi_layout(f, PCI_CAPS_START);
	last = f->msix_cap ? f->msix_cap : f->msi_cap;
	if (last)
		f->cfg[last + 1] = f->desc.device_cap;
	first = caps != PCI_CAPS_START ? PCI_CAPS_START : f->desc.device_cap;
	if (first) {
		f->cfg[REG_CAP_PTR] = (uint8_t)first;
		cfg_put16(f, REG_STATUS, STATUS_CAP_LIST);
	}
}

struct pci_function *pci_function_create(const struct pci_function_desc *d,
					 const struct pci_events *ev)
{
	struct pci_function *f;
	char err[128];

	if (pci_function_check(d, err, sizeof(err))) {
		errno = EINVAL;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	pthread_mutex_init(&f->lock, NULL);
	f->desc = *d;
	f->ev = *ev;
	init_header(f);
	return f;
}

void pci_function_destroy(struct pci_function *f)
{
	if (!f)
		return;
	for (unsigned i = 0; i < PCI_NUM_BARS; i++)
		if (f->bar_mapped[i])
			f->ev.bar_unmap(f->ev.ctx, i, f->bar_range[i]);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

/* BAR i's dword (and the next, for a 64-bit BAR) of bytes: the registers
 * or their write mask. */
static uint64_t bar_bits(const struct pci_function *f, const uint8_t *bytes,
			 unsigned i)
{
	unsigned reg = REG_BAR0 + 4 * i;
	uint64_t v = bytes_get32(bytes, reg);

	if (f->desc.bars[i].type == PCI_BAR_MEM64)
		v |= (uint64_t)bytes_get32(bytes, reg + 4) << 32;
	return v;
}

/* The range BAR i decodes now, if any. Its address bits are the ones a
 * write may change; a BAR at 0, or still holding the all-ones sizing
 * pattern (every such bit set), decodes nothing, whatever COMMAND says:
 * a guest may size a BAR with decode on. */
static bool bar_decodes(const struct pci_function *f, unsigned i,
			struct range *r)
{
	const struct pci_bar *b = &f->desc.bars[i];
	uint16_t cmd = cfg_get16(f, REG_COMMAND);
	uint64_t pattern = bar_bits(f, f->wmask, i);
	uint64_t addr = bar_bits(f, f->cfg, i) & pattern;
	bool io = b->type == PCI_BAR_IO;

	if (b->type == PCI_BAR_NONE || !(cmd & (io ? CMD_IO : CMD_MEM)) ||
	    addr == 0 || addr == pattern)
		return false;
	if (io && addr + b->size - 1 > IO_SPACE_LAST)
		return false;
	return range_from_size(addr, b->size, r);
}

static bool same_range(struct range a, struct range b)
{
	return a.base == b.base && a.last == b.last;
}

/* Follows every BAR's decode with its owner: unmaps what stopped or
 * moved, then maps what is new. */
static void update_bars(struct pci_function *f)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		struct range r;
		bool decodes = bar_decodes(f, i, &r);

		if (f->bar_mapped[i] &&
		    (!decodes || !same_range(r, f->bar_range[i]))) {
			f->ev.bar_unmap(f->ev.ctx, i, f->bar_range[i]);
			f->bar_mapped[i] = false;
		}
		if (!decodes) {
			f->bar_refused[i] = false;
			continue;
		}
		if (f->bar_mapped[i] ||
		    (f->bar_refused[i] && same_range(r, f->refused_range[i])))
			continue;
		if (f->ev.bar_map(f->ev.ctx, i, r) == 0) {
			f->bar_mapped[i] = true;
			f->bar_range[i] = r;
			f->bar_refused[i] = false;
			atomic_fetch_add(&f->stats.bar_moves, 1);
		} else {
			f->bar_refused[i] = true;
			f->refused_range[i] = r;
			atomic_fetch_add(&f->stats.bar_failed, 1);
		}
	}
}

/* INTx carries the output only while no message mode is on and the
 * guest left it enabled; STATUS shows the output either way. */
static void update_intx(struct pci_function *f)
{
	uint16_t status = cfg_get16(f, REG_STATUS) & ~STATUS_INTX;
	bool intx = f->level && f->desc.intx_pin && !msi_active(f) &&
		    !(cfg_get16(f, REG_COMMAND) & CMD_INTX_DISABLE);

	cfg_put16(f, REG_STATUS, status | (f->level ? STATUS_INTX : 0));
	if (intx != f->intx && f->ev.set_intx)
		f->ev.set_intx(f->ev.ctx, intx);
	f->intx = intx;
}

/* The window starts on a dword and an access never crosses one, so an
 * access lies in it or outside it whole. */
static bool in_device_regs(const struct pci_function *f, unsigned reg)
{
	return f->desc.device_regs && reg >= f->desc.device_regs;
}

static bool valid_access(unsigned reg, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && (reg & 3) + size <= 4;
}

uint32_t pci_config_read(struct pci_function *f, unsigned reg, unsigned size)
{
	uint32_t v = 0;

	if (!valid_access(reg, size))
		return UINT32_MAX;
	if (reg >= PCI_CONFIG_SIZE)
		return 0;
	if (in_device_regs(f, reg)) {
		v = f->ev.config_read ? f->ev.config_read(f->ev.ctx, reg, size)
				      : 0;
		return size == 4 ? v : v & ((1u << 8 * size) - 1);
	}
	pthread_mutex_lock(&f->lock);
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)f->cfg[reg + i] << (8 * i);
	pthread_mutex_unlock(&f->lock);
	return v;
}

static bool touches(unsigned reg, unsigned size, unsigned first, unsigned len)
{
	return reg < first + len && first < reg + size;
}

void pci_config_write(struct pci_function *f, unsigned reg, unsigned size,
		      uint32_t value)
{
	if (!valid_access(reg, size) || reg >= PCI_CONFIG_SIZE)
		return;
	if (in_device_regs(f, reg)) {
		if (f->ev.config_write)
			f->ev.config_write(f->ev.ctx, reg, size, value);
		return;
	}
	pthread_mutex_lock(&f->lock);
	for (unsigned i = 0; i < size; i++) {
		uint8_t v = (uint8_t)(value >> (8 * i));
		unsigned at = reg + i;

		f->cfg[at] = (uint8_t)((f->cfg[at] & ~f->wmask[at]) |
				       (v & f->wmask[at]));
		f->cfg[at] &= (uint8_t) ~(v & f->w1c[at]);
	}
	if (touches(reg, size, REG_COMMAND, 2) ||
	    touches(reg, size, REG_BAR0, 4 * PCI_NUM_BARS))
		update_bars(f);
	msi_config_written(f, reg, size);
	update_intx(f);
	pthread_mutex_unlock(&f->lock);
}

void pci_function_set_level(struct pci_function *f, bool level)
{
	pthread_mutex_lock(&f->lock);
	if (level && !f->level && msi_active(f))
		msi_fire(f, 0);
	f->level = level;
	update_intx(f);
	pthread_mutex_unlock(&f->lock);
}

int pci_function_send_vector(struct pci_function *f, unsigned vector)
{
	int rc;

	pthread_mutex_lock(&f->lock);
	rc = msi_fire(f, vector);
	pthread_mutex_unlock(&f->lock);
	return rc;
}

void pci_function_stats(const struct pci_function *f, struct pci_stats *out)
{
	memset(out, 0, sizeof(*out));
	counters_sum(out, &f->stats, sizeof(f->stats));
}
