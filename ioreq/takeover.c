/* SPDX-License-Identifier: BSD-2-Clause */
/* takeover.c - answering the requests a killed mmiod left in its server.
 *
 * Xen never wakes a vCPU whose request waits in a server that is
 * destroyed: destroying frees the event channels without a notification,
 * and the vCPU stays blocked for good. So a restarted mmiod, once its own
 * server is live, disables the stale one (new requests now come to ours),
 * serves what waits in the stale slots through its own devices, notifies
 * the vCPUs, waits for them to take their answers, and only then has the
 * stale server destroyed.
 */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "engine_internal.h"

/* Answers slot v of the stale page; true if it now waits for its vCPU. */
static bool answer_slot(struct ioreq_engine *e, struct ioreq_evtchn *ev,
			volatile ioreq_t *slot, unsigned v)
{
	const struct ioreq_backend_ops *ops = e->be->ops;
	uint8_t state = slot->state;
	int port;

	if (state != STATE_IOREQ_READY && state != STATE_IOREQ_INPROCESS &&
	    state != STATE_IORESP_READY)
		return false;
	/* INPROCESS: the killed mmiod took the request but may not have
	 * served it. Serving it again repeats at most one access; leaving
	 * it hangs the vCPU. Worker 0's context serves: no worker thread
	 * runs yet. */
	if (state != STATE_IORESP_READY)
		ioreq_answer_slot(&e->workers[0], slot, v);
	port = ops->evtchn_bind(ev, slot->vp_eport);
	if (port < 0) {
		log_warn("vCPU %u: cannot bind stale port %u: %s", v,
			 slot->vp_eport, strerror(errno));
		return false;
	}
	ops->evtchn_notify(ev, (uint32_t)port);
	return true;
}

void ioreq_engine_take_over(struct ioreq_engine *e)
{
	struct ioreq_backend *be = e->be;
	unsigned n = be->nr_vcpus, answered = 0;
	struct ioreq_evtchn *ev;
	shared_iopage_t *page;
	bool waiting[SLOTS_PER_PAGE] = {false};
	int id;

	e->serving = true;
	if (!be->ops->stale_map || !(page = be->ops->stale_map(be, &id)))
		return;
	ev = be->ops->evtchn_open(be);
	for (unsigned v = 0; ev && v < n; v++) {
		waiting[v] = answer_slot(e, ev, &page->vcpu_ioreq[v], v);
		answered += waiting[v];
	}
	if (!ioreq_wait_answers_taken(page, waiting, n))
		log_warn("ioreq server %d: a vCPU did not take its answer", id);
	if (ev)
		be->ops->evtchn_close(ev);
	if (be->ops->stale_destroy(be, page))
		log_warn("cannot destroy stale ioreq server %d: %s", id,
			 strerror(errno));
	else
		log_info("destroyed ioreq server %d after answering %u "
			 "request%s left in it",
			 id, answered, answered == 1 ? "" : "s");
}
