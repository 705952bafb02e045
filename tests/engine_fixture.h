/* engine_fixture.h - an engine serving a simulated guest, for tests. */
#ifndef MMIOD_ENGINE_FIXTURE_H
#define MMIOD_ENGINE_FIXTURE_H

#include <pthread.h>

#include "devices/devices.h"
#include "ioreq/ioreq.h"
#include "regions/regions.h"
#include "sim/sim.h"

#define FIXTURE_MAX_TARGETS 16
#define FIXTURE_MAX_WORKERS 8
#define FIXTURE_RAM_SIZE (1u << 20)

struct engine_fixture {
	struct sim *sim;
	struct ioreq_backend *be;
	struct region_set *sets[IO_SPACE_COUNT];
	struct ioreq_target targets[FIXTURE_MAX_TARGETS];
	unsigned ntargets;
	struct ioreq_engine *engine;
	unsigned nr_workers;
	pthread_t threads[FIXTURE_MAX_WORKERS];
	int stop_fd;
};

/* Creates the simulator and empty region sets. */
void fixture_init(struct engine_fixture *f, unsigned nr_vcpus);
/* Adds a region backed by a new device; params as "key", "value", ...,
 * NULL. Before fixture_start(). */
struct ioreq_target *fixture_add(struct engine_fixture *f, enum io_space space,
				 uint64_t base, uint64_t size, const char *type,
				 ...);
/* Starts the engine and its worker threads. */
void fixture_start(struct engine_fixture *f, unsigned nr_workers);
/* Stops the workers and the engine, frees everything. */
void fixture_fini(struct engine_fixture *f);

struct ioreq_stats fixture_stats(struct engine_fixture *f);

/* Guest helpers: a plain access from vcpu 0; the read value. */
void guest_write(struct engine_fixture *f, enum io_space space, uint64_t addr,
		 uint32_t size, uint64_t value);
uint64_t guest_read(struct engine_fixture *f, enum io_space space,
		    uint64_t addr, uint32_t size);
/* A raw request, replied to; the reply's data. */
uint64_t guest_raw(struct engine_fixture *f, unsigned vcpu, const ioreq_t *req);

#endif
