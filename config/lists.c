/* SPDX-License-Identifier: BSD-2-Clause */
/* lists.c - the mmio, pio and pci lists, entry by entry, on their
 * lines. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/array.h"
#include "loader.h"
#include "regions/regions.h"

static int load_list(struct loader *ld, const char *key, enum io_space space,
		     struct region_set *set)
{
	const struct scanned_key *sk = keyscan_find(&ld->scan, key);
	XLU_ConfigList *list;
	int entries, rc;

	rc = xlu_cfg_get_list(ld->xlu, key, &list, &entries, 1);
	if (rc == ESRCH)
		return 0;
	if (rc)
		return fail(
			ld, key_line(ld, key),
			"%s: must be a list of strings, e.g. [ \"base=0x1000,size=4K,type=trace\" ]",
			key);

	for (int i = 0; i < entries; i++) {
		struct mmiod_config *cfg = ld->cfg;
		const char *text = xlu_cfg_get_listitem(list, i);
		struct config_region *r;
		char name[32];

		snprintf(name, sizeof(name), "%s[%d]", key, i);
		if (array_reserve((void **)&cfg->regions, &ld->regions_cap,
				  cfg->nregions + 1, sizeof(*cfg->regions)))
			return fail(ld, 0, "out of memory");
		r = &cfg->regions[cfg->nregions++];
		memset(r, 0, sizeof(*r));
		r->space = space;
		r->line = sk && (size_t)i < sk->nitems ? sk->item_lines[i]
						       : key_line(ld, key);
		if (!text)
			return fail(ld, r->line, "%s: must be a string", name);
		if (parse_entry(ld, r, name, text) || check_entry(ld, r, name))
			return -1;
	}
	return add_to_set(ld, key, set, ld->cfg->nregions - (size_t)entries,
			  (size_t)entries);
}

int load_regions(struct loader *ld)
{
	static const char *const keys[IO_SPACE_COUNT] = {
		[IO_SPACE_MMIO] = "mmio",
		[IO_SPACE_PIO] = "pio",
		[IO_SPACE_PCI] = "pci",
	};
	struct region_set *sets[IO_SPACE_COUNT];
	int rc = 0;

	for (unsigned s = 0; s < IO_SPACE_COUNT; s++)
		sets[s] = regions_create();
	for (unsigned s = 0; s < IO_SPACE_COUNT && !rc; s++)
		rc = sets[s] ? load_list(ld, keys[s], s, sets[s])
			     : fail(ld, 0, "out of memory");
	for (unsigned s = 0; s < IO_SPACE_COUNT; s++)
		regions_destroy(sets[s]);
	return rc;
}
