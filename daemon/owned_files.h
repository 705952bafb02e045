/* SPDX-License-Identifier: BSD-2-Clause */
/* owned_files.h - files mmiod creates as root before it drops to user=
 * (device files, the state dir's files), handed to that user so that the
 * confined daemon can still reopen them on SIGHUP and remove them.
 *
 * Only files that didn't exist before are handed over: a file the admin
 * made keeps its owner, whatever the config points at.
 */
#ifndef MMIOD_OWNED_FILES_H
#define MMIOD_OWNED_FILES_H

#include <stddef.h>

#include "config/config.h"

struct owned_files {
	char **paths; /* noted paths, each absent when noted */
	size_t n;
};

void owned_files_init(struct owned_files *of);
/* Notes path if nothing is there yet. 0, or -1 when out of memory. */
int owned_files_note(struct owned_files *of, const char *path);
/* Notes the files cfg's devices create: ram and trace file=, the uart's
 * backend=file path=. */
int owned_files_note_config(struct owned_files *of,
			    const struct mmiod_config *cfg);
/* As root with a user: gives each noted file that now exists to user
 * (not following symlinks). 0, or -1 (logged). */
int owned_files_give(const struct owned_files *of, const char *user);
void owned_files_free(struct owned_files *of);

#endif
