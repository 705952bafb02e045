/* SPDX-License-Identifier: BSD-2-Clause */
/* ranges.c - merge regions into the few ranges registered with Xen. */
#include "ranges.h"

#include <stdlib.h>

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The gap size at or below which gaps are closed so that at most max
 * ranges remain: the (n - max)-th smallest gap. */
static uint64_t gap_threshold(const struct range *r, size_t n, size_t max,
			      int *ok)
{
	uint64_t *gaps, threshold;

	*ok = 1;
	if (n <= max)
		return 0;
	gaps = malloc((n - 1) * sizeof(*gaps));
	if (!gaps) {
		*ok = 0;
		return 0;
	}
	for (size_t i = 0; i + 1 < n; i++)
		gaps[i] = r[i + 1].base - r[i].last - 1;
	qsort(gaps, n - 1, sizeof(*gaps), compare_u64);
	threshold = gaps[n - max - 1];
	free(gaps);
	return threshold;
}

int ranges_merge(const struct range *in, size_t count, size_t max,
		 struct range_list *out)
{
	struct range *r;
	size_t n = 0, kept = 0, to_close;
	uint64_t threshold;
	int ok;

	out->count = 0;
	out->items = NULL;
	if (count == 0)
		return 0;
	r = malloc(count * sizeof(*r));
	if (!r)
		return -1;
	/* The input is sorted and disjoint: merge the touching ones. */
	for (size_t i = 0; i < count; i++) {
		if (n && r[n - 1].last != UINT64_MAX &&
		    r[n - 1].last + 1 == in[i].base)
			r[n - 1].last = in[i].last;
		else
			r[n++] = in[i];
	}
	threshold = gap_threshold(r, n, max, &ok);
	if (!ok) {
		free(r);
		return -1;
	}
	/* Close gaps up to the threshold, but no more than needed (ties). */
	to_close = n > max ? n - max : 0;
	for (size_t i = 0; i < n; i++) {
		if (kept && to_close &&
		    r[i].base - r[kept - 1].last - 1 <= threshold) {
			r[kept - 1].last = r[i].last;
			to_close--;
		} else {
			r[kept++] = r[i];
		}
	}
	out->count = kept;
	out->items = r;
	return 0;
}

int ranges_subtract(const struct range_list *a, const struct range_list *b,
		    struct range_list *out)
{
	/* Each range of b splits at most one piece of a in two. */
	size_t cap = a->count + b->count + 1, n = 0, j = 0;
	struct range *r = malloc(cap * sizeof(*r));

	out->count = 0;
	out->items = r;
	if (!r)
		return -1;
	for (size_t i = 0; i < a->count; i++) {
		struct range piece = a->items[i];
		bool left = true;

		while (j < b->count && b->items[j].last < piece.base)
			j++;
		for (size_t k = j;
		     left && k < b->count && b->items[k].base <= piece.last;
		     k++) {
			if (b->items[k].base > piece.base)
				r[n++] = (struct range){piece.base,
							b->items[k].base - 1};
			if (b->items[k].last >= piece.last)
				left = false;
			else
				piece.base = b->items[k].last + 1;
		}
		if (left)
			r[n++] = piece;
	}
	out->count = n;
	return 0;
}

void ranges_free(struct range_list *list)
{
	free(list->items);
	list->items = NULL;
	list->count = 0;
}
