/* SPDX-License-Identifier: BSD-2-Clause */
/* ioreq.h - the ioreq protocol engine and the transports it runs on.
 *
 * The engine serves a guest's synchronous ioreq slots (one per vCPU) and
 * its buffered ring, turning each request into an access that bus/
 * serves, and keeps Xen's view of the claimed ranges in step with the
 * bus's regions. The same engine
 * code runs on two backends: "xen" (a real hypervisor, through
 * libxendevicemodel, libxenforeignmemory and libxenevtchn) and "sim" (the
 * simulated hypervisor of sim/).
 *
 * Guest input is never trusted: every request is completed, whatever it
 * holds; malformed ones get an error reply (all ones for reads), a counter
 * and a rate-limited log line.
 *
 * Threads: after ioreq_engine_start(), each worker is served by
 * ioreq_worker_serve() on its own thread. Counters may be read from any
 * thread at any time.
 */
#ifndef MMIOD_IOREQ_H
#define MMIOD_IOREQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/access.h"

struct bus;
struct ioreq_backend;
struct ioreq_engine;
struct ioreq_worker;
struct sim;

/* The transport's own counters; what each access did is the bus's. */
struct ioreq_stats {
	atomic_ullong requests;	   /* synchronous requests completed */
	atomic_ullong buffered;	   /* buffered requests consumed */
	atomic_ullong spurious;	   /* wake-ups for a slot not in READY */
	atomic_ullong swept;	   /* requests served without their event */
	atomic_ullong polled;	   /* requests served by the spin (poll_us) */
	atomic_ullong late_events; /* events for a request the spin served */
	atomic_ullong invalid;	   /* bad type, size, count, or ring state */
	atomic_ullong timeoffset;
	atomic_ullong invalidate;
};

/* --- backends ------------------------------------------------------------ */

/* Opens the Xen backend for domid. Nothing is created until the engine
 * starts. NULL with a logged reason on failure. */
struct ioreq_backend *ioreq_backend_xen_open(uint32_t domid);
/* Resolves a domain name or numeric domid to a domid through xenstore.
 * 0, or -1 (errno ENOENT when no such domain exists yet, ENOTCONN when
 * xenstore can't be reached). */
int ioreq_xen_find_domain(const char *name, uint32_t *domid);
/* The id of the ioreq server this backend created (xen), for the state
 * file; -1 when there is none. */
int ioreq_backend_server_id(struct ioreq_backend *be);
/* Reclaims a server a crashed predecessor left behind for the domain,
 * once ours is live (ioreq_engine_take_over), after answering the
 * requests left waiting in it. 0 if it exists. */
int ioreq_backend_destroy_stale(struct ioreq_backend *be, int server_id);
/* Opens the backend side of a simulated hypervisor. */
struct ioreq_backend *ioreq_backend_sim_open(struct sim *sim);
/* Restricts the backend's handles to its domain (xen; no-op on sim). */
int ioreq_backend_restrict(struct ioreq_backend *be);
/* A pollable fd that becomes readable when the domain may have died;
 * then ioreq_backend_domain_alive() says whether it did. */
int ioreq_backend_domain_fd(struct ioreq_backend *be);
bool ioreq_backend_domain_alive(struct ioreq_backend *be);
/* Whether the guest is HVM: a PVH guest has no emulated PIC or IOAPIC,
 * so Xen drops its ISA and INTx interrupts without an error; only MSIs
 * reach it. */
bool ioreq_backend_hvm(const struct ioreq_backend *be);
/* Sets ISA interrupt line irq of the guest to level. */
int ioreq_backend_set_isa_irq(struct ioreq_backend *be, unsigned irq,
			      bool level);
/* Sets INTx pin (0: INTA) of PCI function sbdf to level. */
int ioreq_backend_set_pci_intx(struct ioreq_backend *be, uint32_t sbdf,
			       unsigned pin, bool level);
