/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_fixture.h - an mmiod --sim with a fault socket and a file-backed
 * ram region, for the tests of libmmiod-trap. */
#ifndef MMIOD_TRAP_FIXTURE_H
#define MMIOD_TRAP_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct trap_fixture {
	pid_t pid;
	char socket[108];
	uint8_t *ram; /* the ram device's bytes, through its file */
	size_t ram_size;
};

/* Re-executes the test in a new PID namespace (once), so that no daemon
 * it starts outlives it. Call first thing in main. */
void trap_fixture_pid_namespace(char **argv);

/* Starts mmiod --sim serving ram_size bytes of ram at gpa and the region
 * strings in extra (a comma-separated xl list tail, or NULL), with a
 * fault socket; returns once mmiod said READY=1. */
void trap_fixture_start(struct trap_fixture *f, uint64_t gpa, size_t ram_size,
			const char *extra);
/* SIGTERM, and SIGKILL if mmiod hasn't exited within 10 s. */
void trap_fixture_stop(struct trap_fixture *f);

#endif
