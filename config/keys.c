/* SPDX-License-Identifier: BSD-2-Clause */
/* keys.c - the top-level keys: each known, given once, and loaded. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/parse.h"
#include "loader.h"

static const char *const top_keys[] = {
	"domain", "mmio",      "pio",	  "pci",	  "pci_host", "unpause",
	"user",	  "log_level", "workers", "fault_socket", "poll_us",  NULL,
};

static bool is_list_key(const char *name)
{
	return strcmp(name, "mmio") == 0 || strcmp(name, "pio") == 0 ||
	       strcmp(name, "pci") == 0;
}

int check_keys(struct loader *ld)
{
	for (size_t i = 0; i < ld->scan.count; i++) {
		const struct scanned_key *k = &ld->scan.keys[i];
		size_t j;

		for (j = 0; top_keys[j]; j++)
			if (strcmp(k->name, top_keys[j]) == 0)
				break;
		if (!top_keys[j])
			return fail_unknown(ld, k->line, "key", k->name,
					    top_keys);
		if (k->append && !is_list_key(k->name))
			return fail(
				ld, k->line,
				"%s: += appends to a list (mmio, pio, pci); "
				"write %s = VALUE",
				k->name, k->name);
		if (k->append)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(k->name, ld->scan.keys[j].name) == 0)
				return fail(
					ld, k->line,
					"%s: given twice (first on line %d; "
					"+= appends to a list)",
					k->name, ld->scan.keys[j].line);
	}
	return 0;
}

int key_line(struct loader *ld, const char *key)
{
	const struct scanned_key *k = keyscan_find(&ld->scan, key);

	return k ? k->line : 0;
}

/* A single-valued key; NULL when absent. A list where a value belongs is
 * an error. */
static int get_string(struct loader *ld, const char *key, const char **out)
{
	int rc = xlu_cfg_get_string(ld->xlu, key, out, 1);

	if (rc == ESRCH) {
		*out = NULL;
		return 0;
	}
	if (rc)
		return fail(ld, key_line(ld, key),
			    "%s: must be a single value, not a list", key);
	return 0;
}

/* A key kept as text: at most max characters, never empty. */
static int load_text_key(struct loader *ld, const char *key, size_t max,
			 const char *valid, char **dst)
{
	const char *v;

	if (get_string(ld, key, &v))
		return -1;
	if (!v)
		return 0;
	if (!*v || strlen(v) > max)
		return fail(ld, key_line(ld, key), "%s: must be %s", key,
			    valid);
	*dst = strdup(v);
	return *dst ? 0 : fail(ld, 0, "out of memory");
}

static int load_unpause(struct loader *ld)
{
	const char *v;

	if (get_string(ld, "unpause", &v))
		return -1;
	if (v && parse_bool(v, &ld->cfg->unpause))
		return fail(
			ld, key_line(ld, "unpause"),
			"unpause: '%s' is not a boolean (valid: 0, 1, no, yes, false, true, off, on)",
			v);
	return 0;
}

static int load_log_level(struct loader *ld)
{
	const char *v;

	if (get_string(ld, "log_level", &v))
		return -1;
	if (v && (ld->cfg->log_level = log_level_parse(v)) < 0)
		return fail(
			ld, key_line(ld, "log_level"),
			"log_level: '%s' is not a level (valid: error, warn, info, debug)",
			v);
	return 0;
}

/* A number key from min to max; *out keeps its default when unset. */
static int load_number(struct loader *ld, const char *key, unsigned min,
		       unsigned max, unsigned *out)
{
	const char *v;
	uint64_t n;

	if (get_string(ld, key, &v))
		return -1;
	if (!v)
		return 0;
	if (parse_u64(v, &n) || n < min || n > max)
		return fail(ld, key_line(ld, key),
			    "%s: '%s' is not a number from %u to %u", key, v,
			    min, max);
	*out = (unsigned)n;
	return 0;
}

/* pci_host: absent (-1) lets the platform decide. */
static int load_pci_host(struct loader *ld)
{
	const char *v;
	bool on;

	ld->cfg->pci_host = -1;
	ld->cfg->pci_host_line = key_line(ld, "pci_host");
	if (get_string(ld, "pci_host", &v))
		return -1;
	if (!v)
		return 0;
	if (parse_bool(v, &on))
		return fail(
			ld, ld->cfg->pci_host_line,
			"pci_host: '%s' is not a boolean (valid: 0, 1, no, yes, false, true, off, on)",
			v);
	ld->cfg->pci_host = on;
	return 0;
}

int load_options(struct loader *ld)
{
	struct mmiod_config *cfg = ld->cfg;

	cfg->user_line = key_line(ld, "user");
	cfg->fault_socket_line = key_line(ld, "fault_socket");
	if (load_text_key(ld, "domain", SIZE_MAX,
			  "a domain name or a numeric domid", &cfg->domain) ||
	    load_unpause(ld) ||
	    load_text_key(ld, "user", SIZE_MAX, "a user name", &cfg->user) ||
	    load_log_level(ld))
		return -1;
	/* A sun_path holds 108 bytes, the NUL included. */
	if (load_text_key(ld, "fault_socket", 107,
			  "a socket path of 1 to 107 characters",
			  &cfg->fault_socket))
		return -1;
	return load_number(ld, "workers", 1, CONFIG_MAX_WORKERS,
			   &cfg->workers) ||
	       load_number(ld, "poll_us", 0, CONFIG_MAX_POLL_US,
			   &cfg->poll_us) ||
	       load_pci_host(ld);
}
