/* SPDX-License-Identifier: BSD-2-Clause */
/* array.c - geometric growth for appended arrays. */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>

int array_reserve(void **items, size_t *cap, size_t need, size_t elem)
{
	size_t next = *cap ? *cap : 8;
	void *grown;

	if (need <= *cap)
		return 0;
	while (next < need) {
		if (next > SIZE_MAX / 2)
			return -1;
		next *= 2;
	}
	if (next > SIZE_MAX / elem)
		return -1;
	grown = realloc(*items, next * elem);
	if (!grown)
		return -1;
	*items = grown;
	*cap = next;
	return 0;
}
