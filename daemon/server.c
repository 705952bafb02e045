/* SPDX-License-Identifier: BSD-2-Clause */
/* server.c - a guest's devices, its bus and its serving threads. */
#include "server.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/counters.h"
#include "common/log.h"
#include "common/parse.h"
#include "guest_config.h"

/* Device interrupts reach the guest once a backend serves it; before,
 * no guest runs to see them. */
static void set_isa_level(void *ctx, bool level)
{
	struct server_device *d = ctx;
	struct ioreq_backend *be = atomic_load(&d->server->be);

	if (be && ioreq_backend_set_isa_irq(be, d->isa_irq, level))
		log_guest("cannot set irq %u to %d: %s", d->isa_irq, level,
			  strerror(errno));
}

/* A DMA's result, counted: no guest yet counts as outside its memory. */
static int dma_done(struct server *s, bool ok)
{
	if (ok)
		return 0;
	COUNTER_INC(s->dma_stats.errors);
	errno = EFAULT;
	return -1;
}

static int dma_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct server *s = ctx;
	struct ioreq_backend *be = atomic_load(&s->be);

	COUNTER_INC(s->dma_stats.reads);
	return dma_done(s,
			be && ioreq_backend_guest_read(be, gpa, buf, len) == 0);
}

static int dma_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	struct server *s = ctx;
	struct ioreq_backend *be = atomic_load(&s->be);

	COUNTER_INC(s->dma_stats.writes);
	return dma_done(s, be && ioreq_backend_guest_write(be, gpa, buf, len) ==
					   0);
}

static int guest_hvm(void *ctx)
{
	struct server *s = ctx;
	struct ioreq_backend *be = atomic_load(&s->be);

	return be ? ioreq_backend_hvm(be) : -1;
}

static int send_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct server *s = ctx;
	struct ioreq_backend *be = atomic_load(&s->be);

	if (!be) {
		errno = EAGAIN;
		return -1;
	}
	if (ioreq_backend_inject_msi(be, addr, data)) {
		log_guest("cannot send MSI 0x%" PRIx64 "/0x%x: %s", addr,
			  (unsigned)data, strerror(errno));
		return -1;
	}
	return 0;
}

static void set_intx(void *ctx, uint32_t sbdf, unsigned pin, bool level)
{
	struct server *s = ctx;
	struct ioreq_backend *be = atomic_load(&s->be);

	if (be && ioreq_backend_set_pci_intx(be, sbdf, pin, level))
		log_guest("cannot set INTx of %02x.%x to %d: %s", sbdf >> 3,
			  sbdf & 7, level, strerror(errno));
}

void server_init(struct server *s)
{
	memset(s, 0, sizeof(*s));
	s->gate_fd = s->stop_fd = -1;
	s->guest = (struct device_guest){dma_read, dma_write, guest_hvm, s};
	s->pci_services = (struct pci_slot_host){
		.send_msi = send_msi,
		.set_intx = set_intx,
		.guest = &s->guest,
		.ctx = s,
	};
}

static int open_device(struct server *s, const struct mmiod_config *cfg,
		       size_t i)
{
	const struct config_region *r = &cfg->regions[i];
	struct server_device *d = &s->devices[i];
	struct device_param *params;
	struct device_args args;
	const char *irq;
	uint64_t line;
	char err[512];

	/* A pci entry's function builds its device's arguments itself. */
	if (r->space == IO_SPACE_PCI) {
		d->pci = pci_slot_open(r, &s->pci_services, &d->device, err,
				       sizeof(err));
		if (!d->pci)
			goto failed;
		snprintf(d->name, sizeof(d->name), "pci %02x.%x %s",
			 config_pci_slot(r), config_pci_function(r),
			 d->device->name);
		s->ndevices = i + 1;
		return 0;
	}
	if (guest_config_device_args(r, &args, &params)) {
		log_error("out of memory");
		return -1;
	}
	args.guest = &s->guest;
	irq = config_region_param(r, "irq");
	if (irq && parse_u64(irq, &line) == 0) { /* the type checked it */
		d->server = s;
		d->isa_irq = (unsigned)line;
		d->irq = (struct device_irq){.set_level = set_isa_level,
					     .ctx = d};
		args.irq = &d->irq;
	}
	d->device = device_create(r->type, &args, err, sizeof(err));
	free(params);
	if (!d->device)
		goto failed;
	snprintf(d->name, sizeof(d->name), "%s 0x%" PRIx64 " %s",
		 io_space_name(r->space), r->range.base, d->device->name);
	s->ndevices = i + 1;
	return 0;
failed:
	if (r->space == IO_SPACE_PCI)
		log_error("%s:%d: %s function at slot %u: %s", cfg->path,
			  r->line, r->type, config_pci_slot(r), err);
	else
		log_error("%s:%d: %s region at 0x%" PRIx64 ": %s", cfg->path,
			  r->line, r->type, r->range.base, err);
	return -1;
}

