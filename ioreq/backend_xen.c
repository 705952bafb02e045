/* SPDX-License-Identifier: BSD-2-Clause */
/* backend_xen.c - the transport to a real Xen hypervisor.
 *
 * libxendevicemodel for the server, libxenforeignmemory for its pages and
 * for guest memory, libxenevtchn for the event channels. The setup order
 * is the one Xen requires (see ioreq_engine_start()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xentoolcore.h>
#include <xen/hvm/hvm_op.h>
#include <xen/memory.h>

#include "backend.h"
#include "common/log.h"
#include "mapcache.h"

#define XEN_PAGE_SIZE 4096

struct xen_backend {
	struct ioreq_backend be;
	domid_t domid;
	xendevicemodel_handle *dm;
	xenforeignmemory_handle *fmem;
	ioservid_t server;
	bool server_created;
	/* The server's pages: one resource mapping, or two legacy ones. */
	xenforeignmemory_resource_handle *resource;
	void *pages; /* resource: buffered page then ioreq page */
	void *legacy_ioreq, *legacy_buffered;
	struct mapcache guest_pages;
	xc_interface *xc; /* domctls: unusable once restricted */
	int liveness_timer;
	int stale_server; /* a killed predecessor's, to take over; -1 */
	xenforeignmemory_resource_handle *stale_resource;
};

struct ioreq_evtchn {
	xenevtchn_handle *xce;
	domid_t domid;
};

static struct xen_backend *to_xen(struct ioreq_backend *be)
{
	return (struct xen_backend *)be;
}

/* Maps frame 0 (buffered page) and frame 1 (ioreq page 0) of the server
 * in one call; Xen 4.11+ supports this without spending guest frames. */
static int map_pages_resource(struct xen_backend *x)
{
	x->resource = xenforeignmemory_map_resource(
		x->fmem, x->domid, XENMEM_resource_ioreq_server, x->server,
		XENMEM_resource_ioreq_server_frame_bufioreq, 2, &x->pages,
		PROT_READ | PROT_WRITE, 0);
	if (!x->resource)
		return -1;
	x->be.buffered_page = x->pages;
	x->be.ioreq_page = (void *)((uint8_t *)x->pages + XEN_PAGE_SIZE);
	return 0;
}

/* The fallback for hypervisors without resource mapping: the pages live
 * at guest frames the server info names. */
static int map_pages_legacy(struct xen_backend *x)
{
	xen_pfn_t ioreq_gfn, buffered_gfn;

	if (xendevicemodel_get_ioreq_server_info(x->dm, x->domid, x->server,
						 &ioreq_gfn, &buffered_gfn,
						 NULL))
		return -1;
	x->legacy_ioreq = xenforeignmemory_map(
		x->fmem, x->domid, PROT_READ | PROT_WRITE, 1, &ioreq_gfn, NULL);
	x->legacy_buffered =
		xenforeignmemory_map(x->fmem, x->domid, PROT_READ | PROT_WRITE,
				     1, &buffered_gfn, NULL);
	if (!x->legacy_ioreq || !x->legacy_buffered)
		return -1;
	x->be.ioreq_page = x->legacy_ioreq;
	x->be.buffered_page = x->legacy_buffered;
	return 0;
}

static void unmap_pages(struct xen_backend *x)
{
	if (x->resource)
		xenforeignmemory_unmap_resource(x->fmem, x->resource);
	if (x->legacy_ioreq)
		xenforeignmemory_unmap(x->fmem, x->legacy_ioreq, 1);
	if (x->legacy_buffered)
		xenforeignmemory_unmap(x->fmem, x->legacy_buffered, 1);
	x->resource = NULL;
	x->legacy_ioreq = x->legacy_buffered = NULL;
	x->be.ioreq_page = NULL;
	x->be.buffered_page = NULL;
}

static int xen_create_server(struct ioreq_backend *be)
{
	struct xen_backend *x = to_xen(be);
	evtchn_port_t port;

	if (xendevicemodel_create_ioreq_server(
		    x->dm, x->domid, HVM_IOREQSRV_BUFIOREQ_ATOMIC, &x->server))
		return -1;
	x->server_created = true;
	if (map_pages_resource(x)) {
		log_info(
			"resource mapping unavailable (%s); using guest frames",
			strerror(errno));
		if (map_pages_legacy(x))
			return -1;
	}
	if (xendevicemodel_get_ioreq_server_info(x->dm, x->domid, x->server,
						 NULL, NULL, &port))
		return -1;
	be->buffered_port = port;
	return 0;
}

