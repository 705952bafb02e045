/* SPDX-License-Identifier: BSD-2-Clause */
/* guest_config.h - load a guest config and check every device's keys. */
#ifndef MMIOD_GUEST_CONFIG_H
#define MMIOD_GUEST_CONFIG_H

#include <stdio.h>

#include "config/config.h"
#include "devices/devices.h"

/* Loads path and validates each region's device keys. On error prints
 * "FILE:LINE: ..." to stderr and returns NULL (the caller exits 2). */
struct mmiod_config *guest_config_load(const char *path);

/* The config's user exists on this machine (or none is set): 0, or -1
 * after printing "FILE:LINE: user: ..." to stderr (exit 2). */
int guest_config_check_user(const struct mmiod_config *cfg);

/* The device arguments of one region; params point into region. The
 * caller frees *params_out. 0, or -1 on out of memory. */
int guest_config_device_args(const struct config_region *region,
			     struct device_args *args,
			     struct device_param **params_out);

/* The resolved region table: space, base, end, size, type. */
void guest_config_print(FILE *out, const struct mmiod_config *cfg);

#endif
