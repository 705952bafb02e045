/* SPDX-License-Identifier: BSD-2-Clause */
/* check_fault_server.c - fault/ as a library: framing of records across
 * reads, the client limits and counters, and the socket file's rules,
 * against a sink that is a plain array. */
#include <check.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "fault/fault.h"
#include "mmiod-fault.h"
#include "testutil.h"

#define BASE 0x10000ull

static uint8_t memory[4096];
static atomic_uint accesses;
static struct fault_server *server;
static char path[108];

static int serve(void *ctx, struct mmio_access *a)
{
	(void)ctx;
	atomic_fetch_add(&accesses, 1);
	if (a->addr < BASE || a->addr + a->size > BASE + sizeof(memory))
		return -1;
	if (a->dir == IO_WRITE)
		memcpy(memory + (a->addr - BASE), &a->data, a->size);
	else
		memcpy(&a->data, memory + (a->addr - BASE), a->size);
	return 0;
}

static const struct fault_sink sink = {serve, NULL};

static void start(unsigned max_clients, unsigned idle_ms, mode_t mode)
{
	struct fault_limits limits = FAULT_LIMITS_DEFAULT;

	limits.max_clients = max_clients;
	limits.idle_timeout_ms = idle_ms;
	limits.mode = mode;
	server = fault_server_start(path, &limits, &sink);
	ck_assert_ptr_nonnull(server);
}

static void setup(void)
{
	snprintf(path, sizeof(path), "%s", temp_path("lib.sock"));
	unlink(path);
	atomic_store(&accesses, 0);
	server = NULL;
}

static void teardown(void)
{
	fault_server_stop(server);
	server = NULL;
}

static int client(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval five_s = {5, 0};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five_s, sizeof(five_s));
	return fd;
}

/* mov [rax], ecx with ecx = value, at BASE + off. */
static struct mmiod_fault_request store(unsigned off, uint32_t value)
{
	struct mmiod_fault_request r;

	memset(&r, 0, sizeof(r));
	r.magic = MMIOD_FAULT_MAGIC;
	r.version = MMIOD_FAULT_VERSION;
	r.mode = 64;
	r.dir = 0;
	r.gpa = BASE + off;
	r.size = 4;
	r.insn_len = 2;
	r.insn[0] = 0x89;
	r.insn[1] = 0x08;
	r.regs[MMIOD_RAX] = BASE + off;
	r.regs[MMIOD_RCX] = value;
	return r;
}

/* 1 when a whole reply came, 0 on EOF, -1 on error or timeout. */
static int read_reply(int fd, struct mmiod_fault_reply *reply)
{
	size_t got = 0;

	while (got < sizeof(*reply)) {
		ssize_t n = read(fd, (char *)reply + got, sizeof(*reply) - got);

		if (n <= 0)
			return n == 0 && got == 0 ? 0 : -1;
		got += (size_t)n;
	}
	return 1;
}

