/* SPDX-License-Identifier: BSD-2-Clause */
/* cfglex.c - cut xl.cfg text into tokens exactly as libxlutil does.
 *
 * libxlutil's flex rules, in the order flex tries them (longest match,
 * then the earlier rule): identifiers, numbers, blanks, the punctuation
 * ", [ ] += = ;", a newline or a '#' comment up to and including its
 * newline, quoted strings that end on the line they start, and any other
 * character is a lexical error. Consequences worth knowing: a comment
 * on the last line without a newline is an error, and so is a carriage
 * return (a file with CRLF line ends), except as the file's last byte:
 * one bad character there is ignored.
 */
#include "cfglex.h"

#include <string.h>

static int in_range(char ch, char lo, char hi)
{
	return ch >= lo && ch <= hi;
}

static int ident_char(char ch)
{
	return in_range(ch, 'a', 'z') || in_range(ch, '0', '9') || ch == '.' ||
	       ch == '_';
}

static int number_char(char ch)
{
	return in_range(ch, '0', '9') || in_range(ch, 'a', 'f') || ch == 'x';
}

/* The length of a quoted string at p, or 0 if none ends on this line:
 * "any character but the quote, a backslash or a newline, or a backslash
 * and any character but a newline". */
static size_t string_length(const char *p, const char *end)
{
	const char *q = p + 1;

	while (q < end && *q != *p && *q != '\n') {
		if (*q == '\\') {
			if (q + 1 >= end || q[1] == '\n')
				return 0;
			q++;
		}
		q++;
	}
	return q < end && *q == *p ? (size_t)(q + 1 - p) : 0;
}

static enum cfg_token kind_of(struct cfg_lexer *lx, size_t *n)
{
	const char *nl;

	*n = 1;
	switch (*lx->p) {
	case ',':
	case '[':
	case ']':
	case '=':
	case ';':
		return (enum cfg_token) * lx->p;
	case '+':
		*n = 2;
		return lx->p + 1 < lx->end && lx->p[1] == '=' ? TOK_ADD
							      : TOK_BAD;
	case '\n':
		lx->line++;
		return TOK_NEWLINE;
	case '#':
		nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
		if (!nl)
			return TOK_BAD;
		lx->line++;
		*n = (size_t)(nl + 1 - lx->p);
		return TOK_NEWLINE;
	case '\'':
	case '"':
		*n = string_length(lx->p, lx->end);
		return *n ? TOK_STRING : TOK_BAD;
	}
	if (in_range(*lx->p, 'a', 'z')) {
		while (lx->p + *n < lx->end && ident_char(lx->p[*n]))
			++*n;
		return TOK_IDENT;
	}
	if (in_range(*lx->p, '0', '9')) {
		while (lx->p + *n < lx->end && number_char(lx->p[*n]))
			++*n;
		return TOK_NUMBER;
	}
	return TOK_BAD;
}

void cfglex_next(struct cfg_lexer *lx, struct cfg_tok *tok)
{
	while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
		lx->p++;
	tok->text = lx->p;
	tok->line = lx->line;
	tok->len = 0;
	if (lx->p >= lx->end) {
		/* The end is on the last line, not after its newline. */
		if (lx->p > lx->text && lx->p[-1] == '\n')
			tok->line--;
		tok->kind = TOK_END;
		return;
	}
	tok->kind = kind_of(lx, &tok->len);
	if (tok->kind == TOK_BAD && lx->p + 1 == lx->end) {
		/* flex reports a lexical error only when it matches the text
		 * after the bad character: as the last byte, it is ignored. */
		tok->kind = TOK_END;
		lx->p = lx->end;
		return;
	}
	if (tok->kind == TOK_BAD)
		tok->len = 0; /* nothing after a lexical error matters */
	lx->p += tok->len;
}
