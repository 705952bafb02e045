/* SPDX-License-Identifier: BSD-2-Clause */
/* check_engine.c - specification of the ioreq engine, driven through the
 * simulated hypervisor exactly as Xen drives a device model. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_fixture.h"
#include "ioreq/backend.h"
#include "testutil.h"

#define RAM_BASE 0xfe000000ull
#define RAM_SIZE 0x4000ull /* four pages */
#define PORT_BASE 0x510
#define LOW_BASE 0xa0000ull /* below 1 MiB: reachable by the buffered ring */

static struct engine_fixture f;

/* vCPU count, worker count and poll_us for the plain fixture. */
static void start_polling(unsigned vcpus, unsigned workers, unsigned poll_us)
{
	fixture_init(&f, vcpus);
	f.poll_us = poll_us;
	fixture_add(&f, IO_SPACE_MMIO, RAM_BASE, RAM_SIZE, "ram",
		    (const char *)NULL);
	fixture_add(&f, IO_SPACE_PIO, PORT_BASE, 8, "ram", (const char *)NULL);
	fixture_add(&f, IO_SPACE_MMIO, LOW_BASE, 0x1000, "ram",
		    (const char *)NULL);
	fixture_start(&f, workers);
}

static void start_default(unsigned vcpus, unsigned workers)
{
	start_polling(vcpus, workers, 0);
}

static void setup(void)
{
	start_default(2, 1);
}

static void teardown(void)
{
	fixture_fini(&f);
}

static const uint32_t sizes[] = {1, 2, 4, 8};

START_TEST(mmio_write_then_read_every_size)
{
	uint32_t size = sizes[_i];
	uint64_t value = 0x8877665544332211ull & access_mask(size);
	struct fixture_counts s;

	guest_write(&f, IO_SPACE_MMIO, RAM_BASE + 0x10, size, value);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, RAM_BASE + 0x10, size),
			  value);
	s = fixture_stats(&f);
	ck_assert_uint_eq(s.space[IO_SPACE_MMIO].writes, 1);
	ck_assert_uint_eq(s.space[IO_SPACE_MMIO].reads, 1);
	ck_assert_uint_eq(s.space[IO_SPACE_MMIO].bytes, 2 * size);
	ck_assert_uint_eq(fixture_region(&f, 0).writes, 1);
}
END_TEST

START_TEST(pio_write_then_read_every_size)
{
	uint32_t size = sizes[_i];
	uint64_t value = 0xf1e2d3c4b5a69788ull & access_mask(size);

	guest_write(&f, IO_SPACE_PIO, PORT_BASE, size, value);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_PIO, PORT_BASE, size), value);
	ck_assert_uint_eq(fixture_stats(&f).space[IO_SPACE_PIO].reads, 1);
}
END_TEST

START_TEST(write_data_is_masked_to_the_size)
{
	ioreq_t req = {.addr = RAM_BASE,
		       .data = 0xffffffffffffff5aull,
		       .count = 1,
		       .size = 1,
		       .state = STATE_IOREQ_READY,
		       .dir = IOREQ_WRITE,
		       .type = IOREQ_TYPE_COPY};

	guest_write(&f, IO_SPACE_MMIO, RAM_BASE, 8, 0);
	guest_raw(&f, 0, &req);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, RAM_BASE, 8), 0x5a);
}
END_TEST

START_TEST(port_addresses_are_clamped_to_16_bits)
{
	ioreq_t req = {.addr = 0xabcd0000ull | PORT_BASE,
		       .data = 0x42,
		       .count = 1,
		       .size = 1,
		       .state = STATE_IOREQ_READY,
		       .dir = IOREQ_WRITE,
		       .type = IOREQ_TYPE_PIO};

	guest_raw(&f, 0, &req);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_PIO, PORT_BASE, 1), 0x42);
}
END_TEST

START_TEST(unaligned_access_crossing_a_page_is_split_and_served)
{
	uint64_t addr = RAM_BASE + 0x1000 - 3;

	guest_write(&f, IO_SPACE_MMIO, addr, 8, 0x0807060504030201ull);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, addr, 8),
			  0x0807060504030201ull);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, RAM_BASE + 0x1000, 1),
			  0x04);
}
END_TEST

