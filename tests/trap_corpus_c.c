/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_corpus_c.c - the differential test's accessors as a driver writes
 * them: volatile pointers, |=, bit-fields, polling. The test links this
 * file four times, built by gcc and clang at -O0 and -O2, so it checks
 * whatever instructions those compilers choose; TRAP_C_CORPUS names each
 * build's table. Each accessor gets the device in rdi and a value in rsi.
 */
#include "trap_cpu.h"

struct regs {
	uint32_t ctrl;
	uint32_t status;
	uint8_t bytes[8];
	uint16_t halves[4];
	uint64_t wide;
	struct {
		uint32_t enable : 1;
		uint32_t mode : 3;
		uint32_t divisor : 12;
		uint32_t spare : 16;
	} bits;
	int8_t signed8;
	int16_t signed16;
	int32_t signed32;
};

typedef volatile struct regs dev;

static uint64_t read8(dev *d, uint64_t v)
{
	return d->bytes[3];
}

static uint64_t read16(dev *d, uint64_t v)
{
	return d->halves[1];
}

static uint64_t read32(dev *d, uint64_t v)
{
	return d->status;
}

static uint64_t read64(dev *d, uint64_t v)
{
	return d->wide;
}

static uint64_t read_signed(dev *d, uint64_t v)
{
	return (uint64_t)((int64_t)d->signed8 + d->signed16 + d->signed32);
}

static uint64_t write8(dev *d, uint64_t v)
{
	d->bytes[v & 7] = (uint8_t)v;
	return 0;
}

static uint64_t write16(dev *d, uint64_t v)
{
	d->halves[2] = (uint16_t)(v >> 7);
	return 0;
}

static uint64_t write32(dev *d, uint64_t v)
{
	d->ctrl = (uint32_t)v;
	return 0;
}

static uint64_t write64(dev *d, uint64_t v)
{
	d->wide = v;
	return 0;
}

static uint64_t write_const(dev *d, uint64_t v)
{
	d->status = 0x80000001u;
	d->wide = 0xfffffffffffffff0ull;
	return 0;
}

static uint64_t set_bits(dev *d, uint64_t v)
{
	d->ctrl |= 0x40;
	return 0;
}

static uint64_t clear_bits(dev *d, uint64_t v)
{
	d->status &= ~0x3u;
	return 0;
}

static uint64_t toggle_bits(dev *d, uint64_t v)
{
	d->bytes[0] ^= 0x81;
	return 0;
}

static uint64_t add_value(dev *d, uint64_t v)
{
	d->wide += v;
	return 0;
}

static uint64_t count_up(dev *d, uint64_t v)
{
	d->halves[0]++;
	d->ctrl--;
	return 0;
}

static uint64_t negate(dev *d, uint64_t v)
{
	d->signed32 = -d->signed32;
	d->ctrl = ~d->ctrl;
	return 0;
}

static uint64_t bitfield_write(dev *d, uint64_t v)
{
	d->bits.mode = v & 7;
	d->bits.enable = 1;
	return 0;
}

static uint64_t bitfield_read(dev *d, uint64_t v)
{
	return d->bits.divisor + d->bits.enable;
}

static uint64_t test_bit(dev *d, uint64_t v)
{
	return (d->status & 0x80) ? 11 : 22;
}

static uint64_t compare(dev *d, uint64_t v)
{
	return d->ctrl == (uint32_t)v || d->bytes[1] > 0x40;
}

static uint64_t poll_ready(dev *d, uint64_t v)
{
	unsigned tries = 0;

	while (!(d->bytes[5] & 1) && tries < 5)
		tries++;
	return tries;
}

static uint64_t read_modify_write(dev *d, uint64_t v)
{
	uint32_t c = d->ctrl;

	c = (c & ~0xf0u) | ((uint32_t)v & 0xf0u);
	d->ctrl = c;
	return c;
}

/* Atomic read-modify-writes are left out: clang -O0 makes even a
 * discarded __atomic_or_fetch a LOCK CMPXCHG loop, which mmiod doesn't
 * emulate. An exchange is one XCHG at every level. */
static uint64_t swap(dev *d, uint64_t v)
{
	return __atomic_exchange_n(&d->status, (uint32_t)v, __ATOMIC_SEQ_CST);
}

#define C(fn) {#fn, NULL, NULL, (const void *)fn, SETUP_C, C_FLAGS, 0, 0, 0},
/* A compiled accessor's last flag-setting instruction may be a logic one,
 * whose AF is undefined. */
#define C_FLAGS (CPU_ALL & ~CPU_AF)

const struct accessor TRAP_C_CORPUS[] = {
	C(read8) C(read16) C(read32) C(read64) C(read_signed) C(write8)
		C(write16) C(write32) C(write64) C(write_const) C(set_bits)
			C(clear_bits) C(toggle_bits) C(add_value) C(count_up)
				C(negate) C(bitfield_write) C(bitfield_read)
					C(test_bit) C(compare) C(poll_ready)
						C(read_modify_write) C(swap)};

#ifdef TRAP_C_CORPUS_LEN
const size_t trap_c_corpus_len =
	sizeof(TRAP_C_CORPUS) / sizeof(TRAP_C_CORPUS[0]);
#endif
