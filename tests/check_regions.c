/* SPDX-License-Identifier: BSD-2-Clause */
/* check_regions.c - specification of the regions interval set. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "regions/regions.h"
#include "testutil.h"

/* Adds [base, base + size) as every caller does, through
 * range_from_size(); what it refuses comes back as REGION_BAD_RANGE. */
static enum region_error add(struct region_set *s, uint64_t base, uint64_t size,
			     void *data, struct region *conflict)
{
	struct range r;

	if (!range_from_size(base, size, &r))
		return REGION_BAD_RANGE;
	return regions_add(s, r, data, conflict);
}

static struct region_set *set;

static void setup(void)
{
	set = regions_create();
	ck_assert_ptr_nonnull(set);
}

static void teardown(void)
{
	regions_destroy(set);
}

static int tag_a, tag_b;

START_TEST(first_and_last_byte_are_inside)
{
	const struct region *r;

	ck_assert_int_eq(add(set, 0x1000, 0x100, &tag_a, NULL), REGION_OK);
	r = regions_find(set, 0x1000, 1, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_eq(r->data, &tag_a);
	ck_assert_ptr_nonnull(regions_find(set, 0x10ff, 1, NULL));
	ck_assert_ptr_nonnull(regions_find(set, 0x10f8, 8, NULL));
	ck_assert_ptr_null(regions_find(set, 0x0fff, 1, NULL));
	ck_assert_ptr_null(regions_find(set, 0x1100, 1, NULL));
}
END_TEST

START_TEST(access_straddling_an_end_is_not_found)
{
	ck_assert_int_eq(add(set, 0x1000, 0x100, &tag_a, NULL), REGION_OK);
	ck_assert_ptr_null(regions_find(set, 0x10fe, 4, NULL));
	ck_assert_ptr_null(regions_find(set, 0x0ffe, 4, NULL));
	ck_assert_ptr_null(regions_find(set, 0x0f00, 0x300, NULL));
}
END_TEST

START_TEST(access_straddling_two_touching_regions_is_not_found)
{
	ck_assert_int_eq(add(set, 0x1000, 0x100, &tag_a, NULL), REGION_OK);
	ck_assert_int_eq(add(set, 0x1100, 0x100, &tag_b, NULL), REGION_OK);
	ck_assert_ptr_null(regions_find(set, 0x10fe, 4, NULL));
	ck_assert_ptr_eq(regions_find(set, 0x10fc, 4, NULL)->data, &tag_a);
	ck_assert_ptr_eq(regions_find(set, 0x1100, 4, NULL)->data, &tag_b);
}
END_TEST

START_TEST(region_may_end_at_the_top_of_the_address_space)
{
	const struct region *r;

	ck_assert_int_eq(add(set, UINT64_MAX - 0xfff, 0x1000, &tag_a, NULL),
			 REGION_OK);
	r = regions_find(set, UINT64_MAX, 1, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->range.last, UINT64_MAX);
	ck_assert_ptr_nonnull(regions_find(set, UINT64_MAX - 7, 8, NULL));
	/* An access running past 2^64 must not wrap to address 0. */
	ck_assert_ptr_null(regions_find(set, UINT64_MAX - 3, 8, NULL));
}
END_TEST

START_TEST(whole_address_space_is_one_region)
{
	/* size 2^64 can't be written; 2^64 - 1 from 1 is the largest. */
	ck_assert_int_eq(add(set, 1, UINT64_MAX, &tag_a, NULL), REGION_OK);
	ck_assert_ptr_nonnull(regions_find(set, UINT64_MAX, 1, NULL));
	ck_assert_ptr_null(regions_find(set, 0, 1, NULL));
}
END_TEST

START_TEST(empty_and_wrapping_regions_are_rejected)
{
	ck_assert_int_eq(add(set, 0x1000, 0, &tag_a, NULL), REGION_BAD_RANGE);
	ck_assert_int_eq(add(set, UINT64_MAX, 2, &tag_a, NULL),
			 REGION_BAD_RANGE);
	ck_assert_int_eq(add(set, 2, UINT64_MAX, &tag_a, NULL),
			 REGION_BAD_RANGE);
	/* A range made by hand is checked too. */
	ck_assert_int_eq(
		regions_add(set, (struct range){0x2000, 0x1fff}, &tag_a, NULL),
		REGION_BAD_RANGE);
}
END_TEST

START_TEST(zero_length_access_is_not_found)
{
	ck_assert_int_eq(add(set, 0x1000, 0x100, &tag_a, NULL), REGION_OK);
	ck_assert_ptr_null(regions_find(set, 0x1000, 0, NULL));
}
END_TEST

/* Each row: an existing region [0x1000, 0x1100) and a candidate. */
static const struct {
	uint64_t base, size;
	enum region_error expect;
} overlap_cases[] = {
	{0x0f00, 0x100, REGION_OK},	 /* touches below */
	{0x1100, 0x100, REGION_OK},	 /* touches above */
	{0x0f00, 0x101, REGION_OVERLAP}, /* one byte into the start */
	{0x10ff, 0x100, REGION_OVERLAP}, /* last byte shared */
	{0x1010, 0x10, REGION_OVERLAP},	 /* inside */
	{0x0f00, 0x300, REGION_OVERLAP}, /* covers it */
	{0x1000, 0x100, REGION_OVERLAP}, /* the same */
};

START_TEST(overlap_is_rejected_and_touching_is_fine)
{
	struct region conflict = {0};
	enum region_error err;

	ck_assert_int_eq(add(set, 0x1000, 0x100, &tag_a, NULL), REGION_OK);
	err = add(set, overlap_cases[_i].base, overlap_cases[_i].size, &tag_b,
		  &conflict);
	ck_assert_int_eq(err, overlap_cases[_i].expect);
	if (err == REGION_OVERLAP) {
		/* The error names the region it overlaps. */
		ck_assert_uint_eq(conflict.range.base, 0x1000);
		ck_assert_uint_eq(conflict.range.last, 0x10ff);
		ck_assert_ptr_eq(conflict.data, &tag_a);
	}
}
END_TEST

START_TEST(overlap_with_the_successor_is_rejected)
{
	struct region conflict;

	ck_assert_int_eq(add(set, 0x1000, 0x100, &tag_a, NULL), REGION_OK);
	ck_assert_int_eq(add(set, 0x3000, 0x100, &tag_b, NULL), REGION_OK);
	ck_assert_int_eq(add(set, 0x2000, 0x1001, NULL, &conflict),
			 REGION_OVERLAP);
	ck_assert_ptr_eq(conflict.data, &tag_b);
}
END_TEST

START_TEST(remove_takes_the_region_out)
{
	ck_assert_int_eq(add(set, 0x1000, 0x100, &tag_a, NULL), REGION_OK);
	ck_assert_int_eq(regions_remove(set, 0x1001), REGION_NOT_FOUND);
	ck_assert_int_eq(regions_remove(set, 0x1000), REGION_OK);
	ck_assert_ptr_null(regions_find(set, 0x1000, 1, NULL));
	ck_assert_int_eq(regions_remove(set, 0x1000), REGION_NOT_FOUND);
	ck_assert_int_eq(add(set, 0x1000, 0x100, &tag_b, NULL), REGION_OK);
}
END_TEST

START_TEST(snapshot_iterates_in_address_order)
{
	const struct region *r;
	size_t n;

	add(set, 0x3000, 0x10, NULL, NULL);
	add(set, 0x1000, 0x10, NULL, NULL);
	add(set, 0x2000, 0x10, NULL, NULL);
	r = regions_snapshot(set, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(r[0].range.base, 0x1000);
	ck_assert_uint_eq(r[1].range.base, 0x2000);
	ck_assert_uint_eq(r[2].range.base, 0x3000);
}
END_TEST

START_TEST(hint_remembers_the_last_region_and_survives_updates)
{
	struct region_hint hint = {0};

	add(set, 0x1000, 0x100, &tag_a, NULL);
	add(set, 0x2000, 0x100, &tag_b, NULL);
	ck_assert_ptr_eq(regions_find(set, 0x2004, 4, &hint)->data, &tag_b);
	ck_assert_uint_eq(hint.index, 1);
	ck_assert_ptr_eq(regions_find(set, 0x2008, 4, &hint)->data, &tag_b);
	/* A miss through a stale hint still finds the right region. */
	ck_assert_ptr_eq(regions_find(set, 0x1008, 4, &hint)->data, &tag_a);
	/* After an update the hint's array is stale and must be ignored. */
	regions_remove(set, 0x1000);
	ck_assert_ptr_null(regions_find(set, 0x1008, 4, &hint));
	ck_assert_ptr_eq(regions_find(set, 0x2000, 4, &hint)->data, &tag_b);
}
END_TEST

/* Brute-force oracle: a plain list of [base, last] pairs. */
struct oracle {
	size_t n;
	uint64_t base[512], last[512];
};

static int oracle_overlaps(const struct oracle *o, uint64_t b, uint64_t l)
{
	for (size_t i = 0; i < o->n; i++)
		if (b <= o->last[i] && o->base[i] <= l)
			return 1;
	return 0;
}

static long oracle_find(const struct oracle *o, uint64_t a, uint64_t len)
{
	if (len == 0 || a + (len - 1) < a)
		return -1;
	for (size_t i = 0; i < o->n; i++)
		if (o->base[i] <= a && a + (len - 1) <= o->last[i])
			return (long)i;
	return -1;
}

static uint64_t rnd(unsigned *seed)
{
	return ((uint64_t)rand_r(seed) << 33) ^ ((uint64_t)rand_r(seed) << 12) ^
	       (uint64_t)rand_r(seed);
}

/* Addresses in a small window so that overlaps, touches and hits are
 * common, plus the top of the address space for the wrap edge. */
static uint64_t rnd_addr(unsigned *seed)
{
	uint64_t a = rnd(seed) % 0x10000;

	return rand_r(seed) % 8 == 0 ? UINT64_MAX - a : a;
}

static const unsigned seeds[] = {1, 42, 4242, 0xdecafbad};

START_TEST(random_operations_match_a_brute_force_oracle)
{
	static struct oracle o;
	unsigned seed = seeds[_i];
	unsigned long ops = 0;

	o.n = 0;
	for (ops = 0; ops < 30000; ops++) {
		unsigned op = (unsigned)rand_r(&seed) % 10;
		uint64_t base = rnd_addr(&seed);
		uint64_t size = 1 + rnd(&seed) % 0x400;

		if (op < 3 && o.n < 512) {
			/* size - 1 > UINT64_MAX - base: wraps */
			int wraps = size - 1 > UINT64_MAX - base;
			uint64_t last = wraps ? 0 : base + size - 1;
			int expect_ok =
				!wraps && !oracle_overlaps(&o, base, last);
			enum region_error err =
				add(set, base, size, NULL, NULL);

			ck_assert_int_eq(err == REGION_OK, expect_ok);
			if (expect_ok) {
				o.base[o.n] = base;
				o.last[o.n++] = last;
			}
		} else if (op < 4 && o.n > 0) {
			size_t victim = (size_t)rand_r(&seed) % o.n;

			ck_assert_int_eq(regions_remove(set, o.base[victim]),
					 REGION_OK);
			o.base[victim] = o.base[--o.n];
			o.last[victim] = o.last[o.n];
		} else {
			uint64_t len = 1u << (rand_r(&seed) % 4);
			long want = oracle_find(&o, base, len);
			const struct region *r =
				regions_find(set, base, len, NULL);

			if (want < 0) {
				ck_assert_ptr_null(r);
			} else {
				ck_assert_ptr_nonnull(r);
				ck_assert_uint_eq(r->range.base, o.base[want]);
				ck_assert_uint_eq(r->range.last, o.last[want]);
			}
		}
		if (ops % 1000 == 0)
			regions_reclaim(set);
	}
	ck_assert_uint_ge(ops * (sizeof(seeds) / sizeof(seeds[0])), 100000);
}
END_TEST

START_TEST(batch_add_matches_single_adds)
{
	static struct region items[5000];
	struct region_set *one = regions_create();
	unsigned seed = 7;
	size_t bad, n = 0;

	/* Disjoint regions in random order. */
	for (size_t i = 0; i < 5000; i++) {
		uint64_t base = (uint64_t)i * 0x100 + 0x10;

		items[i] = (struct region){{base, base + 0x7f}, &items[i]};
	}
	for (size_t i = 4999; i > 0; i--) {
		size_t j = (size_t)rand_r(&seed) % (i + 1);
		struct region t = items[i];

		items[i] = items[j];
		items[j] = t;
	}
	add(set, 0x2000000, 0x100, &tag_a, NULL);
	ck_assert_int_eq(regions_add_batch(set, items, 5000, &bad, NULL),
			 REGION_OK);
	for (size_t i = 0; i < 5000; i++)
		add(one, items[i].range.base, 0x80, items[i].data, NULL);
	for (uint64_t a = 0; a < 5000 * 0x100; a += 0x3f) {
		const struct region *x = regions_find(set, a, 2, NULL);
		const struct region *y = regions_find(one, a, 2, NULL);

		ck_assert_int_eq(x == NULL, y == NULL);
		if (x)
			ck_assert_ptr_eq(x->data, y->data);
		n += x != NULL;
	}
	ck_assert_uint_gt(n, 1000);
	ck_assert_ptr_eq(regions_find(set, 0x2000000, 4, NULL)->data, &tag_a);
	regions_destroy(one);
}
END_TEST

START_TEST(batch_overlap_names_the_item_and_adds_nothing)
{
	struct region items[] = {
		{{0x1000, 0x1fff}, &tag_a},
		{{0x3000, 0x3fff}, &tag_b},
		{{0x1800, 0x27ff}, NULL}, /* overlaps item 0 */
	};
	struct region existing_clash[] = {{{0x5000, 0x5fff}, NULL},
					  {{0x8800, 0x88ff}, NULL}};
	struct region conflict;
	size_t bad = 99, n;

	ck_assert_int_eq(regions_add_batch(set, items, 3, &bad, &conflict),
			 REGION_OVERLAP);
	ck_assert(bad == 0 || bad == 2);
	ck_assert(conflict.range.base == 0x1000 ||
		  conflict.range.base == 0x1800);
	regions_snapshot(set, &n);
	ck_assert_uint_eq(n, 0);

	add(set, 0x8000, 0x1000, &tag_a, NULL);
	ck_assert_int_eq(
		regions_add_batch(set, existing_clash, 2, &bad, &conflict),
		REGION_OVERLAP);
	ck_assert_uint_eq(bad, 1);
	ck_assert_ptr_eq(conflict.data, &tag_a);
	regions_snapshot(set, &n);
	ck_assert_uint_eq(n, 1);
}
END_TEST

/* Readers run finds while a writer adds and removes: every find must see
 * a complete array, so the permanent region is always found intact. */
static atomic_int stop_readers;

static void *reader(void *arg)
{
	unsigned long *misses = arg;

	while (!atomic_load(&stop_readers)) {
		const struct region *r = regions_find(set, 0x800000, 8, NULL);

		if (!r || r->data != &tag_a)
			(*misses)++;
	}
	return NULL;
}

START_TEST(concurrent_finds_see_complete_arrays)
{
	unsigned long misses[2] = {0, 0};
	pthread_t t[2];

	add(set, 0x800000, 0x1000, &tag_a, NULL);
	atomic_store(&stop_readers, 0);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader, &misses[i]);
	/* A window of 64 regions slides up: every change publishes a new
	 * array, and the replaced ones (kept until teardown, as no reader
	 * may be inside them before) stay small, so that 20000 changes do
	 * not cost gigabytes. */
	for (uint64_t i = 0; i < 20000; i++) {
		add(set, i * 0x10, 0x10, &tag_b, NULL);
		if (i >= 64)
			regions_remove(set, (i - 64) * 0x10);
	}
	atomic_store(&stop_readers, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(misses[0] + misses[1], 0);
}
END_TEST

static Suite *regions_suite(void)
{
	Suite *s = suite_create("regions");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, first_and_last_byte_are_inside);
	tcase_add_test(tc, access_straddling_an_end_is_not_found);
	tcase_add_test(tc, access_straddling_two_touching_regions_is_not_found);
	tcase_add_test(tc, region_may_end_at_the_top_of_the_address_space);
	tcase_add_test(tc, whole_address_space_is_one_region);
	tcase_add_test(tc, empty_and_wrapping_regions_are_rejected);
	tcase_add_test(tc, zero_length_access_is_not_found);
	tcase_add_loop_test(tc, overlap_is_rejected_and_touching_is_fine, 0,
			    sizeof(overlap_cases) / sizeof(overlap_cases[0]));
	tcase_add_test(tc, overlap_with_the_successor_is_rejected);
	tcase_add_test(tc, remove_takes_the_region_out);
	tcase_add_test(tc, snapshot_iterates_in_address_order);
	tcase_add_test(tc, hint_remembers_the_last_region_and_survives_updates);
	tcase_add_loop_test(tc, random_operations_match_a_brute_force_oracle, 0,
			    sizeof(seeds) / sizeof(seeds[0]));
	tcase_add_test(tc, concurrent_finds_see_complete_arrays);
	tcase_add_test(tc, batch_add_matches_single_adds);
	tcase_add_test(tc, batch_overlap_names_the_item_and_adds_nothing);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(regions_suite());
}
