/* SPDX-License-Identifier: BSD-2-Clause */
/* mapcache.c - page-by-page guest copies through cached mappings. */
#include "mapcache.h"

#include <errno.h>
#include <string.h>

void mapcache_init(struct mapcache *mc, const struct mapcache_ops *ops,
		   void *ctx)
{
	memset(mc, 0, sizeof(*mc));
	mc->ops = ops;
	mc->ctx = ctx;
	pthread_mutex_init(&mc->lock, NULL);
}

/* The mapping of gfn, from the cache or freshly made. Caller holds the
 * lock. */
static void *lookup(struct mapcache *mc, uint64_t gfn)
{
	unsigned slot = (unsigned)(gfn % MAPCACHE_ENTRIES);
	void *page;

	if (mc->entries[slot].page && mc->entries[slot].gfn == gfn)
		return mc->entries[slot].page;
	page = mc->ops->map(mc->ctx, gfn);
	if (!page)
		return NULL;
	if (mc->entries[slot].page)
		mc->ops->unmap(mc->ctx, mc->entries[slot].page);
	mc->entries[slot].gfn = gfn;
	mc->entries[slot].page = page;
	return page;
}

int mapcache_copy(struct mapcache *mc, uint64_t gpa, void *buf, size_t len,
		  bool to_guest)
{
	void *pages[2];
	size_t first_len;
	unsigned npages;

	/* Requests carry at most 8 bytes per element, so at most two
	 * pages; anything else, or a range wrapping past 2^64, is refused
	 * before any byte is copied. */
	if (len == 0 || len > MAPCACHE_PAGE_SIZE ||
	    len - 1 > UINT64_MAX - gpa) {
		errno = EFAULT;
		return -1;
	}
	first_len = MAPCACHE_PAGE_SIZE - (gpa & (MAPCACHE_PAGE_SIZE - 1));
	if (first_len > len)
		first_len = len;
	npages = first_len == len ? 1 : 2;

	pthread_mutex_lock(&mc->lock);
	for (unsigned i = 0; i < npages; i++) {
		pages[i] = lookup(mc, (gpa >> MAPCACHE_PAGE_SHIFT) + i);
		if (!pages[i]) {
			pthread_mutex_unlock(&mc->lock);
			errno = EFAULT;
			return -1;
		}
	}
	/* A second lookup may have evicted the first page from the cache
	 * when both share a slot: impossible, consecutive gfns never do. */
	for (unsigned i = 0; i < npages; i++) {
		uint8_t *guest = (uint8_t *)pages[i] +
				 (i ? 0 : gpa & (MAPCACHE_PAGE_SIZE - 1));
		uint8_t *local = (uint8_t *)buf + (i ? first_len : 0);
		size_t n = i ? len - first_len : first_len;

		if (to_guest)
			memcpy(guest, local, n);
		else
			memcpy(local, guest, n);
	}
	pthread_mutex_unlock(&mc->lock);
	return 0;
}

void mapcache_invalidate(struct mapcache *mc)
{
	pthread_mutex_lock(&mc->lock);
	for (unsigned i = 0; i < MAPCACHE_ENTRIES; i++) {
		if (mc->entries[i].page)
			mc->ops->unmap(mc->ctx, mc->entries[i].page);
		mc->entries[i].page = NULL;
	}
	pthread_mutex_unlock(&mc->lock);
}

void mapcache_destroy(struct mapcache *mc)
{
	mapcache_invalidate(mc);
	pthread_mutex_destroy(&mc->lock);
}
