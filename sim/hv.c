/* SPDX-License-Identifier: BSD-2-Clause */
/* hv.c - the simulated hypervisor's side of the device model: ioreq
 * servers, their ranges, event channels and guest memory, as the sim
 * backend in ioreq/ calls them. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/barrier.h"
#include "sim_internal.h"

unsigned sim_hv_nr_vcpus(const struct sim *sim)
{
	return sim->ctl->nr_vcpus;
}

static struct sim_server *server(const struct sim *sim, unsigned id)
{
	if (id >= SIM_MAX_SERVERS ||
	    !atomic_load(&sim->ctl->servers[id].created))
		return NULL;
	return &sim->ctl->servers[id];
}

bool sim_hv_server_exists(const struct sim *sim, unsigned id)
{
	return server(sim, id) != NULL;
}

shared_iopage_t *sim_hv_server_page(struct sim *sim, unsigned id)
{
	return sim_ioreq_page(sim, id);
}

int sim_hv_create_server(struct sim *sim, unsigned *id, shared_iopage_t **ioreq,
			 buffered_iopage_t **buffered, uint32_t *buffered_port)
{
	struct sim_control *ctl = sim->ctl;
	unsigned s;

	sim_lock(&ctl->server_lock);
	for (s = 0; s < SIM_MAX_SERVERS; s++)
		if (!atomic_load(&ctl->servers[s].created))
			break;
	if (s == SIM_MAX_SERVERS) {
		sim_unlock(&ctl->server_lock);
		errno = ENOSPC;
		return -1;
	}
	memset(sim_buffered_page(sim, s), 0, SIM_PAGE_SIZE);
	memset(sim_ioreq_page(sim, s), 0, SIM_PAGE_SIZE);
	memset(ctl->servers[s].nranges, 0, sizeof(ctl->servers[s].nranges));
	atomic_store(&ctl->servers[s].enabled, 0);
	atomic_store(&ctl->servers[s].created, 1);
	sim_unlock(&ctl->server_lock);
	*id = s;
	*ioreq = sim_ioreq_page(sim, s);
	*buffered = sim_buffered_page(sim, s);
	*buffered_port = SIM_PORT(s, SIM_MAX_VCPUS);
	return 0;
}

int sim_hv_set_enabled(struct sim *sim, unsigned id, bool enabled)
{
	struct sim_server *srv = server(sim, id);

	if (!srv) {
		errno = ENOENT;
		return -1;
	}
	/* Xen writes each slot's event channel when the server is enabled
	 * (0 before; disabling leaves them): the device model must read
	 * them afterwards. */
	for (unsigned v = 0; enabled && v < sim->ctl->nr_vcpus; v++)
		sim_ioreq_page(sim, id)->vcpu_ioreq[v].vp_eport =
			SIM_PORT(id, v);
	xen_wmb();
	atomic_store(&srv->enabled, enabled);
	return 0;
}

/* Index of the first range of list whose last address is >= addr. */
static unsigned first_at_or_after(const struct range *list, unsigned n,
				  uint64_t addr)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (list[mid].last < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int add_range(struct range *list, unsigned *n, uint64_t first,
		     uint64_t last)
{
	unsigned i = first_at_or_after(list, *n, first);
	bool joins_left = i > 0 && list[i - 1].last + 1 == first;
	bool joins_right =
		i < *n && last != UINT64_MAX && list[i].base == last + 1;

	if (i < *n && list[i].base <= last) {
		errno = EEXIST; /* Xen refuses what overlaps a claimed range */
		return -1;
	}
	if (joins_left && joins_right) {
		list[i - 1].last = list[i].last;
		memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof(*list));
		(*n)--;
	} else if (joins_left) {
		list[i - 1].last = last;
	} else if (joins_right) {
		list[i].base = first;
	} else {
		if (*n == SIM_MAX_RANGES) {
			errno = ENOSPC; /* Xen's per-type limit */
			return -1;
		}
		memmove(&list[i + 1], &list[i], (*n - i) * sizeof(*list));
		list[i] = (struct range){first, last};
		(*n)++;
	}
	return 0;
}

static int remove_range(struct range *list, unsigned *n, uint64_t first,
			uint64_t last)
{
	unsigned i = first_at_or_after(list, *n, first);
	struct range r;

	if (i == *n || list[i].base > first || list[i].last < last) {
		errno = ENOENT; /* Xen unmaps only what is wholly claimed */
		return -1;
	}
	r = list[i];
	if (r.base < first && r.last > last) {
		/* A hole in the middle splits the range in two. */
		if (*n == SIM_MAX_RANGES) {
			errno = ENOSPC;
			return -1;
		}
		memmove(&list[i + 1], &list[i], (*n - i) * sizeof(*list));
		(*n)++;
		list[i].last = first - 1;
		list[i + 1].base = last + 1;
	} else if (r.base < first) {
		list[i].last = first - 1;
	} else if (r.last > last) {
		list[i].base = last + 1;
	} else {
		memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof(*list));
		(*n)--;
	}
	return 0;
}