static void send_all(int fd, const void *buf, size_t len)
{
	ck_assert_int_eq(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

START_TEST(records_split_or_batched_are_answered_in_order)
{
	static struct mmiod_fault_request batch[4];
	struct mmiod_fault_reply reply;
	struct fault_stats st;
	const char *bytes = (const char *)batch;
	size_t whole = sizeof(batch), cut = 3 * sizeof(batch[0]) + 100;
	int fd;

	start(8, 30000, 0600);
	fd = client();
	for (unsigned i = 0; i < 4; i++)
		batch[i] = store(4 * i, 0x1000 + i);
	/* Three and a bit in one write, the rest in two more; the pauses
	 * let the server read each piece on its own. */
	send_all(fd, bytes, cut);
	usleep(50000);
	send_all(fd, bytes + cut, 7);
	usleep(50000);
	send_all(fd, bytes + cut + 7, whole - cut - 7);
	for (unsigned i = 0; i < 4; i++) {
		uint32_t v;

		ck_assert_int_eq(read_reply(fd, &reply), 1);
		ck_assert_msg(reply.status == MMIOD_FAULT_OK, "%s",
			      reply.error);
		ck_assert_uint_eq(reply.regs[MMIOD_RCX], 0x1000 + i);
		memcpy(&v, memory + 4 * i, 4);
		ck_assert_uint_eq(v, 0x1000 + i);
	}
	fault_server_stats(server, &st);
	ck_assert_uint_eq(st.faults, 4);
	ck_assert_uint_eq(st.accepted, 1);
	close(fd);
}
END_TEST

START_TEST(bad_records_are_answered_and_counted)
{
	struct mmiod_fault_request r = store(0, 1);
	struct mmiod_fault_reply reply;
	struct fault_stats st;
	int fd;

	start(8, 30000, 0600);
	fd = client();
	r.version = 99;
	send_all(fd, &r, sizeof(r));
	ck_assert_int_eq(read_reply(fd, &reply), 1);
	ck_assert_int_eq(reply.status, MMIOD_FAULT_BAD_RECORD);
	fault_server_stats(server, &st);
	ck_assert_uint_eq(st.bad_records, 1);
	ck_assert_uint_eq(atomic_load(&accesses), 0);
	close(fd);
}
END_TEST

START_TEST(connections_beyond_the_limit_are_closed)
{
	struct mmiod_fault_request r = store(0, 7);
	struct mmiod_fault_reply reply;
	struct fault_stats st;
	int a, b, c;

	start(2, 30000, 0600);
	a = client();
	b = client();
	/* Served before the third arrives, so the order is certain. */
	send_all(a, &r, sizeof(r));
	ck_assert_int_eq(read_reply(a, &reply), 1);
	send_all(b, &r, sizeof(r));
	ck_assert_int_eq(read_reply(b, &reply), 1);
	c = client();
	ck_assert_int_eq(read_reply(c, &reply), 0); /* closed at once */
	fault_server_stats(server, &st);
	ck_assert_uint_eq(st.accepted, 2);
	ck_assert_uint_eq(st.rejected, 1);
	/* The two it serves still are. */
	send_all(a, &r, sizeof(r));
	ck_assert_int_eq(read_reply(a, &reply), 1);
	ck_assert_int_eq(reply.status, MMIOD_FAULT_OK);
	close(a);
	close(b);
	close(c);
}
END_TEST

START_TEST(an_idle_client_is_dropped_a_busy_one_is_not)
{
	struct mmiod_fault_request r = store(0, 7);
	struct mmiod_fault_reply reply;
	struct fault_stats st;
	int idle, busy;

	/* Wide margins: a loaded machine may stall the test for a second. */
	start(8, 3000, 0600);
	idle = client();
	busy = client();
	for (int i = 0; i < 40; i++) {
		usleep(100000);
		send_all(busy, &r, sizeof(r));
		ck_assert_int_eq(read_reply(busy, &reply), 1);
	}
	ck_assert_int_eq(read_reply(idle, &reply), 0);
	fault_server_stats(server, &st);
	ck_assert_uint_eq(st.dropped, 1);
	close(idle);
	close(busy);
}
END_TEST

START_TEST(stop_closes_clients_and_removes_the_socket)
{
	struct mmiod_fault_request r = store(0, 7);
	struct mmiod_fault_reply reply;
	struct stat sb;
	int fd;

	start(8, 30000, 0600);
	fd = client();
	send_all(fd, &r, sizeof(r));
	ck_assert_int_eq(read_reply(fd, &reply), 1); /* it is a client */
	fault_server_stop(server);
	server = NULL;
	ck_assert_int_eq(read_reply(fd, &reply), 0);
	ck_assert_int_eq(lstat(path, &sb), -1);
	ck_assert_int_eq(errno, ENOENT);
	close(fd);
}
END_TEST

START_TEST(mode_is_exact_whatever_the_umask)
{
	struct fault_limits limits = FAULT_LIMITS_DEFAULT;
	mode_t old = umask(0);
	struct stat sb;

	start(8, 30000, 0660);
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0660);
	fault_server_stop(server);
	umask(077);
	start(8, 30000, 0660);
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0660);
	fault_server_stop(server);
	server = NULL;
	/* Anyone but owner and group: refused. */
	limits.mode = 0666;
	ck_assert_ptr_null(fault_server_start(path, &limits, &sink));
	umask(old);
}
END_TEST

START_TEST(only_a_socket_is_replaced)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct fault_limits limits = FAULT_LIMITS_DEFAULT;
	char target[108], err[256];
	int stale = socket(AF_UNIX, SOCK_STREAM, 0);
	struct stat sb;

	/* A socket nobody serves any more: replaced. */
	strcpy(sa.sun_path, path);
	ck_assert_int_eq(bind(stale, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(stale);
	ck_assert_int_eq(fault_socket_check(path, err, sizeof(err)), 0);
	start(8, 30000, 0600);
	fault_server_stop(server);
	server = NULL;

	/* A symlink to a file: refused, neither removed nor followed. */
	snprintf(target, sizeof(target), "%s",
		 write_temp_file("ram.img", "data"));
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(fault_socket_check(path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "a symbolic link, not a socket"));
	ck_assert_ptr_null(fault_server_start(path, &limits, &sink));
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert(S_ISLNK(sb.st_mode));
	ck_assert_int_eq(stat(target, &sb), 0);
	ck_assert_int_eq(sb.st_size, 4);
	unlink(path);
}
END_TEST

START_TEST(stop_leaves_a_file_that_replaced_the_socket)
{
	struct stat sb;

	start(8, 30000, 0600);
	ck_assert_int_eq(unlink(path), 0);
	write_temp_file("lib.sock", "not ours");
	fault_server_stop(server);
	server = NULL;
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert(S_ISREG(sb.st_mode));
	unlink(path);
}
END_TEST

static Suite *fault_server_suite(void)
{
	Suite *s = suite_create("fault-server");
	TCase *tc = tcase_create("library");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, records_split_or_batched_are_answered_in_order);
	tcase_add_test(tc, bad_records_are_answered_and_counted);
	tcase_add_test(tc, connections_beyond_the_limit_are_closed);
	tcase_add_test(tc, an_idle_client_is_dropped_a_busy_one_is_not);
	tcase_add_test(tc, stop_closes_clients_and_removes_the_socket);
	tcase_add_test(tc, mode_is_exact_whatever_the_umask);
	tcase_add_test(tc, only_a_socket_is_replaced);
	tcase_add_test(tc, stop_leaves_a_file_that_replaced_the_socket);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(fault_server_suite());
}
