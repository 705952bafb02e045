/* SPDX-License-Identifier: BSD-2-Clause */
/* lifecycle.h - signals and the main thread's loop while serving.
 *
 * Signal handlers only set flags. During start-up the signals are open,
 * and SIGTERM/SIGINT interrupt whatever blocks when they come (waiting
 * for the domain, opening a FIFO), so a stop doesn't wait for start-up to
 * end. (One that lands in the instant before a blocking open() is seen
 * only after it.) Once serving threads are about to start the signals
 * are blocked everywhere except inside the main loop's ppoll(), so
 * worker threads never see them and the loop can't miss one between
 * checking the flags and sleeping.
 */
#ifndef MMIOD_LIFECYCLE_H
#define MMIOD_LIFECYCLE_H

#include <stdbool.h>

#include "server.h"

/* Installs the handlers; call first, before any thread is created. */
int signals_setup(void);
/* Blocks the signals for serving; call before the serving threads are
 * created, which inherit the mask. */
int signals_block(void);
/* A SIGTERM or SIGINT has come. */
bool lifecycle_stop_requested(void);
/* The exit status of a start-up that failed: 0 with a log line when a
 * stop signal cut it short (what failed was interrupted), else 1. */
int lifecycle_setup_failed(void);

/* One round of --wait for the domain called name: the first round
 * (*announced false) tells systemd READY=1, since mmiod is now ready for
 * the domain (a unit ordered before the toolstack's must not hold it
 * up), then sleeps 200 ms. A stop interrupts the sleep: false once
 * SIGTERM or SIGINT came, true to look again. */
bool lifecycle_wait_for_domain(const char *name, bool *announced);

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
