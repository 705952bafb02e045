/* server.c - a guest's devices, regions and serving threads. */
#include "server.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"
#include "devices/devices.h"
#include "guest_config.h"

/* Device interrupts reach the guest once a backend serves it; before,
 * no guest runs to see them. */
static void set_irq(void *ctx, unsigned irq, bool level)
{
	struct server *s = ctx;
	struct ioreq_backend *be = atomic_load(&s->be);

	if (be && ioreq_backend_set_isa_irq(be, irq, level))
		log_guest("cannot set irq %u to %d: %s", irq, level,
			  strerror(errno));
}

void server_init(struct server *s)
{
	memset(s, 0, sizeof(*s));
	s->stop_fd = -1;
	s->host.set_irq = set_irq;
	s->host.ctx = s;
	fault_server_init(&s->faults);
}

static int open_region(struct server *s, const struct mmiod_config *cfg,
		       size_t i)
{
	const struct config_region *r = &cfg->regions[i];
	struct ioreq_target *t = &s->targets[i];
	struct device_param *params;
	struct device_args args;
	char err[512];

	if (guest_config_device_args(r, &args, &params)) {
		log_error("out of memory");
		return -1;
	}
	args.host = &s->host;
	t->device = device_create(r->type, &args, err, sizeof(err));
	free(params);
	if (!t->device) {
		log_error("%s:%d: %s region at 0x%" PRIx64 ": %s", cfg->path,
			  r->line, r->type, r->base, err);
		return -1;
	}
	snprintf(s->names[i], sizeof(s->names[i]), "%s 0x%" PRIx64 " %s",
		 io_space_name(r->space), r->base, r->type);
	t->name = s->names[i];
	s->ntargets = i + 1;
	return 0;
}

/* Loads each space's regions in one batch: n single adds would copy the
 * set n times. config/ already rejected overlaps, so this can only run
 * out of memory. */
static int add_regions(struct server *s, const struct mmiod_config *cfg)
{
	struct region *items = calloc(cfg->nregions + 1, sizeof(*items));
	int rc = 0;

	if (!items)
		return -1;
	for (unsigned sp = 0; sp < IO_SPACE_COUNT && !rc; sp++) {
		size_t n = 0, bad;

		for (size_t i = 0; i < cfg->nregions; i++) {
			const struct config_region *r = &cfg->regions[i];

			if (r->space == sp)
				items[n++] = (struct region){
					r->base, r->base + (r->size - 1),
					&s->targets[i]};
		}
		if (regions_add_batch(s->sets[sp], items, n, &bad, NULL))
			rc = -1;
		/* No worker runs yet: the replaced array can go at once. */
		regions_reclaim(s->sets[sp]);
	}
	free(items);
	return rc;
}

int server_open(struct server *s, const struct mmiod_config *cfg)
{
	for (unsigned sp = 0; sp < IO_SPACE_COUNT; sp++) {
		s->sets[sp] = regions_create();
		if (!s->sets[sp])
			goto nomem;
	}
	s->targets = calloc(cfg->nregions + 1, sizeof(*s->targets));
	s->names = calloc(cfg->nregions + 1, sizeof(*s->names));
	if (!s->targets || !s->names)
		goto nomem;
	for (size_t i = 0; i < cfg->nregions; i++)
		if (open_region(s, cfg, i))
			return -1;
	if (add_regions(s, cfg))
		goto nomem;
	return 0;
nomem:
	log_error("out of memory");
	return -1;
}

struct worker_arg {
	struct ioreq_worker *worker;
	int stop_fd;
};

static void *serve_thread(void *arg)
{
	struct worker_arg wa = *(struct worker_arg *)arg;

	free(arg);
	ioreq_worker_serve(wa.worker, wa.stop_fd);
	return NULL;
}

