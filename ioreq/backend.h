/* SPDX-License-Identifier: BSD-2-Clause */
/* backend.h - what the engine needs from a transport: the contract
 * between ioreq/engine and the xen and sim backends. Private to ioreq/.
 *
 * Errors are -1 with errno set and nothing logged; the engine logs.
 */
#ifndef MMIOD_IOREQ_BACKEND_H
#define MMIOD_IOREQ_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/hvm/ioreq.h>

#include "common/range.h"
#include "ioreq.h"

struct ioreq_evtchn;

struct ioreq_backend_ops {
	/* Creates the server (buffered ioreqs in ATOMIC mode), maps its
	 * pages into be->ioreq_page / be->buffered_page and sets
	 * be->buffered_port. */
	int (*create_server)(struct ioreq_backend *be);
	int (*set_enabled)(struct ioreq_backend *be, bool enabled);
	int (*map_range)(struct ioreq_backend *be, enum io_space space,
			 struct range r, bool map);
	/* Unmaps the pages and destroys the server. */
	void (*destroy_server)(struct ioreq_backend *be);

	/* One event-channel handle: a pollable fd and its bound ports. */
	struct ioreq_evtchn *(*evtchn_open)(struct ioreq_backend *be);
	void (*evtchn_close)(struct ioreq_evtchn *ev);
	/* Binds the guest's remote port; returns the local port or -1. */
	int (*evtchn_bind)(struct ioreq_evtchn *ev, uint32_t remote_port);
	int (*evtchn_fd)(struct ioreq_evtchn *ev);
	/* The next pending local port, or -1 when none. Called only once
	 * poll() said evtchn_fd is readable. */
	int (*evtchn_pending)(struct ioreq_evtchn *ev);
	int (*evtchn_unmask)(struct ioreq_evtchn *ev, uint32_t port);
	int (*evtchn_notify)(struct ioreq_evtchn *ev, uint32_t port);

	/* Guest-physical memory for data_is_ptr; -1 (EFAULT) for any byte
	 * outside guest memory. May cross page boundaries. Thread-safe. */
	int (*guest_read)(struct ioreq_backend *be, uint64_t gpa, void *buf,
			  size_t len);
	int (*guest_write)(struct ioreq_backend *be, uint64_t gpa,
			   const void *buf, size_t len);
	/* Drops cached guest mappings (IOREQ_TYPE_INVALIDATE). */
	void (*guest_invalidate)(struct ioreq_backend *be);

	int (*restrict_to_domain)(struct ioreq_backend *be);
	int (*domain_fd)(struct ioreq_backend *be);
	/* Consumes the domain fd's event; false once the domain is gone
	 * or dying. */
	bool (*domain_alive)(struct ioreq_backend *be);
	int (*unpause)(struct ioreq_backend *be);
	int (*set_isa_irq)(struct ioreq_backend *be, unsigned irq, bool level);
	int (*set_pci_intx)(struct ioreq_backend *be, uint32_t sbdf,
			    unsigned pin, bool level);
	int (*inject_msi)(struct ioreq_backend *be, uint64_t addr,
			  uint32_t data);
	/* Tells the toolstack that serial n is at path (xen: xenstore, for
	 * xl console); NULL: nobody to tell. */
	int (*publish_console)(struct ioreq_backend *be, unsigned n,
			       const char *path);
	int (*server_id)(struct ioreq_backend *be);
	/* A server a killed predecessor left: remembered for stale_map,
	 * then 0 if it exists. */
	int (*destroy_stale)(struct ioreq_backend *be, int server_id);
	/* Once our server is live: the remembered
	 * stale server's ioreq page, mapped, with that server disabled so
	 * that new requests come to ours; NULL when there is none. Then
	 * stale_destroy unmaps the page and destroys the server. */
	shared_iopage_t *(*stale_map)(struct ioreq_backend *be, int *server_id);
	int (*stale_destroy)(struct ioreq_backend *be, shared_iopage_t *page);
	void (*close)(struct ioreq_backend *be);
};

struct ioreq_backend {
	const struct ioreq_backend_ops *ops;
	unsigned nr_vcpus;
	bool hvm; /* PIC and IOAPIC emulated; false: PVH */
	/* Valid between create_server and destroy_server. */
	shared_iopage_t *ioreq_page;
	buffered_iopage_t *buffered_page; /* NULL: no buffered ring */
	uint32_t buffered_port;		  /* remote port; 0: none */
};

#endif
