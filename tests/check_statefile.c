/* SPDX-License-Identifier: BSD-2-Clause */
/* check_statefile.c - the state and stats files other processes read while
 * the daemon rewrites them. */
#include <check.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/statefile.h"
#include "testutil.h"

static char *read_all(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Files in the test directory whose names start with prefix: what a
 * replace leaves behind besides the file itself. */
static int count_temporaries(const char *prefix)
{
	char pattern[300];
	glob_t g;
	int n;

	snprintf(pattern, sizeof(pattern), "%s*", temp_path(prefix));
	if (glob(pattern, 0, NULL, &g))
		return 0;
	n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

struct fill_probe {
	const char *path;
	char seen[256];
};

/* While the new content is being written, a reader still sees the old. */
static void fill_and_look(FILE *f, void *ctx)
{
	struct fill_probe *probe = ctx;
	const char *now = read_all(probe->path);

	snprintf(probe->seen, sizeof(probe->seen), "%s", now ? now : "(none)");
	fputs("new contents\n", f);
}

START_TEST(replace_is_atomic_for_readers)
{
	struct fill_probe probe = {temp_path("atomic.stats"), ""};

	ck_assert_ptr_nonnull(
		write_temp_file("atomic.stats", "old contents\n"));
	ck_assert_int_eq(statefile_replace(probe.path, fill_and_look, &probe),
			 0);
	ck_assert_str_eq(probe.seen, "old contents\n");
	ck_assert_str_eq(read_all(probe.path), "new contents\n");
	ck_assert_int_eq(count_temporaries("atomic.stats."), 0);
}
END_TEST

/* Whoever can write the state dir may plant a symlink where the old code
 * put its temporary: the write must not follow it into the target. */
START_TEST(replace_never_follows_a_planted_symlink)
{
	char target[256], path[256], tmp[300];
	struct state_record rec = {1, 2, 3}, out;

	/* temp_path() returns one static buffer: copy each result. */
	snprintf(target, sizeof(target), "%s",
		 write_temp_file("precious", "root only\n"));
	snprintf(path, sizeof(path), "%s", temp_path("planted.state"));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	ck_assert_int_eq(symlink(target, tmp), 0);
	ck_assert_int_eq(statefile_write(path, &rec), 0);
	ck_assert_str_eq(read_all(target), "root only\n");
	ck_assert_int_eq(statefile_read(path, &out), 0);
	ck_assert_int_eq(out.server_id, 3);
	unlink(tmp);
}
END_TEST

START_TEST(record_round_trips)
{
	const char *path = temp_path("vm.state");
	struct state_record in = {4242, 17, 3}, out;

	ck_assert_int_eq(statefile_write(path, &in), 0);
	ck_assert_int_eq(statefile_read(path, &out), 0);
	ck_assert_int_eq(out.pid, 4242);
	ck_assert_uint_eq(out.domid, 17);
	ck_assert_int_eq(out.server_id, 3);
	statefile_remove(path);
	ck_assert_int_eq(statefile_read(path, &out), -1);
}
END_TEST

START_TEST(malformed_records_are_refused)
{
	static const char *const bad[] = {
		"",
		"pid 1\ndomid 2\n",
		"pid 1\ndomid 32753\nserver 0\n", /* above DOMID_FIRST_RESERVED */
		"pid 1\ndomid 2\nserver -1\n",
		"garbage\n",
	};
	struct state_record out;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(
			statefile_read(write_temp_file("bad.state", bad[i]),
				       &out),
			-1);
}
END_TEST

START_TEST(too_long_a_path_is_an_error)
{
	char path[20]; /* exactly "/run/mmiod/vm.state" and its NUL */

	ck_assert_int_eq(
		statefile_path(path, sizeof(path), "/run/mmiod", "vm", "state"),
		0);
	ck_assert_str_eq(path, "/run/mmiod/vm.state");
	ck_assert_int_eq(statefile_path(path, sizeof(path), "/run/mmiod",
					"longer-guest", "state"),
			 -1);
}
END_TEST

static Suite *statefile_suite(void)
{
	Suite *s = suite_create("statefile");
	TCase *tc = tcase_create("statefile");

	tcase_add_test(tc, replace_is_atomic_for_readers);
	tcase_add_test(tc, replace_never_follows_a_planted_symlink);
	tcase_add_test(tc, record_round_trips);
	tcase_add_test(tc, malformed_records_are_refused);
	tcase_add_test(tc, too_long_a_path_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(statefile_suite());
}
