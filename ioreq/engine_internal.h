/* SPDX-License-Identifier: BSD-2-Clause */
/* engine_internal.h - the engine's state, shared by its files. Private to
 * ioreq/. */
#ifndef MMIOD_IOREQ_ENGINE_INTERNAL_H
#define MMIOD_IOREQ_ENGINE_INTERNAL_H

#include <pthread.h>

#include "backend.h"
#include "ranges.h"
#include "bus/bus.h"
#include "common/counters.h"

#define IOREQ_PAGE_SIZE 4096
#define SLOTS_PER_PAGE (IOREQ_PAGE_SIZE / sizeof(ioreq_t))

struct port_entry {
	uint32_t port; /* local port; 0: empty */
	uint32_t vcpu;
};

/* Each worker on cache lines of its own: workers write their counters on
 * every request, and sharing a line with another worker's hot fields
 * would bounce it between CPUs. */
struct __attribute__((aligned(64))) ioreq_worker {
	struct ioreq_engine *engine;
	unsigned index;
	struct ioreq_evtchn *evtchn;
	int buffered_local_port; /* -1: this worker does not own the ring */
	/* Open-addressing map from local port to vCPU. */
	struct port_entry *ports;
	unsigned port_mask;
	struct bus_cpu *cpu;
	/* The vCPUs bound to this worker, for its spin to look at. */
	unsigned *vcpus;
	unsigned nr_vcpus;
	/* Bit v: vCPU v's last request was served by the spin, so one event
	 * finding its slot empty is still to come. Only this worker's
	 * thread touches it. */
	uint64_t polled[(SLOTS_PER_PAGE + 63) / 64];
	struct ioreq_stats stats;
};

struct ioreq_engine {
	struct ioreq_backend *be;
	struct bus *bus;
	struct bus_memory guest_memory; /* the backend's, for data_is_ptr */
	unsigned nr_workers;
	struct ioreq_worker *workers;
	uint32_t *vcpu_local_port; /* 0: not bound */
	struct ioreq_worker **vcpu_worker;
	/* Serialises draining of the buffered ring across workers. */
	pthread_mutex_t buffered_lock;
	/* What Xen routes to us, per space; changed only under map_lock. */
	pthread_mutex_t map_lock;
	struct range_list mapped[IO_SPACE_COUNT];
	bool server_created;
	bool enabled;
	/* Requests reach the bus only from ioreq_engine_take_over() on:
	 * before, the daemon isn't confined yet. */
	bool serving;
	/* ioreq_engine_set_poll_us(), in ns; 0: no spin. */
	uint64_t poll_ns;
};
/* engine.c: waits until no slot marked in answered[] still holds
 * IORESP_READY, i.e. every vCPU took its answer: a server destroyed
 * before that loses the answer (Xen completes the access without it).
 * false on timeout. */
bool ioreq_wait_answers_taken(const shared_iopage_t *page, const bool *answered,
			      unsigned nr_vcpus);

/* engine.c: answers the request in slot (its state checked by the
 * caller): copy once, INPROCESS, serve, data, IORESP_READY. The caller
 * notifies the vCPU. */
void ioreq_answer_slot(struct ioreq_worker *w, volatile ioreq_t *slot,
		       unsigned vcpu);

/* engine.c: if vcpu's slot holds a request, answers it, notifies port
 * and returns true. */
bool ioreq_serve_slot(struct ioreq_worker *w, unsigned vcpu, uint32_t port);

static inline bool ioreq_vcpu_polled(const struct ioreq_worker *w,
				     unsigned vcpu)
{
	return w->polled[vcpu / 64] >> (vcpu % 64) & 1;
}

static inline void ioreq_set_vcpu_polled(struct ioreq_worker *w, unsigned vcpu,
					 bool on)
{
	uint64_t bit = 1ull << (vcpu % 64);

	w->polled[vcpu / 64] =
		on ? w->polled[vcpu / 64] | bit : w->polled[vcpu / 64] & ~bit;
}

/* polling.c: after an answer, spins on the worker's slots for up to the
 * engine's poll_ns since the last request it found, answering each one
 * that turns READY without waiting for its event. Returns early when
 * stop_fd becomes readable. */
void ioreq_poll_slots(struct ioreq_worker *w, int stop_fd);

/* mapping.c: makes Xen route exactly the bus's regions of space to us
 * (merged to Xen's limit), mapping what is new before unmapping what
 * went. 0, or -1 with the reason logged. */
int ioreq_follow_regions(struct ioreq_engine *e, enum io_space space);
/* mapping.c: unmaps every range. */
void ioreq_unmap_all(struct ioreq_engine *e);

/* dispatch.c: serves one request copy; returns the data to write back. */
uint64_t ioreq_serve_request(struct ioreq_worker *w, const ioreq_t *req,
			     unsigned vcpu);
/* buffered.c: consumes every buffered request published so far. */
void ioreq_drain_buffered(struct ioreq_worker *w);

#endif
