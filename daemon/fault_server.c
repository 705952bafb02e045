/* fault_server.c - serve raw faults from a Unix socket. */
#include "fault_server.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "decode/decode.h"
#include "mmiod-fault.h"

_Static_assert((int)MMIOD_NREGS == (int)REG_COUNT,
	       "the wire register file is decode's register file");

struct client {
	int fd;
	size_t have; /* bytes of req received so far */
	struct mmiod_fault_request req;
};

/* What emulate's callbacks need: the bus cpu, and for MOVS the
 * request's source data and the reply's data. */
struct fault_ctx {
	struct bus_cpu *cpu;
	unsigned vcpu;
	const struct mmiod_fault_request *req;
	struct mmiod_fault_reply *reply;
	uint32_t next_source;
};

static int serve_fault_access(struct fault_ctx *c, enum io_dir dir,
			      uint64_t gpa, unsigned size, uint64_t *value)
{
	struct mmio_access a = {.space = IO_SPACE_MMIO,
				.dir = dir,
				.addr = gpa,
				.size = size,
				.count = 1,
				.data = *value,
				.vcpu = c->vcpu};

	bus_serve(c->cpu, &a, NULL);
	*value = a.data;
	return 0; /* unmatched and failing accesses read all ones, as ioreqs */
}

static int f_mmio_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *v)
{
	*v = 0;
	return serve_fault_access(ctx, IO_READ, gpa, size, v);
}

static int f_mmio_write(void *ctx, uint64_t gpa, unsigned size, uint64_t v)
{
	return serve_fault_access(ctx, IO_WRITE, gpa, size, &v);
}

static int f_mem_read(void *ctx, uint64_t linear, unsigned size, uint64_t *v)
{
	struct fault_ctx *c = ctx;

	if (c->next_source >= c->req->data_count)
		return -1;
	*v = c->req->data[c->next_source++];
	return 0;
}

static int f_mem_write(void *ctx, uint64_t linear, unsigned size, uint64_t v)
{
	struct fault_ctx *c = ctx;

	if (c->reply->data_count >= MMIOD_FAULT_MAX_DATA)
		return -1;
	c->reply->data[c->reply->data_count++] = v;
	return 0;
}

static const struct emulate_ops fault_ops = {
	f_mmio_read, f_mmio_write,	   f_mem_read,
	f_mem_write, MMIOD_FAULT_MAX_DATA,
};

static uint16_t fault_status(enum emulate_status status)
{
	switch (status) {
	case EMULATE_OK:
		return MMIOD_FAULT_OK;
	case EMULATE_UNSUPPORTED:
		return MMIOD_FAULT_UNSUPPORTED;
	case EMULATE_MISMATCH:
		return MMIOD_FAULT_MISMATCH;
	case EMULATE_DEVICE_ERROR:
		break;
	}
	return MMIOD_FAULT_DEVICE_ERROR;
}

void fault_answer(struct decoder *decoder, struct bus_cpu *cpu,
		  const struct mmiod_fault_request *req,
		  struct mmiod_fault_reply *reply)
{
	struct fault_ctx ctx = {cpu, req->vcpu, req, reply, 0};
	struct fault f = {.gpa = req->gpa,
			  .size = req->size,
			  .dir = req->dir ? IO_READ : IO_WRITE,
			  .insn_len = req->insn_len};
	enum emulate_status status;
	struct regs regs;

	memset(reply, 0, sizeof(*reply));
	reply->magic = MMIOD_FAULT_MAGIC;
	reply->version = MMIOD_FAULT_VERSION;
	memcpy(reply->regs, req->regs, sizeof(reply->regs));
	if (req->magic != MMIOD_FAULT_MAGIC ||
	    req->version != MMIOD_FAULT_VERSION ||
	    (req->mode != 16 && req->mode != 32 && req->mode != 64) ||
	    req->dir > 1 || req->insn_len == 0 || req->insn_len > 15 ||
	    req->data_count > MMIOD_FAULT_MAX_DATA) {
		reply->status = MMIOD_FAULT_BAD_RECORD;
		snprintf(reply->error, sizeof(reply->error),
			 "bad record: magic, version, mode (16/32/64), dir "
			 "(0/1), insn_len (1-15) or data_count");
		log_guest("raw fault: %s", reply->error);
		return;
	}
	f.mode = (enum cpu_mode)req->mode;
	memcpy(f.insn, req->insn, req->insn_len);
	memcpy(regs.r, req->regs, sizeof(regs.r));
	status = emulate_fault(decoder, &f, &regs, &fault_ops, &ctx,
			       reply->error, sizeof(reply->error));
	if (status != EMULATE_OK) {
		reply->status = fault_status(status);
		reply->data_count = 0;
		log_guest("raw fault at 0x%llx: %s",
			  (unsigned long long)req->gpa, reply->error);
		return;
	}
	memcpy(reply->regs, regs.r, sizeof(reply->regs));
}

