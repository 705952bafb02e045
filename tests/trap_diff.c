/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_diff.c - the differential engine: the same code, registers and
 * memory run once on the CPU (plain memory) and once through a window of
 * mmiod's ram device; registers, the defined RFLAGS bits and both memories
 * must agree bit for bit. */
#include "trap_diff.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmiod-trap.h"

#define PAGE 4096
/* A register within this distance of the block is its start plus an
 * offset: the two runs' blocks differ, the offsets must not. */
#define NEAR 0x10000ull

static const char *const reg_names[MMIOD_NREGS] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8",
	"r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};

/* The children write memory; everything the parent compares afterwards
 * is MAP_SHARED (the ram device's file on the trapped side). */
struct side {
	uint8_t *code;	   /* the page right below mem */
	uint8_t *mem;	   /* what the accessor addresses */
	uint8_t *mem_view; /* where the test reads and writes it */
	uint8_t *ram;
};

struct diff_env {
	struct side native, trapped;
	struct cpu *out; /* MAP_SHARED: the child's final registers */
	uint8_t *native_block;
	void *window;
};

uint64_t diff_random(uint64_t *s)
{
	/* xorshift64*: any fixed seed gives the same run everywhere. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

void diff_random_cpu(struct cpu *cpu, uint64_t *seed)
{
	for (int r = 0; r < MMIOD_NREGS; r++)
		/* Bit 62 set, 63 random: never a user-space pointer. */
		cpu->r[r] = diff_random(seed) | 1ull << 62;
	cpu->r[MMIOD_RFLAGS] = 0x202 | (diff_random(seed) & CPU_ARITH);
}

static void *shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Both runs see one block: the code page, MEM, then RAM. The same layout
 * gives RIP-relative operands the same targets, and a pointer the same
 * offset from the block's start in both runs. */
#define BLOCK (PAGE + DIFF_MEM_SIZE + DIFF_RAM_SIZE)

static void place(struct side *s, uint8_t *block)
{
	s->code = block;
	s->mem = block + PAGE;
	s->ram = block + PAGE + DIFF_MEM_SIZE;
}

struct diff_env *diff_env_create(const struct trap_fixture *f)
{
	struct diff_env *e = calloc(1, sizeof(*e));
	uint8_t *w;

	if (!e)
		return NULL;
	e->native_block = mmap(NULL, BLOCK, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	/* The window spans the whole block, from the page below DIFF_GPA;
	 * the code page and RAM are then mapped over its first and last
	 * parts, so only MEM faults and reaches mmiod. */
	e->window = mmiod_trap_map(f->socket, DIFF_GPA - PAGE, BLOCK);
	e->out = shared(sizeof(*e->out));
	if (e->native_block == MAP_FAILED || !e->window || !e->out) {
		perror("diff_env_create");
		free(e);
		return NULL;
	}
	w = e->window;
	if (mmap(w, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != w ||
	    mmap(w + PAGE + DIFF_MEM_SIZE, DIFF_RAM_SIZE,
		 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) != w + PAGE + DIFF_MEM_SIZE) {
		perror("diff_env_create: code and ram in the window");
		free(e);
		return NULL;
	}
	place(&e->native, e->native_block);
	e->native.mem_view = e->native.mem;
	place(&e->trapped, w);
	e->trapped.mem_view = f->ram;
	return e;
}

void diff_env_destroy(struct diff_env *e)
{
	if (!e)
		return;
	mmiod_trap_unmap(e->window); /* code and ram with it */
	munmap(e->native_block, BLOCK);
	munmap(e->out, sizeof(*e->out));
	free(e);
}

static void fill(uint8_t *p, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = diff_random(&seed);

		memcpy(p + i, &v, 8);
	}
}

static uint64_t base_of(const struct side *s, enum diff_area a)
{
	return a == AREA_MEM ? (uint64_t)(uintptr_t)s->mem
			     : (uint64_t)(uintptr_t)s->ram;
}

/* The child: sets up memory and code, runs, leaves registers in out. */
static void run_side(const struct diff_env *e, const struct side *s,
		     const struct diff_input *in)
{
	struct rlimit no_core = {0, 0};
	struct cpu cpu = in->cpu;
	const void *code = in->function;

	setrlimit(RLIMIT_CORE, &no_core);
	/* Check's own SIGALRM handler would kill the whole process group,
	 * mmiod included. */
	signal(SIGALRM, SIG_DFL);
	alarm(10);
	fill(s->mem_view, DIFF_MEM_SIZE, in->seed);
	fill(s->ram, DIFF_RAM_SIZE, in->seed ^ 0x5a5a5a5a);
	for (int r = 0; r < MMIOD_NREGS; r++)
		if (in->area[r] != AREA_NONE)
			cpu.r[r] += base_of(s, in->area[r]);
	if (!code) {
		uint8_t *at = s->code + PAGE - in->code_len;

		/* At the very end of the page: the window follows, so
		 * fetching 15 bytes at RIP would run into it. */
		memcpy(at, in->code, in->code_len);
		if (in->abs_at >= 0) {
			uint64_t abs = base_of(s, AREA_MEM) + in->abs_off;

			memcpy(at + in->abs_at, &abs, 8);
		}
		code = at;
	}
	trap_run(&cpu, code);
	*e->out = cpu;
	_exit(0);
}

/* Runs one side in a child; 0, or -1 with why in report. */
static int run_child(struct diff_env *e, const struct side *s,
		     const struct diff_input *in, struct cpu *out, char *report,
		     size_t len)
{
	int pipefd[2], status;
	char msg[512] = "";
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		dup2(pipefd[1], STDERR_FILENO);
		run_side(e, s, in);
	}
	close(pipefd[1]);
	/* To the end: a child blocked on a full or closed pipe would die
	 * of it rather than of what it reports. */
	while ((n = read(pipefd[0], msg + got, sizeof(msg) - 1 - got)) > 0)
		got += (size_t)n;
	msg[got] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		*out = *e->out;
		return 0;
	}
	snprintf(report, len, ": %s run died (%s %d)%s%s",
		 s == &e->native ? "the CPU's" : "the trapped",
		 WIFSIGNALED(status) ? "signal" : "status",
		 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		 msg[0] ? ": " : "", msg);
	return -1;
}

