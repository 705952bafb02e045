/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_engine.c - the ioreq engine fed arbitrary slot contents and
 * buffered-ring states, as a hostile or broken hypervisor could leave
 * them. Whatever the input, a slot that was READY must end IORESP_READY:
 * an uncompleted request hangs a vCPU. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_engine *fe = fuzz_engine_get();
	volatile ioreq_t *slot = sim_misbehave_slot(fe->sim, 0);
	buffered_iopage_t *ring = sim_misbehave_ring(fe->sim);
	ioreq_t req;
	uint32_t vp_eport = slot->vp_eport;
	bool was_ready;

	if (size < sizeof(req))
		return 0;
	memcpy(&req, data, sizeof(req));
	req.vp_eport = vp_eport; /* the port is Xen's, not the guest's */
	data += sizeof(req);
	size -= sizeof(req);
	/* The rest of the input: ring pointers and slots. */
	if (size >= 8) {
		memcpy((void *)&ring->read_pointer, data, 4);
		memcpy((void *)&ring->write_pointer, data + 4, 4);
		data += 8;
		size -= 8;
		if (size > sizeof(ring->buf_ioreq))
			size = sizeof(ring->buf_ioreq);
		memcpy(ring->buf_ioreq, data, size);
	}
	memcpy((void *)slot, &req, sizeof(req));
	was_ready = req.state == STATE_IOREQ_READY;
	sim_misbehave_notify(fe->sim, 0);
	ioreq_worker_run_pending(fe->worker);
	if (was_ready && slot->state != STATE_IORESP_READY)
		abort();
	/* Leave a quiet ring for the next input. */
	ring->read_pointer = ring->write_pointer = 0;
	slot->state = STATE_IOREQ_NONE;
	return 0;
}
