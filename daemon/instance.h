/* SPDX-License-Identifier: BSD-2-Clause */
/* instance.h - one mmiod per guest: the guest's lock, state file and
 * control socket in the state dir (/run/mmiod).
 *
 * GUEST.lock is held (flock) for the daemon's lifetime and names its pid,
 * so a second mmiod for the same guest is refused before it touches
 * anything. Holding the lock also proves that the state file and the
 * control socket are this daemon's: a crashed predecessor's are replaced,
 * a running one's are never touched. Every file is created without
 * following a symlink planted in the state dir.
 */
#ifndef MMIOD_INSTANCE_H
#define MMIOD_INSTANCE_H

#include <stdbool.h>

#include "owned_files.h"
#include "statefile.h"

/* Every path fits a socket address (sun_path), the control socket's. */
#define INSTANCE_PATH_MAX 108

struct instance {
	char lock_path[INSTANCE_PATH_MAX];
	char state_path[INSTANCE_PATH_MAX];
	char control_path[INSTANCE_PATH_MAX];
	int lock_fd;	/* -1: not held */
	int control_fd; /* -1: not listening */
	bool state_written;
};

void instance_init(struct instance *in);
/* The guest's file names in dir. 0, or -1 with a message on stderr
 * saying whether GUEST or --state-dir is at fault (exit status 2). */
int instance_paths(struct instance *in, const char *dir, const char *guest);
/* Notes the files in the state dir that this daemon will create, to be
 * handed to user= (owned_files.h). 0, or -1 when out of memory. */
int instance_note(const struct instance *in, struct owned_files *of);
/* Takes the guest's lock. 0; 1 when another mmiod holds it (logged with
 * its pid); -1 on another error (logged). */
int instance_lock(struct instance *in, const char *guest);
/* Records which ioreq server this daemon created. 0 or -1 (logged). */
int instance_write_state(struct instance *in, const struct state_record *r);
/* Listens on the control socket (mode 0600, see control.h). 0 or -1. */
int instance_listen(struct instance *in);
/* Removes the state file (if this daemon wrote it and it still names
 * this pid) and the control socket, and releases the lock. Safe to call
 * at any point after instance_init(). */
void instance_close(struct instance *in);

#endif
