/* SPDX-License-Identifier: BSD-2-Clause */
/* devices.h - the device interface, the type registry and built-in devices.
 *
 * A device backs one region. The engine calls device_read()/device_write()
 * with the region-relative offset of one element of an access (size 1, 2,
 * 4 or 8 bytes). A device that is not thread-safe is serialised by a
 * per-device lock inside these wrappers; one that is (ram, rom) is called
 * concurrently from every worker thread.
 *
 * Devices that keep data (ram with a file, trace) persist it on
 * device_flush() and device_destroy(); errors are reported, never hidden.
 */
#ifndef MMIOD_DEVICES_H
#define MMIOD_DEVICES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/access.h"
#include "common/range.h"

struct device;

/* One element of a guest access, as a device sees it. */
struct device_io {
	enum io_space space;
	uint64_t addr;	 /* guest address (or port) of this element */
	uint64_t offset; /* addr - region base */
	uint32_t size;	 /* 1, 2, 4 or 8 */
	unsigned vcpu;
};

struct device_ops {
	/* 0 on success; -1 on error (the guest gets all ones / a dropped
	 * write and the engine counts it). */
	int (*read)(struct device *dev, const struct device_io *io,
		    uint64_t *value);
	int (*write)(struct device *dev, const struct device_io *io,
		     uint64_t value);
	/* Make everything written so far durable; may be NULL. */
	int (*flush)(struct device *dev);
	/* Reopen files after log rotation (SIGHUP); may be NULL. */
	int (*reopen)(struct device *dev);
	/* The pty the device's host side is on (a console for xl console),
	 * or NULL; may be NULL. */
	const char *(*pty)(const struct device *dev);
	void (*destroy)(struct device *dev);
};

struct device {
	const struct device_ops *ops;
	const char *type;
	const char *name; /* for messages: the type, or "plugin PATH" */
	bool thread_safe;
	unsigned flush_failures; /* in a row; written under lock */
	pthread_mutex_t lock;	 /* taken around calls unless thread_safe */
};

struct device_param {
	const char *key;
	const char *value;
};

/* What the daemon lends devices: the guest's interrupt lines. */
struct device_host {
	/* Sets ISA interrupt line irq (0-15) of the guest; may be NULL. */
	void (*set_irq)(void *ctx, unsigned irq, bool level);
	void *ctx;
};

/* What a constructor gets: the region it backs and its own keys. */
struct device_args {
	enum io_space space;
	struct range range;
	size_t nparams;
	const struct device_param *params;
	const struct device_host *host; /* may be NULL */
};

/* NULL-terminated list of the known type names. */
const char *const *device_type_names(void);

/* Creates a device of type. On error returns NULL with a message in err
 * naming the key and what would be valid. */
struct device *device_create(const char *type, const struct device_args *args,
			     char *err, size_t errlen);
/* Checks args for type without opening anything: 0 or -1 with err set. */
int device_validate(const char *type, const struct device_args *args, char *err,
		    size_t errlen);

int device_read(struct device *dev, const struct device_io *io,
		uint64_t *value);
int device_write(struct device *dev, const struct device_io *io,
		 uint64_t value);
int device_flush(struct device *dev);
/* The periodic flush: as device_flush(), but a device that is inside a
 * call right now is left for the next round (0), so that a device call
 * that never returns can't hold up the caller too. */
int device_flush_idle(struct device *dev);
/* How many flushes in a row have failed, the last one included: 0 after
 * a success. Lets a caller report a failure that repeats every second
 * once, not every second. Takes no lock. */
unsigned device_flush_failures(const struct device *dev);
int device_reopen(struct device *dev);
/* The pty of a device whose host side is a pty (a uart16550 with
 * backend=pty), or NULL. The path lives as long as the device. */
const char *device_pty(const struct device *dev);
/* The name of the device whose operation the calling thread is running,
 * or NULL. Async-signal-safe: the SIGSYS handler names the device (the
 * plugin) that made a forbidden system call. */
const char *device_current(void);
/* Flushes, then frees. Returns the flush result. */
int device_destroy(struct device *dev);

#endif
