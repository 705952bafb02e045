/* SPDX-License-Identifier: BSD-2-Clause */
/* mmiod-device.h - the interface of an mmiod device plugin.
 *
 * A plugin is a shared object that exports mmiod_plugin_init(), returning
 * a table of operations. mmiod loads it for every region of type "plugin"
 * whose key plugin= names it:
 *
 *   mmio = [ "base=0xfe300000,size=4K,type=plugin,plugin=/usr/lib/x.so,k=v" ]
 *
 * Every key of the region except base, size, type and plugin is passed to
 * the plugin's create() (and validate()), which must reject what it does
 * not understand with a message saying what would be valid.
 *
 * Lifetime: mmiod loads the plugin and calls create() while it sets up,
 * as the user it was started as (root under systemd) and before it drops
 * privileges to the config's user= and installs its seccomp filter: open
 * the files and allocate what the device needs there. reset() follows
 * once, before the guest first runs. flush() and destroy() run when
 * mmiod stops (SIGTERM, the domain's death). mmiod --check-config only
 * loads the plugin (its ELF constructors run) and calls validate(), as
 * the user who runs it.
 *
 * Parameters: region, its params array and every key and value string
 * are valid only during the call to validate() or create(); mmiod frees
 * region->params when create() returns. Copy what the device keeps.
 *
 * Threads: read() and write() run on mmiod's worker threads, one call per
 * element of a guest access. Unless flags has MMIOD_PLUGIN_THREAD_SAFE,
 * mmiod calls the operations of one device instance from one thread at a
 * time. flush() runs on the main thread about once a second while mmiod
 * serves, and once more before destroy(); it always holds the instance's
 * lock, so a plugin that is not thread-safe never sees it beside a read
 * or write (a thread-safe one may).
 *
 * Accesses: size is 1, 2, 4 or 8 and the element lies inside the region.
 * An MMIO access that crosses a page boundary arrives split, as Xen
 * delivers it: two calls, each within one page. A rep instruction is one
 * call per element. A call blocks the guest's vCPU until it returns, and
 * a call that never returns stops mmiod from stopping: keep them short.
 *
 * What a callback may do: after create() mmiod runs as the config's user
 * under a seccomp filter (the list is in mmiod's daemon/confine.c). It
 * allows computing, the plugin's own memory (malloc, mmap, munmap,
 * mremap, madvise, mprotect, brk), the files create() opened (read,
 * write, pread, pwrite, lseek, fstat, fcntl, ftruncate, fsync, fdatasync,
 * msync, close), pthread mutexes and condition variables (futex), clocks
 * and short sleeps (clock_gettime, nanosleep), getrandom and openat.
 * Creating threads or processes (clone, fork), timerfd, eventfd, epoll,
 * pipes and listening sockets (bind, listen) are not allowed: the call
 * is not made, mmiod logs its name and the plugin's path and exits 1.
 * Create what the device needs in create(). Leave signal dispositions
 * and masks alone: mmiod owns them.
 *
 * Compatibility: abi_version must be MMIOD_DEVICE_ABI_VERSION of the
 * header the plugin was built with; mmiod refuses other versions. New
 * operations are only ever added at the end, with a new version.
 */
#ifndef MMIOD_DEVICE_H
#define MMIOD_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MMIOD_DEVICE_ABI_VERSION 1

/* flags */
#define MMIOD_PLUGIN_THREAD_SAFE 0x1

enum mmiod_space {
	MMIOD_SPACE_MMIO = 0,
	MMIOD_SPACE_PIO = 1,
};

struct mmiod_param {
	const char *key;
	const char *value;
};

struct mmiod_region_info {
	enum mmiod_space space;
	uint64_t base;
	uint64_t size;
	size_t nparams;
	const struct mmiod_param *params;
};

struct mmiod_plugin_ops {
	uint32_t abi_version; /* MMIOD_DEVICE_ABI_VERSION */
	uint32_t flags;
	const char *name;
	/* Checks the region's keys without side effects; may be NULL.
	 * 0, or -1 with a message in err. */
	int (*validate)(const struct mmiod_region_info *region, char *err,
			size_t errlen);
	/* The state of a new device, or NULL with a message in err. */
	void *(*create)(const struct mmiod_region_info *region, char *err,
			size_t errlen);
	/* offset is from the region's base; size is 1, 2, 4 or 8 and the
	 * access lies inside the region. 0, or -1: the guest sees all
	 * ones (read) or nothing (write), and mmiod counts an error. */
	int (*read)(void *state, uint64_t offset, uint32_t size,
		    uint64_t *value);
	int (*write)(void *state, uint64_t offset, uint32_t size,
		     uint64_t value);
	/* Back to the power-on state; called before the guest first runs.
	 * May be NULL. */
	void (*reset)(void *state);
	/* Make what the guest wrote durable; may be NULL. 0, or -1 with
	 * errno set (mmiod reports EIO when it is 0); see Threads above. */
	int (*flush)(void *state);
	void (*destroy)(void *state);
};

/* The one symbol a plugin exports. */
const struct mmiod_plugin_ops *mmiod_plugin_init(void);

#ifdef __cplusplus
}
#endif

#endif
