/* SPDX-License-Identifier: BSD-2-Clause */
/* regions.c - copy-on-write sorted array of regions, lock-free lookup. */
#include "regions.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Below this many regions a plain binary search is as fast. */
#define BUCKETS_FROM 64

struct region_array {
	struct region_array *retired_next;
	size_t count;
	/* The bases again, packed: the binary search touches a third of
	 * the cache lines it would on items[]. */
	uint64_t *bases;
	/* A first level that narrows the search: the span from bases[0]
	 * on is cut into nbuckets buckets of 2^shift bytes, and bucket b's
	 * bases are bases[lo[b]] to bases[lo[b + 1] - 1]. Regions spread
	 * over the span leave about one base per bucket, so a lookup
	 * touches three cache lines instead of a search's dozen; clustered
	 * ones leave a binary search within a bucket, as without it. No
	 * buckets (nbuckets 0) for small arrays. */
	uint32_t *lo;
	size_t nbuckets;
	unsigned shift;
	struct region items[];
};

struct region_set {
	_Atomic(struct region_array *) current;
	pthread_mutex_t writer_lock;
	struct region_array *retired;
};

static struct region_array *array_alloc(size_t count)
{
	struct region_array *a;
	size_t nbuckets = 0;

	/* lo[] holds indexes as uint32_t. */
	if (count >= BUCKETS_FROM && count <= UINT32_MAX / 2)
		for (nbuckets = BUCKETS_FROM; nbuckets < count; nbuckets *= 2)
			;
	a = malloc(sizeof(*a) +
		   count * (sizeof(a->items[0]) + sizeof(uint64_t)) +
		   (nbuckets ? nbuckets + 1 : 0) * sizeof(uint32_t));
	if (!a)
		return NULL;
	a->retired_next = NULL;
	a->count = count;
	a->bases = (uint64_t *)(a->items + count);
	a->lo = (uint32_t *)(a->bases + count);
	a->nbuckets = nbuckets;
	a->shift = 0;
	return a;
}

/* Fills bases[] and the buckets from items[] once they are in place. */
static void index_bases(struct region_array *a)
{
	uint64_t span;
	size_t j = 0;

	for (size_t i = 0; i < a->count; i++)
		a->bases[i] = a->items[i].range.base;
	if (!a->nbuckets)
		return;
	span = a->bases[a->count - 1] - a->bases[0];
	while (span >> a->shift >= a->nbuckets)
		a->shift++;
	/* lo[b]: how many bases lie in the buckets before b. */
	for (size_t b = 0; b <= a->nbuckets; b++) {
		while (j < a->count &&
		       (a->bases[j] - a->bases[0]) >> a->shift < b)
			j++;
		a->lo[b] = (uint32_t)j;
	}
}

struct region_set *regions_create(void)
{
	struct region_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->current = array_alloc(0);
	if (!set->current) {
		free(set);
		return NULL;
	}
	pthread_mutex_init(&set->writer_lock, NULL);
	return set;
}

void regions_reclaim(struct region_set *set)
{
	struct region_array *a, *next;

	pthread_mutex_lock(&set->writer_lock);
	for (a = set->retired; a; a = next) {
		next = a->retired_next;
		free(a);
	}
	set->retired = NULL;
	pthread_mutex_unlock(&set->writer_lock);
}

void regions_destroy(struct region_set *set)
{
	if (!set)
		return;
	regions_reclaim(set);
	free(atomic_load(&set->current));
	pthread_mutex_destroy(&set->writer_lock);
	free(set);
}

/* How many of the n bases from first are at most addr. Branchless (the
 * compiler emits a conditional move), so that a lookup costs no
 * mispredicted branches, only the cache lines it touches. */
static size_t count_upto(const uint64_t *first, size_t n, uint64_t addr)
{
	const uint64_t *base = first;

	if (n == 0)
		return 0;
	while (n > 1) {
		size_t half = n / 2;

		base = base[half] <= addr ? base + half : base;
		n -= half;
	}
	return (size_t)(base - first) + (*base <= addr);
}

/* Index of the first region whose base is greater than addr. */
static size_t upper_bound(const struct region_array *a, uint64_t addr)
{
	uint64_t b;

	if (!a->nbuckets)
		return count_upto(a->bases, a->count, addr);
	if (addr < a->bases[0])
		return 0;
	b = (addr - a->bases[0]) >> a->shift;
	/* Past the last bucket: past every base. */
	if (b >= a->nbuckets)
		return a->count;
	return a->lo[b] +
	       count_upto(a->bases + a->lo[b], a->lo[b + 1] - a->lo[b], addr);
}

/* Publish next and retire the array it replaces. Caller holds the lock. */
static void publish(struct region_set *set, struct region_array *next)
{
	struct region_array *old;

	index_bases(next);
	/* Release: a reader that sees next also sees its items. */
	old = atomic_exchange_explicit(&set->current, next,
				       memory_order_acq_rel);
	old->retired_next = set->retired;
	set->retired = old;
}

