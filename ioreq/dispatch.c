/* SPDX-License-Identifier: BSD-2-Clause */
/* dispatch.c - turn one request copy into an access and have the bus
 * serve it. Nothing here trusts a field. */
#include <inttypes.h>

#include "common/log.h"
#include "engine_internal.h"

static uint64_t invalid(struct ioreq_worker *w, const ioreq_t *req,
			unsigned vcpu, const char *why)
{
	COUNTER_INC(w->stats.invalid);
	log_guest("vcpu %u: invalid ioreq (type %u, size %" PRIu32
		  ", count %" PRIu32 ", addr 0x%" PRIx64 "): %s",
		  vcpu, req->type, req->size, req->count, req->addr, why);
	/* The error reply: a read without a pointer sees all ones. */
	if (req->dir == IOREQ_READ && !req->data_is_ptr)
		return UINT64_MAX;
	return req->data;
}

uint64_t ioreq_serve_request(struct ioreq_worker *w, const ioreq_t *req,
			     unsigned vcpu)
{
	struct mmio_access a = {
		.dir = req->dir == IOREQ_READ ? IO_READ : IO_WRITE,
		.addr = req->addr,
		.size = req->size,
		.count = req->count,
		.df = req->df,
		.data_is_ptr = req->data_is_ptr,
		.data = req->data,
		.vcpu = vcpu,
	};

	switch (req->type) {
	case IOREQ_TYPE_TIMEOFFSET:
		COUNTER_INC(w->stats.timeoffset);
		return req->data;
	case IOREQ_TYPE_INVALIDATE:
		COUNTER_INC(w->stats.invalidate);
		w->engine->be->ops->guest_invalidate(w->engine->be);
		return req->data;
	case IOREQ_TYPE_PIO:
		a.space = IO_SPACE_PIO;
		break;
	case IOREQ_TYPE_COPY:
		a.space = IO_SPACE_MMIO;
		break;
	case IOREQ_TYPE_PCI_CONFIG:
		a.space = IO_SPACE_PCI; /* SBDF << 32 | register */
		break;
	default:
		return invalid(w, req, vcpu, "unknown type");
	}
	switch (bus_serve(w->cpu, &a, &w->engine->guest_memory)) {
	case BUS_BAD_SIZE:
		return invalid(w, req, vcpu, "size is not 1, 2, 4 or 8");
	case BUS_BAD_COUNT:
		return invalid(w, req, vcpu, "count is 0 or too large");
	case BUS_OK:
	case BUS_BAD_POINTER:
		break;
	}
	return a.data;
}
