/* SPDX-License-Identifier: BSD-2-Clause */
/* keyscan.c - record the keys and list item lines of xl.cfg text.
 *
 * The grammar is libxlutil's (libxlu_cfg_y.y):
 *   file       := { [assignment] (NEWLINE | ';') } [assignment]
 *   assignment := IDENT ('=' | '+=') value
 *   value      := STRING | NUMBER | '[' nl [ value nl { ',' nl value nl }
 *                 [ ',' nl ] ] ']'        where nl is any number of NEWLINE
 * and the lines are the ones libxlutil stores: a setting's is its key's
 * line, a string's or number's is its own, and a list's is the line of its
 * first item (of its ']' when empty). A "+=" of a list puts the earlier
 * setting's items first.
 */
#include "keyscan.h"

#include <stdlib.h>
#include <string.h>

#include "cfglex.h"
#include "common/array.h"

struct parser {
	struct cfg_lexer lx;
	struct cfg_tok tok; /* the lookahead */
	struct keyscan *out;
	size_t keys_cap;
};

static void advance(struct parser *ps)
{
	cfglex_next(&ps->lx, &ps->tok);
}

static void skip_newlines(struct parser *ps)
{
	while (ps->tok.kind == TOK_NEWLINE)
		advance(ps);
}

static enum keyscan_result syntax_error(struct parser *ps)
{
	ps->out->error_line = ps->tok.line;
	return KEYSCAN_SYNTAX;
}

static enum keyscan_result add_item(struct scanned_key *key, int line)
{
	if (array_reserve((void **)&key->item_lines, &key->items_cap,
			  key->nitems + 1, sizeof(int)))
		return KEYSCAN_NOMEM;
	key->item_lines[key->nitems++] = line;
	return KEYSCAN_OK;
}

static enum keyscan_result parse_value(struct parser *ps, int *line,
				       struct scanned_key *key);

/* At '['. Records each item's line in key when key is not NULL. */
static enum keyscan_result parse_list(struct parser *ps, int *line,
				      struct scanned_key *key)
{
	enum keyscan_result rc;
	int item_line;
	bool first = true;

	advance(ps);
	skip_newlines(ps);
	while (ps->tok.kind != TOK_CLOSE) {
		rc = parse_value(ps, &item_line, NULL);
		if (rc == KEYSCAN_OK && key)
			rc = add_item(key, item_line);
		if (rc != KEYSCAN_OK)
			return rc;
		if (first)
			*line = item_line;
		first = false;
		skip_newlines(ps);
		if (ps->tok.kind == TOK_CLOSE)
			break;
		if (ps->tok.kind != TOK_COMMA)
			return syntax_error(ps);
		advance(ps);
		skip_newlines(ps);
	}
	if (first)
		*line = ps->tok.line;
	advance(ps);
	return KEYSCAN_OK;
}

static enum keyscan_result parse_value(struct parser *ps, int *line,
				       struct scanned_key *key)
{
	if (ps->tok.kind == TOK_OPEN) {
		if (key)
			key->list = true;
		return parse_list(ps, line, key);
	}
	if (ps->tok.kind != TOK_STRING && ps->tok.kind != TOK_NUMBER)
		return syntax_error(ps);
	*line = ps->tok.line;
	advance(ps);
	return KEYSCAN_OK;
}

/* "key += value" after an earlier setting: libxlutil puts the earlier
 * list's items first. */
static enum keyscan_result inherit_items(struct parser *ps,
					 struct scanned_key *key)
{
	const struct scanned_key *prev = keyscan_find(ps->out, key->name);
	size_t n, cap;
	int *lines;

	if (!prev || !key->append)
		return KEYSCAN_OK;
	if (prev->list != key->list) /* libxlutil refuses it too */
		return syntax_error(ps);
	n = prev->nitems + key->nitems;
	cap = n ? n : 1;
	lines = malloc(cap * sizeof(*lines));
	if (!lines)
		return KEYSCAN_NOMEM;
	if (prev->nitems)
		memcpy(lines, prev->item_lines, prev->nitems * sizeof(*lines));
	if (key->nitems)
		memcpy(lines + prev->nitems, key->item_lines,
		       key->nitems * sizeof(*lines));
	free(key->item_lines);
	key->item_lines = lines;
	key->nitems = n;
	key->items_cap = cap;
	return KEYSCAN_OK;
}

static enum keyscan_result parse_assignment(struct parser *ps)
{
	struct scanned_key key = {.line = ps->tok.line};
	enum keyscan_result rc;
	int value_line;

	key.name = strndup(ps->tok.text, ps->tok.len);
	if (!key.name)
		return KEYSCAN_NOMEM;
	advance(ps);
	key.append = ps->tok.kind == TOK_ADD;
	if (ps->tok.kind != TOK_ASSIGN && ps->tok.kind != TOK_ADD) {
		rc = syntax_error(ps);
		goto fail;
	}
	advance(ps);
	rc = parse_value(ps, &value_line, &key);
	if (rc == KEYSCAN_OK)
		rc = inherit_items(ps, &key);
	if (rc != KEYSCAN_OK)
		goto fail;
	if (array_reserve((void **)&ps->out->keys, &ps->keys_cap,
			  ps->out->count + 1, sizeof(key))) {
		rc = KEYSCAN_NOMEM;
		goto fail;
	}
	ps->out->keys[ps->out->count++] = key;
	return KEYSCAN_OK;
fail:
	free(key.name);
	free(key.item_lines);
	return rc;
}

enum keyscan_result keyscan_text(const char *text, size_t len,
				 struct keyscan *out)
{
	struct parser ps = {.lx = {text, text, text + len, 1}, .out = out};
	enum keyscan_result rc = KEYSCAN_OK;

	memset(out, 0, sizeof(*out));
	advance(&ps);
	while (ps.tok.kind != TOK_END && rc == KEYSCAN_OK) {
		if (ps.tok.kind == TOK_IDENT) {
			rc = parse_assignment(&ps);
			if (rc != KEYSCAN_OK || ps.tok.kind == TOK_END)
				break;
		}
		if (ps.tok.kind == TOK_NEWLINE || ps.tok.kind == TOK_SEMI)
			advance(&ps);
		else
			rc = syntax_error(&ps);
	}
	if (rc == KEYSCAN_NOMEM)
		keyscan_free(out);
	return rc;
}

const struct scanned_key *keyscan_find(const struct keyscan *ks,
				       const char *name)
{
	for (size_t i = ks->count; i-- > 0;)
		if (strcmp(ks->keys[i].name, name) == 0)
			return &ks->keys[i];
	return NULL;
}

void keyscan_free(struct keyscan *ks)
{
	for (size_t i = 0; i < ks->count; i++) {
		free(ks->keys[i].name);
		free(ks->keys[i].item_lines);
	}
	free(ks->keys);
	memset(ks, 0, sizeof(*ks));
}
