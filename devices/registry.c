/* SPDX-License-Identifier: BSD-2-Clause */
/* registry.c - device type names -> constructors, and the call wrappers
 * that serialise devices which are not thread-safe and record which device
 * the thread is in (for the SIGSYS handler). */
#include <stdio.h>
#include <string.h>

#include "common/parse.h"
#include "device_type.h"

static const struct device_type *const types[] = {
	&trace_device_type,	&ram_device_type,    &rom_device_type,
	&uart16550_device_type, &plugin_device_type,
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

const char *const *device_type_names(void)
{
	static const char *names[NTYPES + 1];

	for (size_t i = 0; i < NTYPES; i++)
		names[i] = types[i]->name;
	return names;
}

static const struct device_type *find_type(const char *name, char *err,
					   size_t errlen)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strcmp(types[i]->name, name) == 0)
			return types[i];
	snprintf(err, errlen, "type: unknown device type '%s'", name);
	return NULL;
}

const char *const *device_type_keys(const char *type)
{
	char err[128];
	const struct device_type *t = find_type(type, err, sizeof(err));

	return t ? t->keys : NULL;
}

static int check_keys(const struct device_type *t,
		      const struct device_args *args, char *err, size_t errlen)
{
	if (!t->keys) /* the type checks its keys itself */
		return 0;
	for (size_t i = 0; i < args->nparams; i++) {
		const char *const *k;
		size_t used;

		for (k = t->keys; *k; k++)
			if (strcmp(*k, args->params[i].key) == 0)
				break;
		if (*k)
			continue;
		used = (size_t)snprintf(
			err, errlen,
			"%s: unknown key for a %s device (valid: base, size, type",
			args->params[i].key, t->name);
		for (k = t->keys; *k && used < errlen; k++)
			used += (size_t)snprintf(err + used, errlen - used,
						 ", %s", *k);
		if (used < errlen)
			snprintf(err + used, errlen - used, ")");
		return -1;
	}
	return 0;
}

int device_validate(const char *type, const struct device_args *args, char *err,
		    size_t errlen)
{
	const struct device_type *t = find_type(type, err, errlen);

	if (!t || check_keys(t, args, err, errlen))
		return -1;
	return t->create(args, true, NULL, err, errlen);
}

int device_pci_function(const char *type, const struct device_args *args,
			struct mmiod_pci_function *fn, char *err, size_t errlen)
{
	const struct device_type *t = find_type(type, err, errlen);

	if (!t)
		return -1;
	return t->pci_function ? t->pci_function(args, fn, err, errlen) : 0;
}

struct device *device_create(const char *type, const struct device_args *args,
			     char *err, size_t errlen)
{
	const struct device_type *t = find_type(type, err, errlen);
	struct device *dev = NULL;

	if (!t || check_keys(t, args, err, errlen) ||
	    t->create(args, false, &dev, err, errlen))
		return NULL;
	return dev;
}

const char *device_param(const struct device_args *args, const char *key)
{
	for (size_t i = 0; i < args->nparams; i++)
		if (strcmp(args->params[i].key, key) == 0)
			return args->params[i].value;
	return NULL;
}

int device_param_u64(const struct device_args *args, const char *key,
		     uint64_t *out, char *err, size_t errlen)
{
	const char *v = device_param(args, key);

	if (v && parse_u64(v, out)) {
		snprintf(
			err, errlen,
			"%s: '%s' is not a number (decimal or 0x hex, optional K/M/G suffix)",
			key, v);
		return -1;
	}
	return 0;
}

/* Set around every call into a device; read by device_current(). */
static _Thread_local const char *current;

const char *device_current(void)
{
	return current;
}

void device_init(struct device *dev, const struct device_ops *ops,
		 const char *type, bool thread_safe)
{
	dev->ops = ops;
	dev->type = type;
	dev->name = type;
	dev->thread_safe = thread_safe;
	dev->flush_failures = 0;
	pthread_mutex_init(&dev->lock, NULL);
}

/* Around every call into a device: it becomes the thread's current one,
 * and the call is serialised when lock is set. */
static void enter(struct device *dev, bool lock)
{
	if (lock)
		pthread_mutex_lock(&dev->lock);
	current = dev->name;
}

static void leave(struct device *dev, bool lock)
{
	current = NULL;
	if (lock)
		pthread_mutex_unlock(&dev->lock);
}

int device_read(struct device *dev, const struct device_io *io, uint64_t *value)
{
	int rc;

	enter(dev, !dev->thread_safe);
	rc = dev->ops->read(dev, io, value);
	leave(dev, !dev->thread_safe);
	return rc;
}

int device_write(struct device *dev, const struct device_io *io, uint64_t value)
{
	int rc;

	enter(dev, !dev->thread_safe);
	rc = dev->ops->write(dev, io, value);
	leave(dev, !dev->thread_safe);
	return rc;
}

/* Runs the flush under the lock the caller took, counts failures in a
 * row, and releases the lock. */
static int flush_locked(struct device *dev)
{
	int rc = 0;

	current = dev->name;
	if (dev->ops->flush)
		rc = dev->ops->flush(dev);
	__atomic_store_n(&dev->flush_failures, rc ? dev->flush_failures + 1 : 0,
			 __ATOMIC_RELAXED);
	current = NULL;
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

/* Flushes always hold the lock: see mmiod-device.h. */
int device_flush(struct device *dev)
{
	pthread_mutex_lock(&dev->lock);
	return flush_locked(dev);
}

int device_flush_idle(struct device *dev)
{
	if (pthread_mutex_trylock(&dev->lock))
		return 0; /* in a call now: the next round flushes it */
	return flush_locked(dev);
}

unsigned device_flush_failures(const struct device *dev)
{
	/* No lock: a stuck call must not hold up whoever asks. */
	return __atomic_load_n(&dev->flush_failures, __ATOMIC_RELAXED);
}

const char *device_pty(const struct device *dev)
{
	return dev->ops->pty ? dev->ops->pty(dev) : NULL;
}

int device_reopen(struct device *dev)
{
	int rc;

	if (!dev->ops->reopen)
		return 0;
	enter(dev, true);
	rc = dev->ops->reopen(dev);
	leave(dev, true);
	return rc;
}

/* Input is polled by the main loop, which a device stuck in a call must
 * not hold up: a device busy now is left for the next round. */
int device_input_fd(struct device *dev)
{
	int fd;

	if (!dev->ops->input_fd || pthread_mutex_trylock(&dev->lock))
		return -1;
	enter(dev, false);
	fd = dev->ops->input_fd(dev);
	leave(dev, true);
	return fd;
}

int device_input(struct device *dev)
{
	bool took;

	if (!dev->ops->input)
		return 0;
	if (pthread_mutex_trylock(&dev->lock))
		return 1;
	enter(dev, false);
	took = dev->ops->input(dev);
	leave(dev, true);
	return took;
}

int device_destroy(struct device *dev)
{
	int rc;

	if (!dev)
		return 0;
	rc = device_flush(dev);
	pthread_mutex_destroy(&dev->lock);
	dev->ops->destroy(dev);
	return rc;
}
