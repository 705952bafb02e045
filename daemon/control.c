/* SPDX-License-Identifier: BSD-2-Clause */
/* control.c - the control socket: requests from mmiod --stats. */
#include "control.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "common/unix_socket.h"

/* How long the main loop waits for a connected peer's request line, and
 * how long --stats waits for the answer. */
#define CONTROL_REQUEST_MS 200
#define CONTROL_ANSWER_MS 3000

int control_listen(const char *path)
{
	char msg[512];
	int fd =
		unix_socket_listen(path, 0600, SOCK_NONBLOCK | SOCK_CLOEXEC, 4);

	if (fd < 0)
		log_error("control socket: %s",
			  unix_socket_strerror(msg, sizeof(msg), path, errno));
	return fd;
}

/* Reads the request line. A client writes it in one go right after
 * connecting, so one bounded wait and one read get it whole; a peer that
 * sends nothing in time, or dribbles, gets no answer and can hold the
 * main loop for CONTROL_REQUEST_MS at most. */
static int read_request(int fd, char *buf, size_t len)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t n;

	if (poll(&pfd, 1, CONTROL_REQUEST_MS) <= 0)
		return -1;
	n = read(fd, buf, len - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strchr(buf, '\n') ? 0 : -1;
}

/* The answer is a few hundred bytes, well within a socket buffer: one
 * non-blocking write, and a peer that doesn't read loses it. */
static void send_answer(int fd, const char *text, size_t len)
{
	if (write(fd, text, len) != (ssize_t)len)
		log_guest("control socket: answer not sent: %s",
			  strerror(errno));
}

void control_answer(int listen_fd, struct server *s)
{
	char req[64], *text = NULL;
	size_t len = 0;
	FILE *out;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (read_request(fd, req, sizeof(req))) {
		log_guest("control socket: no request line in time");
	} else if (strcmp(req, "stats\n") == 0) {
		out = open_memstream(&text, &len);
		if (out) {
			server_print_stats(s, out);
			fclose(out);
			send_answer(fd, text, len);
		}
		free(text);
	} else {
		static const char unknown[] =
			"error: unknown request (valid: stats)\n";

		send_answer(fd, unknown, sizeof(unknown) - 1);
	}
	close(fd);
}

int control_request(const char *path, const char *request, FILE *out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[4096];
	int fd, err, rc = -1;
	ssize_t n;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, request, strlen(request)) != (ssize_t)strlen(request))
		goto out;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};

		if (poll(&pfd, 1, CONTROL_ANSWER_MS) <= 0) {
			errno = ETIMEDOUT;
			goto out;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		fwrite(buf, 1, (size_t)n, out);
	}
	rc = 0;
out:
	err = errno; /* close() must not hide why the request failed */
	close(fd);
	errno = err;
	return rc;
}
