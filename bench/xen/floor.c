/* SPDX-License-Identifier: BSD-2-Clause */
/* floor.c - the floor of the real-Xen benchmark (make bench-xen): an
 * ioreq server that does the protocol's steps in the engine's order and
 * nothing else, to time mmiod against.
 *
 *   floor [-s] [-b] DOMID VCPUS BASE SIZE [COUNT]
 *
 * claims MMIO [BASE, BASE + SIZE), answers every read with all ones and
 * drops writes, until SIGTERM or SIGINT or, given COUNT, until it has
 * answered COUNT requests: then the benchmark learns the guest is done
 * without asking xl, whose start costs dom0 what the servers need.
 * Prints "floor: ready" once the guest may run, and at exit how many
 * requests it answered (so that a round the floor did not serve can't
 * pass for a fast one).
 *
 * -s and -b add, each on its own, a step mmiod takes and the bare
 * protocol does not, to time what it costs: -s polls a second fd along
 * with the event channel (mmiod's worker also waits for its stop fd), -b
 * creates the server with the buffered ring, as mmiod does, and checks
 * the ring before each answer (buffered writes go first). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xen/hvm/dm_op.h>
#include <xen/hvm/ioreq.h>
#include <xen/memory.h>

#include "common/barrier.h"

#define MAX_PORTS 4096
#define XEN_PAGE_SIZE 4096 /* x86 */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct floor {
	domid_t domid;
	unsigned vcpus;
	xendevicemodel_handle *dm;
	xenforeignmemory_handle *fmem;
	xenevtchn_handle *xce;
	ioservid_t server;
	xenforeignmemory_resource_handle *resource;
	shared_iopage_t *page;
	buffered_iopage_t *buffered; /* with -b */
	int vcpu_of_port[MAX_PORTS]; /* -1: not ours */
};

static int fail(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	return -1;
}

/* Xen's order: create, map the page, claim the range, enable (which
 * writes each slot's vp_eport), bind the vCPUs' ports. */
static int set_up(struct floor *f, uint64_t base, uint64_t size, bool buffered)
{
	void *addr = NULL;
	evtchn_port_t remote;

	f->dm = xendevicemodel_open(NULL, 0);
	f->fmem = xenforeignmemory_open(NULL, 0);
	f->xce = xenevtchn_open(NULL, 0);
	if (!f->dm || !f->fmem || !f->xce)
		return fail("open the Xen handles");
	if (xendevicemodel_create_ioreq_server(
		    f->dm, f->domid,
		    buffered ? HVM_IOREQSRV_BUFIOREQ_ATOMIC
			     : HVM_IOREQSRV_BUFIOREQ_OFF,
		    &f->server))
		return fail("create the ioreq server");
	/* The buffered ring's frame comes first, the slots' next. */
	f->resource = xenforeignmemory_map_resource(
		f->fmem, f->domid, XENMEM_resource_ioreq_server, f->server,
		buffered ? XENMEM_resource_ioreq_server_frame_bufioreq
			 : XENMEM_resource_ioreq_server_frame_ioreq(0),
		buffered ? 2 : 1, &addr, PROT_READ | PROT_WRITE, 0);
	if (!f->resource)
		return fail("map the ioreq page");
	f->page = addr;
	if (buffered) {
		f->buffered = addr;
		f->page = (shared_iopage_t *)((char *)addr + XEN_PAGE_SIZE);
	}
	if (xendevicemodel_map_io_range_to_ioreq_server(
		    f->dm, f->domid, f->server, 1, base, base + size - 1))
		return fail("claim the range");
	if (xendevicemodel_set_ioreq_server_state(f->dm, f->domid, f->server,
						  1))
		return fail("enable the server");
	for (unsigned v = 0; v < f->vcpus; v++) {
		int local = xenevtchn_bind_interdomain(
			f->xce, f->domid, f->page->vcpu_ioreq[v].vp_eport);

		if (local < 0 || local >= MAX_PORTS)
			return fail("bind a vCPU's event channel");
		f->vcpu_of_port[local] = (int)v;
		printf("floor: domain %u server %u vCPU %u port %u -> %d\n",
		       f->domid, f->server, v, f->page->vcpu_ioreq[v].vp_eport,
		       local);
	}
	/* Bound as mmiod binds it; its events count as strays. */
	if (buffered) {
		if (xendevicemodel_get_ioreq_server_info(
			    f->dm, f->domid, f->server, NULL, NULL, &remote))
			return fail("ask for the buffered ring's port");
		if (xenevtchn_bind_interdomain(f->xce, f->domid, remote) < 0)
			return fail("bind the buffered ring's port");
	}
	return 0;
}

