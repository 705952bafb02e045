/* SPDX-License-Identifier: BSD-2-Clause */
/* decode_internal.h - the decoder's state and helpers shared by decode/'s
 * files. Private to decode/. */
#ifndef MMIOD_DECODE_INTERNAL_H
#define MMIOD_DECODE_INTERNAL_H

#include <capstone/capstone.h>

#include "decode.h"

#define DECODE_CACHE_SIZE 256

/* capstone.c: the Capstone functions decode/ calls, loaded on first use
 * (thread-safe); NULL when the library can't be loaded. */
struct capstone_api {
	cs_err (*open)(cs_arch arch, cs_mode mode, csh *handle);
	cs_err (*option)(csh handle, cs_opt_type type, size_t value);
	cs_err (*close)(csh *handle);
	cs_insn *(*malloc)(csh handle);
	void (*free)(cs_insn *insn, size_t count);
	bool (*disasm_iter)(csh handle, const uint8_t **code, size_t *size,
			    uint64_t *address, cs_insn *insn);
};
const struct capstone_api *capstone_api(void);

struct decode_cache_entry {
	bool valid;
	enum cpu_mode mode;
	uint8_t bytes[DECODE_MAX_INSN];
	struct decoded decoded;
};

struct decoder {
	const struct capstone_api *cs_api;
	csh cs[3]; /* one handle per mode: 16, 32, 64 */
	bool open[3];
	cs_insn *insn[3]; /* reused: no allocation per decode */
	bool cache_enabled;
	unsigned next_way; /* round-robin replacement */
	struct decode_cache_entry cache[DECODE_CACHE_SIZE];
};

/* regs.c: Capstone register id -> our register, width and AH..BH. */
int reg_operand_of(unsigned cs_reg, struct reg_operand *out);

/* cache.c: instructions decoded before, keyed by mode and bytes. */
struct decode_cache_entry *decode_cache_lookup(struct decoder *d,
					       enum cpu_mode mode,
					       const uint8_t *bytes,
					       size_t len);
void decode_cache_store(struct decoder *d, enum cpu_mode mode,
			const uint8_t *bytes, const struct decoded *decoded);

/* alu.c: op applied to a (memory or destination) and b (source) at
 * size bytes; updates the flags op defines in *rflags. */
uint64_t alu_compute(enum alu_op op, uint64_t a, uint64_t b, unsigned size,
		     uint64_t *rflags);

#endif
