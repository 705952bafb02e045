/* SPDX-License-Identifier: BSD-2-Clause */
/* sim.c - the simulated hypervisor's life: its shared mapping and event
 * channels, handing it to another process, and the domain's death. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/barrier.h"
#include "common/unix_socket.h"
#include "sim_internal.h"

/* Layout of the shared mapping, in pages: each server's buffered and
 * ioreq pages, then the control pages, then RAM. */
enum {
	PAGE_BUFFERED = 0,
	PAGE_IOREQ = SIM_MAX_SERVERS,
	PAGE_CONTROL = 2 * SIM_MAX_SERVERS,
};

static size_t control_pages(void)
{
	return (sizeof(struct sim_control) + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
}

static void sim_map_layout(struct sim *sim)
{
	uint8_t *base = sim->base;

	sim->buffered_area = base + PAGE_BUFFERED * SIM_PAGE_SIZE;
	sim->ioreq_area = base + PAGE_IOREQ * SIM_PAGE_SIZE;
	sim->ctl = (struct sim_control *)(base + PAGE_CONTROL * SIM_PAGE_SIZE);
	sim->ram = base + (PAGE_CONTROL + control_pages()) * SIM_PAGE_SIZE;
}

static int make_eventfd(void)
{
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

struct sim *sim_create(const struct sim_options *opts)
{
	size_t ram_offset = (PAGE_CONTROL + control_pages()) * SIM_PAGE_SIZE;
	struct sim *sim;

	if (opts->nr_vcpus == 0 || opts->nr_vcpus > SIM_MAX_VCPUS ||
	    opts->ram_size % SIM_PAGE_SIZE ||
	    opts->ram_size > SIZE_MAX - ram_offset) {
		errno = EINVAL;
		return NULL;
	}
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return NULL;
	for (unsigned i = 0; i < SIM_MAX_HANDLES; i++)
		sim->dm_event[i] = -1;
	for (unsigned i = 0; i < SIM_MAX_VCPUS; i++)
		sim->vcpu_event[i] = -1;
	sim->domain_event = -1;
	sim->memfd = -1;
	sim->timeout_ms = SIM_DEFAULT_TIMEOUT_MS;

	/* A memfd: shared with forked children, and passable to a device
	 * model that attaches over a socket. */
	sim->length = ram_offset + opts->ram_size;
	sim->memfd = memfd_create("mmiod-sim", MFD_CLOEXEC);
	if (sim->memfd < 0 || ftruncate(sim->memfd, (off_t)sim->length))
		goto fail;
	sim->base = mmap(NULL, sim->length, PROT_READ | PROT_WRITE, MAP_SHARED,
			 sim->memfd, 0);
	if (sim->base == MAP_FAILED) {
		sim->base = NULL;
		goto fail;
	}
	sim_map_layout(sim);
	sim->ctl->nr_vcpus = opts->nr_vcpus;
	sim->ctl->domid = opts->domid ? opts->domid : 1;
	sim->ctl->ram_size = opts->ram_size;
	sim->ctl->hvm = opts->hvm;
	for (unsigned p = 0; p < SIM_PORTS; p++)
		atomic_init(&sim->ctl->port_handle[p], -1);
	for (unsigned h = 0; h < SIM_MAX_HANDLES; h++)
		atomic_init(&sim->ctl->handle_server[h], -1);

	for (unsigned i = 0; i < SIM_MAX_HANDLES; i++)
		if ((sim->dm_event[i] = make_eventfd()) < 0)
			goto fail;
	for (unsigned v = 0; v < opts->nr_vcpus; v++)
		if ((sim->vcpu_event[v] = make_eventfd()) < 0)
			goto fail;
	if ((sim->domain_event = make_eventfd()) < 0)
		goto fail;
	return sim;
fail:
	sim_destroy(sim);
	return NULL;
}

void sim_destroy(struct sim *sim)
{
	if (!sim)
		return;
	for (unsigned i = 0; i < SIM_MAX_HANDLES; i++)
		if (sim->dm_event[i] >= 0)
			close(sim->dm_event[i]);
	for (unsigned v = 0; v < SIM_MAX_VCPUS; v++)
		if (sim->vcpu_event[v] >= 0)
			close(sim->vcpu_event[v]);
	if (sim->domain_event >= 0)
		close(sim->domain_event);
	if (sim->base)
		munmap(sim->base, sim->length);
	if (sim->memfd >= 0)
		close(sim->memfd);
	free(sim);
}

/* On the wire: the mapping's length and the vCPU count, with the file
 * descriptors memfd, domain_event, dm_event[] and vcpu_event[] attached
 * in that order. */
struct sim_wire {
	uint64_t length;
	uint32_t nr_vcpus;
};

#define WIRE_FDS(nr_vcpus) (2 + SIM_MAX_HANDLES + (nr_vcpus))

int sim_send(const struct sim *sim, int sock)
{
	unsigned nfds = WIRE_FDS(sim->ctl->nr_vcpus);
	struct sim_wire wire = {sim->length, sim->ctl->nr_vcpus};
	struct iovec iov = {&wire, sizeof(wire)};
	union {
		char buf[CMSG_SPACE(sizeof(int) * WIRE_FDS(SIM_MAX_VCPUS))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = CMSG_SPACE(sizeof(int) * nfds)};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	int *fds = (int *)CMSG_DATA(cmsg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	fds[0] = sim->memfd;
	fds[1] = sim->domain_event;
	memcpy(fds + 2, sim->dm_event, sizeof(sim->dm_event));
	memcpy(fds + 2 + SIM_MAX_HANDLES, sim->vcpu_event,
	       sizeof(int) * sim->ctl->nr_vcpus);
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == sizeof(wire) ? 0 : -1;
}

struct sim *sim_receive(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * WIRE_FDS(SIM_MAX_VCPUS))];
		struct cmsghdr align;
	} control;
	struct sim_wire wire;
	struct iovec iov = {&wire, sizeof(wire)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *cmsg;
	struct sim *sim;
	unsigned nfds;
	int *fds;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != sizeof(wire))
		return NULL;
	cmsg = CMSG_FIRSTHDR(&msg);
	nfds = cmsg ? (unsigned)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int))
		    : 0;
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS || wire.nr_vcpus == 0 ||
	    wire.nr_vcpus > SIM_MAX_VCPUS || nfds != WIRE_FDS(wire.nr_vcpus)) {
		errno = EPROTO;
		return NULL;
	}
	fds = (int *)CMSG_DATA(cmsg);
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return NULL;
	for (unsigned i = 0; i < SIM_MAX_VCPUS; i++)
		sim->vcpu_event[i] = -1;
	sim->memfd = fds[0];
	sim->domain_event = fds[1];
	memcpy(sim->dm_event, fds + 2, sizeof(sim->dm_event));
	memcpy(sim->vcpu_event, fds + 2 + SIM_MAX_HANDLES,
	       sizeof(int) * wire.nr_vcpus);
	sim->timeout_ms = SIM_DEFAULT_TIMEOUT_MS;
	sim->length = wire.length;
	sim->base = mmap(NULL, sim->length, PROT_READ | PROT_WRITE, MAP_SHARED,
			 sim->memfd, 0);
	if (sim->base == MAP_FAILED) {
		sim->base = NULL;
		sim_destroy(sim);
		return NULL;
	}
	sim_map_layout(sim);
	return sim;
}

