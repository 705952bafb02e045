/* SPDX-License-Identifier: BSD-2-Clause */
/* report.c - config error messages: file:line, and what would be valid. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

int fail(struct loader *ld, int line, const char *fmt, ...)
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

int fail_unknown(struct loader *ld, int line, const char *what,
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
