/* SPDX-License-Identifier: BSD-2-Clause */
/* xen_mode.c - mmiod GUEST: find a Xen domain and serve it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/parse.h"
#include "guest_config.h"
#include "lifecycle.h"
#include "modes.h"

static int find_domain(const char *name, bool wait, uint32_t *domid)
{
	bool announced = false;
	uint64_t id;

	if (parse_u64(name, &id) == 0) {
		if (id >= 0x7ff0) { /* DOMID_FIRST_RESERVED */
			log_error("domain %s: not a guest domid", name);
			return -1;
		}
		*domid = (uint32_t)id;
		return 0;
	}
	while (ioreq_xen_find_domain(name, domid)) {
		if (errno == ENOTCONN) {
			log_error(
				"domain '%s': xenstore is not reachable (is this a Xen dom0 with xenstored running?)",
				name);
			return -1;
		}
		if (errno != ENOENT || !wait) {
			log_error("domain '%s': %s%s", name, strerror(errno),
				  errno == ENOENT ? " (--wait waits for it)"
						  : "");
			return -1;
		}
		if (!lifecycle_wait_for_domain(name, &announced))
			return -1;
	}
	return 0;
}

static struct ioreq_backend *open_xen(void *ctx, const char *name, bool wait,
				      uint32_t *domid)
{
	if (find_domain(name, wait, domid))
		return NULL;
	return ioreq_backend_xen_open(*domid);
}

int run_xen(const struct mmiod_options *opts)
{
	const struct domain_opener xen = {open_xen, NULL, false};
	struct mmiod_config *cfg;
	char path[4096];
	int status;

	if (!opts->config_path &&
	    snprintf(path, sizeof(path), "%s/%s.cfg", MMIOD_CONFIG_DIR,
		     opts->guest) >= (int)sizeof(path)) {
		fprintf(stderr, "mmiod: GUEST '%s' is too long\n", opts->guest);
		return 2;
	}
	cfg = guest_config_load(opts->config_path ? opts->config_path : path);
	if (!cfg)
		return 2;
	apply_log_level(opts, cfg);
	log_set_ident(opts->guest);
	status = serve_domain(&(struct serve_request){
		.cfg = cfg,
		.guest = opts->guest,
		.state_dir = state_dir_of(opts),
		.opener = &xen,
		.wait = opts->wait,
		.seccomp = opts->seccomp,
	});
	config_free(cfg);
	return status;
}
