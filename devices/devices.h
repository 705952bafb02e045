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

/* One element of a guest access, as a device sees it. A device in a
 * PCI function sees accesses to its BARs with bar set, and to its own
 * configuration registers as space IO_SPACE_PCI, offset the register. */
struct device_io {
	enum io_space space;
	uint64_t addr;	 /* guest address (or port) of this element */
	uint64_t offset; /* addr - region base */
	uint32_t size;	 /* 1, 2, 4 or 8 */
	unsigned vcpu;
	unsigned bar; /* the BAR the access is in; 0 outside PCI */
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
	/* An fd that turns readable when the device has input to take
	 * (a uart's line), or -1 for none now; may change between calls.
	 * Then input() takes it, and may raise the interrupt: true if it
	 * took anything. Both NULL for a device without input. */
	int (*input_fd)(struct device *dev);
	bool (*input)(struct device *dev);
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

/* A device's interrupt output, wired by the daemon: to an ISA line
 * (HVM guests only), or to the PCI function the device sits in, which
 * turns it into MSI, MSI-X or INTx as the guest programmed it. */
struct device_irq {
	/* The level of the device's interrupt line (e.g. a UART's "an
	 * interrupt is pending"): a rising edge is what a message-signalled
	 * function fires on. */
	void (*set_level)(void *ctx, bool level);
	/* Fires message vector n (MSI or MSI-X) once; -1 (EINVAL) when the
	 * output has no such vector. NULL on an ISA line. */
	int (*send_vector)(void *ctx, unsigned vector);
	void *ctx;
};

/* The guest, as a device may reach it: its memory, for DMA (0, or -1
 * with errno EFAULT when any byte of [gpa, gpa + len) lies outside it),
 * and its platform. Callable from any thread. */
struct device_guest {
	int (*read)(void *ctx, uint64_t gpa, void *buf, size_t len);
	int (*write)(void *ctx, uint64_t gpa, const void *buf, size_t len);
	/* 1: HVM, 0: PVH, -1: not known yet (no domain opened). */
	int (*hvm)(void *ctx);
	void *ctx;
};

/* What a constructor gets: the region it backs and its own keys. */
struct device_args {
	enum io_space space;
	struct range range;
	size_t nparams;
	const struct device_param *params;
	const struct device_irq *irq;	  /* NULL: the device has none wired */
	const struct device_guest *guest; /* NULL: no guest to reach */
};

/* Initialises the common part of a freshly allocated device: for the
 * types here, and for the PCI glue's adapters outside devices/. */
void device_init(struct device *dev, const struct device_ops *ops,
		 const char *type, bool thread_safe);

/* NULL-terminated list of the known type names. */
const char *const *device_type_names(void);
/* The keys a device of type takes, NULL-terminated; NULL for a type
 * that checks its keys itself (a plugin) or is unknown. */
const char *const *device_type_keys(const char *type);

/* Creates a device of type. On error returns NULL with a message in err
 * naming the key and what would be valid. */
struct device *device_create(const char *type, const struct device_args *args,
			     char *err, size_t errlen);
/* Checks args for type without opening anything: 0 or -1 with err set. */
int device_validate(const char *type, const struct device_args *args, char *err,
		    size_t errlen);

struct mmiod_pci_function;
/* The PCI function a device of type with args declares for itself (a
 * plugin's, include/mmiod-device.h): 1 with *fn filled, 0 when it
 * declares none, -1 with err set. */
int device_pci_function(const char *type, const struct device_args *args,
			struct mmiod_pci_function *fn, char *err,
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
/* The device's input fd (see device_ops.input_fd), -1 for none, and
 * taking its input, under the device's lock: the main loop polls these
 * so that input raises an interrupt while the guest waits for it. A
 * device inside a call right now is skipped: no fd, and for input 1
 * (it is being served). Else input is 1 when it took something, 0 when
 * the fd was readable for nothing (a hung-up line). */
int device_input_fd(struct device *dev);
int device_input(struct device *dev);
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
