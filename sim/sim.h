/* sim.h - a simulated Xen hypervisor with a guest to drive it.
 *
 * The simulator plays Xen's side of the ioreq protocol so that mmiod runs,
 * and is tested, on any Linux machine. Everything Xen would share with the
 * device model lives in one shared memory mapping: the buffered ioreq page,
 * the synchronous ioreq page (one slot per vCPU), a control page and the
 * guest's RAM. Event channels are eventfds: one per device-model handle
 * (guest -> mmiod) and one per vCPU (mmiod -> guest).
 *
 * Create the simulator, then fork: the guest side (sim_guest_*) may run in
 * a child process, as a domU is separate from dom0, or in threads of the
 * same process. Each vCPU must be driven by one thread at a time.
 *
 * Guest accesses behave as Xen 4.17 delivers them: an access not wholly
 * inside a range the server claimed is not sent (reads see all ones,
 * writes are dropped); an MMIO access crossing a 4 KiB page is split at
 * the page; the vCPU waits for STATE_IORESP_READY like Xen's wait_for_io.
 * The sim_misbehave_* calls break the protocol on purpose, for tests.
 */
#ifndef MMIOD_SIM_H
#define MMIOD_SIM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/hvm/ioreq.h>

#include "common/access.h"

#define SIM_MAX_VCPUS 128 /* slots in one ioreq page */
#define SIM_MAX_HANDLES 72 /* device-model event-channel handles */
#define SIM_MAX_RANGES 256 /* per space, as Xen allows */
#define SIM_PAGE_SIZE 4096
#define SIM_DEFAULT_TIMEOUT_MS 10000

struct sim_options {
	unsigned nr_vcpus;
	uint64_t ram_size; /* bytes of guest RAM from gpa 0; page multiple */
};

/* One guest access, as the guest's instruction would make Xen issue it. */
struct sim_io {
	enum io_space space; /* mmio or pio */
	enum io_dir dir;
	uint64_t addr;
	uint32_t size;
	uint32_t count; /* 0 or 1: a plain access */
	bool df;
	bool data_is_ptr; /* data is a guest-physical address in RAM */
	uint64_t data;	  /* value to write; the read result on return */
};

struct sim_range {
	uint64_t first, last;
};

/* The control page: the simulated hypervisor's state of the server. */
struct sim_control {
	uint32_t nr_vcpus;
	uint64_t ram_size;
	atomic_uint server_created;
	atomic_uint server_enabled;
	atomic_uint domain_dead;
	atomic_uint unpaused; /* vCPUs run only once the device model says */
	atomic_uint bufioreq_port;
	/* Per remote port: pending toward the device model, and the handle
	 * it is bound through (-1: unbound). Port v + 1 is vCPU v's, port
	 * nr_vcpus + 1 the buffered ring's. */
	atomic_uchar dm_pending[SIM_MAX_VCPUS + 2];
	atomic_int port_handle[SIM_MAX_VCPUS + 2];
	atomic_uint handles_open;
	/* Ranges claimed by the server, per space; writers take the lock. */
	atomic_uint range_lock;
	unsigned nranges[IO_SPACE_COUNT];
	struct sim_range ranges[IO_SPACE_COUNT][SIM_MAX_RANGES];
	/* What the simulated Xen answered itself. */
	atomic_ullong unclaimed;
	atomic_ullong requests_sent;
	atomic_ullong timeouts;
	/* Interrupt lines raised by devices (sim's set_isa_irq_level). */
	atomic_uint isa_irq_level[16];
};

struct sim {
	int memfd; /* the shared mapping, to hand to another process */
	void *base; /* the whole shared mapping */
	size_t length;
	buffered_iopage_t *buffered_page;
	shared_iopage_t *ioreq_page;
	struct sim_control *ctl;
	uint8_t *ram;
	int dm_event[SIM_MAX_HANDLES]; /* guest -> device model */
	int vcpu_event[SIM_MAX_VCPUS]; /* device model -> vCPU */
	int domain_event;	       /* readable once the domain died */
	int timeout_ms;
};

