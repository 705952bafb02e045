/* SPDX-License-Identifier: BSD-2-Clause */
/* server.h - a guest's devices, its bus and its serving threads.
 *
 * server_open() turns a config into devices on a bus; server_attach()
 * sets up the ioreq server on a backend (requests now wait in their
 * slots); server_spawn() creates the serving threads, which wait at a
 * gate; server_serve() answers what a killed predecessor left and opens
 * the gate. The daemon confines itself between spawn and serve, so no
 * device sees a guest access before it is confined. server_close()
 * undoes everything and is safe at any point after server_init(),
 * which is what the one teardown path relies on.
 */
#ifndef MMIOD_SERVER_H
#define MMIOD_SERVER_H

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "bus/bus.h"
#include "config/config.h"
#include "devices/devices.h"
#include "fault/fault.h"
#include "ioreq/ioreq.h"
#include "pci_slots.h"

struct server;

struct server_device {
	struct device *device;
	char name[96]; /* "mmio 0xfe000000 ram", for logs and stats */
	/* The interrupt output wired to ISA line isa_irq (irq=). */
	struct device_irq irq;
	unsigned isa_irq;
	struct server *server;
	struct pci_slot *pci; /* a pci entry's function; NULL: none */
	/* Its input fd hung up: not polled again until the next tick. */
	bool input_muted;
};

/* Device DMA, counted. */
struct server_dma_stats {
	atomic_ullong reads;
	atomic_ullong writes;
	atomic_ullong errors; /* outside guest memory, or no guest yet */
};

struct server {
	struct bus *bus;
	size_t ndevices;
	struct server_device *devices;
	struct ioreq_engine *engine;
	struct ioreq_backend *_Atomic be; /* for interrupts and DMA */
	struct device_guest guest;
	struct server_dma_stats dma_stats;
	struct pci_slot_host pci_services;
	struct pci_host *pci_host; /* NULL: none presented */
	pthread_t *threads;
	unsigned nthreads;
	int gate_fd;	     /* readable once the threads may serve */
	int stop_fd;	     /* readable once they must stop */
	atomic_bool serving; /* the gate is open */
	bool stuck;	     /* a thread never came back from a device */
	struct fault_server *faults; /* NULL: no fault socket */
	struct bus_cpu *fault_cpu;   /* the fault socket thread's */
};

void server_init(struct server *s);
/* Creates every region's device and puts it on the bus. Errors name
 * FILE:LINE; -1 on error. */
int server_open(struct server *s, const struct mmiod_config *cfg);
/* Fits the devices to the domain's platform: refuses (-1, logged with
 * FILE:LINE) what it would silently drop, ISA interrupt lines on a PVH
 * domain, and presents the PCI host bridge and 0xcf8 latch when the
 * config has pci entries and mmiod is the domain's only device model
 * (PVH, unless pci_host says otherwise). */
int server_fit_platform(struct server *s, const struct mmiod_config *cfg,
			const struct ioreq_backend *be, const char *domain);
/* Creates the ioreq server on be and maps the bus's regions. */
int server_attach(struct server *s, struct ioreq_backend *be,
		  const struct mmiod_config *cfg);
/* Creates one thread per worker (and the raw-fault socket if cfg names
 * one), all waiting at the gate. */
int server_spawn(struct server *s, const struct mmiod_config *cfg);
/* Takes over a killed predecessor's waiting requests, then lets the
 * threads serve. */
void server_serve(struct server *s);
/* Stops the threads and tears the ioreq server down. A thread stuck in
 * a device call for STOP_TIMEOUT_MS is named and left: then nothing it
 * could touch is torn down, s->stuck is set, and the ioreq server
 * stays for a restarted mmiod to take over, as after a crash. */
#define STOP_TIMEOUT_MS 5000
void server_stop(struct server *s);
/* Flushes every device not inside a call right now; -1 if any flush
 * failed (each is logged). */
int server_flush(struct server *s);
/* Reopens device files (log rotation). */
void server_reopen(struct server *s);
/* Stops, flushes and destroys everything; -1 if a flush failed or a
 * thread is stuck. */
int server_close(struct server *s);
void server_print_stats(struct server *s, FILE *out);
/* Device input for the main loop: pfd[i] gets device i's input fd (-1:
 * none, which poll() skips), s->ndevices of them; after the poll,
 * server_input() hands each device the input its fd said is there. An
 * fd readable for nothing (hung up) is left out until
 * server_input_unmute(), once a tick, so that a pty nobody opened can't
 * spin the loop. */
void server_input_fds(struct server *s, struct pollfd *pfd);
void server_input(struct server *s, const struct pollfd *pfd);
void server_input_unmute(struct server *s);
/* The ptys of the devices that have one (uarts with backend=pty), in
 * config order, into ptys (room for s->ndevices); returns how many. */
size_t server_ptys(const struct server *s, const char **ptys);

#endif
