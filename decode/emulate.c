/* SPDX-License-Identifier: BSD-2-Clause */
/* emulate.c - perform a decoded access and apply it to the registers as
 * the CPU would have. */
#include <stdio.h>
#include <string.h>

#include "decode_internal.h"

#define PAGE_SIZE 4096u

uint64_t reg_read(const struct regs *regs, const struct reg_operand *op)
{
	uint64_t v = regs->r[op->reg];

	if (op->high8)
		return (v >> 8) & 0xff;
	return v & access_mask(op->size);
}

/* The architecture's write-back rules: an 8- or 16-bit destination
 * merges into the register; AH..BH are bits 8-15; a 32-bit destination
 * zero-extends into bits 63:32 (in 64-bit mode; the upper half doesn't
 * exist in the others, so zeroing it is harmless there). */
void reg_write(struct regs *regs, const struct reg_operand *op, uint64_t value)
{
	uint64_t *r = &regs->r[op->reg];

	if (op->high8) {
		*r = (*r & ~0xff00ull) | ((value & 0xff) << 8);
		return;
	}
	switch (op->size) {
	case 1:
		*r = (*r & ~0xffull) | (value & 0xff);
		break;
	case 2:
		*r = (*r & ~0xffffull) | (value & 0xffff);
		break;
	case 4:
		*r = value & 0xffffffffull;
		break;
	default:
		*r = value;
		break;
	}
}

static uint64_t byte_swap(uint64_t v, unsigned size)
{
	switch (size) {
	case 2:
		return __builtin_bswap16((uint16_t)v);
	case 4:
		return __builtin_bswap32((uint32_t)v);
	case 8:
		return __builtin_bswap64(v);
	default:
		return v;
	}
}

static uint64_t extend(uint64_t v, unsigned size, enum extend how)
{
	unsigned shift = 64 - 8 * size;

	v &= access_mask(size);
	if (how == EXTEND_SIGN && size < 8)
		return (uint64_t)((int64_t)(v << shift) >> shift);
	return v;
}

/* The IP wraps at the mode's width. */
static void advance_rip(struct regs *regs, enum cpu_mode mode, unsigned n)
{
	uint64_t ip = regs->r[REG_RIP] + n;

	regs->r[REG_RIP] = mode == CPU_MODE_64	 ? ip
			   : mode == CPU_MODE_32 ? ip & 0xffffffffull
						 : ip & 0xffff;
}

uint64_t decode_effective_address(const struct decoded *d,
				  const struct regs *regs)
{
	uint64_t ea = (uint64_t)d->ea_disp;

	if (d->kind == KIND_STRING)
		return regs->r[d->string == STRING_LODS ? REG_RSI : REG_RDI];
	if (d->ea_rip_relative)
		ea += regs->r[REG_RIP] + d->length;
	if (d->ea_base >= 0)
		ea += regs->r[d->ea_base];
	if (d->ea_index >= 0)
		ea += regs->r[d->ea_index] * d->ea_scale;
	if (d->op >= ALU_BT && d->op <= ALU_BTC && !d->has_imm) {
		/* A register bit offset is signed and reaches past the
		 * operand: the CPU accesses the operand-sized word that
		 * holds the bit, EA + size * (offset >> log2(width)). */
		unsigned shift = d->size == 2 ? 4 : d->size == 4 ? 5 : 6;
		int64_t off = (int64_t)extend(reg_read(regs, &d->reg), d->size,
					      EXTEND_SIGN);

		ea += (uint64_t)((off >> shift) * (int64_t)d->size);
	}
	return ea;
}

static int check_fault(const struct fault *f, const struct decoded *dc,
		       const struct regs *regs, char *err, size_t errlen)
{
	bool dir_ok;

	if (f->size && f->size != dc->size) {
		snprintf(err, errlen,
			 "the fault is a %u-byte access but %s accesses %u "
			 "bytes",
			 f->size, dc->mnemonic, dc->size);
		return -1;
	}
	switch (dc->kind) {
	case KIND_WRITE:
		dir_ok = f->dir == IO_WRITE;
		break;
	case KIND_READ:
	case KIND_READ_FLAGS:
		dir_ok = f->dir == IO_READ;
		break;
	case KIND_STRING:
		dir_ok = dc->string == STRING_MOVS ||
			 (dc->string == STRING_STOS) == (f->dir == IO_WRITE);
		break;
	default: /* RMW: the read, or the write of a read-only page */
		dir_ok = true;
		break;
	}
	if (!dir_ok) {
		snprintf(err, errlen, "the fault is a %s but %s %s memory",
			 f->dir == IO_WRITE ? "write" : "read", dc->mnemonic,
			 f->dir == IO_WRITE ? "only reads" : "only writes");
		return -1;
	}
	if (dc->kind != KIND_STRING && dc->ea_checkable) {
		/* Paging keeps the page offset: the linear address the
		 * instruction computes must end like the faulting gpa. */
		uint64_t ea = decode_effective_address(dc, regs);

		if ((ea ^ f->gpa) & (PAGE_SIZE - 1)) {
			snprintf(err, errlen,
				 "%s addresses 0x%llx, which can't be the "
				 "faulting gpa 0x%llx (page offsets differ)",
				 dc->mnemonic, (unsigned long long)ea,
				 (unsigned long long)f->gpa);
			return -1;
		}
	}
	return 0;
}

