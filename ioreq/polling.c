/* SPDX-License-Identifier: BSD-2-Clause */
/* polling.c - a worker's spin on its slots after an answer (poll_us). */
#include <poll.h>
#include <time.h>

#include "engine_internal.h"

/* Look at the stop fd every this many turns (about every 100 us): a
 * spin that a stream of requests keeps going still ends on a stop. */
#define STOP_CHECK_EVERY 1024

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool stop_requested(int stop_fd)
{
	struct pollfd pfd = {.fd = stop_fd, .events = POLLIN};

	return poll(&pfd, 1, 0) > 0;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Answers every READY slot of w's vCPUs; whether there was one. */
static bool answer_ready(struct ioreq_worker *w)
{
	struct ioreq_engine *e = w->engine;
	bool answered = false;

	for (unsigned i = 0; i < w->nr_vcpus; i++) {
		unsigned v = w->vcpus[i];
		volatile ioreq_t *slot = &e->be->ioreq_page->vcpu_ioreq[v];

		/* Only this worker takes the slot out of READY. */
		if (slot->state != STATE_IOREQ_READY)
			continue;
		/* Counted before the answer lets the vCPU go on; its event
		 * is still on its way: expected, not spurious. */
		ioreq_set_vcpu_polled(w, v, true);
		COUNTER_INC(w->stats.polled);
		ioreq_serve_slot(w, v, e->vcpu_local_port[v]);
		answered = true;
	}
	return answered;
}

void ioreq_poll_slots(struct ioreq_worker *w, int stop_fd)
{
	uint64_t deadline = now_ns() + w->engine->poll_ns;

	for (unsigned turn = 1;; turn++) {
		if (answer_ready(w))
			deadline = now_ns() + w->engine->poll_ns;
		else if (now_ns() >= deadline)
			return;
		else
			cpu_relax();
		if (turn % STOP_CHECK_EVERY == 0 && stop_requested(stop_fd))
			return;
	}
}
