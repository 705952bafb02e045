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
 * Services (ABI 2): a plugin that sets create2 gets a struct mmiod_host
 * in it, valid until destroy(): mmiod's log, the device's interrupt
 * output and message vectors, DMA into the guest's memory and the
 * guest's platform. The interrupt output is wired by the config: a pci
 * entry's function turns it into MSI (an edge per message) or INTx, an
 * mmio/pio region's irq= into an ISA line (HVM guests only); unwired, it
 * does nothing. Each service may be called from any callback and any
 * thread, but not from create2() itself for interrupts and DMA (no guest
 * runs yet).
 *
 * On PCI (ABI 2): a plugin named by a pci entry sits in a PCI function.
 * Without pci_function() that function has the entry's ids and one
 * 32-bit memory BAR0 of the entry's size=, served by read() and write().
 * With it, the plugin describes the function itself: ids, up to six
 * BARs, MSI, MSI-X and INTx, and registers of its own in configuration
 * space (with a capability of its own, which mmiod links into the list
 * after its MSI and MSI-X ones). The entry's vendor=, device=, subvendor=,
 * subdevice=, class=, revision=, msi=, msix= and intx= keys still
 * override what it declares; size= is refused (the plugin sizes its own
 * BARs, from keys of its own if it likes). BAR0 is served by read() and
 * write(), as a region is (create2 sees it as the region: base 0, size
 * BAR0's); a plugin with more BARs has bar_read() and bar_write() for
 * them, one with registers config_read() and config_write(). MSI-X puts its
 * table and PBA (4K) in the lowest BAR slot from BAR2 up that the plugin
 * leaves free, else BAR1.
 *
 * Compatibility: abi_version is MMIOD_DEVICE_ABI_VERSION of the header
 * the plugin was built with. mmiod loads every version up to its own
 * (ABI 1 plugins keep loading) and refuses newer ones. Fields are only
 * ever added at the end of a struct, with a new version: mmiod reads no
 * field a plugin's version doesn't have, and a plugin reads only the
 * struct mmiod_host fields that host->size covers.
 */
#ifndef MMIOD_DEVICE_H
#define MMIOD_DEVICE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MMIOD_DEVICE_ABI_VERSION 2

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

enum mmiod_log_level {
	MMIOD_LOG_ERROR = 0,
	MMIOD_LOG_WARN = 1,
	MMIOD_LOG_INFO = 2,
	MMIOD_LOG_DEBUG = 3,
};

/* What mmiod lends a device (ABI 2); see Services above. */
struct mmiod_host {
	uint32_t size; /* sizeof(struct mmiod_host) in the loading mmiod */
	void *ctx;     /* passed back to every call */
	/* A line in mmiod's log, after the plugin's name; lines are rate
	 * limited per device, as a guest can trigger them. */
	void (*log)(void *ctx, enum mmiod_log_level level, const char *fmt,
		    va_list ap);
	/* The level of the device's interrupt output (0 or 1). */
	void (*set_irq)(void *ctx, int level);
	/* Fires MSI or MSI-X vector once; -1 when the guest enabled no
	 * such vector (or the output is not a PCI function's). */
	int (*send_vector)(void *ctx, unsigned vector);
	/* Guest-physical memory: 0, or -1 (errno EFAULT) when any byte of
	 * [gpa, gpa + len) is outside the guest's memory; counted. */
	int (*dma_read)(void *ctx, uint64_t gpa, void *buf, size_t len);
	int (*dma_write)(void *ctx, uint64_t gpa, const void *buf, size_t len);
	/* 1: an HVM guest, 0: PVH, -1: not known yet. */
	int (*guest_hvm)(void *ctx);
};

/* ABI 2: a plugin's PCI function (see On PCI above). */
#define MMIOD_PCI_BARS 6

enum mmiod_pci_bar_type {
	MMIOD_PCI_BAR_NONE = 0,
	MMIOD_PCI_BAR_IO = 1,
	MMIOD_PCI_BAR_MEM32 = 2,
	MMIOD_PCI_BAR_MEM64 = 3, /* takes this slot and the next */
};

struct mmiod_pci_bar {
	uint32_t type;	       /* enum mmiod_pci_bar_type */
	uint32_t prefetchable; /* 0 or 1; memory BARs only */
	/* A power of two: I/O 4 to 256 bytes, memory at least 16. */
	uint64_t size;
};

struct mmiod_pci_function {
	uint16_t vendor, device; /* vendor 0x0001 to 0xfffe */
	uint16_t subsystem_vendor, subsystem;
	uint32_t class_code; /* base class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint8_t intx_pin; /* 0: none; 1 to 4: INTA to INTD */
	/* The plugin's own configuration registers: from regs (dword-
	 * aligned) to 0xff, above mmiod's capabilities, which take 0x40 to
	 * 0x58 with MSI, 0x4c with MSI-X, 0x64 with both; 0: none. */
	uint8_t regs;
	/* Offset of a capability among those registers, whose next
	 * pointer the plugin keeps; 0: none. */
	uint8_t capability;
	uint16_t msi_vectors;  /* 0: no MSI; else 1, 2, 4 ... 32 */
	uint16_t msix_vectors; /* 0: no MSI-X; else 1 to 128 */
	struct mmiod_pci_bar bars[MMIOD_PCI_BARS];
};

struct mmiod_plugin_ops {
	uint32_t abi_version; /* MMIOD_DEVICE_ABI_VERSION */
	uint32_t flags;
	const char *name; /* shown in mmiod's logs and stats; may be NULL */
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
	/* ABI 2. create() with the host's services; used instead of
	 * create() when set (create may then be NULL). */
	void *(*create2)(const struct mmiod_region_info *region,
			 const struct mmiod_host *host, char *err,
			 size_t errlen);
	/* ABI 2. Describes the plugin's PCI function for region (a pci
	 * entry's keys; base 0, size 0), before create2(); may be NULL.
	 * *fn holds zeros. 0, or -1 with a message in err. */
	int (*pci_function)(const struct mmiod_region_info *region,
			    struct mmiod_pci_function *fn, char *err,
			    size_t errlen);
	/* ABI 2. Accesses to BAR bar (1 to 5), offset from its start; as
	 * read() and write() otherwise. */
	int (*bar_read)(void *state, unsigned bar, uint64_t offset,
			uint32_t size, uint64_t *value);
	int (*bar_write)(void *state, unsigned bar, uint64_t offset,
			 uint32_t size, uint64_t value);
	/* ABI 2. The plugin's configuration registers: reg from fn->regs
	 * to 0xff, size 1, 2 or 4, never crossing a dword. Reads that
	 * fail see all ones. */
	int (*config_read)(void *state, unsigned reg, unsigned size,
			   uint32_t *value);
	int (*config_write)(void *state, unsigned reg, unsigned size,
			    uint32_t value);
};

/* The one symbol a plugin exports. */
const struct mmiod_plugin_ops *mmiod_plugin_init(void);

#ifdef __cplusplus
}
#endif

#endif
