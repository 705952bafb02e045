/* SPDX-License-Identifier: BSD-2-Clause */
/* backend_sim.c - the device model's side of the simulated hypervisor,
 * through sim/'s hypervisor API only.
 *
 * Local event-channel ports are the remote port plus SIM_LOCAL_OFFSET so
 * that the engine can't get away with mixing up local and remote ports.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "sim/sim.h"

#define SIM_LOCAL_OFFSET 100000

struct sim_backend {
	struct ioreq_backend be;
	struct sim *sim;
	int server; /* ours; -1: none */
	int stale;  /* a killed predecessor's, to take over; -1: none */
};

struct ioreq_evtchn {
	struct sim *sim;
	int handle;
	unsigned nports;
	uint32_t ports[SIM_MAX_VCPUS + 1]; /* remote ports bound here */
	unsigned next;			   /* round-robin scan start */
};

static struct sim_backend *sim_backend(struct ioreq_backend *be)
{
	return (struct sim_backend *)be;
}

static struct sim *sim_of(struct ioreq_backend *be)
{
	return sim_backend(be)->sim;
}

static int sim_create_server(struct ioreq_backend *be)
{
	struct sim_backend *sb = sim_backend(be);
	unsigned id;

	if (sim_hv_create_server(sb->sim, &id, &be->ioreq_page,
				 &be->buffered_page, &be->buffered_port))
		return -1;
	sb->server = (int)id;
	return 0;
}

static int sim_set_enabled(struct ioreq_backend *be, bool enabled)
{
	return sim_hv_set_enabled(sim_of(be), sim_backend(be)->server, enabled);
}

static int sim_map_range(struct ioreq_backend *be, enum io_space space,
			 struct range r, bool map)
{
	return sim_hv_map_range(sim_of(be), sim_backend(be)->server, space, r,
				map);
}

static void sim_destroy_server(struct ioreq_backend *be)
{
	struct sim_backend *sb = sim_backend(be);

	sim_hv_destroy_server(sb->sim, sb->server);
	sb->server = -1;
	be->ioreq_page = NULL;
	be->buffered_page = NULL;
	be->buffered_port = 0;
}

static struct ioreq_evtchn *sim_evtchn_open(struct ioreq_backend *be)
{
	struct ioreq_evtchn *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return NULL;
	ev->sim = sim_of(be);
	ev->handle = sim_hv_open_handle(ev->sim);
	if (ev->handle < 0) {
		free(ev);
		return NULL;
	}
	return ev;
}

static void sim_evtchn_close(struct ioreq_evtchn *ev)
{
	sim_hv_close_handle(ev->sim, ev->handle);
	free(ev);
}

static int sim_evtchn_bind(struct ioreq_evtchn *ev, uint32_t remote_port)
{
	if (ev->nports == sizeof(ev->ports) / sizeof(ev->ports[0])) {
		errno = ENOSPC;
		return -1;
	}
	if (sim_hv_bind(ev->sim, ev->handle, remote_port))
		return -1;
	ev->ports[ev->nports++] = remote_port;
	return (int)(remote_port + SIM_LOCAL_OFFSET);
}

static int sim_evtchn_fd(struct ioreq_evtchn *ev)
{
	return sim_hv_handle_fd(ev->sim, ev->handle);
}

/* Takes one pending port of this handle, scanning round-robin so that no
 * vCPU starves the others. */
static int take_pending(struct ioreq_evtchn *ev)
{
	for (unsigned i = 0; i < ev->nports; i++) {
		unsigned k = (ev->next + i) % ev->nports;
		uint32_t port = ev->ports[k];

		if (sim_hv_take_pending(ev->sim, port)) {
			ev->next = k + 1;
			return (int)(port + SIM_LOCAL_OFFSET);
		}
	}
	return -1;
}

static int sim_evtchn_pending(struct ioreq_evtchn *ev)
{
	uint64_t count;
	int port = take_pending(ev);

	if (port >= 0)
		return port;
	/* Clear the fd, then look again: an event raised between the scan
	 * and the read is then either seen now or leaves the fd readable. */
	if (read(sim_evtchn_fd(ev), &count, sizeof(count)) < 0 &&
	    errno != EAGAIN)
		return -1;
	return take_pending(ev);
}

static int sim_evtchn_unmask(struct ioreq_evtchn *ev, uint32_t port)
{
	return 0; /* sim ports are never masked: pending() consumes them */
}

static int sim_evtchn_notify(struct ioreq_evtchn *ev, uint32_t port)
{
	return sim_hv_notify_guest(ev->sim, port - SIM_LOCAL_OFFSET);
}

