/* SPDX-License-Identifier: BSD-2-Clause */
/* bus.h - serving one guest access: the regions of each address space,
 * the devices behind them, and the counters.
 *
 * Every source of accesses goes through the bus: the synchronous ioreq
 * slots, the buffered ring, the take-over of a killed predecessor's
 * requests, and raw faults. The bus finds the region that wholly holds
 * each element of an access, calls its device (serialised per device
 * unless the device is thread-safe), walks rep accesses element by
 * element with wrap-safe strides, and reaches guest memory for
 * data_is_ptr accesses only through the memory callbacks its caller
 * passes. Nothing in an access is trusted.
 *
 * Regions may be added and removed while accesses are served (a PCI BAR
 * moves at run time). Lookups take no lock; a replaced region array, and
 * the region entries removed with it, are freed only once no access that
 * could still see them is in flight. A listener hears of every change so
 * that the transport can map or unmap the ranges with Xen.
 *
 * Threads: each serving thread owns one struct bus_cpu (from
 * bus_cpu_create) and passes it to every bus_serve(); bus_serve() is
 * thread-safe across different cpus. The other functions may be called
 * from any thread, including from inside a device call.
 */
#ifndef MMIOD_BUS_H
#define MMIOD_BUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/access.h"
#include "common/range.h"

struct bus;
struct bus_cpu;
struct device;

/* Largest rep count served; Xen itself never sends more than 4096. */
#define BUS_MAX_REP_COUNT 4096

struct bus_region_stats {
	atomic_ullong reads;
	atomic_ullong writes;
	atomic_ullong bytes;
	atomic_ullong errors; /* device errors and bad guest pointers */
};

struct bus_space_stats {
	atomic_ullong reads;
	atomic_ullong writes;
	atomic_ullong bytes;
	atomic_ullong unmatched; /* no region: read all ones / write dropped */
	atomic_ullong errors;
};

struct bus_stats {
	struct bus_space_stats space[IO_SPACE_COUNT];
	atomic_ullong bad_pointer; /* data_is_ptr outside guest memory */
};

/* Guest-physical memory, for data_is_ptr accesses: 0, or -1 when any
 * byte of [gpa, gpa + len) is out of reach. */
struct bus_memory {
	int (*read)(void *ctx, uint64_t gpa, void *buf, size_t len);
	int (*write)(void *ctx, uint64_t gpa, const void *buf, size_t len);
	void *ctx;
};

/* Hears that the regions of space changed; it reads the new set with
 * bus_regions() (changes that race are each heard, so reading the
 * current set under a lock of its own keeps the transport right).
 * Returns 0, or -1 when the transport could not follow. It must not
 * change the bus. */
struct bus_listener {
	int (*regions_changed)(void *ctx, enum io_space space);
	void *ctx;
};

enum bus_status {
	BUS_OK,
	BUS_BAD_SIZE,	 /* size is not 1, 2, 4 or 8 */
	BUS_BAD_COUNT,	 /* count is 0 or above BUS_MAX_REP_COUNT */
	BUS_BAD_POINTER, /* data_is_ptr memory out of reach; rep stopped */
};

struct bus *bus_create(void);
/* Frees the bus and every region entry; no access may be in flight and
 * every cpu must have been destroyed. Devices are the caller's. */
void bus_destroy(struct bus *bus);

/* Adds a region backed by dev (which outlives it) over r in space;
 * name is copied and shown in logs and stats ("mmio 0xfe000000 ram").
 * -1 with errno EEXIST when r overlaps a region of space, ENOMEM, or
 * the listener's errno when the transport could not map it (the region
 * is then not added). */
int bus_add(struct bus *bus, enum io_space space, struct range r,
	    struct device *dev, const char *name);
/* Adds n regions at once (one new array per space, one listener call
 * per space), all or nothing: for loading a config. On EEXIST *bad is
 * the index of an item that overlaps another or an existing region. */
struct bus_item {
	enum io_space space;
	struct range range;
	struct device *device;
	const char *name;
};
int bus_add_batch(struct bus *bus, const struct bus_item *items, size_t n,
		  size_t *bad);
/* Removes the region of space starting at base; -1 with ENOENT when
 * there is none. Accesses already in flight finish on it. */
int bus_remove(struct bus *bus, enum io_space space, uint64_t base);

/* The current regions of space in address order, each as its range;
 * *count receives their number. Returns a malloc'ed array the caller
 * frees, or NULL (errno ENOMEM; *count 0 and NULL for none). */
struct range *bus_regions(struct bus *bus, enum io_space space, size_t *count);

/* NULL: nobody listens. Clearing it must not race a change (the
 * transport goes away only when nothing changes the bus). */
void bus_set_listener(struct bus *bus, const struct bus_listener *listener);

/* A serving thread's context: its lookup hints and its counters. */
struct bus_cpu *bus_cpu_create(struct bus *bus);
/* Its counters stay in the bus's totals. */
void bus_cpu_destroy(struct bus_cpu *cpu);

/* Serves a. A read's value (no data_is_ptr) lands in a->data: all ones
 * for an element no region holds or its device refused, and for an
 * access refused as a whole (bad size or count). mem may be NULL when a
 * has no data_is_ptr. Every element that can be served is. */
enum bus_status bus_serve(struct bus_cpu *cpu, struct mmio_access *a,
			  const struct bus_memory *mem);

/* The name of the region whose device cpu is calling right now, or
 * NULL: what a stop names when a device call never returns. The name
 * stays valid while the call lasts. */
const char *bus_cpu_in_device(const struct bus_cpu *cpu);

/* Sums every cpu's counters, past and present, into *out. */
void bus_stats(struct bus *bus, struct bus_stats *out);
/* Calls fn for every region in the order they were added. */
void bus_for_each_region(struct bus *bus,
			 void (*fn)(void *ctx, const char *name,
				    const struct bus_region_stats *stats),
			 void *ctx);
/* Frees replaced region arrays that no access can still see; the bus
 * also tries on every change. Call it now and then (once a second). */
void bus_reclaim(struct bus *bus);

#endif
