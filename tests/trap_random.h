/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_random.h - random encodings of the instructions mmiod emulates,
 * with registers that point them into the differential test's memory. */
#ifndef MMIOD_TRAP_RANDOM_H
#define MMIOD_TRAP_RANDOM_H

#include "trap_diff.h"

#define TRAP_RANDOM_MAX 24 /* bytes of one encoding, ret included */

/* Fills in (code in buf) with a random encoding from *seed: prefixes
 * (66, REX, LOCK, REP), ModRM and SIB forms (base, index * scale, disp8,
 * disp32, RIP-relative), immediates, moffs, string moves either way, DF,
 * and random registers and flags around the pointers it needs. */
void trap_random_insn(uint64_t *seed, struct diff_input *in, uint8_t *buf);

#endif
