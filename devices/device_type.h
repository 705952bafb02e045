/* SPDX-License-Identifier: BSD-2-Clause */
/* device_type.h - what a device type provides to the registry, and the
 * helpers types share for their keys. Private to devices/. */
#ifndef MMIOD_DEVICE_TYPE_H
#define MMIOD_DEVICE_TYPE_H

#include "devices.h"

struct device_type {
	const char *name;
	/* Keys the type accepts, NULL-terminated; NULL: the type checks
	 * its keys itself. */
	const char *const *keys;
	/* With validate_only, checks args and touches nothing; otherwise
	 * creates the device into *out. 0 or -1 with err set. */
	int (*create)(const struct device_args *args, bool validate_only,
		      struct device **out, char *err, size_t errlen);
	/* As device_pci_function(); NULL: the type declares none. */
	int (*pci_function)(const struct device_args *args,
			    struct mmiod_pci_function *fn, char *err,
			    size_t errlen);
};

extern const struct device_type trace_device_type;
extern const struct device_type ram_device_type;
extern const struct device_type rom_device_type;
extern const struct device_type uart16550_device_type;
extern const struct device_type plugin_device_type;

const char *device_param(const struct device_args *args, const char *key);
/* 0 when absent (*out untouched) or valid; -1 with err set otherwise. */
int device_param_u64(const struct device_args *args, const char *key,
		     uint64_t *out, char *err, size_t errlen);

#endif
