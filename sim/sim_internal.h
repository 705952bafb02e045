/* SPDX-License-Identifier: BSD-2-Clause */
/* sim_internal.h - the simulated hypervisor's shared state. Private to
 * sim/: the device model's backend and the tests reach it only through
 * sim.h.
 *
 * Everything Xen keeps for a domain lives in one shared mapping, so that
 * a guest process, a device model and a restarted device model all see
 * the same hypervisor: per server an ioreq page and a buffered page,
 * then the control pages, then the guest's RAM.
 */
#ifndef MMIOD_SIM_INTERNAL_H
#define MMIOD_SIM_INTERNAL_H

#include "common/range.h"
#include "sim.h"

/* Event-channel ports: server s's vCPU v has port SIM_PORT(s, v), its
 * buffered ring SIM_PORT(s, SIM_MAX_VCPUS); 0 means none, as in Xen. */
#define SIM_PORT(s, v) (1u + (unsigned)(s) * (SIM_MAX_VCPUS + 1) + (v))
#define SIM_PORTS SIM_PORT(SIM_MAX_SERVERS, 0)

/* One ioreq server, as Xen keeps it. Its ranges are a set of addresses
 * per space, kept as sorted disjoint ranges (touching ones merged);
 * writers take range_lock. */
struct sim_server {
	atomic_uint created;
	atomic_uint enabled;
	atomic_uint range_lock;
	unsigned nranges[IO_SPACE_COUNT];
	struct range ranges[IO_SPACE_COUNT][SIM_MAX_RANGES];
};

struct handout;

struct sim_control {
	uint32_t nr_vcpus;
	uint32_t domid;
	uint64_t ram_size;
	atomic_uint domain_dead;
	atomic_uint unpaused;	 /* vCPUs run only once the device model says */
	atomic_uint server_lock; /* creating and destroying servers */
	struct sim_server servers[SIM_MAX_SERVERS];
	/* Per port: pending toward the device model, and the handle it is
	 * bound through (-1: unbound). */
	atomic_uchar dm_pending[SIM_PORTS];
	atomic_int port_handle[SIM_PORTS];
	/* Per device-model handle: in use, and the server whose ports it
	 * bound last (-1: none), so that destroying a server frees the
	 * handles of a device model that was killed without closing them. */
	atomic_uchar handle_used[SIM_MAX_HANDLES];
	atomic_int handle_server[SIM_MAX_HANDLES];
	/* What the simulated Xen answered itself. */
	atomic_ullong unclaimed;
	atomic_ullong requests_sent;
	atomic_ullong timeouts;
	/* The platform: an HVM domain emulates a PIC and an IOAPIC, a PVH
	 * one neither, so Xen drops its ISA and INTx interrupts (counted
	 * here). */
	uint32_t hvm;
	atomic_ullong irq_dropped;
	atomic_uint isa_irq_level[16];
	atomic_uint intx_level[32][4]; /* bus 0 device, pin A-D */
	/* The last SIM_MSI_LOG MSIs injected, at msi_count % SIM_MSI_LOG. */
	atomic_uint msi_lock;
	atomic_uint msi_count;
	struct sim_msi msi_log[SIM_MSI_LOG];
	/* Xen's latch of the guest's last 4-byte write to port 0xcf8. */
	atomic_uint pci_cf8;
};

struct sim {
	int memfd;  /* the shared mapping, to hand to another process */
	void *base; /* the whole shared mapping */
	size_t length;
	/* Per server, one page each: reach them with sim_ioreq_page() and
	 * sim_buffered_page() (shared_iopage_t declares a single slot, so
	 * indexing an array of it would not step by pages). */
	uint8_t *ioreq_area;
	uint8_t *buffered_area;
	struct sim_control *ctl;
	uint8_t *ram;
	int dm_event[SIM_MAX_HANDLES]; /* guest -> device model */
	int vcpu_event[SIM_MAX_VCPUS]; /* device model -> vCPU */
	int domain_event;	       /* readable once the domain died */
	int timeout_ms;
	struct handout *handout; /* sim_serve_socket()'s, in this process */
};

static inline shared_iopage_t *sim_ioreq_page(const struct sim *sim,
					      unsigned server)
{
	return (shared_iopage_t *)(sim->ioreq_area + server * SIM_PAGE_SIZE);
}

static inline buffered_iopage_t *sim_buffered_page(const struct sim *sim,
						   unsigned server)
{
	return (buffered_iopage_t *)(sim->buffered_area +
				     server * SIM_PAGE_SIZE);
}

/* A spin lock in shared memory: the holders may be other processes. */
void sim_lock(atomic_uint *lock);
void sim_unlock(atomic_uint *lock);

/* Wakes whoever waits on an eventfd. */
void sim_signal_fd(int fd);

/* hv.c: the server that gets an access of space to [first, last] (the
 * first enabled one that claims all of it), or -1. */
int sim_route(struct sim *sim, enum io_space space, uint64_t first,
	      uint64_t last);
/* hv.c: marks port pending and wakes the handle bound to it. */
void sim_raise_port(struct sim *sim, uint32_t port);

#endif
