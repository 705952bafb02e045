/* SPDX-License-Identifier: BSD-2-Clause */
/* check_pci_slots.c - a PCI function on the bus while it is served: the
 * guest moves its BAR with configuration cycles under load, and every
 * reply is checked. */
#include <check.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/pci_slots.h"
#include "engine_fixture.h"
#include "testutil.h"

#define LOAD_VCPUS 16
#define LOAD_ROUNDS 1000
#define RAM_BASE 0xfe000000ull
#define RAM_SIZE 0x1000ull
/* Where the guest puts BAR0 in turn: touching the ram region (one
 * merged range for Xen) and apart from it. */
#define BAR_A (RAM_BASE + RAM_SIZE)
#define BAR_B 0xfd000000ull
#define SLOT 1
#define CONFIG(reg) ((uint64_t)(SLOT << 3) << 32 | (reg))

static bool config_write(const struct guest_vcpu *lv, unsigned reg,
			 uint32_t size, uint64_t value)
{
	return guest_vcpu_io(lv, IO_SPACE_PCI, IO_WRITE, CONFIG(reg), size,
			     &value);
}

/* vCPU 0 is the driver: memory decode on, then BAR0 moved back and forth,
 * each move read back. The others check every reply: their word of the
 * ram region is what they wrote; the BAR's ram reads 0 where the BAR is
 * and all ones where it is not, never anything else. */
static void *load_loop(void *arg)
{
	struct guest_vcpu *lv = arg;
	uint64_t own = RAM_BASE + lv->vcpu * 8;

	if (lv->vcpu == 0) {
		if (!config_write(lv, 0x04, 2, 0x2))
			lv->errors++;
		for (unsigned i = 0; i < LOAD_ROUNDS; i++) {
			uint64_t to = i % 2 ? BAR_A : BAR_B, back = 0;

			if (!config_write(lv, 0x10, 4, to) ||
			    !guest_vcpu_io(lv, IO_SPACE_PCI, IO_READ,
					   CONFIG(0x10), 4, &back) ||
			    (back & ~0xfull) != to)
				lv->errors++;
		}
		return NULL;
	}
	for (unsigned i = 0; i < LOAD_ROUNDS; i++) {
		uint64_t w = (uint64_t)lv->vcpu << 48 | i, back = 0, m = 0;
		uint64_t bar = (i % 2 ? BAR_A : BAR_B) + lv->vcpu * 8;

		if (!guest_vcpu_io(lv, IO_SPACE_MMIO, IO_WRITE, own, 8, &w) ||
		    !guest_vcpu_io(lv, IO_SPACE_MMIO, IO_READ, own, 8, &back) ||
		    back != w ||
		    !guest_vcpu_io(lv, IO_SPACE_MMIO, IO_READ, bar, 8, &m) ||
		    (m != 0 && m != UINT64_MAX))
			lv->errors++;
	}
	return NULL;
}

static int refuse_msi(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	(void)addr;
	(void)data;
	return -1;
}

START_TEST(a_bar_the_guest_moves_under_load_every_reply_checked)
{
	struct config_param params[] = {
		{"vendor", "0x1234"}, {"device", "0x1"}, {"size", "4K"}};
	struct config_region entry = {
		.space = IO_SPACE_PCI,
		.range = {CONFIG(0), CONFIG(0xfff)},
		.type = "ram",
		.line = 1,
		.nparams = 3,
		.params = params,
	};
	struct engine_fixture g;
	struct pci_slot_host host;
	struct pci_slot *slot;
	struct device *dev;
	char err[256], stats[256];
	int status = 0;
	FILE *out;
	pid_t pid;

	fixture_init(&g, LOAD_VCPUS);
	fixture_add(&g, IO_SPACE_MMIO, RAM_BASE, RAM_SIZE, "ram",
		    (const char *)NULL);
	host = (struct pci_slot_host){.bus = g.bus, .send_msi = refuse_msi};
	slot = pci_slot_open(&entry, &host, &dev, err, sizeof(err));
	ck_assert_msg(slot, "%s", err);
	ck_assert_int_eq(bus_add(g.bus, IO_SPACE_PCI, entry.range,
				 pci_slot_config_device(slot), "pci 00:01.0"),
			 0);
	/* Fork before any thread exists: the guest is its own process. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(fixture_guest_process(g.sim, LOAD_VCPUS, load_loop));
	fixture_start(&g, 4);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	/* Every move was a mapping; Xen routes where the BAR is now (its
	 * last place, BAR_A), and the ram region it touched is whole. */
	out = fmemopen(stats, sizeof(stats), "w");
	pci_slot_print_stats(slot, out);
	fclose(out);
	ck_assert_msg(strstr(stats, "bar_maps 1000 bar_refused 0"), "%s",
		      stats);
	ck_assert_uint_gt(sim_unclaimed(g.sim), 0);
	ck_assert_uint_eq(guest_read(&g, IO_SPACE_MMIO, BAR_A, 8), 0);
	ck_assert_uint_eq(guest_read(&g, IO_SPACE_MMIO, BAR_B, 8), UINT64_MAX);
	guest_write(&g, IO_SPACE_MMIO, RAM_BASE + RAM_SIZE - 8, 8, 0x5a);
	ck_assert_uint_eq(
		guest_read(&g, IO_SPACE_MMIO, RAM_BASE + RAM_SIZE - 8, 8),
		0x5a);
	pci_slot_close(slot);
	fixture_fini(&g);
	ck_assert_int_eq(device_destroy(dev), 0);
}
END_TEST

static Suite *pci_slots_suite(void)
{
	Suite *s = suite_create("pci_slots");
	TCase *load = tcase_create("load");

	tcase_set_timeout(load, 300);
	tcase_add_test(load,
		       a_bar_the_guest_moves_under_load_every_reply_checked);
	suite_add_tcase(s, load);
	return s;
}

int main(void)
{
	return run_suite(pci_slots_suite());
}
