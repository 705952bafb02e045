/* SPDX-License-Identifier: BSD-2-Clause */
/* keyscan.h - where each top-level key and list item stands in a file.
 *
 * libxlutil parses the xl.cfg grammar but does not say which keys a file
 * set, nor on which line. keyscan walks the same text with the same
 * tokens and grammar as libxlutil (libxlu_cfg_l.l and libxlu_cfg_y.y in
 * Xen's tools/libs/util) and records each assignment's key, operator and
 * line, and the line of each item of a list value, so that errors can
 * point there. Private to config/.
 */
#ifndef MMIOD_CONFIG_KEYSCAN_H
#define MMIOD_CONFIG_KEYSCAN_H

#include <stdbool.h>
#include <stddef.h>

struct scanned_key {
	char *name;
	int line;    /* the line libxlutil records for the setting */
	bool append; /* "key += value" rather than "key = value" */
	bool list;   /* the value is a [list] */
	size_t nitems, items_cap;
	/* Lines of the items of a list value. For "+=" they include the
	 * items of the earlier setting first, as libxlutil concatenates. */
	int *item_lines;
};

struct keyscan {
	size_t count;
	struct scanned_key *keys; /* in file order */
	int error_line;		  /* KEYSCAN_SYNTAX: where */
};

enum keyscan_result {
	KEYSCAN_OK,
	KEYSCAN_NOMEM,
	KEYSCAN_SYNTAX, /* text that libxlutil would refuse too */
};

enum keyscan_result keyscan_text(const char *text, size_t len,
				 struct keyscan *out);
void keyscan_free(struct keyscan *ks);

/* The last setting of name (the one libxlutil's lookups return), or NULL. */
const struct scanned_key *keyscan_find(const struct keyscan *ks,
				       const char *name);

#endif
