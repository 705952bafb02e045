/* regions.c - copy-on-write sorted array of regions, lock-free lookup. */
#include "regions.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct region_array {
	struct region_array *retired_next;
	size_t count;
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

	a = malloc(sizeof(*a) + count * sizeof(a->items[0]));
	if (!a)
		return NULL;
	a->retired_next = NULL;
	a->count = count;
	return a;
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

/* Index of the first region whose base is greater than addr. */
static size_t upper_bound(const struct region_array *a, uint64_t addr)
{
	size_t lo = 0, hi = a->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->items[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Publish next and retire the array it replaces. Caller holds the lock. */
static void publish(struct region_set *set, struct region_array *next)
{
	struct region_array *old;

	/* Release: a reader that sees next also sees its items. */
	old = atomic_exchange_explicit(&set->current, next,
				       memory_order_acq_rel);
	old->retired_next = set->retired;
	set->retired = old;
}

enum region_error regions_add(struct region_set *set, uint64_t base,
			      uint64_t size, void *data,
			      struct region *conflict)
{
	struct region_array *cur, *next;
	uint64_t last;
	size_t pos;

	if (size == 0)
		return REGION_EMPTY;
	/* base + size may equal 2^64 exactly, so test the last byte. */
	if (size - 1 > UINT64_MAX - base)
		return REGION_WRAPS;
	last = base + (size - 1);

	pthread_mutex_lock(&set->writer_lock);
	cur = atomic_load_explicit(&set->current, memory_order_relaxed);
	pos = upper_bound(cur, base);
	/* Sorted and disjoint: only the neighbours can overlap. */
	if (pos > 0 && cur->items[pos - 1].last >= base) {
		if (conflict)
			*conflict = cur->items[pos - 1];
		goto overlap;
	}
	if (pos < cur->count && cur->items[pos].base <= last) {
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
	next->items[pos] = (struct region){base, last, data};
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
	if (pos == 0 || cur->items[pos - 1].base != base) {
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

static int contains(const struct region *r, uint64_t addr, uint64_t end)
{
	return r->base <= addr && end <= r->last;
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
	case REGION_EMPTY:
		return "size is 0";
	case REGION_WRAPS:
		return "base + size wraps past 2^64";
	case REGION_OVERLAP:
		return "overlaps an existing region";
	case REGION_NOT_FOUND:
		return "no region starts at that base";
	case REGION_NOMEM:
		return "out of memory";
	}
	return "unknown error";
}