START_TEST(pci_config_requests_reach_the_pci_region)
{
	/* 0000:00:03.0 is SBDF 0x18; config register 0x10. */
	uint64_t base = 0x18ull << 32;
	ioreq_t w = {.addr = base | 0x10,
		     .data = 0xfebf0000,
		     .count = 1,
		     .size = 4,
		     .state = STATE_IOREQ_READY,
		     .dir = IOREQ_WRITE,
		     .type = IOREQ_TYPE_PCI_CONFIG};
	ioreq_t r = w;

	fixture_fini(&f);
	fixture_init(&f, 1);
	fixture_add(&f, IO_SPACE_PCI, base, 256, "ram", (const char *)NULL);
	fixture_start(&f, 1);
	guest_raw(&f, 0, &w);
	r.dir = IOREQ_READ;
	r.data = 0;
	ck_assert_uint_eq(guest_raw(&f, 0, &r), 0xfebf0000);
	ck_assert_uint_eq(fixture_stats(&f).space[IO_SPACE_PCI].writes, 1);
}
END_TEST

START_TEST(access_to_no_region_reads_all_ones_and_drops_writes)
{
	ioreq_t req = {.addr = RAM_BASE + RAM_SIZE,
		       .count = 1,
		       .size = 4,
		       .state = STATE_IOREQ_READY,
		       .dir = IOREQ_READ,
		       .type = IOREQ_TYPE_COPY};

	ck_assert_uint_eq(guest_raw(&f, 0, &req) & 0xffffffff, 0xffffffff);
	req.dir = IOREQ_WRITE;
	req.data = 1;
	guest_raw(&f, 0, &req);
	ck_assert_uint_eq(fixture_stats(&f).space[IO_SPACE_MMIO].unmatched, 2);
}
END_TEST

START_TEST(access_straddling_a_region_end_is_unmatched)
{
	ioreq_t req = {.addr = RAM_BASE + RAM_SIZE - 2,
		       .count = 1,
		       .size = 4,
		       .state = STATE_IOREQ_READY,
		       .dir = IOREQ_READ,
		       .type = IOREQ_TYPE_COPY};

	ck_assert_uint_eq(guest_raw(&f, 0, &req) & 0xffffffff, 0xffffffff);
	ck_assert_uint_eq(fixture_stats(&f).space[IO_SPACE_MMIO].unmatched, 1);
}
END_TEST

START_TEST(unclaimed_access_is_answered_by_xen_not_sent)
{
	/* Outside every claimed range: the simulated Xen answers itself. */
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, 0xd0000000, 4),
			  0xffffffff);
	ck_assert_uint_eq(fixture_stats(&f).requests, 0);
	ck_assert_uint_eq(sim_unclaimed(f.sim), 1);
}
END_TEST

/* rep stos: one value, count elements, upwards or downwards. */
START_TEST(rep_write_without_pointer_fills_every_element)
{
	bool df = _i;
	uint64_t start = df ? RAM_BASE + 0x100 + 15 * 4 : RAM_BASE + 0x100;
	struct sim_io io = {.space = IO_SPACE_MMIO,
			    .dir = IO_WRITE,
			    .addr = start,
			    .size = 4,
			    .count = 16,
			    .df = df,
			    .data = 0xa5a5a5a5};

	ck_assert_int_eq(sim_guest_io(f.sim, 0, &io), 0);
	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO,
					     RAM_BASE + 0x100 + i * 4, 4),
				  0xa5a5a5a5);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, RAM_BASE + 0x140, 4),
			  0);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, RAM_BASE + 0xfc, 4), 0);
}
END_TEST

/* rep movs from guest RAM to the device, and back, in both directions:
 * addr and data name the first element (the highest one when df). */
START_TEST(rep_with_pointer_copies_between_guest_ram_and_device)
{
	bool df = _i;
	uint8_t *ram = sim_guest_ram(f.sim);
	const unsigned n = 32, size = 2;
	uint64_t dev_lo = RAM_BASE + 0x200, gpa_lo = 0x3000;
	struct sim_io io = {.space = IO_SPACE_MMIO,
			    .dir = IO_WRITE,
			    .size = size,
			    .count = n,
			    .df = df,
			    .data_is_ptr = true};

	for (unsigned i = 0; i < n * size; i++)
		ram[gpa_lo + i] = (uint8_t)(i * 7 + 1);
	io.addr = df ? dev_lo + (n - 1) * size : dev_lo;
	io.data = df ? gpa_lo + (n - 1) * size : gpa_lo;
	ck_assert_int_eq(sim_guest_io(f.sim, 0, &io), 0);
	for (unsigned i = 0; i < n * size; i++)
		ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, dev_lo + i, 1),
				  (uint8_t)(i * 7 + 1));

	/* And back into a different RAM area. */
	io.dir = IO_READ;
	io.data = df ? 0x5000 + (n - 1) * size : 0x5000;
	ck_assert_int_eq(sim_guest_io(f.sim, 0, &io), 0);
	ck_assert_int_eq(memcmp(ram + 0x5000, ram + gpa_lo, n * size), 0);
}
END_TEST