struct sim *sim_create(const struct sim_options *opts);
void sim_destroy(struct sim *sim);

/* Hands the simulator to the process at the other end of the connected
 * Unix socket (its memory and event channels, as file descriptors), so
 * that a device model can attach, die, and attach again while the guest
 * lives on. 0, or -1 with errno. */
int sim_send(const struct sim *sim, int sock);
/* The receiving side: a simulator that shares everything with the
 * sender's. NULL with errno on failure. */
struct sim *sim_receive(int sock);
/* Listens on the Unix socket path (mode 0600; a stale socket there is
 * replaced, anything else refused with ENOTSOCK) and sim_send()s the
 * simulator to every client, from a detached thread, for the life of the
 * process. 0, or -1 with errno. */
int sim_serve_socket(struct sim *sim, const char *path);

/* --- the guest's side ---------------------------------------------------- */

/* Performs io from vcpu and waits for the device model's reply.
 * 0 on success (io->data holds a read's result), -1 on timeout or a dead
 * domain. */
int sim_guest_io(struct sim *sim, unsigned vcpu, struct sim_io *io);
/* A buffered (posted) write, as Xen sends stdvga and TIMEOFFSET. The ring
 * carries 20-bit addresses; an 8-byte write takes two slots. Waits for
 * room if the ring is full. 0, or -1 on timeout. */
int sim_guest_buffered_write(struct sim *sim, enum io_space space,
			     uint64_t addr, uint32_t size, uint64_t value);
/* Guest RAM, for data_is_ptr tests and scripts. */
uint8_t *sim_guest_ram(struct sim *sim);
/* The domain dies: vCPUs stop, the device model is told. */
void sim_domain_kill(struct sim *sim);
/* Whether the server is enabled. */
bool sim_server_enabled(const struct sim *sim);
/* The domain is created paused; the guest side waits here until the
 * device model unpauses it (as with "xl create -p" and unpause = 1).
 * -1 on timeout or a dead domain. */
int sim_wait_until_running(struct sim *sim, int timeout_ms);

/* --- misbehaviour, for tests --------------------------------------------- */

/* Writes req into vcpu's slot verbatim (its state included), notifies the
 * vCPU's port and, if req->state is STATE_IOREQ_READY, waits for the
 * reply into *reply. -1 on timeout. */
int sim_misbehave_raw_request(struct sim *sim, unsigned vcpu,
			      const ioreq_t *req, ioreq_t *reply);
/* Notifies vcpu's port without touching its slot: a spurious event. */
void sim_misbehave_notify(struct sim *sim, unsigned vcpu);
/* Writes n raw slots at the write pointer, then advances it by advance
 * (which may be more than n, or than the ring holds) and notifies. */
void sim_misbehave_buffered(struct sim *sim, const buf_ioreq_t *slots,
			    unsigned n, uint32_t advance);

/* --- the hypervisor's side, for ioreq/'s sim backend ---------------------- */

/* Registers a device-model event-channel handle; its fd is dm_event[i]. */
int sim_hv_open_handle(struct sim *sim);
/* Binds remote port through handle; returns 0 or -1. Like Xen, a freshly
 * bound port gets one event at once. */
int sim_hv_bind(struct sim *sim, int handle, uint32_t remote_port);
/* Sends an event to the guest end of remote_port. */
int sim_hv_notify_guest(struct sim *sim, uint32_t remote_port);
int sim_hv_create_server(struct sim *sim);
int sim_hv_set_enabled(struct sim *sim, bool enabled);
int sim_hv_map_range(struct sim *sim, enum io_space space, uint64_t first,
		     uint64_t last, bool map);
void sim_hv_destroy_server(struct sim *sim);
void sim_hv_unpause(struct sim *sim);

#endif
