/* SPDX-License-Identifier: BSD-2-Clause */
/* answer.c - one fault record in, one reply out: validate the record,
 * emulate its instruction through the sink, report the registers. */
#include "fault.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "decode/decode.h"
#include "mmiod-fault.h"

_Static_assert((int)MMIOD_NREGS == (int)REG_COUNT,
	       "the wire register file is decode's register file");

/* What emulate's callbacks need: the sink, and for MOVS the request's
 * source data and the reply's data. */
struct fault_ctx {
	const struct fault_sink *sink;
	unsigned vcpu;
	const struct mmiod_fault_request *req;
	struct mmiod_fault_reply *reply;
	uint32_t next_source;
};

static int serve_fault_access(struct fault_ctx *c, enum io_dir dir,
			      uint64_t gpa, unsigned size, uint64_t *value)
{
	struct mmio_access a = {.space = IO_SPACE_MMIO,
				.dir = dir,
				.addr = gpa,
				.size = size,
				.count = 1,
				.data = *value,
				.vcpu = c->vcpu};

	if (c->sink->serve(c->sink->ctx, &a))
		return -1;
	*value = a.data;
	return 0;
}

static int f_mmio_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *v)
{
	*v = 0;
	return serve_fault_access(ctx, IO_READ, gpa, size, v);
}

static int f_mmio_write(void *ctx, uint64_t gpa, unsigned size, uint64_t v)
{
	return serve_fault_access(ctx, IO_WRITE, gpa, size, &v);
}

static int f_mem_read(void *ctx, uint64_t linear, unsigned size, uint64_t *v)
{
	struct fault_ctx *c = ctx;

	if (c->next_source >= c->req->data_count)
		return -1;
	*v = c->req->data[c->next_source++];
	return 0;
}

static int f_mem_write(void *ctx, uint64_t linear, unsigned size, uint64_t v)
{
	struct fault_ctx *c = ctx;

	if (c->reply->data_count >= MMIOD_FAULT_MAX_DATA)
		return -1;
	c->reply->data[c->reply->data_count++] = v;
	return 0;
}

/* At most as many elements as data[] holds: a MOVS from MMIO never reads
 * an element it has no room to return. */
static const struct emulate_ops fault_ops = {
	f_mmio_read, f_mmio_write,	   f_mem_read,
	f_mem_write, MMIOD_FAULT_MAX_DATA,
};

static uint16_t fault_status(enum emulate_status status)
{
	switch (status) {
	case EMULATE_OK:
		return MMIOD_FAULT_OK;
	case EMULATE_UNSUPPORTED:
		return MMIOD_FAULT_UNSUPPORTED;
	case EMULATE_MISMATCH:
		return MMIOD_FAULT_MISMATCH;
	case EMULATE_DEVICE_ERROR:
		break;
	}
	return MMIOD_FAULT_DEVICE_ERROR;
}

static bool record_is_valid(const struct mmiod_fault_request *req)
{
	return req->magic == MMIOD_FAULT_MAGIC &&
	       req->version == MMIOD_FAULT_VERSION &&
	       (req->mode == 16 || req->mode == 32 || req->mode == 64) &&
	       req->dir <= 1 && req->insn_len >= 1 && req->insn_len <= 15 &&
	       req->data_count <= MMIOD_FAULT_MAX_DATA;
}

void fault_answer(struct decoder *decoder, const struct fault_sink *sink,
		  const struct mmiod_fault_request *req,
		  struct mmiod_fault_reply *reply)
{
	struct fault_ctx ctx = {sink, req->vcpu, req, reply, 0};
	struct fault f = {.gpa = req->gpa,
			  .size = req->size,
			  .dir = req->dir ? IO_READ : IO_WRITE,
			  .insn_len = req->insn_len};
	enum emulate_status status;
	struct regs regs;

	memset(reply, 0, sizeof(*reply));
	reply->magic = MMIOD_FAULT_MAGIC;
	reply->version = MMIOD_FAULT_VERSION;
	memcpy(reply->regs, req->regs, sizeof(reply->regs));
	if (!record_is_valid(req)) {
		reply->status = MMIOD_FAULT_BAD_RECORD;
		snprintf(reply->error, sizeof(reply->error),
			 "bad record: magic, version, mode (16/32/64), dir "
			 "(0/1), insn_len (1-15) or data_count");
		log_guest("raw fault: %s", reply->error);
		return;
	}
	f.mode = (enum cpu_mode)req->mode;
	memcpy(f.insn, req->insn, req->insn_len);
	memcpy(regs.r, req->regs, sizeof(regs.r));
	status = emulate_fault(decoder, &f, &regs, &fault_ops, &ctx,
			       reply->error, sizeof(reply->error));
	if (status != EMULATE_OK) {
		reply->status = fault_status(status);
		reply->data_count = 0;
		log_guest("raw fault at 0x%llx: %s",
			  (unsigned long long)req->gpa, reply->error);
		return;
	}
	memcpy(reply->regs, regs.r, sizeof(reply->regs));
}