/* Puts every region on the bus in one batch: n single adds would copy
 * the region set n times. config/ already rejected overlaps, so this
 * can only run out of memory. */
static int add_regions(struct server *s, const struct mmiod_config *cfg)
{
	struct bus_item *items = calloc(cfg->nregions + 1, sizeof(*items));
	size_t bad;
	int rc;

	if (!items)
		return -1;
	for (size_t i = 0; i < cfg->nregions; i++) {
		const struct config_region *r = &cfg->regions[i];

		items[i].space = r->space;
		items[i].range = r->range;
		/* A pci entry's region is its configuration space; its
		 * device comes onto the bus behind BAR0, once programmed. */
		items[i].device =
			s->devices[i].pci
				? pci_slot_config_device(s->devices[i].pci)
				: s->devices[i].device;
		items[i].name = s->devices[i].name;
	}
	rc = bus_add_batch(s->bus, items, cfg->nregions, &bad);
	free(items);
	return rc;
}

int server_open(struct server *s, const struct mmiod_config *cfg)
{
	char err[256];

	/* Before any device opens: a fault_socket naming the guest's ram
	 * file must leave it alone. */
	if (cfg->fault_socket &&
	    fault_socket_check(cfg->fault_socket, err, sizeof(err))) {
		log_error("%s: fault_socket: %s", cfg->path, err);
		return -1;
	}
	s->bus = s->pci_services.bus = bus_create();
	s->devices = calloc(cfg->nregions + 1, sizeof(*s->devices));
	if (!s->bus || !s->devices)
		goto nomem;
	for (size_t i = 0; i < cfg->nregions; i++)
		if (open_device(s, cfg, i))
			return -1;
	if (add_regions(s, cfg))
		goto nomem;
	return 0;
nomem:
	log_error("out of memory");
	return -1;
}

int server_fit_platform(struct server *s, const struct mmiod_config *cfg,
			const struct ioreq_backend *be, const char *domain)
{
	bool hvm = ioreq_backend_hvm(be), any_pci = false, host;

	for (size_t i = 0; i < s->ndevices; i++) {
		const struct config_region *r = &cfg->regions[i];

		any_pci |= s->devices[i].pci != NULL;
		if (!s->devices[i].irq.set_level || hvm)
			continue;
		log_error("%s:%d: %s region at 0x%" PRIx64 ": irq: domain %s "
			  "is PVH and has no PIC/IOAPIC, so ISA interrupts "
			  "never arrive; put the device on PCI (pci = [...]) "
			  "to get MSI",
			  cfg->path, r->line, r->type, r->range.base, domain);
		return -1;
	}
	host = cfg->pci_host == 1 || (cfg->pci_host == -1 && any_pci && !hvm);
	if (!host)
		return 0;
	for (size_t i = 0; i < s->ndevices; i++) {
		const struct config_region *r = &cfg->regions[i];

		if (!s->devices[i].pci || config_pci_slot(r) != 0)
			continue;
		log_error("%s:%d: pci entry at slot 0: slot 0 holds the host "
			  "bridge mmiod presents for domain %s; use slot 1 "
			  "to 31%s",
			  cfg->path, r->line, domain,
			  hvm ? ", or pci_host = 0" : "");
		return -1;
	}
	s->pci_host = pci_host_open(&s->pci_services);
	return s->pci_host ? 0 : -1;
}

int server_attach(struct server *s, struct ioreq_backend *be,
		  const struct mmiod_config *cfg)
{
	s->engine = ioreq_engine_create(be, s->bus, cfg->workers);
	if (!s->engine) {
		log_error("cannot create the engine: %s", strerror(errno));
		return -1;
	}
	ioreq_engine_set_poll_us(s->engine, cfg->poll_us);
	if (ioreq_engine_start(s->engine))
		return -1;
	atomic_store(&s->be, be);
	return 0;
}

struct worker_arg {
	struct ioreq_worker *worker;
	int gate_fd, stop_fd;
};

/* Waits until the gate opens (true) or a stop comes first (false). */
static bool wait_at_gate(int gate_fd, int stop_fd)
{
	struct pollfd pfd[2] = {{.fd = gate_fd, .events = POLLIN},
				{.fd = stop_fd, .events = POLLIN}};

	while (poll(pfd, 2, -1) < 0)
		if (errno != EINTR)
			return false;
	return !pfd[1].revents;
}

/* Raw faults go through the bus like ioreqs, once the gate is open:
 * the socket listens from before the daemon is confined (it can't bind
 * later), but no fault is served until then. */
