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
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "device_type.h"
#include "mmiod-device.h"

struct plugin_device {
	struct device dev;
	char *name; /* "plugin NAME (PATH)" or "plugin PATH", in messages */
	void *handle;
	/* The plugin's table as this mmiod knows it: what an older ABI
	 * lacks is NULL. */
	struct mmiod_plugin_ops ops;
	void *state;
	/* What its services reach (ABI 2). */
	struct mmiod_host host;
	struct device_irq irq;
	struct device_guest guest;
	struct log_ratelimit log_limit;
};

static struct plugin_device *to_plugin(struct device *dev)
{
	return (struct plugin_device *)dev;
}

/* Configuration registers (space PCI), a BAR after BAR0, or BAR0 and an
 * mmio or pio region. A plugin's failure is any nonzero return. */
static int plugin_read(struct device *dev, const struct device_io *io,
		       uint64_t *value)
{
	struct plugin_device *p = to_plugin(dev);
	const struct mmiod_plugin_ops *ops = &p->ops;
	uint32_t reg = 0;
	int rc;

	if (io->space == IO_SPACE_PCI) {
		rc = ops->config_read
			     ? ops->config_read(p->state, (unsigned)io->offset,
						io->size, &reg)
			     : -1;
		*value = reg;
	} else if (io->bar) {
		rc = ops->bar_read ? ops->bar_read(p->state, io->bar,
						   io->offset, io->size, value)
				   : -1;
	} else {
		rc = ops->read(p->state, io->offset, io->size, value);
	}
	return rc ? -1 : 0;
}

static int plugin_write(struct device *dev, const struct device_io *io,
			uint64_t value)
{
	struct plugin_device *p = to_plugin(dev);
	const struct mmiod_plugin_ops *ops = &p->ops;
	int rc;

	if (io->space == IO_SPACE_PCI)
		rc = ops->config_write
			     ? ops->config_write(p->state, (unsigned)io->offset,
						 io->size, (uint32_t)value)
			     : -1;
	else if (io->bar)
		rc = ops->bar_write
			     ? ops->bar_write(p->state, io->bar, io->offset,
					      io->size, value)
			     : -1;
	else
		rc = ops->write(p->state, io->offset, io->size, value);
	return rc ? -1 : 0;
}

static int plugin_flush(struct device *dev)
{
	struct plugin_device *p = to_plugin(dev);

	if (!p->ops.flush)
		return 0;
	errno = 0;
	if (p->ops.flush(p->state) == 0)
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
		p->ops.destroy(p->state);
	if (p->handle)
		dlclose(p->handle);
	free(p->name);
	free(p);
}

/* --- the services of ABI 2 --------------------------------------------- */

static void host_log(void *ctx, enum mmiod_log_level level, const char *fmt,
		     va_list ap)
{
	struct plugin_device *p = ctx;
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (level > MMIOD_LOG_DEBUG)
		level = MMIOD_LOG_DEBUG;
	log_ratelimited(&p->log_limit, (enum log_level)level, "%s: %s",
			p->name ? p->name : "plugin", line);
}

static void host_set_irq(void *ctx, int level)
{
	struct plugin_device *p = ctx;

	if (p->irq.set_level)
		p->irq.set_level(p->irq.ctx, level != 0);
}

static int host_send_vector(void *ctx, unsigned vector)
{
	struct plugin_device *p = ctx;

	if (!p->irq.send_vector) {
		errno = EINVAL;
		return -1;
	}
	return p->irq.send_vector(p->irq.ctx, vector);
}

static int host_dma_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct plugin_device *p = ctx;

	if (!p->guest.read) {
		errno = EFAULT;
		return -1;
	}
	return p->guest.read(p->guest.ctx, gpa, buf, len);
}

static int host_dma_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	struct plugin_device *p = ctx;

	if (!p->guest.write) {
		errno = EFAULT;
		return -1;
	}
	return p->guest.write(p->guest.ctx, gpa, buf, len);
}

static int host_guest_hvm(void *ctx)
{
	struct plugin_device *p = ctx;

	return p->guest.hvm ? p->guest.hvm(p->guest.ctx) : -1;
}

static void init_host(struct plugin_device *p, const struct device_args *args)
{
	if (args->irq)
		p->irq = *args->irq;
	if (args->guest)
		p->guest = *args->guest;
	p->host = (struct mmiod_host){
		.size = sizeof(p->host),
		.ctx = p,
		.log = host_log,
		.set_irq = host_set_irq,
		.send_vector = host_send_vector,
		.dma_read = host_dma_read,
		.dma_write = host_dma_write,
		.guest_hvm = host_guest_hvm,
	};
}

static const struct device_ops plugin_device_ops = {
	.read = plugin_read,
	.write = plugin_write,
	.flush = plugin_flush,
	.destroy = plugin_destroy,
};

/* How much of the table a plugin of each ABI has. */
static size_t table_size(uint32_t abi_version)
{
	return abi_version >= 2 ? sizeof(struct mmiod_plugin_ops)
				: offsetof(struct mmiod_plugin_ops, create2);
}

