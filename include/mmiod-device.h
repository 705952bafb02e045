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
 * Threads: unless flags has MMIOD_PLUGIN_THREAD_SAFE, mmiod calls the
 * operations of one device instance from one thread at a time.
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
	/* Make what the guest wrote durable; may be NULL. 0 or -1. */
	int (*flush)(void *state);
	void (*destroy)(void *state);
};

/* The one symbol a plugin exports. */
const struct mmiod_plugin_ops *mmiod_plugin_init(void);

#ifdef __cplusplus
}
#endif

#endif
