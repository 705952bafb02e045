/* SPDX-License-Identifier: BSD-2-Clause */
/* check_ioreq_units.c - the engine's pure logic that needs no hypervisor:
 * range merging for Xen's limit and the guest page cache of the xen
 * backend (driven through a fake mapper). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ioreq/mapcache.h"
#include "ioreq/ranges.h"
#include "testutil.h"

static struct range_list merge(const struct range *r, size_t n, size_t max)
{
	struct range_list out;

	ck_assert_int_eq(ranges_merge(r, n, max, &out), 0);
	return out;
}

START_TEST(touching_regions_become_one_range)
{
	struct range r[] = {
		{0x1000, 0x1fff}, {0x2000, 0x2fff}, {0x4000, 0x4fff}};
	struct range_list l = merge(r, 3, 256);

	ck_assert_uint_eq(l.count, 2);
	ck_assert_uint_eq(l.items[0].base, 0x1000);
	ck_assert_uint_eq(l.items[0].last, 0x2fff);
	ck_assert_uint_eq(l.items[1].base, 0x4000);
	ranges_free(&l);
}
END_TEST

START_TEST(region_at_the_top_of_the_address_space_is_kept)
{
	struct range r[] = {{0x0, 0xfff}, {UINT64_MAX - 0xfff, UINT64_MAX}};
	struct range_list l = merge(r, 2, 256);

	ck_assert_uint_eq(l.count, 2);
	ck_assert_uint_eq(l.items[1].last, UINT64_MAX);
	ranges_free(&l);
}
END_TEST

START_TEST(many_regions_are_cut_to_the_limit_closing_the_smallest_gaps)
{
	enum { N = 100000 };
	struct range *r = malloc(N * sizeof(*r));
	struct range_list l;
	size_t covered = 0;

	ck_assert_ptr_nonnull(r);
	/* 16-byte regions with gaps of 16 bytes, except a large gap every
	 * 1,000 regions: the large gaps must survive. */
	for (size_t i = 0, addr = 0; i < N; i++) {
		addr += (i % 1000 == 0) ? 0x100000 : 16;
		r[i].base = addr;
		r[i].last = addr + 15;
		addr += 16;
	}
	l = merge(r, N, 256);
	/* Only as many gaps are closed as the limit needs. */
	ck_assert_uint_eq(l.count, 256);
	for (size_t i = 0, j = 0; i < N; i++) {
		while (j < l.count && l.items[j].last < r[i].last)
			j++;
		/* Every region is inside some range... */
		ck_assert_uint_lt(j, l.count);
		ck_assert_uint_le(l.items[j].base, r[i].base);
		/* ...and no range spans a large gap. */
		if (i % 1000 == 0)
			ck_assert_uint_eq(l.items[j].base, r[i].base);
		covered++;
	}
	ck_assert_uint_eq(covered, N);
	ranges_free(&l);
	free(r);
}
END_TEST

START_TEST(equal_gaps_close_only_as_many_as_needed)
{
	struct range r[10];
	struct range_list l;

	for (int i = 0; i < 10; i++)
		r[i] = (struct range){i * 0x20, i * 0x20 + 0xf};
	l = merge(r, 10, 4);
	ck_assert_uint_eq(l.count, 4);
	ranges_free(&l);
}
END_TEST

START_TEST(no_regions_no_ranges)
{
	struct range_list l = merge(NULL, 0, 256);

	ck_assert_uint_eq(l.count, 0);
}
END_TEST

/* A fake guest of 4 pages at gfn 0x100-0x103; maps are counted. */
static uint8_t guest[4][MAPCACHE_PAGE_SIZE];
static int maps, unmaps;

static void *fake_map(void *ctx, uint64_t gfn)
{
	if (gfn < 0x100 || gfn > 0x103)
		return NULL;
	maps++;
	return guest[gfn - 0x100];
}

static void fake_unmap(void *ctx, void *page)
{
	unmaps++;
}

static const struct mapcache_ops fake_ops = {fake_map, fake_unmap};
static struct mapcache mc;

static void mc_setup(void)
{
	memset(guest, 0, sizeof(guest));
	maps = unmaps = 0;
	mapcache_init(&mc, &fake_ops, NULL);
}

static void mc_teardown(void)
{
	mapcache_destroy(&mc);
	ck_assert_int_eq(maps, unmaps);
}

START_TEST(copy_within_a_page_maps_it_once)
{
	uint32_t v = 0xdeadbeef, back = 0;

	ck_assert_int_eq(mapcache_copy(&mc, 0x100010, &v, 4, true), 0);
	ck_assert_int_eq(mapcache_copy(&mc, 0x100010, &back, 4, false), 0);
	ck_assert_uint_eq(back, 0xdeadbeef);
	ck_assert_int_eq(maps, 1);
}
END_TEST

START_TEST(copy_straddling_two_pages_lands_in_both)
{
	uint64_t v = 0x0807060504030201ull;

	ck_assert_int_eq(mapcache_copy(&mc, 0x101ffd, &v, 8, true), 0);
	ck_assert_uint_eq(guest[1][0xffd], 0x01);
	ck_assert_uint_eq(guest[1][0xfff], 0x03);
	ck_assert_uint_eq(guest[2][0], 0x04);
	ck_assert_uint_eq(guest[2][4], 0x08);
}
END_TEST

START_TEST(copy_touching_an_unmapped_page_fails_untouched)
{
	uint64_t v = 0x1111111111111111ull;

	/* The first half is in the guest, the second is not. */
	errno = 0;
	ck_assert_int_eq(mapcache_copy(&mc, 0x103ffc, &v, 8, true), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_uint_eq(guest[3][0xffc], 0);
	ck_assert_int_eq(mapcache_copy(&mc, UINT64_MAX - 3, &v, 8, false), -1);
}
END_TEST

START_TEST(invalidate_drops_every_mapping)
{
	uint8_t b = 1;

	mapcache_copy(&mc, 0x100000, &b, 1, true);
	mapcache_copy(&mc, 0x101000, &b, 1, true);
	mapcache_invalidate(&mc);
	ck_assert_int_eq(unmaps, 2);
	mapcache_copy(&mc, 0x100000, &b, 1, false);
	ck_assert_int_eq(maps, 3);
}
END_TEST

static Suite *units_suite(void)
{
	Suite *s = suite_create("ioreq-units");
	TCase *ranges = tcase_create("ranges");
	TCase *cache = tcase_create("mapcache");

	tcase_add_test(ranges, touching_regions_become_one_range);
	tcase_add_test(ranges, region_at_the_top_of_the_address_space_is_kept);
	tcase_add_test(
		ranges,
		many_regions_are_cut_to_the_limit_closing_the_smallest_gaps);
	tcase_add_test(ranges, equal_gaps_close_only_as_many_as_needed);
	tcase_add_test(ranges, no_regions_no_ranges);
	suite_add_tcase(s, ranges);

	tcase_add_checked_fixture(cache, mc_setup, mc_teardown);
	tcase_add_test(cache, copy_within_a_page_maps_it_once);
	tcase_add_test(cache, copy_straddling_two_pages_lands_in_both);
	tcase_add_test(cache, copy_touching_an_unmapped_page_fails_untouched);
	tcase_add_test(cache, invalidate_drops_every_mapping);
	suite_add_tcase(s, cache);
	return s;
}

int main(void)
{
	return run_suite(units_suite());
}
