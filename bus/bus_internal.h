/* SPDX-License-Identifier: BSD-2-Clause */
/* bus_internal.h - the bus's state, shared by its files. Private to bus/. */
#ifndef MMIOD_BUS_INTERNAL_H
#define MMIOD_BUS_INTERNAL_H

#include <pthread.h>

#include "bus.h"
#include "common/counters.h"
#include "regions/regions.h"

/* What a region's data pointer points to. */
struct bus_region {
	struct bus_region *next; /* live list, in the order added */
	struct bus_region *retired_next;
	struct device *device;
	struct bus_region_stats stats;
	char name[64];
};

/* Each cpu on cache lines of its own: it writes its counters on every
 * access, and sharing a line with another cpu's would bounce it. */
struct __attribute__((aligned(64))) bus_cpu {
	struct bus *bus;
	struct bus_cpu *next;
	/* 0 while outside bus_serve(); else 1 + the change epoch read on
	 * entry. An access that entered at epoch e can only see region
	 * arrays that were current at e or later. */
	_Atomic uint64_t entered;
	/* The name of the region whose device this cpu is calling. */
	_Atomic(const char *) in_device;
	struct region_hint hint[IO_SPACE_COUNT];
	struct bus_stats stats;
};

struct bus {
	struct region_set *regions[IO_SPACE_COUNT];
	/* Counts changes; read by every access, written under lock. */
	_Atomic uint64_t epoch;
	pthread_mutex_t lock; /* changes, the cpu list, the listener */
	struct bus_listener listener;
	struct bus_cpu *cpus;
	struct bus_stats past; /* counters of destroyed cpus */
	struct bus_region *live, **live_tail;
	struct bus_region *retired;
	bool replaced; /* arrays were replaced since the last reclaim */
};

#endif
