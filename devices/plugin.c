/* SPDX-License-Identifier: BSD-2-Clause */
/* plugin.c - devices implemented by shared objects (include/mmiod-device.h).
 *
 * A plugin is code the administrator chose to run, but its answers are
 * still checked: a wrong ABI version, a missing operation, or a create()
 * that fails without a reason are errors with a clear message, never a
 * crash later.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_type.h"
#include "mmiod-device.h"

struct plugin_device {
	struct device dev;
	char *name; /* "plugin PATH", the device's name in messages */
	void *handle;
	const struct mmiod_plugin_ops *ops;
	void *state;
};

static struct plugin_device *to_plugin(struct device *dev)
{
	return (struct plugin_device *)dev;
}

static int plugin_read(struct device *dev, const struct device_io *io,
		       uint64_t *value)
{
	struct plugin_device *p = to_plugin(dev);

	return p->ops->read(p->state, io->offset, io->size, value) ? -1 : 0;
}

static int plugin_write(struct device *dev, const struct device_io *io,
			uint64_t value)
{
	struct plugin_device *p = to_plugin(dev);

	return p->ops->write(p->state, io->offset, io->size, value) ? -1 : 0;
}

static int plugin_flush(struct device *dev)
{
	struct plugin_device *p = to_plugin(dev);

	if (!p->ops->flush)
		return 0;
	errno = 0;
	if (p->ops->flush(p->state) == 0)
		return 0;
	/* A plugin that fails without setting errno must not be reported
	 * as "Success". */
	if (errno == 0)
		errno = EIO;
	return -1;
}

static void plugin_destroy(struct device *dev)
{
	struct plugin_device *p = to_plugin(dev);

	if (p->state)
		p->ops->destroy(p->state);
	if (p->handle)
		dlclose(p->handle);
	free(p->name);
	free(p);
}

static const struct device_ops plugin_device_ops = {
	.read = plugin_read,
	.write = plugin_write,
	.flush = plugin_flush,
	.destroy = plugin_destroy,
};

/* Loads path and checks its operation table. */
static void *load(const char *path, const struct mmiod_plugin_ops **ops,
		  char *err, size_t errlen)
{
	const struct mmiod_plugin_ops *(*init)(void);
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!handle) {
		snprintf(err, errlen, "plugin: cannot load: %s", dlerror());
		return NULL;
	}
	*(void **)&init = dlsym(handle, "mmiod_plugin_init");
	*ops = init ? init() : NULL;
	if (!*ops) {
		snprintf(err, errlen,
			 "plugin: %s exports no mmiod_plugin_init() table",
			 path);
	} else if ((*ops)->abi_version != MMIOD_DEVICE_ABI_VERSION) {
		snprintf(err, errlen,
			 "plugin: %s is built for device ABI %u; this mmiod "
			 "loads ABI %u",
			 path, (*ops)->abi_version, MMIOD_DEVICE_ABI_VERSION);
	} else if (!(*ops)->create || !(*ops)->read || !(*ops)->write ||
		   !(*ops)->destroy) {
		snprintf(err, errlen,
			 "plugin: %s lacks create, read, write or destroy",
			 path);
	} else {
		return handle;
	}
	dlclose(handle);
	return NULL;
}

/* The region as the plugin sees it: every key but plugin=. */
static struct mmiod_param *plugin_params(const struct device_args *args,
					 struct mmiod_region_info *info)
{
	struct mmiod_param *params = calloc(args->nparams + 1, sizeof(*params));
	size_t n = 0;

	if (!params)
		return NULL;
	for (size_t i = 0; i < args->nparams; i++) {
		if (strcmp(args->params[i].key, "plugin") == 0)
			continue;
		params[n].key = args->params[i].key;
		params[n++].value = args->params[i].value;
	}
	*info = (struct mmiod_region_info){
		.space = args->space == IO_SPACE_PIO ? MMIOD_SPACE_PIO
						     : MMIOD_SPACE_MMIO,
		.base = args->range.base,
		.size = range_size(args->range),
		.nparams = n,
		.params = params,
	};
	return params;
}

static int plugin_create(const struct device_args *args, bool validate_only,
			 struct device **out, char *err, size_t errlen)
{
	const char *path = device_param(args, "plugin");
	struct plugin_device *p;
	struct mmiod_region_info info;
	struct mmiod_param *params;
	int rc = -1;

	if (!path) {
		snprintf(err, errlen,
			 "plugin: a plugin region needs plugin=PATH.so");
		return -1;
	}
	p = calloc(1, sizeof(*p));
	params = plugin_params(args, &info);
	if (!p || !params) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	err[0] = '\0';
	p->handle = load(path, &p->ops, err, errlen);
	if (!p->handle)
		goto out;
	if (validate_only) {
		rc = p->ops->validate ? p->ops->validate(&info, err, errlen)
				      : 0;
		err[errlen - 1] = '\0'; /* as after create() */
		goto out;
	}
	p->state = p->ops->create(&info, err, errlen);
	/* The plugin may have left its message without the NUL. */
	err[errlen - 1] = '\0';
	if (!p->state) {
		if (!err[0])
			snprintf(err, errlen,
				 "plugin: %s: create failed "
				 "without saying why",
				 path);
		goto out;
	}
	if (p->ops->reset)
		p->ops->reset(p->state);
	device_init(&p->dev, &plugin_device_ops, "plugin",
		    p->ops->flags & MMIOD_PLUGIN_THREAD_SAFE);
	if (asprintf(&p->name, "plugin %s", path) < 0) {
		p->name = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	p->dev.name = p->name;
	*out = &p->dev;
	p = NULL;
	rc = 0;
out:
	if (p)
		plugin_destroy(&p->dev);
	free(params);
	return rc;
}

const struct device_type plugin_device_type = {
	.name = "plugin",
	.keys = NULL, /* the plugin checks its own keys */
	.create = plugin_create,
};
