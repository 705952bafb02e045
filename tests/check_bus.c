/* SPDX-License-Identifier: BSD-2-Clause */
/* check_bus.c - specification of bus/: regions that change while they
 * are served, the device call, rep accesses and the counters. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus/bus.h"
#include "devices/devices.h"
#include "engine_fixture.h"
#include "testutil.h"

/* --- a device of the test's own: answers its offset, may act ------------ */

struct probe {
	struct device dev;
	struct bus *bus;
	bool remove_self; /* a read removes the region it was found in */
	uint64_t base;
	unsigned reads, writes;
	uint64_t last_write;
};

static int probe_read(struct device *dev, const struct device_io *io,
		      uint64_t *value)
{
	struct probe *p = (struct probe *)dev;

	p->reads++;
	if (p->remove_self)
		ck_assert_int_eq(bus_remove(p->bus, io->space, p->base), 0);
	*value = 0x1000 + io->offset;
	return 0;
}

static int probe_write(struct device *dev, const struct device_io *io,
		       uint64_t value)
{
	struct probe *p = (struct probe *)dev;

	(void)io;
	p->writes++;
	p->last_write = value;
	return 0;
}

static const struct device_ops probe_ops = {.read = probe_read,
					    .write = probe_write};

static struct bus *bus;
static struct bus_cpu *cpu;
static struct probe probe;

static void setup(void)
{
	bus = bus_create();
	ck_assert_ptr_nonnull(bus);
	cpu = bus_cpu_create(bus);
	ck_assert_ptr_nonnull(cpu);
	memset(&probe, 0, sizeof(probe));
	probe.dev = (struct device){.ops = &probe_ops, .type = "probe"};
	pthread_mutex_init(&probe.dev.lock, NULL);
	probe.bus = bus;
}

static void teardown(void)
{
	bus_cpu_destroy(cpu);
	bus_destroy(bus);
	pthread_mutex_destroy(&probe.dev.lock);
}

static struct range r(uint64_t base, uint64_t size)
{
	struct range out;

	ck_assert(range_from_size(base, size, &out));
	return out;
}

static struct mmio_access rd(enum io_space space, uint64_t addr, uint32_t size)
{
	return (struct mmio_access){.space = space,
				    .dir = IO_READ,
				    .addr = addr,
				    .size = size,
				    .count = 1};
}

START_TEST(range_refuses_empty_and_wrapping)
{
	struct range out;

	ck_assert(!range_from_size(0x1000, 0, &out));
	ck_assert(!range_from_size(UINT64_MAX, 2, &out));
	ck_assert(range_from_size(UINT64_MAX - 0xfff, 0x1000, &out));
	ck_assert_uint_eq(out.last, UINT64_MAX);
	ck_assert_uint_eq(range_size(out), 0x1000);
}
END_TEST

