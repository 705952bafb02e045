/* stats_mode.c - mmiod --stats GUEST: ask the mmiod serving GUEST for its
 * counters (SIGUSR1) and print what it writes to GUEST.stats. */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modes.h"
#include "statefile.h"

#define STATS_WAIT_MS 3000

/* The stats file is replaced by rename, so a new write shows as a new
 * inode or modification time. */
static bool same_version(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int print_file(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

int run_stats(const struct mmiod_options *opts)
{
	char state_path[4096], stats_path[4096];
	struct state_record rec;
	struct stat before = {0}, now;

	if (statefile_path(state_path, sizeof(state_path), state_dir_of(opts),
			   opts->guest, "state") ||
	    statefile_path(stats_path, sizeof(stats_path), state_dir_of(opts),
			   opts->guest, "stats")) {
		fprintf(stderr, "mmiod: --state-dir is too long\n");
		return 2;
	}
	if (statefile_read(state_path, &rec)) {
		fprintf(stderr, "mmiod: %s: no mmiod serves %s (%s)\n",
			state_path, opts->guest,
			errno == ENOENT ? "no state file" : "unreadable");
		return 1;
	}
	if (stat(stats_path, &before))
		before.st_ino = 0;
	if (kill(rec.pid, SIGUSR1)) {
		fprintf(stderr, "mmiod: cannot signal pid %ld: %s\n",
			(long)rec.pid, strerror(errno));
		return 1;
	}
	for (int waited = 0; waited < STATS_WAIT_MS; waited += 10) {
		struct timespec ten_ms = {0, 10000000};

		if (!stat(stats_path, &now) && !same_version(&now, &before))
			return print_file(stats_path) ? 1 : 0;
		nanosleep(&ten_ms, NULL);
	}
	fprintf(stderr, "mmiod: pid %ld did not write %s\n", (long)rec.pid,
		stats_path);
	return 1;
}
