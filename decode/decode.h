/* SPDX-License-Identifier: BSD-2-Clause */
/* decode.h - x86 instructions that touched MMIO: decode, then emulate.
 *
 * A raw fault gives the guest-physical address that faulted, the
 * instruction bytes at RIP, the register file and the CPU mode. decode
 * turns the bytes into one of a small closed set of shapes (with Capstone
 * for the encoding and our own table for the semantics), and emulate
 * performs the access through caller-supplied callbacks and applies the
 * result to the registers exactly as the CPU would, RIP included.
 *
 * Threads: a struct decoder (a Capstone handle, a reused cs_insn and a
 * decode cache) belongs to one thread. Call decode_global_init() once
 * before threads start: Capstone 4.0.2 fills a global table lazily and
 * without a lock on the first decode of some instructions.
 */
#ifndef MMIOD_DECODE_H
#define MMIOD_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/access.h"

#define DECODE_MAX_INSN 15

enum cpu_mode { CPU_MODE_16 = 16, CPU_MODE_32 = 32, CPU_MODE_64 = 64 };

/* General registers in x86 encoding order, then RIP and RFLAGS. */
enum reg {
	REG_RAX,
	REG_RCX,
	REG_RDX,
	REG_RBX,
	REG_RSP,
	REG_RBP,
	REG_RSI,
	REG_RDI,
	REG_R8,
	REG_R9,
	REG_R10,
	REG_R11,
	REG_R12,
	REG_R13,
	REG_R14,
	REG_R15,
	REG_RIP,
	REG_RFLAGS,
	REG_COUNT,
};

struct regs {
	uint64_t r[REG_COUNT];
};

/* RFLAGS bits the emulated instructions define. */
#define FLAG_CF (1u << 0)
#define FLAG_PF (1u << 2)
#define FLAG_AF (1u << 4)
#define FLAG_ZF (1u << 6)
#define FLAG_SF (1u << 7)
#define FLAG_DF (1u << 10)
#define FLAG_OF (1u << 11)
#define FLAGS_ARITH (FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF)

/* The shapes an MMIO instruction can take. */
enum decode_kind {
	KIND_WRITE, /* register or immediate -> memory (MOV, MOVNTI, MOVBE) */
	KIND_READ,  /* memory -> register, maybe extended (MOV, MOVZX, ...) */
	KIND_RMW,   /* read, compute, write back, flags (ADD, XCHG, BTS, ...) */
	KIND_READ_FLAGS, /* read, compute flags only (CMP, TEST, BT) */
	KIND_STRING,	 /* MOVS, STOS, LODS, maybe with REP */
};

enum alu_op {
	ALU_NONE,
	ALU_ADD,
	ALU_OR,
	ALU_ADC,
	ALU_SBB,
	ALU_AND,
	ALU_SUB,
	ALU_XOR,
	ALU_CMP,
	ALU_TEST,
	ALU_INC,
	ALU_DEC,
	ALU_NOT,
	ALU_NEG,
	ALU_XCHG,
	ALU_BT,
	ALU_BTS,
	ALU_BTR,
	ALU_BTC,
};

enum string_op { STRING_MOVS, STRING_STOS, STRING_LODS };

enum extend { EXTEND_NONE, EXTEND_ZERO, EXTEND_SIGN };

/* A register operand: which register, how wide, and whether it is one of
 * AH, CH, DH, BH (bits 8-15). */
struct reg_operand {
	int reg; /* enum reg, or -1 for none */
	unsigned size;
	bool high8;
};

struct decoded {
	enum decode_kind kind;
	enum alu_op op;		/* RMW and READ_FLAGS */
	enum string_op string;	/* STRING */
	enum extend extend;	/* READ */
	unsigned length;	/* instruction bytes */
	unsigned size;		/* bytes per memory access */
	struct reg_operand reg; /* source (WRITE, RMW), destination (READ) */
	bool mem_is_dest; /* RMW/READ_FLAGS: memory is the first operand */
	bool has_imm;
	uint64_t imm;	    /* extended to the operand size */
	bool byte_swap;	    /* MOVBE */
	bool rep;	    /* STRING with REP/REPE/REPNE */
	unsigned addr_size; /* 2, 4 or 8: width of RSI/RDI/RCX */
	/* The memory operand's effective address inputs, for the page
	 * offset check (64-bit mode, no FS/GS override). */
	bool ea_checkable;
	int ea_base, ea_index; /* enum reg or -1 */
	unsigned ea_scale;
	int64_t ea_disp;
	bool ea_rip_relative;
	char mnemonic[32];
};

