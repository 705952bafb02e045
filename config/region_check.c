/* SPDX-License-Identifier: BSD-2-Clause */
/* region_check.c - a region's size, end, ports and device type, and no
 * two regions of one space overlapping. */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "regions/regions.h"

#define PIO_SPACE_END 0x10000

int check_extent(struct loader *ld, struct config_region *r, const char *name,
		 uint64_t base, uint64_t size)
{
	if (size == 0)
		return fail(ld, r->line, "%s size: must be greater than 0",
			    name);
	if (!range_from_size(base, size, &r->range))
		return fail(ld, r->line,
			    "%s: base 0x%" PRIx64 " + size 0x%" PRIx64
			    " wraps past the end of the address space",
			    name, base, size);
	if (r->space == IO_SPACE_PIO && r->range.last >= PIO_SPACE_END)
		return fail(ld, r->line,
			    "%s: ports 0x%" PRIx64 "+0x%" PRIx64
			    " go beyond 0xffff (port I/O has 65536 ports)",
			    name, base, size);
	return 0;
}

int check_pci_address(struct loader *ld, struct config_region *r,
		      const char *name, uint64_t slot, uint64_t function)
{
	uint64_t config_space;

	if (slot > 31)
		return fail(ld, r->line, "%s slot: %" PRIu64 " is not 0 to 31",
			    name, slot);
	if (function > 7)
		return fail(ld, r->line,
			    "%s function: %" PRIu64 " is not 0 to 7", name,
			    function);
	/* Bus 0, segment 0: what Xen's PCI_CONFIG requests carry as
	 * SBDF << 32 | register. */
	config_space = (slot << 3 | function) << 32;
	r->range = (struct range){config_space, config_space | 0xfff};
	return 0;
}

int check_entry(struct loader *ld, const struct config_region *r,
		const char *name)
{
	const char *const *t;

	for (t = ld->types; *t; t++)
		if (strcmp(*t, r->type) == 0)
			return 0;
	return fail_unknown(ld, r->line, "device type", r->type, ld->types);
}

/* Adds regions[first .. first + n) of one list to set in one batch (n
 * single adds would copy the set n times); an overlap is reported on the
 * later of the two lines. */
int add_to_set(struct loader *ld, const char *key, struct region_set *set,
	       size_t first, size_t n)
{
	const struct config_region *regions = ld->cfg->regions, *r, *other;
	struct region *items = calloc(n ? n : 1, sizeof(*items));
	struct region conflict;
	enum region_error err;
	size_t bad;

	if (!items)
		return fail(ld, 0, "out of memory");
	/* The set holds indices, not pointers: cfg->regions moves. */
	for (size_t i = 0; i < n; i++)
		items[i] = (struct region){regions[first + i].range,
					   (void *)(uintptr_t)(first + i + 1)};
	err = regions_add_batch(set, items, n, &bad, &conflict);
	free(items);
	regions_reclaim(set);
	if (err == REGION_OK)
		return 0;
	if (err == REGION_NOMEM)
		return fail(ld, 0, "out of memory");
	r = &regions[first + bad];
	if (err != REGION_OVERLAP)
		return fail(ld, r->line, "%s[%zu]: %s", key, bad,
			    region_strerror(err));
	other = &regions[(uintptr_t)conflict.data - 1];
	if (other->line > r->line) {
		const struct config_region *swap = r;

		r = other;
		other = swap;
	}
	if (r->space == IO_SPACE_PCI)
		return fail(ld, r->line,
			    "%s[%zu]: slot %u function %u is already the %s "
			    "on line %d",
			    key, (size_t)(r - regions - first),
			    config_pci_slot(r), config_pci_function(r),
			    other->type, other->line);
	return fail(ld, r->line,
		    "%s[%zu]: 0x%" PRIx64 "-0x%" PRIx64
		    " overlaps the %s region 0x%" PRIx64 "-0x%" PRIx64
		    " on line %d",
		    key, (size_t)(r - regions - first), r->range.base,
		    r->range.last, other->type, other->range.base,
		    other->range.last, other->line);
}
