/* SPDX-License-Identifier: BSD-2-Clause */
/* fault_server.c - the fault socket's thread: accept clients within the
 * limits, move bytes without blocking, drop idle clients, stop on demand. */
#include "fault.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "conn.h"
#include "decode/decode.h"
#include "socket_file.h"

/* Connections taken per wake-up, so a flood of them can't starve the
 * clients already served. */
#define ACCEPTS_PER_ROUND 16

struct fault_server {
	struct fault_limits limits;
	struct fault_sink sink;
	struct decoder *decoder;
	struct socket_file file;
	int listen_fd;
	int stop_fd;
	pthread_t thread;
	bool running;
	struct fault_conn *conns; /* limits.max_clients of them */
	unsigned nconns;
	struct pollfd *pfd; /* stop, listen, then one per conn */
	_Atomic uint64_t faults, bad_records, accepted, rejected, dropped;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sends what is queued until the client's socket is full. -1: drop. */
static int flush_replies(struct fault_conn *c)
{
	const void *buf;
	size_t len;

	while ((buf = fault_conn_out(c, &len))) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->active_ms = now_ms();
		fault_conn_sent(c, (size_t)n);
	}
	return 0;
}

/* Answers at most a queue's worth of records per wake-up, so one busy
 * client can't keep the others waiting. -1: drop. */
