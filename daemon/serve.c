/* serve.c - the one lifecycle: serve one guest domain until SIGTERM or
 * its death, on Xen (mmiod GUEST) or on the simulator (mmiod --sim and
 * --sim-attach).
 *
 * One linear setup, one teardown. The setup order is what keeps guest
 * input away from an unconfined daemon: devices and the ioreq server are
 * set up and the serving threads created while nothing is served
 * (requests wait in their slots, and the vCPUs that sent them wait
 * too); the guest is unpaused while the handles can still make that
 * privileged call; then the handles are restricted to the domain,
 * privileges dropped and seccomp installed; only then do the threads
 * serve, starting with what a killed predecessor left waiting.
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

static int stop_status(enum stop_reason why, uint32_t domid)
{
	switch (why) {
	case STOP_SIGNAL:
		log_info("stopping on signal");
		return 0;
	case STOP_DOMAIN_DEATH:
		log_info("domain %u is gone", domid);
		return 0;
	case STOP_CHILD_EXIT:
		log_info("the scripted guest finished");
		return 0;
	case STOP_ERROR:
		break;
	}
	return 1;
}

int serve_domain(const struct serve_request *req)
{
	const struct mmiod_config *cfg = req->cfg;
	char state_path[4096], stats_path[4096];
	struct ioreq_backend *be = NULL;
	struct server server;
	bool state_written = false;
	const char *name = cfg->domain ? cfg->domain : req->guest;
	uint32_t domid;
	int status = 1;

	server_init(&server);
	if (statefile_path(state_path, sizeof(state_path), req->state_dir,
			   req->guest, "state") ||
	    statefile_path(stats_path, sizeof(stats_path), req->state_dir,
			   req->guest, "stats")) {
		log_error("--state-dir is too long");
		goto out;
	}

	if (signals_setup() || server_open(&server, cfg))
		goto out;
	be = req->opener->open(req->opener->ctx, name, req->wait, &domid);
	if (!be)
		goto out;
	destroy_stale_server(be, state_path, domid);
	if (server_attach(&server, be, cfg))
		goto out;
	if (statefile_write(state_path, &(struct state_record){
						getpid(), domid,
						ioreq_backend_server_id(be)})) {
		log_error("cannot write %s: %s", state_path, strerror(errno));
		goto out;
	}
	state_written = true;
	if (server_spawn(&server, cfg))
		goto out;
	if ((cfg->unpause || req->opener->unpause) &&
	    ioreq_backend_unpause(be)) {
		log_error("cannot unpause domain %u: %s", domid,
			  strerror(errno));
		goto out;
	}
	if (ioreq_backend_restrict(be)) {
		log_error("cannot restrict the Xen handles to domain %u: %s",
			  domid, strerror(errno));
		goto out;
	}
	if (confine(cfg->user, req->seccomp))
		goto out;
	server_serve(&server);
	sd_notify(0, "READY=1");
	log_info("serving domain %s (%u)", name, domid);

	status = stop_status(lifecycle_loop(&server, be, stats_path), domid);
	sd_notify(0, "STOPPING=1");
out:
	if (req->print_stats)
		server_print_stats(&server, stderr);
	if (server_close(&server))
		status = 1;
	/* A stuck device leaves its ioreq server behind: the state file
	 * stays, so that a restart takes the server over. */
	if (state_written && !server.stuck)
		statefile_remove(state_path);
	if (!server.stuck)
		ioreq_backend_close(be);
	return status;
}