static void tear_down(struct floor *f)
{
	if (f->page)
		xendevicemodel_set_ioreq_server_state(f->dm, f->domid,
						      f->server, 0);
	if (f->resource)
		xenforeignmemory_unmap_resource(f->fmem, f->resource);
	if (f->server)
		xendevicemodel_destroy_ioreq_server(f->dm, f->domid, f->server);
	if (f->xce)
		xenevtchn_close(f->xce);
	if (f->fmem)
		xenforeignmemory_close(f->fmem);
	if (f->dm)
		xendevicemodel_close(f->dm);
}

/* One wake-up: take the pending port, unmask it, answer its slot,
 * notify: what serve_one_event() does, with an empty device. */
static unsigned long events, strays, not_ready, served;

static void serve_one(struct floor *f)
{
	xenevtchn_port_or_error_t port = xenevtchn_pending(f->xce);
	volatile ioreq_t *slot;
	bool read_to_slot;

	if (port < 0 || port >= MAX_PORTS)
		return;
	events++;
	xenevtchn_unmask(f->xce, (evtchn_port_t)port);
	if (f->vcpu_of_port[port] < 0) {
		strays++;
		return;
	}
	slot = &f->page->vcpu_ioreq[f->vcpu_of_port[port]];
	if (slot->state != STATE_IOREQ_READY) {
		not_ready++;
		return;
	}
	/* Buffered writes issued before this request go first; this guest
	 * makes none, so the ring is only looked at, as mmiod does. */
	if (f->buffered &&
	    __atomic_load_n(&f->buffered->read_pointer, __ATOMIC_SEQ_CST) !=
		    __atomic_load_n(&f->buffered->write_pointer,
				    __ATOMIC_SEQ_CST))
		__atomic_store_n(&f->buffered->read_pointer,
				 f->buffered->write_pointer, __ATOMIC_SEQ_CST);
	/* The state before the fields, the data before the state. */
	xen_rmb();
	read_to_slot = slot->dir == IOREQ_READ && !slot->data_is_ptr;
	slot->state = STATE_IOREQ_INPROCESS;
	if (read_to_slot)
		slot->data = ~0ull;
	xen_wmb();
	slot->state = STATE_IORESP_READY;
	xenevtchn_notify(f->xce, (evtchn_port_t)port);
	served++;
}

int main(int argc, char **argv)
{
	static struct floor f;
	struct sigaction sa = {.sa_handler = on_signal};
	struct pollfd pfd[2] = {{.fd = -1}, {.fd = -1}};
	struct rusage usage;
	unsigned long count = 0; /* 0: no limit */
	bool second_fd = false, buffered = false;
	int rc = 1, opt;

	while ((opt = getopt(argc, argv, "sb")) != -1) {
		if (opt == 's')
			second_fd = true;
		else if (opt == 'b')
			buffered = true;
		else
			goto usage;
	}
	argv += optind;
	argc -= optind;
	if (argc != 4 && argc != 5)
		goto usage;
	if (argc == 5)
		count = strtoul(argv[4], NULL, 0);
	f.domid = (domid_t)strtoul(argv[0], NULL, 0);
	f.vcpus = (unsigned)strtoul(argv[1], NULL, 0);
	memset(f.vcpu_of_port, -1, sizeof(f.vcpu_of_port));
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (set_up(&f, strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0),
		   buffered))
		goto out;
	pfd[0] = (struct pollfd){.fd = xenevtchn_fd(f.xce), .events = POLLIN};
	/* Never signalled, like mmiod's stop fd while it serves. */
	pfd[1] = (struct pollfd){.fd = second_fd ? eventfd(0, 0) : -1,
				 .events = POLLIN};
	if (second_fd && pfd[1].fd < 0) {
		fail("make the second fd");
		goto out;
	}
	printf("floor: ready\n");
	fflush(stdout);
	while (!stop && (!count || served < count))
		if (poll(pfd, second_fd ? 2 : 1, 1000) > 0 &&
		    (pfd[0].revents & POLLIN))
			serve_one(&f);
	rc = 0;
	getrusage(RUSAGE_SELF, &usage);
	printf("floor: served %lu requests (%lu events, %lu on no vCPU's "
	       "port, %lu with no request ready) in %ld ms of CPU\n",
	       served, events, strays, not_ready,
	       (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
		       (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) /
			       1000);
out:
	if (pfd[1].fd >= 0)
		close(pfd[1].fd);
	tear_down(&f);
	return rc;
usage:
	fprintf(stderr,
		"usage: floor [-s] [-b] DOMID VCPUS BASE SIZE [COUNT]\n");
	return 2;
}
