/* SPDX-License-Identifier: BSD-2-Clause */
/* textfile.c - read a user's config or script: regular, bounded, no wait. */
#include "textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads up to max bytes of fd into buf; the count, or -1 on error. */
static ssize_t read_all(int fd, char *buf, size_t max)
{
	size_t got = 0;

	while (got < max) {
		ssize_t n = read(fd, buf + got, max - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

char *textfile_read(const char *path, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *data = NULL;
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		goto out;
	}
	if (st.st_size > TEXTFILE_MAX) {
		snprintf(err, errlen, "larger than 1 MiB");
		goto out;
	}
	/* One byte more than allowed tells a file that grew past it. */
	data = malloc(TEXTFILE_MAX + 2);
	if (!data) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	n = read_all(fd, data, TEXTFILE_MAX + 1);
	if (n < 0 || n > TEXTFILE_MAX) {
		if (n < 0)
			snprintf(err, errlen, "read error: %s",
				 strerror(errno));
		else
			snprintf(err, errlen, "larger than 1 MiB");
		free(data);
		data = NULL;
		goto out;
	}
	data[n] = '\0';
	*len = (size_t)n;
out:
	close(fd);
	return data;
}
