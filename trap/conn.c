/* SPDX-License-Identifier: BSD-2-Clause */
/* conn.c - the connections to an mmiod's fault socket: a small pool that a
 * SIGSEGV handler on any thread takes from without a lock, and the
 * exchange of one fault record for one reply. */
#include <errno.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "trap_internal.h"

/* socket() and connect() are async-signal-safe (POSIX.1-2008 2.4.3). */
int trap_conn_connect(const struct trap_server *server, struct trap_conn *c)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&server->addr,
		    sizeof(server->addr))) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	c->fd = fd;
	return 0;
}

struct trap_conn *trap_conn_acquire(const struct trap_server *server)
{
	/* The pool belongs to the server, which outlives every fault in
	 * its windows; only busy is shared between handlers. */
	struct trap_conn *conns = (struct trap_conn *)server->conns;

	for (;;) {
		for (int i = 0; i < TRAP_CONNS; i++) {
			int idle = 0;

			if (!atomic_compare_exchange_strong(&conns[i].busy,
							    &idle, 1))
				continue;
			if (conns[i].fd < 0 &&
			    trap_conn_connect(server, &conns[i])) {
				trap_conn_release(&conns[i]);
				return NULL;
			}
			return &conns[i];
		}
		sched_yield();
	}
}

void trap_conn_release(struct trap_conn *c)
{
	atomic_store(&c->busy, 0);
}

static int transfer(int fd, void *buf, size_t len, bool out)
{
	for (size_t done = 0; done < len;) {
		/* MSG_NOSIGNAL: an mmiod that went away is an error to
		 * report, not a SIGPIPE. */
		ssize_t n = out ? send(fd, (char *)buf + done, len - done,
				       MSG_NOSIGNAL)
				: read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

int trap_conn_exchange(struct trap_conn *c)
{
	if (transfer(c->fd, &c->req, sizeof(c->req), true) == 0 &&
	    transfer(c->fd, &c->reply, sizeof(c->reply), false) == 0)
		return 0;
	close(c->fd);
	c->fd = -1;
	return -1;
}
