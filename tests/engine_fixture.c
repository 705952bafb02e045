/* SPDX-License-Identifier: BSD-2-Clause */
/* engine_fixture.c - an engine serving a simulated guest, for tests. */
#include "engine_fixture.h"

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

void fixture_init(struct engine_fixture *f, unsigned nr_vcpus)
{
	struct sim_options opts = {.nr_vcpus = nr_vcpus,
				   .ram_size = FIXTURE_RAM_SIZE};

	memset(f, 0, sizeof(*f));
	f->sim = sim_create(&opts);
	ck_assert_ptr_nonnull(f->sim);
	f->bus = bus_create();
	ck_assert_ptr_nonnull(f->bus);
	f->stop_fd = -1;
}

struct device *fixture_add(struct engine_fixture *f, enum io_space space,
			   uint64_t base, uint64_t size, const char *type, ...)
{
	struct device_param params[8];
	struct device_args args = {.space = space, .params = params};
	struct device *dev;
	char err[256];
	va_list ap;

	ck_assert_uint_lt(f->ndevices, FIXTURE_MAX_TARGETS);
	ck_assert(range_from_size(base, size, &args.range));
	va_start(ap, type);
	while ((params[args.nparams].key = va_arg(ap, const char *))) {
		params[args.nparams].value = va_arg(ap, const char *);
		args.nparams++;
	}
	va_end(ap);
	dev = device_create(type, &args, err, sizeof(err));
	ck_assert_msg(dev != NULL, "%s", err);
	f->devices[f->ndevices++] = dev;
	ck_assert_int_eq(bus_add(f->bus, space, args.range, dev, type), 0);
	return dev;
}

struct worker_arg {
	struct ioreq_worker *worker;
	int stop_fd;
};

static void *serve_worker(void *arg)
{
	struct worker_arg *wa = arg;

	ioreq_worker_serve(wa->worker, wa->stop_fd);
	free(wa);
	return NULL;
}

void fixture_start(struct engine_fixture *f, unsigned nr_workers)
{
	f->be = ioreq_backend_sim_open(f->sim);
	ck_assert_ptr_nonnull(f->be);
	f->engine = ioreq_engine_create(f->be, f->bus, nr_workers);
	ck_assert_ptr_nonnull(f->engine);
	ioreq_engine_set_poll_us(f->engine, f->poll_us);
	ck_assert_int_eq(ioreq_engine_start(f->engine), 0);
	ioreq_engine_take_over(f->engine);
	sim_hv_unpause(f->sim);
	f->stop_fd = eventfd(0, EFD_CLOEXEC);
	ck_assert_int_ge(f->stop_fd, 0);
	f->nr_workers = nr_workers;
	for (unsigned i = 0; i < nr_workers; i++) {
		struct worker_arg *wa = malloc(sizeof(*wa));

		ck_assert_ptr_nonnull(wa);
		wa->worker = ioreq_engine_worker(f->engine, i);
		wa->stop_fd = f->stop_fd;
		ck_assert_int_eq(
			pthread_create(&f->threads[i], NULL, serve_worker, wa),
			0);
	}
}

void fixture_fini(struct engine_fixture *f)
{
	uint64_t one = 1;

	if (f->stop_fd >= 0) {
		ck_assert_int_eq(write(f->stop_fd, &one, sizeof(one)), 8);
		for (unsigned i = 0; i < f->nr_workers; i++)
			pthread_join(f->threads[i], NULL);
		close(f->stop_fd);
	}
	ioreq_engine_destroy(f->engine);
	ioreq_backend_close(f->be);
	bus_destroy(f->bus);
	for (unsigned i = 0; i < f->ndevices; i++)
		ck_assert_int_eq(device_destroy(f->devices[i]), 0);
	sim_destroy(f->sim);
}

#define N(counter) ((unsigned long long)atomic_load(&(counter)))

struct fixture_counts fixture_stats(struct engine_fixture *f)
{
	struct fixture_counts c;
	struct ioreq_stats s;
	struct bus_stats b;

