/* SPDX-License-Identifier: BSD-2-Clause */
/* main.c - mmiod: entry point, dispatching on the command-line mode. */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "guest_config.h"
#include "modes.h"
#include "options.h"

static int check_config(const struct mmiod_options *opts)
{
	struct mmiod_config *cfg = guest_config_load(opts->config_path);

	if (!cfg)
		return 2;
	if (guest_config_check_user(cfg)) {
		config_free(cfg);
		return 2;
	}
	printf("%s: OK, domain %s, %zu region%s\n", cfg->path,
	       cfg->domain ? cfg->domain : "(from the GUEST argument)",
	       cfg->nregions, cfg->nregions == 1 ? "" : "s");
	guest_config_print(stdout, cfg);
	config_free(cfg);
	return 0;
}

void apply_log_level(const struct mmiod_options *opts,
		     const struct mmiod_config *cfg)
{
	if (opts->log_level >= 0)
		log_set_level(opts->log_level);
	else if (cfg->log_level >= 0)
		log_set_level(cfg->log_level);
}

const char *state_dir_of(const struct mmiod_options *opts)
{
	return opts->state_dir ? opts->state_dir : MMIOD_STATE_DIR;
}

int main(int argc, char **argv)
{
	struct mmiod_options opts;

	if (options_parse(argc, argv, &opts))
		return 2;
	if (opts.log_level >= 0)
		log_set_level(opts.log_level);
	switch (opts.mode) {
	case MODE_HELP:
		options_usage(stdout);
		return 0;
	case MODE_VERSION:
		printf("mmiod %s\n", PACKAGE_VERSION);
		return 0;
	case MODE_CHECK_CONFIG:
		return check_config(&opts);
	case MODE_SIM:
		return run_sim(&opts);
	case MODE_STATS:
		return run_stats(&opts);
	case MODE_SIM_GUEST:
		return run_sim_guest(&opts);
	case MODE_SIM_ATTACH:
		return run_sim_attach(&opts);
	case MODE_SERVE:
		break;
	}
	return run_xen(&opts);
}
