/* SPDX-License-Identifier: BSD-2-Clause */
/* pci_slots.c - pci entries as functions on the bus: the BAR layout and
 * identity of each device type, the function's keys, the adapters that
 * put configuration space, the MSI-X table and the 0xcf8 latch behind
 * struct device, and BAR regions that follow the guest's programming. */
#include "pci_slots.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/parse.h"
#include "mmiod-device.h"
#include "pci/pci.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* How a device type sits in a function: what BAR0 is, and the identity
 * it has unless the entry says otherwise (vendor 0: must be given). */
struct profile {
	const char *type;
	enum pci_bar_type bar;
	bool prefetchable;
	bool sized; /* BAR0's size is the entry's size= */
	struct pci_identity id;
};

/* The uart's ids are a NetMos 9900's: Linux's 8250_pci binds it and,
 * as its MSI use is a whitelist, uses MSI only for ids on that list. */
static const struct profile profiles[] = {
	{"uart16550",
	 PCI_BAR_IO,
	 false,
	 false,
	 {0x9710, 0x9900, 0xa000, 0x1000, 0x070002, 0}},
	{"ram", PCI_BAR_MEM32, true, true, {.class_code = 0x050000}},
	{"rom", PCI_BAR_MEM32, true, true, {.class_code = 0x050100}},
	{"trace", PCI_BAR_MEM32, false, true, {.class_code = 0xff0000}},
	{"plugin", PCI_BAR_MEM32, false, true, {.class_code = 0xff0000}},
};

const char *const pci_slot_keys[] = {
	"vendor", "device", "subvendor", "subdevice", "class", "revision",
	"size",	  "msi",    "msix",	 "intx",      NULL,
};

/* The region of a BAR after BAR0: the device's, with the BAR named. */
struct bar_adapter {
	struct device dev;
	struct pci_slot *slot;
	unsigned bar;
};

struct pci_slot {
	struct pci_function *fn;
	struct pci_slot_host host;
	uint32_t sbdf;
	const char *type;
	struct device *dev;	  /* BAR0, its other BARs, its registers */
	struct device config_dev; /* configuration space */
	struct device msix_dev;	  /* the MSI-X table's BAR */
	unsigned msix_bar;	  /* which; PCI_NUM_BARS: none */
	struct bar_adapter bars[PCI_NUM_BARS];
	struct device_irq irq; /* the device's output */
	unsigned intx_pin;     /* 1 to 4: INTA to INTD */
	enum io_space bar_space[PCI_NUM_BARS];
	char name[256];
	char bar_name[PCI_NUM_BARS][320];
};

