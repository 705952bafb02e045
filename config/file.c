/* SPDX-License-Identifier: BSD-2-Clause */
/* file.c - read a config file and hand it to libxlutil, then the scanner. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/textfile.h"
#include "loader.h"

/* A regular file of at most 1 MiB: a FIFO would block and /dev/zero
 * would never end (issue 15 #12). */
static char *read_file(struct loader *ld, size_t *len)
{
	char why[128];
	char *data = textfile_read(ld->path, len, why, sizeof(why));

	if (!data)
		fail(ld, 0, "%s", why);
	return data;
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

char *load_text(struct loader *ld, size_t *len)
{
	char *data = read_file(ld, len);

	if (data && check_text(ld, data, *len)) {
		free(data);
		return NULL;
	}
	return data;
}

int parse_text(struct loader *ld, const char *text, size_t len)
{
	enum keyscan_result scan;

	if (parse_syntax(ld, text, len))
		return -1;
	scan = keyscan_text(text, len, &ld->scan);
	if (scan == KEYSCAN_NOMEM)
		return fail(ld, 0, "out of memory");
	if (scan == KEYSCAN_SYNTAX)
		return fail(ld, ld->scan.error_line,
			    "cannot parse this line (libxlutil accepted it: "
			    "please report this mmiod bug)");
	return 0;
}
