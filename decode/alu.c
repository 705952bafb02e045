/* SPDX-License-Identifier: BSD-2-Clause */
/* alu.c - the arithmetic of the read-modify-write instructions and the
 * RFLAGS bits each defines (Intel SDM vol. 2, per instruction). Bits an
 * instruction leaves undefined are left as they were, except AF after the
 * logic instructions, which is cleared as QEMU and hardware commonly do. */
#include "decode_internal.h"

static uint64_t sign_bit(unsigned size)
{
	return 1ull << (size * 8 - 1);
}

/* ZF, SF and PF of a result. */
static uint64_t result_flags(uint64_t res, unsigned size)
{
	uint64_t f = 0;

	if ((res & access_mask(size)) == 0)
		f |= FLAG_ZF;
	if (res & sign_bit(size))
		f |= FLAG_SF;
	if (!__builtin_parity((unsigned)(res & 0xff)))
		f |= FLAG_PF; /* even number of set bits in the low byte */
	return f;
}

/* a + b + carry_in, with CF, OF, AF, ZF, SF, PF. */
static uint64_t add_flags(uint64_t a, uint64_t b, unsigned carry_in,
			  unsigned size, uint64_t *flags)
{
	uint64_t mask = access_mask(size);
	uint64_t res = (a + b + carry_in) & mask;
	bool carry = res < a || (carry_in && res == a);

	if (size < 8)
		carry = ((a & mask) + (b & mask) + carry_in) > mask;
	*flags = result_flags(res, size) | (carry ? FLAG_CF : 0) |
		 (((a ^ res) & (b ^ res) & sign_bit(size)) ? FLAG_OF : 0) |
		 (((a ^ b ^ res) & 0x10) ? FLAG_AF : 0);
	return res;
}

/* a - b - borrow_in, with CF (borrow), OF, AF, ZF, SF, PF. */
static uint64_t sub_flags(uint64_t a, uint64_t b, unsigned borrow_in,
			  unsigned size, uint64_t *flags)
{
	uint64_t mask = access_mask(size);
	uint64_t res = (a - b - borrow_in) & mask;
	bool borrow = a < b || (borrow_in && a == b);

	*flags = result_flags(res, size) | (borrow ? FLAG_CF : 0) |
		 (((a ^ b) & (a ^ res) & sign_bit(size)) ? FLAG_OF : 0) |
		 (((a ^ b ^ res) & 0x10) ? FLAG_AF : 0);
	return res;
}

uint64_t alu_compute(enum alu_op op, uint64_t a, uint64_t b, unsigned size,
		     uint64_t *rflags)
{
	uint64_t mask = access_mask(size);
	unsigned cf = (*rflags & FLAG_CF) != 0;
	uint64_t f = 0, res, bit;
	uint64_t defined = FLAGS_ARITH;

	a &= mask;
	b &= mask;
	switch (op) {
	case ALU_ADD:
		res = add_flags(a, b, 0, size, &f);
		break;
	case ALU_ADC:
		res = add_flags(a, b, cf, size, &f);
		break;
	case ALU_SUB:
	case ALU_CMP:
		res = sub_flags(a, b, 0, size, &f);
		break;
	case ALU_SBB:
		res = sub_flags(a, b, cf, size, &f);
		break;
	case ALU_AND:
	case ALU_TEST:
		res = a & b;
		f = result_flags(res, size); /* CF = OF = AF = 0 */
		break;
	case ALU_OR:
		res = a | b;
		f = result_flags(res, size);
		break;
	case ALU_XOR:
		res = a ^ b;
		f = result_flags(res, size);
		break;
	case ALU_INC: /* CF is not touched */
		res = add_flags(a, 1, 0, size, &f);
		defined &= ~(uint64_t)FLAG_CF;
		break;
	case ALU_DEC:
		res = sub_flags(a, 1, 0, size, &f);
		defined &= ~(uint64_t)FLAG_CF;
		break;
	case ALU_NEG: /* CF is set unless the operand was 0 */
		res = sub_flags(0, a, 0, size, &f);
		break;
	case ALU_NOT:
		return ~a & mask; /* no flags */
	case ALU_XCHG:
		return b; /* the register's value goes to memory */
	case ALU_BT:
	case ALU_BTS:
	case ALU_BTR:
	case ALU_BTC:
		/* The bit offset is taken modulo the operand width; the
		 * address part of a register offset is already in the
		 * faulting address. Only CF is defined. */
		bit = 1ull << (b & (size * 8 - 1));
		f = (a & bit) ? FLAG_CF : 0;
		defined = FLAG_CF;
		res = op == ALU_BTS   ? a | bit
		      : op == ALU_BTR ? a & ~bit
		      : op == ALU_BTC ? a ^ bit
				      : a;
		break;
	default:
		return a;
	}
	*rflags = (*rflags & ~defined) | (f & defined);
	return res & mask;
}