START_TEST(rep_element_straddling_a_guest_page_is_copied_whole)
{
	uint8_t *ram = sim_guest_ram(f.sim);
	struct sim_io io = {.space = IO_SPACE_MMIO,
			    .dir = IO_WRITE,
			    .addr = RAM_BASE,
			    .size = 8,
			    .count = 2,
			    .data_is_ptr = true,
			    .data = 0x1ffc};

	for (unsigned i = 0; i < 16; i++)
		ram[0x1ffc + i] = (uint8_t)(0x10 + i);
	ck_assert_int_eq(sim_guest_io(f.sim, 0, &io), 0);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, RAM_BASE, 8),
			  0x1716151413121110ull);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, RAM_BASE + 8, 8),
			  0x1f1e1d1c1b1a1918ull);
}
END_TEST

START_TEST(rep_on_a_port_does_not_stride_the_port)
{
	uint8_t *ram = sim_guest_ram(f.sim);
	struct sim_io io = {.space = IO_SPACE_PIO,
			    .dir = IO_WRITE,
			    .addr = PORT_BASE,
			    .size = 1,
			    .count = 4,
			    .data_is_ptr = true,
			    .data = 0x6000};

	memcpy(ram + 0x6000, "\x01\x02\x03\x04", 4);
	guest_write(&f, IO_SPACE_PIO, PORT_BASE, 4, 0);
	ck_assert_int_eq(sim_guest_io(f.sim, 0, &io), 0);
	/* Every element went to the same port: the last one stays. */
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_PIO, PORT_BASE, 4), 0x04);

	/* rep ins reads the same port count times into RAM. */
	io.dir = IO_READ;
	io.data = 0x7000;
	ck_assert_int_eq(sim_guest_io(f.sim, 0, &io), 0);
	ck_assert_int_eq(memcmp(ram + 0x7000, "\x04\x04\x04\x04", 4), 0);
}
END_TEST

START_TEST(buffered_writes_are_applied_in_order_across_the_ring_wrap)
{
	/* 700 8-byte writes (1,400 slots) wrap the 511-slot ring more than
	 * twice, and put 8-byte pairs across the wrap point. */
	for (uint64_t i = 0; i < 700; i++)
		ck_assert_int_eq(
			sim_guest_buffered_write(f.sim, IO_SPACE_MMIO,
						 LOW_BASE + (i % 16) * 8, 8,
						 i << 32 | (i ^ 0xffff)),
			0);
	/* A synchronous request drains the ring before it is served. */
	for (uint64_t i = 700 - 16; i < 700; i++)
		ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO,
					     LOW_BASE + (i % 16) * 8, 8),
				  i << 32 | (i ^ 0xffff));
	ck_assert_uint_eq(fixture_stats(&f).buffered, 700);
	ck_assert_uint_eq(fixture_stats(&f).invalid, 0);
}
END_TEST

START_TEST(buffered_writes_of_every_size)
{
	for (unsigned i = 0; i < 4; i++)
		ck_assert_int_eq(sim_guest_buffered_write(
					 f.sim, IO_SPACE_MMIO,
					 LOW_BASE + 0x100 + i * 8, sizes[i],
					 0x1122334455667788ull),
				 0);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO,
					     LOW_BASE + 0x100 + i * 8, 8),
				  0x1122334455667788ull &
					  access_mask(sizes[i]));
}
END_TEST

START_TEST(timeoffset_and_invalidate_complete_without_dispatch)
{
	ioreq_t req = {.state = STATE_IOREQ_READY,
		       .type = IOREQ_TYPE_TIMEOFFSET,
		       .data = 12345};
	struct fixture_counts s;

	guest_raw(&f, 0, &req);
	req.type = IOREQ_TYPE_INVALIDATE;
	req.count = 0; /* as Xen sends it */
	guest_raw(&f, 1, &req);
	s = fixture_stats(&f);
	ck_assert_uint_eq(s.timeoffset, 1);
	ck_assert_uint_eq(s.invalidate, 1);
	ck_assert_uint_eq(s.requests, 2);
	ck_assert_uint_eq(s.space[IO_SPACE_MMIO].reads +
				  s.space[IO_SPACE_MMIO].writes,
			  0);
}
END_TEST

/* --- misbehaviour: the engine survives, counts, completes, and serves the
 * well-formed requests around it. */

static void expect_still_serving(void)
{
	guest_write(&f, IO_SPACE_MMIO, RAM_BASE + 0x40, 4, 0x600dcafe);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, RAM_BASE + 0x40, 4),
			  0x600dcafe);
}

START_TEST(spurious_events_are_counted_and_ignored)
{
	uint64_t before = fixture_stats(&f).spurious;

	for (int i = 0; i < 10; i++)
		sim_misbehave_notify(f.sim, 1);
	expect_still_serving();
	/* The worker may coalesce events; at least one was seen. */
	ck_assert_uint_gt(fixture_stats(&f).spurious, before);
}
END_TEST