/* A register as an offset into the block, if it points near it. */
static uint64_t normal(const struct side *s, uint64_t v, int *near)
{
	uint64_t off = v - (uint64_t)(uintptr_t)s->code;

	*near = off + NEAR < BLOCK + 2 * NEAR;
	return *near ? off : v;
}

static size_t hex(char *buf, size_t len, const uint8_t *p, size_t n)
{
	size_t used = 0;

	for (size_t i = 0; i < n && used + 4 < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%02x ", p[i]);
	return used;
}

static void describe(const struct diff_input *in, char *report, size_t len)
{
	size_t used = (size_t)snprintf(report, len, "%s", in->name);

	if (in->code && used + 8 < len) {
		used += (size_t)snprintf(report + used, len - used, " [");
		used += hex(report + used, len - used, in->code, in->code_len);
		snprintf(report + used - 1, len - used + 1, "]");
	}
}

static int compare_regs(const struct diff_env *e, const struct diff_input *in,
			const struct cpu *a, const struct cpu *b, char *report,
			size_t len)
{
	size_t used = strlen(report);

	for (int r = 0; r < MMIOD_NREGS; r++) {
		int near_a, near_b;
		uint64_t va = normal(&e->native, a->r[r], &near_a);
		uint64_t vb = normal(&e->trapped, b->r[r], &near_b);

		if (r == MMIOD_RIP)
			continue;
		if (r == MMIOD_RFLAGS) {
			va &= in->flags;
			vb &= in->flags;
		}
		if (va == vb && near_a == near_b)
			continue;
		snprintf(report + used, len - used,
			 ": %s is 0x%llx on the CPU, 0x%llx trapped",
			 reg_names[r], (unsigned long long)va,
			 (unsigned long long)vb);
		return -1;
	}
	return 0;
}

static int compare_mem(const char *what, const uint8_t *a, const uint8_t *b,
		       size_t n, char *report, size_t len)
{
	size_t used = strlen(report);

	for (size_t i = 0; i < n; i++) {
		if (a[i] == b[i])
			continue;
		snprintf(report + used, len - used,
			 ": %s byte 0x%zx is 0x%02x on the CPU, 0x%02x "
			 "trapped",
			 what, i, a[i], b[i]);
		return -1;
	}
	return 0;
}

enum diff_result diff_run(struct diff_env *e, const struct diff_input *in,
			  char *report, size_t len)
{
	struct cpu native, trapped;
	size_t used;

	describe(in, report, len);
	used = strlen(report);
	if (run_child(e, &e->native, in, &native, report + used, len - used))
		return DIFF_NATIVE_CRASHED;
	if (run_child(e, &e->trapped, in, &trapped, report + used, len - used))
		return DIFF_DISAGREE;
	if (compare_regs(e, in, &native, &trapped, report, len) ||
	    compare_mem("memory", e->native.mem_view, e->trapped.mem_view,
			DIFF_MEM_SIZE, report, len) ||
	    compare_mem("ram", e->native.ram, e->trapped.ram, DIFF_RAM_SIZE,
			report, len))
		return DIFF_DISAGREE;
	return DIFF_AGREE;
}
