/* SPDX-License-Identifier: BSD-2-Clause */
/* mapping.c - keep the ranges Xen routes to our server in step with the
 * bus's regions, at start and whenever a region is added or removed. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "engine_internal.h"

static int map_all(struct ioreq_engine *e, enum io_space space,
		   const struct range_list *list, bool map)
{
	int rc = 0;

	for (size_t i = 0; i < list->count; i++) {
		struct range r = list->items[i];

		if (e->be->ops->map_range(e->be, space, r, map) == 0)
			continue;
		log_error("cannot %s %s range 0x%" PRIx64 "-0x%" PRIx64 ": %s",
			  map ? "map" : "unmap", io_space_name(space), r.base,
			  r.last, strerror(errno));
		if (map) {
			/* Take back what this call mapped. */
			for (size_t k = 0; k < i; k++)
				e->be->ops->map_range(e->be, space,
						      list->items[k], false);
			return -1;
		}
		rc = -1;
	}
	return rc;
}

int ioreq_follow_regions(struct ioreq_engine *e, enum io_space space)
{
	struct range_list *mapped = &e->mapped[space];
	struct range_list next, added = {0}, gone = {0};
	struct range *regions;
	size_t count;
	int rc = -1;

	/* The regions are read under the lock: of two changes that race,
	 * the one applied last sees the newest set. */
	pthread_mutex_lock(&e->map_lock);
	regions = bus_regions(e->bus, space, &count);
	if (!regions ||
	    ranges_merge(regions, count, XEN_MAX_RANGES_PER_TYPE, &next)) {
		free(regions);
		pthread_mutex_unlock(&e->map_lock);
		log_error("out of memory merging ranges");
		return -1;
	}
	free(regions);
	if (ranges_subtract(&next, mapped, &added) ||
	    ranges_subtract(mapped, &next, &gone)) {
		log_error("out of memory merging ranges");
		goto out;
	}
	/* What is new first, so that nothing that stays stops reaching
	 * us; on failure Xen keeps exactly what it had. */
	if (map_all(e, space, &added, true))
		goto out;
	map_all(e, space, &gone, false);
	ranges_free(mapped);
	*mapped = next;
	next = (struct range_list){0};
	rc = 0;
out:
	pthread_mutex_unlock(&e->map_lock);
	ranges_free(&next);
	ranges_free(&added);
	ranges_free(&gone);
	return rc;
}

void ioreq_unmap_all(struct ioreq_engine *e)
{
	pthread_mutex_lock(&e->map_lock);
	for (unsigned s = 0; s < IO_SPACE_COUNT; s++) {
		map_all(e, s, &e->mapped[s], false);
		ranges_free(&e->mapped[s]);
	}
	pthread_mutex_unlock(&e->map_lock);
}
