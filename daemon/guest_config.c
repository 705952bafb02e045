/* SPDX-License-Identifier: BSD-2-Clause */
/* guest_config.c - load a guest config and check every device's keys. */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "fault/fault.h"
#include "guest_config.h"
#include "pci_slots.h"

int guest_config_device_args(const struct config_region *region,
			     struct device_args *args,
			     struct device_param **params_out)
{
	struct device_param *params;

	params = calloc(region->nparams + 1, sizeof(*params));
	if (!params)
		return -1;
	for (size_t i = 0; i < region->nparams; i++) {
		params[i].key = region->params[i].key;
		params[i].value = region->params[i].value;
	}
	*args = (struct device_args){
		.space = region->space,
		.range = region->range,
		.nparams = region->nparams,
		.params = params,
	};
	*params_out = params;
	return 0;
}

int guest_config_check_user(const struct mmiod_config *cfg)
{
	struct passwd *pw;

	if (!cfg->user)
		return 0;
	errno = 0;
	pw = getpwnam(cfg->user);
	if (pw)
		return 0;
	if (errno)
		fprintf(stderr, "%s:%d: user: cannot look up '%s': %s\n",
			cfg->path, cfg->user_line, cfg->user, strerror(errno));
	else
		fprintf(stderr,
			"%s:%d: user: no user '%s' on this machine (valid: an "
			"existing user name, e.g. mmiod from the package's "
			"sysusers.d, or no user key to stay as started)\n",
			cfg->path, cfg->user_line, cfg->user);
	return -1;
}

struct mmiod_config *guest_config_load(const char *path)
{
	struct mmiod_config *cfg;
	char err[1024];

	cfg = config_load(path, device_type_names(), err, sizeof(err));
	if (!cfg) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	/* Whatever is at the path is only ever replaced if it is a stale
	 * socket: say so now, not when the guest already waits. */
	if (cfg->fault_socket &&
	    fault_socket_check(cfg->fault_socket, err, sizeof(err))) {
		fprintf(stderr, "%s:%d: fault_socket: %s\n", path,
			cfg->fault_socket_line, err);
		goto fail;
	}
	for (size_t i = 0; i < cfg->nregions; i++) {
		const struct config_region *r = &cfg->regions[i];
		struct device_param *params;
		struct device_args args;
		int rc;

		if (r->space == IO_SPACE_PCI) {
			if (pci_slot_validate(r, err, sizeof(err)) == 0)
				continue;
			fprintf(stderr, "%s:%d: %s function at slot %u: %s\n",
				path, r->line, r->type, config_pci_slot(r),
				err);
			goto fail;
		}
		if (guest_config_device_args(r, &args, &params)) {
			fprintf(stderr, "%s: out of memory\n", path);
			goto fail;
		}
		rc = device_validate(r->type, &args, err, sizeof(err));
		free(params);
		if (rc) {
			fprintf(stderr,
				"%s:%d: %s region at 0x%" PRIx64 ": %s\n", path,
				r->line, r->type, r->range.base, err);
			goto fail;
		}
	}
	return cfg;
fail:
	config_free(cfg);
	return NULL;
}

void guest_config_print(FILE *out, const struct mmiod_config *cfg)
{
	fprintf(out, "%-5s %-18s %-18s %-12s %s\n", "space", "base", "end",
		"size", "type");
	for (size_t i = 0; i < cfg->nregions; i++) {
		const struct config_region *r = &cfg->regions[i];

		if (r->space == IO_SPACE_PCI) {
			fprintf(out, "%-5s 00:%02x.%-34x %-12s %s\n", "pci",
				config_pci_slot(r), config_pci_function(r),
				"4K", r->type);
			continue;
		}
		fprintf(out,
			"%-5s 0x%016" PRIx64 " 0x%016" PRIx64 " 0x%-10" PRIx64
			" %s\n",
			io_space_name(r->space), r->range.base, r->range.last,
			range_size(r->range), r->type);
	}
}