static int take_records(struct fault_server *fs, struct fault_conn *c)
{
	for (unsigned records = 0; records < fs->limits.max_queued;) {
		size_t room;
		void *buf = fault_conn_in(c, &room);
		ssize_t n;
		int status;

		if (!room || c->eof)
			return 0;
		n = read(c->fd, buf, room);
		if (n == 0) {
			c->eof = true;
			return 0;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->active_ms = now_ms();
		status = fault_conn_received(c, (size_t)n, fs->decoder,
					     &fs->sink);
		if (status < 0)
			continue;
		records++;
		atomic_fetch_add(&fs->faults, 1);
		if (status == MMIOD_FAULT_BAD_RECORD)
			atomic_fetch_add(&fs->bad_records, 1);
		if (flush_replies(c))
			return -1;
	}
	return 0;
}

enum verdict { KEEP, CLOSE, DROP };

static enum verdict serve_conn(struct fault_server *fs, struct fault_conn *c,
			       short revents)
{
	if (revents & (POLLERR | POLLNVAL))
		return DROP;
	if (take_records(fs, c) || flush_replies(c))
		return DROP;
	/* A client that sent its last record gets its replies first. */
	if (c->eof && !c->queued)
		return CLOSE;
	return KEEP;
}

static void remove_conn(struct fault_server *fs, unsigned i, enum verdict v)
{
	if (v == DROP)
		atomic_fetch_add(&fs->dropped, 1);
	close(fs->conns[i].fd);
	fault_conn_free(&fs->conns[i]);
	fs->conns[i] = fs->conns[--fs->nconns];
}

static void refuse(struct fault_server *fs, int fd)
{
	atomic_fetch_add(&fs->rejected, 1);
	log_guest("fault socket: %u clients already (or out of memory), "
		  "connection refused",
		  fs->nconns);
	close(fd);
}

static void accept_clients(struct fault_server *fs)
{
	for (int i = 0; i < ACCEPTS_PER_ROUND; i++) {
		int fd = accept4(fs->listen_fd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct fault_conn *c;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_guest("fault socket: accept: %s",
					  strerror(errno));
			return;
		}
		if (fs->nconns == fs->limits.max_clients) {
			refuse(fs, fd);
			continue;
		}
		c = &fs->conns[fs->nconns];
		if (fault_conn_init(c, fd, fs->limits.max_queued)) {
			fault_conn_free(c);
			refuse(fs, fd);
			continue;
		}
		c->active_ms = now_ms();
		fs->nconns++;
		atomic_fetch_add(&fs->accepted, 1);
	}
}

/* Drops clients idle for the timeout; returns the poll timeout until the
 * next one would be (-1: none). */
static int drop_idle(struct fault_server *fs)
{
	uint64_t now = now_ms(), limit = fs->limits.idle_timeout_ms;
	uint64_t next = UINT64_MAX;

	if (!limit)
		return -1;
	for (unsigned i = fs->nconns; i-- > 0;) {
		uint64_t idle = now - fs->conns[i].active_ms;

		if (idle >= limit) {
			log_guest("fault socket: a client idle for %llu ms "
				  "is dropped",
				  (unsigned long long)idle);
			remove_conn(fs, i, DROP);
		} else if (limit - idle < next) {
			next = limit - idle;
		}
	}
	if (next == UINT64_MAX)
		return -1;
	return next > INT32_MAX ? INT32_MAX : (int)next;
}

static unsigned fill_pollfds(struct fault_server *fs)
{
	fs->pfd[0] = (struct pollfd){fs->stop_fd, POLLIN, 0};
	fs->pfd[1] = (struct pollfd){fs->listen_fd, POLLIN, 0};
	for (unsigned i = 0; i < fs->nconns; i++) {
		struct fault_conn *c = &fs->conns[i];
		size_t room, len;
		short events = 0;

		fault_conn_in(c, &room);
		if (room && !c->eof)
			events |= POLLIN;
		if (fault_conn_out(c, &len))
			events |= POLLOUT;
		fs->pfd[2 + i] = (struct pollfd){c->fd, events, 0};
	}
	return 2 + fs->nconns;
}

static void *serve(void *arg)
{
	struct fault_server *fs = arg;

	for (;;) {
		int timeout = drop_idle(fs);
		unsigned n = fill_pollfds(fs);

		if (poll(fs->pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_error("fault socket: poll: %s", strerror(errno));
			break;
		}
		if (fs->pfd[0].revents)
			break;
		/* Backwards: remove_conn() moves the last conn, already
		 * served, into the hole. */
		for (unsigned i = fs->nconns; i-- > 0;) {
			enum verdict v;

			if (!fs->pfd[2 + i].revents)
				continue;
			v = serve_conn(fs, &fs->conns[i],
				       fs->pfd[2 + i].revents);
			if (v != KEEP)
				remove_conn(fs, i, v);
		}
		if (fs->pfd[1].revents & POLLIN)
			accept_clients(fs);
	}
	while (fs->nconns)
		remove_conn(fs, fs->nconns - 1, CLOSE);
	return NULL;
}

static int set_up(struct fault_server *fs, const char *path)
{
	unsigned max = fs->limits.max_clients;

	/* Only this thread decodes, and Capstone's lazy tables are filled
	 * here, before it starts. A daemon without a fault socket never
	 * touches Capstone's megabytes of tables. */
	if (decode_global_init()) {
		log_error("fault_socket %s: cannot initialise Capstone", path);
		return -1;
	}
	fs->decoder = decoder_create();
	fs->conns = calloc(max, sizeof(*fs->conns));
	fs->pfd = calloc(2 + max, sizeof(*fs->pfd));
	fs->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (!fs->decoder || !fs->conns || !fs->pfd || fs->stop_fd < 0) {
		log_error("fault_socket %s: cannot set up: %s", path,
			  strerror(errno));
		return -1;
	}
	fs->listen_fd =
		socket_file_listen(&fs->file, path, fs->limits.mode, (int)max);
	if (fs->listen_fd < 0)
		return -1;
	if (pthread_create(&fs->thread, NULL, serve, fs)) {
		log_error("fault_socket %s: cannot start its thread", path);
		return -1;
	}
	fs->running = true;
	return 0;
}

struct fault_server *fault_server_start(const char *path,
					const struct fault_limits *limits,
					const struct fault_sink *sink)
{
	struct fault_server *fs = calloc(1, sizeof(*fs));

	if (!fs) {
		log_error("out of memory");
		return NULL;
	}
	fs->limits = *limits;
	fs->sink = *sink;
	fs->listen_fd = fs->stop_fd = -1;
	if (!fs->limits.max_clients || set_up(fs, path)) {
		if (!fs->limits.max_clients)
			log_error("fault_socket %s: no client allowed", path);
		fault_server_stop(fs);
		return NULL;
	}
	log_info("raw faults accepted at %s (mode %04o, at most %u clients)",
		 path, (unsigned)limits->mode, limits->max_clients);
	return fs;
}

void fault_server_stop(struct fault_server *fs)
{
	uint64_t one = 1;

	if (!fs)
		return;
	/* Adding 1 to a fresh eventfd can't fail (only an overflow of its
	 * 64-bit counter could), so the join can't wait forever. */
	if (fs->running && write(fs->stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(fs->thread, NULL);
	if (fs->listen_fd >= 0)
		close(fs->listen_fd);
	socket_file_remove(&fs->file);
	if (fs->stop_fd >= 0)
		close(fs->stop_fd);
	decoder_destroy(fs->decoder);
	free(fs->conns);
	free(fs->pfd);
	free(fs);
}

void fault_server_stats(const struct fault_server *fs, struct fault_stats *out)
{
	out->faults = atomic_load(&fs->faults);
	out->bad_records = atomic_load(&fs->bad_records);
	out->accepted = atomic_load(&fs->accepted);
	out->rejected = atomic_load(&fs->rejected);
	out->dropped = atomic_load(&fs->dropped);
}

void fault_server_print_stats(const struct fault_server *fs, FILE *out)
{
	struct fault_stats st;

	fault_server_stats(fs, &st);
	fprintf(out,
		"faults %llu bad_records %llu clients %llu rejected %llu "
		"dropped %llu\n",
		(unsigned long long)st.faults,
		(unsigned long long)st.bad_records,
		(unsigned long long)st.accepted,
		(unsigned long long)st.rejected,
		(unsigned long long)st.dropped);
}