static int serve_fault(void *ctx, struct mmio_access *a)
{
	struct server *s = ctx;

	if (!atomic_load(&s->serving) && !wait_at_gate(s->gate_fd, s->stop_fd))
		return -1;
	bus_serve(s->fault_cpu, a, NULL);
	return 0; /* unmatched and failing accesses read all ones, as ioreqs */
}

static int start_faults(struct server *s, const struct mmiod_config *cfg)
{
	struct fault_limits limits = FAULT_LIMITS_DEFAULT;
	struct fault_sink sink = {serve_fault, s};

	s->fault_cpu = bus_cpu_create(s->bus);
	if (!s->fault_cpu)
		return -1;
	s->faults = fault_server_start(cfg->fault_socket, &limits, &sink);
	return s->faults ? 0 : -1;
}

static void *serve_thread(void *arg)
{
	struct worker_arg wa = *(struct worker_arg *)arg;

	free(arg);
	if (wait_at_gate(wa.gate_fd, wa.stop_fd))
		ioreq_worker_serve(wa.worker, wa.stop_fd);
	return NULL;
}

int server_spawn(struct server *s, const struct mmiod_config *cfg)
{
	unsigned nr_workers = ioreq_engine_nr_workers(s->engine);

	s->gate_fd = eventfd(0, EFD_CLOEXEC);
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	s->threads = calloc(nr_workers, sizeof(*s->threads));
	if (s->gate_fd < 0 || s->stop_fd < 0 || !s->threads) {
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
		*wa = (struct worker_arg){ioreq_engine_worker(s->engine, i),
					  s->gate_fd, s->stop_fd};
		rc = pthread_create(&s->threads[i], NULL, serve_thread, wa);
		if (rc) {
			free(wa);
			log_error("cannot start worker %u: %s", i,
				  strerror(rc));
			return -1;
		}
		s->nthreads = i + 1;
	}
	if (cfg->fault_socket && start_faults(s, cfg))
		return -1;
	return 0;
}

static void signal_fd(int fd, const char *what)
{
	uint64_t one = 1;

	if (fd >= 0 && write(fd, &one, sizeof(one)) != sizeof(one))
		log_error("cannot %s the worker threads: %s", what,
			  strerror(errno));
}

void server_serve(struct server *s)
{
	unsigned vcpus = ioreq_engine_nr_vcpus(s->engine);
	unsigned workers = ioreq_engine_nr_workers(s->engine);

	ioreq_engine_take_over(s->engine);
	atomic_store(&s->serving, true);
	signal_fd(s->gate_fd, "start");
	log_info("serving %u vCPU%s with %u worker%s", vcpus,
		 vcpus == 1 ? "" : "s", workers, workers == 1 ? "" : "s");
}

/* Joins every worker by one deadline; false, with the stuck one named,
 * when one is still in a device call then. */
static bool join_workers(struct server *s)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += STOP_TIMEOUT_MS / 1000;
	for (unsigned i = 0; i < s->nthreads; i++) {
		struct ioreq_worker *w = ioreq_engine_worker(s->engine, i);
		const char *where;

		if (pthread_timedjoin_np(s->threads[i], NULL, &deadline) == 0)
			continue;
		where = bus_cpu_in_device(ioreq_worker_cpu(w));
		log_error("stopping: worker %u is stuck in the device of %s "
			  "for %d s; exiting without it",
			  i, where ? where : "no region",
			  STOP_TIMEOUT_MS / 1000);
		return false;
	}
	return true;
}

void server_stop(struct server *s)
{
	if (s->stuck)
		return;
	if (s->nthreads)
		signal_fd(s->stop_fd, "stop");
	/* The fault socket's thread serves through the bus too: it goes
	 * before anything it could reach. */
	fault_server_stop(s->faults);
	s->faults = NULL;
	bus_cpu_destroy(s->fault_cpu);
	s->fault_cpu = NULL;
	if (!join_workers(s)) {
		s->stuck = true;
		return;
	}
	s->nthreads = 0;
	free(s->threads);
	s->threads = NULL;
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	if (s->gate_fd >= 0)
		close(s->gate_fd);
	s->stop_fd = s->gate_fd = -1;
	/* Only now, with no thread serving, is the server torn down. */
	atomic_store(&s->be, NULL);
	ioreq_engine_destroy(s->engine);
	s->engine = NULL;
}

int server_flush(struct server *s)
{
	int rc = 0;

	for (size_t i = 0; i < s->ndevices; i++) {
		struct device *dev = s->devices[i].device;
		int err;

		if (device_flush_idle(dev) == 0)
			continue;
		err = errno;
		/* Once a second: say it on the first failure, then hourly. */
		if (device_flush_failures(dev) % 3600 == 1)
			log_error("%s: flush failed (%u in a row): %s",
				  s->devices[i].name,
				  device_flush_failures(dev), strerror(err));
		rc = -1;
	}
	if (s->bus)
		bus_reclaim(s->bus);
	return rc;
}

