/* config.c - load a guest config with libxlutil and validate every key. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxlutil.h>

#include "common/array.h"
#include "common/log.h"
#include "common/parse.h"
#include "keyscan.h"
#include "regions/regions.h"

#define PIO_SPACE_END 0x10000

static const char *const top_keys[] = {
	"domain",    "mmio",	"pio",		"unpause", "user",
	"log_level", "workers", "fault_socket", NULL,
};

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

__attribute__((format(printf, 3, 4))) static int
fail(struct loader *ld, int line, const char *fmt, ...)
{
	int n = 0;
	va_list ap;

	if (line > 0)
		n = snprintf(ld->err, ld->errlen, "%s:%d: ", ld->path, line);
	else
		n = snprintf(ld->err, ld->errlen, "%s: ", ld->path);
	if (n < 0 || (size_t)n >= ld->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ld->err + n, ld->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Levenshtein distance, for "did you mean" on short key names. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t lb = strlen(b), row[64], i, j;

	if (lb >= sizeof(row) / sizeof(row[0]))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; a[i - 1]; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t sub = diag + (a[i - 1] != b[j - 1]);
			size_t best = up + 1 < row[j - 1] + 1 ? up + 1
							      : row[j - 1] + 1;

			row[j] = sub < best ? sub : best;
			diag = up;
		}
	}
	return row[lb];
}

static const char *nearest(const char *word, const char *const *choices)
{
	const char *best = NULL;
	size_t best_d = 3; /* farther than 2 edits is no suggestion */

	for (; *choices; choices++) {
		size_t d = edit_distance(word, *choices);

		if (d < best_d) {
			best_d = d;
			best = *choices;
		}
	}
	return best;
}

static void join(char *buf, size_t len, const char *const *words)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; *words && used < len; words++) {
		int n = snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "", *words);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

static int fail_unknown(struct loader *ld, int line, const char *what,
			const char *word, const char *const *choices)
{
	const char *guess = nearest(word, choices);
	char valid[256];

	join(valid, sizeof(valid), choices);
	if (guess)
		return fail(ld, line, "unknown %s '%s' (did you mean '%s'?)",
			    what, word, guess);
	return fail(ld, line, "unknown %s '%s' (valid: %s)", what, word, valid);
}

static bool is_list_key(const char *name)
{
	return strcmp(name, "mmio") == 0 || strcmp(name, "pio") == 0;
}

static int check_keys(struct loader *ld)
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

static const struct scanned_key *scanned(struct loader *ld, const char *key)
{
	return keyscan_find(&ld->scan, key);
}

