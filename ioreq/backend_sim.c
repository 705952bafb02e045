/* backend_sim.c - the device model's side of the simulated hypervisor.
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

#define SIM_LOCAL_OFFSET 100

struct sim_backend {
	struct ioreq_backend be;
	struct sim *sim;
};

struct ioreq_evtchn {
	struct sim *sim;
	int handle;
	unsigned nports;
	uint32_t ports[SIM_MAX_VCPUS + 2]; /* remote ports bound here */
	unsigned next;			   /* round-robin scan start */
};

static struct sim *sim_of(struct ioreq_backend *be)
{
	return ((struct sim_backend *)be)->sim;
}

static int sim_create_server(struct ioreq_backend *be)
{
	struct sim *sim = sim_of(be);

	if (sim_hv_create_server(sim))
		return -1;
	be->ioreq_page = sim->ioreq_page;
	be->buffered_page = sim->buffered_page;
	be->buffered_port = atomic_load(&sim->ctl->bufioreq_port);
	return 0;
}

static int sim_set_enabled(struct ioreq_backend *be, bool enabled)
{
	return sim_hv_set_enabled(sim_of(be), enabled);
}

static int sim_map_range(struct ioreq_backend *be, enum io_space space,
			 uint64_t first, uint64_t last, bool map)
{
	return sim_hv_map_range(sim_of(be), space, first, last, map);
}

static void sim_destroy_server(struct ioreq_backend *be)
{
	sim_hv_destroy_server(sim_of(be));
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
	return ev->sim->dm_event[ev->handle];
}

/* Takes one pending port of this handle, scanning round-robin so that no
 * vCPU starves the others. */
static int take_pending(struct ioreq_evtchn *ev)
{
	for (unsigned i = 0; i < ev->nports; i++) {
		unsigned k = (ev->next + i) % ev->nports;
		uint32_t port = ev->ports[k];

		if (atomic_exchange(&ev->sim->ctl->dm_pending[port], 0)) {
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

static bool in_ram(const struct sim *sim, uint64_t gpa, size_t len)
{
	return gpa < sim->ctl->ram_size && len <= sim->ctl->ram_size - gpa;
}

static int sim_guest_read(struct ioreq_backend *be, uint64_t gpa, void *buf,
			  size_t len)
{
	struct sim *sim = sim_of(be);

	if (!in_ram(sim, gpa, len)) {
		errno = EFAULT;
		return -1;
	}
	memcpy(buf, sim->ram + gpa, len);
	return 0;
}

static int sim_guest_write(struct ioreq_backend *be, uint64_t gpa,
			   const void *buf, size_t len)
{
	struct sim *sim = sim_of(be);

	if (!in_ram(sim, gpa, len)) {
		errno = EFAULT;
		return -1;
	}
	memcpy(sim->ram + gpa, buf, len);
	return 0;
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
	return sim_of(be)->domain_event;
}

static bool sim_domain_alive(struct ioreq_backend *be)
{
	struct sim *sim = sim_of(be);
	uint64_t count;

	if (read(sim->domain_event, &count, sizeof(count)) < 0 &&
	    errno != EAGAIN)
		return false;
	return !atomic_load(&sim->ctl->domain_dead);
}

static int sim_set_isa_irq(struct ioreq_backend *be, unsigned irq, bool level)
{
	if (irq >= 16) {
		errno = EINVAL;
		return -1;
	}
	atomic_store(&sim_of(be)->ctl->isa_irq_level[irq], level);
	return 0;
}

static int sim_unpause(struct ioreq_backend *be)
{
	sim_hv_unpause(sim_of(be));
	return 0;
}

static int sim_server_id(struct ioreq_backend *be)
{
	return atomic_load(&sim_of(be)->ctl->server_created) ? 0 : -1;
}

/* The simulator holds one server; a stale one is the one it holds. */
static int sim_destroy_stale(struct ioreq_backend *be, int server_id)
{
	struct sim *sim = sim_of(be);

	if (server_id != 0 || !atomic_load(&sim->ctl->server_created)) {
		errno = ENOENT;
		return -1;
	}
	sim_hv_destroy_server(sim);
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
	.server_id = sim_server_id,
	.destroy_stale = sim_destroy_stale,
	.close = sim_close,
};

struct ioreq_backend *ioreq_backend_sim_open(struct sim *sim)
{
	struct sim_backend *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return NULL;
	sb->be.ops = &sim_ops;
	sb->be.nr_vcpus = sim->ctl->nr_vcpus;
	sb->sim = sim;
	return &sb->be;
}
