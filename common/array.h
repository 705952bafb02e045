/* SPDX-License-Identifier: BSD-2-Clause */
/* array.h - growing arrays by doubling, so that appending n items costs
 * O(n) copies, not O(n^2). */
#ifndef MMIOD_ARRAY_H
#define MMIOD_ARRAY_H

#include <stddef.h>

/* Makes *items hold at least need elements of size elem, growing *cap
 * geometrically. 0, or -1 on out of memory (*items is kept). */
int array_reserve(void **items, size_t *cap, size_t need, size_t elem);

#endif
