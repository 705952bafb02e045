/* SPDX-License-Identifier: BSD-2-Clause */
/* spawn.c - start an mmiod --sim for a benchmark and wait for its
 * READY=1, received over a NOTIFY_SOCKET of our own exactly as systemd
 * would receive it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench.h"

pid_t bench_spawn_mmiod(const char *mmiod, const char *script, const char *cfg,
			const char *notify)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char msg[256] = "";
	pid_t pid;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", notify);
	unlink(notify);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	fflush(stdout); /* or the child's freopen() writes it again */
	pid = fork();
	if (pid == 0) {
		setenv("NOTIFY_SOCKET", notify, 1);
		if (!freopen("/dev/null", "w", stdout) ||
		    !freopen("/dev/null", "w", stderr))
			_exit(127);
		execl(mmiod, mmiod, "--sim", script, cfg, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && !strstr(msg, "READY=1")) {
		ssize_t n = recv(fd, msg, sizeof(msg) - 1, 0);

		if (n <= 0) {
			pid = -1;
			break;
		}
		msg[n] = '\0';
	}
	close(fd);
	return pid;
}
