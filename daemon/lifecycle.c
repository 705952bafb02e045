/* SPDX-License-Identifier: BSD-2-Clause */
/* lifecycle.c - signals and the main thread's loop while serving. */
#include "lifecycle.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "control.h"
#include "notify.h"

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

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NHANDLED; i++) {
		/* Without SA_RESTART a stop interrupts a blocking start-up
		 * step (EINTR); the others must not make one fail. */
		bool stop = handled[i] == SIGTERM || handled[i] == SIGINT;

		sa.sa_flags = stop ? 0 : SA_RESTART;
		if (sigaction(handled[i], &sa, NULL))
			return -1;
	}
	/* A closed stdout or socket must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int signals_block(void)
{
	sigset_t block;

	sigemptyset(&block);
	for (size_t i = 0; i < NHANDLED; i++)
		sigaddset(&block, handled[i]);
	if (sigprocmask(SIG_BLOCK, &block, &serving_mask))
		return -1;
	for (size_t i = 0; i < NHANDLED; i++)
		sigdelset(&serving_mask, handled[i]);
	return 0;
}

bool lifecycle_stop_requested(void)
{
	return stop_requested;
}

bool lifecycle_wait_for_domain(const char *name, bool *announced)
{
	const struct timespec poll_interval = {0, 200000000L};

	if (!*announced) {
		notify("READY=1\nSTATUS=waiting for domain %s", name);
		log_info("waiting for domain %s", name);
		*announced = true;
	}
	/* Signals are open during start-up: checked after the sleep in
	 * case one came just before it. */
	nanosleep(&poll_interval, NULL);
	return !stop_requested;
}

int lifecycle_setup_failed(void)
{
	if (!stop_requested)
		return 1;
	log_info("stopping on signal during start-up");
	return 0;
}

enum stop_reason lifecycle_loop(struct server *s, struct ioreq_backend *be,
				int control_fd)
{
	/* The domain, the control socket, then each device's input. */
	struct pollfd *pfd = calloc(2 + s->ndevices, sizeof(*pfd));
	enum stop_reason why;
	struct timespec tick = {.tv_sec = 1};
	struct timespec last_flush, now;
	uint64_t watchdog_us = 0;

	/* Under WatchdogSec= systemd wants a ping at least every half
	 * period; the loop wakes that often and pings on every round. */
	if (notify_watchdog(&watchdog_us) && watchdog_us / 2 < 1000000)
		tick = (struct timespec){.tv_nsec = (long)(watchdog_us / 2) *
						    1000};
	if (!pfd) {
		log_error("out of memory");
		return STOP_ERROR;
	}
	pfd[0] = (struct pollfd){ioreq_backend_domain_fd(be), POLLIN, 0};
	pfd[1] = (struct pollfd){control_fd, POLLIN, 0}; /* -1: ignored */
	clock_gettime(CLOCK_MONOTONIC, &last_flush);
	for (;;) {
		int n;

		if (watchdog_us)
			notify("WATCHDOG=1");

		if (stop_requested) {
			why = STOP_SIGNAL;
			break;
		}
		if (child_exited) {
			why = STOP_CHILD_EXIT;
			break;
		}
		if (reopen_requested) {
			reopen_requested = 0;
			log_info("SIGHUP: reopening device files");
			server_reopen(s);
		}
		if (stats_requested) {
			stats_requested = 0;
			server_print_stats(s, stderr);
		}
		server_input_fds(s, pfd + 2);
		n = ppoll(pfd, 2 + s->ndevices, &tick, &serving_mask);
		if (n < 0 && errno != EINTR) {
			log_error("ppoll: %s", strerror(errno));
			why = STOP_ERROR;
			break;
		}
		if (n > 0 && pfd[0].revents &&
		    !ioreq_backend_domain_alive(be)) {
			why = STOP_DOMAIN_DEATH;
			break;
		}
		if (n > 0 && pfd[1].revents)
			control_answer(control_fd, s);
		if (n > 0)
			server_input(s, pfd + 2);
		/* Once a second, busy or idle, make what the guest wrote
		 * durable: a power cut loses at most a second of it. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - last_flush.tv_sec >= 1) {
			server_flush(s);
			server_input_unmute(s);
			last_flush = now;
		}
	}
	free(pfd);
	return why;
}
