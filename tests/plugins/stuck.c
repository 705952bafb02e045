/* SPDX-License-Identifier: BSD-2-Clause */
/* stuck.c - a test plugin whose reads never come back (they sleep for
 * an hour), as a buggy plugin's would: a stop must not wait for it. */
#include <stddef.h>
#include <unistd.h>

#include <mmiod-device.h>

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
	(void)offset;
	(void)size;
	sleep(3600);
	*value = 0;
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

static const struct mmiod_plugin_ops ops = {
	.abi_version = MMIOD_DEVICE_ABI_VERSION,
	.name = "stuck",
	.create = create,
	.read = read_reg,
	.write = write_reg,
	.destroy = destroy,
};

const struct mmiod_plugin_ops *mmiod_plugin_init(void)
{
	return &ops;
}
