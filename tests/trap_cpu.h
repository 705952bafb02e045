/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_cpu.h - the differential test's view of the CPU: a register file,
 * a harness that runs code from it, and the corpora of accessors. */
#ifndef MMIOD_TRAP_CPU_H
#define MMIOD_TRAP_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmiod-fault.h"

#define CPU_CF (1u << 0)
#define CPU_PF (1u << 2)
#define CPU_AF (1u << 4)
#define CPU_ZF (1u << 6)
#define CPU_SF (1u << 7)
#define CPU_DF (1u << 10)
#define CPU_OF (1u << 11)
#define CPU_ARITH (CPU_CF | CPU_PF | CPU_AF | CPU_ZF | CPU_SF | CPU_OF)
/* The flags every accessor must leave as the CPU does. */
#define CPU_ALL (CPU_ARITH | CPU_DF)

/* regs[] in mmiod-fault.h order; RIP is not used. */
struct cpu {
	uint64_t r[MMIOD_NREGS];
};

/* Loads every general register but RSP and RFLAGS from cpu, calls code,
 * and stores them back (RSP as code left it). DF is cleared again before
 * returning to C. */
void trap_run(struct cpu *cpu, const void *code);

/* How an accessor's registers point at memory. MEM is the window (or, on
 * the CPU's own run, a plain buffer in its place); RAM is ordinary memory
 * on the other side of a string move. */
enum cpu_setup {
	SETUP_PLAIN,	    /* rbx = MEM + 0x800, r13 = MEM + 0x1800 */
	SETUP_STR_TO_MEM,   /* rdi = MEM + 0x900, rsi = RAM + 0x100 */
	SETUP_STR_FROM_MEM, /* rsi = MEM + 0x900, rdi = RAM + 0x100 */
	SETUP_C,	    /* rdi = MEM + 0x800 (a C accessor's argument) */
};

struct accessor {
	const char *name;
	const uint8_t *start, *end; /* the bytes, to run copied (asm) */
	const void *function;	    /* or run in place (C) */
	enum cpu_setup setup;
	uint32_t flags; /* RFLAGS bits the instruction defines or keeps */
	bool down;	/* run with DF = 1 */
	bool movbe;	/* needs the CPU's MOVBE */
	uint64_t rcx;	/* rcx on entry; 0: the setup's */
};

extern const struct accessor trap_asm_corpus[];
extern const size_t trap_asm_corpus_len;

/* The C corpus, built by gcc and clang at -O0 and -O2. */
extern const struct accessor trap_c_gcc_O0[], trap_c_gcc_O2[],
	trap_c_clang_O0[], trap_c_clang_O2[];
extern const size_t trap_c_corpus_len;

#endif
