/* SPDX-License-Identifier: BSD-2-Clause */
/* unix_socket.h - listening AF_UNIX sockets at a path in the file system,
 * without ever removing something at that path that isn't a socket.
 *
 * A path that names an admin's file by mistake (or by malice) must not
 * cost the file: only a stale socket is replaced.
 */
#ifndef MMIOD_UNIX_SOCKET_H
#define MMIOD_UNIX_SOCKET_H

#include <sys/types.h>

/* 0 if path is free or holds a socket (which unix_socket_listen() would
 * replace); -1 and errno otherwise: ENOTSOCK when something else (file,
 * directory, symlink, FIFO) is there, ENAMETOOLONG when path doesn't fit
 * a socket address, or lstat's error. */
int unix_socket_check(const char *path);
/* Listens on path with file mode mode (umask doesn't apply), replacing a
 * stale socket only. flags are socket()'s SOCK_NONBLOCK/SOCK_CLOEXEC.
 * The fd, or -1 and errno (see unix_socket_check()). Changes the process
 * umask for the duration of bind(): call it while no other thread
 * creates files. */
int unix_socket_listen(const char *path, mode_t mode, int flags, int backlog);
/* Removes path if it is still a socket; anything else stays. */
void unix_socket_remove(const char *path);
/* A message for unix_socket_listen()'s errno about path, in buf. */
const char *unix_socket_strerror(char *buf, size_t len, const char *path,
				 int err);

#endif
