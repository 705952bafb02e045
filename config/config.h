/* SPDX-License-Identifier: BSD-2-Clause */
/* config.h - a guest's mmiod configuration, parsed and validated.
 *
 * The file is in xl.cfg syntax (parsed by libxlutil). Top-level keys:
 *   domain, mmio, pio, unpause, user, log_level, workers, fault_socket,
 *   poll_us
 * mmio/pio are lists of strings "base=B,size=S,type=T[,key=value...]";
 * keys other than base/size/type are kept, in order, for the device to
 * validate. No libxlutil type leaves this module.
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

struct config_region {
	enum io_space space; /* IO_SPACE_MMIO or IO_SPACE_PIO */
	struct range range;  /* checked: never empty, never wrapping */
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
	size_t nregions;
	struct config_region *regions; /* in file order */
};

/* Loads and validates path. types is a NULL-terminated list of the device
 * type names that exist. On error returns NULL with a message naming the
 * file, the line, the key and what would be valid in err. */
struct mmiod_config *config_load(const char *path, const char *const *types,
				 char *err, size_t errlen);
void config_free(struct mmiod_config *cfg);

/* The value of key in a region's type-specific params, or NULL. */
const char *config_region_param(const struct config_region *region,
				const char *key);

#endif
