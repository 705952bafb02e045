/* SPDX-License-Identifier: BSD-2-Clause */
/* loader.h - the state of loading one config, shared by config/'s files.
 *
 * config_load() (config.c) reads the file and hands it to libxlutil
 * (file.c), checks the top-level keys (keys.c), then loads the mmio and
 * pio lists (lists.c): each entry's string (entry.c), its checks and the
 * overlap check (region_check.c). Every error goes through fail()
 * (report.c), which names the file and the line. Private to config/.
 */
#ifndef MMIOD_CONFIG_LOADER_H
#define MMIOD_CONFIG_LOADER_H

#include <stdio.h>

#include <libxlutil.h>

#include "config.h"
#include "keyscan.h"

struct region_set;

struct loader {
	const char *path;
	const char *const *types;
	XLU_Config *xlu;
	FILE *xlu_report; /* libxlutil writes its errors here */
	char *xlu_report_text;
	size_t xlu_report_len;
	struct keyscan scan;
	struct mmiod_config *cfg;
	char *err;
	size_t errlen;
	size_t regions_cap;
};

/* report.c: writes "path:line: message" (no line when line <= 0) to
 * ld->err; returns -1 so that callers can "return fail(...)". */
__attribute__((format(printf, 3, 4))) int fail(struct loader *ld, int line,
					       const char *fmt, ...);
/* "unknown WHAT 'word'", with the nearest choice or the list of them. */
int fail_unknown(struct loader *ld, int line, const char *what,
		 const char *word, const char *const *choices);

/* file.c: the file's text, NUL-terminated (free it), or NULL on error. */
char *load_text(struct loader *ld, size_t *len);
/* file.c: libxlutil's parse of text, then the key scan; 0 or -1. */
int parse_text(struct loader *ld, const char *text, size_t len);

/* keys.c: every top-level key known and given once (or appended), and
 * the single-valued ones loaded into ld->cfg; 0 or -1. */
int check_keys(struct loader *ld);
int load_options(struct loader *ld);
/* keys.c: the line of key's last setting, 0 if absent. */
int key_line(struct loader *ld, const char *key);

/* lists.c: the mmio and pio lists into ld->cfg->regions; 0 or -1. */
int load_regions(struct loader *ld);

/* entry.c: r filled from "base=...,size=...,type=...,k=v"; name is e.g.
 * "mmio[2]". 0 or -1. */
int parse_entry(struct loader *ld, struct config_region *r, const char *name,
		const char *text);

/* region_check.c: r's size, end, port range and device type; 0 or -1. */
/* region_check.c: sets r->range from base and size, refusing a size of
 * 0, a range past 2^64 - 1 and ports past 0xffff. 0 or -1 (failed). */
int check_extent(struct loader *ld, struct config_region *r, const char *name,
		 uint64_t base, uint64_t size);
/* region_check.c: sets r->range to the configuration space of bus 0's
 * slot and function, refusing what bus 0 doesn't have. 0 or -1. */
int check_pci_address(struct loader *ld, struct config_region *r,
		      const char *name, uint64_t slot, uint64_t function);
int check_entry(struct loader *ld, const struct config_region *r,
		const char *name);
/* region_check.c: regions[first .. first + n) of one list, which must not
 * overlap each other or what set holds already; 0 or -1. */
int add_to_set(struct loader *ld, const char *key, struct region_set *set,
	       size_t first, size_t n);

#endif
