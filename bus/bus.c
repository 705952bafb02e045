/* SPDX-License-Identifier: BSD-2-Clause */
/* bus.c - the bus's regions: adding and removing them while accesses
 * are served, freeing what no access can still see, cpus and counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_internal.h"

struct bus *bus_create(void)
{
	struct bus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return NULL;
	for (unsigned s = 0; s < IO_SPACE_COUNT; s++) {
		bus->regions[s] = regions_create();
		if (!bus->regions[s]) {
			bus_destroy(bus);
			return NULL;
		}
	}
	pthread_mutex_init(&bus->lock, NULL);
	bus->live_tail = &bus->live;
	return bus;
}

static void free_region_list(struct bus_region *r, bool retired)
{
	while (r) {
		struct bus_region *next = retired ? r->retired_next : r->next;

		free(r);
		r = next;
	}
}

void bus_destroy(struct bus *bus)
{
	if (!bus)
		return;
	for (unsigned s = 0; s < IO_SPACE_COUNT; s++)
		regions_destroy(bus->regions[s]);
	free_region_list(bus->live, false);
	free_region_list(bus->retired, true);
	pthread_mutex_destroy(&bus->lock);
	free(bus);
}

/* Whether an access still in flight may see what the change numbered
 * epoch replaced. Caller holds the lock. */
static bool in_flight_before(const struct bus *bus, uint64_t epoch)
{
	/* Pairs with the fence in bus_serve(): either this sees the
	 * access's mark, or the access sees the new array. */
	atomic_thread_fence(memory_order_seq_cst);
	for (const struct bus_cpu *c = bus->cpus; c; c = c->next) {
		uint64_t e = atomic_load(&c->entered);

		if (e != 0 && e - 1 < epoch)
			return true;
	}
	return false;
}

/* Frees every replaced array and removed entry once no access that
 * entered before the latest change is still in flight. A change
 * publishes its array, then bumps the epoch, then (here) reads each
 * cpu's mark; an access writes its mark, then loads the array. With a
 * fence between the two steps on each side, an access this misses
 * loads the new array, and one that read the epoch after the bump can
 * hold nothing older. Caller holds the lock. */
static void reclaim_locked(struct bus *bus)
{
	if (!bus->replaced || in_flight_before(bus, atomic_load(&bus->epoch)))
		return;
	for (unsigned s = 0; s < IO_SPACE_COUNT; s++)
		regions_reclaim(bus->regions[s]);
	free_region_list(bus->retired, true);
	bus->retired = NULL;
	bus->replaced = false;
}

void bus_reclaim(struct bus *bus)
{
	pthread_mutex_lock(&bus->lock);
	reclaim_locked(bus);
	pthread_mutex_unlock(&bus->lock);
}

/* Tells the listener, without the lock: it reads the regions back
 * through bus_regions(). */
static int notify(struct bus *bus, enum io_space space)
{
	struct bus_listener l;

	pthread_mutex_lock(&bus->lock);
	l = bus->listener;
	pthread_mutex_unlock(&bus->lock);
	return l.regions_changed ? l.regions_changed(l.ctx, space) : 0;
}

static struct bus_region *new_entry(struct device *dev, const char *name)
{
	struct bus_region *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->device = dev;
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "?");
	return r;
}

static void link_live(struct bus *bus, struct bus_region *r)
{
	*bus->live_tail = r;
	bus->live_tail = &r->next;
}

static void unlink_live(struct bus *bus, struct bus_region *r)
{
	struct bus_region **p = &bus->live;

	while (*p != r)
		p = &(*p)->next;
	*p = r->next;
	if (bus->live_tail == &r->next)
		bus->live_tail = p;
	r->retired_next = bus->retired;
	bus->retired = r;
}

static int errno_of(enum region_error err)
{
	switch (err) {
	case REGION_OK:
		return 0;
	case REGION_OVERLAP:
		return EEXIST;
	case REGION_NOT_FOUND:
		return ENOENT;
	case REGION_NOMEM:
		return ENOMEM;
	case REGION_BAD_RANGE:
		break;
	}
	return EINVAL;
}

/* A change is published: accesses that enter from now on see it (see
 * reclaim_locked). Caller holds the lock. */
static void published(struct bus *bus)
{
	bus->replaced = true;
	atomic_fetch_add(&bus->epoch, 1);
}

int bus_add(struct bus *bus, enum io_space space, struct range r,
	    struct device *dev, const char *name)
{
	struct bus_region *entry = new_entry(dev, name);
	enum region_error err;
	int why;

	if (!entry)
		return -1;
	pthread_mutex_lock(&bus->lock);
	err = regions_add(bus->regions[space], r, entry, NULL);
	if (err) {
		pthread_mutex_unlock(&bus->lock);
		free(entry);
		errno = errno_of(err);
		return -1;
	}
	link_live(bus, entry);
	published(bus);
	reclaim_locked(bus);
	pthread_mutex_unlock(&bus->lock);
	if (notify(bus, space) == 0)
		return 0;
	/* The transport can't route it to us: take it back. */
	why = errno;
	pthread_mutex_lock(&bus->lock);
	regions_remove(bus->regions[space], r.base);
	unlink_live(bus, entry);
	published(bus);
	pthread_mutex_unlock(&bus->lock);
	notify(bus, space);
	errno = why;
	return -1;
}