	ioreq_engine_stats(f->engine, &s);
	bus_stats(f->bus, &b);
	c.requests = N(s.requests);
	c.buffered = N(s.buffered);
	c.spurious = N(s.spurious);
	c.swept = N(s.swept);
	c.polled = N(s.polled);
	c.late_events = N(s.late_events);
	c.invalid = N(s.invalid);
	c.timeoffset = N(s.timeoffset);
	c.invalidate = N(s.invalidate);
	c.bad_pointer = N(b.bad_pointer);
	for (unsigned i = 0; i < IO_SPACE_COUNT; i++) {
		const struct bus_space_stats *ss = &b.space[i];

		c.space[i].reads = N(ss->reads);
		c.space[i].writes = N(ss->writes);
		c.space[i].bytes = N(ss->bytes);
		c.space[i].unmatched = N(ss->unmatched);
		c.space[i].errors = N(ss->errors);
	}
	return c;
}

struct region_pick {
	unsigned want, seen;
	struct fixture_region_counts out;
};

static void pick_region(void *ctx, const char *name,
			const struct bus_region_stats *rs)
{
	struct region_pick *p = ctx;

	(void)name;
	if (p->seen++ == p->want)
		p->out = (struct fixture_region_counts){
			N(rs->reads), N(rs->writes), N(rs->bytes),
			N(rs->errors)};
}

struct fixture_region_counts fixture_region(struct engine_fixture *f,
					    unsigned index)
{
	struct region_pick p = {.want = index};

	bus_for_each_region(f->bus, pick_region, &p);
	ck_assert_uint_gt(p.seen, index);
	return p.out;
}

bool guest_vcpu_io(const struct guest_vcpu *lv, enum io_space space,
		   enum io_dir dir, uint64_t addr, uint32_t size,
		   uint64_t *data)
{
	struct sim_io io = {.space = space,
			    .dir = dir,
			    .addr = addr,
			    .size = size,
			    .data = *data};

	if (sim_guest_io(lv->sim, lv->vcpu, &io))
		return false;
	*data = io.data;
	return true;
}

int fixture_guest_process(struct sim *sim, unsigned nr_vcpus,
			  void *(*loop)(void *))
{
	struct guest_vcpu *args = calloc(nr_vcpus, sizeof(*args));
	pthread_t *threads = calloc(nr_vcpus, sizeof(*threads));
	unsigned long errors = 0;

	if (!args || !threads || sim_wait_until_running(sim, 10000))
		return 100;
	for (unsigned v = 0; v < nr_vcpus; v++) {
		args[v] = (struct guest_vcpu){sim, v, 0};
		pthread_create(&threads[v], NULL, loop, &args[v]);
	}
	for (unsigned v = 0; v < nr_vcpus; v++) {
		pthread_join(threads[v], NULL);
		errors += args[v].errors;
	}
	free(args);
	free(threads);
	return errors ? 1 : 0;
}

void guest_write(struct engine_fixture *f, enum io_space space, uint64_t addr,
		 uint32_t size, uint64_t value)
{
	struct sim_io io = {.space = space,
			    .dir = IO_WRITE,
			    .addr = addr,
			    .size = size,
			    .data = value};

	ck_assert_int_eq(sim_guest_io(f->sim, 0, &io), 0);
}

uint64_t guest_read(struct engine_fixture *f, enum io_space space,
		    uint64_t addr, uint32_t size)
{
	struct sim_io io = {
		.space = space, .dir = IO_READ, .addr = addr, .size = size};

	ck_assert_int_eq(sim_guest_io(f->sim, 0, &io), 0);
	return io.data;
}

uint64_t guest_raw(struct engine_fixture *f, unsigned vcpu, const ioreq_t *req)
{
	ioreq_t reply;

	ck_assert_int_eq(sim_misbehave_raw_request(f->sim, vcpu, req, &reply),
			 0);
	return reply.data;
}
