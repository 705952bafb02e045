/* SPDX-License-Identifier: BSD-2-Clause */
/* conn.c - one fault-socket client's request buffer and reply queue. */
#include "conn.h"

#include <stdlib.h>
#include <string.h>

int fault_conn_init(struct fault_conn *c, int fd, unsigned max_queued)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->cap = max_queued ? max_queued : 1;
	c->replies = calloc(c->cap, sizeof(*c->replies));
	return c->replies ? 0 : -1;
}

void fault_conn_free(struct fault_conn *c)
{
	free(c->replies);
	c->replies = NULL;
}

void *fault_conn_in(struct fault_conn *c, size_t *room)
{
	*room = c->queued < c->cap ? sizeof(c->req) - c->have : 0;
	return (char *)&c->req + c->have;
}

int fault_conn_received(struct fault_conn *c, size_t n, struct decoder *decoder,
			const struct fault_sink *sink)
{
	struct mmiod_fault_reply *reply;

	c->have += n;
	if (c->have < sizeof(c->req))
		return -1;
	c->have = 0;
	reply = &c->replies[(c->first + c->queued++) % c->cap];
	fault_answer(decoder, sink, &c->req, reply);
	return reply->status;
}

const void *fault_conn_out(const struct fault_conn *c, size_t *len)
{
	if (!c->queued) {
		*len = 0;
		return NULL;
	}
	*len = sizeof(*c->replies) - c->sent;
	return (const char *)&c->replies[c->first] + c->sent;
}

void fault_conn_sent(struct fault_conn *c, size_t n)
{
	c->sent += n;
	if (c->sent < sizeof(*c->replies))
		return;
	c->sent = 0;
	c->first = (c->first + 1) % c->cap;
	c->queued--;
}