/* Reads what the client sent; answers each whole record. -1: drop it. */
static int serve_client(struct fault_server *fs, struct client *c)
{
	static struct mmiod_fault_reply reply; /* one thread: not on stack */
	ssize_t n = read(c->fd, (char *)&c->req + c->have,
			 sizeof(c->req) - c->have);

	if (n <= 0)
		return n < 0 && errno == EINTR ? 0 : -1;
	c->have += (size_t)n;
	if (c->have < sizeof(c->req))
		return 0;
	c->have = 0;
	fault_answer(fs->decoder, fs->cpu, &c->req, &reply);
	for (size_t done = 0; done < sizeof(reply);) {
		ssize_t w = write(c->fd, (char *)&reply + done,
				  sizeof(reply) - done);

		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

static void *serve(void *arg)
{
	struct fault_server *fs = arg;
	struct client clients[FAULT_MAX_CLIENTS];
	struct pollfd pfd[2 + FAULT_MAX_CLIENTS];
	unsigned nclients = 0;

	for (;;) {
		pfd[0] = (struct pollfd){fs->stop_fd, POLLIN, 0};
		pfd[1] = (struct pollfd){
			fs->listen_fd,
			nclients < FAULT_MAX_CLIENTS ? POLLIN : 0, 0};
		for (unsigned i = 0; i < nclients; i++)
			pfd[2 + i] = (struct pollfd){clients[i].fd, POLLIN, 0};
		if (poll(pfd, 2 + nclients, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		for (unsigned i = nclients; i-- > 0;) {
			if (!pfd[2 + i].revents ||
			    !serve_client(fs, &clients[i]))
				continue;
			close(clients[i].fd);
			clients[i] = clients[--nclients];
		}
		if (pfd[1].revents & POLLIN) {
			int fd = accept4(fs->listen_fd, NULL, NULL,
					 SOCK_CLOEXEC);

			if (fd >= 0) {
				clients[nclients].fd = fd;
				clients[nclients++].have = 0;
			}
		}
	}
	for (unsigned i = 0; i < nclients; i++)
		close(clients[i].fd);
	return NULL;
}

void fault_server_init(struct fault_server *fs)
{
	memset(fs, 0, sizeof(*fs));
	fs->listen_fd = fs->stop_fd = -1;
}

int fault_server_start(struct fault_server *fs, const char *path,
		       struct bus *bus)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	/* Only this thread decodes, and Capstone's lazy tables are filled
	 * here, before it starts. A daemon without a fault socket never
	 * touches Capstone's megabytes of tables. */
	if (decode_global_init()) {
		log_error("fault_socket %s: cannot initialise Capstone", path);
		return -1;
	}
	fs->path = strdup(path);
	fs->decoder = decoder_create();
	fs->cpu = bus_cpu_create(bus);
	fs->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (!fs->path || !fs->decoder || !fs->cpu || fs->stop_fd < 0 ||
	    strlen(path) >= sizeof(sa.sun_path)) {
		log_error("fault_socket %s: cannot set up", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	fs->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fs->listen_fd < 0 ||
	    bind(fs->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fs->listen_fd, FAULT_MAX_CLIENTS)) {
		log_error("fault_socket %s: cannot listen: %s", path,
			  strerror(errno));
		return -1;
	}
	if (pthread_create(&fs->thread, NULL, serve, fs)) {
		log_error("fault_socket %s: cannot start its thread", path);
		return -1;
	}
	fs->running = true;
	log_info("raw faults accepted at %s", path);
	return 0;
}

void fault_server_stop(struct fault_server *fs)
{
	uint64_t one = 1;

	if (fs->running && write(fs->stop_fd, &one, sizeof(one)) == 8)
		pthread_join(fs->thread, NULL);
	fs->running = false;
	if (fs->listen_fd >= 0) {
		close(fs->listen_fd);
		unlink(fs->path);
	}
	if (fs->stop_fd >= 0)
		close(fs->stop_fd);
	decoder_destroy(fs->decoder);
	bus_cpu_destroy(fs->cpu);
	free(fs->path);
	fault_server_init(fs);
}
