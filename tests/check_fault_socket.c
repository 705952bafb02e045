/* check_fault_socket.c - raw faults from a separate process: this test
 * runs mmiod --sim with a fault_socket and a ram region, sends faults over
 * the socket and checks every answer. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmiod-fault.h"
#include "testutil.h"

#define RAM 0xfe100000ull

static pid_t daemon_pid;
static int sock = -1;

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

static void expect_ready(int fd)
{
	char msg[256];
	ssize_t n = recv(fd, msg, sizeof(msg) - 1, 0);

	ck_assert_msg(n > 0, "mmiod never sent READY=1");
	msg[n] = '\0';
	ck_assert_ptr_nonnull(strstr(msg, "READY=1"));
	close(fd);
}

static void start_daemon(void)
{
	const char *builddir = getenv("top_builddir");
	char mmiod[512], cfg_text[512], path[108], cfg[256], script[256];
	char notify_path[108];
	int notify;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	/* temp_path() reuses one buffer: keep copies. */
	snprintf(path, sizeof(path), "%s", temp_path("faults.sock"));
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
	unlink(path);
	notify = notify_socket(notify_path);
	daemon_pid = fork();
	ck_assert_int_ge(daemon_pid, 0);
	if (daemon_pid == 0) {
		setenv("NOTIFY_SOCKET", notify_path, 1);
		execl(mmiod, mmiod, "--sim", script, cfg, (char *)NULL);
		_exit(127);
	}
	/* READY=1 comes after the seccomp filter is in place: this proves
	 * the filter lets sd_notify through. */
	expect_ready(notify);
	strcpy(sa.sun_path, path);
	for (int i = 0; i < 100; i++) {
		sock = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return;
		close(sock);
		sock = -1;
		usleep(50000);
	}
	ck_abort_msg("mmiod never opened %s", path);
}

static void stop_daemon(void)
{
	int status;

	if (sock >= 0)
		close(sock);
	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, &status, 0);
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

static struct mmiod_fault_reply send_fault(const struct mmiod_fault_request *r)
{
	static struct mmiod_fault_reply reply;
	size_t got = 0;

	ck_assert_int_eq(write(sock, r, sizeof(*r)), sizeof(*r));
	while (got < sizeof(reply)) {
		ssize_t n =
			read(sock, (char *)&reply + got, sizeof(reply) - got);

		ck_assert_int_gt(n, 0);
		got += (size_t)n;
	}
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

static Suite *fault_suite(void)
{
	Suite *s = suite_create("fault-socket");
	TCase *tc = tcase_create("socket");

	tcase_add_checked_fixture(tc, start_daemon, stop_daemon);
	tcase_add_test(tc, write_then_read_through_the_device);
	tcase_add_test(tc, sign_extending_read_and_rmw);
	tcase_add_test(tc, rep_stos_and_movs_with_data);
	tcase_add_test(tc, movs_with_less_source_data_serves_what_it_has);
	tcase_add_test(tc, movs_without_any_source_data_changes_nothing);
	tcase_add_test(tc, errors_are_answered_not_fatal);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(fault_suite());
}