static bool is_function_key(const char *key)
{
	for (const char *const *k = pci_slot_keys; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

static const struct profile *find_profile(const char *type)
{
	for (size_t i = 0; i < COUNT(profiles); i++)
		if (strcmp(profiles[i].type, type) == 0)
			return &profiles[i];
	return NULL;
}

/* key's value in r, parsed into *out if given and at most max. */
static int number_key(const struct config_region *r, const char *key,
		      uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	const char *v = config_region_param(r, key);
	uint64_t n;

	if (!v)
		return 0;
	if (parse_u64(v, &n) || n > max) {
		snprintf(err, errlen,
			 "%s: '%s' is not a number from 0 to 0x%" PRIx64, key,
			 v, max);
		return -1;
	}
	*out = n;
	return 0;
}

/* The numeric keys of an entry's function, in the order of value[]. */
enum {
	K_VENDOR,
	K_DEVICE,
	K_SUBVENDOR,
	K_SUBDEVICE,
	K_CLASS,
	K_REVISION,
	K_MSI,
	K_MSIX,
	K_INTX,
	K_COUNT
};
static const struct {
	const char *name;
	uint64_t max;
} numeric_keys[K_COUNT] = {
	{"vendor", 0xffff},
	{"device", 0xffff},
	{"subvendor", 0xffff},
	{"subdevice", 0xffff},
	{"class", 0xffffff},
	{"revision", 0xff},
	{"msi", PCI_MSI_MAX_VECTORS},
	{"msix", PCI_MSIX_MAX_VECTORS},
	{"intx", 4},
};

/* BAR0's size: the entry's size= for memory types, the uart's eight
 * registers reg_shift apart (the uart checks reg_shift itself). */
static int bar0_size(const struct config_region *r, const struct profile *p,
		     uint64_t *size, char *err, size_t errlen)
{
	bool given = config_region_param(r, "size");
	uint64_t shift = 0;

	if (p->sized && !given) {
		snprintf(err, errlen,
			 "size: a %s function needs size= (its BAR0: a power "
			 "of two, at least 16)",
			 r->type);
		return -1;
	}
	if (!p->sized && given) {
		snprintf(err, errlen,
			 "size: a %s function's BAR0 holds its 8 registers; "
			 "leave size out",
			 r->type);
		return -1;
	}
	if (p->sized)
		return number_key(r, "size", 1ull << 31, size, err, errlen);
	if (number_key(r, "reg_shift", 3, &shift, err, errlen))
		return -1;
	*size = 8u << shift;
	return 0;
}

/* The function of a device type's profile, BAR0 sized by the entry. */
static int profile_function(const struct config_region *r,
			    const struct profile *p,
			    struct pci_function_desc *d, char *err,
			    size_t errlen)
{
	uint64_t size;

	if (bar0_size(r, p, &size, err, errlen))
		return -1;
	*d = (struct pci_function_desc){
		.id = p->id,
		.bars = {{p->bar, p->prefetchable, size}},
		.msi_vectors = 1,
		.intx_pin = 1,
	};
	return 0;
}

/* The function a device declares itself (a plugin's). */
static int declared_function(const struct config_region *r,
			     const struct mmiod_pci_function *fn,
			     struct pci_function_desc *d, char *err,
			     size_t errlen)
{
	static const enum pci_bar_type bar_types[] = {
		PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64};

	if (config_region_param(r, "size")) {
		snprintf(err, errlen,
			 "size: this %s declares its own BARs; leave size out",
			 r->type);
		return -1;
	}
	*d = (struct pci_function_desc){
		.id = {fn->vendor, fn->device, fn->subsystem_vendor,
		       fn->subsystem, fn->class_code, fn->revision},
		.msi_vectors = fn->msi_vectors,
		.msix_vectors = fn->msix_vectors,
		.intx_pin = fn->intx_pin,
		.device_regs = fn->regs,
		.device_cap = fn->capability,
	};
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		if (fn->bars[i].type >= COUNT(bar_types)) {
			snprintf(err, errlen,
				 "BAR%u: type %u is none of the four (0 to 3)",
				 i, fn->bars[i].type);
			return -1;
		}
		d->bars[i] = (struct pci_bar){bar_types[fn->bars[i].type],
					      fn->bars[i].prefetchable != 0,
					      fn->bars[i].size};
	}
	return 0;
}

/* The MSI-X table's BAR: the lowest free slot from BAR2 up, else BAR1
 * (BAR2 for the types whose only BAR is BAR0). */
static int place_msix(struct pci_function_desc *d, char *err, size_t errlen)
{
	static const unsigned order[] = {2, 3, 4, 5, 1};

	for (size_t i = 0; i < COUNT(order); i++) {
		unsigned b = order[i];

		if (d->bars[b].type == PCI_BAR_NONE &&
		    d->bars[b - 1].type != PCI_BAR_MEM64) {
			d->bars[b] = (struct pci_bar){PCI_BAR_MEM32, false,
						      PCI_MSIX_BAR_SIZE};
			d->msix_bar = b;
			return 0;
		}
	}
	snprintf(err, errlen, "msix: no BAR slot is left for the MSI-X table");
	return -1;
}

/* The entry's own keys for the function override its defaults. */
static int apply_keys(const struct config_region *r,
		      struct pci_function_desc *d, char *err, size_t errlen)
{
	uint64_t v[K_COUNT] = {
		[K_VENDOR] = d->id.vendor,
		[K_DEVICE] = d->id.device,
		[K_SUBVENDOR] = d->id.subsystem_vendor,
		[K_SUBDEVICE] = d->id.subsystem,
		[K_CLASS] = d->id.class_code,
		[K_REVISION] = d->id.revision,
		[K_MSI] = d->msi_vectors,
		[K_MSIX] = d->msix_vectors,
		[K_INTX] = d->intx_pin,
	};

	for (unsigned k = 0; k < K_COUNT; k++)
		if (number_key(r, numeric_keys[k].name, numeric_keys[k].max,
			       &v[k], err, errlen))
			return -1;
	if (v[K_VENDOR] == 0 || v[K_VENDOR] == 0xffff ||
	    v[K_DEVICE] == 0xffff) {
		snprintf(err, errlen,
			 "vendor: a %s function needs vendor= and device= "
			 "(vendor 0x0001 to 0xfffe)",
			 r->type);
		return -1;
	}
	d->id = (struct pci_identity){
		(uint16_t)v[K_VENDOR],	  (uint16_t)v[K_DEVICE],
		(uint16_t)v[K_SUBVENDOR], (uint16_t)v[K_SUBDEVICE],
		(uint32_t)v[K_CLASS],	  (uint8_t)v[K_REVISION]};
	d->msi_vectors = (unsigned)v[K_MSI];
	d->msix_vectors = (unsigned)v[K_MSIX];
	d->intx_pin = (uint8_t)v[K_INTX];
	return d->msix_vectors ? place_msix(d, err, errlen) : 0;
}

/* The device's own keys (params, freed by the caller) and its region as
 * BAR0 sees it: offsets from 0. */
static int device_args_of(const struct config_region *r,
			  struct device_args *args,
			  struct device_param **params)
{
	size_t n = 0;

	*params = calloc(r->nparams + 1, sizeof(**params));
	if (!*params)
		return -1;
	for (size_t i = 0; i < r->nparams; i++)
		if (!is_function_key(r->params[i].key))
			(*params)[n++] = (struct device_param){
				r->params[i].key, r->params[i].value};
	*args = (struct device_args){
		.space = IO_SPACE_MMIO,
		.range = {0, 0},
		.nparams = n,
		.params = *params,
	};
	return 0;
}

static void append(char *buf, size_t len, size_t *used, const char *s)
{
	if (*used < len)
		*used += (size_t)snprintf(buf + *used, len - *used, "%s", s);
}

/* Each key of r is its function's, its device's (irq aside: a function
 * interrupts by MSI, MSI-X or INTx), or a plugin's, which checks its
 * own. */
static int check_entry_keys(const struct config_region *r, char *err,
			    size_t errlen)
{
	const char *const *type_keys = device_type_keys(r->type);
	size_t used;

	for (size_t i = 0; i < r->nparams; i++) {
		const char *key = r->params[i].key;
		const char *const *k;

		if (strcmp(key, "irq") == 0) {
			snprintf(err, errlen,
				 "irq: a PCI function interrupts by MSI, "
				 "MSI-X or INTx (msi=, msix=, intx=); leave "
				 "irq out");
			return -1;
		}
		if (is_function_key(key) || !type_keys)
			continue;
		for (k = type_keys; *k && strcmp(*k, key) != 0; k++)
			;
		if (*k)
			continue;
		used = 0;
		append(err, errlen, &used, key);
		append(err, errlen, &used, ": unknown key for a ");
		append(err, errlen, &used, r->type);
		append(err, errlen, &used,
		       " function (valid: slot, function, type");
		for (k = pci_slot_keys; *k; k++) {
			append(err, errlen, &used, ", ");
			append(err, errlen, &used, *k);
		}
		for (k = type_keys; *k; k++) {
			if (strcmp(*k, "irq") == 0)
				continue;
			append(err, errlen, &used, ", ");
			append(err, errlen, &used, *k);
		}
		append(err, errlen, &used, ")");
		return -1;
	}
	return 0;
}

/* The function of entry r, whose device's keys are in args: the
 * device's own declaration or its type's profile, then the entry's
 * keys; args then describe BAR0 as the device's region. */
static int describe(const struct config_region *r, struct device_args *args,
		    struct pci_function_desc *d, char *err, size_t errlen)
{
	const struct profile *p = find_profile(r->type);
	struct mmiod_pci_function fn;
	int declared;

	if (check_entry_keys(r, err, errlen))
		return -1;
	declared = device_pci_function(r->type, args, &fn, err, errlen);
	if (declared < 0)
		return -1;
	if (!declared && !p) {
		snprintf(err, errlen, "type: %s can't be a PCI function",
			 r->type);
		return -1;
	}
	if (declared ? declared_function(r, &fn, d, err, errlen)
		     : profile_function(r, p, d, err, errlen))
		return -1;
	if (apply_keys(r, d, err, errlen) || pci_function_check(d, err, errlen))
		return -1;
	args->space =
		d->bars[0].type == PCI_BAR_IO ? IO_SPACE_PIO : IO_SPACE_MMIO;
	args->range = (struct range){0, d->bars[0].size - 1};
	return 0;
}

int pci_slot_validate(const struct config_region *r, char *err, size_t errlen)
{
	struct pci_function_desc d;
	struct device_param *params;
	struct device_args args;
	int rc;

	if (device_args_of(r, &args, &params)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = describe(r, &args, &d, err, errlen);
	if (rc == 0)
		rc = device_validate(r->type, &args, err, errlen);
	free(params);
	return rc;
}

/* --- the adapters ------------------------------------------------------ */

/* The struct of type whose member the adapter device dev is. */
#define OWNER_OF(dev, type, member) \
	((type *)((char *)(dev)-offsetof(type, member)))
#define SLOT_OF(dev, member) OWNER_OF(dev, struct pci_slot, member)

static int config_read(struct device *dev, const struct device_io *io,
		       uint64_t *value)
{
	if (io->size > 4)
		return -1;
	*value = pci_config_read(SLOT_OF(dev, config_dev)->fn,
				 (unsigned)io->offset, io->size);
	return 0;
}

static int config_write(struct device *dev, const struct device_io *io,
			uint64_t value)
{
	if (io->size > 4)
		return -1;
	pci_config_write(SLOT_OF(dev, config_dev)->fn, (unsigned)io->offset,
			 io->size, (uint32_t)value);
	return 0;
}

static int msix_read(struct device *dev, const struct device_io *io,
		     uint64_t *value)
{
	*value =
		pci_msix_read(SLOT_OF(dev, msix_dev)->fn, io->offset, io->size);
	return 0;
}

static int msix_write(struct device *dev, const struct device_io *io,
		      uint64_t value)
{
	pci_msix_write(SLOT_OF(dev, msix_dev)->fn, io->offset, io->size, value);
	return 0;
}

/* BARs after BAR0 reach the device with the BAR named. */
static int bar_read(struct device *dev, const struct device_io *io,
		    uint64_t *value)
{
	struct bar_adapter *a = (struct bar_adapter *)dev;
	struct device_io at = *io;

	at.bar = a->bar;
	return device_read(a->slot->dev, &at, value);
}

static int bar_write(struct device *dev, const struct device_io *io,
		     uint64_t value)
{
	struct bar_adapter *a = (struct bar_adapter *)dev;
	struct device_io at = *io;

	at.bar = a->bar;
	return device_write(a->slot->dev, &at, value);
}

static void adapter_destroy(struct device *dev)
{
	pthread_mutex_destroy(&dev->lock);
}

static const struct device_ops config_ops = {
	.read = config_read,
	.write = config_write,
	.destroy = adapter_destroy,
};
static const struct device_ops msix_ops = {
	.read = msix_read,
	.write = msix_write,
	.destroy = adapter_destroy,
};
static const struct device_ops bar_ops = {
	.read = bar_read,
	.write = bar_write,
	.destroy = adapter_destroy,
};

/* The device's own configuration registers, as accesses in PCI space. */
static struct device_io register_io(unsigned reg, unsigned size)
{
	return (struct device_io){.space = IO_SPACE_PCI,
				  .addr = reg,
				  .offset = reg,
				  .size = size};
}

static uint32_t device_config_read(void *ctx, unsigned reg, unsigned size)
{
	struct pci_slot *s = ctx;
	const struct device_io io = register_io(reg, size);
	uint64_t value;

	if (!s->dev || device_read(s->dev, &io, &value))
		return UINT32_MAX;
	return (uint32_t)value;
}

static void device_config_write(void *ctx, unsigned reg, unsigned size,
				uint32_t value)
{
	struct pci_slot *s = ctx;
	const struct device_io io = register_io(reg, size);

	if (s->dev)
		device_write(s->dev, &io, value);
}

/* --- BARs, interrupts, messages ----------------------------------------- */

static int bar_map(void *ctx, unsigned bar, struct range r)
{
	struct pci_slot *s = ctx;
	struct device *dev = bar == 0		  ? s->dev
			     : bar == s->msix_bar ? &s->msix_dev
						  : &s->bars[bar].dev;

	snprintf(s->bar_name[bar], sizeof(s->bar_name[bar]),
		 "%s 0x%" PRIx64 " %s BAR%u", io_space_name(s->bar_space[bar]),
		 r.base, s->name, bar);
	if (bus_add(s->host.bus, s->bar_space[bar], r, dev, s->bar_name[bar]) ==
	    0)
		return 0;
	log_guest("%s: BAR%u at 0x%" PRIx64 "-0x%" PRIx64 " not mapped: %s",
		  s->name, bar, r.base, r.last,
		  errno == EEXIST ? "the guest put it over another region"
				  : strerror(errno));
	return -1;
}

static void bar_unmap(void *ctx, unsigned bar, struct range r)
{
	struct pci_slot *s = ctx;

	if (bus_remove(s->host.bus, s->bar_space[bar], r.base))
		log_warn("%s: BAR%u at 0x%" PRIx64 " was not on the bus",
			 s->name, bar, r.base);
}

static int send_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct pci_slot *s = ctx;

	return s->host.send_msi(s->host.ctx, addr, data);
}

static void set_intx(void *ctx, bool level)
{
	struct pci_slot *s = ctx;

	if (s->host.set_intx)
		s->host.set_intx(s->host.ctx, s->sbdf, s->intx_pin - 1u, level);
}

static void output_level(void *ctx, bool level)
{
	pci_function_set_level(((struct pci_slot *)ctx)->fn, level);
}

static int output_vector(void *ctx, unsigned vector)
{
	return pci_function_send_vector(((struct pci_slot *)ctx)->fn, vector);
}

/* A slot for desc at sbdf, its configuration space ready, no device. */
static struct pci_slot *slot_create(const struct pci_function_desc *d,
				    uint32_t sbdf, const char *type,
				    const struct pci_slot_host *host)
{
	struct pci_slot *s = calloc(1, sizeof(*s));
	const struct pci_events ev = {
		bar_map,  bar_unmap,	      send_msi,
		set_intx, device_config_read, device_config_write,
		s};

	if (!s)
		return NULL;
	s->host = *host;
	s->sbdf = sbdf;
	s->intx_pin = d->intx_pin;
	s->type = type;
	snprintf(s->name, sizeof(s->name), "00:%02x.%x %s", sbdf >> 3, sbdf & 7,
		 type);
	for (unsigned i = 0; i < PCI_NUM_BARS; i++)
		s->bar_space[i] = d->bars[i].type == PCI_BAR_IO ? IO_SPACE_PIO
								: IO_SPACE_MMIO;
	device_init(&s->config_dev, &config_ops, "pci-config", true);
	device_init(&s->msix_dev, &msix_ops, "msix", true);
	s->msix_bar = d->msix_vectors ? d->msix_bar : PCI_NUM_BARS;
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		device_init(&s->bars[i].dev, &bar_ops, "pci-bar", true);
		s->bars[i].slot = s;
		s->bars[i].bar = i;
	}
	s->irq = (struct device_irq){output_level, output_vector, s};
	s->fn = pci_function_create(d, &ev);
	if (!s->fn) {
		pci_slot_close(s);
		return NULL;
	}
	return s;
}