void sim_signal_fd(int fd)
{
	uint64_t one = 1;

	/* An eventfd write fails only if the counter would overflow, and
	 * then the reader is already due to wake up. */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		abort();
}

void sim_lock(atomic_uint *lock)
{
	unsigned expected = 0;

	while (!atomic_compare_exchange_weak(lock, &expected, 1))
		expected = 0;
}

void sim_unlock(atomic_uint *lock)
{
	atomic_store(lock, 0);
}

void sim_domain_kill(struct sim *sim)
{
	atomic_store(&sim->ctl->domain_dead, 1);
	sim_signal_fd(sim->domain_event);
	/* Wake every vCPU so that a waiting one notices. */
	for (unsigned v = 0; v < sim->ctl->nr_vcpus; v++)
		sim_signal_fd(sim->vcpu_event[v]);
}

bool sim_domain_dead(const struct sim *sim)
{
	return atomic_load(&sim->ctl->domain_dead);
}

uint32_t sim_domid(const struct sim *sim)
{
	return sim->ctl->domid;
}

struct handout {
	_Atomic(const struct sim *) sim;
	int listen_fd;
};

static void *hand_out(void *arg)
{
	struct handout *h = arg;

	for (;;) {
		int fd = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		/* A client that went away has missed nothing: no retry. */
		(void)sim_send(atomic_load(&h->sim), fd);
		close(fd);
	}
}

int sim_serve_socket(struct sim *sim, const char *path)
{
	struct handout *h = malloc(sizeof(*h));
	pthread_t thread;

	if (!h)
		return -1;
	atomic_init(&h->sim, sim);
	h->listen_fd = unix_socket_listen(path, 0600, SOCK_CLOEXEC, 4);
	if (h->listen_fd < 0 || pthread_create(&thread, NULL, hand_out, h)) {
		if (h->listen_fd >= 0)
			close(h->listen_fd);
		free(h);
		return -1;
	}
	pthread_detach(thread);
	sim->handout = h;
	return 0;
}

void sim_serve_next(struct sim *served, struct sim *next)
{
	next->handout = served->handout;
	if (next->handout)
		atomic_store(&next->handout->sim, next);
}