static int key_line(struct loader *ld, const char *key)
{
	const struct scanned_key *k = scanned(ld, key);

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

static int load_options(struct loader *ld)
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
static int parse_entry(struct loader *ld, struct config_region *r,
		       const char *name, const char *text)
{
	char *copy = strdup(text), *save = NULL, *item;
	bool have_base = false, have_size = false;
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
			uint64_t *dst = key[0] == 'b' ? &r->base : &r->size;

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
	rc = 0;
out:
	free(copy);
	return rc;
}

static int check_entry(struct loader *ld, const struct config_region *r,
		       const char *name)
{
	const char *const *t;

	if (r->size == 0)
		return fail(ld, r->line, "%s size: must be greater than 0",
			    name);
	if (r->size - 1 > UINT64_MAX - r->base)
		return fail(ld, r->line,
			    "%s: base 0x%" PRIx64 " + size 0x%" PRIx64
			    " wraps past the end of the address space",
			    name, r->base, r->size);
	if (r->space == IO_SPACE_PIO &&
	    (r->base >= PIO_SPACE_END || r->size > PIO_SPACE_END - r->base))
		return fail(ld, r->line,
			    "%s: ports 0x%" PRIx64 "+0x%" PRIx64
			    " go beyond 0xffff (port I/O has 65536 ports)",
			    name, r->base, r->size);
	for (t = ld->types; *t; t++)
		if (strcmp(*t, r->type) == 0)
			return 0;
	return fail_unknown(ld, r->line, "device type", r->type, ld->types);
}

/* Adds regions[first .. first + n) of one list to set in one batch (n
 * single adds would copy the set n times); an overlap is reported on the
 * later of the two lines. */
static int add_to_set(struct loader *ld, const char *key,
		      struct region_set *set, size_t first, size_t n)
{
	const struct config_region *regions = ld->cfg->regions, *r, *other;
	struct region *items = calloc(n ? n : 1, sizeof(*items));
	struct region conflict;
	enum region_error err;
	size_t bad;

	if (!items)
		return fail(ld, 0, "out of memory");
	/* The set holds indices, not pointers: cfg->regions moves. */
	for (size_t i = 0; i < n; i++)
		items[i] = (struct region){
			regions[first + i].base,
			regions[first + i].base + (regions[first + i].size - 1),
			(void *)(uintptr_t)(first + i + 1)};
	err = regions_add_batch(set, items, n, &bad, &conflict);
	free(items);
	regions_reclaim(set);
	if (err == REGION_OK)
		return 0;
	if (err == REGION_NOMEM)
		return fail(ld, 0, "out of memory");
	r = &regions[first + bad];
	if (err != REGION_OVERLAP)
		return fail(ld, r->line, "%s[%zu]: %s", key, bad,
			    region_strerror(err));
	other = &regions[(uintptr_t)conflict.data - 1];
	if (other->line > r->line) {
		const struct config_region *swap = r;

		r = other;
		other = swap;
	}
	return fail(ld, r->line,
		    "%s[%zu]: 0x%" PRIx64 "-0x%" PRIx64
		    " overlaps the %s region 0x%" PRIx64 "-0x%" PRIx64
		    " on line %d",
		    key, (size_t)(r - regions - first), r->base,
		    r->base + (r->size - 1), other->type, other->base,
		    other->base + (other->size - 1), other->line);
}

static int load_list(struct loader *ld, const char *key, enum io_space space,
		     struct region_set *set)
{
	const struct scanned_key *sk = scanned(ld, key);
	XLU_ConfigList *list;
	int entries, rc;

	rc = xlu_cfg_get_list(ld->xlu, key, &list, &entries, 1);
	if (rc == ESRCH)
		return 0;
	if (rc)
		return fail(
			ld, key_line(ld, key),
			"%s: must be a list of strings, e.g. [ \"base=0x1000,size=4K,type=trace\" ]",
			key);

	for (int i = 0; i < entries; i++) {
		struct mmiod_config *cfg = ld->cfg;
		const char *text = xlu_cfg_get_listitem(list, i);
		struct config_region *r;
		char name[32];

		snprintf(name, sizeof(name), "%s[%d]", key, i);
		if (array_reserve((void **)&cfg->regions, &ld->regions_cap,
				  cfg->nregions + 1, sizeof(*cfg->regions)))
			return fail(ld, 0, "out of memory");
		r = &cfg->regions[cfg->nregions++];
		memset(r, 0, sizeof(*r));
		r->space = space;
		r->line = sk && (size_t)i < sk->nitems ? sk->item_lines[i]
						       : key_line(ld, key);
		if (!text)
			return fail(ld, r->line, "%s: must be a string", name);
		if (parse_entry(ld, r, name, text) || check_entry(ld, r, name))
			return -1;
	}
	return add_to_set(ld, key, set, ld->cfg->nregions - (size_t)entries,
			  (size_t)entries);
}

static int load_regions(struct loader *ld)
{
	struct region_set *mmio = regions_create(), *pio = regions_create();
	int rc = -1;

	if (!mmio || !pio)
		fail(ld, 0, "out of memory");
	else if (!load_list(ld, "mmio", IO_SPACE_MMIO, mmio) &&
		 !load_list(ld, "pio", IO_SPACE_PIO, pio))
		rc = 0;
	regions_destroy(mmio);
	regions_destroy(pio);
	return rc;
}

static char *read_file(struct loader *ld, size_t *len)
{
	FILE *f = fopen(ld->path, "r");
	char *data = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f) {
		fail(ld, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;

		if (*len + 4096 + 1 > cap) {
			char *grown = realloc(data, cap = *len + 65536);

			if (!grown) {
				fail(ld, 0, "out of memory");
				goto fail;
			}
			data = grown;
		}
		n = fread(data + *len, 1, cap - *len - 1, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fail(ld, 0, "read error: %s", strerror(errno));
		goto fail;
	}
	fclose(f);
	data[*len] = '\0';
	return data;
fail:
	fclose(f);
	free(data);
	return NULL;
}

/* libxlutil's lexer asserts (and so aborts the process) on a NUL byte
 * inside a quoted string: refuse anything that is not text first. */
static int check_text(struct loader *ld, const char *data, size_t len)
{
	const char *nul = memchr(data, '\0', len);
	int line = 1;

	if (!nul)
		return 0;
	for (const char *p = data; p < nul; p++)
		line += *p == '\n';
	return fail(ld, line, "contains a NUL byte: not a text file");
}

/* libxlutil reports syntax errors as text on a stream; pass it on, but
 * on the scanner's line: libxlutil's is one too low for an unexpected
 * newline (line 0 on the first line). The stream must outlive the
 * XLU_Config, so config_load() closes it. */
static int parse_syntax(struct loader *ld, const char *data, size_t len)
{
	const char *text;
	int rc, line;

	ld->xlu_report =
		open_memstream(&ld->xlu_report_text, &ld->xlu_report_len);
	if (!ld->xlu_report)
		return fail(ld, 0, "out of memory");
	ld->xlu = xlu_cfg_init(ld->xlu_report, ld->path);
	if (!ld->xlu)
		return fail(ld, 0, "out of memory");
	rc = len > INT_MAX ? EFBIG : xlu_cfg_readdata(ld->xlu, data, (int)len);
	if (!rc)
		return 0;
	fflush(ld->xlu_report);
	if (!ld->xlu_report_len)
		return fail(ld, 0, "cannot parse: %s", strerror(rc));
	/* libxlutil's own text starts with "file:line: ". */
	text = ld->xlu_report_text;
	if (strncmp(text, ld->path, strlen(ld->path)) == 0 &&
	    sscanf(text + strlen(ld->path), ":%d:", &line) == 1)
		text = strchr(text + strlen(ld->path) + 1, ':') + 1;
	else
		line = 0;
	if (keyscan_text(data, len, &ld->scan) == KEYSCAN_SYNTAX)
		line = ld->scan.error_line;
	while (*text == ' ')
		text++;
	return fail(ld, line, "%.*s", (int)strcspn(text, "\n"), text);
}

struct mmiod_config *config_load(const char *path, const char *const *types,
				 char *err, size_t errlen)
{
	struct loader ld = {
		.path = path, .types = types, .err = err, .errlen = errlen};
	size_t len;
	char *data;
	int rc = -1;

	err[0] = '\0';
	ld.cfg = calloc(1, sizeof(*ld.cfg));
	if (!ld.cfg || !(ld.cfg->path = strdup(path))) {
		fail(&ld, 0, "out of memory");
		goto out;
	}
	ld.cfg->log_level = -1;
	ld.cfg->workers = 1;
	data = read_file(&ld, &len);
	if (!data)
		goto out;
	if (check_text(&ld, data, len) == 0 &&
	    parse_syntax(&ld, data, len) == 0) {
		enum keyscan_result scan = keyscan_text(data, len, &ld.scan);

		if (scan == KEYSCAN_NOMEM)
			fail(&ld, 0, "out of memory");
		else if (scan == KEYSCAN_SYNTAX)
			fail(&ld, ld.scan.error_line,
			     "cannot parse this line (libxlutil accepted it: "
			     "please report this mmiod bug)");
		else if (!check_keys(&ld) && !load_options(&ld) &&
			 !load_regions(&ld))
			rc = 0;
	}
	free(data);
out:
	keyscan_free(&ld.scan);
	if (ld.xlu)
		xlu_cfg_destroy(ld.xlu);
	if (ld.xlu_report) {
		fclose(ld.xlu_report);
		free(ld.xlu_report_text);
	}
	if (rc) {
		config_free(ld.cfg);
		return NULL;
	}
	return ld.cfg;
}

const char *config_region_param(const struct config_region *region,
				const char *key)
{
	for (size_t i = 0; i < region->nparams; i++)
		if (strcmp(region->params[i].key, key) == 0)
			return region->params[i].value;
	return NULL;
}

void config_free(struct mmiod_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nregions; i++) {
		struct config_region *r = &cfg->regions[i];

		for (size_t j = 0; j < r->nparams; j++) {
			free(r->params[j].key);
			free(r->params[j].value);
		}
		free(r->params);
		free(r->type);
	}
	free(cfg->regions);
	free(cfg->domain);
	free(cfg->user);
	free(cfg->fault_socket);
	free(cfg->path);
	free(cfg);
}
