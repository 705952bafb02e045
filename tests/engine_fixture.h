/* SPDX-License-Identifier: BSD-2-Clause */
/* engine_fixture.h - an engine serving a simulated guest, for tests. */
#ifndef MMIOD_ENGINE_FIXTURE_H
#define MMIOD_ENGINE_FIXTURE_H

#include <pthread.h>

#include "bus/bus.h"
#include "devices/devices.h"
#include "ioreq/ioreq.h"
#include "sim/sim.h"

#define FIXTURE_MAX_TARGETS 16
#define FIXTURE_MAX_WORKERS 8
#define FIXTURE_RAM_SIZE (1u << 20)

struct engine_fixture {
	struct sim *sim;
	struct ioreq_backend *be;
	struct bus *bus;
	struct device *devices[FIXTURE_MAX_TARGETS];
	unsigned ndevices;
	struct ioreq_engine *engine;
	unsigned nr_workers;
	pthread_t threads[FIXTURE_MAX_WORKERS];
	int stop_fd;
	unsigned poll_us; /* set before fixture_start(); 0: no spin */
};

/* The engine's and the bus's counters together, as plain numbers. */
struct fixture_counts {
	unsigned long long requests, buffered, spurious, swept, polled,
		late_events, invalid, timeoffset, invalidate, bad_pointer;
	struct {
		unsigned long long reads, writes, bytes, unmatched, errors;
	} space[IO_SPACE_COUNT];
};

/* Creates the simulator and an empty bus. */
void fixture_init(struct engine_fixture *f, unsigned nr_vcpus);
/* Adds a region backed by a new device; params as "key", "value", ...,
 * NULL. Returns the device. */
struct device *fixture_add(struct engine_fixture *f, enum io_space space,
			   uint64_t base, uint64_t size, const char *type, ...);
/* Starts the engine and its worker threads. */
void fixture_start(struct engine_fixture *f, unsigned nr_workers);
/* Stops the workers and the engine, frees everything. */
void fixture_fini(struct engine_fixture *f);

struct fixture_counts fixture_stats(struct engine_fixture *f);
/* The counters of the index-th region added. */
struct fixture_region_counts {
	unsigned long long reads, writes, bytes, errors;
};
struct fixture_region_counts fixture_region(struct engine_fixture *f,
					    unsigned index);

/* One vCPU thread of a guest process: its loop counts what went wrong. */
struct guest_vcpu {
	struct sim *sim;
	unsigned vcpu;
	unsigned long errors;
};

/* The body of a guest process: once the domain runs, nr_vcpus threads
 * run loop (each given its struct guest_vcpu). The process's exit
 * status: 0, 1 when any vCPU counted an error, 100 when the domain
 * never ran. */
int fixture_guest_process(struct sim *sim, unsigned nr_vcpus,
			  void *(*loop)(void *));

/* One access of a guest process's vCPU: true when it was answered,
 * with the read value in *data. */
bool guest_vcpu_io(const struct guest_vcpu *lv, enum io_space space,
		   enum io_dir dir, uint64_t addr, uint32_t size,
		   uint64_t *data);

/* Guest helpers: a plain access from vcpu 0; the read value. */
void guest_write(struct engine_fixture *f, enum io_space space, uint64_t addr,
		 uint32_t size, uint64_t value);
uint64_t guest_read(struct engine_fixture *f, enum io_space space,
		    uint64_t addr, uint32_t size);
/* A raw request, replied to; the reply's data. */
uint64_t guest_raw(struct engine_fixture *f, unsigned vcpu, const ioreq_t *req);

#endif
