/* SPDX-License-Identifier: BSD-2-Clause */
/* check_notify.c - specification of daemon/notify.c: what the service
 * manager receives, and when it wants watchdog pings. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/notify.h"
#include "testutil.h"

static int listener;
static char path[108];

/* A datagram socket bound where NOTIFY_SOCKET says; name starts with
 * '@' for an abstract one. */
static void listen_at(const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len = sizeof(sa);

	listener = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(listener, 0);
	strcpy(sa.sun_path, name);
	if (name[0] == '@') {
		sa.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				  strlen(name));
	}
	ck_assert_int_eq(bind(listener, (struct sockaddr *)&sa, len), 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", name, 1), 0);
}

static void received(const char *want)
{
	char buf[600];
	ssize_t n = recv(listener, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, want);
}

static void teardown(void)
{
	if (listener > 0)
		close(listener);
	listener = 0;
	if (path[0])
		unlink(path);
	path[0] = '\0';
	unsetenv("NOTIFY_SOCKET");
}

START_TEST(state_reaches_a_path_socket)
{
	snprintf(path, sizeof(path), "/tmp/check-notify-%d", (int)getpid());
	listen_at(path);
	ck_assert_int_eq(notify("READY=1\nSTATUS=serving %d regions", 3), 0);
	received("READY=1\nSTATUS=serving 3 regions");
}
END_TEST

START_TEST(state_reaches_an_abstract_socket)
{
	char name[64];

	snprintf(name, sizeof(name), "@check-notify-%d", (int)getpid());
	listen_at(name);
	ck_assert_int_eq(notify("WATCHDOG=1"), 0);
	received("WATCHDOG=1");
}
END_TEST

START_TEST(without_a_socket_nothing_is_sent_and_that_is_fine)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	ck_assert_int_eq(notify("READY=1"), 0);
}
END_TEST

START_TEST(a_socket_nobody_listens_on_is_a_failure)
{
	setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
	ck_assert_int_eq(notify("READY=1"), -1);
}
END_TEST

START_TEST(watchdog_is_wanted_only_for_our_pid)
{
	char pid[32];
	uint64_t usec = 0;

	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	ck_assert(!notify_watchdog(&usec));
	setenv("WATCHDOG_USEC", "3000000", 1);
	ck_assert(notify_watchdog(&usec));
	ck_assert_uint_eq(usec, 3000000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert(!notify_watchdog(&usec));
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert(notify_watchdog(&usec));
	setenv("WATCHDOG_USEC", "0", 1);
	ck_assert(!notify_watchdog(&usec));
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notify");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, state_reaches_a_path_socket);
	tcase_add_test(tc, state_reaches_an_abstract_socket);
	tcase_add_test(tc, without_a_socket_nothing_is_sent_and_that_is_fine);
	tcase_add_test(tc, a_socket_nobody_listens_on_is_a_failure);
	tcase_add_test(tc, watchdog_is_wanted_only_for_our_pid);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(notify_suite());
}
