/* SPDX-License-Identifier: BSD-2-Clause */
/* soak.c - a bounded soak: 64 vCPUs of random accesses to every device
 * type of a real mmiod (attached to this process's simulated domain),
 * with SIGHUP, stats reads and restarts every few seconds: SIGTERM with
 * the vCPUs parked, and SIGKILL while they run, so that the restarted
 * mmiod must take over the requests its killed predecessor left waiting.
 * Every read is checked against a model of the devices; at the end, the
 * ram file, the trace and the UART output must hold everything the guest
 * wrote. Usage: soak MMIOD PLUGIN.so WORKDIR SECONDS */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/sim.h"

#define VCPUS 64
#define RAM 0xfe000000ull
#define RAM_SIZE 0x10000
#define SLICE (RAM_SIZE / VCPUS)
#define ROM 0xfe100000ull
#define TRACE 0xfe200000ull
#define UART 0xfe300000ull
#define PLUGIN 0xfe400000ull
#define PORTS 0x600
#define CYCLE_MS 3000

static const char *mmiod, *plugin, *dir;
static struct sim *sim;
static pid_t daemon_pid;
static uint8_t ram_model[RAM_SIZE];
static uint8_t port_model[VCPUS * 4];
static uint8_t rom_contents[4096];

static atomic_bool stop, pause_req;
static atomic_uint parked;
/* Around a SIGKILL the vCPUs keep running, but only accesses that may be
 * served twice are made: the take-over serves again a request the killed
 * mmiod had taken (INPROCESS), and a trace line or UART byte counted
 * twice, or a plugin count, would not match the model. */
static atomic_bool idempotent_only;
static atomic_uint counted_in_flight;
static atomic_ullong requests, errors, trace_writes, uart_bytes;
/* Counter writes since the daemon (re)started: finished and begun. */
static atomic_ullong plugin_writes, plugin_started;

static void error(const char *fmt, unsigned long long a, unsigned long long b)
{
	if (atomic_fetch_add(&errors, 1) < 20) {
		fprintf(stderr, fmt, a, b);
		fputc('\n', stderr);
	}
}

static void path(char *buf, const char *name)
{
	snprintf(buf, 512, "%s/%s", dir, name);
}

static int io(unsigned vcpu, enum io_space space, enum io_dir d, uint64_t addr,
	      uint32_t size, uint64_t *value)
{
	struct sim_io x = {.space = space,
			   .dir = d,
			   .addr = addr,
			   .size = size,
			   .data = *value};

	if (sim_guest_io(sim, vcpu, &x)) {
		error("vcpu access failed at 0x%llx (%llu)", addr, vcpu);
		return -1;
	}
	atomic_fetch_add(&requests, 1);
	*value = x.data;
	return 0;
}

static uint64_t model_read(const uint8_t *m, uint32_t size)
{
	uint64_t v = 0;

	memcpy(&v, m, size);
	return v;
}

/* Ops 0-2, 4 and 6 give the same result when served twice. */
static unsigned pick_op(unsigned *seed)
{
	static const unsigned idempotent[] = {0, 1, 2, 4, 6};

	if (atomic_load(&idempotent_only))
		return idempotent[rand_r(seed) % 5];
	return (unsigned)rand_r(seed) % 8;
}

