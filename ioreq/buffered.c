/* SPDX-License-Identifier: BSD-2-Clause */
/* buffered.c - consume the buffered ioreq ring.
 *
 * Xen publishes slots read_pointer..write_pointer-1 (modulo
 * IOREQ_BUFFER_SLOT_NUM); an 8-byte write takes two slots, low half first.
 * We advance read_pointer atomically because Xen rewrites both pointers
 * with one 64-bit compare-and-swap to keep them small. The buffered port
 * is never notified back: Xen does not wait for these writes.
 */
#include "common/log.h"
#include "engine_internal.h"
#include "common/barrier.h"

static void consume(struct ioreq_worker *w, const buf_ioreq_t *slot,
		    uint64_t data)
{
	ioreq_t req = {
		.addr = slot->addr,
		.data = data,
		.count = 1,
		.size = 1u << slot->size,
		.dir = slot->dir,
		.type = slot->type,
	};

	COUNTER_INC(w->stats.buffered);
	if (req.dir != IOREQ_WRITE) {
		COUNTER_INC(w->stats.invalid);
		log_guest("buffered ring: a read (type %u, addr 0x%x) has no "
			  "reply path; dropped",
			  req.type, (unsigned)req.addr);
		return;
	}
	/* No vCPU waits on a buffered request: report it as vCPU 0. */
	ioreq_serve_request(w, &req, 0);
}

static void drain_locked(struct ioreq_worker *w, buffered_iopage_t *pg)
{
	for (;;) {
		uint32_t rp =
			__atomic_load_n(&pg->read_pointer, __ATOMIC_SEQ_CST);
		uint32_t wp =
			__atomic_load_n(&pg->write_pointer, __ATOMIC_SEQ_CST);
		uint32_t pending = wp - rp;
		buf_ioreq_t slot;
		uint64_t data;
		unsigned used;

		if (pending == 0)
			return;
		if (pending > IOREQ_BUFFER_SLOT_NUM) {
			/* Xen never publishes more than the ring holds: the
			 * slots can't be trusted. Skip them all. */
			COUNTER_INC(w->stats.invalid);
			log_guest("buffered ring: %u slots pending, more than "
				  "the ring holds; skipped",
				  pending);
			__atomic_fetch_add(&pg->read_pointer, pending,
					   __ATOMIC_SEQ_CST);
			continue;
		}
		/* The pointer before the slots it covers: pairs with Xen's
		 * wmb before it moves write_pointer. */
		xen_rmb();
		slot = pg->buf_ioreq[rp % IOREQ_BUFFER_SLOT_NUM];
		data = slot.data;
		used = 1;
		if (slot.size == 3) {
			if (pending < 2) {
				/* Half an 8-byte write: Xen publishes both
				 * slots at once, so this one is corrupt. */
				COUNTER_INC(w->stats.invalid);
				log_guest("buffered ring: 8-byte write without "
					  "its high half; dropped");
				__atomic_fetch_add(&pg->read_pointer, 1,
						   __ATOMIC_SEQ_CST);
				continue;
			}
			data |= (uint64_t)pg
					->buf_ioreq[(rp + 1) %
						    IOREQ_BUFFER_SLOT_NUM]
					.data
				<< 32;
			used = 2;
		}
		consume(w, &slot, data);
		/* Slots are consumed before Xen may reuse them. */
		xen_mb();
		__atomic_fetch_add(&pg->read_pointer, used, __ATOMIC_SEQ_CST);
	}
}

void ioreq_drain_buffered(struct ioreq_worker *w)
{
	struct ioreq_engine *e = w->engine;
	buffered_iopage_t *pg = e->be->buffered_page;

	if (!pg)
		return;
	/* The common case, an empty ring, takes no lock. */
	if (__atomic_load_n(&pg->read_pointer, __ATOMIC_SEQ_CST) ==
	    __atomic_load_n(&pg->write_pointer, __ATOMIC_SEQ_CST))
		return;
	pthread_mutex_lock(&e->buffered_lock);
	drain_locked(w, pg);
	pthread_mutex_unlock(&e->buffered_lock);
}
