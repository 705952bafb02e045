/* SPDX-License-Identifier: BSD-2-Clause */
/* check_trap.c - what libmmiod-trap promises its users (mmiod-trap.h):
 * windows onto a running mmiod's ram device, several at once, from many
 * threads; faults elsewhere still reach the previous handler or crash;
 * a refused instruction ends the process saying why. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmiod-trap.h"
#include "testutil.h"
#include "trap_fixture.h"

#define GPA 0xfe100000ull
#define RAM_SIZE 0x10000

static struct trap_fixture fixture;

static void setup(void)
{
	trap_fixture_start(&fixture, GPA, RAM_SIZE, NULL);
}

static void teardown(void)
{
	trap_fixture_stop(&fixture);
}

START_TEST(loads_and_stores_reach_the_device)
{
	volatile uint32_t *w = mmiod_trap_map(fixture.socket, GPA, RAM_SIZE);
	uint32_t v;

	ck_assert_ptr_nonnull((void *)w);
	w[3] = 0xdeadbeef;
	ck_assert_uint_eq(fixture.ram[12], 0xef);
	ck_assert_uint_eq(fixture.ram[15], 0xde);
	fixture.ram[16] = 0x5a;
	v = w[4];
	ck_assert_uint_eq(v, 0x5a);
	w[3] |= 0x10;
	ck_assert_uint_eq(w[3], 0xdeadbeff);
	ck_assert_int_eq(mmiod_trap_unmap((void *)w), 0);
}
END_TEST

START_TEST(bad_arguments_are_refused)
{
	errno = 0;
	ck_assert_ptr_null(mmiod_trap_map(fixture.socket, GPA + 1, 4096));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(mmiod_trap_map(fixture.socket, GPA, 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(mmiod_trap_map(temp_path("nobody.sock"), GPA, 4096));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(mmiod_trap_unmap(&fixture), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(windows_map_their_own_part_of_the_space)
{
	volatile uint8_t *a = mmiod_trap_map(fixture.socket, GPA, 0x2000);
	volatile uint8_t *b =
		mmiod_trap_map(fixture.socket, GPA + 0x1000, 0x1000);

	ck_assert_ptr_nonnull((void *)a);
	ck_assert_ptr_nonnull((void *)b);
	a[0x1010] = 0x77;
	ck_assert_uint_eq(b[0x10], 0x77);
	b[0x20] = 0x66;
	ck_assert_uint_eq(fixture.ram[0x1020], 0x66);
	ck_assert_int_eq(mmiod_trap_unmap((void *)a), 0);
	ck_assert_uint_eq(b[0x10], 0x77); /* b outlives a */
	ck_assert_int_eq(mmiod_trap_unmap((void *)b), 0);
}
END_TEST

#define THREADS 8 /* more than the connections: some must wait */
#define ROUNDS 500

static volatile uint64_t *shared_window;

static void *count(void *arg)
{
	uintptr_t slot = (uintptr_t)arg;

	for (int i = 0; i < ROUNDS; i++)
		shared_window[slot] = shared_window[slot] + 1;
	return NULL;
}

START_TEST(threads_fault_at_once)
{
	pthread_t t[THREADS];

	shared_window = mmiod_trap_map(fixture.socket, GPA, RAM_SIZE);
	ck_assert_ptr_nonnull((void *)shared_window);
	memset(fixture.ram, 0, 8 * THREADS);
	for (uintptr_t i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, count, (void *)i),
				 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		uint64_t v;

		memcpy(&v, fixture.ram + 8 * i, 8);
		ck_assert_uint_eq(v, ROUNDS);
	}
}
END_TEST

static sigjmp_buf escape;
static volatile sig_atomic_t previous_ran;
static void *volatile previous_addr;

static void previous_handler(int sig, siginfo_t *si, void *uc)
{
	previous_ran++;
	previous_addr = si->si_addr;
	siglongjmp(escape, 1);
}

