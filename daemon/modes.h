/* SPDX-License-Identifier: BSD-2-Clause */
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
	bool unpause; /* unpause the domain whatever the config says */
};

struct serve_request {
	const struct mmiod_config *cfg;
	const char *guest;     /* names the state files */
	const char *state_dir; /* where they are */
	const struct domain_opener *opener;
	bool wait;	  /* wait for the domain to appear */
	bool seccomp;	  /* install the seccomp filter */
	bool print_stats; /* the counters to stderr when done */
};

/* Serves the domain until SIGTERM, its death or (sim) the scripted
 * guest's end. Returns the exit status. */
int serve_domain(const struct serve_request *req);

/* The state directory opts names, or the default. */
const char *state_dir_of(const struct mmiod_options *opts);

/* The command line's --log-level wins over the config's log_level. */
void apply_log_level(const struct mmiod_options *opts,
		     const struct mmiod_config *cfg);

#endif
