/* SPDX-License-Identifier: BSD-2-Clause */
/* access.h - the description of one guest access, shared by every module.
 *
 * ioreq/ builds it from an ioreq, decode/ from a raw fault; regions/ and
 * devices/ serve it. Sizes are in bytes everywhere.
 */
#ifndef MMIOD_ACCESS_H
#define MMIOD_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

enum io_space {
	IO_SPACE_MMIO,
	IO_SPACE_PIO,
	IO_SPACE_PCI, /* addr: SBDF << 32 | register offset */
	IO_SPACE_COUNT,
};

enum io_dir {
	IO_WRITE = 0,
	IO_READ = 1,
};

struct mmio_access {
	enum io_space space;
	enum io_dir dir;
	uint64_t addr;
	uint32_t size;	  /* bytes per element: 1, 2, 4 or 8 */
	uint32_t count;	  /* elements; 1 unless a rep access */
	bool df;	  /* rep elements go downwards */
	bool data_is_ptr; /* data is the guest-physical address of the data */
	uint64_t data;	  /* value to write, or the read result */
	unsigned vcpu;
};

static inline const char *io_space_name(enum io_space space)
{
	switch (space) {
	case IO_SPACE_MMIO:
		return "mmio";
	case IO_SPACE_PIO:
		return "pio";
	case IO_SPACE_PCI:
		return "pci";
	case IO_SPACE_COUNT:
		break;
	}
	return "?";
}

/* All ones in the low size bytes: what a read of nothing returns. */
static inline uint64_t access_mask(uint32_t size)
{
	return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

#endif
