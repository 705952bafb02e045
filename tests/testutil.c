/* SPDX-License-Identifier: BSD-2-Clause */
/* testutil.c - helpers shared by the Check suites. */
#include "testutil.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[64];

const char *temp_path(const char *name)
{
	static char path[256];

	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/mmiod-test-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

const char *write_temp_file(const char *name, const char *text)
{
	const char *path = temp_path(name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void enter_pid_namespace(void)
{
	pid_t child;
	int status;

	if (unshare(CLONE_NEWPID | CLONE_NEWNS)) {
		printf("SKIP: cannot make a PID namespace: %s\n",
		       strerror(errno));
		exit(77);
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		perror("fork");
		exit(EXIT_FAILURE);
	}
	if (child == 0) {
		/* Our own /proc, without touching the machine's mounts. */
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("proc", "/proc", "proc", 0, NULL)) {
			perror("mounting /proc in the PID namespace");
			exit(EXIT_FAILURE);
		}
		return;
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			_exit(EXIT_FAILURE);
	/* _exit: no exit handlers. LeakSanitizer's would fork a tracer into
	 * the namespace, whose init is gone, and fail the test. */
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAILURE);
}
