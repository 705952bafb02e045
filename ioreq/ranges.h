/* ranges.h - the ranges mmiod registers with Xen for a set of regions.
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

#include "regions/regions.h"

#define XEN_MAX_RANGES_PER_TYPE 256

struct range {
	uint64_t first, last;
};

struct range_list {
	size_t count;
	struct range *items;
};

/* Fills out with at most max ranges covering every region. 0, or -1 on
 * out of memory. */
int ranges_merge(const struct region *regions, size_t count, size_t max,
		 struct range_list *out);
void ranges_free(struct range_list *list);

#endif