static void one_op(unsigned v, unsigned *seed)
{
	uint32_t size = 1u << (rand_r(seed) % 4);
	uint64_t value =
		((uint64_t)rand_r(seed) << 32) ^ (uint64_t)rand_r(seed);
	unsigned op = pick_op(seed);
	bool counted = op == 3 || op == 5 || op == 7;
	uint64_t off, got;

	if (counted)
		atomic_fetch_add(&counted_in_flight, 1);
	/* A SIGKILL phase may have begun between the pick and here. */
	if (counted && atomic_load(&idempotent_only)) {
		atomic_fetch_sub(&counted_in_flight, 1);
		return;
	}
	switch (op) {
	case 0: /* ram write, own slice */
		off = v * SLICE + (rand_r(seed) % (SLICE / 8)) * 8;
		if (io(v, IO_SPACE_MMIO, IO_WRITE, RAM + off, size, &value) ==
		    0)
			memcpy(ram_model + off, &value, size);
		break;
	case 1: /* ram read */
		off = v * SLICE + (rand_r(seed) % (SLICE / 8)) * 8;
		got = 0;
		if (io(v, IO_SPACE_MMIO, IO_READ, RAM + off, size, &got) == 0 &&
		    got != model_read(ram_model + off, size))
			error("ram read 0x%llx, model 0x%llx", got,
			      model_read(ram_model + off, size));
		break;
	case 2: /* rom read */
		off = (rand_r(seed) % 512) * 8;
		got = 0;
		if (io(v, IO_SPACE_MMIO, IO_READ, ROM + off, size, &got) == 0 &&
		    got != model_read(rom_contents + off, size))
			error("rom read 0x%llx, file 0x%llx", got,
			      model_read(rom_contents + off, size));
		break;
	case 3: /* trace write */
		if (io(v, IO_SPACE_MMIO, IO_WRITE, TRACE + 8 * (v % 64), 4,
		       &value) == 0)
			atomic_fetch_add(&trace_writes, 1);
		break;
	case 4: /* trace read: read_value=0x5a masked */
		got = 0;
		if (io(v, IO_SPACE_MMIO, IO_READ, TRACE, size, &got) == 0 &&
		    got != (0x5a &
			    ((size == 8) ? ~0ull : (1ull << (size * 8)) - 1)))
			error("trace read 0x%llx (size %llu)", got, size);
		break;
	case 5: /* uart: one byte through THR */
		value = 'a' + v % 26;
		if (io(v, IO_SPACE_MMIO, IO_WRITE, UART, 1, &value) == 0)
			atomic_fetch_add(&uart_bytes, 1);
		break;
	case 6: /* ports: own 4 bytes */
		off = v * 4;
		if (rand_r(seed) % 2) {
			if (io(v, IO_SPACE_PIO, IO_WRITE, PORTS + off, 4,
			       &value) == 0)
				memcpy(port_model + off, &value, 4);
		} else {
			got = 0;
			if (io(v, IO_SPACE_PIO, IO_READ, PORTS + off, 4,
			       &got) == 0 &&
			    got != model_read(port_model + off, 4))
				error("port read 0x%llx, model 0x%llx", got,
				      model_read(port_model + off, 4));
		}
		break;
	default: /* plugin counter: a read lies between the writes that
		  * had finished before it and those that had started */
		if (rand_r(seed) % 2) {
			atomic_fetch_add(&plugin_started, 1);
			if (io(v, IO_SPACE_MMIO, IO_WRITE, PLUGIN + 8, 8,
			       &value) == 0)
				atomic_fetch_add(&plugin_writes, 1);
		} else {
			uint64_t done = atomic_load(&plugin_writes);

			got = 0;
			if (io(v, IO_SPACE_MMIO, IO_READ, PLUGIN, 8, &got) ==
				    0 &&
			    (got < done || got > atomic_load(&plugin_started)))
				error("plugin count %llu, %llu writes done",
				      got, done);
		}
		break;
	}
	if (counted)
		atomic_fetch_sub(&counted_in_flight, 1);
}

static void *vcpu(void *arg)
{
	unsigned v = (unsigned)(uintptr_t)arg, seed = v * 7919 + 1;

	while (!atomic_load(&stop)) {
		if (atomic_load(&pause_req)) {
			atomic_fetch_add(&parked, 1);
			while (atomic_load(&pause_req) && !atomic_load(&stop))
				usleep(1000);
			atomic_fetch_sub(&parked, 1);
			continue;
		}
		one_op(v, &seed);
	}
	return NULL;
}

