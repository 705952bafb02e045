/* SPDX-License-Identifier: BSD-2-Clause */
/* window.c - mmiod_trap_map and mmiod_trap_unmap: the table of windows the
 * SIGSEGV handler searches, and the mmiods they belong to. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mmiod-trap.h"
#include "trap_internal.h"

/* Written only under lock; the handler reads windows[] without it. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct trap_window windows[TRAP_MAX_WINDOWS];
static struct trap_server servers[TRAP_MAX_SERVERS];

const struct trap_window *trap_window_find(uintptr_t addr)
{
	for (int i = 0; i < TRAP_MAX_WINDOWS; i++) {
		uintptr_t start = atomic_load_explicit(&windows[i].start,
						       memory_order_acquire);

		if (start && addr >= start && addr - start < windows[i].size)
			return &windows[i];
	}
	return NULL;
}

static void server_close(struct trap_server *s)
{
	for (int i = 0; i < TRAP_CONNS; i++)
		if (s->conns[i].fd >= 0)
			close(s->conns[i].fd);
	memset(s, 0, sizeof(*s));
}

/* The server for path, found or opened; its first connection is made here
 * so that a wrong path fails the map, not the first access. */
static struct trap_server *server_get(const char *path)
{
	struct trap_server *free_slot = NULL;

	for (int i = 0; i < TRAP_MAX_SERVERS; i++) {
		if (!servers[i].addr.sun_path[0]) {
			free_slot = free_slot ? free_slot : &servers[i];
			continue;
		}
		if (strcmp(servers[i].addr.sun_path, path) == 0)
			return &servers[i];
	}
	if (!free_slot) {
		errno = ENOSPC;
		return NULL;
	}
	free_slot->addr.sun_family = AF_UNIX;
	strcpy(free_slot->addr.sun_path, path);
	for (int i = 0; i < TRAP_CONNS; i++)
		free_slot->conns[i].fd = -1;
	if (trap_conn_connect(free_slot, &free_slot->conns[0])) {
		int saved = errno;

		server_close(free_slot);
		errno = saved;
		return NULL;
	}
	return free_slot;
}

static struct trap_window *free_window(void)
{
	for (int i = 0; i < TRAP_MAX_WINDOWS; i++)
		if (!atomic_load(&windows[i].start))
			return &windows[i];
	return NULL;
}

static void *map_locked(const char *path, uint64_t gpa, size_t size)
{
	size_t len = (size + TRAP_PAGE - 1) & ~(size_t)(TRAP_PAGE - 1);
	struct trap_window *w = free_window();
	struct trap_server *s;
	void *p;

	if (!w) {
		errno = ENOSPC;
		return NULL;
	}
	if (trap_handler_install() || !(s = server_get(path)))
		return NULL;
	/* PROT_NONE: every access faults, reads included. */
	p = mmap(NULL, len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		if (!s->windows)
			server_close(s);
		return NULL;
	}
	s->windows++;
	w->size = size;
	w->gpa = gpa;
	w->server = s;
	atomic_store_explicit(&w->start, (uintptr_t)p, memory_order_release);
	return p;
}

void *mmiod_trap_map(const char *socket_path, uint64_t gpa, size_t size)
{
	void *p;

	/* mmiod checks that the instruction's address and the fault's gpa
	 * share their page offset, as paging guarantees. */
	if (!socket_path || gpa % TRAP_PAGE || size == 0 ||
	    gpa + size - 1 < gpa ||
	    strlen(socket_path) >= sizeof(servers[0].addr.sun_path) ||
	    !socket_path[0]) {
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&lock);
	p = map_locked(socket_path, gpa, size);
	pthread_mutex_unlock(&lock);
	return p;
}

int mmiod_trap_unmap(void *window)
{
	struct trap_window *w = NULL;
	size_t len;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < TRAP_MAX_WINDOWS && window; i++)
		if (atomic_load(&windows[i].start) == (uintptr_t)window)
			w = &windows[i];
	if (!w) {
		pthread_mutex_unlock(&lock);
		errno = EINVAL;
		return -1;
	}
	/* Unpublish first: from here a stray access is a plain crash. */
	atomic_store_explicit(&w->start, 0, memory_order_release);
	len = (w->size + TRAP_PAGE - 1) & ~(size_t)(TRAP_PAGE - 1);
	munmap(window, len);
	if (--w->server->windows == 0)
		server_close(w->server);
	pthread_mutex_unlock(&lock);
	return 0;
}