/* Loads path and copies its operation table into *ops, checked. */
static void *load(const char *path, struct mmiod_plugin_ops *ops, char *err,
		  size_t errlen)
{
	const struct mmiod_plugin_ops *(*init)(void);
	const struct mmiod_plugin_ops *table;
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!handle) {
		snprintf(err, errlen, "plugin: cannot load: %s", dlerror());
		return NULL;
	}
	*(void **)&init = dlsym(handle, "mmiod_plugin_init");
	table = init ? init() : NULL;
	memset(ops, 0, sizeof(*ops));
	if (!table) {
		snprintf(err, errlen,
			 "plugin: %s exports no mmiod_plugin_init() table",
			 path);
	} else if (table->abi_version < 1 ||
		   table->abi_version > MMIOD_DEVICE_ABI_VERSION) {
		snprintf(err, errlen,
			 "plugin: %s is built for device ABI %u; this mmiod "
			 "loads ABI 1 to %u",
			 path, table->abi_version, MMIOD_DEVICE_ABI_VERSION);
	} else if (memcpy(ops, table, table_size(table->abi_version)),
		   !(ops->create2 || ops->create) || !ops->read ||
			   !ops->write || !ops->destroy) {
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

/* The region's plugin=, or NULL with err set. */
static const char *plugin_path(const struct device_args *args, char *err,
			       size_t errlen)
{
	const char *path = device_param(args, "plugin");

	if (!path)
		snprintf(err, errlen,
			 "plugin: a plugin region needs plugin=PATH.so");
	return path;
}

static int plugin_create(const struct device_args *args, bool validate_only,
			 struct device **out, char *err, size_t errlen)
{
	const char *path = plugin_path(args, err, errlen);
	struct plugin_device *p;
	struct mmiod_region_info info;
	struct mmiod_param *params;
	int rc = -1;

	if (!path)
		return -1;
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
		rc = p->ops.validate ? p->ops.validate(&info, err, errlen) : 0;
		err[errlen - 1] = '\0'; /* as after create() */
		goto out;
	}
	init_host(p, args);
	if ((p->ops.name
		     ? asprintf(&p->name, "plugin %s (%s)", p->ops.name, path)
		     : asprintf(&p->name, "plugin %s", path)) < 0) {
		p->name = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	p->state = p->ops.create2 ? p->ops.create2(&info, &p->host, err, errlen)
				  : p->ops.create(&info, err, errlen);
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
	if (p->ops.reset)
		p->ops.reset(p->state);
	device_init(&p->dev, &plugin_device_ops, "plugin",
		    p->ops.flags & MMIOD_PLUGIN_THREAD_SAFE);
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

/* What a plugin that declares its PCI function must also have. */
static int check_pci_function(const struct mmiod_plugin_ops *ops,
			      const struct mmiod_pci_function *fn,
			      const char *path, char *err, size_t errlen)
{
	if (fn->bars[0].type == MMIOD_PCI_BAR_NONE) {
		snprintf(err, errlen,
			 "plugin: %s declares a PCI function without BAR0",
			 path);
		return -1;
	}
	for (unsigned i = 1; i < MMIOD_PCI_BARS; i++)
		if (fn->bars[i].type != MMIOD_PCI_BAR_NONE &&
		    (!ops->bar_read || !ops->bar_write)) {
			snprintf(err, errlen,
				 "plugin: %s declares BAR%u but no bar_read "
				 "and bar_write to serve it",
				 path, i);
			return -1;
		}
	if (fn->regs && (!ops->config_read || !ops->config_write)) {
		snprintf(err, errlen,
			 "plugin: %s declares configuration registers but no "
			 "config_read and config_write",
			 path);
		return -1;
	}
	return 0;
}

static int plugin_pci_function(const struct device_args *args,
			       struct mmiod_pci_function *fn, char *err,
			       size_t errlen)
{
	const char *path = plugin_path(args, err, errlen);
	struct mmiod_plugin_ops ops;
	struct mmiod_region_info info;
	struct mmiod_param *params;
	void *handle;
	int rc = 0;

	if (!path)
		return -1;
	err[0] = '\0';
	handle = load(path, &ops, err, errlen);
	if (!handle)
		return -1;
	params = plugin_params(args, &info);
	if (!params) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	} else if (ops.pci_function) {
		info.base = info.size = 0;
		memset(fn, 0, sizeof(*fn));
		rc = ops.pci_function(&info, fn, err, errlen) ? -1 : 1;
		err[errlen - 1] = '\0';
		if (rc < 0 && !err[0])
			snprintf(err, errlen,
				 "plugin: %s: pci_function failed without "
				 "saying why",
				 path);
		if (rc > 0 && check_pci_function(&ops, fn, path, err, errlen))
			rc = -1;
	}
	free(params);
	dlclose(handle);
	return rc;
}

const struct device_type plugin_device_type = {
	.name = "plugin",
	.keys = NULL, /* the plugin checks its own keys */
	.create = plugin_create,
	.pci_function = plugin_pci_function,
};
