/* SPDX-License-Identifier: BSD-2-Clause */
/* config.c - load a guest config: read, parse, check every key. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "loader.h"

struct mmiod_config *config_load(const char *path, const char *const *types,
				 char *err, size_t errlen)
{
	struct loader ld = {
		.path = path, .types = types, .err = err, .errlen = errlen};
	size_t len;
	char *data;
	int rc = -1;

	err[0] = '\0';
	ld.cfg = calloc(1, sizeof(*ld.cfg));
	if (!ld.cfg || !(ld.cfg->path = strdup(path))) {
		fail(&ld, 0, "out of memory");
		goto out;
	}
	ld.cfg->log_level = -1;
	ld.cfg->workers = 1;
	data = load_text(&ld, &len);
	if (!data)
		goto out;
	if (!parse_text(&ld, data, len) && !check_keys(&ld) &&
	    !load_options(&ld) && !load_regions(&ld))
		rc = 0;
	free(data);
out:
	keyscan_free(&ld.scan);
	if (ld.xlu)
		xlu_cfg_destroy(ld.xlu);
	if (ld.xlu_report) {
		fclose(ld.xlu_report);
		free(ld.xlu_report_text);
	}
	if (rc) {
		config_free(ld.cfg);
		return NULL;
	}
	return ld.cfg;
}

const char *config_region_param(const struct config_region *region,
				const char *key)
{
	for (size_t i = 0; i < region->nparams; i++)
		if (strcmp(region->params[i].key, key) == 0)
			return region->params[i].value;
	return NULL;
}

void config_free(struct mmiod_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nregions; i++) {
		struct config_region *r = &cfg->regions[i];

		for (size_t j = 0; j < r->nparams; j++) {
			free(r->params[j].key);
			free(r->params[j].value);
		}
		free(r->params);
		free(r->type);
	}
	free(cfg->regions);
	free(cfg->domain);
	free(cfg->user);
	free(cfg->fault_socket);
	free(cfg->path);
	free(cfg);
}
