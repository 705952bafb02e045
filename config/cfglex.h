/* SPDX-License-Identifier: BSD-2-Clause */
/* cfglex.h - the tokens of xl.cfg text, as libxlutil's lexer cuts them.
 * Private to config/.
 */
#ifndef MMIOD_CONFIG_CFGLEX_H
#define MMIOD_CONFIG_CFGLEX_H

#include <stddef.h>

enum cfg_token {
	TOK_END,     /* end of the text */
	TOK_IDENT,   /* [a-z][._0-9a-z]* */
	TOK_NUMBER,  /* [0-9][0-9a-fx]* */
	TOK_STRING,  /* '...' or "..." on one line, backslash escapes */
	TOK_ADD,     /* += */
	TOK_NEWLINE, /* a newline, or a comment and its newline */
	TOK_BAD,     /* what libxlutil calls a lexical error */
	TOK_COMMA = ',',
	TOK_OPEN = '[',
	TOK_CLOSE = ']',
	TOK_ASSIGN = '=',
	TOK_SEMI = ';',
};

struct cfg_lexer {
	const char *text, *p, *end;
	int line; /* line of the next character */
};

struct cfg_tok {
	enum cfg_token kind;
	const char *text; /* where it starts in the text */
	size_t len;
	int line; /* the line it starts on */
};

/* Cuts the next token from lx into *tok. */
void cfglex_next(struct cfg_lexer *lx, struct cfg_tok *tok);

#endif
