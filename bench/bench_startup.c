/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_startup.c - mmiod's time from exec to READY=1 and its peak RSS,
 * serving 1,000 and 20,000 regions to the simulator (the second shows
 * that loading stays O(n log n)). READY=1 arrives over a
 * NOTIFY_SOCKET of our own, exactly as systemd would receive it. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "bench.h"

static const int region_counts[] = {1000, 20000};

static void write_files(const char *dir, int regions, char *cfg, char *script)
{
	FILE *f;

	sprintf(cfg, "%s/startup.cfg", dir);
	sprintf(script, "%s/startup.sim", dir);
	f = fopen(cfg, "w");
	fprintf(f, "mmio = [\n");
	for (int i = 0; i < regions; i++)
		fprintf(f, "\"base=0x%llx,size=4K,type=ram\",\n",
			0xc0000000ull + (unsigned long long)i * 0x2000);
	fprintf(f, "]\n");
	fclose(f);
	f = fopen(script, "w");
	fprintf(f, "vcpus 1\nsleep 200\n");
	fclose(f);
}

/* Median time to READY=1 (ms) and peak RSS (MiB) for one config; -1 on
 * failure. */
static int measure(const char *mmiod, const char *dir, int regions,
		   double *ready_ms, double *rss_mib)
{
	char cfg[256], script[256], notify[256];
	double ready[BENCH_REPEATS], rss[BENCH_REPEATS];

	write_files(dir, regions, cfg, script);
	snprintf(notify, sizeof(notify), "%s/notify", dir);
	for (int r = 0; r < BENCH_REPEATS; r++) {
		double t0 = bench_now();
		pid_t pid = bench_spawn_mmiod(mmiod, script, cfg, notify);
		struct rusage ru;
		int status;

		if (pid < 0)
			return -1;
		ready[r] = (bench_now() - t0) * 1e3;
		wait4(pid, &status, 0, &ru);
		rss[r] = (double)ru.ru_maxrss / 1024.0;
	}
	*ready_ms = bench_median(ready, BENCH_REPEATS);
	*rss_mib = bench_median(rss, BENCH_REPEATS);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mmiod = argc > 1 ? argv[1] : "./mmiod";
	char dir[] = "/tmp/mmiod-bench-XXXXXX";

	if (!mkdtemp(dir))
		return 1;
	printf("startup\tready_ms\tpeak_rss_mib\n");
	for (size_t i = 0; i < sizeof(region_counts) / sizeof(region_counts[0]);
	     i++) {
		double ready_ms, rss_mib;

		if (measure(mmiod, dir, region_counts[i], &ready_ms, &rss_mib))
			return 1;
		printf("%d regions\t%.1f\t%.1f\n", region_counts[i], ready_ms,
		       rss_mib);
	}
	return 0;
}
