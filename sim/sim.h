/* SPDX-License-Identifier: BSD-2-Clause */
/* sim.h - a simulated Xen hypervisor with a guest to drive it.
 *
 * The simulator plays Xen's side of the ioreq protocol so that mmiod runs,
 * and is tested, on any Linux machine. Everything Xen would share with the
 * device model lives in one shared memory mapping: per ioreq server a
 * buffered ioreq page and a synchronous ioreq page (one slot per vCPU),
 * the hypervisor's own state and the guest's RAM. Event channels are
 * eventfds: one per device-model handle (guest -> mmiod) and one per
 * vCPU (mmiod -> guest).
 *
 * Like Xen 4.17 a domain has up to 8 ioreq servers: an access goes to
 * the first enabled server that claims all of it, a disabled server
 * gets nothing, and a vCPU whose request waits in a server that is
 * destroyed is never woken (it times out here). So a device model that
 * is killed and restarted must take over what waits in its
 * predecessor's server, exactly as on Xen.
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
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/hvm/ioreq.h>

#include "common/access.h"
#include "common/range.h"

#define SIM_MAX_VCPUS 128   /* slots in one ioreq page */
#define SIM_MAX_SERVERS 8   /* ioreq servers per domain, as Xen allows */
#define SIM_MAX_HANDLES 120 /* device-model event-channel handles */
#define SIM_MAX_RANGES 256  /* per space and server, as Xen allows */
#define SIM_PAGE_SIZE 4096
#define SIM_DEFAULT_TIMEOUT_MS 10000

struct sim;

struct sim_options {
	unsigned nr_vcpus;
	uint64_t ram_size; /* bytes of guest RAM from gpa 0; page multiple */
	/* An HVM domain (PIC and IOAPIC emulated); false: PVH, which has
	 * neither, so that ISA and INTx interrupts are dropped, as Xen
	 * does. */
	bool hvm;
	uint32_t domid; /* 0: 1, the first guest's */
};

/* An MSI the device model injected. */
struct sim_msi {
	uint64_t addr;
	uint32_t data;
};

#define SIM_MSI_LOG 256

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
/* From now on the socket sim_serve_socket() opened for served hands out
 * next instead: the domain that replaced it (a reboot). served stays
 * valid, as a client may be receiving it. */
void sim_serve_next(struct sim *served, struct sim *next);
/* The simulated domain's id, the same in every process sharing it. */
uint32_t sim_domid(const struct sim *sim);

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
/* Guest RAM, for data_is_ptr tests and scripts, and its size. */
uint8_t *sim_guest_ram(struct sim *sim);
uint64_t sim_guest_ram_size(const struct sim *sim);
/* The domain dies: vCPUs stop, the device model is told. */
void sim_domain_kill(struct sim *sim);
bool sim_domain_dead(const struct sim *sim);
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
/* sim_misbehave_raw_request() whose event is lost on the way: the slot
 * says READY, but the device model is never notified. */
int sim_misbehave_lost_event(struct sim *sim, unsigned vcpu, const ioreq_t *req,
			     ioreq_t *reply);
/* Notifies vcpu's port without touching its slot: a spurious event. */
void sim_misbehave_notify(struct sim *sim, unsigned vcpu);
/* Writes n raw slots at the write pointer, then advances it by advance
 * (which may be more than n, or than the ring holds) and notifies. */
void sim_misbehave_buffered(struct sim *sim, const buf_ioreq_t *slots,
			    unsigned n, uint32_t advance);
/* The slot of vcpu and the buffered ring of the first enabled server,
 * for writing arbitrary contents; NULL when no server is enabled. */
volatile ioreq_t *sim_misbehave_slot(struct sim *sim, unsigned vcpu);
buffered_iopage_t *sim_misbehave_ring(struct sim *sim);

/* Whether the domain is HVM (sim_options.hvm). */
bool sim_hvm(const struct sim *sim);
/* How many MSIs were injected so far, and the i-th of them (false when
 * i >= that count or it has left the log of the last SIM_MSI_LOG). */
