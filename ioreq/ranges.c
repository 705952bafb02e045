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
		gaps[i] = r[i + 1].first - r[i].last - 1;
	qsort(gaps, n - 1, sizeof(*gaps), compare_u64);
	threshold = gaps[n - max - 1];
	free(gaps);
	return threshold;
}

int ranges_merge(const struct region *regions, size_t count, size_t max,
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
	/* Regions are sorted and disjoint: merge the touching ones. */
	for (size_t i = 0; i < count; i++) {
		if (n && r[n - 1].last != UINT64_MAX &&
		    r[n - 1].last + 1 == regions[i].base)
			r[n - 1].last = regions[i].last;
		else
			r[n++] = (struct range){regions[i].base,
						regions[i].last};
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
		    r[i].first - r[kept - 1].last - 1 <= threshold) {
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

void ranges_free(struct range_list *list)
{
	free(list->items);
	list->items = NULL;
	list->count = 0;
}