int bus_add_batch(struct bus *bus, const struct bus_item *items, size_t n,
		  size_t *bad)
{
	struct bus_region **entries = calloc(n + 1, sizeof(*entries));
	struct region *batch = calloc(n + 1, sizeof(*batch));
	size_t *index = calloc(n + 1, sizeof(*index));
	bool added[IO_SPACE_COUNT] = {false};
	int rc = -1;

	errno = ENOMEM;
	if (!entries || !batch || !index)
		goto out;
	for (size_t i = 0; i < n; i++) {
		entries[i] = new_entry(items[i].device, items[i].name);
		if (!entries[i])
			goto out;
	}
	pthread_mutex_lock(&bus->lock);
	rc = 0;
	for (unsigned s = 0; s < IO_SPACE_COUNT; s++) {
		size_t k = 0, at;
		enum region_error err;

		for (size_t i = 0; i < n; i++) {
			if (items[i].space != s)
				continue;
			batch[k] = (struct region){items[i].range, entries[i]};
			index[k++] = i;
		}
		if (k == 0)
			continue;
		err = regions_add_batch(bus->regions[s], batch, k, &at, NULL);
		if (err) {
			/* Spaces loaded before this one stay: a batch is
			 * for an empty bus, whose caller gives up. */
			*bad = index[at];
			errno = errno_of(err);
			rc = -1;
			break;
		}
		for (size_t j = 0; j < k; j++) {
			link_live(bus, entries[index[j]]);
			entries[index[j]] = NULL;
		}
		published(bus);
		added[s] = true;
	}
	reclaim_locked(bus);
	pthread_mutex_unlock(&bus->lock);
	for (unsigned s = 0; s < IO_SPACE_COUNT; s++)
		if (added[s] && notify(bus, s))
			rc = -1;
out:
	for (size_t i = 0; entries && i < n; i++)
		free(entries[i]);
	free(entries);
	free(batch);
	free(index);
	return rc;
}

int bus_remove(struct bus *bus, enum io_space space, uint64_t base)
{
	const struct region *r;
	struct bus_region *entry;
	enum region_error err;
	int rc = 0;

	pthread_mutex_lock(&bus->lock);
	r = regions_find(bus->regions[space], base, 1, NULL);
	if (!r || r->range.base != base) {
		errno = ENOENT;
		rc = -1;
		goto out;
	}
	entry = r->data;
	err = regions_remove(bus->regions[space], base);
	if (err) {
		errno = errno_of(err);
		rc = -1;
		goto out;
	}
	published(bus);
	unlink_live(bus, entry);
	reclaim_locked(bus);
	pthread_mutex_unlock(&bus->lock);
	return notify(bus, space);
out:
	pthread_mutex_unlock(&bus->lock);
	return rc;
}

struct range *bus_regions(struct bus *bus, enum io_space space, size_t *count)
{
	const struct region *items;
	struct range *out;
	size_t n;

	/* Under the lock, so the array can't be reclaimed while copied. */
	pthread_mutex_lock(&bus->lock);
	items = regions_snapshot(bus->regions[space], &n);
	out = malloc((n ? n : 1) * sizeof(*out));
	for (size_t i = 0; out && i < n; i++)
		out[i] = items[i].range;
	pthread_mutex_unlock(&bus->lock);
	*count = out ? n : 0;
	if (!out)
		errno = ENOMEM;
	return out;
}

void bus_set_listener(struct bus *bus, const struct bus_listener *listener)
{
	pthread_mutex_lock(&bus->lock);
	bus->listener = listener ? *listener : (struct bus_listener){0};
	pthread_mutex_unlock(&bus->lock);
}

struct bus_cpu *bus_cpu_create(struct bus *bus)
{
	struct bus_cpu *cpu = aligned_alloc(64, sizeof(*cpu));

	if (!cpu)
		return NULL;
	memset(cpu, 0, sizeof(*cpu));
	cpu->bus = bus;
	pthread_mutex_lock(&bus->lock);
	cpu->next = bus->cpus;
	bus->cpus = cpu;
	pthread_mutex_unlock(&bus->lock);
	return cpu;
}

void bus_cpu_destroy(struct bus_cpu *cpu)
{
	struct bus *bus;
	struct bus_cpu **p;

	if (!cpu)
		return;
	bus = cpu->bus;
	pthread_mutex_lock(&bus->lock);
	for (p = &bus->cpus; *p != cpu; p = &(*p)->next)
		;
	*p = cpu->next;
	counters_sum(&bus->past, &cpu->stats, sizeof(cpu->stats));
	pthread_mutex_unlock(&bus->lock);
	free(cpu);
}

const char *bus_cpu_in_device(const struct bus_cpu *cpu)
{
	return atomic_load_explicit(&cpu->in_device, memory_order_relaxed);
}

void bus_stats(struct bus *bus, struct bus_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&bus->lock);
	counters_sum(out, &bus->past, sizeof(bus->past));
	for (const struct bus_cpu *c = bus->cpus; c; c = c->next)
		counters_sum(out, &c->stats, sizeof(c->stats));
	pthread_mutex_unlock(&bus->lock);
}

void bus_for_each_region(struct bus *bus,
			 void (*fn)(void *ctx, const char *name,
				    const struct bus_region_stats *stats),
			 void *ctx)
{
	pthread_mutex_lock(&bus->lock);
	for (const struct bus_region *r = bus->live; r; r = r->next)
		fn(ctx, r->name, &r->stats);
	pthread_mutex_unlock(&bus->lock);
}
