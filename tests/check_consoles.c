/* SPDX-License-Identifier: BSD-2-Clause */
/* check_consoles.c - the pty consoles' symlinks and what xl console is
 * told, with a store that records instead of writing xenstore. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/consoles.h"
#include "testutil.h"

#define MAX_PUBLISHED 4

struct recorder {
	unsigned n;
	unsigned serial[MAX_PUBLISHED];
	char path[MAX_PUBLISHED][PATH_MAX];
	int fail_errno; /* 0: publishing works */
};

static int record(void *ctx, unsigned n, const char *path)
{
	struct recorder *r = ctx;

	if (r->fail_errno) {
		errno = r->fail_errno;
		return -1;
	}
	ck_assert_uint_lt(r->n, MAX_PUBLISHED);
	r->serial[r->n] = n;
	snprintf(r->path[r->n], PATH_MAX, "%s", path);
	r->n++;
	return 0;
}

static char dir[PATH_MAX];
static const char *const ptys[] = {"/dev/pts/7", "/dev/pts/9"};

static const char *link_of(unsigned i)
{
	static char link[PATH_MAX + 32];

	snprintf(link, sizeof(link), "%s/vm.uart%u", dir, i);
	return link;
}

static void setup(void)
{
	char *slash;

	snprintf(dir, sizeof(dir), "%s", temp_path("x"));
	slash = strrchr(dir, '/');
	*slash = '\0';
	unlink(link_of(0));
	unlink(link_of(1));
}

static const char *target_of(const char *link)
{
	static char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof(target) - 1);

	if (n < 0)
		return NULL;
	target[n] = '\0';
	return target;
}

static void publish(struct consoles *c, struct recorder *r,
		    struct owned_files *of)
{
	struct console_store store = {record, r};

	consoles_init(c);
	owned_files_init(of);
	ck_assert_int_eq(consoles_publish(c, dir, "vm", ptys, 2, of, &store),
			 0);
}

START_TEST(each_pty_uart_gets_a_link_and_serial_n_names_it)
{
	struct recorder r = {0};
	struct owned_files of;
	struct consoles c;

	publish(&c, &r, &of);
	ck_assert_str_eq(target_of(link_of(0)), "/dev/pts/7");
	ck_assert_str_eq(target_of(link_of(1)), "/dev/pts/9");
	ck_assert_uint_eq(r.n, 2);
	ck_assert_uint_eq(r.serial[0], 0);
	ck_assert_str_eq(r.path[0], link_of(0));
	ck_assert_uint_eq(r.serial[1], 1);
	ck_assert_str_eq(r.path[1], link_of(1));
	/* Both links are handed to user= with the other files. */
	ck_assert_uint_eq(of.n, 2);
	consoles_remove(&c);
	owned_files_free(&of);
}
END_TEST

START_TEST(a_crashed_mmiods_link_is_replaced)
{
	struct recorder r = {0};
	struct owned_files of;
	struct consoles c;

	ck_assert_int_eq(symlink("/dev/pts/1", link_of(0)), 0);
	publish(&c, &r, &of);
	ck_assert_str_eq(target_of(link_of(0)), "/dev/pts/7");
	ck_assert_str_eq(r.path[0], link_of(0));
	consoles_remove(&c);
	owned_files_free(&of);
}
END_TEST

START_TEST(a_file_that_is_not_a_link_is_left_alone)
{
	struct recorder r = {0};
	struct owned_files of;
	struct consoles c;
	char buf[16] = {0};
	int fd = open(link_of(0), O_WRONLY | O_CREAT | O_EXCL, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "precious", 8), 8);
	close(fd);
	publish(&c, &r, &of);
	/* Serial 0 is published as the pty itself; serial 1 as usual. */
	ck_assert_str_eq(r.path[0], "/dev/pts/7");
	ck_assert_str_eq(r.path[1], link_of(1));
	consoles_remove(&c);
	fd = open(link_of(0), O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf) - 1), 8);
	close(fd);
	ck_assert_str_eq(buf, "precious");
	unlink(link_of(0));
	owned_files_free(&of);
}
END_TEST

START_TEST(remove_takes_only_links_that_still_point_to_our_pty)
{
	struct recorder r = {0};
	struct owned_files of;
	struct consoles c;
	struct stat st;

	publish(&c, &r, &of);
	/* Someone pointed uart1 elsewhere since: it is not ours now. */
	ck_assert_int_eq(unlink(link_of(1)), 0);
	ck_assert_int_eq(symlink("/dev/pts/42", link_of(1)), 0);
	consoles_remove(&c);
	ck_assert_int_eq(lstat(link_of(0), &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(target_of(link_of(1)), "/dev/pts/42");
	unlink(link_of(1));
	owned_files_free(&of);
}
END_TEST

START_TEST(a_store_that_fails_costs_nothing_but_its_line)
{
	struct recorder r = {.fail_errno = EACCES};
	struct owned_files of;
	struct consoles c;

	publish(&c, &r, &of);
	ck_assert_str_eq(target_of(link_of(0)), "/dev/pts/7");
	consoles_remove(&c);
	owned_files_free(&of);
}
END_TEST

static Suite *consoles_suite(void)
{
	Suite *s = suite_create("consoles");
	TCase *tc = tcase_create("consoles");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, each_pty_uart_gets_a_link_and_serial_n_names_it);
	tcase_add_test(tc, a_crashed_mmiods_link_is_replaced);
	tcase_add_test(tc, a_file_that_is_not_a_link_is_left_alone);
	tcase_add_test(tc, remove_takes_only_links_that_still_point_to_our_pty);
	tcase_add_test(tc, a_store_that_fails_costs_nothing_but_its_line);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(consoles_suite());
}
