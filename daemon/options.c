/* SPDX-License-Identifier: BSD-2-Clause */
/* options.c - parse mmiod's command line. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/log.h"
#include "options.h"

void options_usage(FILE *out)
{
	fputs("Usage: mmiod [OPTIONS] GUEST\n"
	      "       mmiod --sim SCRIPT [OPTIONS] CONFIG\n"
	      "       mmiod --sim-guest SOCKET SCRIPT\n"
	      "       mmiod --sim-attach SOCKET [OPTIONS] CONFIG\n"
	      "       mmiod --check-config FILE\n"
	      "       mmiod --stats GUEST\n"
	      "\n"
	      "Serve the MMIO and port-I/O regions configured for a Xen guest.\n"
	      "\n"
	      "  -c, --config FILE        config file (default " MMIOD_CONFIG_DIR
	      "/GUEST.cfg)\n"
	      "      --check-config FILE  validate FILE, print its regions, exit;\n"
	      "                           loads plugins to validate their keys\n"
	      "                           (their code runs as the caller)\n"
	      "      --sim SCRIPT         serve CONFIG to a simulated guest that\n"
	      "                           runs SCRIPT (no Xen needed)\n"
	      "      --sim-guest SOCKET   run a simulated domain with a guest\n"
	      "                           running SCRIPT; mmiod attaches at SOCKET\n"
	      "      --sim-attach SOCKET  serve CONFIG to the simulated domain\n"
	      "                           at SOCKET\n"
	      "      --stats              print the counters of the mmiod serving\n"
	      "                           GUEST (asked over its control socket)\n"
	      "      --state-dir DIR      lock, state file and control socket\n"
	      "                           (default " MMIOD_STATE_DIR ")\n"
	      "  -w, --wait               wait for the domain to appear\n"
	      "      --no-seccomp         don't install the seccomp filter\n"
	      "  -l, --log-level LEVEL    error, warn, info or debug\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Exit status: 0 success, 1 runtime failure, 2 bad usage or config.\n",
	      out);
}

enum {
	OPT_CHECK_CONFIG = 256,
	OPT_SIM,
	OPT_SIM_GUEST,
	OPT_SIM_ATTACH,
	OPT_STATE_DIR,
	OPT_NO_SECCOMP,
	OPT_STATS
};

static const struct option longopts[] = {
	{"config", required_argument, NULL, 'c'},
	{"check-config", required_argument, NULL, OPT_CHECK_CONFIG},
	{"sim", required_argument, NULL, OPT_SIM},
	{"stats", no_argument, NULL, OPT_STATS},
	{"sim-guest", required_argument, NULL, OPT_SIM_GUEST},
	{"sim-attach", required_argument, NULL, OPT_SIM_ATTACH},
	{"state-dir", required_argument, NULL, OPT_STATE_DIR},
	{"wait", no_argument, NULL, 'w'},
	{"no-seccomp", no_argument, NULL, OPT_NO_SECCOMP},
	{"log-level", required_argument, NULL, 'l'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* The options that choose a mode; false if c is not one of them. */
static bool set_mode(int c, struct mmiod_options *opts)
{
	switch (c) {
	case OPT_CHECK_CONFIG:
		opts->mode = MODE_CHECK_CONFIG;
		opts->config_path = optarg;
		return true;
	case OPT_SIM:
		opts->mode = MODE_SIM;
		opts->script_path = optarg;
		return true;
	case OPT_STATS:
		opts->mode = MODE_STATS;
		return true;
	case OPT_SIM_GUEST:
	case OPT_SIM_ATTACH:
		opts->mode =
			c == OPT_SIM_GUEST ? MODE_SIM_GUEST : MODE_SIM_ATTACH;
		opts->socket_path = optarg;
		return true;
	case 'h':
		opts->mode = MODE_HELP;
		return true;
	case 'V':
		opts->mode = MODE_VERSION;
		return true;
	}
	return false;
}

/* One option that getopt returned: 0, or -1 after a message. */
static int set_option(int c, char **argv, struct mmiod_options *opts)
{
	switch (c) {
	case 'c':
		opts->config_path = optarg;
		return 0;
	case 'w':
		opts->wait = true;
		return 0;
	case OPT_NO_SECCOMP:
		opts->seccomp = false;
		return 0;
	case OPT_STATE_DIR:
		opts->state_dir = optarg;
		return 0;
	case 'l':
		opts->log_level = log_level_parse(optarg);
		if (opts->log_level >= 0)
			return 0;
		fprintf(stderr,
			"mmiod: --log-level: '%s' is not a level (valid: error, warn, info, debug)\n",
			optarg);
		return -1;
	case ':':
		fprintf(stderr, "mmiod: %s: needs an argument\n",
			argv[optind - 1]);
		return -1;
	}
	if (set_mode(c, opts))
		return 0;
	fprintf(stderr, "mmiod: %s: unknown option (see mmiod --help)\n",
		argv[optind - 1]);
	return -1;
}

/* The one operand after the options: GUEST, SCRIPT or CONFIG by mode. */
static int take_operand(int argc, char **argv, struct mmiod_options *opts)
{
	if (optind + 1 != argc) {
		const char *what =
			opts->mode == MODE_SERVE || opts->mode == MODE_STATS
				? "GUEST"
			: opts->mode == MODE_SIM_GUEST ? "SCRIPT"
						       : "CONFIG";

		fprintf(stderr, "mmiod: %s %s (see mmiod --help)\n", what,
			optind == argc ? "is missing"
				       : "may be given only once");
		return -1;
	}
	if (opts->mode == MODE_SIM_GUEST) {
		opts->script_path = argv[optind];
		return 0;
	}
	if (opts->mode == MODE_SIM || opts->mode == MODE_SIM_ATTACH) {
		if (opts->config_path) {
			fprintf(stderr, "mmiod: --sim and --sim-attach take "
					"CONFIG as their argument, not "
					"--config\n");
			return -1;
		}
		opts->config_path = argv[optind];
		return 0;
	}
	opts->guest = argv[optind];
	return 0;
}

int options_parse(int argc, char **argv, struct mmiod_options *opts)
{
	int c;

	*opts = (struct mmiod_options){
		.mode = MODE_SERVE, .log_level = -1, .seccomp = true};
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:l:whV", longopts, NULL)) !=
	       -1) {
		if (set_option(c, argv, opts))
			return -1;
		if (opts->mode == MODE_HELP || opts->mode == MODE_VERSION)
			return 0;
	}
	if (opts->mode != MODE_CHECK_CONFIG)
		return take_operand(argc, argv, opts);
	if (optind != argc) {
		fprintf(stderr,
			"mmiod: --check-config takes no GUEST ('%s' given)\n",
			argv[optind]);
		return -1;
	}
	return 0;
}