/* Delivers an MSI as the function's message address and data. */
int ioreq_backend_inject_msi(struct ioreq_backend *be, uint64_t addr,
			     uint32_t data);
/* The guest's memory, for device DMA: 0, or -1 (EFAULT) when any byte
 * lies outside it. Thread-safe. */
int ioreq_backend_guest_read(struct ioreq_backend *be, uint64_t gpa, void *buf,
			     size_t len);
int ioreq_backend_guest_write(struct ioreq_backend *be, uint64_t gpa,
			      const void *buf, size_t len);
/* Tells the toolstack that the guest's serial n is the tty at path: xen
 * writes xenstore's /local/domain/DOMID/serial/N/tty (where xl console
 * -t serial looks), dom0's and read-only for the guest, so that the
 * guest can't point xl console elsewhere. Before the restriction. 0, or
 * -1 with errno. */
int ioreq_backend_publish_console(struct ioreq_backend *be, unsigned n,
				  const char *path);
/* Lets a paused guest run. */
int ioreq_backend_unpause(struct ioreq_backend *be);
void ioreq_backend_close(struct ioreq_backend *be);

/* --- engine -------------------------------------------------------------- */

/* Serves be's guest through bus with nr_workers >= 1 workers. The bus
 * outlives the engine. */
struct ioreq_engine *ioreq_engine_create(struct ioreq_backend *be,
					 struct bus *bus, unsigned nr_workers);
/* Creates the ioreq server, maps the bus's regions (merged into as few
 * ranges as Xen needs), enables it and binds every vCPU's event channel,
 * in the order Xen requires; from then on follows every change of the
 * bus's regions with Xen. Nothing is served yet: requests wait in their
 * slots until the workers run. 0, or -1 with the reason logged. */
int ioreq_engine_start(struct ioreq_engine *engine);
/* Disables the server, answers the requests still waiting in their slots
 * (through the bus once serving began, else without it), unmaps and
 * destroys the server; safe at any point, twice. The worker threads must
 * have stopped. */
void ioreq_engine_stop(struct ioreq_engine *engine);
void ioreq_engine_destroy(struct ioreq_engine *engine);

unsigned ioreq_engine_nr_vcpus(const struct ioreq_engine *engine);
unsigned ioreq_engine_nr_workers(const struct ioreq_engine *engine);
struct ioreq_worker *ioreq_engine_worker(struct ioreq_engine *engine,
					 unsigned index);
/* After answering a request a worker spins on its vCPUs' slots for up
 * to poll_us microseconds (0, the default: not at all) and answers the
 * requests it finds without waiting for their events, trading CPU time
 * for latency. Call before the workers run. */
void ioreq_engine_set_poll_us(struct ioreq_engine *engine, unsigned poll_us);
/* Sums every worker's counters into *out. */
/* Writes "slots" and, for each vCPU whose slot is not idle, " V:STATE"
 * (ready, inprocess, answered) and a newline: what a vCPU that seems
 * stuck waits on. */
void ioreq_engine_print_slots(const struct ioreq_engine *engine, FILE *out);
void ioreq_engine_stats(const struct ioreq_engine *engine,
			struct ioreq_stats *out);

/* Answers what a killed predecessor left waiting in its server (see
 * ioreq_backend_destroy_stale), then has that server destroyed. Serves
 * guest requests: call it once confined, before the workers run. */
void ioreq_engine_take_over(struct ioreq_engine *engine);

/* The bus cpu the worker serves with. */
struct bus_cpu *ioreq_worker_cpu(const struct ioreq_worker *worker);
/* The worker's pollable fd: readable when one of its ports fired. */
int ioreq_worker_fd(const struct ioreq_worker *worker);
/* Serves every pending event of the worker without blocking (polling
 * before each one). */
void ioreq_worker_run_pending(struct ioreq_worker *worker);
/* Serves until stop_fd becomes readable (or an unrecoverable error). */
int ioreq_worker_serve(struct ioreq_worker *worker, int stop_fd);

#endif
