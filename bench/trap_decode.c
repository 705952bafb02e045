/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_decode.c - what decoding bench_trap's loads costs mmiod: the part
 * of a round trip that is Capstone's. */
#include "trap_decode.h"

#include <stdint.h>

#include "bench.h"
#include "decode/decode.h"

double trap_decode_ns(bool cached, int decodes)
{
	uint8_t insn[15] = {0x8b, 0x47, 0x08};
	static struct decoder *d;
	struct decoded out;
	char err[128];
	double t0;

	if (!d && (decode_global_init() || !(d = decoder_create())))
		return -1;
	decoder_set_cache(d, cached);
	t0 = bench_now();
	for (int i = 0; i < decodes; i++) {
		/* The loads that miss differ in their displacement; the
		 * one that hits is always the same. */
		if (!cached)
			insn[2] = (uint8_t)(8 * (1 + i % 8));
		decode_insn(d, CPU_MODE_64, insn, sizeof(insn), &out, err,
			    sizeof(err));
	}
	return (bench_now() - t0) * 1e9 / decodes;
}