enum region_error regions_add(struct region_set *set, struct range r,
			      void *data, struct region *conflict)
{
	uint64_t base = r.base, last = r.last;
	struct region_array *cur, *next;
	size_t pos;

	if (last < base)
		return REGION_BAD_RANGE;
	pthread_mutex_lock(&set->writer_lock);
	cur = atomic_load_explicit(&set->current, memory_order_relaxed);
	pos = upper_bound(cur, base);
	/* Sorted and disjoint: only the neighbours can overlap. */
	if (pos > 0 && cur->items[pos - 1].range.last >= base) {
		if (conflict)
			*conflict = cur->items[pos - 1];
		goto overlap;
	}
	if (pos < cur->count && cur->items[pos].range.base <= last) {
		if (conflict)
			*conflict = cur->items[pos];
		goto overlap;
	}

	next = array_alloc(cur->count + 1);
	if (!next) {
		pthread_mutex_unlock(&set->writer_lock);
		return REGION_NOMEM;
	}
	memcpy(next->items, cur->items, pos * sizeof(cur->items[0]));
	next->items[pos] = (struct region){r, data};
	memcpy(next->items + pos + 1, cur->items + pos,
	       (cur->count - pos) * sizeof(cur->items[0]));
	publish(set, next);
	pthread_mutex_unlock(&set->writer_lock);
	return REGION_OK;

overlap:
	pthread_mutex_unlock(&set->writer_lock);
	return REGION_OVERLAP;
}

enum region_error regions_remove(struct region_set *set, uint64_t base)
{
	struct region_array *cur, *next;
	size_t pos;

	pthread_mutex_lock(&set->writer_lock);
	cur = atomic_load_explicit(&set->current, memory_order_relaxed);
	pos = upper_bound(cur, base);
	if (pos == 0 || cur->items[pos - 1].range.base != base) {
		pthread_mutex_unlock(&set->writer_lock);
		return REGION_NOT_FOUND;
	}
	pos--;
	next = array_alloc(cur->count - 1);
	if (!next) {
		pthread_mutex_unlock(&set->writer_lock);
		return REGION_NOMEM;
	}
	memcpy(next->items, cur->items, pos * sizeof(cur->items[0]));
	memcpy(next->items + pos, cur->items + pos + 1,
	       (cur->count - pos - 1) * sizeof(cur->items[0]));
	publish(set, next);
	pthread_mutex_unlock(&set->writer_lock);
	return REGION_OK;
}

static int compare_base(const void *a, const void *b)
{
	const struct region *x = a, *y = b;

	return x->range.base < y->range.base ? -1
					     : x->range.base > y->range.base;
}

/* The caller's index of a region in the sorted copy: its data pointer
 * was swapped for the index while sorting. */
static size_t original_index(const struct region *r)
{
	return (size_t)(uintptr_t)r->data;
}

enum region_error regions_add_batch(struct region_set *set,
				    const struct region *items, size_t n,
				    size_t *bad, struct region *conflict)
{
	struct region_array *cur, *next;
	struct region *sorted;
	enum region_error err = REGION_OK;
	size_t i = 0, j = 0, k = 0;

	for (i = 0; i < n; i++)
		if (items[i].range.last < items[i].range.base) {
			*bad = i;
			return REGION_BAD_RANGE;
		}
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted)
		return REGION_NOMEM;
	for (i = 0; i < n; i++) {
		sorted[i] = items[i];
		sorted[i].data = (void *)(uintptr_t)i;
	}
	qsort(sorted, n, sizeof(*sorted), compare_base);

	pthread_mutex_lock(&set->writer_lock);
	cur = atomic_load_explicit(&set->current, memory_order_relaxed);
	next = array_alloc(cur->count + n);
	if (!next) {
		err = REGION_NOMEM;
		goto out;
	}
	/* Merge two sorted lists; any overlap is between neighbours. */
	for (i = j = k = 0; i < n || j < cur->count; k++) {
		bool take_new = j == cur->count ||
				(i < n && sorted[i].range.base <
						  cur->items[j].range.base);

		if (take_new) {
			next->items[k] = items[original_index(&sorted[i])];
			i++;
		} else {
			next->items[k] = cur->items[j++];
		}
		if (k && next->items[k - 1].range.last >=
				 next->items[k].range.base) {
			/* Existing regions never overlap each other, so
			 * the new item taken last is one of the two. */
			*bad = original_index(&sorted[i - 1]);
			if (conflict)
				*conflict = take_new ? next->items[k - 1]
						     : next->items[k];
			err = REGION_OVERLAP;
			free(next);
			goto out;
		}
	}
	publish(set, next);
out:
	pthread_mutex_unlock(&set->writer_lock);
	free(sorted);
	return err;
}

static int contains(const struct region *r, uint64_t addr, uint64_t end)
{
	return r->range.base <= addr && end <= r->range.last;
}

const struct region *regions_find(const struct region_set *set, uint64_t addr,
				  uint64_t len, struct region_hint *hint)
{
	const struct region_array *a;
	uint64_t end;
	size_t pos;

	/* end is the access's last byte; an access wrapping past 2^64 can
	 * never be inside one region. */
	if (len == 0 || len - 1 > UINT64_MAX - addr)
		return NULL;
	end = addr + (len - 1);

	/* Acquire: pairs with the release in publish(). */
	a = atomic_load_explicit(&set->current, memory_order_acquire);
	if (hint && hint->array == a && hint->index < a->count &&
	    contains(&a->items[hint->index], addr, end))
		return &a->items[hint->index];

	pos = upper_bound(a, addr);
	if (pos == 0 || !contains(&a->items[pos - 1], addr, end))
		return NULL;
	if (hint) {
		hint->array = a;
		hint->index = pos - 1;
	}
	return &a->items[pos - 1];
}

const struct region *regions_snapshot(const struct region_set *set,
				      size_t *count)
{
	const struct region_array *a;

	a = atomic_load_explicit(&set->current, memory_order_acquire);
	*count = a->count;
	return a->items;
}

const char *region_strerror(enum region_error err)
{
	switch (err) {
	case REGION_OK:
		return "success";
	case REGION_BAD_RANGE:
		return "last is below base";
	case REGION_OVERLAP:
		return "overlaps an existing region";
	case REGION_NOT_FOUND:
		return "no region starts at that base";
	case REGION_NOMEM:
		return "out of memory";
	}
	return "unknown error";
}
