/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_fault.c - any bytes from fault-socket peers: every whole record
 * gets exactly one reply with a status, in order, through the same
 * bus, regions and devices as ioreqs; a partial record gets none.
 *
 * An input shorter than a record is one record, zero-padded, so that the
 * fuzzer reaches the emulation quickly. A longer one is the byte stream
 * of two clients at once: its first byte seeds how it is cut into pieces,
 * which client each piece goes to, and how many reply bytes each client
 * takes at a time, with at most two replies queued per client. */
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "fault/conn.h"
#include "fault/fault.h"
#include "fuzz_env.h"
#include "mmiod-fault.h"

#define CLIENTS 2
#define QUEUED 2

static int serve(void *cpu, struct mmio_access *a)
{
	return bus_serve(cpu, a, NULL) == BUS_OK ? 0 : -1;
}

static void check_reply(const struct mmiod_fault_reply *reply)
{
	if (reply->magic != MMIOD_FAULT_MAGIC ||
	    reply->status > MMIOD_FAULT_DEVICE_ERROR ||
	    memchr(reply->error, '\0', sizeof(reply->error)) == NULL)
		abort();
}

/* Half the records get a valid header, so the fuzzer reaches the
 * emulation rather than only the checks. */
static void fix_header(struct mmiod_fault_request *req, uint8_t first)
{
	if (first & 1) {
		req->magic = MMIOD_FAULT_MAGIC;
		req->version = MMIOD_FAULT_VERSION;
	}
}

static uint32_t next(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

struct client {
	struct fault_conn conn;
	size_t received, replied; /* bytes in, whole replies out */
	struct mmiod_fault_reply last;
	size_t got; /* bytes of last taken */
};

/* Takes up to n reply bytes, as a client reading in pieces would. */
static void take(struct client *c, size_t n)
{
	size_t len;
	const char *buf;

	while (n && (buf = fault_conn_out(&c->conn, &len))) {
		size_t k = len < n ? len : n;

		if (c->got + len != sizeof(c->last))
			abort(); /* the reply's bytes don't add up */
		memcpy((char *)&c->last + c->got, buf, k);
		c->got += k;
		fault_conn_sent(&c->conn, k);
		n -= k;
		if (c->got == sizeof(c->last)) {
			check_reply(&c->last);
			c->got = 0;
			c->replied++;
		}
	}
}

/* Feeds piece to c; returns the bytes it could take (it stops taking
 * while its replies wait). */
static size_t feed(struct client *c, const uint8_t *piece, size_t n,
		   struct decoder *d, const struct fault_sink *sink)
{
	size_t done = 0;

	while (done < n) {
		size_t room, k;
		void *buf = fault_conn_in(&c->conn, &room);

		if (!room)
			break;
		k = n - done < room ? n - done : room;
		memcpy(buf, piece + done, k);
		if (k == room)
			fix_header(&c->conn.req,
				   *(const uint8_t *)&c->conn.req);
		fault_conn_received(&c->conn, k, d, sink);
		done += k;
	}
	c->received += done;
	return done;
}

static void run_stream(const uint8_t *data, size_t size, struct decoder *d,
		       const struct fault_sink *sink)
{
	static struct client clients[CLIENTS];
	uint32_t seed = data[0];

	for (int i = 0; i < CLIENTS; i++) {
		memset(&clients[i], 0, sizeof(clients[i]));
		if (fault_conn_init(&clients[i].conn, -1, QUEUED))
			abort();
	}
	for (size_t at = 1; at < size;) {
		struct client *c = &clients[next(&seed) % CLIENTS];
		size_t want = 1 + next(&seed) % 3000;

		if (want > size - at)
			want = size - at;
		size_t fed = feed(c, data + at, want, d, sink);

		at += fed;
		/* A client that can't send any more reads a reply. */
		take(c, fed ? next(&seed) % 5000 : sizeof(c->last));
	}
	for (int i = 0; i < CLIENTS; i++) {
		struct client *c = &clients[i];

		take(c, SIZE_MAX);
		/* One reply per whole record, none for the partial one. */
		if (c->replied !=
			    c->received / sizeof(struct mmiod_fault_request) ||
		    c->conn.have != c->received % sizeof(c->conn.req))
			abort();
		fault_conn_free(&c->conn);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decoder *d;
	static struct mmiod_fault_request req;
	static struct mmiod_fault_reply reply;
	struct fuzz_engine *fe = fuzz_engine_get();
	struct fault_sink sink = {serve, fe->fault_cpu};

	if (!d) {
		if (decode_global_init())
			abort();
		d = decoder_create();
	}
	if (size > sizeof(req)) {
		run_stream(data, size, d, &sink);
		return 0;
	}
	memset(&req, 0, sizeof(req));
	memcpy(&req, data, size);
	if (size)
		fix_header(&req, data[0]);
	fault_answer(d, &sink, &req, &reply);
	check_reply(&reply);
	return 0;
}
