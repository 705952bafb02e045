/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_env.c - shared setup of the fuzz harnesses. */
#include "fuzz_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "devices/devices.h"

const char *fuzz_input_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz-input", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	return path;
}

/* Puts a new device of type on the bus at [base, base + size). */
static void add(struct bus *bus, enum io_space space, uint64_t base,
		uint64_t size, const char *type,
		const struct device_param *params, size_t nparams)
{
	struct device_args args = {
		.space = space, .nparams = nparams, .params = params};
	char err[256];
	struct device *dev;

	if (!range_from_size(base, size, &args.range))
		abort();
	dev = device_create(type, &args, err, sizeof(err));
	if (!dev || bus_add(bus, space, args.range, dev, type))
		abort();
}

struct fuzz_engine *fuzz_engine_get(void)
{
	static struct fuzz_engine fe;
	static const struct device_param trace_params[] = {
		{"file", "/dev/null"},
	};
	struct sim_options opts = {.nr_vcpus = 2, .ram_size = 64 * 4096};
	struct ioreq_backend *be;

	if (fe.engine)
		return &fe;
	log_set_level(LOG_LEVEL_ERROR); /* guest-triggered warnings: noise */
	fe.sim = sim_create(&opts);
	fe.bus = bus_create();
	if (!fe.sim || !fe.bus)
		abort();
	add(fe.bus, IO_SPACE_MMIO, FUZZ_RAM_BASE, 0x2000, "ram", NULL, 0);
	add(fe.bus, IO_SPACE_MMIO, FUZZ_LOW_BASE, 0x1000, "trace", trace_params,
	    1);
	add(fe.bus, IO_SPACE_PIO, FUZZ_PORT, 8, "ram", NULL, 0);
	be = ioreq_backend_sim_open(fe.sim);
	fe.engine = be ? ioreq_engine_create(be, fe.bus, 1) : NULL;
	if (!fe.engine || ioreq_engine_start(fe.engine))
		abort();
	ioreq_engine_take_over(fe.engine);
	fe.fault_cpu = bus_cpu_create(fe.bus);
	if (!fe.fault_cpu)
		abort();
	fe.worker = ioreq_engine_worker(fe.engine, 0);
	/* The events of binding: nothing is in the slots yet. */
	ioreq_worker_run_pending(fe.worker);
	return &fe;
}