static int mmio_read(const struct emulate_ops *ops, void *ctx, uint64_t gpa,
		     unsigned size, uint64_t *v, char *err, size_t errlen)
{
	if (ops->mmio_read(ctx, gpa, size, v) == 0) {
		*v &= access_mask(size);
		return 0;
	}
	snprintf(err, errlen, "the read of 0x%llx failed",
		 (unsigned long long)gpa);
	return -1;
}

static int mmio_write(const struct emulate_ops *ops, void *ctx, uint64_t gpa,
		      unsigned size, uint64_t v, char *err, size_t errlen)
{
	if (ops->mmio_write(ctx, gpa, size, v & access_mask(size)) == 0)
		return 0;
	snprintf(err, errlen, "the write of 0x%llx failed",
		 (unsigned long long)gpa);
	return -1;
}

static int emulate_rmw(const struct decoded *dc, const struct fault *f,
		       struct regs *regs, const struct emulate_ops *ops,
		       void *ctx, char *err, size_t errlen)
{
	uint64_t *flags = &regs->r[REG_RFLAGS];
	uint64_t mem, src = 0, res;

	if (mmio_read(ops, ctx, f->gpa, dc->size, &mem, err, errlen))
		return -1;
	if (dc->has_imm)
		src = dc->imm;
	else if (dc->reg.reg >= 0)
		src = reg_read(regs, &dc->reg);
	if (dc->op == ALU_XCHG) {
		reg_write(regs, &dc->reg, mem);
		return mmio_write(ops, ctx, f->gpa, dc->size, src, err, errlen);
	}
	if (dc->kind == KIND_READ_FLAGS) {
		/* CMP subtracts the second operand from the first. */
		if (dc->mem_is_dest)
			alu_compute(dc->op, mem, src, dc->size, flags);
		else
			alu_compute(dc->op, src, mem, dc->size, flags);
		return 0;
	}
	if (!dc->mem_is_dest) { /* e.g. add rax, [mmio]: result to reg */
		res = alu_compute(dc->op, src, mem, dc->size, flags);
		reg_write(regs, &dc->reg, res);
		return 0;
	}
	res = alu_compute(dc->op, mem, src, dc->size, flags);
	return mmio_write(ops, ctx, f->gpa, dc->size, res, err, errlen);
}

static uint64_t addr_reg(const struct regs *regs, enum reg r, unsigned size)
{
	return regs->r[r] & access_mask(size);
}

static void set_addr_reg(struct regs *regs, enum reg r, unsigned size,
			 uint64_t v)
{
	struct reg_operand op = {r, size, false};

	reg_write(regs, &op, v);
}

/* Elements the MMIO side can take before it leaves the faulting page:
 * the next guest-physical page needn't follow, so the CPU faults again
 * there. At least the faulting one, even if it straddles the page end:
 * with none, the CPU would fault on it again forever. */
static uint64_t elements_in_page(uint64_t gpa, unsigned size, bool down)
{
	uint64_t off = gpa & (PAGE_SIZE - 1);
	uint64_t n = down ? off / size + 1 : (PAGE_SIZE - off) / size;

	return n ? n : 1;
}

