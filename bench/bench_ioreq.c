/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_ioreq.c - ioreq round trips per second through the sim backend,
 * for 1 to 64 vCPUs, next to the floor measured the same way: the same
 * shared page and event channels answered by an empty handler, no
 * engine. The headline is engine time / floor time per round trip.
 * "bench_ioreq engine|floor N" makes only N round trips from one vCPU,
 * for bench/run to count instructions per request under callgrind. */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bench.h"
#include "common/log.h"
#include "devices/devices.h"
#include "ioreq/backend.h"
#include "common/barrier.h"
#include "ioreq/ioreq.h"
#include "bus/bus.h"
#include "sim/sim.h"

#define TOTAL 40000 /* round trips per measurement */
/* More than BENCH_REPEATS: a round trip is all wake-ups, the figure the
 * machine's load moves most. */
#define IOREQ_REPEATS 9
#define BASE 0xfe000000ull

struct guest_arg {
	struct sim *sim;
	unsigned vcpu;
	unsigned count;
};

static void *guest(void *arg)
{
	struct guest_arg *g = arg;
	struct sim_io io = {.space = IO_SPACE_MMIO,
			    .dir = IO_READ,
			    .addr = BASE + g->vcpu * 8,
			    .size = 4};

	for (unsigned i = 0; i < g->count; i++)
		if (sim_guest_io(g->sim, g->vcpu, &io))
			abort();
	return NULL;
}

/* Runs the guest's vCPUs to completion; seconds taken. */
static double drive(struct sim *sim, unsigned vcpus, unsigned total)
{
	pthread_t t[SIM_MAX_VCPUS];
	struct guest_arg a[SIM_MAX_VCPUS];
	double t0 = bench_now();

	for (unsigned v = 0; v < vcpus; v++) {
		a[v] = (struct guest_arg){sim, v, total / vcpus};
		pthread_create(&t[v], NULL, guest, &a[v]);
	}
	for (unsigned v = 0; v < vcpus; v++)
		pthread_join(t[v], NULL);
	return bench_now() - t0;
}

/* --- the floor: the protocol with nothing behind it ---------------- */

/* Local ports are small consecutive numbers on Xen, consecutive from
 * an offset on the sim: indexed by their low bits, no two collide. */
#define FLOOR_PORTS 512

struct floor_worker {
	struct ioreq_backend *be;
	struct ioreq_evtchn *ev;
	struct {
		int port;
		int vcpu;
	} by_port[FLOOR_PORTS];
	int stop_fd;
};

/* What a minimal server must do on Xen: poll, take one pending port
 * (libxenevtchn's pending read blocks unless poll said the fd is
 * readable), unmask it, answer the slot, notify. */
static void *floor_serve(void *arg)
{
	struct floor_worker *w = arg;
	const struct ioreq_backend_ops *ops = w->be->ops;
	struct pollfd pfd[2] = {{ops->evtchn_fd(w->ev), POLLIN, 0},
				{w->stop_fd, POLLIN, 0}};

	for (;;) {
		volatile ioreq_t *slot;
		int port, i;

		poll(pfd, 2, -1);
		if (pfd[1].revents)
			return NULL;
		port = ops->evtchn_pending(w->ev);
		if (port < 0)
			continue;
		ops->evtchn_unmask(w->ev, (uint32_t)port);
		i = port % FLOOR_PORTS;
		if (w->by_port[i].port != port)
			continue;
		slot = &w->be->ioreq_page->vcpu_ioreq[w->by_port[i].vcpu];
		if (slot->state != STATE_IOREQ_READY)
			continue;
		xen_rmb();
		slot->data = ~0ull;
		xen_wmb();
		slot->state = STATE_IORESP_READY;
		ops->evtchn_notify(w->ev, (uint32_t)port);
	}
}

