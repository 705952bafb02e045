/* keys.c - the top-level keys: each known, given once, and loaded. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/parse.h"
#include "loader.h"

static const char *const top_keys[] = {
	"domain",    "mmio",	"pio",		"unpause", "user",
	"log_level", "workers", "fault_socket", NULL,
};

static bool is_list_key(const char *name)
{
	return strcmp(name, "mmio") == 0 || strcmp(name, "pio") == 0;
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
			return fail(ld, k->line,
				    "%s: += appends to a list (mmio, pio); "
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

int load_options(struct loader *ld)
{
	struct mmiod_config *cfg = ld->cfg;
	const char *v;
	uint64_t n;

	if (get_string(ld, "domain", &v))
		return -1;
	if (v && !*v)
		return fail(ld, key_line(ld, "domain"),
			    "domain: must be a domain name or a numeric domid");
	if (v && !(cfg->domain = strdup(v)))
		return fail(ld, 0, "out of memory");

	if (get_string(ld, "unpause", &v))
		return -1;
	if (v && parse_bool(v, &cfg->unpause))
		return fail(
			ld, key_line(ld, "unpause"),
			"unpause: '%s' is not a boolean (valid: 0, 1, no, yes, false, true, off, on)",
			v);

	if (get_string(ld, "user", &v))
		return -1;
	if (v && !*v)
		return fail(ld, key_line(ld, "user"),
			    "user: must be a user name");
	if (v && !(cfg->user = strdup(v)))
		return fail(ld, 0, "out of memory");
	cfg->user_line = key_line(ld, "user");

	if (get_string(ld, "log_level", &v))
		return -1;
	if (v && (cfg->log_level = log_level_parse(v)) < 0)
		return fail(
			ld, key_line(ld, "log_level"),
			"log_level: '%s' is not a level (valid: error, warn, info, debug)",
			v);

	if (get_string(ld, "fault_socket", &v))
		return -1;
	if (v && (!*v || strlen(v) >= 108))
		return fail(ld, key_line(ld, "fault_socket"),
			    "fault_socket: must be a socket path of 1 to 107 "
			    "characters");
	if (v && !(cfg->fault_socket = strdup(v)))
		return fail(ld, 0, "out of memory");

	if (get_string(ld, "workers", &v))
		return -1;
	if (v) {
		if (parse_u64(v, &n) || n < 1 || n > CONFIG_MAX_WORKERS)
			return fail(
				ld, key_line(ld, "workers"),
				"workers: '%s' is not a number from 1 to %d", v,
				CONFIG_MAX_WORKERS);
		cfg->workers = (unsigned)n;
	}
	return 0;
}