int server_start(struct server *s, struct ioreq_backend *be,
		 const struct mmiod_config *cfg)
{
	unsigned nr_workers = cfg->workers;
	unsigned vcpus = 0;

	s->engine = ioreq_engine_create(be, s->sets, nr_workers);
	if (!s->engine) {
		log_error("cannot create the engine: %s", strerror(errno));
		return -1;
	}
	if (ioreq_engine_start(s->engine))
		return -1;
	atomic_store(&s->be, be);
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	s->threads = calloc(nr_workers, sizeof(*s->threads));
	if (s->stop_fd < 0 || !s->threads) {
		log_error("cannot set up worker threads: %s", strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < nr_workers; i++) {
		struct worker_arg *wa = malloc(sizeof(*wa));
		int rc;

		if (!wa) {
			log_error("out of memory");
			return -1;
		}
		wa->worker = ioreq_engine_worker(s->engine, i);
		wa->stop_fd = s->stop_fd;
		rc = pthread_create(&s->threads[i], NULL, serve_thread, wa);
		if (rc) {
			free(wa);
			log_error("cannot start worker %u: %s", i,
				  strerror(rc));
			return -1;
		}
		s->nthreads = i + 1;
	}
	if (cfg->fault_socket &&
	    fault_server_start(&s->faults, cfg->fault_socket, s->engine))
		return -1;
	vcpus = ioreq_engine_nr_vcpus(s->engine);
	log_info("serving %u vCPU%s with %u worker%s", vcpus,
		 vcpus == 1 ? "" : "s", nr_workers, nr_workers == 1 ? "" : "s");
	return 0;
}

void server_stop(struct server *s)
{
	uint64_t one = 1;

	if (s->nthreads && write(s->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_error("cannot stop the worker threads: %s",
			  strerror(errno));
	for (unsigned i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	s->nthreads = 0;
	free(s->threads);
	s->threads = NULL;
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	s->stop_fd = -1;
	/* Only now, with no thread serving, is the server torn down. */
	atomic_store(&s->be, NULL);
	ioreq_engine_destroy(s->engine);
	s->engine = NULL;
}

int server_flush(struct server *s)
{
	int rc = 0;

	for (size_t i = 0; i < s->ntargets; i++) {
		struct device *dev = s->targets[i].device;
		int err;

		if (device_flush(dev) == 0)
			continue;
		err = errno;
		/* Once a second: say it on the first failure, then hourly. */
		if (device_flush_failures(dev) % 3600 == 1)
			log_error("%s: flush failed (%u in a row): %s",
				  s->targets[i].name,
				  device_flush_failures(dev), strerror(err));
		rc = -1;
	}
	return rc;
}

void server_reopen(struct server *s)
{
	for (size_t i = 0; i < s->ntargets; i++)
		if (device_reopen(s->targets[i].device))
			log_error("%s: cannot reopen: %s", s->targets[i].name,
				  strerror(errno));
}

int server_close(struct server *s)
{
	int rc = 0;

	server_stop(s);
	for (size_t i = 0; i < s->ntargets; i++) {
		if (device_destroy(s->targets[i].device) == 0)
			continue;
		log_error("%s: final flush failed: %s", s->targets[i].name,
			  strerror(errno));
		rc = -1;
	}
	s->ntargets = 0;
	for (unsigned sp = 0; sp < IO_SPACE_COUNT; sp++) {
		regions_destroy(s->sets[sp]);
		s->sets[sp] = NULL;
	}
	free(s->targets);
	free(s->names);
	s->targets = NULL;
	s->names = NULL;
	return rc;
}

#define U(counter) ((unsigned long long)atomic_load(&(counter)))

void server_print_stats(struct server *s, FILE *out)
{
	struct ioreq_stats st;

	if (!s->engine)
		return;
	ioreq_engine_stats(s->engine, &st);
	fprintf(out,
		"requests %llu buffered %llu spurious %llu invalid %llu "
		"bad_pointer %llu timeoffset %llu invalidate %llu\n",
		U(st.requests), U(st.buffered), U(st.spurious), U(st.invalid),
		U(st.bad_pointer), U(st.timeoffset), U(st.invalidate));
	for (unsigned sp = 0; sp < IO_SPACE_COUNT; sp++) {
		const struct ioreq_space_stats *ss = &st.space[sp];

		fprintf(out,
			"%s reads %llu writes %llu bytes %llu unmatched %llu "
			"errors %llu\n",
			io_space_name(sp), U(ss->reads), U(ss->writes),
			U(ss->bytes), U(ss->unmatched), U(ss->errors));
	}
	for (size_t i = 0; i < s->ntargets; i++) {
		const struct ioreq_region_stats *rs = &s->targets[i].stats;

		fprintf(out,
			"region %s reads %llu writes %llu bytes %llu "
			"errors %llu\n",
			s->targets[i].name, U(rs->reads), U(rs->writes),
			U(rs->bytes), U(rs->errors));
	}
	fflush(out);
}
