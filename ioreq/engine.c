/* SPDX-License-Identifier: BSD-2-Clause */
/* engine.c - ioreq server setup and teardown, workers and the per-vCPU
 * slot protocol. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "engine_internal.h"
#include "common/barrier.h"

static int guest_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct ioreq_backend *be = ctx;

	return be->ops->guest_read(be, gpa, buf, len);
}

static int guest_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	struct ioreq_backend *be = ctx;

	return be->ops->guest_write(be, gpa, buf, len);
}

struct ioreq_engine *ioreq_engine_create(struct ioreq_backend *be,
					 struct bus *bus, unsigned nr_workers)
{
	struct ioreq_engine *e;

	if (nr_workers == 0 || be->nr_vcpus == 0) {
		errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->be = be;
	e->bus = bus;
	e->guest_memory = (struct bus_memory){guest_read, guest_write, be};
	e->nr_workers = nr_workers;
	e->workers = aligned_alloc(64, nr_workers * sizeof(*e->workers));
	if (e->workers)
		memset(e->workers, 0, nr_workers * sizeof(*e->workers));
	e->vcpu_local_port = calloc(be->nr_vcpus, sizeof(uint32_t));
	e->vcpu_worker = calloc(be->nr_vcpus, sizeof(*e->vcpu_worker));
	pthread_mutex_init(&e->buffered_lock, NULL);
	pthread_mutex_init(&e->map_lock, NULL);
	if (!e->workers || !e->vcpu_local_port || !e->vcpu_worker) {
		ioreq_engine_destroy(e);
		return NULL;
	}
	for (unsigned i = 0; i < nr_workers; i++) {
		e->workers[i].engine = e;
		e->workers[i].index = i;
		e->workers[i].buffered_local_port = -1;
		e->workers[i].cpu = bus_cpu_create(bus);
		if (!e->workers[i].cpu) {
			ioreq_engine_destroy(e);
			return NULL;
		}
	}
	return e;
}

static int port_map_add(struct ioreq_worker *w, uint32_t port, uint32_t vcpu)
{
	unsigned i;

	for (i = port & w->port_mask; w->ports[i].port;
	     i = (i + 1) & w->port_mask)
		;
	w->ports[i] = (struct port_entry){port, vcpu};
	return 0;
}

/* The vCPU bound to local port, or -1. */
static int port_map_find(const struct ioreq_worker *w, uint32_t port)
{
	if (!w->ports)
		return -1;
	for (unsigned i = port & w->port_mask; w->ports[i].port;
	     i = (i + 1) & w->port_mask)
		if (w->ports[i].port == port)
			return (int)w->ports[i].vcpu;
	return -1;
}

/* Each worker's port map and vCPU list. */
static int alloc_port_maps(struct ioreq_engine *e)
{
	unsigned per_worker = e->be->nr_vcpus / e->nr_workers + 1;
	unsigned size = 16;

	/* At most half full, so probes stay short. */
	while (size < 2 * per_worker)
		size *= 2;
	for (unsigned i = 0; i < e->nr_workers; i++) {
		e->workers[i].ports = calloc(size, sizeof(struct port_entry));
		e->workers[i].vcpus = calloc(per_worker, sizeof(unsigned));
		if (!e->workers[i].ports || !e->workers[i].vcpus)
			return -1;
		e->workers[i].port_mask = size - 1;
	}
	return 0;
}