struct decoder;

/* Once per process, before threads decode. 0, or -1 if Capstone is
 * unusable. */
int decode_global_init(void);
struct decoder *decoder_create(void);
void decoder_destroy(struct decoder *d);
/* Turns the cache on or off (on by default); for benchmarks. */
void decoder_set_cache(struct decoder *d, bool enabled);

/* Decodes the instruction at bytes. 0, or -1 with a message in err:
 * "unsupported instruction MNEMONIC (BYTES)" or why it is malformed. */
int decode_insn(struct decoder *d, enum cpu_mode mode, const uint8_t *bytes,
		size_t len, struct decoded *out, char *err, size_t errlen);

/* What emulate needs from its caller. mmio_* reach the device at a
 * guest-physical address; mem_* reach ordinary guest memory at a
 * guest-linear address (only MOVS needs them). 0 or -1. */
struct emulate_ops {
	int (*mmio_read)(void *ctx, uint64_t gpa, unsigned size,
			 uint64_t *value);
	int (*mmio_write)(void *ctx, uint64_t gpa, unsigned size,
			  uint64_t value);
	int (*mem_read)(void *ctx, uint64_t linear, unsigned size,
			uint64_t *value);
	int (*mem_write)(void *ctx, uint64_t linear, unsigned size,
			 uint64_t value);
	/* Most string elements per fault; 0: EMULATE_MAX_REP. */
	unsigned max_rep;
};

/* A raw fault: where, what kind of access, and the CPU state. */
struct fault {
	enum cpu_mode mode;
	uint64_t gpa;
	unsigned size; /* bytes of the faulting access; 0: don't check */
	enum io_dir dir;
	uint8_t insn[DECODE_MAX_INSN];
	size_t insn_len;
};

/* Most string elements done per fault; the rest re-execute (RIP stays,
 * RCX/RSI/RDI say how far it got), as Xen does. */
#define EMULATE_MAX_REP 4096

/* Why emulate_fault() refused a fault; each comes with a message. */
enum emulate_status {
	EMULATE_OK = 0,
	EMULATE_UNSUPPORTED = -1,  /* not a memory instruction we emulate */
	EMULATE_MISMATCH = -2,	   /* disagrees with the fault's size,
				    * direction or address */
	EMULATE_DEVICE_ERROR = -3, /* the device or guest memory refused */
};

/* Decodes f's instruction, checks it against f, performs the access and
 * updates regs (RIP included). EMULATE_OK, or why not with a message in
 * err and regs untouched. A REP whose element is refused after others
 * were done is EMULATE_OK too, with the reason in err: RCX/RSI/RDI count
 * the elements done and RIP stays, so it re-executes from there. */
enum emulate_status emulate_fault(struct decoder *d, const struct fault *f,
				  struct regs *regs,
				  const struct emulate_ops *ops, void *ctx,
				  char *err, size_t errlen);

/* The offset the memory operand addresses (base + index * scale + disp,
 * RIP-relative from the next instruction; for BT* with a register bit
 * offset, the word holding the bit), or for a string instruction RDI
 * (RSI for LODS). Segment bases are not included. */
uint64_t decode_effective_address(const struct decoded *d,
				  const struct regs *regs);

/* Lower-case names: "rax" ... "r15", "rip", "rflags". */
const char *reg_name(enum reg r);
int reg_by_name(const char *name);
/* The name of a register operand as the instruction writes it: "al",
 * "ah", "r8w", "esi", ... */
const char *reg_operand_name(const struct reg_operand *op);
/* The register file as the CPU leaves it: merges, AH..BH, zero-extension
 * of 32-bit destinations. */
uint64_t reg_read(const struct regs *regs, const struct reg_operand *op);
void reg_write(struct regs *regs, const struct reg_operand *op, uint64_t value);

#endif
