/* SPDX-License-Identifier: BSD-2-Clause */
/* xsread.c - xsread PATH: prints a xenstore value, as xenstore-read does
 * (that tool is not in xen-utils, and the test dom0 has nothing else). */
#include <stdio.h>
#include <stdlib.h>

#include <xenstore.h>

int main(int argc, char **argv)
{
	struct xs_handle *xs;
	unsigned int len;
	char *value;

	if (argc != 2) {
		fprintf(stderr, "usage: xsread PATH\n");
		return 2;
	}
	xs = xs_open(XS_OPEN_READONLY);
	if (!xs) {
		perror("xsread: xs_open");
		return 1;
	}
	value = xs_read(xs, XBT_NULL, argv[1], &len);
	if (!value) {
		perror(argv[1]);
		xs_close(xs);
		return 1;
	}
	printf("%s\n", value);
	free(value);
	xs_close(xs);
	return 0;
}
