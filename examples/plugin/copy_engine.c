/* SPDX-License-Identifier: BSD-2-Clause */
/* copy_engine.c - an example PCI device plugin that does DMA and raises
 * an MSI (device ABI 2).
 *
 * The driver writes a source and a destination guest-physical address
 * and a length, then 1 to CTRL: the device copies the bytes through
 * mmiod's DMA service, sets DONE (or ERROR when a byte lay outside the
 * guest's memory) in STATUS, and its interrupt output follows STATUS, so
 * on a PCI function with MSI enabled the guest gets one message per
 * completed copy. Writing the bits back to STATUS clears them.
 *
 *   0x00 SRC     (8 bytes, or two 4-byte halves)
 *   0x08 DST     (8 bytes, or two 4-byte halves)
 *   0x10 LEN     (4 bytes, at most 1 MiB)
 *   0x14 CTRL    (write 1: copy)
 *   0x18 STATUS  (bit 0 DONE, bit 1 ERROR; write 1 to clear)
 *
 * It declares its PCI function itself: ids 1234:11e0, a DMA controller
 * (class 0x080100), these registers in a 4K memory BAR0, one MSI vector,
 * INTA, and in configuration space a vendor-specific capability at 0x80
 * whose dword at 0x84 counts the copies done (read-only).
 *
 * Build it like counter.c, then put it on the PCI bus:
 *   pci = [ "slot=2,type=plugin,plugin=/path/copy_engine.so" ]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmiod-device.h>

#define REG_SRC 0x00
#define REG_DST 0x08
#define REG_LEN 0x10
#define REG_CTRL 0x14
#define REG_STATUS 0x18
#define NREGS 8 /* 32 bytes of 4-byte registers */
#define STATUS_DONE 0x1
#define STATUS_ERROR 0x2
#define MAX_LEN (1u << 20)
#define CHUNK 4096
#define BAR0_SIZE 4096

/* Configuration space: the vendor capability and its counter. */
#define CFG_CAP 0x80
#define CFG_COPIES 0x84
#define CAP_ID_VENDOR 0x09
#define CAP_LENGTH 8

struct copy_engine {
	const struct mmiod_host *host;
	uint32_t regs[NREGS];
	uint32_t copies;
};

static void say(const struct copy_engine *ce, enum mmiod_log_level level,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ce->host->log(ce->host->ctx, level, fmt, ap);
	va_end(ap);
}

static uint64_t reg64(const struct copy_engine *ce, unsigned reg)
{
	return ce->regs[reg / 4] | (uint64_t)ce->regs[reg / 4 + 1] << 32;
}

/* Copies LEN bytes from SRC to DST through the guest's memory. */
static uint32_t copy(struct copy_engine *ce)
{
	const struct mmiod_host *h = ce->host;
	uint64_t src = reg64(ce, REG_SRC), dst = reg64(ce, REG_DST);
	uint32_t len = ce->regs[REG_LEN / 4];
	unsigned char buf[CHUNK];

	if (len > MAX_LEN) {
		say(ce, MMIOD_LOG_WARN, "LEN %u is over %u", len, MAX_LEN);
		return STATUS_ERROR;
	}
	for (uint32_t done = 0; done < len;) {
		size_t n = len - done < CHUNK ? len - done : CHUNK;

		if (h->dma_read(h->ctx, src + done, buf, n) ||
		    h->dma_write(h->ctx, dst + done, buf, n)) {
			say(ce, MMIOD_LOG_WARN,
			    "copy 0x%llx -> 0x%llx (%u bytes) left guest memory",
			    (unsigned long long)src, (unsigned long long)dst,
			    len);
			return STATUS_ERROR;
		}
		done += (uint32_t)n;
	}
	ce->copies++;
	return STATUS_DONE;
}

static void update_irq(struct copy_engine *ce)
{
	ce->host->set_irq(ce->host->ctx, ce->regs[REG_STATUS / 4] != 0);
}

static int ce_read(void *state, uint64_t offset, uint32_t size, uint64_t *value)
{
	struct copy_engine *ce = state;

	if ((size != 4 && size != 8) || offset % size ||
	    offset + size > 4 * NREGS)
		return -1;
	*value = size == 8 ? reg64(ce, (unsigned)offset) : ce->regs[offset / 4];
	return 0;
}

