/* cache.c - a direct-mapped cache of decoded instructions.
 *
 * Device drivers touch MMIO from a handful of instructions, over and over;
 * the cache turns each repeat into a hash and a memcmp instead of a
 * Capstone call. The key is the mode and the instruction's own bytes:
 * an entry hits when the new bytes start with the cached instruction,
 * whatever follows it.
 */
#include <string.h>

#include "decode_internal.h"

/* The slot hashes the first HASHED_BYTES bytes: lookups don't know the
 * length yet, so only bytes every cached instruction has can be used. */
#define HASHED_BYTES 2

static unsigned slot_of(enum cpu_mode mode, const uint8_t *bytes)
{
	uint32_t h = 2166136261u ^ (uint32_t)mode; /* FNV-1a */

	for (size_t i = 0; i < HASHED_BYTES; i++)
		h = (h ^ bytes[i]) * 16777619u;
	return h % DECODE_CACHE_SIZE;
}

struct decode_cache_entry *decode_cache_lookup(struct decoder *d,
					       enum cpu_mode mode,
					       const uint8_t *bytes, size_t len)
{
	struct decode_cache_entry *e;

	if (len < HASHED_BYTES)
		return NULL;
	e = &d->cache[slot_of(mode, bytes)];
	if (e->valid && e->mode == mode && e->decoded.length <= len &&
	    memcmp(e->bytes, bytes, e->decoded.length) == 0)
		return e;
	return NULL;
}

void decode_cache_store(struct decoder *d, enum cpu_mode mode,
			const uint8_t *bytes, const struct decoded *decoded)
{
	struct decode_cache_entry *e;

	/* One-byte instructions (a bare MOVSB) are rare enough to decode
	 * every time. */
	if (decoded->length < HASHED_BYTES)
		return;
	e = &d->cache[slot_of(mode, bytes)];
	e->valid = true;
	e->mode = mode;
	memcpy(e->bytes, bytes, decoded->length);
	e->decoded = *decoded;
}