START_TEST(request_without_its_event_is_swept_up)
{
	ioreq_t req = {.addr = RAM_BASE + 0x80,
		       .data = 0x1,
		       .count = 1,
		       .size = 4,
		       .state = STATE_IOREQ_READY,
		       .dir = IOREQ_WRITE,
		       .type = IOREQ_TYPE_COPY};

	/* Served normally first: the event Xen raises when a port is bound
	 * is taken by then, and can't serve the lost one. */
	ck_assert_int_eq(sim_misbehave_raw_request(f.sim, 1, &req, NULL), 0);
	req.data = 0x5eeded;
	ck_assert_int_eq(sim_misbehave_lost_event(f.sim, 1, &req, NULL), 0);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, RAM_BASE + 0x80, 4),
			  0x5eeded);
	ck_assert_uint_eq(fixture_stats(&f).swept, 1);
}
END_TEST

START_TEST(slots_not_idle_are_listed)
{
	volatile ioreq_t *slot = sim_misbehave_slot(f.sim, 1);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	slot->state = STATE_IOREQ_INPROCESS;
	ioreq_engine_print_slots(f.engine, out);
	slot->state = STATE_IOREQ_NONE;
	ioreq_engine_print_slots(f.engine, out);
	fclose(out);
	ck_assert_str_eq(text, "slots 1:inprocess\nslots\n");
	free(text);
}
END_TEST

START_TEST(slot_in_the_wrong_state_is_not_served)
{
	ioreq_t req = {.addr = RAM_BASE,
		       .data = 0xbad,
		       .count = 1,
		       .size = 4,
		       .state = STATE_IOREQ_INPROCESS,
		       .dir = IOREQ_WRITE,
		       .type = IOREQ_TYPE_COPY};
	uint64_t before = fixture_stats(&f).spurious;

	ck_assert_int_eq(sim_misbehave_raw_request(f.sim, 0, &req, NULL), 0);
	req.state = STATE_IORESP_READY;
	ck_assert_int_eq(sim_misbehave_raw_request(f.sim, 1, &req, NULL), 0);
	/* The slots were left alone: neither write reached the device. */
	expect_still_serving();
	ck_assert_uint_ne(guest_read(&f, IO_SPACE_MMIO, RAM_BASE, 4), 0xbad);
	ck_assert_uint_ge(fixture_stats(&f).spurious, before + 1);
}
END_TEST

static const uint32_t bad_sizes[] = {0, 3, 5, 16, 0xffffffff};

START_TEST(invalid_size_gets_an_error_reply)
{
	ioreq_t req = {.addr = RAM_BASE,
		       .count = 1,
		       .size = bad_sizes[_i],
		       .state = STATE_IOREQ_READY,
		       .dir = IOREQ_READ,
		       .type = IOREQ_TYPE_COPY};

	ck_assert_uint_eq(guest_raw(&f, 0, &req), UINT64_MAX);
	ck_assert_uint_eq(fixture_stats(&f).invalid, 1);
	expect_still_serving();
}
END_TEST

START_TEST(absurd_count_gets_an_error_reply)
{
	ioreq_t req = {.addr = RAM_BASE,
		       .count = 0xffffffff,
		       .size = 4,
		       .state = STATE_IOREQ_READY,
		       .dir = IOREQ_WRITE,
		       .type = IOREQ_TYPE_COPY,
		       .data_is_ptr = 1};

	guest_raw(&f, 0, &req);
	req.count = 0;
	guest_raw(&f, 0, &req);
	ck_assert_uint_eq(fixture_stats(&f).invalid, 2);
	ck_assert_uint_eq(fixture_region(&f, 0).writes, 0);
	expect_still_serving();
}
END_TEST

START_TEST(unknown_type_gets_an_error_reply)
{
	ioreq_t req = {.addr = RAM_BASE,
		       .count = 1,
		       .size = 4,
		       .state = STATE_IOREQ_READY,
		       .dir = IOREQ_READ,
		       .type = 0x77};

	ck_assert_uint_eq(guest_raw(&f, 0, &req), UINT64_MAX);
	ck_assert_uint_eq(fixture_stats(&f).invalid, 1);
	expect_still_serving();
}
END_TEST

static const uint64_t bad_pointers[] = {
	FIXTURE_RAM_SIZE,     /* just past the end */
	FIXTURE_RAM_SIZE - 4, /* element 1 past the end */
	UINT64_MAX - 3,	      /* wraps */
	0xdead000000000000ull,
};

