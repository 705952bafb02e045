/* SPDX-License-Identifier: BSD-2-Clause */
/* config.h - a guest's mmiod configuration, parsed and validated.
 *
 * The file is in xl.cfg syntax (parsed by libxlutil). Top-level keys:
 *   domain, mmio, pio, pci, pci_host, unpause, user, log_level, workers,
 *   fault_socket, poll_us
 * mmio/pio are lists of strings "base=B,size=S,type=T[,key=value...]",
 * pci a list of "slot=N[,function=F],type=T[,key=value...]"; keys other
 * than those are kept, in order, for the device (and the PCI function)
 * to validate. No libxlutil type leaves this module.
 */
#ifndef MMIOD_CONFIG_H
#define MMIOD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/access.h"
#include "common/range.h"

#define CONFIG_MAX_WORKERS 64
#define CONFIG_MAX_POLL_US 1000

struct config_param {
	char *key;
	char *value;
};

/* An mmio or pio entry, or a pci one: then space is IO_SPACE_PCI and
 * range the function's configuration space, SBDF << 32 to
 * SBDF << 32 | 0xfff (bus 0: SBDF is slot << 3 | function). */
struct config_region {
	enum io_space space;
	struct range range; /* checked: never empty, never wrapping */
	char *type;
	int line; /* line of the list entry in the file */
	size_t nparams;
	struct config_param *params;
};

struct mmiod_config {
	char *path;
	char *domain;	       /* name or domid as written; NULL: not set */
	bool unpause;	       /* unpause the guest once serving */
	char *user;	       /* drop privileges to this user; NULL: stay */
	int user_line;	       /* where user is set */
	int fault_socket_line; /* where fault_socket is set */
	int log_level;	       /* enum log_level; -1: not set */
	unsigned workers;      /* serving threads */
	unsigned poll_us;      /* spin this long for the next request */
	char *fault_socket;    /* raw faults accepted here; NULL: none */
	int pci_host;	       /* host bridge and 0xcf8: -1 (PVH only), 0, 1 */
	int pci_host_line;
	size_t nregions;
	struct config_region *regions; /* in file order */
};

/* Loads and validates path. types is a NULL-terminated list of the device
 * type names that exist. On error returns NULL with a message naming the
 * file, the line, the key and what would be valid in err. */
struct mmiod_config *config_load(const char *path, const char *const *types,
				 char *err, size_t errlen);
void config_free(struct mmiod_config *cfg);

/* A pci entry's slot and function. */
static inline unsigned config_pci_slot(const struct config_region *r)
{
	return (unsigned)(r->range.base >> 35) & 31;
}
static inline unsigned config_pci_function(const struct config_region *r)
{
	return (unsigned)(r->range.base >> 32) & 7;
}

/* The value of key in a region's type-specific params, or NULL. */
const char *config_region_param(const struct config_region *region,
				const char *key);

#endif
