/* SPDX-License-Identifier: BSD-2-Clause */
/* check_fault_socket.c - raw faults from a separate process: this test
 * runs mmiod --sim with a fault_socket and a ram region, sends faults over
 * the socket and checks every answer. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmiod-fault.h"
#include "testutil.h"

#define RAM 0xfe100000ull

static pid_t daemon_pid;
static int sock = -1;
static char sock_path[108];
static char log_path[108]; /* the daemon's stderr */

static int notify_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval ten_s = {10, 0};
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	strcpy(sa.sun_path, path);
	unlink(path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &ten_s, sizeof(ten_s));
	return fd;
}

/* Waits for READY=1; the STATUS= messages before it are skipped. */
static void expect_ready(int fd)
{
	char msg[256];
	ssize_t n;

	do {
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		ck_assert_msg(n > 0, "mmiod never sent READY=1");
		msg[n] = '\0';
	} while (!strstr(msg, "READY=1"));
	close(fd);
}

/* Connects to the daemon's socket, retrying while it comes up; -1 if it
 * never does. */
static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval ten_s = {10, 0};

	strcpy(sa.sun_path, path);
	for (int i = 0; i < 100; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			/* A reply that never comes fails the test, not
			 * the timeout of the whole suite. */
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &ten_s,
				   sizeof(ten_s));
			return fd;
		}
		close(fd);
		usleep(50000);
	}
	return -1;
}

/* Starts mmiod --sim serving a ram region and a fault socket at path,
 * with umask mask; waits for READY=1 if ready. */
static pid_t spawn_daemon(const char *path, mode_t mask, bool ready)
{
	const char *builddir = getenv("top_builddir");
	char mmiod[512], cfg_text[512], cfg[256], script[256];
	char notify_path[108];
	int notify;
	pid_t pid;

	/* temp_path() reuses one buffer: keep copies. */
	snprintf(notify_path, sizeof(notify_path), "%s", temp_path("notify"));
	snprintf(mmiod, sizeof(mmiod), "%s/mmiod", builddir ? builddir : ".");
	snprintf(cfg_text, sizeof(cfg_text),
		 "fault_socket = \"%s\"\n"
		 "mmio = [ \"base=0xfe100000,size=64K,type=ram\" ]\n",
		 path);
	snprintf(cfg, sizeof(cfg), "%s",
		 write_temp_file("faults.cfg", cfg_text));
	snprintf(script, sizeof(script), "%s",
		 write_temp_file("idle.sim", "vcpus 1\nsleep 20000\n"));
	snprintf(log_path, sizeof(log_path), "%s", temp_path("mmiod.log"));
	notify = notify_socket(notify_path);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (!freopen(log_path, "w", stderr))
			_exit(127);
		umask(mask);
		setenv("NOTIFY_SOCKET", notify_path, 1);
		execl(mmiod, mmiod, "--sim", script, cfg, (char *)NULL);
		_exit(127);
	}
	/* READY=1 comes after the seccomp filter is in place: this proves
	 * the filter lets sd_notify through. */
	if (ready)
		expect_ready(notify);
	else
		close(notify);
	return pid;
}

/* The first line of the daemon's stderr starting with prefix, into line;
 * false if there is none. */
static bool logged(const char *prefix, char *line, size_t len)
{
	bool found = false;
	FILE *f = fopen(log_path, "r");

	ck_assert_ptr_nonnull(f);
	while (!found && fgets(line, (int)len, f))
		found = strncmp(line, prefix, strlen(prefix)) == 0;
	fclose(f);
	return found;
}

/* The daemon's exit status, waiting at most ms; a daemon still running
 * then is killed and the test fails. */
static int wait_exit(pid_t pid, int ms)
{
	int status;

	for (int waited = 0; waited < ms; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ck_abort_msg("mmiod did not exit within %d ms", ms);
	return -1;
}

static void start_daemon(void)
{
	snprintf(sock_path, sizeof(sock_path), "%s", temp_path("faults.sock"));
	unlink(sock_path);
	daemon_pid = spawn_daemon(sock_path, 022, true);
	sock = connect_to(sock_path);
	ck_assert_msg(sock >= 0, "mmiod never opened %s", sock_path);
}

static void stop_daemon(void)
{
	if (sock >= 0)
		close(sock);
	sock = -1;
	if (daemon_pid <= 0)
		return; /* the test stopped it already */
	kill(daemon_pid, SIGTERM);
	wait_exit(daemon_pid, 10000);
	daemon_pid = -1;
}

static struct mmiod_fault_request fault(int mode, int dir, uint64_t gpa,
					unsigned size, const char *hex)
{
	struct mmiod_fault_request r;
	unsigned v;

	memset(&r, 0, sizeof(r));
	r.magic = MMIOD_FAULT_MAGIC;
	r.version = MMIOD_FAULT_VERSION;
	r.mode = (uint8_t)mode;
	r.dir = (uint8_t)dir;
	r.gpa = gpa;
	r.size = size;
	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		sscanf(hex, "%2x", &v);
		r.insn[r.insn_len++] = (uint8_t)v;
		hex += 2;
	}
	r.regs[MMIOD_RIP] = 0x401000;
	r.regs[MMIOD_RFLAGS] = 0x2;
	return r;
}

