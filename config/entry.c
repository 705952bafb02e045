/* SPDX-License-Identifier: BSD-2-Clause */
/* entry.c - one region string, "base=B,size=S,type=T[,key=value...]". */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/parse.h"
#include "loader.h"

static void trim(char **s)
{
	char *end;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	end = *s + strlen(*s);
	while (end > *s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
}

static int add_param(struct config_region *r, const char *key,
		     const char *value)
{
	struct config_param *p;

	p = realloc(r->params, (r->nparams + 1) * sizeof(*p));
	if (!p)
		return -1;
	r->params = p;
	p[r->nparams].key = strdup(key);
	p[r->nparams].value = strdup(value);
	if (!p[r->nparams].key || !p[r->nparams].value) {
		free(p[r->nparams].key);
		free(p[r->nparams].value);
		return -1;
	}
	r->nparams++;
	return 0;
}

/* The keys that place an entry: base and size in an address space,
 * slot and function on the PCI bus. */
struct placement {
	const char *first, *second;
	bool second_optional;
	const char *example, *needs;
};

static const struct placement address_keys = {
	"base", "size", false, "base=0xfe000000", "base, size and type"};
static const struct placement pci_keys = {
	"slot", "function", true, "slot=1",
	"slot and type; function defaults to 0"};

/* Fills r from "base=...,size=...,type=...,k=v", or for the pci list
 * "slot=...[,function=...],type=...,k=v". name is e.g. "mmio[2]". */
int parse_entry(struct loader *ld, struct config_region *r, const char *name,
		const char *text)
{
	const struct placement *pk =
		r->space == IO_SPACE_PCI ? &pci_keys : &address_keys;
	char *copy = strdup(text), *save = NULL, *item;
	bool have_first = false, have_second = false;
	uint64_t first = 0, second = 0;
	const char *missing;
	int rc = -1;

	if (!copy)
		return fail(ld, 0, "out of memory");
	for (item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *key = item, *value;
		bool is_first, is_second;

		if (!eq) {
			trim(&key);
			fail(ld, r->line, "%s: '%s' is not key=value (e.g. %s)",
			     name, key, pk->example);
			goto out;
		}
		*eq = '\0';
		value = eq + 1;
		trim(&key);
		trim(&value);
		if (!*key || !*value) {
			fail(ld, r->line, "%s: empty key or value in '%s=%s'",
			     name, key, value);
			goto out;
		}
		is_first = !strcmp(key, pk->first);
		is_second = !strcmp(key, pk->second);
		if ((is_first && have_first) || (is_second && have_second) ||
		    (!strcmp(key, "type") && r->type) ||
		    config_region_param(r, key)) {
			fail(ld, r->line, "%s: key '%s' given twice", name,
			     key);
			goto out;
		}
		if (is_first || is_second) {
			if (parse_u64(value, is_first ? &first : &second)) {
				fail(ld, r->line,
				     "%s %s: '%s' is not a number (decimal or 0x hex, optional K/M/G suffix)",
				     name, key, value);
				goto out;
			}
			*(is_first ? &have_first : &have_second) = true;
		} else if (!strcmp(key, "type")) {
			r->type = strdup(value);
			if (!r->type) {
				fail(ld, 0, "out of memory");
				goto out;
			}
		} else if (add_param(r, key, value)) {
			fail(ld, 0, "out of memory");
			goto out;
		}
	}
	missing = !have_first				 ? pk->first
		  : !have_second && !pk->second_optional ? pk->second
		  : !r->type				 ? "type"
							 : NULL;
	if (missing) {
		fail(ld, r->line, "%s: missing %s (each entry needs %s)", name,
		     missing, pk->needs);
		goto out;
	}
	rc = r->space == IO_SPACE_PCI
		     ? check_pci_address(ld, r, name, first, second)
		     : check_extent(ld, r, name, first, second);
out:
	free(copy);
	return rc;
}
