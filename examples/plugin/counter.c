/* SPDX-License-Identifier: BSD-2-Clause */
/* counter.c - an example mmiod device plugin.
 *
 * Register 0x0 (read-only) counts the guest's writes to register 0x8;
 * register 0x8 reads back the last value written. Key: start=N, the
 * counter's power-on value. Build:
 *   cc -shared -fPIC -o counter.so counter.c $(pkg-config --cflags mmiod)
 * (the mmiod-dev package or make install provides mmiod.pc and the
 * header), then
 *   mmio = [ "base=0xfe300000,size=16,type=plugin,plugin=/path/counter.so" ]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmiod-device.h>

struct counter {
	uint64_t start, count, last;
};

static int parse(const struct mmiod_region_info *r, uint64_t *start, char *err,
		 size_t errlen)
{
	*start = 0;
	for (size_t i = 0; i < r->nparams; i++) {
		char *end;

		if (strcmp(r->params[i].key, "start") != 0) {
			snprintf(err, errlen,
				 "%s: unknown key for counter (valid: start)",
				 r->params[i].key);
			return -1;
		}
		*start = strtoull(r->params[i].value, &end, 0);
		if (*end || end == r->params[i].value) {
			snprintf(err, errlen, "start: '%s' is not a number",
				 r->params[i].value);
			return -1;
		}
	}
	if (r->size < 16) {
		snprintf(err, errlen, "size: counter needs 16 bytes");
		return -1;
	}
	return 0;
}

static int counter_validate(const struct mmiod_region_info *r, char *err,
			    size_t errlen)
{
	uint64_t start;

	return parse(r, &start, err, errlen);
}

static void *counter_create(const struct mmiod_region_info *r, char *err,
			    size_t errlen)
{
	struct counter *c;
	uint64_t start;

	if (parse(r, &start, err, errlen))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->start = start;
	return c;
}

static int counter_read(void *state, uint64_t offset, uint32_t size,
			uint64_t *value)
{
	struct counter *c = state;

	if (offset == 0)
		*value = c->count;
	else if (offset == 8)
		*value = c->last;
	else
		return -1;
	return 0;
}

static int counter_write(void *state, uint64_t offset, uint32_t size,
			 uint64_t value)
{
	struct counter *c = state;

	if (offset != 8)
		return -1; /* register 0 is read-only */
	c->last = value;
	c->count++;
	return 0;
}

static void counter_reset(void *state)
{
	struct counter *c = state;

	c->count = c->start;
	c->last = 0;
}

static void counter_destroy(void *state)
{
	free(state);
}

static const struct mmiod_plugin_ops counter_ops = {
	.abi_version = MMIOD_DEVICE_ABI_VERSION,
	.flags = 0,
	.name = "counter",
	.validate = counter_validate,
	.create = counter_create,
	.read = counter_read,
	.write = counter_write,
	.reset = counter_reset,
	.destroy = counter_destroy,
};

const struct mmiod_plugin_ops *mmiod_plugin_init(void)
{
	return &counter_ops;
}
