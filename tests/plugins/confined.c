/* SPDX-License-Identifier: BSD-2-Clause */
/* confined.c - a test plugin that reports how confined mmiod is when
 * the guest's access reaches it: the proof that no device sees guest
 * input before the daemon restricted itself.
 *
 * A 4-byte read returns bit 0 set when the serving thread runs under a
 * seccomp filter, bit 1 when it does not run as root, bit 2 when it
 * can't gain privileges (no_new_privs); read at create() time, the same
 * bits are at offset 4, to show the test would see the difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmiod-device.h>

/* The "Seccomp:" and "NoNewPrivs:" lines of the calling thread's status,
 * and its uid. */
static uint64_t confinement(void)
{
	FILE *f = fopen("/proc/thread-self/status", "r");
	char line[256];
	uint64_t bits = getuid() != 0 ? 2 : 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (strcmp(line, "Seccomp:\t2\n") == 0)
			bits |= 1;
		if (strcmp(line, "NoNewPrivs:\t1\n") == 0)
			bits |= 4;
	}
	if (f)
		fclose(f);
	return bits;
}

static void *create(const struct mmiod_region_info *region, char *err,
		    size_t errlen)
{
	uint64_t *at_create = malloc(sizeof(*at_create));

	(void)region;
	if (!at_create) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*at_create = confinement();
	return at_create;
}

static int read_reg(void *state, uint64_t offset, uint32_t size,
		    uint64_t *value)
{
	(void)size;
	*value = offset == 4 ? *(uint64_t *)state : confinement();
	return 0;
}

static int write_reg(void *state, uint64_t offset, uint32_t size,
		     uint64_t value)
{
	(void)state;
	(void)offset;
	(void)size;
	(void)value;
	return -1;
}

static const struct mmiod_plugin_ops ops = {
	.abi_version = MMIOD_DEVICE_ABI_VERSION,
	.name = "confined",
	.create = create,
	.read = read_reg,
	.write = write_reg,
	.destroy = free,
};

const struct mmiod_plugin_ops *mmiod_plugin_init(void)
{
	return &ops;
}
