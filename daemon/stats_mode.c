/* SPDX-License-Identifier: BSD-2-Clause */
/* stats_mode.c - mmiod --stats GUEST: ask the mmiod serving GUEST for its
 * counters over its control socket and print them.
 *
 * It never signals anyone: a pid read from a file in the state dir may be
 * stale (pid reuse after a crash) or written by whoever can write there
 * (pid -1 is every process), so the only way to reach the daemon is the
 * socket it created and listens on itself. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "instance.h"
#include "modes.h"

int run_stats(const struct mmiod_options *opts)
{
	struct instance in;

	instance_init(&in);
	if (instance_paths(&in, state_dir_of(opts), opts->guest))
		return 2;
	if (control_request(in.control_path, "stats\n", stdout) == 0)
		return 0;
	if (errno == ENOENT || errno == ECONNREFUSED)
		fprintf(stderr, "mmiod: no mmiod serves %s (%s: %s)\n",
			opts->guest, in.control_path, strerror(errno));
	else
		fprintf(stderr,
			"mmiod: cannot ask the mmiod serving %s (%s): %s\n",
			opts->guest, in.control_path, strerror(errno));
	return 1;
}