int sim_hv_map_range(struct sim *sim, unsigned id, enum io_space space,
		     struct range r, bool map)
{
	struct sim_server *srv = server(sim, id);
	uint64_t first = r.base, last = r.last;
	int rc;

	if (!srv || space >= IO_SPACE_COUNT || first > last) {
		errno = srv ? EINVAL : ENOENT;
		return -1;
	}
	sim_lock(&srv->range_lock);
	if (map)
		rc = add_range(srv->ranges[space], &srv->nranges[space], first,
			       last);
	else
		rc = remove_range(srv->ranges[space], &srv->nranges[space],
				  first, last);
	sim_unlock(&srv->range_lock);
	return rc;
}

static bool claims(struct sim_server *srv, enum io_space space, uint64_t first,
		   uint64_t last)
{
	unsigned i;
	bool yes;

	sim_lock(&srv->range_lock);
	i = first_at_or_after(srv->ranges[space], srv->nranges[space], first);
	yes = i < srv->nranges[space] && srv->ranges[space][i].base <= first &&
	      last <= srv->ranges[space][i].last;
	sim_unlock(&srv->range_lock);
	return yes;
}

int sim_route(struct sim *sim, enum io_space space, uint64_t first,
	      uint64_t last)
{
	if (first > last || space >= IO_SPACE_COUNT)
		return -1;
	for (unsigned s = 0; s < SIM_MAX_SERVERS; s++) {
		struct sim_server *srv = &sim->ctl->servers[s];

		if (atomic_load(&srv->created) && atomic_load(&srv->enabled) &&
		    claims(srv, space, first, last))
			return (int)s;
	}
	return -1;
}

static bool port_of_server(uint32_t port, unsigned id)
{
	return port >= SIM_PORT(id, 0) && port <= SIM_PORT(id, SIM_MAX_VCPUS);
}

void sim_hv_destroy_server(struct sim *sim, unsigned id)
{
	struct sim_control *ctl = sim->ctl;

	if (!server(sim, id))
		return;
	sim_hv_set_enabled(sim, id, false);
	sim_lock(&ctl->server_lock);
	for (uint32_t p = SIM_PORT(id, 0); p <= SIM_PORT(id, SIM_MAX_VCPUS);
	     p++) {
		atomic_store(&ctl->port_handle[p], -1);
		atomic_store(&ctl->dm_pending[p], 0);
	}
	/* A killed device model never closed its handles: they go with
	 * the server whose ports they served. */
	for (unsigned h = 0; h < SIM_MAX_HANDLES; h++)
		if (atomic_load(&ctl->handle_server[h]) == (int)id) {
			atomic_store(&ctl->handle_server[h], -1);
			atomic_store(&ctl->handle_used[h], 0);
		}
	atomic_store(&ctl->servers[id].created, 0);
	sim_unlock(&ctl->server_lock);
}

int sim_hv_open_handle(struct sim *sim)
{
	for (unsigned h = 0; h < SIM_MAX_HANDLES; h++) {
		unsigned char expected = 0;
		uint64_t stale;

		if (!atomic_compare_exchange_strong(&sim->ctl->handle_used[h],
						    &expected, 1))
			continue;
		/* Whatever a previous owner left unread is not for us. */
		if (read(sim->dm_event[h], &stale, sizeof(stale)) < 0 &&
		    errno != EAGAIN)
			return -1;
		return (int)h;
	}
	errno = EMFILE;
	return -1;
}

void sim_hv_close_handle(struct sim *sim, int handle)
{
	struct sim_control *ctl = sim->ctl;

	if (handle < 0 || handle >= SIM_MAX_HANDLES)
		return;
	for (uint32_t p = 1; p < SIM_PORTS; p++) {
		int expected = handle;

		atomic_compare_exchange_strong(&ctl->port_handle[p], &expected,
					       -1);
	}
	atomic_store(&ctl->handle_server[handle], -1);
	atomic_store(&ctl->handle_used[handle], 0);
}

int sim_hv_handle_fd(const struct sim *sim, int handle)
{
	return sim->dm_event[handle];
}

/* A port of an existing server: a vCPU's or its buffered ring's. */
static int port_server(const struct sim *sim, uint32_t port)
{
	for (unsigned s = 0; s < SIM_MAX_SERVERS; s++)
		if (port_of_server(port, s) &&
		    (port - SIM_PORT(s, 0) < sim->ctl->nr_vcpus ||
		     port == SIM_PORT(s, SIM_MAX_VCPUS)))
			return server(sim, s) ? (int)s : -1;
	return -1;
}

