/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_fixture.c - start and stop the mmiod that the libmmiod-trap tests
 * map their windows from. */
#include "trap_fixture.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

void trap_fixture_pid_namespace(char **argv)
{
	char *args[64] = {"unshare", "--pid", "--fork", "--mount-proc"};
	int n = 4;

	if (getenv("MMIOD_TEST_PIDNS"))
		return;
	setenv("MMIOD_TEST_PIDNS", "1", 1);
	for (int i = 0; argv[i] && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	execvp(args[0], args);
	perror("unshare");
	exit(99); /* a hard error for automake's test driver */
}

/* A datagram socket standing in for systemd's notify socket. */
static int notify_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval ten_s = {10, 0};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &ten_s, sizeof(ten_s));
	return fd;
}

static void wait_ready(int fd)
{
	char msg[256];
	ssize_t n;

	do {
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		ck_assert_msg(n > 0, "mmiod sent no READY=1 within 10 s");
		msg[n] = '\0';
	} while (!strstr(msg, "READY=1"));
	close(fd);
}

static uint8_t *map_file(const char *path, size_t size)
{
	int fd = open(path, O_RDWR);
	void *p;

	ck_assert_int_ge(fd, 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

void trap_fixture_start(struct trap_fixture *f, uint64_t gpa, size_t ram_size,
			const char *extra)
{
	const char *builddir = getenv("top_builddir");
	char mmiod[512], cfg_text[1024], ram[256], cfg[256], script[256];
	char notify[108];
	int fd;

	snprintf(f->socket, sizeof(f->socket), "%s", temp_path("trap.sock"));
	snprintf(notify, sizeof(notify), "%s", temp_path("trap.notify"));
	snprintf(ram, sizeof(ram), "%s", temp_path("trap.ram"));
	snprintf(mmiod, sizeof(mmiod), "%s/mmiod", builddir ? builddir : ".");
	snprintf(cfg_text, sizeof(cfg_text),
		 "fault_socket = \"%s\"\n"
		 "mmio = [ \"base=0x%llx,size=%zu,type=ram,file=%s\"%s%s ]\n",
		 f->socket, (unsigned long long)gpa, ram_size, ram,
		 extra ? ", " : "", extra ? extra : "");
	snprintf(cfg, sizeof(cfg), "%s", write_temp_file("trap.cfg", cfg_text));
	snprintf(script, sizeof(script), "%s",
		 write_temp_file("trap.sim", "vcpus 1\nsleep 600000\n"));
	unlink(ram);
	fd = notify_socket(notify);
	f->pid = fork();
	ck_assert_int_ge(f->pid, 0);
	if (f->pid == 0) {
		setenv("NOTIFY_SOCKET", notify, 1);
		execl(mmiod, mmiod, "--sim", script, "--log-level", "warn", cfg,
		      (char *)NULL);
		_exit(127);
	}
	wait_ready(fd);
	f->ram_size = ram_size;
	f->ram = map_file(ram, ram_size);
}

void trap_fixture_stop(struct trap_fixture *f)
{
	int status;

	if (f->pid <= 0)
		return;
	kill(f->pid, SIGTERM);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(f->pid, &status, WNOHANG) == f->pid) {
			f->pid = 0;
			break;
		}
		usleep(10000);
	}
	if (f->pid > 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, &status, 0);
		f->pid = 0;
	}
	munmap(f->ram, f->ram_size);
}