static int ce_write_reg(struct copy_engine *ce, unsigned reg, uint32_t v)
{
	switch (reg) {
	case REG_CTRL:
		if (v & 1)
			ce->regs[REG_STATUS / 4] |= copy(ce);
		break;
	case REG_STATUS:
		ce->regs[REG_STATUS / 4] &= ~v;
		break;
	default:
		ce->regs[reg / 4] = v;
		return 0;
	}
	update_irq(ce);
	return 0;
}

static int ce_write(void *state, uint64_t offset, uint32_t size, uint64_t value)
{
	struct copy_engine *ce = state;

	if ((size != 4 && size != 8) || offset % size ||
	    offset + size > 4 * NREGS)
		return -1;
	if (size == 8 &&
	    ce_write_reg(ce, (unsigned)offset + 4, (uint32_t)(value >> 32)))
		return -1;
	return ce_write_reg(ce, (unsigned)offset, (uint32_t)value);
}

static int ce_config_read(void *state, unsigned reg, unsigned size,
			  uint32_t *value)
{
	const struct copy_engine *ce = state;
	/* ID, next (none), length, then the counter. */
	const uint32_t dwords[2] = {CAP_ID_VENDOR | CAP_LENGTH << 16,
				    ce->copies};
	unsigned at = reg - CFG_CAP;

	*value = 0;
	if (at < sizeof(dwords))
		*value = dwords[at / 4] >> 8 * (at % 4);
	if (size < 4)
		*value &= (1u << 8 * size) - 1;
	return 0;
}

static int ce_config_write(void *state, unsigned reg, unsigned size,
			   uint32_t value)
{
	(void)state;
	(void)reg;
	(void)size;
	(void)value;
	return 0; /* nothing in there is writable */
}

static int ce_pci_function(const struct mmiod_region_info *r,
			   struct mmiod_pci_function *fn, char *err,
			   size_t errlen)
{
	(void)r;
	(void)err;
	(void)errlen;
	fn->vendor = 0x1234;
	fn->device = 0x11e0;
	fn->class_code = 0x080100;
	fn->intx_pin = 1;
	fn->msi_vectors = 1;
	fn->regs = CFG_CAP;
	fn->capability = CFG_CAP;
	fn->bars[0].type = MMIOD_PCI_BAR_MEM32;
	fn->bars[0].size = BAR0_SIZE;
	return 0;
}

static int ce_validate(const struct mmiod_region_info *r, char *err,
		       size_t errlen)
{
	if (r->nparams) {
		snprintf(err, errlen,
			 "%s: unknown key for copy_engine (it takes none)",
			 r->params[0].key);
		return -1;
	}
	if (r->size < 4 * NREGS) {
		snprintf(err, errlen, "size: copy_engine needs %d bytes",
			 4 * NREGS);
		return -1;
	}
	return 0;
}

static void *ce_create(const struct mmiod_region_info *r,
		       const struct mmiod_host *host, char *err, size_t errlen)
{
	struct copy_engine *ce;

	if (ce_validate(r, err, errlen))
		return NULL;
	ce = calloc(1, sizeof(*ce));
	if (!ce) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ce->host = host;
	return ce;
}

static void ce_reset(void *state)
{
	struct copy_engine *ce = state;

	memset(ce->regs, 0, sizeof(ce->regs));
	ce->copies = 0;
}

static void ce_destroy(void *state)
{
	free(state);
}

static const struct mmiod_plugin_ops ops = {
	.abi_version = MMIOD_DEVICE_ABI_VERSION,
	.name = "copy_engine",
	.validate = ce_validate,
	.read = ce_read,
	.write = ce_write,
	.reset = ce_reset,
	.destroy = ce_destroy,
	.create2 = ce_create,
	.pci_function = ce_pci_function,
	.config_read = ce_config_read,
	.config_write = ce_config_write,
};

const struct mmiod_plugin_ops *mmiod_plugin_init(void)
{
	return &ops;
}
