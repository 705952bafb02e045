/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_env.h - what the fuzz harnesses share: an input as a file, and an
 * engine serving a simulated guest with a ram and a trace region, driven
 * from the harness's own thread. */
#ifndef MMIOD_FUZZ_ENV_H
#define MMIOD_FUZZ_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "ioreq/ioreq.h"
#include "sim/sim.h"

#define FUZZ_RAM_BASE 0xfe000000ull
#define FUZZ_LOW_BASE 0xa0000ull /* reachable by buffered writes */
#define FUZZ_PORT 0x510

/* The entry point every harness defines, for libFuzzer. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A path naming a file that holds data (valid until the next call). */
const char *fuzz_input_file(const uint8_t *data, size_t size);

struct fuzz_engine {
	struct sim *sim;
	struct bus *bus;
	struct ioreq_engine *engine;
	struct ioreq_worker *worker;
	struct bus_cpu *fault_cpu; /* for raw faults */
};

/* Created once per process; the engine is started, nothing serves it
 * until the harness calls ioreq_worker_run_pending(). */
struct fuzz_engine *fuzz_engine_get(void);

#endif
