/* SPDX-License-Identifier: BSD-2-Clause */
/* abi1.c - a test plugin laid out as device ABI 1 was: its table ends
 * before the fields ABI 2 added, so an mmiod that read them would read
 * past it. Offset 0 reads 0xab1. With ABI1_PLUGIN_VERSION=N in the
 * environment it claims ABI N instead, to see newer ones refused. */
#include <stdlib.h>

#include <mmiod-device.h>

/* struct mmiod_plugin_ops as ABI 1 defined it. */
struct abi1_ops {
	uint32_t abi_version;
	uint32_t flags;
	const char *name;
	int (*validate)(const struct mmiod_region_info *region, char *err,
			size_t errlen);
	void *(*create)(const struct mmiod_region_info *region, char *err,
			size_t errlen);
	int (*read)(void *state, uint64_t offset, uint32_t size,
		    uint64_t *value);
	int (*write)(void *state, uint64_t offset, uint32_t size,
		     uint64_t value);
	void (*reset)(void *state);
	int (*flush)(void *state);
	void (*destroy)(void *state);
};

static int state;

static void *create(const struct mmiod_region_info *region, char *err,
		    size_t errlen)
{
	(void)region;
	(void)err;
	(void)errlen;
	return &state;
}

static int read_reg(void *s, uint64_t offset, uint32_t size, uint64_t *value)
{
	(void)s;
	(void)size;
	*value = offset == 0 ? 0xab1 : 0;
	return 0;
}

static int write_reg(void *s, uint64_t offset, uint32_t size, uint64_t value)
{
	(void)s;
	(void)offset;
	(void)size;
	(void)value;
	return 0;
}

static void destroy(void *s)
{
	(void)s;
}

static struct abi1_ops ops = {
	.abi_version = 1,
	.create = create,
	.read = read_reg,
	.write = write_reg,
	.destroy = destroy,
};

const struct mmiod_plugin_ops *mmiod_plugin_init(void)
{
	const char *version = getenv("ABI1_PLUGIN_VERSION");

	if (version)
		ops.abi_version = (uint32_t)strtoul(version, NULL, 10);
	return (const struct mmiod_plugin_ops *)(const void *)&ops;
}
