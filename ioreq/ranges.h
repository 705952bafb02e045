/* SPDX-License-Identifier: BSD-2-Clause */
/* ranges.h - the ranges mmiod registers with Xen for a set of regions.
 *
 * Xen keeps a server's ranges as a set of addresses: mapping a range
 * that overlaps the set fails, unmapping needs the range inside the set
 * (and may split a range), touching ranges merge. So when the regions
 * change, what is mapped and unmapped is the difference of two such
 * sets, never whole ranges that may overlap what stays.
 *
 * Xen allows 256 ranges per type per server, and every range costs a
 * hypercall, so touching regions are merged; if more than the limit
 * remain, the smallest gaps between them are closed (accesses there reach
 * mmiod and are answered as "no region": all ones, writes dropped, which
 * is what Xen answers itself for memory nobody claims). Private to ioreq/.
 */
#ifndef MMIOD_IOREQ_RANGES_H
#define MMIOD_IOREQ_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "common/range.h"

#define XEN_MAX_RANGES_PER_TYPE 256

struct range_list {
	size_t count;
	struct range *items;
};

/* Fills out with at most max ranges covering every range of in (sorted
 * and disjoint). 0, or -1 on out of memory. */
int ranges_merge(const struct range *in, size_t count, size_t max,
		 struct range_list *out);
/* Fills out with the addresses of a that are not in b (both sorted and
 * disjoint), as sorted disjoint ranges. 0, or -1 on out of memory. */
int ranges_subtract(const struct range_list *a, const struct range_list *b,
		    struct range_list *out);
void ranges_free(struct range_list *list);

#endif
