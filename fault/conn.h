/* SPDX-License-Identifier: BSD-2-Clause */
/* conn.h - one fault-socket client's byte streams, private to fault/ (and
 * its fuzzer): the request being received and the replies not yet sent.
 * No I/O here, so any split of the bytes can be fed to it.
 */
#ifndef MMIOD_FAULT_CONN_H
#define MMIOD_FAULT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fault.h"
#include "mmiod-fault.h"

struct fault_conn {
	int fd;
	uint64_t active_ms; /* when a byte last went either way */
	bool eof;	    /* the client sends no more */
	size_t have;	    /* bytes of req received */
	struct mmiod_fault_request req;
	struct mmiod_fault_reply *replies; /* a ring of cap */
	unsigned cap, first, queued;
	size_t sent; /* bytes of replies[first] already sent */
};

/* 0, or -1 out of memory. */
int fault_conn_init(struct fault_conn *c, int fd, unsigned max_queued);
void fault_conn_free(struct fault_conn *c);
/* Where the next received bytes go and how many may come; *room is 0
 * while max_queued replies wait to be sent: the client is read no more
 * until it takes them. */
void *fault_conn_in(struct fault_conn *c, size_t *room);
/* n bytes landed at fault_conn_in(). When they complete a record it is
 * answered, its reply queued and its status returned; otherwise -1. */
int fault_conn_received(struct fault_conn *c, size_t n, struct decoder *decoder,
			const struct fault_sink *sink);
/* The bytes waiting to be sent; NULL when none. */
const void *fault_conn_out(const struct fault_conn *c, size_t *len);
void fault_conn_sent(struct fault_conn *c, size_t n);

#endif
