/* keyscan.c - record top-level keys and list item lines of an xl.cfg file.
 *
 * The grammar (as libxlutil's lexer has it): comments from '#' to the end
 * of the line; statements "ident = value" or "ident += value" separated by
 * ';' or newlines; identifiers [a-z][_0-9a-z]*; values are atoms, quoted
 * strings ('...' or "..." with backslash escapes) or [lists] of values.
 */
#include "keyscan.h"

#include <stdlib.h>
#include <string.h>

#include "common/array.h"

struct cursor {
	const char *p, *end;
	int line;
};

static void skip_blank(struct cursor *c)
{
	while (c->p < c->end) {
		if (*c->p == '#') {
			while (c->p < c->end && *c->p != '\n')
				c->p++;
		} else if (*c->p == '\n') {
			c->line++;
			c->p++;
		} else if (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' ||
			   *c->p == ';' || *c->p == ',') {
			c->p++;
		} else {
			return;
		}
	}
}

static void skip_string(struct cursor *c)
{
	char quote = *c->p++;

	while (c->p < c->end && *c->p != quote) {
		if (*c->p == '\\' && c->p + 1 < c->end)
			c->p++;
		if (*c->p == '\n')
			c->line++;
		c->p++;
	}
	if (c->p < c->end)
		c->p++;
}

static int is_ident(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

/* Skips one value; for a list, records the line of each item in key. */
static int skip_value(struct cursor *c, struct scanned_key *key)
{
	if (c->p >= c->end)
		return 0;
	if (*c->p == '"' || *c->p == '\'') {
		skip_string(c);
		return 0;
	}
	if (*c->p != '[') {
		while (c->p < c->end && is_ident(*c->p))
			c->p++;
		return 0;
	}
	c->p++;
	for (;;) {
		skip_blank(c);
		if (c->p >= c->end)
			return 0;
		if (*c->p == ']') {
			c->p++;
			return 0;
		}
		if (key) {
			if (array_reserve((void **)&key->item_lines,
					  &key->items_cap, key->nitems + 1,
					  sizeof(int)))
				return -1;
			key->item_lines[key->nitems++] = c->line;
		}
		if (skip_value(c, NULL) < 0)
			return -1;
	}
}

int keyscan_text(const char *text, size_t len, struct keyscan *out)
{
	struct cursor c = {text, text + len, 1};
	size_t capacity = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		struct scanned_key *key;
		size_t n = 0;

		skip_blank(&c);
		if (c.p >= c.end)
			return 0;
		if (array_reserve((void **)&out->keys, &capacity,
				  out->count + 1, sizeof(*out->keys)))
			goto nomem;
		key = &out->keys[out->count++];
		memset(key, 0, sizeof(*key));
		key->line = c.line;
		while (c.p < c.end && is_ident(*c.p)) {
			if (n + 1 < sizeof(key->name))
				key->name[n++] = *c.p;
			c.p++;
		}
		if (n == 0) { /* not a statement we understand: stop */
			out->count--;
			return 0;
		}
		while (c.p < c.end && (*c.p == ' ' || *c.p == '\t' ||
				       *c.p == '+' || *c.p == '='))
			c.p++;
		if (skip_value(&c, key) < 0)
			goto nomem;
	}
nomem:
	keyscan_free(out);
	return -1;
}

void keyscan_free(struct keyscan *ks)
{
	for (size_t i = 0; i < ks->count; i++)
		free(ks->keys[i].item_lines);
	free(ks->keys);
	memset(ks, 0, sizeof(*ks));
}
