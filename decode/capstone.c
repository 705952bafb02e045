/* SPDX-License-Identifier: BSD-2-Clause */
/* capstone.c - Capstone, loaded on first use. Linked at start-up, the
 * library's 77,000 relocations cost every daemon 3 MiB of memory, with a
 * fault socket or without (bench/bench_startup's peak RSS). */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "decode_internal.h"

static struct capstone_api api;
static bool loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* dlsym() returns an object pointer: copied into the function pointer
 * at out, as POSIX allows. */
static bool find(void *lib, const char *name, void *out)
{
	void *sym = dlsym(lib, name);

	memcpy(out, &sym, sizeof(sym));
	return sym != NULL;
}

static void load(void)
{
	void *lib = dlopen(CAPSTONE_SONAME, RTLD_NOW | RTLD_LOCAL);

	/* Never closed: handles and instructions live as long as we do. */
	loaded = lib && find(lib, "cs_open", &api.open) &&
		 find(lib, "cs_option", &api.option) &&
		 find(lib, "cs_close", &api.close) &&
		 find(lib, "cs_malloc", &api.malloc) &&
		 find(lib, "cs_free", &api.free) &&
		 find(lib, "cs_disasm_iter", &api.disasm_iter);
}

const struct capstone_api *capstone_api(void)
{
	pthread_once(&once, load);
	return loaded ? &api : NULL;
}
