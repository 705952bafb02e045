/* SPDX-License-Identifier: BSD-2-Clause */
/* fault.h - the raw-fault socket of include/mmiod-fault.h as a library.
 *
 * A fault server listens on a Unix socket, decodes each fault record with
 * decode/, performs its accesses through a sink the caller provides and
 * answers with the registers after the instruction. It knows nothing of
 * where accesses go: the daemon wires the sink to its devices.
 *
 * One thread serves every client with non-blocking I/O, so no client can
 * hold up another: each has its own input record and a bounded queue of
 * replies; a client whose replies aren't read is read no more until they
 * are, a client that neither sends nor takes a reply for idle_timeout_ms
 * is dropped, and connections beyond max_clients are closed at once.
 *
 * Threads: fault_server_start() and fault_server_stop() are called by one
 * thread; fault_server_stats() may be called from any thread. The sink is
 * called from the server's thread only.
 */
#ifndef MMIOD_FAULT_FAULT_H
#define MMIOD_FAULT_FAULT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/access.h"

struct decoder;
struct mmiod_fault_request;
struct mmiod_fault_reply;

/* Where a fault's accesses go. serve() gets one access (count 1, never
 * data_is_ptr): a write's value in a->data, or a read whose value it
 * leaves in a->data. 0, or -1 to refuse it (the fault is answered
 * DEVICE_ERROR). */
struct fault_sink {
	int (*serve)(void *ctx, struct mmio_access *a);
	void *ctx;
};

struct fault_limits {
	unsigned max_clients;	  /* served at once; more are closed */
	unsigned max_queued;	  /* replies a client may leave unread */
	unsigned idle_timeout_ms; /* no byte either way: dropped */
	mode_t mode;		  /* of the socket file: 0600 or 0660 */
};

#define FAULT_LIMITS_DEFAULT       \
	{                          \
		8, 16, 30000, 0600 \
	}

/* Since the server started. */
struct fault_stats {
	uint64_t faults;      /* records answered */
	uint64_t bad_records; /* answered BAD_RECORD */
	uint64_t accepted;    /* connections served */
	uint64_t rejected;    /* connections closed over max_clients */
	uint64_t dropped;     /* clients dropped: idle, or I/O error */
};

struct fault_server;

/* Whether path may become the socket: nothing there, or a socket (a stale
 * one, replaced at start). Anything else is never removed. 0, or -1 with
 * the reason in err. */
int fault_socket_check(const char *path, char *err, size_t errlen);

/* Listens at path with limits and serves from a thread of its own. The
 * sink is copied. NULL with the reason logged. */
struct fault_server *fault_server_start(const char *path,
					const struct fault_limits *limits,
					const struct fault_sink *sink);
/* Stops and joins the thread, closes every client and removes the socket
 * file (if it is still the one it made); after it returns the sink is
 * never called again. NULL is fine. */
void fault_server_stop(struct fault_server *fs);
void fault_server_stats(const struct fault_server *fs, struct fault_stats *out);
/* The counters as one line of mmiod's stats: "faults N bad_records N
 * clients N rejected N dropped N". */
void fault_server_print_stats(const struct fault_server *fs, FILE *out);

/* Answers one record: validates it, emulates it through sink, fills
 * reply. Never fails: every problem is a status in the reply. A decoder
 * belongs to one thread (decode.h). */
void fault_answer(struct decoder *decoder, const struct fault_sink *sink,
		  const struct mmiod_fault_request *req,
		  struct mmiod_fault_reply *reply);

#endif
