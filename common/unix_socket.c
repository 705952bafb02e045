/* SPDX-License-Identifier: BSD-2-Clause */
/* unix_socket.c - listening Unix sockets that replace only stale sockets. */
#include "unix_socket.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int unix_socket_check(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = ENOTSOCK;
		return -1;
	}
	return 0;
}

void unix_socket_remove(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
}

int unix_socket_listen(const char *path, mode_t mode, int flags, int backlog)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old_umask;
	int fd, rc, err;

	if (unix_socket_check(path))
		return -1;
	/* Between the check and the unlink something else could appear;
	 * bind() below fails with EADDRINUSE rather than replace it. */
	unix_socket_remove(path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | flags, 0);
	if (fd < 0)
		return -1;
	/* bind() creates the file with the umask applied; set it so that
	 * the socket never exists with a wider mode than asked for. */
	old_umask = umask(~mode & 0777);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	err = errno;
	umask(old_umask);
	if (rc == 0 && listen(fd, backlog) == 0)
		return fd;
	err = rc ? err : errno;
	close(fd);
	errno = err;
	return -1;
}

const char *unix_socket_strerror(char *buf, size_t len, const char *path,
				 int err)
{
	if (err == ENOTSOCK)
		snprintf(
			buf, len,
			"'%s' exists and is not a socket; refusing to replace it (remove it or choose another path)",
			path);
	else if (err == ENAMETOOLONG)
		snprintf(buf, len,
			 "'%s' is too long for a socket (at most %zu bytes)",
			 path, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
	else
		snprintf(buf, len, "cannot listen on '%s': %s", path,
			 strerror(err));
	return buf;
}