static int xen_set_enabled(struct ioreq_backend *be, bool enabled)
{
	struct xen_backend *x = to_xen(be);

	return xendevicemodel_set_ioreq_server_state(x->dm, x->domid, x->server,
						     enabled);
}

/* A PCI config range covers SBDFs first >> 32 to last >> 32; Xen routes
 * config accesses per device, so each device is mapped on its own. */
static int map_pci(struct xen_backend *x, uint64_t first, uint64_t last,
		   bool map)
{
	for (uint64_t sbdf = first >> 32; sbdf <= last >> 32; sbdf++) {
		uint16_t seg = (uint16_t)(sbdf >> 16);
		uint8_t bus = (uint8_t)(sbdf >> 8);
		uint8_t dev = (uint8_t)((sbdf >> 3) & 0x1f);
		uint8_t fn = (uint8_t)(sbdf & 7);
		int rc = map ? xendevicemodel_map_pcidev_to_ioreq_server(
				       x->dm, x->domid, x->server, seg, bus,
				       dev, fn)
			     : xendevicemodel_unmap_pcidev_from_ioreq_server(
				       x->dm, x->domid, x->server, seg, bus,
				       dev, fn);

		if (rc)
			return -1;
	}
	return 0;
}

static int xen_map_range(struct ioreq_backend *be, enum io_space space,
			 struct range r, bool map)
{
	struct xen_backend *x = to_xen(be);
	int is_mmio = space == IO_SPACE_MMIO;

	if (space == IO_SPACE_PCI)
		return map_pci(x, r.base, r.last, map);
	if (map)
		return xendevicemodel_map_io_range_to_ioreq_server(
			x->dm, x->domid, x->server, is_mmio, r.base, r.last);
	return xendevicemodel_unmap_io_range_from_ioreq_server(
		x->dm, x->domid, x->server, is_mmio, r.base, r.last);
}

static void xen_destroy_server(struct ioreq_backend *be)
{
	struct xen_backend *x = to_xen(be);

	mapcache_invalidate(&x->guest_pages);
	unmap_pages(x);
	if (x->server_created &&
	    xendevicemodel_destroy_ioreq_server(x->dm, x->domid, x->server))
		log_warn("cannot destroy ioreq server %u: %s", x->server,
			 strerror(errno));
	x->server_created = false;
	be->buffered_port = 0;
}

static struct ioreq_evtchn *xen_evtchn_open(struct ioreq_backend *be)
{
	struct ioreq_evtchn *ev = calloc(1, sizeof(*ev));
	int fd, flags;

	if (!ev)
		return NULL;
	ev->domid = to_xen(be)->domid;
	ev->xce = xenevtchn_open(NULL, 0);
	if (!ev->xce) {
		free(ev);
		return NULL;
	}
	/* The engine calls xenevtchn_pending() only after poll() says the
	 * fd is readable, as libxenevtchn asks (its header warns that a
	 * non-blocking fd may still block there); non-blocking anyway, so
	 * that a wake-up whose event another reader took can't hang us. */
	fd = xenevtchn_fd(ev->xce);
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		xenevtchn_close(ev->xce);
		free(ev);
		return NULL;
	}
	return ev;
}

static void xen_evtchn_close(struct ioreq_evtchn *ev)
{
	xenevtchn_close(ev->xce);
	free(ev);
}

static int xen_evtchn_bind(struct ioreq_evtchn *ev, uint32_t remote_port)
{
	xenevtchn_port_or_error_t local;

	local = xenevtchn_bind_interdomain(ev->xce, ev->domid, remote_port);
	return local < 0 ? -1 : (int)local;
}

static int xen_evtchn_fd(struct ioreq_evtchn *ev)
{
	return xenevtchn_fd(ev->xce);
}

static int xen_evtchn_pending(struct ioreq_evtchn *ev)
{
	xenevtchn_port_or_error_t port = xenevtchn_pending(ev->xce);

	return port < 0 ? -1 : (int)port;
}

static int xen_evtchn_unmask(struct ioreq_evtchn *ev, uint32_t port)
{
	return xenevtchn_unmask(ev->xce, port);
}

static int xen_evtchn_notify(struct ioreq_evtchn *ev, uint32_t port)
{
	return xenevtchn_notify(ev->xce, port);
}