void server_reopen(struct server *s)
{
	for (size_t i = 0; i < s->ndevices; i++)
		if (device_reopen(s->devices[i].device))
			log_error("%s: cannot reopen: %s", s->devices[i].name,
				  strerror(errno));
}

int server_close(struct server *s)
{
	int rc = 0;

	server_stop(s);
	if (s->stuck)
		return -1; /* what the stuck thread may touch stays */
	/* The functions take their BARs off the bus, the bus goes, and
	 * then the devices its regions pointed to. */
	pci_host_close(s->pci_host);
	s->pci_host = NULL;
	for (size_t i = 0; i < s->ndevices; i++) {
		pci_slot_close(s->devices[i].pci);
		s->devices[i].pci = NULL;
	}
	bus_destroy(s->bus);
	s->bus = NULL;
	for (size_t i = 0; i < s->ndevices; i++) {
		if (device_destroy(s->devices[i].device) == 0)
			continue;
		log_error("%s: final flush failed: %s", s->devices[i].name,
			  strerror(errno));
		rc = -1;
	}
	s->ndevices = 0;
	free(s->devices);
	s->devices = NULL;
	return rc;
}

void server_input_fds(struct server *s, struct pollfd *pfd)
{
	for (size_t i = 0; i < s->ndevices; i++) {
		struct server_device *d = &s->devices[i];

		pfd[i] = (struct pollfd){
			.fd = d->input_muted ? -1 : device_input_fd(d->device),
			.events = POLLIN,
		};
	}
}

void server_input(struct server *s, const struct pollfd *pfd)
{
	for (size_t i = 0; i < s->ndevices; i++) {
		if (pfd[i].fd < 0 || !pfd[i].revents)
			continue;
		/* An fd that stays readable for nothing (a hung-up pty)
		 * would spin the loop, and a loop that never sleeps in
		 * ppoll never takes its signals: mute it for the tick. */
		if (!(pfd[i].revents & POLLIN) ||
		    !device_input(s->devices[i].device))
			s->devices[i].input_muted = true;
	}
}

void server_input_unmute(struct server *s)
{
	for (size_t i = 0; i < s->ndevices; i++)
		s->devices[i].input_muted = false;
}

size_t server_ptys(const struct server *s, const char **ptys)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ndevices; i++)
		if (device_pty(s->devices[i].device))
			ptys[n++] = device_pty(s->devices[i].device);
	return n;
}

#define U(counter) ((unsigned long long)atomic_load(&(counter)))

static void print_region(void *ctx, const char *name,
			 const struct bus_region_stats *rs)
{
	fprintf(ctx,
		"region %s reads %llu writes %llu bytes %llu errors %llu\n",
		name, U(rs->reads), U(rs->writes), U(rs->bytes), U(rs->errors));
}

void server_print_stats(struct server *s, FILE *out)
{
	struct ioreq_stats st;
	struct bus_stats bs;

	if (!s->engine)
		return;
	ioreq_engine_stats(s->engine, &st);
	bus_stats(s->bus, &bs);
	fprintf(out,
		"requests %llu buffered %llu spurious %llu swept %llu "
		"polled %llu late_events %llu "
		"invalid %llu bad_pointer %llu timeoffset %llu invalidate "
		"%llu\n",
		U(st.requests), U(st.buffered), U(st.spurious), U(st.swept),
		U(st.polled), U(st.late_events), U(st.invalid),
		U(bs.bad_pointer), U(st.timeoffset), U(st.invalidate));
	for (unsigned sp = 0; sp < IO_SPACE_COUNT; sp++) {
		const struct bus_space_stats *ss = &bs.space[sp];

		fprintf(out,
			"%s reads %llu writes %llu bytes %llu unmatched %llu "
			"errors %llu\n",
			io_space_name(sp), U(ss->reads), U(ss->writes),
			U(ss->bytes), U(ss->unmatched), U(ss->errors));
	}
	ioreq_engine_print_slots(s->engine, out);
	fprintf(out, "dma reads %llu writes %llu errors %llu\n",
		U(s->dma_stats.reads), U(s->dma_stats.writes),
		U(s->dma_stats.errors));
	for (size_t i = 0; i < s->ndevices; i++)
		if (s->devices[i].pci)
			pci_slot_print_stats(s->devices[i].pci, out);
	if (s->faults)
		fault_server_print_stats(s->faults, out);
	bus_for_each_region(s->bus, print_region, out);
	fflush(out);
}
