/* SPDX-License-Identifier: BSD-2-Clause */
/* cache.c - a 4-way set-associative cache of decoded instructions.
 *
 * Device drivers touch MMIO from a handful of instructions, over and over;
 * the cache turns each repeat into a hash and a memcmp instead of a
 * Capstone call. The key is the mode and the instruction's own bytes:
 * an entry hits when the new bytes start with the cached instruction,
 * whatever follows it.
 */
#include <string.h>

#include "decode_internal.h"

/* The set hashes the first HASHED_BYTES bytes: lookups don't know the
 * length yet, so only bytes every cached instruction has can be used.
 * Instructions sharing those bytes share a set of WAYS entries, so a
 * driver's few hot instructions don't evict each other. */
#define HASHED_BYTES 2
#define WAYS 4
#define SETS (DECODE_CACHE_SIZE / WAYS)

static struct decode_cache_entry *set_of(struct decoder *d, enum cpu_mode mode,
					 const uint8_t *bytes)
{
	uint32_t h = 2166136261u ^ (uint32_t)mode; /* FNV-1a */

	for (size_t i = 0; i < HASHED_BYTES; i++)
		h = (h ^ bytes[i]) * 16777619u;
	return &d->cache[(h % SETS) * WAYS];
}

struct decode_cache_entry *decode_cache_lookup(struct decoder *d,
					       enum cpu_mode mode,
					       const uint8_t *bytes, size_t len)
{
	struct decode_cache_entry *set;

	if (len < HASHED_BYTES)
		return NULL;
	set = set_of(d, mode, bytes);
	for (unsigned w = 0; w < WAYS; w++) {
		struct decode_cache_entry *e = &set[w];

		if (e->valid && e->mode == mode && e->decoded.length <= len &&
		    memcmp(e->bytes, bytes, e->decoded.length) == 0)
			return e;
	}
	return NULL;
}

void decode_cache_store(struct decoder *d, enum cpu_mode mode,
			const uint8_t *bytes, const struct decoded *decoded)
{
	struct decode_cache_entry *set, *e;

	/* One-byte instructions (a bare MOVSB) are rare enough to decode
	 * every time. */
	if (decoded->length < HASHED_BYTES)
		return;
	set = set_of(d, mode, bytes);
	/* An empty way, else the next one round-robin. */
	e = &set[d->next_way++ % WAYS];
	for (unsigned w = 0; w < WAYS; w++)
		if (!set[w].valid) {
			e = &set[w];
			break;
		}
	e->valid = true;
	e->mode = mode;
	memcpy(e->bytes, bytes, decoded->length);
	e->decoded = *decoded;
}
