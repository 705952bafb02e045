/* xen_mode.c - mmiod GUEST: serve a guest of a real Xen hypervisor.
 *
 * One linear setup, one teardown: config, devices, domain, stale server,
 * ioreq server, workers, state file, unpause, restrict, drop privileges,
 * seccomp, READY=1; then serve until SIGTERM or domain death. Unpausing
 * happens before the restriction because it is a domctl, which restricted
 * handles can't make; the workers already serve by then.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "common/log.h"
#include "common/parse.h"
#include "confine.h"
#include "guest_config.h"
#include "lifecycle.h"
#include "modes.h"
#include "server.h"
#include "statefile.h"

#define WAIT_POLL_US 200000

static int find_domain(const char *name, bool wait, uint32_t *domid)
{
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
		if (errno != ENOENT || !wait) {
			log_error("domain '%s': %s%s", name, strerror(errno),
				  errno == ENOENT ? " (--wait waits for it)"
						  : "");
			return -1;
		}
		usleep(WAIT_POLL_US);
	}
	return 0;
}

static void destroy_stale_server(struct ioreq_backend *be,
				 const char *state_path, uint32_t domid)
{
	struct state_record old;

	if (statefile_read(state_path, &old) || old.domid != domid)
		return;
	if (ioreq_backend_destroy_stale(be, old.server_id) == 0)
		log_info("destroyed ioreq server %d left by pid %ld",
			 old.server_id, (long)old.pid);
	else if (errno != ENOENT && errno != ESRCH)
		log_warn("cannot destroy stale ioreq server %d: %s",
			 old.server_id, strerror(errno));
}

int run_xen(const struct mmiod_options *opts)
{
	char path[4096], state_path[4096], stats_path[4096];
	struct ioreq_backend *be = NULL;
	struct mmiod_config *cfg;
	struct server server;
	bool state_written = false;
	const char *name;
	uint32_t domid;
	int status = 1;

	server_init(&server);
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
	name = cfg->domain ? cfg->domain : opts->guest;
	if (statefile_path(state_path, sizeof(state_path), opts->state_dir,
			   opts->guest, "state") ||
	    statefile_path(stats_path, sizeof(stats_path), opts->state_dir,
			   opts->guest, "stats")) {
		log_error("--state-dir is too long");
		goto out;
	}

	if (signals_setup() || server_open(&server, cfg) ||
	    find_domain(name, opts->wait, &domid))
		goto out;
	be = ioreq_backend_xen_open(domid);
	if (!be)
		goto out;
	destroy_stale_server(be, state_path, domid);
	if (server_start(&server, be, cfg->workers))
		goto out;
	if (statefile_write(state_path, &(struct state_record){
						getpid(), domid,
						ioreq_backend_server_id(be)})) {
		log_error("cannot write %s: %s", state_path, strerror(errno));
		goto out;
	}
	state_written = true;
	if (cfg->unpause && ioreq_backend_unpause(be)) {
		log_error("cannot unpause domain %u: %s", domid,
			  strerror(errno));
		goto out;
	}
	if (ioreq_backend_restrict(be)) {
		log_error("cannot restrict the Xen handles to domain %u: %s",
			  domid, strerror(errno));
		goto out;
	}
	if (confine(cfg->user, opts->seccomp))
		goto out;
	sd_notify(0, "READY=1");
	log_info("serving domain %s (%u)", name, domid);

	switch (lifecycle_loop(&server, be, stats_path)) {
	case STOP_SIGNAL:
		log_info("stopping on signal");
		status = 0;
		break;
	case STOP_DOMAIN_DEATH:
		log_info("domain %u is gone", domid);
		status = 0;
		break;
	default:
		break;
	}
	sd_notify(0, "STOPPING=1");
out:
	if (server_close(&server))
		status = 1;
	if (state_written)
		statefile_remove(state_path);
	ioreq_backend_close(be);
	config_free(cfg);
	return status;
}