unsigned sim_msi_count(const struct sim *sim);
bool sim_msi_at(const struct sim *sim, unsigned i, struct sim_msi *out);
/* ISA and INTx interrupts a PVH domain dropped. */
unsigned long long sim_irq_dropped(const struct sim *sim);
/* The level of bus 0 device dev's INTx pin (0: INTA), HVM only. */
bool sim_intx_level(const struct sim *sim, unsigned dev, unsigned pin);

/* Accesses the simulated Xen answered itself (no server claimed them). */
unsigned long long sim_unclaimed(const struct sim *sim);
/* The level of ISA interrupt line irq, as devices last set it. */
bool sim_isa_irq_level(const struct sim *sim, unsigned irq);

/* --- the hypervisor's side, for ioreq/'s sim backend ---------------------- */

unsigned sim_hv_nr_vcpus(const struct sim *sim);
/* Creates a server; *id is its id, *ioreq and *buffered its pages and
 * *buffered_port its ring's port. -1 (ENOSPC) when 8 servers exist. */
int sim_hv_create_server(struct sim *sim, unsigned *id, shared_iopage_t **ioreq,
			 buffered_iopage_t **buffered, uint32_t *buffered_port);
/* Whether server id exists. */
bool sim_hv_server_exists(const struct sim *sim, unsigned id);
/* Enabling writes each slot's vp_eport (0 until then), as Xen does. */
int sim_hv_set_enabled(struct sim *sim, unsigned id, bool enabled);
/* Xen's rangeset rules: mapping a range that overlaps what the server
 * claims fails (EEXIST), unmapping needs it wholly claimed (ENOENT),
 * touching ranges merge, at most SIM_MAX_RANGES remain (ENOSPC). */
int sim_hv_map_range(struct sim *sim, unsigned id, enum io_space space,
		     struct range r, bool map);
/* Disables the server and forgets it; its waiting vCPUs are not woken. */
void sim_hv_destroy_server(struct sim *sim, unsigned id);
/* The ioreq page of server id (which must exist). */
shared_iopage_t *sim_hv_server_page(struct sim *sim, unsigned id);

/* A device-model event-channel handle: its number, or -1 (EMFILE). */
int sim_hv_open_handle(struct sim *sim);
void sim_hv_close_handle(struct sim *sim, int handle);
/* The handle's fd: readable when a port bound through it is pending. */
int sim_hv_handle_fd(const struct sim *sim, int handle);
/* Binds remote port through handle; 0 or -1. Like Xen, a freshly bound
 * port gets one event at once. */
int sim_hv_bind(struct sim *sim, int handle, uint32_t remote_port);
/* Whether port was pending, clearing it. */
bool sim_hv_take_pending(struct sim *sim, uint32_t port);
/* Sends an event to the guest end of remote_port (vCPU ports only). */
int sim_hv_notify_guest(struct sim *sim, uint32_t remote_port);

/* Copies between buf and guest RAM; -1 (EFAULT) outside it. */
int sim_hv_read_guest(struct sim *sim, uint64_t gpa, void *buf, size_t len);
int sim_hv_write_guest(struct sim *sim, uint64_t gpa, const void *buf,
		       size_t len);
/* Readable once the domain may have died; then sim_hv_domain_alive(). */
int sim_hv_domain_fd(const struct sim *sim);
bool sim_hv_domain_alive(struct sim *sim);
int sim_hv_set_isa_irq(struct sim *sim, unsigned irq, bool level);
/* As xendevicemodel_set_pci_intx_level for bus 0: dev 0-31, pin 0-3. */
int sim_hv_set_pci_intx(struct sim *sim, unsigned dev, unsigned pin,
			bool level);
/* As xendevicemodel_inject_msi: -1 with ERANGE for vector 0 (Xen takes
 * it for a pirq), EINVAL for an address outside 0xfeexxxxx. */
int sim_hv_inject_msi(struct sim *sim, uint64_t addr, uint32_t data);
void sim_hv_unpause(struct sim *sim);

#endif