static void pause_vcpus(bool on)
{
	atomic_store(&pause_req, on);
	while (on && atomic_load(&parked) < VCPUS)
		usleep(1000);
}

static void start_daemon(void)
{
	char sock[512], cfg[512], log[512], state[512];

	path(sock, "soak.sock");
	path(cfg, "soak.cfg");
	path(log, "daemon.log");
	path(state, "soak.state");
	daemon_pid = fork();
	if (daemon_pid == 0) {
		if (!freopen(log, "a", stderr))
			_exit(127);
		execl(mmiod, mmiod, "--sim-attach", sock, "--state-dir", dir,
		      cfg, (char *)NULL);
		_exit(127);
	}
	/* Serving once the state file exists (written after mapping). */
	for (int i = 0; i < 1000 && access(state, F_OK); i++)
		usleep(10000);
	if (access(state, F_OK))
		error("mmiod did not come up (%llu%llu)", 0, 0);
	/* The plugin resets on create. */
	atomic_store(&plugin_writes, 0);
	atomic_store(&plugin_started, 0);
}

static int stop_daemon(void)
{
	int status;

	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* SIGKILL while the vCPUs run, then a restart that takes over: first the
 * counted accesses stop and the trace's buffered lines are flushed (the
 * daemon flushes once a second), so that only what may be served twice
 * can be waiting when mmiod dies. */
static void kill_and_restart(void)
{
	int status;

	atomic_store(&idempotent_only, true);
	while (atomic_load(&counted_in_flight))
		usleep(1000);
	usleep(1500 * 1000);
	kill(daemon_pid, SIGKILL);
	waitpid(daemon_pid, &status, 0);
	start_daemon();
	atomic_store(&idempotent_only, false);
}

/* How many requests restarted daemons answered in a killed one's server,
 * from their logs' take-over lines. */
static unsigned long long taken_over(void)
{
	char p[512], line[512];
	unsigned long long n = 0, k;
	FILE *f;

	path(p, "daemon.log");
	f = fopen(p, "r");
	while (f && fgets(line, sizeof(line), f)) {
		const char *at = strstr(line, "after answering ");

		if (at && sscanf(at, "after answering %llu", &k) == 1)
			n += k;
	}
	if (f)
		fclose(f);
	return n;
}

static void write_files(void)
{
	char p[512], cfg[512];
	FILE *f;

	for (size_t i = 0; i < sizeof(rom_contents); i++)
		rom_contents[i] = (uint8_t)(i * 31 + 7);
	path(p, "rom.bin");
	f = fopen(p, "wb");
	fwrite(rom_contents, 1, sizeof(rom_contents), f);
	fclose(f);
	path(cfg, "soak.cfg");
	f = fopen(cfg, "w");
	fprintf(f,
		"domain = \"soak\"\nunpause = 1\nworkers = 4\n"
		"mmio = [\n"
		" \"base=0xfe000000,size=64K,type=ram,file=%s/soak-ram.bin\",\n"
		" \"base=0xfe100000,size=4K,type=rom,file=%s/rom.bin\",\n"
		" \"base=0xfe200000,size=4K,type=trace,file=%s/soak-trace.json,read_value=0x5a\",\n"
		" \"base=0xfe300000,size=8,type=uart16550,backend=file,path=%s/soak-uart.out\",\n"
		" \"base=0xfe400000,size=16,type=plugin,plugin=%s\",\n"
		"]\n"
		"pio = [ \"base=0x600,size=0x100,type=ram,file=%s/soak-ports.bin\" ]\n",
		dir, dir, dir, dir, plugin, dir);
	fclose(f);
}

