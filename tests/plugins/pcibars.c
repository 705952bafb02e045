/* SPDX-License-Identifier: BSD-2-Clause */
/* pcibars.c - a test plugin that declares a PCI function with several
 * BARs and registers of its own, to see each access reach it where it
 * belongs:
 *   BAR0 4K memory, BAR1 16 I/O ports, BAR2-3 a 1M prefetchable 64-bit
 *   memory BAR; MSI-X with 2 vectors (mmiod's table: BAR4); INTA;
 *   a vendor capability at 0x80 and a read-write dword at 0x84.
 * A BAR read returns bar << 24 | offset; BAR1 offset 0xf fails.
 * PCIBARS_LACK=bar_ops, config_ops or bar0 in the environment leaves
 * that out, to see mmiod refuse the declaration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmiod-device.h>

#define CFG_CAP 0x80
#define CFG_SCRATCH 0x84

struct pcibars {
	uint32_t scratch;
};

static struct pcibars the_device;
static int lacks_bar0;

static int pci_function(const struct mmiod_region_info *region,
			struct mmiod_pci_function *fn, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	if (region->size != 0 || region->base != 0)
		return -1;
	fn->vendor = 0x1af4;
	fn->device = 0x10f0;
	fn->class_code = 0xff0000;
	fn->intx_pin = 1;
	fn->msix_vectors = 2;
	fn->regs = CFG_CAP;
	fn->capability = CFG_CAP;
	if (!lacks_bar0)
		fn->bars[0] =
			(struct mmiod_pci_bar){MMIOD_PCI_BAR_MEM32, 0, 4096};
	fn->bars[1] = (struct mmiod_pci_bar){MMIOD_PCI_BAR_IO, 0, 16};
	fn->bars[2] = (struct mmiod_pci_bar){MMIOD_PCI_BAR_MEM64, 1, 1 << 20};
	return 0;
}

static void *create(const struct mmiod_region_info *region,
		    const struct mmiod_host *host, char *err, size_t errlen)
{
	(void)host;
	if (region->size != 4096) {
		snprintf(err, errlen, "BAR0 should be the region, not %llu",
			 (unsigned long long)region->size);
		return NULL;
	}
	memset(&the_device, 0, sizeof(the_device));
	return &the_device;
}

static int bar_read(void *state, unsigned bar, uint64_t offset, uint32_t size,
		    uint64_t *value)
{
	(void)state;
	(void)size;
	if (bar == 1 && offset == 0xf)
		return -1;
	*value = (uint64_t)bar << 24 | offset;
	return 0;
}

static int read_bar0(void *state, uint64_t offset, uint32_t size,
		     uint64_t *value)
{
	return bar_read(state, 0, offset, size, value);
}

static int bar_write(void *state, unsigned bar, uint64_t offset, uint32_t size,
		     uint64_t value)
{
	(void)state;
	(void)bar;
	(void)offset;
	(void)size;
	(void)value;
	return 0;
}

static int write_bar0(void *state, uint64_t offset, uint32_t size,
		      uint64_t value)
{
	return bar_write(state, 0, offset, size, value);
}

static int config_read(void *state, unsigned reg, unsigned size,
		       uint32_t *value)
{
	const struct pcibars *p = state;
	const unsigned shift = 8 * (reg & 3);

	(void)size;
	switch (reg & ~3u) {
	case CFG_CAP: /* vendor capability, last in the list, 8 bytes */
		*value = (0x09u | 8u << 16) >> shift;
		return 0;
	case CFG_SCRATCH:
		*value = p->scratch >> shift;
		return 0;
	default:
		*value = 0;
		return 0;
	}
}

static int config_write(void *state, unsigned reg, unsigned size,
			uint32_t value)
{
	struct pcibars *p = state;

	if (reg != CFG_SCRATCH || size != 4)
		return -1;
	p->scratch = value;
	return 0;
}

static void destroy(void *state)
{
	(void)state;
}

static struct mmiod_plugin_ops ops = {
	.abi_version = MMIOD_DEVICE_ABI_VERSION,
	.name = "pcibars",
	.read = read_bar0,
	.write = write_bar0,
	.destroy = destroy,
	.create2 = create,
	.pci_function = pci_function,
	.bar_read = bar_read,
	.bar_write = bar_write,
	.config_read = config_read,
	.config_write = config_write,
};

const struct mmiod_plugin_ops *mmiod_plugin_init(void)
{
	const char *lack = getenv("PCIBARS_LACK");

	if (lack && strcmp(lack, "bar_ops") == 0)
		ops.bar_read = NULL, ops.bar_write = NULL;
	if (lack && strcmp(lack, "config_ops") == 0)
		ops.config_read = NULL, ops.config_write = NULL;
	lacks_bar0 = lack && strcmp(lack, "bar0") == 0;
	return &ops;
}