static void *map_guest_page(void *ctx, uint64_t gfn)
{
	struct xen_backend *x = ctx;
	xen_pfn_t pfn = (xen_pfn_t)gfn;
	int err = 0;
	void *page;

	page = xenforeignmemory_map(x->fmem, x->domid, PROT_READ | PROT_WRITE,
				    1, &pfn, &err);
	if (page && err) {
		xenforeignmemory_unmap(x->fmem, page, 1);
		return NULL;
	}
	return page;
}

static void unmap_guest_page(void *ctx, void *page)
{
	struct xen_backend *x = ctx;

	xenforeignmemory_unmap(x->fmem, page, 1);
}

static const struct mapcache_ops guest_page_ops = {
	.map = map_guest_page,
	.unmap = unmap_guest_page,
};

static int xen_guest_read(struct ioreq_backend *be, uint64_t gpa, void *buf,
			  size_t len)
{
	return mapcache_copy(&to_xen(be)->guest_pages, gpa, buf, len, false);
}

static int xen_guest_write(struct ioreq_backend *be, uint64_t gpa,
			   const void *buf, size_t len)
{
	return mapcache_copy(&to_xen(be)->guest_pages, gpa, (void *)buf, len,
			     true);
}

static void xen_guest_invalidate(struct ioreq_backend *be)
{
	mapcache_invalidate(&to_xen(be)->guest_pages);
}

/* Every libxen handle registers with xentoolcore, so one call restricts
 * the devicemodel, foreignmemory and event-channel handles alike. */
static int xen_restrict(struct ioreq_backend *be)
{
	return xentoolcore_restrict_all(to_xen(be)->domid);
}

/* Domain death: xenstore and domctls are out of reach once the handles
 * are restricted, but a dm_op on our own server still works, and Xen
 * destroys a domain's ioreq servers when the domain dies. So a timer
 * asks once a second whether the server still exists. It is created at
 * open, before seccomp confines the process (timerfd_create is not on the
 * serving allow-list). */
static int open_liveness_timer(struct xen_backend *x)
{
	struct itimerspec every_second = {{1, 0}, {1, 0}};

	x->liveness_timer =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (x->liveness_timer < 0)
		return -1;
	return timerfd_settime(x->liveness_timer, 0, &every_second, NULL);
}

static int xen_domain_fd(struct ioreq_backend *be)
{
	return to_xen(be)->liveness_timer;
}

static bool xen_domain_alive(struct ioreq_backend *be)
{
	struct xen_backend *x = to_xen(be);
	evtchn_port_t port;
	uint64_t ticks;

	if (read(x->liveness_timer, &ticks, sizeof(ticks)) < 0 &&
	    errno != EAGAIN)
		return true;
	if (!x->server_created)
		return true;
	if (xendevicemodel_get_ioreq_server_info(x->dm, x->domid, x->server,
						 NULL, NULL, &port) == 0)
		return true;
	return errno != ESRCH && errno != ENOENT;
}

/* Must run before the handles are restricted: unpausing is a domctl.
 * A domain that already runs is left alone: Xen refuses to unpause it
 * (EINVAL), and an mmiod restarted under a running guest must not fail. */
static int xen_unpause(struct ioreq_backend *be)
{
	struct xen_backend *x = to_xen(be);
	xc_dominfo_t info;

	if (xc_domain_getinfo(x->xc, x->domid, 1, &info) == 1 &&
	    info.domid == x->domid && !info.paused)
		return 0;
	return xc_domain_unpause(x->xc, x->domid);
}

static int xen_set_isa_irq(struct ioreq_backend *be, unsigned irq, bool level)
{
	struct xen_backend *x = to_xen(be);

	return xendevicemodel_set_isa_irq_level(x->dm, x->domid, (uint8_t)irq,
						level);
}

static int xen_set_pci_intx(struct ioreq_backend *be, uint32_t sbdf,
			    unsigned pin, bool level)
{
	struct xen_backend *x = to_xen(be);

	return xendevicemodel_set_pci_intx_level(
		x->dm, x->domid, (uint16_t)(sbdf >> 16), (uint8_t)(sbdf >> 8),
		(uint8_t)((sbdf >> 3) & 31), (uint8_t)pin, level);
}

static int xen_inject_msi(struct ioreq_backend *be, uint64_t addr,
			  uint32_t data)
{
	struct xen_backend *x = to_xen(be);

	return xendevicemodel_inject_msi(x->dm, x->domid, addr, data);
}

