/* SPDX-License-Identifier: BSD-2-Clause */
/* parse.h - strict parsing of numbers and booleans written by users. */
#ifndef MMIOD_PARSE_H
#define MMIOD_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Decimal or 0x-hex, optionally followed by K, M or G (powers of 1024).
 * The whole string must be consumed; overflow is an error. 0 on success,
 * -1 on error. */
int parse_u64(const char *s, uint64_t *out);

/* "1", "0", "yes", "no", "true", "false", "on", "off". */
int parse_bool(const char *s, bool *out);

#endif
