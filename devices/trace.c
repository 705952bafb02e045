/* SPDX-License-Identifier: BSD-2-Clause */
/* trace.c - the trace device: every access as one JSON line in a file.
 *
 * Line format (one object per access):
 *   {"t_ns":123,"vcpu":0,"space":"mmio","addr":"0xfe000000","size":4,
 *    "dir":"write","value":"0x12345678"}
 * Reads return read_value= (default all ones) masked to the access size.
 * Lines are buffered in stdio and written out on device_flush(), which the
 * daemon calls when idle, on SIGTERM and on domain death; a write error is
 * reported by the flush, never dropped silently.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device_type.h"

struct trace_device {
	struct device dev;
	char *path;
	FILE *out;
	uint64_t read_value;
};

static struct trace_device *to_trace(struct device *dev)
{
	return (struct trace_device *)dev;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int record(struct trace_device *t, const struct device_io *io,
		  const char *dir, uint64_t value)
{
	int n = fprintf(t->out,
			"{\"t_ns\":%" PRIu64 ",\"vcpu\":%u,\"space\":\"%s\","
			"\"addr\":\"0x%" PRIx64 "\",\"size\":%" PRIu32
			",\"dir\":\"%s\",\"value\":\"0x%" PRIx64 "\"}\n",
			now_ns(), io->vcpu, io_space_name(io->space), io->addr,
			io->size, dir, value);

	return n < 0 ? -1 : 0;
}

static int trace_read(struct device *dev, const struct device_io *io,
		      uint64_t *value)
{
	struct trace_device *t = to_trace(dev);

	*value = t->read_value & access_mask(io->size);
	return record(t, io, "read", *value);
}

static int trace_write(struct device *dev, const struct device_io *io,
		       uint64_t value)
{
	return record(to_trace(dev), io, "write", value);
}

static int trace_flush(struct device *dev)
{
	struct trace_device *t = to_trace(dev);

	if (fflush(t->out) == 0 && !ferror(t->out))
		return 0;
	clearerr(t->out);
	return -1;
}

/* After log rotation: finish the old file, continue in a new one. */
static int trace_reopen(struct device *dev)
{
	struct trace_device *t = to_trace(dev);
	FILE *next;

	if (trace_flush(dev))
		return -1;
	next = fopen(t->path, "ae");
	if (!next)
		return -1;
	fclose(t->out);
	t->out = next;
	return 0;
}

static void trace_destroy(struct device *dev)
{
	struct trace_device *t = to_trace(dev);

	fclose(t->out);
	free(t->path);
	free(t);
}

static const struct device_ops trace_ops = {
	.read = trace_read,
	.write = trace_write,
	.flush = trace_flush,
	.reopen = trace_reopen,
	.destroy = trace_destroy,
};

static int trace_create(const struct device_args *args, bool validate_only,
			struct device **out, char *err, size_t errlen)
{
	const char *file = device_param(args, "file");
	uint64_t read_value = UINT64_MAX;
	struct trace_device *t;

	if (!file) {
		snprintf(
			err, errlen,
			"file: a trace needs file=PATH to append its records to");
		return -1;
	}
	if (device_param_u64(args, "read_value", &read_value, err, errlen))
		return -1;
	if (validate_only)
		return 0;

	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->path = strdup(file);
	t->out = t->path ? fopen(file, "ae") : NULL;
	if (!t->out) {
		snprintf(err, errlen, "file: cannot open '%s': %s", file,
			 strerror(errno));
		free(t->path);
		free(t);
		return -1;
	}
	t->read_value = read_value;
	device_init(&t->dev, &trace_ops, "trace", false);
	*out = &t->dev;
	return 0;
}

static const char *const trace_keys[] = {"file", "read_value", NULL};

const struct device_type trace_device_type = {
	.name = "trace",
	.keys = trace_keys,
	.create = trace_create,
};