/* serial, serial/N and serial/N/tty: dom0's, the guest may read them. A
 * guest owns its /local/domain/DOMID, so nodes created there would be
 * its to change. */
static int publish_nodes(struct xs_handle *xs, xs_transaction_t t,
			 domid_t domid, unsigned n, const char *path)
{
	struct xs_permissions perms[2] = {{0, XS_PERM_NONE},
					  {domid, XS_PERM_READ}};
	char node[3][64];

	snprintf(node[0], sizeof(node[0]), "/local/domain/%u/serial", domid);
	snprintf(node[1], sizeof(node[1]), "/local/domain/%u/serial/%u", domid,
		 n);
	snprintf(node[2], sizeof(node[2]), "/local/domain/%u/serial/%u/tty",
		 domid, n);
	if (!xs_write(xs, t, node[2], path, (unsigned)strlen(path)))
		return -1;
	for (int i = 0; i < 3; i++)
		if (!xs_set_permissions(xs, t, node[i], perms, 2))
			return -1;
	return 0;
}

static int xen_publish_console(struct ioreq_backend *be, unsigned n,
			       const char *path)
{
	domid_t domid = to_xen(be)->domid;
	struct xs_handle *xs = xs_open(0);
	int rc = -1, err = EIO;

	if (!xs)
		return -1;
	/* A transaction that ends in EAGAIN met another writer: again. */
	for (int tries = 0; tries < 10; tries++) {
		xs_transaction_t t = xs_transaction_start(xs);
		bool written;

		if (t == XBT_NULL) {
			err = errno;
			break;
		}
		written = publish_nodes(xs, t, domid, n, path) == 0;
		err = errno;
		if (xs_transaction_end(xs, t, !written)) {
			rc = written ? 0 : -1;
			break;
		}
		err = errno;
		if (!written || errno != EAGAIN)
			break;
	}
	xs_close(xs);
	errno = err;
	return rc;
}

static int xen_server_id(struct ioreq_backend *be)
{
	struct xen_backend *x = to_xen(be);

	return x->server_created ? (int)x->server : -1;
}

/* Destroying now would leave the vCPUs waiting in it blocked for good:
 * remember it for the engine's take-over (stale_map, stale_destroy). */
static int xen_destroy_stale(struct ioreq_backend *be, int server_id)
{
	struct xen_backend *x = to_xen(be);
	evtchn_port_t port;

	if (xendevicemodel_get_ioreq_server_info(
		    x->dm, x->domid, (ioservid_t)server_id, NULL, NULL, &port))
		return -1;
	x->stale_server = server_id;
	return 0;
}

static int xen_stale_destroy(struct ioreq_backend *be, shared_iopage_t *page)
{
	struct xen_backend *x = to_xen(be);
	int rc;

	(void)page; /* it lives in stale_resource */
	if (x->stale_resource)
		xenforeignmemory_unmap_resource(x->fmem, x->stale_resource);
	x->stale_resource = NULL;
	rc = xendevicemodel_destroy_ioreq_server(x->dm, x->domid,
						 (ioservid_t)x->stale_server);
	x->stale_server = -1;
	return rc;
}

static shared_iopage_t *xen_stale_map(struct ioreq_backend *be, int *id)
{
	struct xen_backend *x = to_xen(be);
	ioservid_t server = (ioservid_t)x->stale_server;
	void *page = NULL;

	if (x->stale_server < 0)
		return NULL;
	*id = x->stale_server;
	x->stale_resource = xenforeignmemory_map_resource(
		x->fmem, x->domid, XENMEM_resource_ioreq_server, server,
		XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &page,
		PROT_READ | PROT_WRITE, 0);
	if (xendevicemodel_set_ioreq_server_state(x->dm, x->domid, server, 0))
		log_warn("cannot disable stale ioreq server %d: %s", *id,
			 strerror(errno));
	if (!x->stale_resource) {
		log_warn("cannot map stale ioreq server %d: %s", *id,
			 strerror(errno));
		xen_stale_destroy(be, NULL);
	}
	return page;
}

static void xen_close(struct ioreq_backend *be)
{
	struct xen_backend *x = to_xen(be);

	if (x->liveness_timer >= 0)
		close(x->liveness_timer);
	if (x->xc)
		xc_interface_close(x->xc);
	mapcache_destroy(&x->guest_pages);
	if (x->fmem)
		xenforeignmemory_close(x->fmem);
	if (x->dm)
		xendevicemodel_close(x->dm);
	free(x);
}

