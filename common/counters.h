/* SPDX-License-Identifier: BSD-2-Clause */
/* counters.h - statistics counters written by one thread and read by any:
 * relaxed atomics, so that a reader on another thread sees whole values
 * while the writer pays no locked instruction. */
#ifndef MMIOD_COUNTERS_H
#define MMIOD_COUNTERS_H

#include <stdatomic.h>
#include <stddef.h>

/* For a counter only its own thread writes: a plain load and store. */
#define COUNTER_ADD(field, n)                                               \
	atomic_store_explicit(                                              \
		&(field),                                                   \
		atomic_load_explicit(&(field), memory_order_relaxed) + (n), \
		memory_order_relaxed)
#define COUNTER_INC(field) COUNTER_ADD(field, 1)

/* Adds the block of bytes counters at src to the one at sum: for a
 * struct that is nothing but atomic_ullong counters. */
static inline void counters_sum(void *sum, const void *src, size_t bytes)
{
	const atomic_ullong *s = src;
	atomic_ullong *d = sum;

	for (size_t i = 0; i < bytes / sizeof(*s); i++)
		COUNTER_ADD(d[i],
			    atomic_load_explicit(&s[i], memory_order_relaxed));
}

#endif
