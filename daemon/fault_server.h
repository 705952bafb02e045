/* fault_server.h - the raw-fault socket (include/mmiod-fault.h): decode
 * each fault, serve it through the bus's regions and devices, reply
 * with the registers after the instruction. One thread, its own decoder,
 * a handful of clients at once. */
#ifndef MMIOD_FAULT_SERVER_H
#define MMIOD_FAULT_SERVER_H

#include <pthread.h>
#include <stdbool.h>

#include "bus/bus.h"

#define FAULT_MAX_CLIENTS 8

struct fault_server {
	int listen_fd;
	int stop_fd;
	char *path;
	pthread_t thread;
	bool running;
	struct bus_cpu *cpu;
	struct decoder *decoder;
};

struct decoder;
struct mmiod_fault_request;
struct mmiod_fault_reply;

/* Answers one request: validates it, emulates it through cpu, fills
 * reply. Never fails: every problem is a status in the reply. */
void fault_answer(struct decoder *decoder, struct bus_cpu *cpu,
		  const struct mmiod_fault_request *req,
		  struct mmiod_fault_reply *reply);

void fault_server_init(struct fault_server *fs);
/* Listens at path (replacing a stale socket) and serves from a thread.
 * 0, or -1 with the reason logged. */
int fault_server_start(struct fault_server *fs, const char *path,
		       struct bus *bus);
/* Stops the thread, closes the socket and removes it; safe any time. */
void fault_server_stop(struct fault_server *fs);

#endif