static double run_floor(unsigned vcpus, unsigned workers, unsigned total)
{
	struct sim_options so = {vcpus, 1u << 20};
	struct sim *sim = sim_create(&so);
	struct ioreq_backend *be = ioreq_backend_sim_open(sim);
	struct floor_worker w[2];
	pthread_t t[2];
	uint64_t one = 1;
	double secs;
	int stop = eventfd(0, 0);

	be->ops->create_server(be);
	be->ops->set_enabled(be, true);
	be->ops->map_range(be, IO_SPACE_MMIO,
			   (struct range){BASE, BASE + 0xfff}, true);
	for (unsigned i = 0; i < workers; i++) {
		w[i].be = be;
		w[i].ev = be->ops->evtchn_open(be);
		w[i].stop_fd = stop;
		memset(w[i].by_port, -1, sizeof(w[i].by_port));
	}
	for (unsigned v = 0; v < vcpus; v++) {
		struct floor_worker *fw = &w[v % workers];
		int local = be->ops->evtchn_bind(
			fw->ev, be->ioreq_page->vcpu_ioreq[v].vp_eport);

		fw->by_port[local % FLOOR_PORTS].port = local;
		fw->by_port[local % FLOOR_PORTS].vcpu = (int)v;
	}
	for (unsigned i = 0; i < workers; i++)
		pthread_create(&t[i], NULL, floor_serve, &w[i]);
	secs = drive(sim, vcpus, total);
	if (write(stop, &one, sizeof(one)) != sizeof(one))
		abort();
	for (unsigned i = 0; i < workers; i++) {
		pthread_join(t[i], NULL);
		be->ops->evtchn_close(w[i].ev);
	}
	be->ops->destroy_server(be);
	ioreq_backend_close(be);
	sim_destroy(sim);
	close(stop);
	return secs;
}

/* --- the engine ------------------------------------------------------ */

struct engine_worker {
	struct ioreq_worker *worker;
	int stop_fd;
};

/* What one engine run measured besides its time: the workers' CPU time
 * while the guest ran and while it then sat idle for idle_secs. */
struct engine_cpu {
	double idle_secs; /* in: 0 for no idle phase */
	double busy;
	double idle;
};

