/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_decode.c - ns per decode over a mix of typical MMIO instructions:
 * through Capstone every time, and with the decode cache hit. With a
 * count argument it only decodes that many times through Capstone, for
 * bench/run to count instructions per decode under callgrind. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "decode/decode.h"

#define DECODES 400000

static const struct {
	uint8_t bytes[15];
	size_t len;
} mix[] = {
	{{0x89, 0x08}, 2},		  /* mov [rax], ecx */
	{{0x8b, 0x47, 0x14}, 3},	  /* mov eax, [rdi+0x14] */
	{{0x48, 0x8b, 0x10}, 3},	  /* mov rdx, [rax] */
	{{0xc7, 0x00, 0x01, 0, 0, 0}, 6}, /* mov dword [rax], 1 */
	{{0x0f, 0xb6, 0x46, 0x05}, 4},	  /* movzx eax, [rsi+5] */
	{{0x66, 0x89, 0x50, 0x02}, 4},	  /* mov [rax+2], dx */
	{{0xf0, 0x83, 0x08, 0x01}, 4},	  /* lock or [rax], 1 */
	{{0x88, 0x4b, 0x01}, 3},	  /* mov [rbx+1], cl */
};

#define NMIX (sizeof(mix) / sizeof(mix[0]))

static double run(struct decoder *d, long decodes)
{
	struct decoded out;
	char err[128];
	double t0 = bench_now();

	for (long i = 0; i < decodes; i++)
		decode_insn(d, CPU_MODE_64, mix[i % NMIX].bytes,
			    mix[i % NMIX].len, &out, err, sizeof(err));
	return (bench_now() - t0) * 1e9 / (double)decodes;
}

int main(int argc, char **argv)
{
	double capstone[BENCH_REPEATS], cached[BENCH_REPEATS];
	struct decoder *d;

	if (decode_global_init() || !(d = decoder_create()))
		return 1;
	if (argc > 1) {
		decoder_set_cache(d, false);
		run(d, atol(argv[1]));
		decoder_destroy(d);
		return 0;
	}
	for (int r = 0; r < BENCH_REPEATS; r++) {
		decoder_set_cache(d, false);
		capstone[r] = run(d, DECODES);
		decoder_set_cache(d, true);
		cached[r] = run(d, DECODES);
	}
	printf("decode\tcapstone_ns\tcached_ns\n");
	printf("mix of %zu\t%.1f\t%.1f\n", NMIX,
	       bench_median(capstone, BENCH_REPEATS),
	       bench_median(cached, BENCH_REPEATS));
	decoder_destroy(d);
	return 0;
}