struct pci_slot *pci_slot_open(const struct config_region *r,
			       const struct pci_slot_host *host,
			       struct device **dev, char *err, size_t errlen)
{
	struct pci_function_desc d;
	struct device_param *params;
	struct device_args args;
	struct pci_slot *s;

	if (device_args_of(r, &args, &params)) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (describe(r, &args, &d, err, errlen)) {
		free(params);
		return NULL;
	}
	s = slot_create(&d, (uint32_t)(r->range.base >> 32), r->type, host);
	if (!s) {
		free(params);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	args.irq = &s->irq;
	args.guest = host->guest;
	s->dev = device_create(r->type, &args, err, errlen);
	free(params);
	if (!s->dev) {
		pci_slot_close(s);
		return NULL;
	}
	/* A plugin's own name, in stats and logs. */
	snprintf(s->name, sizeof(s->name), "00:%02x.%x %s", s->sbdf >> 3,
		 s->sbdf & 7, s->dev->name);
	*dev = s->dev;
	return s;
}

struct device *pci_slot_config_device(struct pci_slot *s)
{
	return &s->config_dev;
}

void pci_slot_close(struct pci_slot *s)
{
	if (!s)
		return;
	pci_function_destroy(s->fn);
	adapter_destroy(&s->config_dev);
	adapter_destroy(&s->msix_dev);
	for (unsigned i = 0; i < PCI_NUM_BARS; i++)
		adapter_destroy(&s->bars[i].dev);
	free(s);
}

void pci_slot_print_stats(const struct pci_slot *s, FILE *out)
{
	struct pci_stats st;

	pci_function_stats(s->fn, &st);
	fprintf(out,
		"pci %s messages %llu dropped %llu refused %llu bar_maps %llu "
		"bar_refused %llu\n",
		s->name, (unsigned long long)st.messages,
		(unsigned long long)st.dropped, (unsigned long long)st.refused,
		(unsigned long long)st.bar_moves,
		(unsigned long long)st.bar_failed);
}

/* --- the host bridge and the latch --------------------------------------- */

struct pci_host {
	struct pci_slot *bridge;
	struct bus *bus;
	struct pci_cf8 latch;
	struct device latch_dev;
	bool bridge_on_bus, latch_on_bus;
};

#define CF8_PORT 0xcf8

static int latch_read(struct device *dev, const struct device_io *io,
		      uint64_t *value)
{
	struct pci_host *h = OWNER_OF(dev, struct pci_host, latch_dev);

	*value = pci_cf8_read(&h->latch, (unsigned)io->offset, io->size);
	return 0;
}

static int latch_write(struct device *dev, const struct device_io *io,
		       uint64_t value)
{
	struct pci_host *h = OWNER_OF(dev, struct pci_host, latch_dev);

	pci_cf8_write(&h->latch, (unsigned)io->offset, io->size, value);
	return 0;
}

static const struct device_ops latch_ops = {
	.read = latch_read,
	.write = latch_write,
	.destroy = adapter_destroy,
};

struct pci_host *pci_host_open(const struct pci_slot_host *host)
{
	struct pci_host *h = calloc(1, sizeof(*h));
	const struct range config = {0, 0xfff}, ports = {CF8_PORT, 0xcff};

