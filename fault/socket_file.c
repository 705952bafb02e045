/* SPDX-License-Identifier: BSD-2-Clause */
/* socket_file.c - make, check and remove the fault socket's file. */
#include "socket_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "fault.h"

static const char *file_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISFIFO(mode))
		return "a FIFO";
	return "a device node";
}

int fault_socket_check(const char *path, char *err, size_t errlen)
{
	struct stat st;

	/* lstat: a symlink is refused, not followed to what it names. */
	if (lstat(path, &st) == 0) {
		if (S_ISSOCK(st.st_mode))
			return 0;
		snprintf(err, errlen,
			 "%s is %s, not a socket: refusing to replace it "
			 "(remove it, or name a path that is free or a socket)",
			 path, file_kind(st.st_mode));
		return -1;
	}
	if (errno == ENOENT)
		return 0;
	snprintf(err, errlen, "cannot check %s: %s", path, strerror(errno));
	return -1;
}

/* Only a socket is removed; fault_socket_check() refused anything else. */
static int remove_stale(const char *path)
{
	char err[256];

	if (fault_socket_check(path, err, sizeof(err))) {
		log_error("fault_socket: %s", err);
		return -1;
	}
	if (unlink(path) && errno != ENOENT) {
		log_error("fault_socket: cannot remove the stale socket %s: %s",
			  path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The file bind() makes gets the socket's mode minus the umask, so the
 * umask decides it: set it to exactly what mode leaves out. The umask is
 * the process's; a file another thread creates meanwhile gets at most
 * this stricter mask. */
static int bind_with_mode(int fd, const struct sockaddr_un *sa, mode_t mode)
{
	mode_t old = umask(~mode & 0777);
	int rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));

	umask(old);
	return rc;
}

int socket_file_listen(struct socket_file *sf, const char *path, mode_t mode,
		       int backlog)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	memset(sf, 0, sizeof(*sf));
	if (mode != 0600 && mode != 0660) {
		log_error("fault_socket %s: mode %04o is neither 0600 nor 0660",
			  path, (unsigned)mode);
		return -1;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_error("fault_socket %s: longer than %zu bytes", path,
			  sizeof(sa.sun_path) - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (remove_stale(path))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind_with_mode(fd, &sa, mode)) {
		log_error("fault_socket %s: cannot bind: %s", path,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (lstat(path, &st) || listen(fd, backlog) ||
	    !(sf->path = strdup(path))) {
		log_error("fault_socket %s: cannot listen: %s", path,
			  strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	sf->dev = st.st_dev;
	sf->ino = st.st_ino;
	return fd;
}

void socket_file_remove(struct socket_file *sf)
{
	struct stat st;

	if (sf->path && lstat(sf->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == sf->dev && st.st_ino == sf->ino)
		unlink(sf->path);
	free(sf->path);
	sf->path = NULL;
}
