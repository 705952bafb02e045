/* SPDX-License-Identifier: BSD-2-Clause */
/* range.h - a closed interval of a 64-bit address space: the one shape
 * of "some guest addresses" that every module uses.
 *
 * A range is [base, last] with last inclusive, so that a range may end at
 * 2^64 - 1; it is never empty and never wraps. Build one from a base and
 * a size with range_from_size(), which refuses what can't be a range.
 */
#ifndef MMIOD_RANGE_H
#define MMIOD_RANGE_H

#include <stdbool.h>
#include <stdint.h>

struct range {
	uint64_t base;
	uint64_t last; /* inclusive */
};

/* [base, base + size): false when size is 0 or the range would run past
 * 2^64 - 1 (base + size may equal 2^64 exactly). */
static inline bool range_from_size(uint64_t base, uint64_t size,
				   struct range *out)
{
	if (size == 0 || size - 1 > UINT64_MAX - base)
		return false;
	*out = (struct range){base, base + (size - 1)};
	return true;
}

/* The number of addresses in r; 0 stands for 2^64 (the whole space). */
static inline uint64_t range_size(struct range r)
{
	return r.last - r.base + 1;
}

static inline bool range_overlaps(struct range a, struct range b)
{
	return a.base <= b.last && b.base <= a.last;
}

#endif
