/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_decode.c - what mmiod-decode does, on any bytes and register
 * file: decode, then emulate against a device that returns part of the
 * input. Refusals are fine; crashes and sanitizer reports are not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "fuzz_env.h"

struct input {
	uint8_t mode;
	uint8_t dir;
	uint8_t size;
	uint8_t pad;
	uint64_t read_value;
	uint64_t gpa;
	uint64_t regs[REG_COUNT];
};

static int r(void *ctx, uint64_t gpa, unsigned size, uint64_t *v)
{
	*v = *(uint64_t *)ctx;
	return 0;
}

static int w(void *ctx, uint64_t gpa, unsigned size, uint64_t v)
{
	return 0;
}

static const struct emulate_ops ops = {r, w, r, w, 0};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decoder *d;
	static const enum cpu_mode modes[] = {CPU_MODE_16, CPU_MODE_32,
					      CPU_MODE_64};
	struct input in;
	struct fault f;
	struct regs regs;
	struct decoded dec;
	char err[256];

	if (!d) {
		if (decode_global_init())
			abort();
		d = decoder_create();
	}
	if (size < sizeof(in) + 1)
		return 0;
	memcpy(&in, data, sizeof(in));
	memset(&f, 0, sizeof(f));
	f.mode = modes[in.mode % 3];
	f.dir = in.dir & 1 ? IO_READ : IO_WRITE;
	f.size = in.size % 9;
	f.gpa = in.gpa;
	f.insn_len = size - sizeof(in) > DECODE_MAX_INSN ? DECODE_MAX_INSN
							 : size - sizeof(in);
	memcpy(f.insn, data + sizeof(in), f.insn_len);
	memcpy(regs.r, in.regs, sizeof(regs.r));
	decoder_set_cache(d, in.pad & 1);
	decode_insn(d, f.mode, f.insn, f.insn_len, &dec, err, sizeof(err));
	emulate_fault(d, &f, &regs, &ops, &in.read_value, err, sizeof(err));
	return 0;
}