START_TEST(other_faults_reach_the_previous_handler)
{
	struct sigaction sa = {.sa_sigaction = previous_handler,
			       .sa_flags = SA_SIGINFO};
	volatile uint8_t *w;
	volatile uint8_t *hole =
		mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGSEGV, &sa, NULL), 0);
	w = mmiod_trap_map(fixture.socket, GPA, 4096);
	ck_assert_ptr_nonnull((void *)w);
	if (sigsetjmp(escape, 1) == 0)
		(void)hole[8];
	ck_assert_int_eq(previous_ran, 1);
	ck_assert_ptr_eq((void *)previous_addr, (void *)(hole + 8));
	w[0] = 1; /* the window still works */
	ck_assert_uint_eq(fixture.ram[0], 1);
}
END_TEST

/* Runs fn in a child with stderr to a pipe and checks that it died of
 * sig having said each of the needles (NULL-terminated). */
static void expect_death(void (*fn)(void), int sig, const char *const *needles)
{
	int pipefd[2], status;
	char out[512];
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit no_core = {0, 0};

		setrlimit(RLIMIT_CORE, &no_core);
		signal(SIGALRM, SIG_DFL); /* not Check's: it kills the group */
		alarm(10);
		dup2(pipefd[1], STDERR_FILENO);
		fn();
		_exit(0);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sig,
		      "status 0x%x, stderr: %s", status, out);
	for (; needles && *needles; needles++)
		ck_assert_msg(strstr(out, *needles), "no \"%s\" in: %s",
			      *needles, out);
}

/* No SIGSEGV handler before the library's (a sanitizer build has its
 * own, which would report the crash and exit 1). */
static void default_sigsegv(void)
{
	signal(SIGSEGV, SIG_DFL);
}

static void touch_hole_with_a_window_mapped(void)
{
	volatile uint8_t *hole =
		mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	default_sigsegv();
	if (!mmiod_trap_map(fixture.socket, GPA, 4096))
		_exit(3);
	(void)hole[0];
}

START_TEST(real_crashes_still_crash)
{
	expect_death(touch_hole_with_a_window_mapped, SIGSEGV, NULL);
}
END_TEST

static void vector_load_from_window(void)
{
	volatile uint8_t *w = mmiod_trap_map(fixture.socket, GPA, 4096);

	if (!w)
		_exit(3);
	__asm__ volatile("movdqu (%0), %%xmm0" : : "r"(w + 16) : "xmm0");
}

START_TEST(refused_instruction_aborts_naming_it)
{
	static const char *const said[] = {
		"mmiod-trap: mmiod did not serve the instruction at 0x",
		", bytes f3 0f 6f ", "unsupported instruction movdqu", NULL};

	expect_death(vector_load_from_window, SIGABRT, said);
}
END_TEST

static void touch_after_unmap(void)
{
	volatile uint8_t *w;

	default_sigsegv();
	w = mmiod_trap_map(fixture.socket, GPA, 4096);
	if (!w || mmiod_trap_unmap((void *)w))
		_exit(3);
	(void)w[0];
}

START_TEST(unmapped_window_is_gone)
{
	expect_death(touch_after_unmap, SIGSEGV, NULL);
}
END_TEST

static void touch_after_mmiod_stopped(void)
{
	volatile uint8_t *w = mmiod_trap_map(fixture.socket, GPA, 4096);

	if (!w)
		_exit(3);
	/* mmiod is the test's child, not this one's: kill it, and give its
	 * exit the time to close the connection. */
	kill(fixture.pid, SIGKILL);
	usleep(300000);
	(void)w[0];
}

START_TEST(lost_mmiod_aborts_saying_so)
{
	static const char *const said[] = {"the connection to mmiod broke",
					   NULL};

	expect_death(touch_after_mmiod_stopped, SIGABRT, said);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("trap");
	TCase *tc = tcase_create("library");

	(void)argc;
	trap_fixture_pid_namespace(argv);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, loads_and_stores_reach_the_device);
	tcase_add_test(tc, bad_arguments_are_refused);
	tcase_add_test(tc, windows_map_their_own_part_of_the_space);
	tcase_add_test(tc, threads_fault_at_once);
	tcase_add_test(tc, other_faults_reach_the_previous_handler);
	tcase_add_test(tc, real_crashes_still_crash);
	tcase_add_test(tc, refused_instruction_aborts_naming_it);
	tcase_add_test(tc, unmapped_window_is_gone);
	tcase_add_test(tc, lost_mmiod_aborts_saying_so);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