int sim_hv_bind(struct sim *sim, int handle, uint32_t remote_port)
{
	int s = port_server(sim, remote_port);

	if (s < 0 || handle < 0 || handle >= SIM_MAX_HANDLES) {
		errno = EINVAL;
		return -1;
	}
	atomic_store(&sim->ctl->handle_server[handle], s);
	atomic_store(&sim->ctl->port_handle[remote_port], handle);
	/* Xen raises a freshly bound interdomain port once. */
	sim_raise_port(sim, remote_port);
	return 0;
}

void sim_raise_port(struct sim *sim, uint32_t port)
{
	int handle;

	atomic_store(&sim->ctl->dm_pending[port], 1);
	handle = atomic_load(&sim->ctl->port_handle[port]);
	/* An unbound port stays pending, as in Xen. */
	if (handle >= 0)
		sim_signal_fd(sim->dm_event[handle]);
}

bool sim_hv_take_pending(struct sim *sim, uint32_t port)
{
	return port < SIM_PORTS &&
	       atomic_exchange(&sim->ctl->dm_pending[port], 0);
}

int sim_hv_notify_guest(struct sim *sim, uint32_t remote_port)
{
	int s = port_server(sim, remote_port);

	/* The buffered port is never notified back; only vCPU ports. */
	if (s < 0 || remote_port == SIM_PORT(s, SIM_MAX_VCPUS)) {
		errno = EINVAL;
		return -1;
	}
	sim_signal_fd(sim->vcpu_event[remote_port - SIM_PORT(s, 0)]);
	return 0;
}

static bool in_ram(const struct sim *sim, uint64_t gpa, size_t len)
{
	if (gpa < sim->ctl->ram_size && len <= sim->ctl->ram_size - gpa)
		return true;
	errno = EFAULT;
	return false;
}

int sim_hv_read_guest(struct sim *sim, uint64_t gpa, void *buf, size_t len)
{
	if (!in_ram(sim, gpa, len))
		return -1;
	memcpy(buf, sim->ram + gpa, len);
	return 0;
}

int sim_hv_write_guest(struct sim *sim, uint64_t gpa, const void *buf,
		       size_t len)
{
	if (!in_ram(sim, gpa, len))
		return -1;
	memcpy(sim->ram + gpa, buf, len);
	return 0;
}

int sim_hv_domain_fd(const struct sim *sim)
{
	return sim->domain_event;
}

bool sim_hv_domain_alive(struct sim *sim)
{
	uint64_t count;

	if (read(sim->domain_event, &count, sizeof(count)) < 0 &&
	    errno != EAGAIN)
		return false;
	return !atomic_load(&sim->ctl->domain_dead);
}

/* Xen answers 0 and does nothing for a line a PVH domain lacks. */
static bool pvh_drops(struct sim *sim)
{
	if (sim->ctl->hvm)
		return false;
	atomic_fetch_add(&sim->ctl->irq_dropped, 1);
	return true;
}

int sim_hv_set_isa_irq(struct sim *sim, unsigned irq, bool level)
{
	if (irq >= 16) {
		errno = EINVAL;
		return -1;
	}
	if (!pvh_drops(sim))
		atomic_store(&sim->ctl->isa_irq_level[irq], level);
	return 0;
}

int sim_hv_set_pci_intx(struct sim *sim, unsigned dev, unsigned pin, bool level)
{
	if (dev >= 32 || pin >= 4) {
		errno = EINVAL;
		return -1;
	}
	if (!pvh_drops(sim))
		atomic_store(&sim->ctl->intx_level[dev][pin], level);
	return 0;
}

int sim_hv_inject_msi(struct sim *sim, uint64_t addr, uint32_t data)
{
	unsigned n;

	if ((data & 0xff) == 0) {
		errno = ERANGE;
		return -1;
	}
	if ((addr & ~0xfffffull) != 0xfee00000) {
		errno = EINVAL;
		return -1;
	}
	/* Workers inject concurrently; the entry before the count, which
	 * readers check first. */
	sim_lock(&sim->ctl->msi_lock);
	n = atomic_load(&sim->ctl->msi_count);
	sim->ctl->msi_log[n % SIM_MSI_LOG] = (struct sim_msi){addr, data};
	atomic_store(&sim->ctl->msi_count, n + 1);
	sim_unlock(&sim->ctl->msi_lock);
	return 0;
}

void sim_hv_unpause(struct sim *sim)
{
	atomic_store(&sim->ctl->unpaused, 1);
}
