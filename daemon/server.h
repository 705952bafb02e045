/* server.h - a guest's devices, regions and serving threads.
 *
 * server_open() turns a config into devices and region sets;
 * server_start() runs the engine on a backend with one thread per worker;
 * server_close() undoes everything and is safe to call at any point after
 * server_init(), which is what the one teardown path relies on.
 */
#ifndef MMIOD_SERVER_H
#define MMIOD_SERVER_H

#include <pthread.h>
#include <stdio.h>

#include "config/config.h"
#include "devices/devices.h"
#include "fault/fault.h"
#include "ioreq/ioreq.h"
#include "regions/regions.h"

struct server {
	struct region_set *sets[IO_SPACE_COUNT];
	size_t ntargets;
	struct ioreq_target *targets;
	char (*names)[48];
	struct ioreq_engine *engine;
	struct ioreq_backend *_Atomic be; /* for device interrupts */
	struct device_host host;
	pthread_t *threads;
	unsigned nthreads;
	int stop_fd;		     /* written to stop the worker threads */
	struct fault_server *faults; /* NULL: no fault socket */
};

void server_init(struct server *s);
/* Creates every region's device. Errors name FILE:LINE; -1 on error. */
int server_open(struct server *s, const struct mmiod_config *cfg);
/* Starts the engine on be, one serving thread per worker, and the
 * raw-fault socket if cfg names one. */
int server_start(struct server *s, struct ioreq_backend *be,
		 const struct mmiod_config *cfg);
/* Stops the threads and tears the ioreq server down. */
void server_stop(struct server *s);
/* Flushes every device; -1 if any flush failed (each is logged). */
int server_flush(struct server *s);
/* Reopens device files (log rotation). */
void server_reopen(struct server *s);
/* Stops, flushes and destroys everything; -1 if a flush failed. */
int server_close(struct server *s);
void server_print_stats(struct server *s, FILE *out);

#endif
