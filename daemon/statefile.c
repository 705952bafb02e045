/* SPDX-License-Identifier: BSD-2-Clause */
/* statefile.c - read and write /run/mmiod/GUEST.state. */
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int statefile_path(char *buf, size_t len, const char *dir, const char *guest,
		   const char *suffix)
{
	int n = snprintf(buf, len, "%s/%s.%s", dir, guest, suffix);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int statefile_read(const char *path, struct state_record *out)
{
	FILE *f = fopen(path, "re");
	long pid;
	unsigned long domid;
	int server, n;

	if (!f)
		return -1;
	n = fscanf(f, "pid %ld\ndomid %lu\nserver %d\n", &pid, &domid, &server);
	fclose(f);
	if (n != 3 || domid > 0x7fef || server < 0)
		return -1;
	*out = (struct state_record){(pid_t)pid, (uint32_t)domid, server};
	return 0;
}

int statefile_replace(const char *path, void (*fill)(FILE *, void *), void *ctx)
{
	char tmp[4096];
	FILE *f;
	int fd, bad;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* A fresh random name, created with O_CREAT|O_EXCL: whoever can
	 * write the directory can't have planted a symlink there for us to
	 * follow (O_EXCL fails on a symlink, dangling or not). */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	fill(f, ctx);
	bad = fflush(f) || fsync(fileno(f));
	if (fclose(f) || bad) {
		unlink(tmp);
		return -1;
	}
	/* rename() replaces a symlink at path itself, never its target. */
	return rename(tmp, path);
}

static void print_record(FILE *f, void *ctx)
{
	const struct state_record *r = ctx;

	fprintf(f, "pid %ld\ndomid %lu\nserver %d\n", (long)r->pid,
		(unsigned long)r->domid, r->server_id);
}

int statefile_write(const char *path, const struct state_record *r)
{
	return statefile_replace(path, print_record, (void *)r);
}

void statefile_remove(const char *path)
{
	unlink(path);
}
