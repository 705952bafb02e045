/* keyscan.h - where each top-level key and list item stands in a file.
 *
 * libxlutil parses the xl.cfg grammar but does not say which keys a file
 * set, nor on which line. keyscan walks the same text (after libxlutil has
 * accepted it) and records each top-level assignment's key and line, and
 * the line of each item of a list value, so that errors can point there.
 * Private to config/.
 */
#ifndef MMIOD_CONFIG_KEYSCAN_H
#define MMIOD_CONFIG_KEYSCAN_H

#include <stddef.h>

struct scanned_key {
	char name[64];
	int line;
	size_t nitems, items_cap;
	int *item_lines; /* lines of the items of a list value */
};

struct keyscan {
	size_t count;
	struct scanned_key *keys;
};

/* 0 on success, -1 on out of memory. */
int keyscan_text(const char *text, size_t len, struct keyscan *out);
void keyscan_free(struct keyscan *ks);

#endif
