/* serve.c - serve one guest domain until SIGTERM or its death, on Xen
 * (mmiod GUEST) or on an attached simulator (mmiod --sim-attach).
 *
 * One linear setup, one teardown: the guest's lock, devices, domain, stale
 * server, ioreq server, workers, state file, control socket, unpause,
 * restrict, drop privileges, seccomp, READY=1; then serve. Unpausing happens before the restriction
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
#include "instance.h"
#include "lifecycle.h"
#include "modes.h"
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

int serve_domain(const struct mmiod_options *opts, struct mmiod_config *cfg,
		 const char *guest, const struct domain_opener *opener)
{
	struct ioreq_backend *be = NULL;
	struct server server;
	struct instance inst;
	struct owned_files owned;
	const char *name = cfg->domain ? cfg->domain : guest;
	uint32_t domid;
	int status = 1;

	server_init(&server);
	instance_init(&inst);
	owned_files_init(&owned);
	if (instance_paths(&inst, opts->state_dir, guest)) {
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
	if (instance_lock(&inst, guest))
		goto out;

	if (signals_setup() || server_open(&server, cfg))
		goto setup_failed;
	be = opener->open(opener->ctx, name, opts->wait, &domid);
	if (!be)
		goto setup_failed;
	destroy_stale_server(be, inst.state_path, domid);
	if (signals_block() || server_start(&server, be, cfg))
		goto out;
	if (instance_write_state(
		    &inst,
		    &(struct state_record){getpid(), domid,
					   ioreq_backend_server_id(be)}) ||
	    instance_listen(&inst))
		goto out;
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
	if (owned_files_give(&owned, cfg->user) ||
	    confine(cfg->user, opts->seccomp))
		goto out;
	sd_notify(0, "READY=1");
	log_info("serving domain %s (%u)", name, domid);

	switch (lifecycle_loop(&server, be, inst.control_fd)) {
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
	goto out;
setup_failed:
	status = lifecycle_setup_failed();
out:
	if (server_close(&server))
		status = 1;
	instance_close(&inst);
	owned_files_free(&owned);
	ioreq_backend_close(be);
	return status;
}
