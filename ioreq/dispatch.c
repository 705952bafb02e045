/* dispatch.c - validate one request copy and serve it, element by element,
 * through the regions and their devices. Nothing here trusts a field. */
#include <inttypes.h>

#include "common/log.h"
#include "devices/devices.h"
#include "engine_internal.h"

static bool valid_size(uint32_t size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* Serves one element in direction dir: a read returns the value (all
 * ones when no region matches or the device fails); a write of *value is
 * dropped when no region matches and counted when it fails. */
static uint64_t element(struct ioreq_worker *w, enum io_space space,
			enum io_dir dir, uint64_t addr, uint32_t size,
			uint64_t value, unsigned vcpu)
{
	struct ioreq_space_stats *ss = &w->stats.space[space];
	const char *what = dir == IO_READ ? "read" : "write";
	const struct region *r;
	struct ioreq_target *t;
	struct device_io io;
	int rc;

	r = regions_find(w->engine->regions[space], addr, size,
			 &w->hint[space]);
	if (!r) {
		STAT_INC(ss->unmatched);
		log_guest("vcpu %u: %s %s of %" PRIu32 " bytes at 0x%" PRIx64
			  " hits no region",
			  vcpu, io_space_name(space), what, size, addr);
		return access_mask(size);
	}
	t = r->data;
	io = (struct device_io){space, addr, addr - r->base, size, vcpu};
	if (dir == IO_READ) {
		STAT_INC(ss->reads);
		atomic_fetch_add_explicit(&t->stats.reads, 1,
					  memory_order_relaxed);
		rc = device_read(t->device, &io, &value);
	} else {
		STAT_INC(ss->writes);
		atomic_fetch_add_explicit(&t->stats.writes, 1,
					  memory_order_relaxed);
		rc = device_write(t->device, &io, value & access_mask(size));
	}
	STAT_ADD(ss->bytes, size);
	atomic_fetch_add_explicit(&t->stats.bytes, size, memory_order_relaxed);
	if (rc) {
		STAT_INC(ss->errors);
		atomic_fetch_add_explicit(&t->stats.errors, 1,
					  memory_order_relaxed);
		log_guest("vcpu %u: %s: %s of %" PRIu32 " bytes at 0x%" PRIx64
			  " failed",
			  vcpu, t->name, what, size, addr);
		return access_mask(size);
	}
	return value & access_mask(size);
}

static int bad_pointer(struct ioreq_worker *w, const struct mmio_access *a,
		       uint64_t gpa)
{
	STAT_INC(w->stats.bad_pointer);
	log_guest("vcpu %u: rep %s at 0x%" PRIx64 ": guest pointer 0x%" PRIx64
		  " is outside guest memory; rep stopped",
		  a->vcpu, io_space_name(a->space), a->addr, gpa);
	return -1;
}

/* Element i of a rep: the device address strides for MMIO (not for a
 * port), the guest pointer always; both downwards when df is set. The
 * arithmetic wraps modulo 2^64 and regions_find() rejects what wrapped. */
static uint64_t stride(uint64_t base, uint64_t step, bool df)
{
	return df ? base - step : base + step;
}

/* Serves a; returns the value a read without data_is_ptr produced. */
static uint64_t serve_access(struct ioreq_worker *w,
			     const struct mmio_access *a)
{
	struct ioreq_backend *be = w->engine->be;
	uint64_t result = a->data;

	for (uint32_t i = 0; i < a->count; i++) {
		uint64_t step = (uint64_t)i * a->size;
		uint64_t addr = a->space == IO_SPACE_PIO
					? a->addr
					: stride(a->addr, step, a->df);
		uint64_t gpa = stride(a->data, step, a->df);
		uint64_t value = 0;

		if (a->dir == IO_WRITE) {
			if (!a->data_is_ptr)
				value = a->data;
			else if (be->ops->guest_read(be, gpa, &value, a->size))
				return bad_pointer(w, a, gpa);
			element(w, a->space, IO_WRITE, addr, a->size, value,
				a->vcpu);
			continue;
		}
		value = element(w, a->space, IO_READ, addr, a->size, 0,
				a->vcpu);
		if (!a->data_is_ptr)
			result = value;
		else if (be->ops->guest_write(be, gpa, &value, a->size))
			return bad_pointer(w, a, gpa);
	}
	return result;
}

void ioreq_worker_access(struct ioreq_worker *w, struct mmio_access *a)
{
	uint64_t v;

	a->data_is_ptr = false;
	if (a->space == IO_SPACE_PIO)
		a->addr &= 0xffff;
	if (a->dir == IO_WRITE)
		a->data &= access_mask(a->size);
	v = serve_access(w, a);
	if (a->dir == IO_READ)
		a->data = v;
}

static uint64_t invalid(struct ioreq_worker *w, const ioreq_t *req,
			unsigned vcpu, const char *why)
{
	STAT_INC(w->stats.invalid);
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
		STAT_INC(w->stats.timeoffset);
		return req->data;
	case IOREQ_TYPE_INVALIDATE:
		STAT_INC(w->stats.invalidate);
		w->engine->be->ops->guest_invalidate(w->engine->be);
		return req->data;
	case IOREQ_TYPE_PIO:
		a.space = IO_SPACE_PIO;
		a.addr &= 0xffff; /* ports are 16 bits, whatever came in */
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
	if (!valid_size(req->size))
		return invalid(w, req, vcpu, "size is not 1, 2, 4 or 8");
	if (req->count == 0 || req->count > IOREQ_MAX_REP_COUNT)
		return invalid(w, req, vcpu, "count is 0 or too large");
	if (!a.data_is_ptr)
		a.data &= access_mask(a.size);
	return serve_access(w, &a);
}