static int sim_guest_read(struct ioreq_backend *be, uint64_t gpa, void *buf,
			  size_t len)
{
	return sim_hv_read_guest(sim_of(be), gpa, buf, len);
}

static int sim_guest_write(struct ioreq_backend *be, uint64_t gpa,
			   const void *buf, size_t len)
{
	return sim_hv_write_guest(sim_of(be), gpa, buf, len);
}

static void sim_guest_invalidate(struct ioreq_backend *be)
{
	/* Guest RAM is mapped whole: there is no cache to drop. */
}

static int sim_restrict(struct ioreq_backend *be)
{
	return 0; /* nothing privileged to restrict */
}

static int sim_domain_fd(struct ioreq_backend *be)
{
	return sim_hv_domain_fd(sim_of(be));
}

static bool sim_domain_alive(struct ioreq_backend *be)
{
	return sim_hv_domain_alive(sim_of(be));
}

static int sim_set_isa_irq(struct ioreq_backend *be, unsigned irq, bool level)
{
	return sim_hv_set_isa_irq(sim_of(be), irq, level);
}

/* The sim's PCI devices sit on bus 0 of segment 0. */
static int sim_set_pci_intx(struct ioreq_backend *be, uint32_t sbdf,
			    unsigned pin, bool level)
{
	if (sbdf >> 8) {
		errno = EINVAL;
		return -1;
	}
	return sim_hv_set_pci_intx(sim_of(be), (sbdf >> 3) & 31, pin, level);
}

static int sim_inject_msi(struct ioreq_backend *be, uint64_t addr,
			  uint32_t data)
{
	return sim_hv_inject_msi(sim_of(be), addr, data);
}

static int sim_unpause(struct ioreq_backend *be)
{
	sim_hv_unpause(sim_of(be));
	return 0;
}

static int sim_server_id(struct ioreq_backend *be)
{
	return sim_backend(be)->server;
}

/* As on Xen: remembered now, taken over once our server is live. */
static int sim_destroy_stale(struct ioreq_backend *be, int server_id)
{
	struct sim_backend *sb = sim_backend(be);

	if (server_id < 0 || !sim_hv_server_exists(sb->sim, server_id)) {
		errno = ENOENT;
		return -1;
	}
	sb->stale = server_id;
	return 0;
}

static shared_iopage_t *sim_stale_map(struct ioreq_backend *be, int *id)
{
	struct sim_backend *sb = sim_backend(be);

	if (sb->stale < 0 || !sim_hv_server_exists(sb->sim, sb->stale))
		return NULL;
	/* New requests come to our server from now on. */
	sim_hv_set_enabled(sb->sim, sb->stale, false);
	*id = sb->stale;
	return sim_hv_server_page(sb->sim, sb->stale);
}

static int sim_stale_destroy(struct ioreq_backend *be, shared_iopage_t *page)
{
	struct sim_backend *sb = sim_backend(be);

	sim_hv_destroy_server(sb->sim, sb->stale);
	sb->stale = -1;
	return 0;
}

static void sim_close(struct ioreq_backend *be)
{
	free(be);
}

static const struct ioreq_backend_ops sim_ops = {
	.create_server = sim_create_server,
	.set_enabled = sim_set_enabled,
	.map_range = sim_map_range,
	.destroy_server = sim_destroy_server,
	.evtchn_open = sim_evtchn_open,
	.evtchn_close = sim_evtchn_close,
	.evtchn_bind = sim_evtchn_bind,
	.evtchn_fd = sim_evtchn_fd,
	.evtchn_pending = sim_evtchn_pending,
	.evtchn_unmask = sim_evtchn_unmask,
	.evtchn_notify = sim_evtchn_notify,
	.guest_read = sim_guest_read,
	.guest_write = sim_guest_write,
	.guest_invalidate = sim_guest_invalidate,
	.restrict_to_domain = sim_restrict,
	.domain_fd = sim_domain_fd,
	.domain_alive = sim_domain_alive,
	.unpause = sim_unpause,
	.set_isa_irq = sim_set_isa_irq,
	.set_pci_intx = sim_set_pci_intx,
	.inject_msi = sim_inject_msi,
	.server_id = sim_server_id,
	.destroy_stale = sim_destroy_stale,
	.stale_map = sim_stale_map,
	.stale_destroy = sim_stale_destroy,
	.close = sim_close,
};

struct ioreq_backend *ioreq_backend_sim_open(struct sim *sim)
{
	struct sim_backend *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return NULL;
	sb->be.ops = &sim_ops;
	sb->be.nr_vcpus = sim_hv_nr_vcpus(sim);
	sb->be.hvm = sim_hvm(sim);
	sb->sim = sim;
	sb->server = sb->stale = -1;
	return &sb->be;
}
