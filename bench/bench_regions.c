/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_regions.c - ns per regions_find() for 1 to 100,000 regions, next
 * to a linear scan of the same regions. */
#include <stdio.h>

#include "bench.h"
#include "regions/regions.h"

#define LOOKUPS 2000000

static volatile uintptr_t sink;

static double time_find(struct region_set *set, const uint64_t *addrs, size_t n)
{
	double t0 = bench_now();

	for (size_t i = 0; i < LOOKUPS; i++)
		sink += (uintptr_t)regions_find(set, addrs[i % n], 4, NULL);
	return (bench_now() - t0) * 1e9 / LOOKUPS;
}

/* A vCPU's accesses mostly repeat a region: 16 in a row each. */
static double time_hinted(struct region_set *set, const uint64_t *addrs,
			  size_t n)
{
	struct region_hint hint = {0};
	double t0 = bench_now();

	for (size_t i = 0; i < LOOKUPS; i++)
		sink += (uintptr_t)regions_find(
			set, addrs[(i / 16) % n] + (i % 16) * 4 % 1024, 4,
			&hint);
	return (bench_now() - t0) * 1e9 / LOOKUPS;
}

static double time_linear(const struct region *r, size_t count,
			  const uint64_t *addrs, size_t n, size_t lookups)
{
	double t0 = bench_now();

	for (size_t i = 0; i < lookups; i++) {
		uint64_t a = addrs[i % n];

		for (size_t j = 0; j < count; j++)
			if (r[j].range.base <= a && a + 3 <= r[j].range.last) {
				sink += j;
				break;
			}
	}
	return (bench_now() - t0) * 1e9 / (double)lookups;
}

int main(void)
{
	static const size_t counts[] = {1, 16, 1000, 10000, 100000};
	static uint64_t addrs[65536];
	unsigned seed = 1;

	printf("regions\tfind_ns\thinted_ns\tlinear_ns\n");
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		struct region_set *set = regions_create();
		double find[BENCH_REPEATS], lin[BENCH_REPEATS];
		double hinted[BENCH_REPEATS];
		const struct region *snap;
		size_t n;

		struct region *items = calloc(counts[c], sizeof(*items));
		size_t bad;

		/* 4 KiB regions 8 KiB apart, like a sparse MMIO map. */
		for (size_t i = 0; i < counts[c]; i++)
			items[i] = (struct region){
				{0xf0000000ull + i * 0x2000,
				 0xf0000000ull + i * 0x2000 + 0xfff},
				NULL};
		if (regions_add_batch(set, items, counts[c], &bad, NULL))
			return 1;
		free(items);
		for (size_t i = 0; i < 65536; i++)
			addrs[i] =
				0xf0000000ull +
				(uint64_t)(rand_r(&seed) % counts[c]) * 0x2000 +
				(uint64_t)(rand_r(&seed) % 1024) * 4;
		snap = regions_snapshot(set, &n);
		for (int r = 0; r < BENCH_REPEATS; r++) {
			find[r] = time_find(set, addrs, 65536);
			hinted[r] = time_hinted(set, addrs, 65536);
			/* A linear scan of 100,000 is slow: fewer lookups. */
			lin[r] = time_linear(snap, n, addrs, 65536,
					     LOOKUPS / (counts[c] / 16 + 1));
		}
		printf("%zu\t%.1f\t%.1f\t%.1f\n", counts[c],
		       bench_median(find, BENCH_REPEATS),
		       bench_median(hinted, BENCH_REPEATS),
		       bench_median(lin, BENCH_REPEATS));
		regions_destroy(set);
	}
	return 0;
}