/* Sends r on fd and reads its reply; 0, or -1 if the socket failed. */
static int exchange(int fd, const struct mmiod_fault_request *r,
		    struct mmiod_fault_reply *reply)
{
	size_t got = 0;

	if (send(fd, r, sizeof(*r), MSG_NOSIGNAL) != sizeof(*r))
		return -1;
	while (got < sizeof(*reply)) {
		ssize_t n = read(fd, (char *)reply + got, sizeof(*reply) - got);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static struct mmiod_fault_reply send_fault(const struct mmiod_fault_request *r)
{
	static struct mmiod_fault_reply reply;

	ck_assert_msg(exchange(sock, r, &reply) == 0, "no reply: %s",
		      strerror(errno));
	ck_assert_uint_eq(reply.magic, MMIOD_FAULT_MAGIC);
	return reply;
}

START_TEST(write_then_read_through_the_device)
{
	struct mmiod_fault_request w = fault(64, 0, RAM + 0x10, 4, "89 08");
	struct mmiod_fault_request r = fault(64, 1, RAM + 0x10, 4, "8b 10");
	struct mmiod_fault_reply a;

	w.regs[MMIOD_RAX] = RAM + 0x10;
	w.regs[MMIOD_RCX] = 0xffffffffcafef00dull;
	a = send_fault(&w);
	ck_assert_msg(a.status == MMIOD_FAULT_OK, "%s", a.error);
	ck_assert_uint_eq(a.regs[MMIOD_RIP], 0x401002);

	r.regs[MMIOD_RAX] = RAM + 0x10;
	r.regs[MMIOD_RDX] = 0xffffffffffffffffull;
	a = send_fault(&r);
	ck_assert_msg(a.status == MMIOD_FAULT_OK, "%s", a.error);
	/* 32-bit destination: zero-extended */
	ck_assert_uint_eq(a.regs[MMIOD_RDX], 0xcafef00d);
	ck_assert_uint_eq(a.regs[MMIOD_RIP], 0x401002);
}
END_TEST

START_TEST(sign_extending_read_and_rmw)
{
	struct mmiod_fault_request w = fault(64, 0, RAM + 0x20, 1, "c6 00 f0");
	struct mmiod_fault_request r =
		fault(64, 1, RAM + 0x20, 1, "48 0f be 18");
	struct mmiod_fault_request rmw =
		fault(64, 1, RAM + 0x20, 1, "80 00 20");
	struct mmiod_fault_reply a;

	w.regs[MMIOD_RAX] = r.regs[MMIOD_RAX] = rmw.regs[MMIOD_RAX] =
		RAM + 0x20;
	ck_assert_int_eq(send_fault(&w).status, MMIOD_FAULT_OK);
	a = send_fault(&r);
	ck_assert_uint_eq(a.regs[MMIOD_RBX], 0xfffffffffffffff0ull);
	/* add byte [rax], 0x20: 0xf0 + 0x20 = 0x10, carry out */
	a = send_fault(&rmw);
	ck_assert_msg(a.status == MMIOD_FAULT_OK, "%s", a.error);
	ck_assert_uint_eq(a.regs[MMIOD_RFLAGS] & 1, 1);
	a = send_fault(&r);
	ck_assert_uint_eq(a.regs[MMIOD_RBX], 0x10);
}
END_TEST

START_TEST(rep_stos_and_movs_with_data)
{
	struct mmiod_fault_request stos = fault(64, 0, RAM + 0x100, 4, "f3 ab");
	struct mmiod_fault_request to_mmio =
		fault(64, 0, RAM + 0x200, 8, "f3 48 a5");
	struct mmiod_fault_request from_mmio =
		fault(64, 1, RAM + 0x200, 8, "f3 48 a5");
	struct mmiod_fault_request lods = fault(64, 1, RAM + 0x10c, 4, "ad");
	struct mmiod_fault_reply a;

	stos.regs[MMIOD_RAX] = 0x11223344;
	stos.regs[MMIOD_RCX] = 4;
	stos.regs[MMIOD_RDI] = 0x7000;
	a = send_fault(&stos);
	ck_assert_msg(a.status == MMIOD_FAULT_OK, "%s", a.error);
	ck_assert_uint_eq(a.regs[MMIOD_RCX], 0);
	ck_assert_uint_eq(a.regs[MMIOD_RDI], 0x7010);
	lods.regs[MMIOD_RSI] = 0x800c;
	a = send_fault(&lods);
	ck_assert_uint_eq(a.regs[MMIOD_RAX], 0x11223344);

	/* MOVS into MMIO takes its source from data[]... */
	to_mmio.regs[MMIOD_RCX] = 3;
	to_mmio.data_count = 3;
	for (int i = 0; i < 3; i++)
		to_mmio.data[i] = 0x1000 + (uint64_t)i;
	a = send_fault(&to_mmio);
	ck_assert_msg(a.status == MMIOD_FAULT_OK, "%s", a.error);
	ck_assert_uint_eq(a.regs[MMIOD_RCX], 0);
	/* ...and MOVS out of MMIO returns what it read. */
	from_mmio.regs[MMIOD_RCX] = 3;
	a = send_fault(&from_mmio);
	ck_assert_msg(a.status == MMIOD_FAULT_OK, "%s", a.error);
	ck_assert_uint_eq(a.data_count, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(a.data[i], 0x1000 + (uint64_t)i);
}
END_TEST

START_TEST(movs_with_less_source_data_serves_what_it_has)
{
	struct mmiod_fault_request r = fault(64, 0, RAM + 0x300, 8, "f3 48 a5");
	struct mmiod_fault_request rest = r;
	struct mmiod_fault_request back =
		fault(64, 1, RAM + 0x300, 8, "f3 48 a5");
	struct mmiod_fault_reply a;

	r.regs[MMIOD_RCX] = 5;
	r.regs[MMIOD_RSI] = 0x5000;
	r.regs[MMIOD_RDI] = RAM + 0x300;
	r.data_count = 2;
	r.data[0] = 0xa0;
	r.data[1] = 0xa1;
	a = send_fault(&r);
	/* Two elements written, and the registers say so: a retry must not
	 * write them twice. RIP stays, as for any unfinished REP. */
	ck_assert_msg(a.status == MMIOD_FAULT_OK, "%s", a.error);
	ck_assert_uint_eq(a.regs[MMIOD_RCX], 3);
	ck_assert_uint_eq(a.regs[MMIOD_RSI], 0x5010);
	ck_assert_uint_eq(a.regs[MMIOD_RDI], RAM + 0x310);
	ck_assert_uint_eq(a.regs[MMIOD_RIP], 0x401000);

	/* The peer re-executes with the registers it got back. */
	memcpy(rest.regs, a.regs, sizeof(rest.regs));
	rest.gpa = RAM + 0x310;
	rest.data_count = 3;
	for (int i = 0; i < 3; i++)
		rest.data[i] = 0xa2 + (uint64_t)i;
	a = send_fault(&rest);
	ck_assert_msg(a.status == MMIOD_FAULT_OK, "%s", a.error);
	ck_assert_uint_eq(a.regs[MMIOD_RCX], 0);
	ck_assert_uint_eq(a.regs[MMIOD_RIP], 0x401003);

	/* The device holds each element once, in order. */
	back.regs[MMIOD_RCX] = 5;
	back.regs[MMIOD_RSI] = RAM + 0x300;
	a = send_fault(&back);
	ck_assert_msg(a.status == MMIOD_FAULT_OK, "%s", a.error);
	ck_assert_uint_eq(a.data_count, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(a.data[i], 0xa0 + (uint64_t)i);
}
END_TEST

START_TEST(movs_without_any_source_data_changes_nothing)
{
	struct mmiod_fault_request r = fault(64, 0, RAM, 8, "f3 48 a5");
	struct mmiod_fault_reply a;

	r.regs[MMIOD_RCX] = 5;
	a = send_fault(&r);
	ck_assert_int_eq(a.status, MMIOD_FAULT_DEVICE_ERROR);
	ck_assert_ptr_nonnull(strstr(a.error, "out of reach"));
	ck_assert_uint_eq(a.regs[MMIOD_RCX], 5);
	ck_assert_uint_eq(a.regs[MMIOD_RIP], 0x401000);
}
END_TEST

START_TEST(errors_are_answered_not_fatal)
{
	struct mmiod_fault_request bad = fault(64, 0, RAM, 4, "89 08");
	struct mmiod_fault_request unsupported =
		fault(64, 1, RAM, 16, "0f 10 00");
	struct mmiod_fault_request mismatch = fault(64, 0, RAM, 8, "89 08");
	struct mmiod_fault_request no_memory = fault(64, 0, RAM, 4, "89 c8");
	struct mmiod_fault_request ok = fault(64, 0, RAM, 4, "89 08");
	struct mmiod_fault_reply a;

	bad.magic = 0xdeadbeef;
	a = send_fault(&bad);
	ck_assert_int_eq(a.status, MMIOD_FAULT_BAD_RECORD);
	bad = ok;
	bad.insn_len = 16;
	ck_assert_int_eq(send_fault(&bad).status, MMIOD_FAULT_BAD_RECORD);
	bad = ok;
	bad.mode = 8;
	ck_assert_int_eq(send_fault(&bad).status, MMIOD_FAULT_BAD_RECORD);
	a = send_fault(&unsupported);
	ck_assert_int_eq(a.status, MMIOD_FAULT_UNSUPPORTED);
	ck_assert_ptr_nonnull(
		strstr(a.error, "unsupported instruction movups"));
	/* No memory operand: nothing to emulate, whatever the wording. */
	a = send_fault(&no_memory);
	ck_assert_int_eq(a.status, MMIOD_FAULT_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(a.error, "does not access memory"));
	mismatch.regs[MMIOD_RAX] = RAM;
	a = send_fault(&mismatch);
	ck_assert_int_eq(a.status, MMIOD_FAULT_MISMATCH);
	/* The connection still serves. */
	ok.regs[MMIOD_RAX] = RAM;
	ck_assert_int_eq(send_fault(&ok).status, MMIOD_FAULT_OK);
}
END_TEST

/* --- several clients -------------------------------------------------- */

static struct mmiod_fault_request store_fault(void)
{
	struct mmiod_fault_request w = fault(64, 0, RAM + 0x40, 4, "89 08");

	w.regs[MMIOD_RAX] = RAM + 0x40;
	w.regs[MMIOD_RCX] = 0x5a5a5a5a;
	return w;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A client in a thread of its own; done counts its faults. */
struct peer {
	pthread_t thread;
	int fd;
	unsigned done;
};

/* Sends 1000 faults and never reads a reply; gives up when mmiod has
 * stopped taking them for 3 s. */
static void *send_without_reading(void *arg)
{
	struct peer *g = arg;
	struct mmiod_fault_request w = store_fault();
	struct timeval three_s = {3, 0};

	setsockopt(g->fd, SOL_SOCKET, SO_SNDTIMEO, &three_s, sizeof(three_s));
	while (g->done < 1000 &&
	       send(g->fd, &w, sizeof(w), MSG_NOSIGNAL) == sizeof(w))
		g->done++;
	return NULL;
}

START_TEST(stuck_clients_do_not_block_a_good_one)
{
	struct mmiod_fault_request w = store_fault();
	struct mmiod_fault_reply a;
	struct peer g = {.fd = connect_to(sock_path)};
	int mute = connect_to(sock_path), half = connect_to(sock_path);
	double start, slowest = 0;

	ck_assert(g.fd >= 0 && mute >= 0 && half >= 0);
	/* mute never sends; half sends half a record and stops. */
	ck_assert_int_eq(send(half, &w, sizeof(w) / 2, MSG_NOSIGNAL),
			 sizeof(w) / 2);
	ck_assert_int_eq(
		pthread_create(&g.thread, NULL, send_without_reading, &g), 0);
	usleep(500000); /* every buffer towards the greedy one is full */
	for (int i = 0; i < 200; i++) {
		start = now_s();
		ck_assert_msg(exchange(sock, &w, &a) == 0,
			      "fault %d got no reply (%u sent by the greedy "
			      "client)",
			      i, g.done);
		ck_assert_int_eq(a.status, MMIOD_FAULT_OK);
		if (now_s() - start > slowest)
			slowest = now_s() - start;
	}
	/* Bounded (the old server never answered), with room for a loaded
	 * machine. */
	ck_assert_msg(slowest < 2.0, "slowest reply took %.3f s", slowest);
	pthread_join(g.thread, NULL);
	close(g.fd);
	close(mute);
	close(half);
}
END_TEST

static void *hammer(void *arg)
{
	struct peer *h = arg;
	struct mmiod_fault_request w = store_fault();
	struct mmiod_fault_reply a;

	while (exchange(h->fd, &w, &a) == 0)
		h->done++;
	return NULL;
}

START_TEST(sigterm_while_four_clients_hammer)
{
	struct peer h[4];
	struct stat st;
	char line[256];
	int status;

	for (int i = 0; i < 4; i++) {
		h[i] = (struct peer){.fd = connect_to(sock_path)};
		ck_assert_int_ge(h[i].fd, 0);
		ck_assert_int_eq(
			pthread_create(&h[i].thread, NULL, hammer, &h[i]), 0);
	}
	usleep(300000);
	kill(daemon_pid, SIGTERM);
	status = wait_exit(daemon_pid, 10000);
	daemon_pid = -1;
	/* The clients see their connection end, not a hang. */
	for (int i = 0; i < 4; i++) {
		pthread_join(h[i].thread, NULL);
		close(h[i].fd);
		ck_assert_uint_gt(h[i].done, 0);
	}
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "mmiod ended with status 0x%x", status);
	ck_assert_msg(lstat(sock_path, &st) < 0 && errno == ENOENT,
		      "%s is left behind", sock_path);
	/* The fixture's client and the four, in the counters at exit. */
	ck_assert_msg(logged("faults ", line, sizeof(line)),
		      "no fault counters in %s", log_path);
	ck_assert_msg(strstr(line, " bad_records 0 clients 5 rejected 0 "
				   "dropped 0"),
		      "%s", line);
}
END_TEST

/* --- the socket file --------------------------------------------------- */

START_TEST(socket_mode_is_0600_whatever_the_umask)
{
	struct stat st;

	snprintf(sock_path, sizeof(sock_path), "%s", temp_path("faults.sock"));
	unlink(sock_path);
	daemon_pid = spawn_daemon(sock_path, 0, true);
	sock = connect_to(sock_path);
	ck_assert_int_ge(sock, 0);
	ck_assert_int_eq(lstat(sock_path, &st), 0);
	ck_assert_msg((st.st_mode & 07777) == 0600, "mode %o",
		      st.st_mode & 07777);
	stop_daemon();
}
END_TEST

START_TEST(a_file_at_the_socket_path_is_not_replaced)
{
	char text[64] = "";
	FILE *f;
	int status;

	snprintf(sock_path, sizeof(sock_path), "%s",
		 write_temp_file("faults.sock", "the guest's ram\n"));
	daemon_pid = spawn_daemon(sock_path, 022, false);
	status = wait_exit(daemon_pid, 10000);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2,
		      "mmiod started over a regular file (status 0x%x, "
		      "want a config error: 2)",
		      status);
	f = fopen(sock_path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
	fclose(f);
	ck_assert_str_eq(text, "the guest's ram\n");
}
END_TEST

static Suite *fault_suite(void)
{
	Suite *s = suite_create("fault-socket");
	TCase *tc = tcase_create("socket");
	TCase *clients = tcase_create("clients");
	TCase *file = tcase_create("file");

	tcase_add_checked_fixture(tc, start_daemon, stop_daemon);
	tcase_add_test(tc, write_then_read_through_the_device);
	tcase_add_test(tc, sign_extending_read_and_rmw);
	tcase_add_test(tc, rep_stos_and_movs_with_data);
	tcase_add_test(tc, movs_with_less_source_data_serves_what_it_has);
	tcase_add_test(tc, movs_without_any_source_data_changes_nothing);
	tcase_add_test(tc, errors_are_answered_not_fatal);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(clients, start_daemon, stop_daemon);
	tcase_add_test(clients, stuck_clients_do_not_block_a_good_one);
	tcase_add_test(clients, sigterm_while_four_clients_hammer);
	tcase_set_timeout(clients, 60);
	suite_add_tcase(s, clients);

	tcase_add_test(file, socket_mode_is_0600_whatever_the_umask);
	tcase_add_test(file, a_file_at_the_socket_path_is_not_replaced);
	tcase_set_timeout(file, 30);
	suite_add_tcase(s, file);
	return s;
}

int main(void)
{
	/* The tests signal the daemons they start: nothing else can be
	 * reached from inside the namespace. */
	enter_pid_namespace();
	return run_suite(fault_suite());
}
