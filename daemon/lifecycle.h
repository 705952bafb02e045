/* lifecycle.h - signals and the main thread's loop while serving.
 *
 * Signal handlers only set flags. The signals are blocked everywhere
 * except inside the main loop's ppoll(), so worker threads never see them
 * and the loop can't miss one between checking the flags and sleeping.
 */
#ifndef MMIOD_LIFECYCLE_H
#define MMIOD_LIFECYCLE_H

#include <stdbool.h>

#include "server.h"

/* Installs the handlers and blocks the signals; call before any thread
 * is created. */
int signals_setup(void);

enum stop_reason {
	STOP_SIGNAL,	   /* SIGTERM or SIGINT */
	STOP_DOMAIN_DEATH, /* the domain is gone */
	STOP_CHILD_EXIT,   /* sim: the scripted guest finished */
	STOP_ERROR,
};

/* Serves until a stop reason: flushes devices when idle (once a second),
 * reopens files on SIGHUP, prints counters to the log on SIGUSR1 and
 * answers requests on control_fd (see control.h; -1: none). */
enum stop_reason lifecycle_loop(struct server *s, struct ioreq_backend *be,
				int control_fd);

#endif