START_TEST(overlap_is_refused_and_missing_removal_says_so)
{
	ck_assert_int_eq(
		bus_add(bus, IO_SPACE_MMIO, r(0x1000, 0x1000), &probe.dev, "a"),
		0);
	errno = 0;
	ck_assert_int_eq(
		bus_add(bus, IO_SPACE_MMIO, r(0x1800, 0x1000), &probe.dev, "b"),
		-1);
	ck_assert_int_eq(errno, EEXIST);
	/* Another space is another address space. */
	ck_assert_int_eq(
		bus_add(bus, IO_SPACE_PIO, r(0x1800, 0x10), &probe.dev, "c"),
		0);
	errno = 0;
	ck_assert_int_eq(bus_remove(bus, IO_SPACE_MMIO, 0x1800), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(an_access_reaches_the_device_at_its_offset)
{
	struct mmio_access a = rd(IO_SPACE_MMIO, 0x1010, 4);
	struct bus_stats st;

	ck_assert_int_eq(
		bus_add(bus, IO_SPACE_MMIO, r(0x1000, 0x1000), &probe.dev, "a"),
		0);
	ck_assert_int_eq(bus_serve(cpu, &a, NULL), BUS_OK);
	ck_assert_uint_eq(a.data, 0x1010);
	a = rd(IO_SPACE_MMIO, 0x2ffe, 4); /* straddles the end */
	ck_assert_int_eq(bus_serve(cpu, &a, NULL), BUS_OK);
	ck_assert_uint_eq(a.data, 0xffffffff);
	bus_stats(bus, &st);
	ck_assert_uint_eq(st.space[IO_SPACE_MMIO].reads, 1);
	ck_assert_uint_eq(st.space[IO_SPACE_MMIO].unmatched, 1);
}
END_TEST

START_TEST(bad_size_and_count_are_refused_whole)
{
	struct mmio_access a = rd(IO_SPACE_MMIO, 0x1000, 3);

	ck_assert_int_eq(
		bus_add(bus, IO_SPACE_MMIO, r(0x1000, 0x1000), &probe.dev, "a"),
		0);
	ck_assert_int_eq(bus_serve(cpu, &a, NULL), BUS_BAD_SIZE);
	ck_assert_uint_eq(a.data, UINT64_MAX);
	a = rd(IO_SPACE_MMIO, 0x1000, 4);
	a.count = BUS_MAX_REP_COUNT + 1;
	ck_assert_int_eq(bus_serve(cpu, &a, NULL), BUS_BAD_COUNT);
	a.count = 0;
	ck_assert_int_eq(bus_serve(cpu, &a, NULL), BUS_BAD_COUNT);
	ck_assert_uint_eq(probe.reads, 0);
}
END_TEST

START_TEST(port_addresses_are_cut_to_16_bits_and_write_data_to_size)
{
	struct mmio_access a = {.space = IO_SPACE_PIO,
				.dir = IO_WRITE,
				.addr = 0xabcd0510,
				.size = 2,
				.count = 1,
				.data = 0x12345678};

	ck_assert_int_eq(
		bus_add(bus, IO_SPACE_PIO, r(0x510, 8), &probe.dev, "p"), 0);
	ck_assert_int_eq(bus_serve(cpu, &a, NULL), BUS_OK);
	ck_assert_uint_eq(probe.writes, 1);
	ck_assert_uint_eq(probe.last_write, 0x5678);
}
END_TEST

START_TEST(a_pointer_rep_without_guest_memory_is_a_bad_pointer)
{
	struct mmio_access a = rd(IO_SPACE_MMIO, 0x1000, 4);
	struct bus_stats st;

	a.count = 4;
	a.data_is_ptr = true;
	ck_assert_int_eq(
		bus_add(bus, IO_SPACE_MMIO, r(0x1000, 0x1000), &probe.dev, "a"),
		0);
	ck_assert_int_eq(bus_serve(cpu, &a, NULL), BUS_BAD_POINTER);
	bus_stats(bus, &st);
	ck_assert_uint_eq(st.bad_pointer, 1);
}
END_TEST

static unsigned heard[IO_SPACE_COUNT];
static int listener_result;

static int hear(void *ctx, enum io_space space)
{
	(void)ctx;
	heard[space]++;
	if (listener_result)
		errno = EBUSY;
	return listener_result;
}

START_TEST(the_listener_hears_every_change_and_can_refuse_an_add)
{
	const struct bus_listener l = {hear, NULL};
	struct mmio_access a = rd(IO_SPACE_MMIO, 0x1000, 4);
	size_t n;
	struct range *list;

	memset(heard, 0, sizeof(heard));
	listener_result = 0;
	bus_set_listener(bus, &l);
	ck_assert_int_eq(
		bus_add(bus, IO_SPACE_MMIO, r(0x1000, 0x1000), &probe.dev, "a"),
		0);
	ck_assert_int_eq(bus_remove(bus, IO_SPACE_MMIO, 0x1000), 0);
	ck_assert_uint_eq(heard[IO_SPACE_MMIO], 2);
	listener_result = -1;
	errno = 0;
	ck_assert_int_eq(
		bus_add(bus, IO_SPACE_MMIO, r(0x1000, 0x1000), &probe.dev, "a"),
		-1);
	ck_assert_int_eq(errno, EBUSY);
	/* Not added: the transport could not route it to us. */
	list = bus_regions(bus, IO_SPACE_MMIO, &n);
	ck_assert_uint_eq(n, 0);
	free(list);
	ck_assert_int_eq(bus_serve(cpu, &a, NULL), BUS_OK);
	ck_assert_uint_eq(a.data, 0xffffffff);
}
END_TEST

START_TEST(a_batch_names_the_item_that_overlaps)
{
	const struct bus_item items[] = {
		{IO_SPACE_MMIO, {0x1000, 0x1fff}, &probe.dev, "a"},
		{IO_SPACE_PIO, {0x1000, 0x1fff}, &probe.dev, "b"},
		{IO_SPACE_MMIO, {0x1800, 0x27ff}, &probe.dev, "c"},
	};
	size_t bad = 99;

	errno = 0;
	ck_assert_int_eq(bus_add_batch(bus, items, 3, &bad), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert(bad == 0 || bad == 2);
	ck_assert_int_eq(bus_add_batch(bus, items, 2, &bad), 0);
}
END_TEST

/* A device may change the bus from inside its own call: the region it
 * was found in goes while it is served, and the access still ends
 * well; the entry is freed only once nothing can see it (ASan checks). */
START_TEST(a_device_can_remove_its_own_region_while_serving)
{
	struct mmio_access a = rd(IO_SPACE_MMIO, 0x1004, 4);

	probe.base = 0x1000;
	probe.remove_self = true;
	ck_assert_int_eq(bus_add(bus, IO_SPACE_MMIO, r(0x1000, 0x1000),
				 &probe.dev, "self"),
			 0);
	ck_assert_int_eq(bus_serve(cpu, &a, NULL), BUS_OK);
	ck_assert_uint_eq(a.data, 0x1004);
	a = rd(IO_SPACE_MMIO, 0x1004, 4);
	ck_assert_int_eq(bus_serve(cpu, &a, NULL), BUS_OK);
	ck_assert_uint_eq(a.data, 0xffffffff);
	ck_assert_uint_eq(probe.reads, 1);
	bus_reclaim(bus);
}
END_TEST

static void count_region(void *ctx, const char *name,
			 const struct bus_region_stats *rs)
{
	unsigned *n = ctx;

	(void)rs;
	ck_assert_str_eq(name, *n == 0 ? "first" : "second");
	(*n)++;
}

START_TEST(regions_are_listed_in_the_order_added)
{
	unsigned n = 0;

	ck_assert_int_eq(bus_add(bus, IO_SPACE_MMIO, r(0x5000, 0x10),
				 &probe.dev, "first"),
			 0);
	ck_assert_int_eq(bus_add(bus, IO_SPACE_MMIO, r(0x1000, 0x10),
				 &probe.dev, "second"),
			 0);
	bus_for_each_region(bus, count_region, &n);
	ck_assert_uint_eq(n, 2);
}
END_TEST

/* --- regions that move under 64 vCPUs of load --------------------------- */

#define LOAD_VCPUS 64
#define LOAD_ROUNDS 1000
#define RAM_BASE 0xfe000000ull
#define RAM_SIZE 0x1000ull
/* The moving region touches the ram region at one place (so that Xen
 * sees one merged range, of which only its part may go) and sits apart
 * at the other. */
#define MOVE_A (RAM_BASE + RAM_SIZE)
#define MOVE_B 0xfd000000ull

/* Every reply is checked: the ram region's word is always what this
 * vCPU wrote; the moving region reads 0 (its ram) where it is and all
 * ones where it is not, never anything else. */
static void *load_loop(void *arg)
{
	struct guest_vcpu *lv = arg;
	uint64_t own = RAM_BASE + lv->vcpu * 8;

	for (unsigned i = 0; i < LOAD_ROUNDS; i++) {
		uint64_t w = (uint64_t)lv->vcpu << 48 | i, back = 0, m = 0;
		uint64_t moving = (i % 2 ? MOVE_A : MOVE_B) + lv->vcpu * 8;

		if (!guest_vcpu_io(lv, IO_SPACE_MMIO, IO_WRITE, own, 8, &w) ||
		    !guest_vcpu_io(lv, IO_SPACE_MMIO, IO_READ, own, 8, &back) ||
		    back != w ||
		    !guest_vcpu_io(lv, IO_SPACE_MMIO, IO_READ, moving, 8, &m) ||
		    (m != 0 && m != UINT64_MAX))
			lv->errors++;
	}
	return NULL;
}

START_TEST(regions_move_under_64_vcpus_of_load_every_reply_checked)
{
	struct engine_fixture g;
	struct device *moving;
	uint64_t at = MOVE_A;
	unsigned long moves = 0;
	int status = 0;
	pid_t pid;

	fixture_init(&g, LOAD_VCPUS);
	fixture_add(&g, IO_SPACE_MMIO, RAM_BASE, RAM_SIZE, "ram",
		    (const char *)NULL);
	moving = fixture_add(&g, IO_SPACE_MMIO, MOVE_A, RAM_SIZE, "ram",
			     (const char *)NULL);
	/* Fork before any thread exists: the guest is its own process. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(fixture_guest_process(g.sim, LOAD_VCPUS, load_loop));
	fixture_start(&g, 4);
	/* Move the region back and forth, as a guest reprogramming a BAR
	 * would, for as long as the guest runs. */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		uint64_t to = at == MOVE_A ? MOVE_B : MOVE_A;

		ck_assert_int_eq(bus_remove(g.bus, IO_SPACE_MMIO, at), 0);
		ck_assert_int_eq(bus_add(g.bus, IO_SPACE_MMIO,
					 (struct range){to, to + RAM_SIZE - 1},
					 moving, "moving"),
				 0);
		at = to;
		moves++;
		usleep(200);
	}
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	/* Both places were seen both ways, and the region really moved. */
	ck_assert_uint_gt(moves, 10);
	ck_assert_uint_gt(sim_unclaimed(g.sim), 0);
	ck_assert_uint_gt(fixture_stats(&g).space[IO_SPACE_MMIO].reads,
			  LOAD_VCPUS * LOAD_ROUNDS);
	/* Xen routes exactly where the region is now, and the ram region
	 * it touched at one place is still whole. */
	if (at == MOVE_A) {
		ck_assert_int_eq(bus_remove(g.bus, IO_SPACE_MMIO, at), 0);
		ck_assert_int_eq(
			bus_add(g.bus, IO_SPACE_MMIO,
				(struct range){MOVE_B, MOVE_B + RAM_SIZE - 1},
				moving, "moving"),
			0);
	}
	ck_assert_uint_eq(guest_read(&g, IO_SPACE_MMIO, MOVE_B, 8), 0);
	ck_assert_uint_eq(guest_read(&g, IO_SPACE_MMIO, MOVE_A, 8), UINT64_MAX);
	guest_write(&g, IO_SPACE_MMIO, RAM_BASE + RAM_SIZE - 8, 8, 0x5a);
	ck_assert_uint_eq(
		guest_read(&g, IO_SPACE_MMIO, RAM_BASE + RAM_SIZE - 8, 8),
		0x5a);
	fixture_fini(&g);
}
END_TEST

static Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *core = tcase_create("core");
	TCase *load = tcase_create("load");

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_test(core, range_refuses_empty_and_wrapping);
	tcase_add_test(core, overlap_is_refused_and_missing_removal_says_so);
	tcase_add_test(core, an_access_reaches_the_device_at_its_offset);
	tcase_add_test(core, bad_size_and_count_are_refused_whole);
	tcase_add_test(
		core, port_addresses_are_cut_to_16_bits_and_write_data_to_size);
	tcase_add_test(core,
		       a_pointer_rep_without_guest_memory_is_a_bad_pointer);
	tcase_add_test(core,
		       the_listener_hears_every_change_and_can_refuse_an_add);
	tcase_add_test(core, a_batch_names_the_item_that_overlaps);
	tcase_add_test(core, a_device_can_remove_its_own_region_while_serving);
	tcase_add_test(core, regions_are_listed_in_the_order_added);
	suite_add_tcase(s, core);
	tcase_set_timeout(load, 300);
	tcase_add_test(load,
		       regions_move_under_64_vcpus_of_load_every_reply_checked);
	suite_add_tcase(s, load);
	return s;
}

int main(void)
{
	return run_suite(bus_suite());
}
