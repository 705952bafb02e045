/* SPDX-License-Identifier: BSD-2-Clause */
/* bench.h - timing helpers shared by the benchmarks: a monotonic clock
 * and the median of repeated runs (these machines are shared and noisy:
 * report medians and ratios measured in one run). */
#ifndef MMIOD_BENCH_H
#define MMIOD_BENCH_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>

#define BENCH_REPEATS 5

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline double bench_min(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static inline double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp);
	return v[n / 2];
}

/* spawn.c: runs mmiod --sim script cfg (stdout and stderr to /dev/null)
 * and returns its pid once it told the notify socket at notify READY=1;
 * -1 if it could not start or said nothing. */
pid_t bench_spawn_mmiod(const char *mmiod, const char *script, const char *cfg,
			const char *notify);

#endif