	if (!h) {
		log_error("out of memory");
		return NULL;
	}
	h->bus = host->bus;
	device_init(&h->latch_dev, &latch_ops, "pci-cf8", true);
	h->bridge = slot_create(&pci_host_bridge, 0, "host-bridge", host);
	if (!h->bridge) {
		log_error("out of memory");
		goto fail;
	}
	if (bus_add(h->bus, IO_SPACE_PCI, config, &h->bridge->config_dev,
		    "pci 00:00.0 host-bridge")) {
		log_error("pci 00:00.0 is the host bridge's: %s",
			  strerror(errno));
		goto fail;
	}
	h->bridge_on_bus = true;
	if (bus_add(h->bus, IO_SPACE_PIO, ports, &h->latch_dev,
		    "pio 0xcf8 pci-cf8")) {
		log_error("ports 0xcf8-0xcff are the PCI host's: %s",
			  strerror(errno));
		goto fail;
	}
	h->latch_on_bus = true;
	return h;
fail:
	pci_host_close(h);
	return NULL;
}

void pci_host_close(struct pci_host *h)
{
	if (!h)
		return;
	if (h->latch_on_bus)
		bus_remove(h->bus, IO_SPACE_PIO, CF8_PORT);
	if (h->bridge_on_bus)
		bus_remove(h->bus, IO_SPACE_PCI, 0);
	pci_slot_close(h->bridge);
	adapter_destroy(&h->latch_dev);
	free(h);
}
