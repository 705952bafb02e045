/* SPDX-License-Identifier: BSD-2-Clause */
/* control.h - the control socket, DIR/GUEST.ctl: how mmiod --stats asks
 * the daemon serving GUEST for its counters without signalling a pid.
 *
 * The daemon listens (mode 0600: root and the daemon's user) and answers
 * from its main loop; a request is one line ("stats"), the answer the
 * counters, then the daemon closes the connection. The socket is only
 * reachable through the state dir, so it can't reach another process.
 */
#ifndef MMIOD_CONTROL_H
#define MMIOD_CONTROL_H

#include <stdio.h>

#include "server.h"

/* The listening fd (non-blocking), or -1 (logged). */
int control_listen(const char *path);
/* Serves one pending connection on listen_fd, if any. Never blocks for
 * more than a short bounded time, whatever the peer does. */
void control_answer(int listen_fd, struct server *s);
/* Client side: sends request to the daemon at path and copies the answer
 * to out. 0, or -1 with errno (ENOENT, ECONNREFUSED: no daemon there). */
int control_request(const char *path, const char *request, FILE *out);

#endif
