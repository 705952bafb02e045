/* SPDX-License-Identifier: BSD-2-Clause */
/* notify.c - sd_notify(3)'s protocol, our own: a datagram to the Unix
 * socket $NOTIFY_SOCKET names. Linking libsystemd for it made every
 * daemon resident in 1 MiB more (bench/bench_startup). */
#include "notify.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/parse.h"

/* The socket's address from $NOTIFY_SOCKET: a path, or "@name" for an
 * abstract socket. Its length, or 0 when unset or unusable. */
static socklen_t notify_address(struct sockaddr_un *sa)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t len;

	if (!path || (path[0] != '/' && path[0] != '@'))
		return 0;
	len = strlen(path);
	if (len < 2 || len >= sizeof(sa->sun_path))
		return 0;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, len);
	if (path[0] == '@')
		sa->sun_path[0] = '\0';
	/* An abstract name is exactly its bytes; a path has its NUL. */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
			   (path[0] == '/'));
}

int notify(const char *fmt, ...)
{
	struct sockaddr_un sa;
	socklen_t salen = notify_address(&sa);
	char text[512];
	struct iovec iov = {text, 0};
	struct msghdr msg = {.msg_name = &sa,
			     .msg_namelen = salen,
			     .msg_iov = &iov,
			     .msg_iovlen = 1};
	va_list ap;
	int fd, n;

	if (!salen)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -1;
	iov.iov_len = (size_t)n;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	n = sendmsg(fd, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
	close(fd);
	return n;
}

bool notify_watchdog(uint64_t *usec)
{
	const char *us = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	uint64_t v, p;

	if (!us || parse_u64(us, &v) || v == 0)
		return false;
	if (pid && (parse_u64(pid, &p) || p != (uint64_t)getpid()))
		return false;
	*usec = v;
	return true;
}