static unsigned long long count_lines(const char *name, const char *needle)
{
	char p[512], line[512];
	unsigned long long n = 0;
	FILE *f;

	path(p, name);
	f = fopen(p, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static long long file_size(const char *name)
{
	char p[512];
	struct stat st;

	path(p, name);
	return stat(p, &st) ? -1 : (long long)st.st_size;
}

static void check_ram_file(void)
{
	static uint8_t disk[RAM_SIZE];
	char p[512];
	FILE *f;

	path(p, "soak-ram.bin");
	f = fopen(p, "rb");
	if (!f || fread(disk, 1, RAM_SIZE, f) != RAM_SIZE)
		error("ram file unreadable (%llu%llu)", 0, 0);
	else if (memcmp(disk, ram_model, RAM_SIZE))
		error("ram file differs from what the guest wrote (%llu%llu)",
		      0, 0);
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	struct sim_options so = {.nr_vcpus = VCPUS, .ram_size = 1u << 20};
	unsigned restarts = 0, kills = 0, hups = 0, stats = 0, seconds;
	pthread_t threads[VCPUS];
	char sock[512], cmd[1200];
	int status;

	if (argc != 5) {
		fprintf(stderr,
			"usage: soak MMIOD PLUGIN.so WORKDIR SECONDS\n");
		return 2;
	}
	mmiod = argv[1];
	plugin = argv[2];
	dir = argv[3];
	seconds = (unsigned)atoi(argv[4]);
	write_files();
	sim = sim_create(&so);
	path(sock, "soak.sock");
	if (!sim || sim_serve_socket(sim, sock))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	start_daemon();
	for (unsigned v = 0; v < VCPUS; v++)
		pthread_create(&threads[v], NULL, vcpu, (void *)(uintptr_t)v);

	for (unsigned ms = 0; ms < seconds * 1000; ms += CYCLE_MS) {
		usleep(CYCLE_MS * 1000);
		kill(daemon_pid, SIGHUP);
		hups++;
		snprintf(
			cmd, sizeof(cmd),
			"%s --stats --state-dir %s soak | grep -q '^requests '",
			mmiod, dir);
		if (system(cmd) == 0)
			stats++;
		else
			error("mmiod --stats failed (%llu%llu)", 0, 0);
		if ((ms / CYCLE_MS) % 6 == 2) {
			pause_vcpus(true);
			if ((status = stop_daemon()) != 0)
				error("mmiod exited %llu on SIGTERM%llu",
				      (unsigned long long)status, 0);
			start_daemon();
			restarts++;
			pause_vcpus(false);
		} else if ((ms / CYCLE_MS) % 6 == 5) {
			kill_and_restart();
			kills++;
		}
	}
	pause_vcpus(true);
	if ((status = stop_daemon()) != 0)
		error("mmiod exited %llu on SIGTERM%llu",
		      (unsigned long long)status, 0);
	atomic_store(&stop, true);
	for (unsigned v = 0; v < VCPUS; v++)
		pthread_join(threads[v], NULL);

	check_ram_file();
	if (count_lines("soak-trace.json", "\"dir\":\"write\"") !=
	    atomic_load(&trace_writes))
		error("trace holds %llu writes, the guest made %llu",
		      count_lines("soak-trace.json", "\"dir\":\"write\""),
		      atomic_load(&trace_writes));
	if (file_size("soak-uart.out") != (long long)atomic_load(&uart_bytes))
		error("uart output has %llu bytes, the guest sent %llu",
		      (unsigned long long)file_size("soak-uart.out"),
		      atomic_load(&uart_bytes));
	printf("soak: %u s, %llu requests, %u restarts, %u SIGKILL restarts "
	       "(%llu requests taken over), %u SIGHUPs, %u stats reads, %llu "
	       "errors\n",
	       seconds, atomic_load(&requests), restarts, kills, taken_over(),
	       hups, stats, atomic_load(&errors));
	printf("%d passed, %d failed\n", atomic_load(&errors) ? 0 : 1,
	       atomic_load(&errors) ? 1 : 0);
	return atomic_load(&errors) ? 1 : 0;
}
