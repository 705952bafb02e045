/* SPDX-License-Identifier: BSD-2-Clause */
/* sim_mode.c - mmiod --sim SCRIPT CONFIG: serve a real config to a
 * scripted guest on the simulated hypervisor, guest in its own process. */
#include <errno.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "common/unix_socket.h"
#include "guest_config.h"
#include "lifecycle.h"
#include "modes.h"
#include "sim/script.h"
#include "sim/sim.h"
#include "statefile.h"

#define SIM_RAM_SIZE (16u << 20)

/* The guest process: wait for the server, run the script, report. */
static int run_guest(const struct script *script, struct sim *sim,
		     const struct script_host *host)
{
	unsigned failures;

	/* Lines in order with mmiod's own output, even through a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sim_wait_until_running(sim, SIM_DEFAULT_TIMEOUT_MS)) {
		fprintf(stderr, "guest: the device model never came up\n");
		return 1;
	}
	failures = script_run(script, sim, host, stdout);
	return failures ? 1 : 0;
}

/* The forked guest of mmiod --sim: it dies with mmiod, even a SIGKILLed
 * one, instead of running its script against nobody. */
static int guest_process(const struct script *script, struct sim *sim,
			 pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		return 1;
	/* mmiod may have died before the line above: then it's too late
	 * for the death signal, and the guest was reparented. */
	if (getppid() != parent)
		return 1;
	return run_guest(script, sim, NULL);
}

static int wait_guest(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* The simulated domain of mmiod --sim and the process running its guest. */
struct sim_domain {
	const struct script *script;
	struct sim *sim;
	pid_t guest;
};

/* Creates the simulated domain and forks its guest, before any thread
 * exists: the guest is a process of its own, sharing only the
 * simulator's memory and event channels. */
static struct ioreq_backend *open_sim(void *ctx, const char *name, bool wait,
				      uint32_t *domid)
{
	struct sim_domain *d = ctx;
	struct sim_options so = {.nr_vcpus = script_nr_vcpus(d->script),
				 .ram_size = SIM_RAM_SIZE,
				 .hvm = script_hvm(d->script)};
	pid_t parent;

	d->sim = sim_create(&so);
	if (!d->sim) {
		log_error("cannot create the simulator: %s", strerror(errno));
		return NULL;
	}
	fflush(NULL);
	parent = getpid();
	d->guest = fork();
	if (d->guest < 0) {
		log_error("fork: %s", strerror(errno));
		return NULL;
	}
	if (d->guest == 0)
		_exit(guest_process(d->script, d->sim, parent));
	*domid = 1; /* the one simulated guest */
	return ioreq_backend_sim_open(d->sim);
}

/* --sim's state files live in a directory of their own unless
 * --state-dir names one: its domain dies with it, so nothing outlives
 * the run. */
static const char *sim_state_dir(const struct mmiod_options *opts, char *tmp)
{
	if (opts->state_dir)
		return opts->state_dir;
	return mkdtemp(tmp);
}

/* Runs confined: only unlink and rmdir, no directory listing. The
 * state file and the control socket are gone by now; the lock stays
 * until here. */
static void remove_state_dir(const char *dir, const char *guest)
{
	char path[4096];

	if (statefile_path(path, sizeof(path), dir, guest, "lock") == 0)
		unlink(path);
	rmdir(dir);
}

int run_sim(const struct mmiod_options *opts)
{
	struct sim_domain d = {.guest = -1};
	struct domain_opener opener = {open_sim, &d, true};
	char tmp[] = "/tmp/mmiod-sim-XXXXXX";
	struct mmiod_config *cfg = NULL;
	struct script *script = NULL;
	const char *state_dir, *guest;
	int status = 1, guest_status = 1;
	char err[512];

	cfg = guest_config_load(opts->config_path);
	if (!cfg)
		return 2;
	script = script_load(opts->script_path, err, sizeof(err));
	if (!script || script_reboot_line(script)) {
		if (script)
			fprintf(stderr,
				"%s:%d: reboot needs --sim-guest: the rebooted "
				"domain needs an mmiod of its own, and --sim's "
				"mmiod ends with the first domain\n",
				opts->script_path, script_reboot_line(script));
		else
			fprintf(stderr, "%s\n", err);
		script_free(script);
		config_free(cfg);
		return 2;
	}
	d.script = script;
	guest = cfg->domain ? cfg->domain : "sim";
	apply_log_level(opts, cfg);
	state_dir = sim_state_dir(opts, tmp);
	if (!state_dir) {
		log_error("cannot create a state directory: %s",
			  strerror(errno));
	} else {
		status = serve_domain(&(struct serve_request){
			.cfg = cfg,
			.guest = guest,
			.state_dir = state_dir,
			.opener = &opener,
			.seccomp = opts->seccomp,
			.print_stats = true,
		});
		if (!opts->state_dir)
			remove_state_dir(state_dir, guest);
	}
	if (d.sim)
		sim_domain_kill(d.sim); /* a guest still running stops */
	if (d.guest > 0)
		guest_status = wait_guest(d.guest);
	sim_destroy(d.sim);
	script_free(script);
	config_free(cfg);
	/* When the guest finished, its verdict (every expect held) is the
	 * exit status; when a signal stopped us, the guest was cut short
	 * and has no verdict. */
	return status ? status : lifecycle_stop_requested() ? 0 : guest_status;
}

/* --- mmiod --sim-guest SOCKET SCRIPT ---------------------------------- */

/* A reboot as xl does it with on_reboot = "restart": the domain dies
 * (its device model sees that and exits), and a new domain with the same
 * name and the next domid takes its place at SOCKET. Like xl create -p,
 * it runs once a device model unpauses it. The old one is not freed: a
 * device model may still be receiving it. */
static int reboot_domain(void *ctx, struct sim **sim)
{
	struct sim_options *so = ctx;
	struct sim *next;

	sim_domain_kill(*sim);
	so->domid = sim_domid(*sim) + 1;
	next = sim_create(so);
	if (!next)
		return -1;
	sim_serve_next(*sim, next);
	*sim = next;
	fprintf(stdout, "guest: rebooted as domain %u\n", sim_domid(next));
	if (sim_wait_until_running(next, SIM_DEFAULT_TIMEOUT_MS)) {
		errno = ETIMEDOUT;
		return -1;
	}
	return 0;
}

int run_sim_guest(const struct mmiod_options *opts)
{
	struct script *script;
	struct sim_options so;
	struct script_host host = {reboot_domain, &so};
	struct sim *sim;
	int status = 1;
	char err[512];

	script = script_load(opts->script_path, err, sizeof(err));
	if (!script) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	so = (struct sim_options){.nr_vcpus = script_nr_vcpus(script),
				  .ram_size = SIM_RAM_SIZE,
				  .hvm = script_hvm(script)};
	sim = sim_create(&so);
	if (!sim) {
		fprintf(stderr, "guest: cannot create the simulator: %s\n",
			strerror(errno));
	} else if (sim_serve_socket(sim, opts->socket_path)) {
		/* SOCKET names something that must not be replaced: usage. */
		status = errno == ENOTSOCK || errno == ENAMETOOLONG ? 2 : 1;
		fprintf(stderr, "mmiod: --sim-guest: %s\n",
			unix_socket_strerror(err, sizeof(err),
					     opts->socket_path, errno));
	} else {
		status = run_guest(script, sim, &host);
		/* The guest is done: its domain goes away, as after a
		 * poweroff. */
		sim_domain_kill(sim);
		unix_socket_remove(opts->socket_path);
	}
	script_free(script);
	/* The hand-out thread may still use sim: exit without freeing. */
	fflush(NULL);
	_exit(status);
}

/* --- mmiod --sim-attach SOCKET CONFIG ---------------------------------- */

static struct sim *attach(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct sim *sim = NULL;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		sim = sim_receive(fd);
	if (fd >= 0)
		close(fd);
	return sim;
}

struct attached {
	const char *path;
	struct sim *sim;
};

/* With --wait, as for a Xen domain name: until SOCKET hands out a
 * domain that is alive (no socket yet, or the domain of a reboot that
 * has not been replaced yet). */
static struct ioreq_backend *open_attached(void *ctx, const char *name,
					   bool wait, uint32_t *domid)
{
	struct attached *a = ctx;
	bool announced = false;

	for (;;) {
		a->sim = attach(a->path);
		if (a->sim && !sim_domain_dead(a->sim))
			break;
		if (!wait) {
			if (a->sim)
				break; /* serves nothing, and notices */
			log_error("cannot attach to the simulated domain at "
				  "%s: %s",
				  a->path, strerror(errno));
			return NULL;
		}
		sim_destroy(a->sim);
		a->sim = NULL;
		if (!lifecycle_wait_for_domain(name, &announced))
			return NULL;
	}
	*domid = sim_domid(a->sim);
	return ioreq_backend_sim_open(a->sim);
}

int run_sim_attach(const struct mmiod_options *opts)
{
	struct mmiod_config *cfg = guest_config_load(opts->config_path);
	struct attached a = {opts->socket_path, NULL};
	struct domain_opener opener = {open_attached, &a, false};
	int status;

	if (!cfg)
		return 2;
	apply_log_level(opts, cfg);
	status = serve_domain(&(struct serve_request){
		.cfg = cfg,
		.guest = cfg->domain ? cfg->domain : "sim",
		.state_dir = state_dir_of(opts),
		.opener = &opener,
		.wait = opts->wait,
		.seccomp = opts->seccomp,
	});
	sim_destroy(a.sim);
	config_free(cfg);
	return status;
}
