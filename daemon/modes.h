/* modes.h - what each command-line mode of mmiod runs. */
#ifndef MMIOD_MODES_H
#define MMIOD_MODES_H

#include "config/config.h"
#include "options.h"

/* mmiod --sim SCRIPT CONFIG */
int run_sim(const struct mmiod_options *opts);
/* mmiod GUEST: serve a real Xen guest */
int run_xen(const struct mmiod_options *opts);
/* The command line's --log-level wins over the config's log_level. */
void apply_log_level(const struct mmiod_options *opts,
		     const struct mmiod_config *cfg);

#endif
