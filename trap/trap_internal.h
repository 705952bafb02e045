/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_internal.h - what the files of libmmiod-trap share: the windows,
 * the connections to mmiod, and the async-signal-safe helpers the
 * SIGSEGV handler is built from. */
#ifndef MMIOD_TRAP_INTERNAL_H
#define MMIOD_TRAP_INTERNAL_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "mmiod-fault.h"

#define TRAP_MAX_WINDOWS 64
#define TRAP_MAX_SERVERS 8
/* Faults served at once per mmiod. mmiod's fault socket serves a handful
 * of clients from one thread, so more would only queue there. */
#define TRAP_CONNS 4
#define TRAP_PAGE 4096u

/* One connection; a fault owns it from acquire to release, records and
 * all, so the handler needs no stack for them. */
struct trap_conn {
	atomic_int busy;
	int fd; /* -1 until the first fault that needs it */
	struct mmiod_fault_request req;
	struct mmiod_fault_reply reply;
};

struct trap_server {
	struct sockaddr_un addr; /* sun_path[0] == 0: slot unused */
	unsigned windows;	 /* mapped windows using it */
	struct trap_conn conns[TRAP_CONNS];
};

struct trap_window {
	/* The handler's view: start != 0 means the other fields are
	 * valid (stored with release after them, read with acquire). */
	_Atomic uintptr_t start;
	size_t size;
	uint64_t gpa;
	struct trap_server *server;
};

/* window.c: the window whose [start, start + size) holds addr, or NULL.
 * Async-signal-safe. */
const struct trap_window *trap_window_find(uintptr_t addr);

/* handler.c: installs the SIGSEGV handler once, keeping the previous one.
 * 0 or -1 with errno. Called with window.c's lock held. */
int trap_handler_install(void);

/* conn.c: connects c to server (not in the handler: map time) or, in the
 * handler, the first time c is needed. 0 or -1 with errno. */
int trap_conn_connect(const struct trap_server *server, struct trap_conn *c);
/* A free connection of server, connected; spins while all are busy.
 * NULL if connecting failed. Async-signal-safe. */
struct trap_conn *trap_conn_acquire(const struct trap_server *server);
void trap_conn_release(struct trap_conn *c);
/* Sends c->req and reads c->reply. 0, or -1 if the connection broke (it
 * is closed then). Async-signal-safe. */
int trap_conn_exchange(struct trap_conn *c);

/* movs.c: a MOVS carries its ordinary-memory side in the record. Before
 * sending: fills req->data[] from RSI for a MOVS that writes the window.
 * After the reply: stores reply->data[] at RDI for one that read it.
 * 0, or -1 with a reason (static text) if that memory is out of reach.
 * Async-signal-safe. */
int trap_movs_fill(struct mmiod_fault_request *req, const char **why);
int trap_movs_store(const struct mmiod_fault_request *req,
		    const struct mmiod_fault_reply *reply, const char **why);

/* die.c: writes "mmiod-trap: " what, the instruction's address and bytes
 * and why to stderr, then aborts. Async-signal-safe. */
__attribute__((noreturn)) void trap_die(const char *what, uint64_t rip,
					const uint8_t *insn, size_t insn_len,
					const char *why);

#endif
