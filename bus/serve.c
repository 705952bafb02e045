/* SPDX-License-Identifier: BSD-2-Clause */
/* serve.c - one access through the bus: validate it, walk its elements,
 * find each one's region and call the device. Nothing here trusts a
 * field of the access. */
#include <inttypes.h>

#include "bus_internal.h"
#include "common/log.h"
#include "devices/devices.h"

static bool valid_size(uint32_t size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static void count_region(struct bus_region *r, enum io_dir dir, uint32_t size)
{
	atomic_fetch_add_explicit(dir == IO_READ ? &r->stats.reads
						 : &r->stats.writes,
				  1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->stats.bytes, size, memory_order_relaxed);
}

/* Serves one element in direction dir: a read returns the value (all
 * ones when no region holds it or the device fails); a write of value
 * is dropped when no region holds it and counted when it fails. */
static uint64_t element(struct bus_cpu *cpu, enum io_space space,
			enum io_dir dir, uint64_t addr, uint32_t size,
			uint64_t value, unsigned vcpu)
{
	struct bus_space_stats *ss = &cpu->stats.space[space];
	const char *what = dir == IO_READ ? "read" : "write";
	const struct region *found;
	struct bus_region *r;
	struct device_io io;
	int rc;

	found = regions_find(cpu->bus->regions[space], addr, size,
			     &cpu->hint[space]);
	if (!found) {
		COUNTER_INC(ss->unmatched);
		log_guest("vcpu %u: %s %s of %" PRIu32 " bytes at 0x%" PRIx64
			  " hits no region",
			  vcpu, io_space_name(space), what, size, addr);
		return access_mask(size);
	}
	r = found->data;
	io = (struct device_io){.space = space,
				.addr = addr,
				.offset = addr - found->range.base,
				.size = size,
				.vcpu = vcpu};
	if (dir == IO_READ)
		COUNTER_INC(ss->reads);
	else
		COUNTER_INC(ss->writes);
	COUNTER_ADD(ss->bytes, size);
	count_region(r, dir, size);
	atomic_store_explicit(&cpu->in_device, r->name, memory_order_relaxed);
	if (dir == IO_READ)
		rc = device_read(r->device, &io, &value);
	else
		rc = device_write(r->device, &io, value & access_mask(size));
	atomic_store_explicit(&cpu->in_device, NULL, memory_order_relaxed);
	if (rc) {
		COUNTER_INC(ss->errors);
		atomic_fetch_add_explicit(&r->stats.errors, 1,
					  memory_order_relaxed);
		log_guest("vcpu %u: %s: %s of %" PRIu32 " bytes at 0x%" PRIx64
			  " failed",
			  vcpu, r->name, what, size, addr);
		return access_mask(size);
	}
	return value & access_mask(size);
}

static enum bus_status bad_pointer(struct bus_cpu *cpu,
				   const struct mmio_access *a, uint64_t gpa)
{
	COUNTER_INC(cpu->stats.bad_pointer);
	log_guest("vcpu %u: rep %s at 0x%" PRIx64 ": guest pointer 0x%" PRIx64
		  " is outside guest memory; rep stopped",
		  a->vcpu, io_space_name(a->space), a->addr, gpa);
	return BUS_BAD_POINTER;
}

/* Element i of a rep: the device address strides for MMIO (not for a
 * port), the guest pointer always; both downwards when df is set. The
 * arithmetic wraps modulo 2^64 and regions_find() rejects what wrapped. */
static uint64_t stride(uint64_t base, uint64_t step, bool df)
{
	return df ? base - step : base + step;
}

static enum bus_status serve_elements(struct bus_cpu *cpu,
				      struct mmio_access *a,
				      const struct bus_memory *mem)
{
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
			else if (!mem ||
				 mem->read(mem->ctx, gpa, &value, a->size))
				return bad_pointer(cpu, a, gpa);
			element(cpu, a->space, IO_WRITE, addr, a->size, value,
				a->vcpu);
			continue;
		}
		value = element(cpu, a->space, IO_READ, addr, a->size, 0,
				a->vcpu);
		if (!a->data_is_ptr)
			a->data = value;
		else if (!mem || mem->write(mem->ctx, gpa, &value, a->size))
			return bad_pointer(cpu, a, gpa);
	}
	return BUS_OK;
}

enum bus_status bus_serve(struct bus_cpu *cpu, struct mmio_access *a,
			  const struct bus_memory *mem)
{
	enum bus_status status;

	if (!valid_size(a->size) || a->count == 0 ||
	    a->count > BUS_MAX_REP_COUNT) {
		if (a->dir == IO_READ && !a->data_is_ptr)
			a->data = UINT64_MAX;
		return valid_size(a->size) ? BUS_BAD_COUNT : BUS_BAD_SIZE;
	}
	if (a->space == IO_SPACE_PIO)
		a->addr &= 0xffff; /* ports are 16 bits, whatever came in */
	if (!a->data_is_ptr)
		a->data &= access_mask(a->size);
	/* Announce the access before looking up a region: see
	 * reclaim_locked() in bus.c for why this order keeps the arrays
	 * this access may see alive. */
	atomic_store_explicit(&cpu->entered, atomic_load(&cpu->bus->epoch) + 1,
			      memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	status = serve_elements(cpu, a, mem);
	atomic_store_explicit(&cpu->entered, 0, memory_order_release);
	return status;
}