static const struct ioreq_backend_ops xen_ops = {
	.create_server = xen_create_server,
	.set_enabled = xen_set_enabled,
	.map_range = xen_map_range,
	.destroy_server = xen_destroy_server,
	.evtchn_open = xen_evtchn_open,
	.evtchn_close = xen_evtchn_close,
	.evtchn_bind = xen_evtchn_bind,
	.evtchn_fd = xen_evtchn_fd,
	.evtchn_pending = xen_evtchn_pending,
	.evtchn_unmask = xen_evtchn_unmask,
	.evtchn_notify = xen_evtchn_notify,
	.guest_read = xen_guest_read,
	.guest_write = xen_guest_write,
	.guest_invalidate = xen_guest_invalidate,
	.restrict_to_domain = xen_restrict,
	.domain_fd = xen_domain_fd,
	.domain_alive = xen_domain_alive,
	.unpause = xen_unpause,
	.set_isa_irq = xen_set_isa_irq,
	.set_pci_intx = xen_set_pci_intx,
	.inject_msi = xen_inject_msi,
	.publish_console = xen_publish_console,
	.server_id = xen_server_id,
	.destroy_stale = xen_destroy_stale,
	.stale_map = xen_stale_map,
	.stale_destroy = xen_stale_destroy,
	.close = xen_close,
};

/* Whether the domain emulates an IOAPIC (HVM) or not (PVH): a domctl,
 * so read while the handles are not yet restricted. */
static int read_platform(struct xen_backend *x)
{
	xc_dominfo_t info;

	x->xc = xc_interface_open(NULL, NULL, 0);
	if (!x->xc || xc_domain_getinfo(x->xc, x->domid, 1, &info) != 1 ||
	    info.domid != x->domid) {
		log_error("cannot read domain %u's platform: %s", x->domid,
			  strerror(errno));
		return -1;
	}
	x->be.hvm = info.arch_config.emulation_flags & XEN_X86_EMU_IOAPIC;
	return 0;
}

struct ioreq_backend *ioreq_backend_xen_open(uint32_t domid)
{
	struct xen_backend *x = calloc(1, sizeof(*x));
	unsigned int vcpus = 0;

	if (!x)
		return NULL;
	x->be.ops = &xen_ops;
	x->domid = (domid_t)domid;
	x->liveness_timer = -1;
	x->stale_server = -1;
	mapcache_init(&x->guest_pages, &guest_page_ops, x);
	x->dm = xendevicemodel_open(NULL, 0);
	x->fmem = xenforeignmemory_open(NULL, 0);
	if (!x->dm || !x->fmem) {
		log_error("cannot open the Xen device-model interfaces: %s "
			  "(is this dom0, with /dev/xen mounted?)",
			  strerror(errno));
		goto fail;
	}
	/* Every vCPU the domain may ever have, not only the online ones:
	 * a PVH guest brings its other vCPUs up later. */
	if (xendevicemodel_nr_vcpus(x->dm, x->domid, &vcpus) || vcpus == 0) {
		log_error("cannot read domain %u's vCPU count: %s", domid,
			  strerror(errno));
		goto fail;
	}
	x->be.nr_vcpus = vcpus;
	if (read_platform(x))
		goto fail;
	if (open_liveness_timer(x)) {
		log_error("cannot create the liveness timer: %s",
			  strerror(errno));
		goto fail;
	}
	return &x->be;
fail:
	xen_close(&x->be);
	return NULL;
}

int ioreq_xen_find_domain(const char *name, uint32_t *domid)
{
	struct xs_handle *xs = xs_open(XS_OPEN_READONLY);
	unsigned int n = 0;
	char **ids;
	int rc = -1, err;

	if (!xs) {
		errno = ENOTCONN; /* told apart from "no such domain" */
		return -1;
	}
	ids = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	/* What xs_read and xs_close leave in errno is not the answer. */
	err = ids ? ENOENT : errno;
	for (unsigned int i = 0; ids && i < n && rc; i++) {
		char path[64];
		unsigned int len;
		char *value;

		snprintf(path, sizeof(path), "/local/domain/%s/name", ids[i]);
		value = xs_read(xs, XBT_NULL, path, &len);
		if (value && strcmp(value, name) == 0) {
			*domid = (uint32_t)strtoul(ids[i], NULL, 10);
			rc = 0;
		}
		free(value);
	}
	free(ids);
	xs_close(xs);
	errno = err;
	return rc;
}