START_TEST(guest_pointer_outside_guest_ram_stops_the_rep)
{
	ioreq_t req = {.addr = RAM_BASE + 0x80,
		       .count = 4,
		       .size = 8,
		       .state = STATE_IOREQ_READY,
		       .dir = IOREQ_READ,
		       .type = IOREQ_TYPE_COPY,
		       .data_is_ptr = 1,
		       .data = bad_pointers[_i]};

	guest_raw(&f, 0, &req);
	req.dir = IOREQ_WRITE;
	guest_raw(&f, 0, &req);
	ck_assert_uint_eq(fixture_stats(&f).bad_pointer, 2);
	expect_still_serving();
}
END_TEST

START_TEST(write_pointer_jumping_past_the_ring_is_skipped)
{
	buf_ioreq_t slot = {.type = IOREQ_TYPE_COPY,
			    .size = 2,
			    .addr = LOW_BASE,
			    .data = 0xbad};

	sim_misbehave_buffered(f.sim, &slot, 1, IOREQ_BUFFER_SLOT_NUM + 5);
	expect_still_serving();
	ck_assert_uint_eq(fixture_stats(&f).invalid, 1);
	ck_assert_uint_ne(guest_read(&f, IO_SPACE_MMIO, LOW_BASE, 4), 0xbad);
	/* The ring works again afterwards. */
	ck_assert_int_eq(sim_guest_buffered_write(f.sim, IO_SPACE_MMIO,
						  LOW_BASE, 4, 0x900d),
			 0);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, LOW_BASE, 4), 0x900d);
}
END_TEST

START_TEST(buffered_read_and_half_qword_are_dropped)
{
	buf_ioreq_t slots[2] = {
		{.type = IOREQ_TYPE_COPY,
		 .dir = IOREQ_READ,
		 .size = 2,
		 .addr = LOW_BASE},
		{.type = IOREQ_TYPE_COPY,
		 .size = 3,
		 .addr = LOW_BASE,
		 .data = 0xbad},
	};

	sim_misbehave_buffered(f.sim, slots, 2, 2);
	expect_still_serving();
	ck_assert_uint_eq(fixture_stats(&f).invalid, 2);
	ck_assert_uint_eq(guest_read(&f, IO_SPACE_MMIO, LOW_BASE, 8), 0);
}
END_TEST

/* --- concurrency: a guest in its own process, 64 vCPUs. */

#define CONC_VCPUS 64
/* A write and a read per round: at least 1,000,000 requests in all. */
#define CONC_ROUNDS ((1000000 + 2 * CONC_VCPUS - 1) / (2 * CONC_VCPUS))
#define CONC_REQUESTS (2 * CONC_VCPUS * CONC_ROUNDS)

/* Each vCPU writes then reads back its own 8 bytes: every reply is
 * checked against what the ram device must hold. */
static void *vcpu_loop(void *arg)
{
	struct guest_vcpu *va = arg;
	uint64_t addr = RAM_BASE + va->vcpu * 8;

	for (unsigned i = 0; i < CONC_ROUNDS; i++) {
		uint64_t value = (uint64_t)va->vcpu << 48 | i;
		struct sim_io w = {.space = IO_SPACE_MMIO,
				   .dir = IO_WRITE,
				   .addr = addr,
				   .size = 8,
				   .data = value};
		struct sim_io r = {.space = IO_SPACE_MMIO,
				   .dir = IO_READ,
				   .addr = addr,
				   .size = 8};

		if (sim_guest_io(va->sim, va->vcpu, &w) ||
		    sim_guest_io(va->sim, va->vcpu, &r) || r.data != value)
			va->errors++;
	}
	return NULL;
}

/* Runs the 64 vCPUs' loop in a guest process against 4 workers that
 * spin for poll_us; the counters once every reply checked out. */
static struct fixture_counts run_many_vcpus(unsigned poll_us)
{
	struct engine_fixture g;
	struct fixture_counts s;
	int status;
	pid_t pid;

