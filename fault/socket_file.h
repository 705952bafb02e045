/* SPDX-License-Identifier: BSD-2-Clause */
/* socket_file.h - the fault socket's file, private to fault/: made with
 * an exact mode, replacing only a stale socket, removed only if ours. */
#ifndef MMIOD_FAULT_SOCKET_FILE_H
#define MMIOD_FAULT_SOCKET_FILE_H

#include <sys/types.h>

struct socket_file {
	char *path;
	dev_t dev; /* of the file bind() made, to know it at removal */
	ino_t ino;
};

/* Binds a non-blocking listening socket at path with mode (0600 or
 * 0660). The fd, or -1 with the reason logged. */
int socket_file_listen(struct socket_file *sf, const char *path, mode_t mode,
		       int backlog);
/* Removes the file if it is still the socket socket_file_listen() made;
 * frees sf's path. Safe on a zeroed sf. */
void socket_file_remove(struct socket_file *sf);

#endif
