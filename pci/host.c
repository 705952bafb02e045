/* SPDX-License-Identifier: BSD-2-Clause */
/* host.c - what a bus 0 needs besides its functions: the host bridge at
 * 00:00.0 and the CONFIG_ADDRESS latch at port 0xcf8. */
#include "pci.h"

/* Red Hat's id for a generic host bridge, which Linux binds nothing
 * special to; class 06 00 00 (host bridge). */
const struct pci_function_desc pci_host_bridge = {
	.id = {.vendor = 0x1b36,
	       .device = 0x0008,
	       .subsystem_vendor = 0x1af4,
	       .subsystem = 0x1100,
	       .class_code = 0x060000},
};

/* CONFIG_ADDRESS keeps its enable bit, bus, device, function and dword
 * register; bits 30:24 and 1:0 read 0. */
#define CF8_WRITABLE 0x80fffffcu

uint64_t pci_cf8_read(struct pci_cf8 *l, unsigned offset, unsigned size)
{
	uint64_t v = atomic_load(&l->value);

	if (offset + size > 4)
		return size == 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
	return (v >> (8 * offset)) &
	       (size == 8 ? UINT64_MAX : (1ull << (8 * size)) - 1);
}

/* Only a 4-byte write at 0xcf8 is CONFIG_ADDRESS, as Xen sees it too;
 * Linux's probe writes a byte to 0xcfb first, which changes nothing. */
void pci_cf8_write(struct pci_cf8 *l, unsigned offset, unsigned size,
		   uint64_t value)
{
	if (offset == 0 && size == 4)
		atomic_store(&l->value, (uint32_t)value & CF8_WRITABLE);
}
