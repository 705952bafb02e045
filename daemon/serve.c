/* SPDX-License-Identifier: BSD-2-Clause */
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

#include "common/log.h"
#include "confine.h"
#include "consoles.h"
#include "guest_config.h"
#include "instance.h"
#include "lifecycle.h"
#include "modes.h"
#include "notify.h"
#include "server.h"

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

static int publish_serial(void *be, unsigned n, const char *path)
{
	return ioreq_backend_publish_console(be, n, path);
}

/* Where xl console finds the pty uarts: before the files are handed to
 * user= (the links are among them) and before the restriction (xenstore
 * is out of reach after it). */
static int publish_consoles(struct consoles *c, const struct server *s,
			    struct ioreq_backend *be,
			    const struct serve_request *req,
			    struct owned_files *of)
{
	const char **ptys = calloc(s->ndevices + 1, sizeof(*ptys));
	struct console_store store = {publish_serial, be};
	int rc;

	if (!ptys) {
		log_error("out of memory");
		return -1;
	}
	rc = consoles_publish(c, req->state_dir, req->guest, ptys,
			      server_ptys(s, ptys), of, &store);
	free(ptys);
	return rc;
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
	struct ioreq_backend *be = NULL;
	struct server server;
	struct instance inst;
	struct owned_files owned;
	struct consoles consoles;
	const char *name = cfg->domain ? cfg->domain : req->guest;
	uint32_t domid;
	int status = 1;

	server_init(&server);
	instance_init(&inst);
	owned_files_init(&owned);
	consoles_init(&consoles);
	if (instance_paths(&inst, req->state_dir, req->guest)) {
		status = 2;
		goto out;
	}
	if (instance_note(&inst, &owned) ||
	    owned_files_note_config(&owned, cfg)) {
		log_error("out of memory");
		goto out;
	}
	/* Before anything else: a second instance must not touch the
	 * first's devices, server or files. */
	if (instance_lock(&inst, req->guest))
		goto out;

	if (signals_setup() || server_open(&server, cfg))
		goto setup_failed;
	notify("STATUS=%s domain %s", req->wait ? "waiting for" : "opening",
	       name);
	be = req->opener->open(req->opener->ctx, name, req->wait, &domid);
	if (!be)
		goto setup_failed;
	if (server_fit_platform(&server, cfg, be, name)) {
		status = 2; /* the config asks what can't work */
		goto out;
	}
	destroy_stale_server(be, inst.state_path, domid);
	if (server_attach(&server, be, cfg) ||
	    instance_write_state(
		    &inst, &(struct state_record){getpid(), domid,
						  ioreq_backend_server_id(be)}))
		goto out;
	if (signals_block() || server_spawn(&server, cfg) ||
	    instance_listen(&inst) ||
	    publish_consoles(&consoles, &server, be, req, &owned))
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
	if (owned_files_give(&owned, cfg->user) ||
	    confine(cfg->user, req->seccomp))
		goto out;
	server_serve(&server);
	notify("READY=1\nSTATUS=serving %zu region%s for domain %s (%u)",
	       server.ndevices, server.ndevices == 1 ? "" : "s", name, domid);
	log_info("serving domain %s (%u)", name, domid);

	status = stop_status(lifecycle_loop(&server, be, inst.control_fd),
			     domid);
	notify("STOPPING=1\nSTATUS=stopping");
	goto out;
setup_failed:
	status = lifecycle_setup_failed();
out:
	if (req->print_stats)
		server_print_stats(&server, stderr);
	if (server_close(&server))
		status = 1;
	/* A stuck device leaves its ioreq server behind: the state file
	 * stays, so that a restart takes the server over. */
	if (server.stuck)
		inst.state_written = false;
	consoles_remove(&consoles);
	instance_close(&inst);
	owned_files_free(&owned);
	if (!server.stuck)
		ioreq_backend_close(be);
	return status;
}