	fixture_init(&g, CONC_VCPUS);
	g.poll_us = poll_us;
	fixture_add(&g, IO_SPACE_MMIO, RAM_BASE, RAM_SIZE, "ram",
		    (const char *)NULL);
	/* Fork before any thread exists: the guest is its own process. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(fixture_guest_process(g.sim, CONC_VCPUS, vcpu_loop));
	fixture_start(&g, 4);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	s = fixture_stats(&g);
	ck_assert_uint_eq(s.requests, CONC_REQUESTS);
	ck_assert_uint_eq(s.space[IO_SPACE_MMIO].reads, CONC_REQUESTS / 2);
	ck_assert_uint_eq(s.invalid + s.bad_pointer, 0);
	fixture_fini(&g);
	return s;
}

START_TEST(many_vcpus_in_a_separate_process_get_correct_replies)
{
	run_many_vcpus(0);
}
END_TEST

/* --- adaptive polling (poll_us) ------------------------------------------ */

/* Far longer than any test: only a request or a stop ends the spin. */
#define LONG_SPIN_US 60000000u

/* A request whose event never comes is served at once by a worker that
 * is spinning, not a second later by the idle sweep. */
START_TEST(request_served_by_polling_counts_as_polled)
{
	ioreq_t req = {.addr = RAM_BASE + 0x80,
		       .data = 0x5eeded,
		       .count = 1,
		       .size = 4,
		       .state = STATE_IOREQ_READY,
		       .dir = IOREQ_WRITE,
		       .type = IOREQ_TYPE_COPY};
	struct fixture_counts s;

	start_polling(1, 1, LONG_SPIN_US);
	guest_write(&f, IO_SPACE_MMIO, RAM_BASE + 0x80, 4, 1);
	ck_assert_int_eq(sim_misbehave_lost_event(f.sim, 0, &req, NULL), 0);
	s = fixture_stats(&f);
	ck_assert_uint_eq(s.polled, 1);
	ck_assert_uint_eq(s.swept, 0);
	ck_assert_uint_eq(s.requests, 2);
	ck_assert_uint_eq(fixture_region(&f, 0).writes, 2);
	fixture_fini(&f);
}
END_TEST

/* The spin must not hold up a stop, with or without requests coming. */
START_TEST(stop_during_a_spin_ends_it)
{
	start_polling(1, 1, LONG_SPIN_US);
	guest_write(&f, IO_SPACE_MMIO, RAM_BASE, 4, 1);
	/* The worker spins now; the tcase's timeout fails a stuck stop. */
	fixture_fini(&f);
}
END_TEST

/* Every request of 64 vCPUs is served exactly once, whether the spin or
 * its event got to it first, and the events that come for requests the
 * spin served are not taken for spurious ones. */
START_TEST(polling_serves_nothing_twice_under_64_vcpus)
{
	struct fixture_counts s = run_many_vcpus(50);

	/* Binding a port raises one event (as on Xen): at most one each. */
	ck_assert_uint_le(s.spurious, CONC_VCPUS);
	ck_assert_uint_le(s.late_events, s.polled);
}
END_TEST

/* --- taking over a killed predecessor's server (Xen's order) ------------ */

#define STALE_PORT_BASE 100  /* remote ports of the stale server's slots */
#define STALE_LOCAL_BASE 900 /* local ports the fake binds them to */

/* shared_iopage_t declares one slot; the page holds 128. */
static union {
	shared_iopage_t page;
	ioreq_t slots[4096 / sizeof(ioreq_t)];
} stale;
static const struct ioreq_backend_ops *real_ops;
static struct ioreq_backend_ops takeover_ops;
static unsigned stale_destroyed, stale_notified;

static shared_iopage_t *fake_stale_map(struct ioreq_backend *be, int *id)
{
	(void)be;
	*id = 7;
	return stale_destroyed ? NULL : &stale.page;
}

static int fake_stale_destroy(struct ioreq_backend *be, shared_iopage_t *page)
{
	(void)be;
	ck_assert_ptr_eq(page, &stale.page);
	stale_destroyed++;
	return 0;
}

static int fake_bind(struct ioreq_evtchn *ev, uint32_t remote)
{
	if (remote < STALE_PORT_BASE)
		return real_ops->evtchn_bind(ev, remote);
	return (int)(remote - STALE_PORT_BASE + STALE_LOCAL_BASE);
}

/* Xen's side of a notification on a stale port: the vCPU takes its
 * answer, and the slot goes back to NONE. */
static int fake_notify(struct ioreq_evtchn *ev, uint32_t port)
{
	ioreq_t *slot;

	if (port < STALE_LOCAL_BASE)
		return real_ops->evtchn_notify(ev, port);
	slot = &stale.slots[port - STALE_LOCAL_BASE];
	ck_assert_uint_eq(slot->state, STATE_IORESP_READY);
	slot->state = STATE_IOREQ_NONE;
	stale_notified++;
	return 0;
}

static void stale_slot(unsigned v, uint8_t state, uint8_t dir, uint64_t addr,
		       uint64_t data)
{
	stale.slots[v] = (ioreq_t){.addr = addr,
				   .data = data,
				   .count = 1,
				   .size = 4,
				   .vp_eport = STALE_PORT_BASE + v,
				   .state = state,
				   .dir = dir,
				   .type = IOREQ_TYPE_COPY};
}

START_TEST(restart_answers_what_waits_in_the_stale_server)
{
	fixture_init(&f, 4);
	fixture_add(&f, IO_SPACE_MMIO, RAM_BASE, RAM_SIZE, "ram",
		    (const char *)NULL);
	f.be = ioreq_backend_sim_open(f.sim);
	ck_assert_ptr_nonnull(f.be);
	real_ops = f.be->ops;
	takeover_ops = *real_ops;
	takeover_ops.stale_map = fake_stale_map;
	takeover_ops.stale_destroy = fake_stale_destroy;
	takeover_ops.evtchn_bind = fake_bind;
	takeover_ops.evtchn_notify = fake_notify;
	f.be->ops = &takeover_ops;
	memset(&stale, 0, sizeof(stale));
	stale_destroyed = stale_notified = 0;
	/* vCPU 0 waits on a write, 1 on a read of that write's address...
	 * served in slot order, so the read sees the write; 2's request was
	 * taken by the killed mmiod; 3 has nothing pending. */
	stale_slot(0, STATE_IOREQ_READY, IOREQ_WRITE, RAM_BASE + 0x40,
		   0xc0ffee11);
	stale_slot(1, STATE_IOREQ_READY, IOREQ_READ, RAM_BASE + 0x40, 0);
	stale_slot(2, STATE_IOREQ_INPROCESS, IOREQ_WRITE, RAM_BASE + 0x44,
		   0x22);
	stale_slot(3, STATE_IOREQ_NONE, IOREQ_WRITE, RAM_BASE + 0x48, 0x33);

	f.engine = ioreq_engine_create(f.be, f.bus, 1);
	ck_assert_ptr_nonnull(f.engine);
	ck_assert_int_eq(ioreq_engine_start(f.engine), 0);
	/* Nothing is served before the daemon says so. */
	ck_assert_uint_eq(stale_notified, 0);
	ck_assert_uint_eq(stale.slots[1].data, 0);
	ioreq_engine_take_over(f.engine);

	ck_assert_uint_eq(stale_notified, 3);
	ck_assert_uint_eq(stale_destroyed, 1);
	ck_assert_uint_eq(stale.slots[1].data, 0xc0ffee11);
	ck_assert_uint_eq(stale.slots[3].state, STATE_IOREQ_NONE);
	fixture_fini(&f);
}
END_TEST

static uint64_t read_in_thread_result;

static void *read_in_thread(void *arg)
{
	(void)arg;
	read_in_thread_result =
		guest_read(&f, IO_SPACE_MMIO, RAM_BASE + 0x20, 4);
	return NULL;
}

/* A request that arrives after the workers stopped is answered by the
 * stop itself, and the stop waits for the vCPU to take the answer. */
START_TEST(stop_answers_a_request_no_worker_will_serve)
{
	volatile ioreq_t *slot;
	uint64_t one = 1;
	pthread_t guest;

	start_default(1, 1);
	guest_write(&f, IO_SPACE_MMIO, RAM_BASE + 0x20, 4, 0xabcd1234);
	ck_assert_int_eq(write(f.stop_fd, &one, sizeof(one)), 8);
	pthread_join(f.threads[0], NULL);
	close(f.stop_fd);
	f.stop_fd = -1;

	slot = &f.be->ioreq_page->vcpu_ioreq[0];
	ck_assert_int_eq(pthread_create(&guest, NULL, read_in_thread, NULL), 0);
	for (int ms = 0; ms < 2000 && slot->state != STATE_IOREQ_READY; ms++)
		usleep(1000);
	ck_assert_uint_eq(slot->state, STATE_IOREQ_READY);
	ioreq_engine_stop(f.engine);
	/* Taken before the stop returned, not merely answered. */
	ck_assert_uint_eq(slot->state, STATE_IOREQ_NONE);
	pthread_join(guest, NULL);
	ck_assert_uint_eq(read_in_thread_result, 0xabcd1234);
	fixture_fini(&f);
}
END_TEST

static void *write_in_thread(void *arg)
{
	(void)arg;
	guest_write(&f, IO_SPACE_MMIO, RAM_BASE + 0x30, 4, 0x5ca1ab1e);
	return NULL;
}

/* A daemon that stops before it began serving (a failed confinement)
 * still answers what waits, so the vCPU goes on, but no device sees it:
 * devices meet guest input only once the daemon is confined. */
START_TEST(stop_before_serving_answers_without_a_device)
{
	struct device_io io = {.space = IO_SPACE_MMIO,
			       .addr = RAM_BASE + 0x30,
			       .offset = 0x30,
			       .size = 4};
	volatile ioreq_t *slot;
	uint64_t value = 1;
	pthread_t guest;

	fixture_init(&f, 1);
	fixture_add(&f, IO_SPACE_MMIO, RAM_BASE, RAM_SIZE, "ram",
		    (const char *)NULL);
	f.be = ioreq_backend_sim_open(f.sim);
	ck_assert_ptr_nonnull(f.be);
	f.engine = ioreq_engine_create(f.be, f.bus, 1);
	ck_assert_ptr_nonnull(f.engine);
	ck_assert_int_eq(ioreq_engine_start(f.engine), 0);
	sim_hv_unpause(f.sim);
	slot = &f.be->ioreq_page->vcpu_ioreq[0];
	ck_assert_int_eq(pthread_create(&guest, NULL, write_in_thread, NULL),
			 0);
	for (int ms = 0; ms < 2000 && slot->state != STATE_IOREQ_READY; ms++)
		usleep(1000);
	ck_assert_uint_eq(slot->state, STATE_IOREQ_READY);
	ioreq_engine_stop(f.engine);
	pthread_join(guest, NULL);
	ck_assert_int_eq(device_read(f.devices[0], &io, &value), 0);
	ck_assert_uint_eq(value, 0);
	fixture_fini(&f);
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *proto = tcase_create("protocol");
	TCase *bad = tcase_create("misbehaviour");
	TCase *conc = tcase_create("concurrency");
	TCase *polling = tcase_create("polling");
	TCase *takeover = tcase_create("takeover");

	tcase_add_checked_fixture(proto, setup, teardown);
	tcase_add_loop_test(proto, mmio_write_then_read_every_size, 0, 4);
	tcase_add_loop_test(proto, pio_write_then_read_every_size, 0, 4);
	tcase_add_test(proto, write_data_is_masked_to_the_size);
	tcase_add_test(proto, port_addresses_are_clamped_to_16_bits);
	tcase_add_test(proto,
		       unaligned_access_crossing_a_page_is_split_and_served);
	tcase_add_test(proto, pci_config_requests_reach_the_pci_region);
	tcase_add_test(proto,
		       access_to_no_region_reads_all_ones_and_drops_writes);
	tcase_add_test(proto, access_straddling_a_region_end_is_unmatched);
	tcase_add_test(proto, unclaimed_access_is_answered_by_xen_not_sent);
	tcase_add_loop_test(
		proto, rep_write_without_pointer_fills_every_element, 0, 2);
	tcase_add_loop_test(
		proto, rep_with_pointer_copies_between_guest_ram_and_device, 0,
		2);
	tcase_add_test(proto,
		       rep_element_straddling_a_guest_page_is_copied_whole);
	tcase_add_test(proto, rep_on_a_port_does_not_stride_the_port);
	tcase_add_test(
		proto,
		buffered_writes_are_applied_in_order_across_the_ring_wrap);
	tcase_add_test(proto, buffered_writes_of_every_size);
	tcase_add_test(proto,
		       timeoffset_and_invalidate_complete_without_dispatch);
	suite_add_tcase(s, proto);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(bad, spurious_events_are_counted_and_ignored);
	tcase_add_test(bad, request_without_its_event_is_swept_up);
	tcase_add_test(bad, slots_not_idle_are_listed);
	tcase_add_test(bad, slot_in_the_wrong_state_is_not_served);
	tcase_add_loop_test(bad, invalid_size_gets_an_error_reply, 0,
			    sizeof(bad_sizes) / sizeof(bad_sizes[0]));
	tcase_add_test(bad, absurd_count_gets_an_error_reply);
	tcase_add_test(bad, unknown_type_gets_an_error_reply);
	tcase_add_loop_test(bad, guest_pointer_outside_guest_ram_stops_the_rep,
			    0, sizeof(bad_pointers) / sizeof(bad_pointers[0]));
	tcase_add_test(bad, write_pointer_jumping_past_the_ring_is_skipped);
	tcase_add_test(bad, buffered_read_and_half_qword_are_dropped);
	suite_add_tcase(s, bad);

	tcase_add_test(conc,
		       many_vcpus_in_a_separate_process_get_correct_replies);
	tcase_add_test(conc, polling_serves_nothing_twice_under_64_vcpus);
	tcase_set_timeout(conc, 300);
	suite_add_tcase(s, conc);

	tcase_add_test(polling, request_served_by_polling_counts_as_polled);
	tcase_add_test(polling, stop_during_a_spin_ends_it);
	/* A spin that ignores the stop lasts LONG_SPIN_US: a timeout. */
	tcase_set_timeout(polling, 20);
	suite_add_tcase(s, polling);

	tcase_add_test(takeover,
		       restart_answers_what_waits_in_the_stale_server);
	tcase_add_test(takeover, stop_answers_a_request_no_worker_will_serve);
	tcase_add_test(takeover, stop_before_serving_answers_without_a_device);
	suite_add_tcase(s, takeover);
	return s;
}

int main(void)
{
	return run_suite(engine_suite());
}
