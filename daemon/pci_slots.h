/* SPDX-License-Identifier: BSD-2-Clause */
/* pci_slots.h - the guest's PCI functions, wired: for each pci entry a
 * function (pci/) whose BAR0 serves the entry's device and whose
 * configuration space sits on the bus, with its interrupt output turned
 * into messages; and the host bridge with the 0xcf8 latch that a guest
 * scanning bus 0 needs when mmiod is its only device model.
 *
 * A BAR's region is added to the bus when the guest turns its decode on
 * and moved or removed as the guest reprograms it, from whichever
 * thread served that configuration write; the bus's listener maps it
 * with Xen.
 */
#ifndef MMIOD_PCI_SLOTS_H
#define MMIOD_PCI_SLOTS_H

#include <stdio.h>

#include "bus/bus.h"
#include "config/config.h"
#include "devices/devices.h"

struct pci_slot;
struct pci_host;

/* What the functions reach outside themselves. */
struct pci_slot_host {
	struct bus *bus;
	int (*send_msi)(void *ctx, uint64_t addr, uint32_t data);
	void (*set_intx)(void *ctx, uint32_t sbdf, unsigned pin, bool level);
	const struct device_guest *guest;
	void *ctx;
};

/* The keys a pci entry takes besides its device's own. */
extern const char *const pci_slot_keys[];

/* Checks pci entry r: its function's keys and its device's keys. 0, or
 * -1 with a message in err naming the key and what would be valid. */
int pci_slot_validate(const struct config_region *r, char *err, size_t errlen);
/* Creates the function of pci entry r and its device, returned in *dev
 * for the caller to flush and destroy (after pci_slot_close). NULL with
 * a message in err on failure. */
struct pci_slot *pci_slot_open(const struct config_region *r,
			       const struct pci_slot_host *host,
			       struct device **dev, char *err, size_t errlen);
/* The device that serves the function's configuration space (r->range
 * in the bus's PCI space). */
struct device *pci_slot_config_device(struct pci_slot *slot);
/* Takes its BARs off the bus and frees it; NULL is ignored. */
void pci_slot_close(struct pci_slot *slot);
/* One "pci SS:FF.F TYPE ..." line of its message counters. */
void pci_slot_print_stats(const struct pci_slot *slot, FILE *out);

/* Puts the host bridge at 00:00.0 and the latch at ports 0xcf8-0xcff on
 * the bus. NULL (logged) on failure. */
struct pci_host *pci_host_open(const struct pci_slot_host *host);
/* Takes them off the bus and frees them; NULL is ignored. */
void pci_host_close(struct pci_host *h);

#endif
