/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_trap.c - what a libmmiod-trap access costs: the round trip of a
 * load through a window to mmiod --sim's ram device, next to the bare
 * SIGSEGV that a handler answers by setting EAX and skipping the load,
 * and with mmiod's decode cache hit and missed (Capstone's share). All
 * three alternate in one run; min and median of BENCH_REPEATS. A fourth
 * row is the transport alone: the same records bounced off a process
 * that only echoes them, over a Unix socket like the fault socket's. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ucontext.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "mmiod-fault.h"
#include "mmiod-trap.h"
#include "trap_decode.h"

#define GPA 0xfe100000ull
#define LOOPS 2000 /* 8 loads each */

/* Eight loads with one encoding (8b 47 08: every fault hits the decode
 * cache), or eight that share their first two bytes (8b 47 XX) and so
 * one 4-way cache set: round-robin replacement makes every one a miss. */
static void same_load(volatile void *p)
{
	for (int i = 0; i < LOOPS; i++)
		__asm__ volatile(".rept 8\n\tmov 8(%%rdi), %%eax\n\t.endr"
				 :
				 : "D"(p)
				 : "eax", "memory");
}

static void distinct_loads(volatile void *p)
{
	for (int i = 0; i < LOOPS; i++)
		__asm__ volatile(
			"mov 8(%%rdi), %%eax\n\tmov 16(%%rdi), %%eax\n\t"
			"mov 24(%%rdi), %%eax\n\tmov 32(%%rdi), %%eax\n\t"
			"mov 40(%%rdi), %%eax\n\tmov 48(%%rdi), %%eax\n\t"
			"mov 56(%%rdi), %%eax\n\tmov 64(%%rdi), %%eax"
			:
			: "D"(p)
			: "eax", "memory");
}

/* The floor: the kernel's signal delivery and sigreturn, nothing else.
 * Every load above is 3 bytes long. */
static void skip_load(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	uc->uc_mcontext.gregs[REG_RAX] = 0;
	uc->uc_mcontext.gregs[REG_RIP] += 3;
}

static double ns_per_access(void (*loads)(volatile void *), volatile void *p)
{
	double t0 = bench_now();

	loads(p);
	return (bench_now() - t0) * 1e9 / (LOOPS * 8);
}

/* An echo of one reply per request; returns the socket to it. */
static int start_echo(pid_t *pid)
{
	static struct mmiod_fault_reply reply;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	*pid = fork();
	if (*pid == 0) {
		close(sv[0]);
		for (;;) {
			for (size_t got = 0;
			     got < sizeof(struct mmiod_fault_request);) {
				ssize_t n = read(
					sv[1], &reply,
					sizeof(struct mmiod_fault_request) -
						got);

				if (n <= 0)
					_exit(0);
				got += (size_t)n;
			}
			if (write(sv[1], &reply, sizeof(reply)) !=
			    sizeof(reply))
				_exit(0);
		}
	}
	close(sv[1]);
	return sv[0];
}

static double ns_per_echo(int fd)
{
	static struct mmiod_fault_request req;
	static struct mmiod_fault_reply reply;
	double t0 = bench_now();

	for (int i = 0; i < LOOPS * 8; i++) {
		if (write(fd, &req, sizeof(req)) != sizeof(req))
			return -1;
		for (size_t got = 0; got < sizeof(reply);) {
			ssize_t n = read(fd, (char *)&reply + got,
					 sizeof(reply) - got);

			if (n <= 0)
				return -1;
			got += (size_t)n;
		}
	}
	return (bench_now() - t0) * 1e9 / (LOOPS * 8);
}

