/* lifecycle.c - signals and the main thread's loop while serving. */
#include "lifecycle.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "common/log.h"
#include "statefile.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reopen_requested;
static volatile sig_atomic_t stats_requested;
static volatile sig_atomic_t child_exited;

static void on_signal(int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		stop_requested = 1;
		break;
	case SIGHUP:
		reopen_requested = 1;
		break;
	case SIGUSR1:
		stats_requested = 1;
		break;
	case SIGCHLD:
		child_exited = 1;
		break;
	}
}

static const int handled[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD};
#define NHANDLED (sizeof(handled) / sizeof(handled[0]))

static sigset_t serving_mask; /* the mask inside ppoll() */

int signals_setup(void)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (size_t i = 0; i < NHANDLED; i++) {
		if (sigaction(handled[i], &sa, NULL))
			return -1;
		sigaddset(&block, handled[i]);
	}
	if (sigprocmask(SIG_BLOCK, &block, &serving_mask))
		return -1;
	for (size_t i = 0; i < NHANDLED; i++)
		sigdelset(&serving_mask, handled[i]);
	/* A closed stdout or socket must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void print_stats(FILE *f, void *server)
{
	server_print_stats(server, f);
}

/* The counters go to the stats file only: mmiod --stats, run every few
 * seconds by a monitor, would otherwise fill the journal. */
static void write_stats(struct server *s, const char *stats_path)
{
	log_debug("SIGUSR1: writing the counters to %s",
		  stats_path ? stats_path : "nowhere");
	/* Atomically: mmiod --stats reads the file as soon as it changes. */
	if (stats_path && statefile_replace(stats_path, print_stats, s))
		log_warn("cannot write %s: %s", stats_path, strerror(errno));
}

enum stop_reason lifecycle_loop(struct server *s, struct ioreq_backend *be,
				const char *stats_path)
{
	struct pollfd pfd = {.fd = ioreq_backend_domain_fd(be),
			     .events = POLLIN};
	struct timespec tick = {.tv_sec = 1};
	struct timespec last_flush, now;
	uint64_t watchdog_us = 0;

	/* Under WatchdogSec= systemd wants a ping at least every half
	 * period; the loop wakes that often and pings on every round. */
	if (sd_watchdog_enabled(0, &watchdog_us) > 0 &&
	    watchdog_us / 2 < 1000000)
		tick = (struct timespec){.tv_nsec = (long)(watchdog_us / 2) *
						    1000};
	clock_gettime(CLOCK_MONOTONIC, &last_flush);
	for (;;) {
		int n;

		if (watchdog_us)
			sd_notify(0, "WATCHDOG=1");

		if (stop_requested)
			return STOP_SIGNAL;
		if (child_exited)
			return STOP_CHILD_EXIT;
		if (reopen_requested) {
			reopen_requested = 0;
			log_info("SIGHUP: reopening device files");
			server_reopen(s);
		}
		if (stats_requested) {
			stats_requested = 0;
			write_stats(s, stats_path);
		}
		n = ppoll(&pfd, 1, &tick, &serving_mask);
		if (n < 0 && errno != EINTR) {
			log_error("ppoll: %s", strerror(errno));
			return STOP_ERROR;
		}
		if (n > 0 && !ioreq_backend_domain_alive(be))
			return STOP_DOMAIN_DEATH;
		/* Once a second, busy or idle, make what the guest wrote
		 * durable: a power cut loses at most a second of it. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - last_flush.tv_sec >= 1) {
			server_flush(s);
			last_flush = now;
		}
	}
}
