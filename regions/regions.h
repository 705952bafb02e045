/* SPDX-License-Identifier: BSD-2-Clause */
/* regions.h - ordered set of non-overlapping guest address ranges.
 *
 * A region covers a range (common/range.h: [base, last], never empty,
 * never wrapping) of a 64-bit address space and carries an opaque
 * pointer. Its last byte may be 2^64 - 1.
 *
 * Concurrency: regions_find() takes no lock and may run on any number of
 * threads while one thread calls regions_add()/regions_remove(). Writers are
 * serialised by an internal mutex. Each update builds a new sorted array and
 * publishes it with a release store; readers load it with an acquire load,
 * so a reader sees either the old or the new array, always complete.
 *
 * An old array is not freed at once, because a reader may still be
 * searching it: it is retired, and freed by regions_reclaim() (which the
 * caller calls when it knows no regions_find() is running, e.g. with its
 * worker threads parked) or by regions_destroy(). Region pointers returned
 * by regions_find() stay valid until then.
 */
#ifndef MMIOD_REGIONS_H
#define MMIOD_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#include "common/range.h"

struct region {
	struct range range; /* closed: a region may end at 2^64 - 1 */
	void *data;
};

struct region_set;

/* A per-thread (per-vCPU) memory of the last region found: most accesses
 * hit the region the same vCPU hit last. Zero-initialise it. */
struct region_hint {
	const void *array;
	size_t index;
};

enum region_error {
	REGION_OK = 0,
	REGION_BAD_RANGE, /* last below base: not a range_from_size() one */
	REGION_OVERLAP,	  /* overlaps *conflict */
	REGION_NOT_FOUND, /* remove: no region starts at base */
	REGION_NOMEM,
};

struct region_set *regions_create(void);
void regions_destroy(struct region_set *set);

/* On REGION_OVERLAP, *conflict (if not NULL) receives a copy of the
 * existing region that overlaps. */
enum region_error regions_add(struct region_set *set, struct range r,
			      void *data, struct region *conflict);
enum region_error regions_remove(struct region_set *set, uint64_t base);

/* Adds n regions at once (items[i].range) in
 * O((n + existing) log n), publishing one new array: for loading large
 * sets, where n single adds would copy the array n times. All or
 * nothing: on REGION_OVERLAP, *bad is the index of an item that overlaps
 * another item or an existing region, *conflict (if not NULL) the other. */
enum region_error regions_add_batch(struct region_set *set,
				    const struct region *items, size_t n,
				    size_t *bad, struct region *conflict);

/* The region wholly containing [addr, addr + len), or NULL when there is
 * none, the access straddles a region's end, len is 0, or addr + len wraps.
 * hint may be NULL. Lock-free; see above for pointer lifetime. */
const struct region *regions_find(const struct region_set *set, uint64_t addr,
				  uint64_t len, struct region_hint *hint);

/* The current regions in address order; *count receives their number.
 * Same lifetime as regions_find() results. */
const struct region *regions_snapshot(const struct region_set *set,
				      size_t *count);

/* Frees retired arrays. Caller guarantees no concurrent regions_find(). */
void regions_reclaim(struct region_set *set);

const char *region_strerror(enum region_error err);

#endif
