/* serve.c - serve one guest domain until SIGTERM or its death, on Xen
 * (mmiod GUEST) or on an attached simulator (mmiod --sim-attach).
 *
 * One linear setup, one teardown: config, devices, domain, stale server,
 * ioreq server, workers, state file, unpause, restrict, drop privileges,
 * seccomp, READY=1; then serve. Unpausing happens before the restriction
 * because on Xen it is a domctl, which restricted handles can't make; the
 * workers already serve by then.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "common/log.h"
#include "confine.h"
#include "guest_config.h"
#include "lifecycle.h"
#include "modes.h"
#include "server.h"
#include "statefile.h"

static void destroy_stale_server(struct ioreq_backend *be,
				 const char *state_path, uint32_t domid)
{
	struct state_record old;

	if (statefile_read(state_path, &old) || old.domid != domid)
		return;
	if (ioreq_backend_destroy_stale(be, old.server_id) == 0)
		log_info("reclaiming ioreq server %d left by pid %ld",
			 old.server_id, (long)old.pid);
	else if (errno != ENOENT && errno != ESRCH)
		log_warn("cannot destroy stale ioreq server %d: %s",
			 old.server_id, strerror(errno));
}

int serve_domain(const struct mmiod_options *opts, struct mmiod_config *cfg,
		 const char *guest, const struct domain_opener *opener)
{
	char state_path[4096], stats_path[4096];
	struct ioreq_backend *be = NULL;
	struct server server;
	bool state_written = false;
	const char *name = cfg->domain ? cfg->domain : guest;
	uint32_t domid;
	int status = 1;

	server_init(&server);
	if (statefile_path(state_path, sizeof(state_path), opts->state_dir,
			   guest, "state") ||
	    statefile_path(stats_path, sizeof(stats_path), opts->state_dir,
			   guest, "stats")) {
		log_error("--state-dir is too long");
		goto out;
	}

	if (signals_setup() || server_open(&server, cfg))
		goto out;
	sd_notifyf(0, "STATUS=%s domain %s",
		   opts->wait ? "waiting for" : "opening", name);
	be = opener->open(opener->ctx, name, opts->wait, &domid);
	if (!be)
		goto out;
	destroy_stale_server(be, state_path, domid);
	if (server_start(&server, be, cfg))
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
	sd_notifyf(0, "READY=1\nSTATUS=serving %zu region%s for domain %s (%u)",
		   server.ntargets, server.ntargets == 1 ? "" : "s", name,
		   domid);
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
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
out:
	if (server_close(&server))
		status = 1;
	if (state_written)
		statefile_remove(state_path);
	ioreq_backend_close(be);
	return status;
}
