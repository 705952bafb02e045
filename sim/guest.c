/* SPDX-License-Identifier: BSD-2-Clause */
/* guest.c - the guest's side of the simulator: vCPUs that issue ioreqs
 * the way Xen 4.17 does, and the deliberate protocol violations. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/barrier.h"
#include "sim_internal.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Xen's wait_for_io: sleep on the vCPU's event channel until the slot
 * says IORESP_READY. Nothing else wakes it: not the server's
 * destruction, only the domain's death (or, here, the timeout). */
static int wait_for_reply(struct sim *sim, volatile ioreq_t *slot,
			  unsigned vcpu)
{
	int64_t deadline = now_ms() + sim->timeout_ms;
	struct pollfd pfd = {.fd = sim->vcpu_event[vcpu], .events = POLLIN};

	for (;;) {
		int64_t left;
		uint64_t count;

		if (slot->state == STATE_IORESP_READY)
			return 0;
		if (atomic_load(&sim->ctl->domain_dead)) {
			errno = ESRCH;
			return -1;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			atomic_fetch_add(&sim->ctl->timeouts, 1);
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&pfd, 1, (int)left) > 0 &&
		    read(pfd.fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
			return -1;
	}
}

static uint8_t ioreq_type(enum io_space space)
{
	switch (space) {
	case IO_SPACE_PIO:
		return IOREQ_TYPE_PIO;
	case IO_SPACE_PCI:
		return IOREQ_TYPE_PCI_CONFIG;
	default:
		return IOREQ_TYPE_COPY;
	}
}

/* Fills vcpu's slot of server srv, publishes it and waits; the reply's
 * data in *data. */
static int send_request(struct sim *sim, unsigned srv, unsigned vcpu,
			const ioreq_t *req, uint64_t *data, bool notify)
{
	volatile ioreq_t *slot = &sim_ioreq_page(sim, srv)->vcpu_ioreq[vcpu];

	/* A lost event takes one still pending from before with it. */
	if (!notify)
		sim_hv_take_pending(sim, SIM_PORT(srv, vcpu));
	slot->addr = req->addr;
	slot->data = req->data;
	slot->count = req->count;
	slot->size = req->size;
	slot->dir = req->dir;
	slot->df = req->df;
	slot->data_is_ptr = req->data_is_ptr;
	slot->type = req->type;
	/* The fields before the state: pairs with the device model's rmb
	 * after it reads STATE_IOREQ_READY. */
	xen_wmb();
	slot->state = req->state;
	atomic_fetch_add(&sim->ctl->requests_sent, 1);
	if (notify)
		sim_raise_port(sim, SIM_PORT(srv, vcpu));
	if (req->state != STATE_IOREQ_READY)
		return 0;
	if (wait_for_reply(sim, slot, vcpu))
		return -1;
	/* The state before the data: pairs with the device model's wmb. */
	xen_rmb();
	if (data)
		*data = slot->data;
	slot->state = STATE_IOREQ_NONE;
	return 0;
}

/* The server that gets the device side of io, or -1 when none claims
 * all of it. */
static int io_route(struct sim *sim, const struct sim_io *io, uint32_t count)
{
	uint64_t span = (uint64_t)io->size * count;

	if (io->size == 0)
		return -1;
	if (io->space == IO_SPACE_PIO)
		return sim_route(sim, io->space, io->addr,
				 io->addr + io->size - 1);
	if (io->df)
		return io->addr >= span - io->size
			       ? sim_route(sim, io->space,
					   io->addr - (span - io->size),
					   io->addr + io->size - 1)
			       : -1;
	return span - 1 <= UINT64_MAX - io->addr
		       ? sim_route(sim, io->space, io->addr,
				   io->addr + span - 1)
		       : -1;
}

/* What the guest sees when Xen itself answers: reads of all ones. */
static void answer_unclaimed(struct sim *sim, struct sim_io *io, uint32_t count)
{
	uint64_t ones = access_mask(io->size);

	atomic_fetch_add(&sim->ctl->unclaimed, 1);
	if (io->dir != IO_READ)
		return;
	if (!io->data_is_ptr) {
		io->data = ones;
		return;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint64_t step = (uint64_t)i * io->size;
		uint64_t gpa = io->df ? io->data - step : io->data + step;

		if (gpa < sim->ctl->ram_size &&
		    io->size <= sim->ctl->ram_size - gpa)
			memcpy(sim->ram + gpa, &ones, io->size);
	}
}

#define PCI_CF8 0xcf8
#define PCI_CFC 0xcfc
#define CF8_ENABLE 0x80000000u

/* PCI configuration mechanism #1 as Xen runs it: every 4-byte write to
 * port 0xcf8 is latched (and still goes on as a port access), and an
 * access to 0xcfc-0xcff while the latch is enabled becomes a PCI_CONFIG
 * request for the latched SBDF and register, for whichever server claims
 * that SBDF (true, with *cfg_addr set), or Xen's own all-ones answer. */
static bool pci_config_cycle(struct sim *sim, const struct sim_io *io,
			     uint32_t count, uint64_t *cfg_addr)
{
	uint32_t cf8;

	if (io->space != IO_SPACE_PIO || count != 1 || io->data_is_ptr)
		return false;
	if (io->addr == PCI_CF8 && io->size == 4 && io->dir == IO_WRITE) {
		atomic_store(&sim->ctl->pci_cf8, (uint32_t)io->data);
		return false;
	}
	cf8 = atomic_load(&sim->ctl->pci_cf8);
	if ((io->addr & ~3ull) != PCI_CFC || !(cf8 & CF8_ENABLE))
		return false;
	*cfg_addr = (uint64_t)((cf8 >> 8) & 0xffff) << 32 | (cf8 & 0xfc) |
		    (io->addr & 3);
	return true;
}

static int issue(struct sim *sim, unsigned vcpu, struct sim_io *io)
{
	uint32_t count = io->count ? io->count : 1;
	ioreq_t req = {
		.addr = io->addr,
		.data = io->data,
		.count = count,
		.size = io->size,
		.state = STATE_IOREQ_READY,
		.data_is_ptr = io->data_is_ptr,
		.dir = io->dir,
		.df = io->df,
		.type = ioreq_type(io->space),
	};

	uint64_t cfg_addr;
	int srv;

	if (pci_config_cycle(sim, io, count, &cfg_addr)) {
		req.type = IOREQ_TYPE_PCI_CONFIG;
		req.addr = cfg_addr;
		srv = sim_route(sim, IO_SPACE_PCI, cfg_addr,
				cfg_addr + io->size - 1);
	} else {
		srv = io_route(sim, io, count);
	}
	if (srv < 0) {
		answer_unclaimed(sim, io, count);
		return 0;
	}
	return send_request(sim, (unsigned)srv, vcpu, &req,
			    io->dir == IO_READ && !io->data_is_ptr ? &io->data
								   : NULL,
			    true);
}

/* Largest power of two not above n (n > 0). */
static uint32_t pow2_floor(uint32_t n)
{
	while (n & (n - 1))
		n &= n - 1;
	return n;
}

/* Xen splits an MMIO access at a page boundary into power-of-two chunks;
 * each chunk is sent (or answered by Xen) on its own. */
static int issue_split(struct sim *sim, unsigned vcpu, struct sim_io *io)
{
	uint64_t result = 0;
	uint32_t done = 0;

	while (done < io->size) {
		uint64_t addr = io->addr + done;
		uint32_t page_left = SIM_PAGE_SIZE - (addr % SIM_PAGE_SIZE);
		uint32_t left = io->size - done;
		struct sim_io part = *io;

		part.addr = addr;
		part.size = pow2_floor(left < page_left ? left : page_left);
		part.data = io->data >> (done * 8);
		if (issue(sim, vcpu, &part))
			return -1;
		if (io->dir == IO_READ)
			result |= (part.data & access_mask(part.size))
				  << (done * 8);
		done += part.size;
	}
	if (io->dir == IO_READ)
		io->data = result;
	return 0;
}

int sim_guest_io(struct sim *sim, unsigned vcpu, struct sim_io *io)
{
	if (vcpu >= sim->ctl->nr_vcpus || io->space >= IO_SPACE_COUNT) {
		errno = EINVAL;
		return -1;
	}
	if (atomic_load(&sim->ctl->domain_dead)) {
		errno = ESRCH;
		return -1;
	}
	if (io->space == IO_SPACE_MMIO && io->count <= 1 && !io->data_is_ptr &&
	    io->size > 0 && io->size <= 8 &&
	    io->addr % SIM_PAGE_SIZE + io->size > SIM_PAGE_SIZE)
		return issue_split(sim, vcpu, io);
	return issue(sim, vcpu, io);
}

static uint32_t size_code(uint32_t size)
{
	return size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0;
}

/* Xen keeps both pointers below 2 * ring size by subtracting the ring
 * size from both in one 64-bit compare-and-swap. */
static void canonicalise_pointers(buffered_iopage_t *pg)
{
	uint64_t *full = (uint64_t *)&pg->read_pointer;
	uint64_t old = __atomic_load_n(full, __ATOMIC_SEQ_CST);

	while ((uint32_t)old >= IOREQ_BUFFER_SLOT_NUM) {
		uint64_t new = old - ((uint64_t)IOREQ_BUFFER_SLOT_NUM << 32 |
				      IOREQ_BUFFER_SLOT_NUM);

		if (__atomic_compare_exchange_n(full, &old, new, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			break;
	}
}

static void publish_buffered(struct sim *sim, unsigned srv,
			     const buf_ioreq_t *slots, unsigned n,
			     uint32_t advance)
{
	buffered_iopage_t *pg = sim_buffered_page(sim, srv);
	uint32_t wp = __atomic_load_n(&pg->write_pointer, __ATOMIC_SEQ_CST);

	for (unsigned i = 0; i < n; i++)
		pg->buf_ioreq[(wp + i) % IOREQ_BUFFER_SLOT_NUM] = slots[i];
	/* The slots before the pointer that makes them visible. */
	xen_wmb();
	__atomic_fetch_add(&pg->write_pointer, advance, __ATOMIC_SEQ_CST);
	canonicalise_pointers(pg);
	sim_raise_port(sim, SIM_PORT(srv, SIM_MAX_VCPUS));
}

int sim_guest_buffered_write(struct sim *sim, enum io_space space,
			     uint64_t addr, uint32_t size, uint64_t value)
{
	int srv = sim_route(sim, space, addr, addr + size - 1);
	unsigned n = size == 8 ? 2 : 1;
	buffered_iopage_t *pg;
	int64_t deadline = now_ms() + sim->timeout_ms;
	buf_ioreq_t slots[2] = {
		{.type = ioreq_type(space),
		 .dir = IOREQ_WRITE,
		 .size = size_code(size),
		 .addr = (uint32_t)(addr & 0xfffff),
		 .data = (uint32_t)value},
	};

	if (srv < 0) {
		atomic_fetch_add(&sim->ctl->unclaimed, 1);
		return 0;
	}
	pg = sim_buffered_page(sim, srv);
	/* An 8-byte write: the low half first, then the high half. */
	slots[1] = slots[0];
	slots[1].data = (uint32_t)(value >> 32);
	/* A full ring makes Xen retry the instruction: wait for room. */
	while (__atomic_load_n(&pg->write_pointer, __ATOMIC_SEQ_CST) -
		       __atomic_load_n(&pg->read_pointer, __ATOMIC_SEQ_CST) +
		       n >
	       IOREQ_BUFFER_SLOT_NUM) {
		if (now_ms() > deadline ||
		    atomic_load(&sim->ctl->domain_dead)) {
			errno = ETIMEDOUT;
			return -1;
		}
		usleep(50);
	}
	publish_buffered(sim, (unsigned)srv, slots, n, n);
	return 0;
}

uint8_t *sim_guest_ram(struct sim *sim)
{
	return sim->ram;
}

uint64_t sim_guest_ram_size(const struct sim *sim)
{
	return sim->ctl->ram_size;
}

int sim_wait_until_running(struct sim *sim, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	while (!atomic_load(&sim->ctl->unpaused)) {
		if (now_ms() > deadline ||
		    atomic_load(&sim->ctl->domain_dead)) {
			errno = ETIMEDOUT;
			return -1;
		}
		usleep(1000);
	}
	return 0;
}

/* The server misbehaviour goes to: the first enabled one. */
static int misbehaving_server(const struct sim *sim)
{
	for (unsigned s = 0; s < SIM_MAX_SERVERS; s++)
		if (atomic_load(&sim->ctl->servers[s].created) &&
		    atomic_load(&sim->ctl->servers[s].enabled))
			return (int)s;
	return -1;
}

static int raw_request(struct sim *sim, unsigned vcpu, const ioreq_t *req,
		       ioreq_t *reply, bool notify)
{
	int srv = misbehaving_server(sim);
	uint64_t data = req->data;

	if (vcpu >= sim->ctl->nr_vcpus || srv < 0) {
		errno = EINVAL;
		return -1;
	}
	if (send_request(sim, (unsigned)srv, vcpu, req, &data, notify))
		return -1;
	if (reply) {
		*reply = *req;
		reply->data = data;
	}
	return 0;
}

int sim_misbehave_raw_request(struct sim *sim, unsigned vcpu,
			      const ioreq_t *req, ioreq_t *reply)
{
	return raw_request(sim, vcpu, req, reply, true);
}

int sim_misbehave_lost_event(struct sim *sim, unsigned vcpu, const ioreq_t *req,
			     ioreq_t *reply)
{
	return raw_request(sim, vcpu, req, reply, false);
}

void sim_misbehave_notify(struct sim *sim, unsigned vcpu)
{
	int srv = misbehaving_server(sim);

	if (vcpu < sim->ctl->nr_vcpus && srv >= 0)
		sim_raise_port(sim, SIM_PORT(srv, vcpu));
}

void sim_misbehave_buffered(struct sim *sim, const buf_ioreq_t *slots,
			    unsigned n, uint32_t advance)
{
	int srv = misbehaving_server(sim);

	if (srv >= 0)
		publish_buffered(sim, (unsigned)srv, slots, n, advance);
}

volatile ioreq_t *sim_misbehave_slot(struct sim *sim, unsigned vcpu)
{
	int srv = misbehaving_server(sim);

	if (srv < 0 || vcpu >= sim->ctl->nr_vcpus)
		return NULL;
	return &sim_ioreq_page(sim, srv)->vcpu_ioreq[vcpu];
}

buffered_iopage_t *sim_misbehave_ring(struct sim *sim)
{
	int srv = misbehaving_server(sim);

	return srv < 0 ? NULL : sim_buffered_page(sim, srv);
}

unsigned long long sim_unclaimed(const struct sim *sim)
{
	return atomic_load(&sim->ctl->unclaimed);
}

bool sim_isa_irq_level(const struct sim *sim, unsigned irq)
{
	return irq < 16 && atomic_load(&sim->ctl->isa_irq_level[irq]);
}

bool sim_intx_level(const struct sim *sim, unsigned dev, unsigned pin)
{
	return dev < 32 && pin < 4 &&
	       atomic_load(&sim->ctl->intx_level[dev][pin]);
}

bool sim_hvm(const struct sim *sim)
{
	return sim->ctl->hvm;
}

unsigned long long sim_irq_dropped(const struct sim *sim)
{
	return atomic_load(&sim->ctl->irq_dropped);
}

unsigned sim_msi_count(const struct sim *sim)
{
	return atomic_load(&sim->ctl->msi_count);
}

bool sim_msi_at(const struct sim *sim, unsigned i, struct sim_msi *out)
{
	unsigned n = sim_msi_count(sim);

	if (i >= n || n - i > SIM_MSI_LOG)
		return false;
	*out = sim->ctl->msi_log[i % SIM_MSI_LOG];
	return true;
}
