/* SPDX-License-Identifier: BSD-2-Clause */
/* mapcache.h - guest-physical copies through a small cache of mapped
 * guest pages, for data_is_ptr requests on the xen backend.
 *
 * Mapping a foreign page is a hypercall, so recently used pages stay
 * mapped in a small direct-mapped cache; IOREQ_TYPE_INVALIDATE (the guest
 * changed its memory map) drops them all. Copies may cross pages; a page
 * that can't be mapped fails the copy with EFAULT before any byte of it is
 * touched. Thread-safe. Private to ioreq/.
 */
#ifndef MMIOD_IOREQ_MAPCACHE_H
#define MMIOD_IOREQ_MAPCACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAPCACHE_PAGE_SHIFT 12
#define MAPCACHE_PAGE_SIZE (1u << MAPCACHE_PAGE_SHIFT)
#define MAPCACHE_ENTRIES 64

struct mapcache_ops {
	/* Maps one guest frame read-write; NULL if it can't be mapped. */
	void *(*map)(void *ctx, uint64_t gfn);
	void (*unmap)(void *ctx, void *page);
};

struct mapcache {
	const struct mapcache_ops *ops;
	void *ctx;
	pthread_mutex_t lock;
	struct {
		uint64_t gfn;
		void *page; /* NULL: empty */
	} entries[MAPCACHE_ENTRIES];
};

void mapcache_init(struct mapcache *mc, const struct mapcache_ops *ops,
		   void *ctx);
/* 0, or -1 with errno EFAULT when a page of the range can't be mapped
 * or the range wraps past 2^64. */
int mapcache_copy(struct mapcache *mc, uint64_t gpa, void *buf, size_t len,
		  bool to_guest);
/* Unmaps every cached page. */
void mapcache_invalidate(struct mapcache *mc);
void mapcache_destroy(struct mapcache *mc);

#endif
