/* SPDX-License-Identifier: BSD-2-Clause */
/* statefile.h - /run/mmiod/GUEST.state: which ioreq server a running
 * mmiod created. Xen can't list ioreq servers and a server outlives the
 * process that created it, so a restarted mmiod reads this file to find
 * and destroy a crashed predecessor's server. */
#ifndef MMIOD_STATEFILE_H
#define MMIOD_STATEFILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct state_record {
	pid_t pid;
	uint32_t domid;
	int server_id;
};

/* DIR/GUEST.SUFFIX into buf; -1 if it does not fit. */
int statefile_path(char *buf, size_t len, const char *dir, const char *guest,
		   const char *suffix);
/* 0 and *out filled, or -1 when the file is absent or malformed. */
int statefile_read(const char *path, struct state_record *out);
/* Replaces PATH atomically with what fill() prints: readers see the old
 * file or the whole new one, never a truncated one. 0 or -1 and errno. */
int statefile_replace(const char *path, void (*fill)(FILE *, void *),
		      void *ctx);
int statefile_write(const char *path, const struct state_record *record);
void statefile_remove(const char *path);

#endif