static int open_event_channels(struct ioreq_engine *e)
{
	const struct ioreq_backend_ops *ops = e->be->ops;

	for (unsigned i = 0; i < e->nr_workers; i++) {
		e->workers[i].evtchn = ops->evtchn_open(e->be);
		if (!e->workers[i].evtchn) {
			log_error("cannot open event channel handle %u: %s", i,
				  strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Xen writes each slot's vp_eport only when the server is enabled, so
 * this runs after enabling. vCPUs are dealt to workers round-robin; the
 * buffered ring goes to worker 0. */
static int bind_ports(struct ioreq_engine *e)
{
	struct ioreq_backend *be = e->be;

	for (unsigned v = 0; v < be->nr_vcpus; v++) {
		struct ioreq_worker *w = &e->workers[v % e->nr_workers];
		volatile ioreq_t *slot = &be->ioreq_page->vcpu_ioreq[v];
		uint32_t remote = slot->vp_eport;
		int local;

		if (remote == 0) { /* port 0 means none */
			log_warn("vcpu %u has no event channel; not served", v);
			continue;
		}
		local = be->ops->evtchn_bind(w->evtchn, remote);
		if (local <= 0) {
			log_error("cannot bind vcpu %u's event channel %" PRIu32
				  ": %s",
				  v, remote, strerror(errno));
			return -1;
		}
		e->vcpu_local_port[v] = (uint32_t)local;
		e->vcpu_worker[v] = w;
		w->vcpus[w->nr_vcpus++] = v;
		port_map_add(w, (uint32_t)local, v);
	}
	if (be->buffered_port && be->buffered_page) {
		int local = be->ops->evtchn_bind(e->workers[0].evtchn,
						 be->buffered_port);

		if (local <= 0) {
			log_error("cannot bind the buffered event channel: %s",
				  strerror(errno));
			return -1;
		}
		e->workers[0].buffered_local_port = local;
	}
	return 0;
}

static int regions_changed(void *ctx, enum io_space space)
{
	return ioreq_follow_regions(ctx, space);
}

static int map_ranges(struct ioreq_engine *e)
{
	const struct bus_listener follow = {regions_changed, e};

	for (unsigned s = 0; s < IO_SPACE_COUNT; s++) {
		if (ioreq_follow_regions(e, s))
			return -1;
		if (e->mapped[s].count)
			log_info("%s: %zu range%s claimed", io_space_name(s),
				 e->mapped[s].count,
				 e->mapped[s].count == 1 ? "" : "s");
	}
	bus_set_listener(e->bus, &follow);
	return 0;
}

int ioreq_engine_start(struct ioreq_engine *e)
{
	struct ioreq_backend *be = e->be;

	if (be->nr_vcpus > SLOTS_PER_PAGE) {
		log_error("%u vCPUs: one ioreq page serves at most %zu",
			  be->nr_vcpus, SLOTS_PER_PAGE);
		return -1;
	}
	if (alloc_port_maps(e)) {
		log_error("out of memory");
		return -1;
	}
	if (be->ops->create_server(be)) {
		log_error("cannot create the ioreq server: %s",
			  strerror(errno));
		return -1;
	}
	e->server_created = true;
	if (open_event_channels(e))
		return -1;
	if (be->ops->set_enabled(be, true)) {
		log_error("cannot enable the ioreq server: %s",
			  strerror(errno));
		return -1;
	}
	e->enabled = true;
	if (bind_ports(e) || map_ranges(e))
		return -1;
	return 0;
}

/* How long running vCPUs get to take their answers: far more than they
 * need, short enough not to hold up a stop. */
#define ANSWER_TAKE_MS 2000

static bool answer_untaken(const shared_iopage_t *page, const bool *answered,
			   unsigned nr_vcpus)
{
	for (unsigned v = 0; v < nr_vcpus; v++) {
		const volatile ioreq_t *slot = &page->vcpu_ioreq[v];

		if (answered[v] && slot->state == STATE_IORESP_READY)
			return true;
	}
	return false;
}

bool ioreq_wait_answers_taken(const shared_iopage_t *page, const bool *answered,
			      unsigned nr_vcpus)
{
	for (int ms = 0; answer_untaken(page, answered, nr_vcpus); ms++) {
		if (ms == ANSWER_TAKE_MS)
			return false;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return true;
}

/* Requests sent before the server was disabled may still wait in their
 * slots with nobody left to serve them: answer them, or their vCPUs
 * hang, and let the vCPUs take the answers before the server goes.
 * Called with the worker threads stopped. */
static void complete_waiting(struct ioreq_engine *e)
{
	bool answered[SLOTS_PER_PAGE] = {false};
	bool any = false;

	for (unsigned v = 0; v < e->be->nr_vcpus; v++) {
		volatile ioreq_t *slot = &e->be->ioreq_page->vcpu_ioreq[v];

		if (e->vcpu_worker[v] && slot->state == STATE_IOREQ_READY) {
			ioreq_serve_slot(e->vcpu_worker[v], v,
					 e->vcpu_local_port[v]);
			answered[v] = any = true;
		}
	}
	if (any && !e->serving)
		log_warn("stopping before serving began: waiting requests "
			 "answered without reaching a device");
	if (any && !ioreq_wait_answers_taken(e->be->ioreq_page, answered,
					     e->be->nr_vcpus))
		log_warn("stopping: a vCPU did not take its answer");
}

void ioreq_engine_stop(struct ioreq_engine *e)
{
	struct ioreq_backend *be = e->be;

	if (e->enabled && be->ops->set_enabled(be, false))
		log_warn("cannot disable the ioreq server: %s",
			 strerror(errno));
	if (e->enabled)
		complete_waiting(e);
	e->enabled = false;
	/* The bus may outlive us: it must stop telling us of changes. */
	bus_set_listener(e->bus, NULL);
	ioreq_unmap_all(e);
	if (e->server_created)
		be->ops->destroy_server(be);
	e->server_created = false;
	for (unsigned i = 0; i < e->nr_workers; i++) {
		if (e->workers[i].evtchn)
			be->ops->evtchn_close(e->workers[i].evtchn);
		e->workers[i].evtchn = NULL;
	}
}

void ioreq_engine_destroy(struct ioreq_engine *e)
{
	if (!e)
		return;
	ioreq_engine_stop(e);
	for (unsigned i = 0; e->workers && i < e->nr_workers; i++) {
		free(e->workers[i].ports);
		free(e->workers[i].vcpus);
		bus_cpu_destroy(e->workers[i].cpu);
	}
	pthread_mutex_destroy(&e->buffered_lock);
	pthread_mutex_destroy(&e->map_lock);
	free(e->workers);
	free(e->vcpu_local_port);
	free(e->vcpu_worker);
	free(e);
}

unsigned ioreq_engine_nr_vcpus(const struct ioreq_engine *e)
{
	return e->be->nr_vcpus;
}

unsigned ioreq_engine_nr_workers(const struct ioreq_engine *e)
{
	return e->nr_workers;
}

void ioreq_engine_set_poll_us(struct ioreq_engine *e, unsigned poll_us)
{
	e->poll_ns = (uint64_t)poll_us * 1000;
}

struct ioreq_worker *ioreq_engine_worker(struct ioreq_engine *e, unsigned index)
{
	return index < e->nr_workers ? &e->workers[index] : NULL;
}

void ioreq_engine_print_slots(const struct ioreq_engine *e, FILE *out)
{
	static const char *const names[] = {
		[STATE_IOREQ_READY] = "ready",
		[STATE_IOREQ_INPROCESS] = "inprocess",
		[STATE_IORESP_READY] = "answered",
	};

	fputs("slots", out);
	for (unsigned v = 0; v < e->be->nr_vcpus; v++) {
		uint8_t state = e->be->ioreq_page->vcpu_ioreq[v].state;

		if (state == STATE_IOREQ_NONE)
			continue;
		if (state < sizeof(names) / sizeof(names[0]) && names[state])
			fprintf(out, " %u:%s", v, names[state]);
		else
			fprintf(out, " %u:state%u", v, state);
	}
	fputc('\n', out);
}

void ioreq_engine_stats(const struct ioreq_engine *e, struct ioreq_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < e->nr_workers; i++)
		counters_sum(out, &e->workers[i].stats,
			     sizeof(e->workers[i].stats));
}

struct bus_cpu *ioreq_worker_cpu(const struct ioreq_worker *w)
{
	return w->cpu;
}

int ioreq_worker_fd(const struct ioreq_worker *w)
{
	return w->engine->be->ops->evtchn_fd(w->evtchn);
}

/* The slot protocol, as Xen's ioreq.c expects it of a device model. */
void ioreq_answer_slot(struct ioreq_worker *w, volatile ioreq_t *slot,
		       unsigned vcpu)
{
	ioreq_t req;
	uint64_t data;

	/* The state before the fields: pairs with Xen's wmb before it sets
	 * STATE_IOREQ_READY. */
	xen_rmb();
	/* Copy once and never read the shared slot again (XSA-197): the
	 * guest's domain can't change what we validated. */
	memcpy(&req, (const void *)slot, sizeof(req));
	slot->state = STATE_IOREQ_INPROCESS;
	/* A stop before serving began answers without a device: a read
	 * sees all ones, as for an address nobody claims. */
	data = w->engine->serving      ? ioreq_serve_request(w, &req, vcpu)
	       : req.dir == IOREQ_READ ? UINT64_MAX
				       : req.data;
	if (req.dir == IOREQ_READ && !req.data_is_ptr)
		slot->data = data;
	/* The data before the state: pairs with Xen's rmb after it sees
	 * STATE_IORESP_READY. */
	xen_wmb();
	slot->state = STATE_IORESP_READY;
}

bool ioreq_serve_slot(struct ioreq_worker *w, unsigned vcpu, uint32_t port)
{
	struct ioreq_backend *be = w->engine->be;
	volatile ioreq_t *slot = &be->ioreq_page->vcpu_ioreq[vcpu];

	if (slot->state != STATE_IOREQ_READY)
		return false;
	/* Buffered writes issued before this request are applied first. */
	ioreq_drain_buffered(w);
	ioreq_answer_slot(w, slot, vcpu);
	COUNTER_INC(w->stats.requests);
	be->ops->evtchn_notify(w->evtchn, port);
	return true;
}

/* Once the spin served a vCPU's request, that request's event is still
 * on its way: an event finding the slot not READY is then late, not
 * spurious. It may also arrive after a request the event served (the
 * next request's event coalesced with it, or comes later), so only a
 * late event clears the mark. */
static bool serve_vcpu_event(struct ioreq_worker *w, unsigned vcpu,
			     uint32_t port)
{
	if (ioreq_serve_slot(w, vcpu, port))
		return true;
	if (ioreq_vcpu_polled(w, vcpu)) {
		ioreq_set_vcpu_polled(w, vcpu, false);
		COUNTER_INC(w->stats.late_events);
	} else {
		COUNTER_INC(w->stats.spurious);
	}
	return false;
}

/* Serves the event the worker's fd has ready: EVENT_NONE when there was
 * none, EVENT_ANSWERED when it was a request answered. libxenevtchn
 * wants a poll() saying the fd is readable before each
 * xenevtchn_pending() (a non-blocking fd may still block in it), so the
 * callers poll first. */
enum event_result { EVENT_NONE, EVENT_OTHER, EVENT_ANSWERED };

static enum event_result serve_one_event(struct ioreq_worker *w)
{
	const struct ioreq_backend_ops *ops = w->engine->be->ops;
	int port = ops->evtchn_pending(w->evtchn);
	int vcpu;

	if (port < 0)
		return EVENT_NONE;
	/* Unmask first: an event raised while we serve is kept. */
	ops->evtchn_unmask(w->evtchn, (uint32_t)port);
	if (port == w->buffered_local_port) {
		ioreq_drain_buffered(w);
		return EVENT_OTHER;
	}
	vcpu = port_map_find(w, (uint32_t)port);
	if (vcpu < 0)
		COUNTER_INC(w->stats.spurious);
	else if (serve_vcpu_event(w, (unsigned)vcpu, (uint32_t)port))
		return EVENT_ANSWERED;
	return EVENT_OTHER;
}

void ioreq_worker_run_pending(struct ioreq_worker *w)
{
	struct pollfd pfd = {.fd = ioreq_worker_fd(w), .events = POLLIN};

	while (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN) &&
	       serve_one_event(w) != EVENT_NONE)
		;
}

/* A request whose event never came would hang its vCPU for good, so a
 * worker that heard nothing for SWEEP_MS looks at its slots itself and
 * serves what waits there, counted: on real Xen this should stay 0. */
#define SWEEP_MS 1000

static void sweep_slots(struct ioreq_worker *w)
{
	struct ioreq_engine *e = w->engine;

	for (unsigned v = 0; v < e->be->nr_vcpus; v++) {
		volatile ioreq_t *slot = &e->be->ioreq_page->vcpu_ioreq[v];

		if (e->vcpu_worker[v] != w || slot->state != STATE_IOREQ_READY)
			continue;
		log_guest("worker %u: vCPU %u's request came without an "
			  "event; served by the idle sweep",
			  w->index, v);
		COUNTER_INC(w->stats.swept);
		ioreq_serve_slot(w, v, e->vcpu_local_port[v]);
	}
}

int ioreq_worker_serve(struct ioreq_worker *w, int stop_fd)
{
	struct pollfd pfd[2] = {
		{.fd = ioreq_worker_fd(w), .events = POLLIN},
		{.fd = stop_fd, .events = POLLIN},
	};

	for (;;) {
		int n = poll(pfd, 2, SWEEP_MS);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("worker %u: poll: %s", w->index,
				  strerror(errno));
			return -1;
		}
		if (n == 0) {
			sweep_slots(w);
			continue;
		}
		if (pfd[1].revents)
			return 0;
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			log_error("worker %u: event channel closed", w->index);
			return -1;
		}
		if ((pfd[0].revents & POLLIN) &&
		    serve_one_event(w) == EVENT_ANSWERED && w->engine->poll_ns)
			ioreq_poll_slots(w, stop_fd);
	}
}
