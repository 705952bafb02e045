/* SPDX-License-Identifier: BSD-2-Clause */
/* options.h - mmiod's command line. */
#ifndef MMIOD_OPTIONS_H
#define MMIOD_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

enum mmiod_mode {
	MODE_SERVE,	   /* mmiod [options] GUEST */
	MODE_CHECK_CONFIG, /* mmiod --check-config FILE */
	MODE_SIM,	   /* mmiod --sim SCRIPT CONFIG */
	MODE_SIM_GUEST,	   /* mmiod --sim-guest SOCKET SCRIPT */
	MODE_SIM_ATTACH,   /* mmiod --sim-attach SOCKET CONFIG */
	MODE_STATS,	   /* mmiod --stats GUEST */
	MODE_HELP,
	MODE_VERSION,
};

struct mmiod_options {
	enum mmiod_mode mode;
	const char *guest;
	const char *config_path; /* NULL: /etc/xen/mmiod/GUEST.cfg */
	int log_level;		 /* -1: from the config, else info */
	const char *script_path; /* --sim, --sim-guest */
	const char *socket_path; /* --sim-guest, --sim-attach */
	const char *state_dir;	 /* lock, state, control; NULL: default */
	bool wait;		 /* wait for the domain to appear */
	bool seccomp;		 /* install the seccomp filter */
};

#define MMIOD_STATE_DIR "/run/mmiod"

#define MMIOD_CONFIG_DIR "/etc/xen/mmiod"

/* 0 on success; on a usage error prints a message naming the option and
 * returns -1 (exit status 2). */
int options_parse(int argc, char **argv, struct mmiod_options *opts);
void options_usage(FILE *out);

#endif
