/* SPDX-License-Identifier: BSD-2-Clause */
/* misbehave.c - a test plugin that breaks the rules of mmiod-device.h on
 * demand, for tests/plugin_faults.sh. Key: does=syscall (its read makes a
 * system call outside mmiod's seccomp filter), does=fail-flush (every
 * flush fails without setting errno) or does=unterminated-error (its
 * create fails with an error text that has no NUL). Reads return 0,
 * writes are dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>

#include <mmiod-device.h>

enum misdeed { FORBIDDEN_SYSCALL, FAILING_FLUSH };

static int parse(const struct mmiod_region_info *r, enum misdeed *what,
		 char *err, size_t errlen)
{
	const char *v = r->nparams == 1 && strcmp(r->params[0].key, "does") == 0
				? r->params[0].value
				: "";

	if (strcmp(v, "syscall") == 0) {
		*what = FORBIDDEN_SYSCALL;
		return 0;
	}
	if (strcmp(v, "fail-flush") == 0) {
		*what = FAILING_FLUSH;
		return 0;
	}
	if (strcmp(v, "unterminated-error") == 0) {
		/* Fills err to its last byte with no terminating NUL. */
		memset(err, 'x', errlen);
		return -1;
	}
	snprintf(err, errlen,
		 "misbehave needs does=syscall, does=fail-flush or "
		 "does=unterminated-error");
	return -1;
}

static void *misbehave_create(const struct mmiod_region_info *r, char *err,
			      size_t errlen)
{
	enum misdeed *what = malloc(sizeof(*what));

	if (!what) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (parse(r, what, err, errlen)) {
		free(what);
		return NULL;
	}
	return what;
}

static int misbehave_read(void *state, uint64_t offset, uint32_t size,
			  uint64_t *value)
{
	const enum misdeed *what = state;

	(void)offset;
	(void)size;
	/* timerfd_create is not in the filter: the daemon must say so. */
	if (*what == FORBIDDEN_SYSCALL)
		timerfd_create(CLOCK_MONOTONIC, 0);
	*value = 0;
	return 0;
}

static int misbehave_write(void *state, uint64_t offset, uint32_t size,
			   uint64_t value)
{
	(void)state;
	(void)offset;
	(void)size;
	(void)value;
	return 0;
}

static int misbehave_flush(void *state)
{
	const enum misdeed *what = state;

	if (*what != FAILING_FLUSH)
		return 0;
	errno = 0; /* a careless plugin: fails without saying why */
	return -1;
}

static void misbehave_destroy(void *state)
{
	free(state);
}

static const struct mmiod_plugin_ops ops = {
	.abi_version = MMIOD_DEVICE_ABI_VERSION,
	.name = "misbehave",
	.create = misbehave_create,
	.read = misbehave_read,
	.write = misbehave_write,
	.flush = misbehave_flush,
	.destroy = misbehave_destroy,
};

const struct mmiod_plugin_ops *mmiod_plugin_init(void)
{
	return &ops;
}
