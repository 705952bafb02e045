/* SPDX-License-Identifier: BSD-2-Clause */
/* textfile.h - read a file a user names (a config, a script) safely. */
#ifndef MMIOD_TEXTFILE_H
#define MMIOD_TEXTFILE_H

#include <stddef.h>

/* The largest config or script mmiod reads. */
#define TEXTFILE_MAX (1024 * 1024)

/* Reads path, which must be a regular file of at most TEXTFILE_MAX bytes,
 * into a NUL-terminated buffer the caller frees; its length in *len. It
 * never blocks on a FIFO and never reads a device: the file is opened
 * O_NONBLOCK and refused unless fstat says it is a regular file. On error
 * returns NULL with "cannot open: ...", "not a regular file", "larger
 * than 1 MiB" or "read error: ..." in err (the caller adds the path). */
char *textfile_read(const char *path, size_t *len, char *err, size_t errlen);

#endif