static pid_t start_mmiod(const char *mmiod, const char *dir, char *sock,
			 size_t len)
{
	char cfg[256], script[256], notify[108];
	FILE *f;

	snprintf(sock, len, "%s/trap.sock", dir);
	snprintf(cfg, sizeof(cfg), "%s/trap.cfg", dir);
	snprintf(script, sizeof(script), "%s/idle.sim", dir);
	snprintf(notify, sizeof(notify), "%s/notify", dir);
	f = fopen(cfg, "w");
	if (!f)
		return -1;
	fprintf(f,
		"fault_socket = \"%s\"\nmmio = [ \"base=0x%llx,size=64K,"
		"type=ram\" ]\n",
		sock, (unsigned long long)GPA);
	fclose(f);
	f = fopen(script, "w");
	if (!f)
		return -1;
	fprintf(f, "vcpus 1\nsleep 600000\n");
	fclose(f);
	return bench_spawn_mmiod(mmiod, script, cfg, notify);
}

static void row(const char *name, double *v, double floor_median)
{
	double min = v[0], median;

	for (int i = 1; i < BENCH_REPEATS; i++)
		min = v[i] < min ? v[i] : min;
	median = bench_median(v, BENCH_REPEATS);
	printf("%s\t%.0f\t%.0f\t%.2f\n", name, min, median,
	       median / floor_median);
}

int main(int argc, char **argv)
{
	const char *mmiod = argc > 1 ? argv[1] : "./mmiod";
	char dir[] = "/tmp/mmiod-bench-XXXXXX", sock[160];
	double bare[BENCH_REPEATS], hit[BENCH_REPEATS], miss[BENCH_REPEATS];
	double echo[BENCH_REPEATS], capstone[BENCH_REPEATS],
		cached[BENCH_REPEATS];
	struct sigaction floor_sa = {.sa_sigaction = skip_load,
				     .sa_flags = SA_SIGINFO},
			 trap_sa;
	volatile void *window, *plain;
	double floor_median;
	int status;
	pid_t pid, echo_pid;
	int echo_fd = start_echo(&echo_pid);

	if (echo_fd < 0 || !mkdtemp(dir) ||
	    (pid = start_mmiod(mmiod, dir, sock, sizeof(sock))) < 0) {
		fprintf(stderr, "bench_trap: cannot start %s\n", mmiod);
		return 1;
	}
	window = mmiod_trap_map(sock, GPA, 4096);
	plain = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!window || plain == MAP_FAILED) {
		perror("bench_trap");
		kill(pid, SIGTERM);
		return 1;
	}
	sigaction(SIGSEGV, NULL, &trap_sa); /* the library's handler */
	sigemptyset(&floor_sa.sa_mask);
	for (int r = 0; r < BENCH_REPEATS; r++) {
		sigaction(SIGSEGV, &floor_sa, NULL);
		bare[r] = ns_per_access(same_load, plain);
		sigaction(SIGSEGV, &trap_sa, NULL);
		hit[r] = ns_per_access(same_load, window);
		miss[r] = ns_per_access(distinct_loads, window);
		echo[r] = ns_per_echo(echo_fd);
		capstone[r] = trap_decode_ns(false, LOOPS * 8);
		cached[r] = trap_decode_ns(true, LOOPS * 8);
	}
	floor_median = bench_median(bare, BENCH_REPEATS);
	printf("trap\tmin_ns\tmedian_ns\tx_bare\n");
	row("bare SIGSEGV, skip", bare, floor_median);
	row("mmiod, cache hit", hit, floor_median);
	row("mmiod, cache miss", miss, floor_median);
	row("records echoed, no fault", echo, floor_median);
	row("decode, Capstone", capstone, floor_median);
	row("decode, cache hit", cached, floor_median);
	printf("Capstone's share of a round trip: %.1f%% on a cache miss, "
	       "%.2f%% on a hit\n",
	       100.0 * bench_median(capstone, BENCH_REPEATS) /
		       bench_median(miss, BENCH_REPEATS),
	       100.0 * bench_median(cached, BENCH_REPEATS) /
		       bench_median(hit, BENCH_REPEATS));
	mmiod_trap_unmap((void *)window);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	close(echo_fd); /* the echo exits on EOF */
	waitpid(echo_pid, &status, 0);
	return 0;
}