/* One element of a string instruction at gpa; RSI/RDI are not moved. */
static int string_element(const struct decoded *dc, const struct fault *f,
			  struct regs *regs, const struct emulate_ops *ops,
			  void *ctx, uint64_t gpa, char *err, size_t errlen)
{
	struct reg_operand rax = {REG_RAX, dc->size, false};
	uint64_t si = addr_reg(regs, REG_RSI, dc->addr_size);
	uint64_t di = addr_reg(regs, REG_RDI, dc->addr_size);
	uint64_t v;

	switch (dc->string) {
	case STRING_STOS:
		return mmio_write(ops, ctx, gpa, dc->size, reg_read(regs, &rax),
				  err, errlen);
	case STRING_LODS:
		if (mmio_read(ops, ctx, gpa, dc->size, &v, err, errlen))
			return -1;
		reg_write(regs, &rax, v);
		return 0;
	case STRING_MOVS:
		break;
	}
	/* MOVS: the faulting side is MMIO; the other is memory. */
	if (f->dir == IO_WRITE) {
		if (!ops->mem_read || ops->mem_read(ctx, si, dc->size, &v)) {
			snprintf(err, errlen,
				 "movs: source memory at 0x%llx is out of "
				 "reach",
				 (unsigned long long)si);
			return -1;
		}
		return mmio_write(ops, ctx, gpa, dc->size, v, err, errlen);
	}
	if (mmio_read(ops, ctx, gpa, dc->size, &v, err, errlen))
		return -1;
	if (!ops->mem_write || ops->mem_write(ctx, di, dc->size, v)) {
		snprintf(err, errlen,
			 "movs: destination memory at 0x%llx is out of reach",
			 (unsigned long long)di);
		return -1;
	}
	return 0;
}

static int emulate_string(const struct decoded *dc, const struct fault *f,
			  struct regs *regs, const struct emulate_ops *ops,
			  void *ctx, unsigned max_rep, char *err, size_t errlen)
{
	bool down = regs->r[REG_RFLAGS] & FLAG_DF;
	uint64_t count = dc->rep ? addr_reg(regs, REG_RCX, dc->addr_size) : 1;
	uint64_t n = count, step = dc->size;

	if (n > max_rep)
		n = max_rep;
	if (n > elements_in_page(f->gpa, dc->size, down))
		n = elements_in_page(f->gpa, dc->size, down);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t gpa = down ? f->gpa - i * step : f->gpa + i * step;
		uint64_t si = addr_reg(regs, REG_RSI, dc->addr_size);
		uint64_t di = addr_reg(regs, REG_RDI, dc->addr_size);

		if (string_element(dc, f, regs, ops, ctx, gpa, err, errlen)) {
			/* The elements done stay done, and the registers
			 * must say so, as after an interrupted REP: a
			 * retry that repeated them would repeat their
			 * device writes. Nothing done: nothing changes. */
			if (i == 0 || !dc->rep)
				return -1;
			n = i;
			break;
		}
		/* RSI, RDI (and RCX) are as wide as the address size. */
		if (dc->string != STRING_STOS)
			set_addr_reg(regs, REG_RSI, dc->addr_size,
				     down ? si - step : si + step);
		if (dc->string != STRING_LODS)
			set_addr_reg(regs, REG_RDI, dc->addr_size,
				     down ? di - step : di + step);
	}
	if (dc->rep)
		set_addr_reg(regs, REG_RCX, dc->addr_size, count - n);
	/* A rep that is not finished executes again: RIP stays. */
	if (!dc->rep || count == n)
		advance_rip(regs, f->mode, dc->length);
	return 0;
}

enum emulate_status emulate_fault(struct decoder *d, const struct fault *f,
				  struct regs *regs,
				  const struct emulate_ops *ops, void *ctx,
				  char *err, size_t errlen)
{
	struct regs out = *regs;
	struct decoded dc;
	uint64_t v;
	int rc = 0;

	if (decode_insn(d, f->mode, f->insn, f->insn_len, &dc, err, errlen))
		return EMULATE_UNSUPPORTED;
	if (check_fault(f, &dc, regs, err, errlen))
		return EMULATE_MISMATCH;
	switch (dc.kind) {
	case KIND_WRITE:
		v = dc.has_imm ? dc.imm : reg_read(&out, &dc.reg);
		if (dc.byte_swap)
			v = byte_swap(v, dc.size);
		rc = mmio_write(ops, ctx, f->gpa, dc.size, v, err, errlen);
		break;
	case KIND_READ:
		rc = mmio_read(ops, ctx, f->gpa, dc.size, &v, err, errlen);
		if (dc.byte_swap)
			v = byte_swap(v, dc.size);
		reg_write(&out, &dc.reg, extend(v, dc.size, dc.extend));
		break;
	case KIND_RMW:
	case KIND_READ_FLAGS:
		rc = emulate_rmw(&dc, f, &out, ops, ctx, err, errlen);
		break;
	case KIND_STRING:
		rc = emulate_string(&dc, f, &out, ops, ctx,
				    ops->max_rep ? ops->max_rep
						 : EMULATE_MAX_REP,
				    err, errlen);
		if (rc == 0)
			*regs = out;
		return rc ? EMULATE_DEVICE_ERROR : EMULATE_OK;
	}
	if (rc)
		return EMULATE_DEVICE_ERROR;
	advance_rip(&out, f->mode, dc.length);
	*regs = out;
	return EMULATE_OK;
}
