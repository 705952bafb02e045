/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_decode.h - bench_trap's decode timing, kept apart from it because
 * decode/'s register names clash with <sys/ucontext.h>'s. */
#ifndef MMIOD_TRAP_DECODE_H
#define MMIOD_TRAP_DECODE_H

#include <stdbool.h>

/* ns per decode of bench_trap's loads: with mmiod's decode cache on and
 * its one repeated load (every decode hits), or off and its eight loads
 * (8b 47 XX: Capstone each time); -1 if Capstone is unusable. */
double trap_decode_ns(bool cached, int decodes);

#endif
