/* modes.h - what each command-line mode of mmiod runs. */
#ifndef MMIOD_MODES_H
#define MMIOD_MODES_H

#include "config/config.h"
#include "ioreq/ioreq.h"
#include "options.h"

/* mmiod --sim SCRIPT CONFIG */
int run_sim(const struct mmiod_options *opts);
/* mmiod --sim-guest SOCKET SCRIPT: a simulated domain that waits for
 * device models to attach */
int run_sim_guest(const struct mmiod_options *opts);
/* mmiod --sim-attach SOCKET CONFIG */
int run_sim_attach(const struct mmiod_options *opts);
/* mmiod GUEST: serve a real Xen guest */
int run_xen(const struct mmiod_options *opts);
/* mmiod --stats GUEST */
int run_stats(const struct mmiod_options *opts);

/* How serve_domain() reaches the domain it serves. */
struct domain_opener {
	/* Finds the domain called name and opens a backend to it. */
	struct ioreq_backend *(*open)(void *ctx, const char *name, bool wait,
				      uint32_t *domid);
	void *ctx;
};

/* Serves the domain until SIGTERM or its death. guest names the state
 * files. Returns the exit status. */
int serve_domain(const struct mmiod_options *opts, struct mmiod_config *cfg,
		 const char *guest, const struct domain_opener *opener);

/* The command line's --log-level wins over the config's log_level. */
void apply_log_level(const struct mmiod_options *opts,
		     const struct mmiod_config *cfg);

#endif