static double threads_cpu(const pthread_t *t, unsigned n)
{
	double sum = 0;

	for (unsigned i = 0; i < n; i++) {
		struct timespec ts;
		clockid_t clock;

		if (pthread_getcpuclockid(t[i], &clock) ||
		    clock_gettime(clock, &ts))
			abort();
		sum += (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
	}
	return sum;
}

static void *engine_serve(void *arg)
{
	struct engine_worker *w = arg;

	ioreq_worker_serve(w->worker, w->stop_fd);
	return NULL;
}

static double run_engine(unsigned vcpus, unsigned workers, unsigned total,
			 unsigned poll_us, struct engine_cpu *cpu)
{
	struct sim_options so = {vcpus, 1u << 20};
	struct sim *sim = sim_create(&so);
	struct ioreq_backend *be = ioreq_backend_sim_open(sim);
	struct bus *bus = bus_create();
	struct device_args args = {.space = IO_SPACE_MMIO,
				   .range = {BASE, BASE + 0xfff}};
	struct device *ram;
	struct engine_worker w[2];
	struct ioreq_engine *e;
	pthread_t t[2];
	uint64_t one = 1;
	char err[128];
	double secs;
	int stop = eventfd(0, 0);

	ram = device_create("ram", &args, err, sizeof(err));
	if (!bus || !ram ||
	    bus_add(bus, IO_SPACE_MMIO, (struct range){BASE, BASE + 0xfff}, ram,
		    "ram"))
		abort();
	e = ioreq_engine_create(be, bus, workers);
	if (!e)
		abort();
	ioreq_engine_set_poll_us(e, poll_us);
	if (ioreq_engine_start(e))
		abort();
	ioreq_engine_take_over(e);
	for (unsigned i = 0; i < workers; i++) {
		w[i] = (struct engine_worker){ioreq_engine_worker(e, i), stop};
		pthread_create(&t[i], NULL, engine_serve, &w[i]);
	}
	secs = drive(sim, vcpus, total);
	if (cpu) {
		cpu->busy = threads_cpu(t, workers);
		nanosleep(&(struct timespec){0, (long)(cpu->idle_secs * 1e9)},
			  NULL);
		cpu->idle = threads_cpu(t, workers) - cpu->busy;
	}
	if (write(stop, &one, sizeof(one)) != sizeof(one))
		abort();
	for (unsigned i = 0; i < workers; i++)
		pthread_join(t[i], NULL);
	ioreq_engine_destroy(e);
	bus_destroy(bus);
	device_destroy(ram);
	ioreq_backend_close(be);
	sim_destroy(sim);
	close(stop);
	return secs;
}

/* poll_us = 0 against poll_us = POLL_US, interleaved, 1 vCPU: time per
 * request, the worker's CPU time per 1,000 requests, and its CPU use
 * while the guest then idles. */
#define POLL_US 50u

static void compare_polling(void)
{
	double t[2][BENCH_REPEATS], busy[2][BENCH_REPEATS],
		idle[2][BENCH_REPEATS], ratio[BENCH_REPEATS];
	static const unsigned poll_us[2] = {0, POLL_US};

	for (int r = 0; r < BENCH_REPEATS; r++) {
		for (int m = 0; m < 2; m++) {
			struct engine_cpu cpu = {.idle_secs = 0.2};

			t[m][r] = run_engine(1, 1, TOTAL, poll_us[m], &cpu);
			busy[m][r] = cpu.busy;
			idle[m][r] = cpu.idle / cpu.idle_secs;
		}
		ratio[r] = t[1][r] / t[0][r];
	}
	printf("poll_us\tus_per_req\tcpu_ms_per_1000\tidle_cpu_pct\n");
	for (int m = 0; m < 2; m++)
		printf("%u\t%.2f\t%.2f\t%.2f\n", poll_us[m],
		       bench_median(t[m], BENCH_REPEATS) * 1e6 / TOTAL,
		       bench_median(busy[m], BENCH_REPEATS) * 1e6 / TOTAL,
		       bench_median(idle[m], BENCH_REPEATS) * 100);
	printf("time per request, poll_us=%u / poll_us=0: %.3f (median)\n",
	       POLL_US, bench_median(ratio, BENCH_REPEATS));
}

int main(int argc, char **argv)
{
	static const unsigned vcpus[] = {1, 2, 4, 16, 64};

	log_set_level(LOG_LEVEL_WARN);
	if (argc > 1 && !strcmp(argv[1], "polling")) {
		compare_polling();
		return 0;
	}
	if (argc > 2) {
		unsigned n = (unsigned)atoi(argv[2]);

		if (!strcmp(argv[1], "floor"))
			run_floor(1, 1, n);
		else
			run_engine(1, 1, n, 0, NULL);
		return 0;
	}
	/* min_ratio: the least disturbed engine run over the least
	 * disturbed floor run, the steadier figure on a loaded machine. */
	printf("vcpus\tengine_per_s\tfloor_per_s\tengine/floor\tmin_ratio\n");
	for (size_t i = 0; i < sizeof(vcpus) / sizeof(vcpus[0]); i++) {
		unsigned workers = vcpus[i] == 1 ? 1 : 2;
		double eng[IOREQ_REPEATS], flo[IOREQ_REPEATS],
			ratio[IOREQ_REPEATS];

		/* Interleaved, so both see the same machine load. */
		for (int r = 0; r < IOREQ_REPEATS; r++) {
			flo[r] = run_floor(vcpus[i], workers, TOTAL);
			eng[r] = run_engine(vcpus[i], workers, TOTAL, 0, NULL);
			ratio[r] = eng[r] / flo[r];
		}
		printf("%u\t%.0f\t%.0f\t%.3f\t%.3f\n", vcpus[i],
		       TOTAL / bench_median(eng, IOREQ_REPEATS),
		       TOTAL / bench_median(flo, IOREQ_REPEATS),
		       bench_median(ratio, IOREQ_REPEATS),
		       bench_min(eng, IOREQ_REPEATS) /
			       bench_min(flo, IOREQ_REPEATS));
		fflush(stdout);
	}
	return 0;
}
