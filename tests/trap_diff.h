/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_diff.h - run one accessor on the CPU and through a libmmiod-trap
 * window from the same registers and memory, and say where they differ.
 */
#ifndef MMIOD_TRAP_DIFF_H
#define MMIOD_TRAP_DIFF_H

#include "trap_cpu.h"
#include "trap_fixture.h"

#define DIFF_MEM_SIZE 0x10000 /* the window: mmiod's ram region */
#define DIFF_RAM_SIZE 0x4000  /* ordinary memory for string moves */
#define DIFF_GPA 0xfe100000ull

/* Where a register points: nowhere, or an offset into MEM or RAM. */
enum diff_area { AREA_NONE, AREA_MEM, AREA_RAM };

struct diff_input {
	const char *name;
	const uint8_t *code;  /* run copied to the end of the code page */
	size_t code_len;      /* (the page right below MEM), or */
	const void *function; /* run in place */
	struct cpu cpu;	      /* registers; offsets where area says so */
	uint8_t area[MMIOD_NREGS];
	uint32_t flags; /* the RFLAGS bits to compare */
	int abs_at;	/* >= 0: code[abs_at..+8) := MEM + abs_off */
	uint64_t abs_off;
	uint64_t seed; /* memory contents */
};

struct diff_env;

/* Maps the window and the plain buffers; NULL if it can't (reported). */
struct diff_env *diff_env_create(const struct trap_fixture *f);
void diff_env_destroy(struct diff_env *e);

enum diff_result {
	DIFF_AGREE,
	DIFF_DISAGREE,	     /* report says how */
	DIFF_NATIVE_CRASHED, /* not a valid accessor: the CPU faulted */
};

/* Runs in on the CPU and trapped, each in a child process (a refused
 * instruction aborts the process). */
enum diff_result diff_run(struct diff_env *e, const struct diff_input *in,
			  char *report, size_t len);

/* A register file of random values (never near a pointer) and random
 * arithmetic flags, from seed. */
void diff_random_cpu(struct cpu *cpu, uint64_t *seed);
uint64_t diff_random(uint64_t *state);

#endif
