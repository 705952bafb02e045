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

/* Fills r from "base=...,size=...,type=...,k=v". name is e.g. "mmio[2]". */
int parse_entry(struct loader *ld, struct config_region *r, const char *name,
		const char *text)
{
	char *copy = strdup(text), *save = NULL, *item;
	bool have_base = false, have_size = false;
	uint64_t base = 0, size = 0;
	int rc = -1;

	if (!copy)
		return fail(ld, 0, "out of memory");
	for (item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *key = item, *value;

		if (!eq) {
			trim(&key);
			fail(ld, r->line,
			     "%s: '%s' is not key=value (e.g. base=0xfe000000)",
			     name, key);
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
		if ((!strcmp(key, "base") && have_base) ||
		    (!strcmp(key, "size") && have_size) ||
		    (!strcmp(key, "type") && r->type) ||
		    config_region_param(r, key)) {
			fail(ld, r->line, "%s: key '%s' given twice", name,
			     key);
			goto out;
		}
		if (!strcmp(key, "base") || !strcmp(key, "size")) {
			uint64_t *dst = key[0] == 'b' ? &base : &size;

			if (parse_u64(value, dst)) {
				fail(ld, r->line,
				     "%s %s: '%s' is not a number (decimal or 0x hex, optional K/M/G suffix)",
				     name, key, value);
				goto out;
			}
			*(key[0] == 'b' ? &have_base : &have_size) = true;
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
	if (!have_base || !have_size || !r->type) {
		fail(ld, r->line,
		     "%s: missing %s (each entry needs base, size and type)",
		     name,
		     !have_base	  ? "base"
		     : !have_size ? "size"
				  : "type");
		goto out;
	}
	rc = check_extent(ld, r, name, base, size);
out:
	free(copy);
	return rc;
}
