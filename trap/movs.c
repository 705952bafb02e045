/* SPDX-License-Identifier: BSD-2-Clause */
/* movs.c - the ordinary-memory side of a MOVS that faulted on a window.
 * mmiod serves the window's side; the record carries the other side's
 * elements (mmiod-fault.h), which only this process can reach. */
#include <sys/uio.h>
#include <unistd.h>

#include "trap_internal.h"

#define FLAG_DF (1u << 10)

struct movs {
	unsigned size;	    /* bytes per element */
	uint64_t addr_mask; /* RSI, RDI and RCX width */
	bool rep;
};

/* Whether insn is MOVS (A4/A5 after legacy prefixes and REX), and its
 * shape. A segment override other than the flat ones is refused by the
 * caller: FS and GS have bases the record doesn't carry. */
static int movs_shape(const uint8_t *insn, size_t len, struct movs *m,
		      const char **why)
{
	bool opsize16 = false, rex_w = false;
	size_t i = 0;

	m->addr_mask = ~0ull;
	m->rep = false;
	for (; i < len; i++) {
		uint8_t b = insn[i];

		if (b == 0x66)
			opsize16 = true;
		else if (b == 0x67)
			m->addr_mask = 0xffffffffull;
		else if (b == 0xf2 || b == 0xf3)
			m->rep = true;
		else if (b == 0x64 || b == 0x65) {
			*why = "movs with an fs or gs override";
			return -1;
		} else if (b != 0x26 && b != 0x2e && b != 0x36 && b != 0x3e &&
			   b != 0xf0)
			break;
	}
	/* REX counts only right before the opcode. */
	if (i < len && (insn[i] & 0xf0) == 0x40)
		rex_w = insn[i++] & 8;
	if (i >= len || (insn[i] != 0xa4 && insn[i] != 0xa5))
		return 0;
	m->size = insn[i] == 0xa4 ? 1 : rex_w ? 8 : opsize16 ? 2 : 4;
	return 1;
}

/* The elements mmiod moves in this fault: all that are left, up to what a
 * record holds and to the end of the window's page (mmiod's own limits,
 * so that it finds every element it needs in data[]). */
static uint32_t movs_elements(const struct mmiod_fault_request *req,
			      const struct movs *m, bool down)
{
	uint64_t count = m->rep ? req->regs[MMIOD_RCX] & m->addr_mask : 1;
	uint64_t off = req->gpa & (TRAP_PAGE - 1);
	uint64_t in_page =
		down ? off / m->size + 1 : (TRAP_PAGE - off) / m->size;

	if (count > in_page)
		count = in_page ? in_page : 1; /* one straddling the end */
	return count > MMIOD_FAULT_MAX_DATA ? MMIOD_FAULT_MAX_DATA
					    : (uint32_t)count;
}

/* The n elements from addr upwards (or downwards) as one iovec, and
 * element i's place in it. */
static uintptr_t lowest(uint64_t addr, const struct movs *m, uint32_t n,
			bool down)
{
	return (uintptr_t)(down ? addr - (uint64_t)(n - 1) * m->size : addr);
}

static size_t slot(uint32_t i, uint32_t n, bool down)
{
	return down ? n - 1 - i : i;
}

/* Memory is reached with process_vm_readv/writev: an address out of reach
 * is an error to report, not a second SIGSEGV inside this handler. */
static int copy_elements(uintptr_t at, void *buf, size_t len, bool store)
{
	struct iovec local = {buf, len}, remote = {(void *)at, len};
	ssize_t n =
		store ? process_vm_writev(getpid(), &local, 1, &remote, 1, 0)
		      : process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	return n == (ssize_t)len ? 0 : -1;
}

static uint64_t element(const uint8_t *buf, unsigned size)
{
	uint64_t v = 0;

	for (unsigned b = size; b-- > 0;)
		v = v << 8 | buf[b]; /* x86 is little-endian */
	return v;
}

int trap_movs_fill(struct mmiod_fault_request *req, const char **why)
{
	uint8_t buf[MMIOD_FAULT_MAX_DATA * 8];
	bool down = req->regs[MMIOD_RFLAGS] & FLAG_DF;
	struct movs m;
	uint32_t n;
	int is;

	req->data_count = 0;
	is = movs_shape(req->insn, req->insn_len, &m, why);
	if (is <= 0 || req->dir != 0) /* not a MOVS into the window */
		return is < 0 ? -1 : 0;
	n = movs_elements(req, &m, down);
	if (copy_elements(
		    lowest(req->regs[MMIOD_RSI] & m.addr_mask, &m, n, down),
		    buf, (size_t)n * m.size, false)) {
		*why = "movs: its source memory (rsi) is out of reach";
		return -1;
	}
	for (uint32_t i = 0; i < n; i++)
		req->data[i] = element(buf + slot(i, n, down) * m.size, m.size);
	req->data_count = n;
	return 0;
}

int trap_movs_store(const struct mmiod_fault_request *req,
		    const struct mmiod_fault_reply *reply, const char **why)
{
	uint8_t buf[MMIOD_FAULT_MAX_DATA * 8];
	bool down = req->regs[MMIOD_RFLAGS] & FLAG_DF;
	uint32_t n = reply->data_count;
	struct movs m;

	if (req->dir != 1 || n == 0 || n > MMIOD_FAULT_MAX_DATA ||
	    movs_shape(req->insn, req->insn_len, &m, why) <= 0)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		for (unsigned b = 0; b < m.size; b++)
			buf[slot(i, n, down) * m.size + b] =
				(uint8_t)(reply->data[i] >> (8 * b));
	if (copy_elements(
		    lowest(req->regs[MMIOD_RDI] & m.addr_mask, &m, n, down),
		    buf, (size_t)n * m.size, true)) {
		*why = "movs: its destination memory (rdi) is out of reach";
		return -1;
	}
	return 0;
}
