/* SPDX-License-Identifier: BSD-2-Clause */
/* memory.c - ram and rom devices: guest-visible memory, optionally a file.
 *
 * Persistence policy for ram with file=: the file is mapped MAP_SHARED, so
 * every guest write is in the kernel's page cache the moment it is made
 * and survives the daemon being killed (SIGKILL included). device_flush()
 * runs msync(MS_SYNC), which makes it durable on disk; the daemon flushes
 * on idle, on SIGTERM and on domain death, so a power cut can lose at most
 * the writes since the last flush.
 *
 * rom's file must exist; it is mapped MAP_PRIVATE read-only and never
 * written. Bytes past the end of a short rom file read as 0xff.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device_type.h"

struct memory_device {
	struct device dev;
	uint8_t *mem;
	uint64_t size;
	bool file_backed;
	bool writable;
};

static struct memory_device *to_mem(struct device *dev)
{
	return (struct memory_device *)dev;
}

static bool in_bounds(const struct memory_device *m, const struct device_io *io)
{
	return io->offset < m->size && io->size <= m->size - io->offset;
}

static int memory_read(struct device *dev, const struct device_io *io,
		       uint64_t *value)
{
	struct memory_device *m = to_mem(dev);
	uint64_t v = 0;

	if (!in_bounds(m, io))
		return -1;
	/* x86 guests are little-endian, and so is every dom0 we run on. */
	memcpy(&v, m->mem + io->offset, io->size);
	*value = v;
	return 0;
}

static int memory_write(struct device *dev, const struct device_io *io,
			uint64_t value)
{
	struct memory_device *m = to_mem(dev);

	if (!m->writable || !in_bounds(m, io))
		return -1;
	memcpy(m->mem + io->offset, &value, io->size);
	return 0;
}

static int memory_flush(struct device *dev)
{
	struct memory_device *m = to_mem(dev);

	if (!m->file_backed || !m->writable)
		return 0;
	return msync(m->mem, m->size, MS_SYNC);
}

static void memory_destroy(struct device *dev)
{
	struct memory_device *m = to_mem(dev);

	munmap(m->mem, m->size);
	free(m);
}

static const struct device_ops memory_ops = {
	.read = memory_read,
	.write = memory_write,
	.flush = memory_flush,
	.destroy = memory_destroy,
};

/* Opens path and checks it fits the region: the fd, or -1 and err set. */
static int open_no_larger(const char *path, int flags, uint64_t size,
			  struct stat *st, char *err, size_t errlen)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd < 0 || fstat(fd, st) < 0) {
		snprintf(err, errlen, "file: cannot open '%s': %s", path,
			 strerror(errno));
	} else if ((uint64_t)st->st_size > size) {
		snprintf(err, errlen,
			 "file: '%s' has %lld bytes, more than size (%llu)",
			 path, (long long)st->st_size,
			 (unsigned long long)size);
	} else {
		return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Maps path for ram: created if missing, grown to size if short. */
static uint8_t *map_ram_file(const char *path, uint64_t size, char *err,
			     size_t errlen)
{
	struct stat st;
	void *mem;
	int fd;

	fd = open_no_larger(path, O_RDWR | O_CREAT, size, &st, err, errlen);
	if (fd < 0)
		goto fail;
	if ((uint64_t)st.st_size < size && ftruncate(fd, (off_t)size) < 0) {
		snprintf(err, errlen,
			 "file: cannot grow '%s' to %llu bytes: %s", path,
			 (unsigned long long)size, strerror(errno));
		goto fail;
	}
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		snprintf(err, errlen, "file: cannot map '%s': %s", path,
			 strerror(errno));
		goto fail;
	}
	close(fd);
	return mem;
fail:
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Maps path for rom: private, read-only, short files padded with 0xff. */
static uint8_t *map_rom_file(const char *path, uint64_t size, char *err,
			     size_t errlen)
{
	uint8_t *mem = MAP_FAILED;
	struct stat st;
	int fd;

	fd = open_no_larger(path, O_RDONLY, size, &st, err, errlen);
	if (fd < 0)
		goto out;
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		snprintf(err, errlen, "size: cannot allocate %llu bytes",
			 (unsigned long long)size);
		goto out;
	}
	memset(mem + st.st_size, 0xff, size - (uint64_t)st.st_size);
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = pread(fd, mem + done, (size_t)(st.st_size - done),
				  done);

		if (n <= 0) {
			snprintf(err, errlen, "file: cannot read '%s': %s",
				 path, n ? strerror(errno) : "file shrank");
			munmap(mem, size);
			mem = MAP_FAILED;
			goto out;
		}
		done += n;
	}
	mprotect(mem, size, PROT_READ);
out:
	if (fd >= 0)
		close(fd);
	return mem == MAP_FAILED ? NULL : mem;
}

static int memory_create(const struct device_args *args, bool validate_only,
			 struct device **out, char *err, size_t errlen,
			 bool writable)
{
	const char *file = device_param(args, "file");
	struct memory_device *m;

	if (!writable && !file) {
		snprintf(err, errlen,
			 "file: a rom needs file=PATH with its contents");
		return -1;
	}
	/* - 1: range_size() is 0 for all 2^64 addresses. */
	if (range_size(args->range) - 1 > SIZE_MAX / 2) {
		snprintf(err, errlen, "size: %llu bytes is too large to map",
			 (unsigned long long)range_size(args->range));
		return -1;
	}
	if (validate_only)
		return 0;

	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->size = range_size(args->range);
	m->writable = writable;
	m->file_backed = file != NULL;
	if (!writable) {
		m->mem = map_rom_file(file, m->size, err, errlen);
	} else if (file) {
		m->mem = map_ram_file(file, m->size, err, errlen);
	} else {
		m->mem = mmap(NULL, m->size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m->mem == MAP_FAILED) {
			m->mem = NULL;
			snprintf(err, errlen,
				 "size: cannot allocate %llu bytes",
				 (unsigned long long)m->size);
		}
	}
	if (!m->mem) {
		free(m);
		return -1;
	}
	/* Guest writes are plain stores into the mapping: no lock needed. */
	device_init(&m->dev, &memory_ops, writable ? "ram" : "rom", true);
	*out = &m->dev;
	return 0;
}

static int ram_create(const struct device_args *args, bool validate_only,
		      struct device **out, char *err, size_t errlen)
{
	return memory_create(args, validate_only, out, err, errlen, true);
}

static int rom_create(const struct device_args *args, bool validate_only,
		      struct device **out, char *err, size_t errlen)
{
	return memory_create(args, validate_only, out, err, errlen, false);
}

static const char *const memory_keys[] = {"file", NULL};

const struct device_type ram_device_type = {
	.name = "ram",
	.keys = memory_keys,
	.create = ram_create,
};

const struct device_type rom_device_type = {
	.name = "rom",
	.keys = memory_keys,
	.create = rom_create,
};
