/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_random.c - the random mode's encodings: templates for every
 * instruction family mmiod emulates, with random prefixes and operands,
 * constrained only so that the access lands in the test's memory and no
 * register operand is one of the pointers. */
#include "trap_random.h"

#include <string.h>

#define NOAF (CPU_ALL & ~CPU_AF)
#define BITS (CPU_CF | CPU_ZF | CPU_DF)

enum form {
	F_MR,	 /* ModRM, register source (or destination if load) */
	F_RM,	 /* ModRM, register destination */
	F_MI,	 /* ModRM /n with an immediate */
	F_M,	 /* ModRM /n, memory only */
	F_BTR,	 /* BT* with a register bit offset */
	F_NOREG, /* MOVNTI: no 66 */
};

enum imm { I_NONE, I_8, I_Z }; /* imm8, or imm16/32 by operand size */

struct tmpl {
	uint8_t op[3], oplen;
	enum form form;
	int ext; /* ModRM.reg for /n forms */
	enum imm imm;
	bool byte_op;
	bool lockable;
	bool movbe;
	uint32_t flags;
};

static struct tmpl alu_tmpl(uint8_t op, bool byte_op, bool load)
{
	/* ADD OR ADC SBB AND SUB XOR CMP by opcode row. */
	static const uint32_t row_flags[8] = {
		CPU_ALL, NOAF, CPU_ALL, CPU_ALL, NOAF, CPU_ALL, NOAF, CPU_ALL};
	struct tmpl t = {{op},
			 1,
			 load ? F_RM : F_MR,
			 0,
			 I_NONE,
			 byte_op,
			 !load && op >> 3 != 7,
			 false,
			 row_flags[op >> 3]};

	return t;
}

static struct tmpl pick(uint64_t *s)
{
	static const uint32_t ext_flags[8] = {
		CPU_ALL, NOAF, CPU_ALL, CPU_ALL, NOAF, CPU_ALL, NOAF, CPU_ALL};
	static const struct tmpl fixed[] = {
		{{0x88}, 1, F_MR, 0, I_NONE, true, false, false, CPU_ALL},
		{{0x89}, 1, F_MR, 0, I_NONE, false, false, false, CPU_ALL},
		{{0x8a}, 1, F_RM, 0, I_NONE, true, false, false, CPU_ALL},
		{{0x8b}, 1, F_RM, 0, I_NONE, false, false, false, CPU_ALL},
		{{0xc6}, 1, F_MI, 0, I_8, true, false, false, CPU_ALL},
		{{0xc7}, 1, F_MI, 0, I_Z, false, false, false, CPU_ALL},
		{{0x0f, 0xb6}, 2, F_RM, 0, I_NONE, false, false, false, CPU_ALL},
		{{0x0f, 0xb7}, 2, F_RM, 0, I_NONE, false, false, false, CPU_ALL},
		{{0x0f, 0xbe}, 2, F_RM, 0, I_NONE, false, false, false, CPU_ALL},
		{{0x0f, 0xbf}, 2, F_RM, 0, I_NONE, false, false, false, CPU_ALL},
		{{0x63}, 1, F_RM, 0, I_NONE, false, false, false, CPU_ALL},
		{{0x84}, 1, F_MR, 0, I_NONE, true, false, false, NOAF},
		{{0x85}, 1, F_MR, 0, I_NONE, false, false, false, NOAF},
		{{0xf6}, 1, F_MI, 0, I_8, true, false, false, NOAF},
		{{0xf7}, 1, F_MI, 0, I_Z, false, false, false, NOAF},
		{{0xf6}, 1, F_M, 2, I_NONE, true, true, false, CPU_ALL},
		{{0xf7}, 1, F_M, 3, I_NONE, false, true, false, CPU_ALL},
		{{0xfe}, 1, F_M, 0, I_NONE, true, true, false, CPU_ALL},
		{{0xff}, 1, F_M, 1, I_NONE, false, true, false, CPU_ALL},
		{{0x86}, 1, F_MR, 0, I_NONE, true, true, false, CPU_ALL},
		{{0x87}, 1, F_MR, 0, I_NONE, false, true, false, CPU_ALL},
		{{0x0f, 0xa3}, 2, F_BTR, 0, I_NONE, false, false, false, BITS},
		{{0x0f, 0xab}, 2, F_BTR, 0, I_NONE, false, true, false, BITS},
		{{0x0f, 0xb3}, 2, F_BTR, 0, I_NONE, false, true, false, BITS},
		{{0x0f, 0xbb}, 2, F_BTR, 0, I_NONE, false, true, false, BITS},
		{{0x0f, 0xba}, 2, F_MI, 4, I_8, false, false, false, BITS},
		{{0x0f, 0xba}, 2, F_MI, 5, I_8, false, true, false, BITS},
		{{0x0f, 0xc3},
		 2,
		 F_NOREG,
		 0,
		 I_NONE,
		 false,
		 false,
		 false,
		 CPU_ALL},
		{{0x0f, 0x38, 0xf0},
		 3,
		 F_RM,
		 0,
		 I_NONE,
		 false,
		 false,
		 true,
		 CPU_ALL},
		{{0x0f, 0x38, 0xf1},
		 3,
		 F_MR,
		 0,
		 I_NONE,
		 false,
		 false,
		 true,
		 CPU_ALL},
	};
	uint64_t r = diff_random(s);
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	unsigned n = (unsigned)(r >> 8) & 7;
	struct tmpl t;

	switch (r % 4) {
	case 0: /* two-operand ALU, one of the four directions */
		return alu_tmpl((uint8_t)(n << 3 | ((r >> 16) & 3)),
				!((r >> 16) & 1), (r >> 17) & 1);
	case 1: /* 80 /n ib, 81 /n iz, 83 /n ib */
		t = (struct tmpl){{0x80}, 1,	  F_MI,	 (int)n,      I_8,
				  true,	  n != 7, false, ext_flags[n]};
		if ((r >> 16) % 3 == 1)
			t.op[0] = 0x81, t.imm = I_Z, t.byte_op = false;
		else if ((r >> 16) % 3 == 2)
			t.op[0] = 0x83, t.byte_op = false;
		return t;
	default:
		t = fixed[(r >> 16) % nfixed];
		if (t.op[0] == 0x0f && t.op[1] == 0xba)
			t.ext = 4 + (int)(n & 3); /* BT BTS BTR BTC */
		if (t.form == F_M)		  /* NOT/NEG, INC/DEC */
			t.ext = (t.op[0] <= 0xf7 ? 2 : 0) + (int)(n & 1);
		return t;
	}
}

static int64_t range(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(diff_random(s) % (uint64_t)(hi - lo + 1));
}

/* A register operand that is none of the pointers and not RSP: byte
 * registers 4-7 without REX are AH..BH, bits 8-15 of 0-3. */
static bool reg_ok(unsigned reg, bool byte_op, bool rex, int base, int index)
{
	unsigned whole = byte_op && !rex && reg >= 4 ? reg - 4 : reg;

	if (reg == 4 && (rex || !byte_op))
		return false;
	return (int)whole != base && (int)whole != index;
}

struct enc {
	uint8_t *p;
	size_t n;
};

static void put(struct enc *e, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		e->p[e->n++] = (uint8_t)(v >> (8 * i));
}

static void string_insn(uint64_t *s, struct diff_input *in, struct enc *e)
{
	static const uint8_t ops[] = {0xa4, 0xa5, 0xaa, 0xab, 0xac, 0xad};
	uint8_t op = ops[diff_random(s) % 6];
	bool to_mem = op == 0xaa || op == 0xab ||
		      (op <= 0xa5 && (diff_random(s) & 1));
	bool rep = diff_random(s) & 1;
	uint64_t r = diff_random(s);

	if (r & 1)
		put(e, 0x66, 1);
	if (rep)
		put(e, (r & 2) ? 0xf3 : 0xf2, 1);
	if ((r & 4) && !(r & 1))
		put(e, 0x66, 1); /* after the REP: Capstone's blind spot */
	if (r & 8)
		put(e, 0x48, 1);
	put(e, op, 1);
	in->cpu.r[MMIOD_RCX] = (r & 0x30) == 0x30 ? (uint64_t)range(s, 257, 400)
						  : (uint64_t)range(s, 0, 20);
	if (r & 0x40)
		in->cpu.r[MMIOD_RFLAGS] |= CPU_DF;
	in->cpu.r[to_mem ? MMIOD_RDI : MMIOD_RSI] =
		(uint64_t)range(s, 0x2000, 0x2800);
	in->area[to_mem ? MMIOD_RDI : MMIOD_RSI] = AREA_MEM;
	if (op <= 0xa5) {
		in->cpu.r[to_mem ? MMIOD_RSI : MMIOD_RDI] =
			(uint64_t)range(s, 0x1800, 0x1c00);
		in->area[to_mem ? MMIOD_RSI : MMIOD_RDI] = AREA_RAM;
	}
	in->flags = CPU_ALL;
}

static void moffs_insn(uint64_t *s, struct diff_input *in, struct enc *e)
{
	uint64_t r = diff_random(s);

	if (r & 1)
		put(e, 0x66, 1);
	if (r & 2)
		put(e, 0x48, 1);
	put(e, 0xa0 + ((r >> 2) & 3), 1); /* A0-A3: al/rAX <-> moffs */
	in->abs_at = (int)e->n;
	in->abs_off = (uint64_t)range(s, 0x100, 0x3000);
	put(e, 0, 8);
	in->flags = CPU_ALL;
}

/* ModRM (+ SIB + displacement) for a memory operand at a random offset,
 * with its base and index registers set; returns them in base/index. */
static void memory_operand(uint64_t *s, struct diff_input *in, struct enc *e,
			   unsigned reg, uint8_t *rex, int *base, int *index,
			   size_t *disp_at, int64_t *rip_target)
{
	int64_t target = range(s, 0x200, 0x3000), disp;
	unsigned mod = (unsigned)range(s, 0, 2), scale = 0, b, x;
	uint64_t r = diff_random(s);

	*base = *index = -1;
	*rip_target = -1;
	if (r % 8 == 0) { /* RIP-relative; patched once the length is known */
		put(e, (reg & 7) << 3 | 5, 1);
		*disp_at = e->n;
		*rip_target = target;
		put(e, 0, 4);
		return;
	}
	do
		b = (unsigned)range(s, 0, 15);
	while (b == 4);
	if (mod == 0 && (b & 7) == 5)
		mod = 1; /* mod 0 with rbp/r13 means no base */
	disp = mod == 1	  ? range(s, -128, 127)
	       : mod == 2 ? range(s, -4096, 4096)
			  : 0;
	*base = (int)b;
	*rex |= b >> 3;
	if (r & 8) { /* SIB with an index */
		do
			x = (unsigned)range(s, 0, 15);
		while (x == 4 || x == b);
		scale = (unsigned)range(s, 0, 3);
		*index = (int)x;
		*rex |= (x >> 3) << 1;
		in->cpu.r[x] = (uint64_t)range(s, -8, 8);
		target -= (int64_t)in->cpu.r[x] * (1 << scale);
		put(e, mod << 6 | (reg & 7) << 3 | 4, 1);
		put(e, scale << 6 | (x & 7) << 3 | (b & 7), 1);
	} else if ((b & 7) == 4) { /* r12 needs a SIB with no index */
		put(e, mod << 6 | (reg & 7) << 3 | 4, 1);
		put(e, 0x24, 1);
	} else {
		put(e, mod << 6 | (reg & 7) << 3 | (b & 7), 1);
	}
	put(e, (uint64_t)disp, mod == 1 ? 1 : mod == 2 ? 4 : 0);
	in->cpu.r[b] = (uint64_t)(target - disp);
	in->area[b] = AREA_MEM;
}

static void modrm_insn(uint64_t *s, struct diff_input *in, struct enc *e)
{
	struct tmpl t = pick(s);
	uint64_t r = diff_random(s);
	bool opsize = (r & 1) && t.form != F_NOREG;
	uint8_t rex = (r & 2) ? 0x40 : 0, rex_pos;
	int base, index;
	size_t disp_at = 0;
	int64_t rip_target;
	unsigned reg;
	uint8_t *out;

	if (t.form == F_NOREG || (r & 4))
		rex |= 0x40 | ((r & 8) ? 8 : 0); /* REX.W */
	if (t.lockable && (r & 16))
		put(e, 0xf0, 1);
	if (opsize)
		put(e, 0x66, 1);
	rex_pos = (uint8_t)e->n;
	put(e, 0, 1); /* REX slot, dropped below if unused */
	for (unsigned i = 0; i < t.oplen; i++)
		put(e, t.op[i], 1);
	reg = t.form == F_MI || t.form == F_M ? (unsigned)t.ext
					      : (unsigned)range(s, 0, 15);
	memory_operand(s, in, e, reg, &rex, &base, &index, &disp_at,
		       &rip_target);
	if (t.form != F_MI && t.form != F_M) {
		rex |= (reg >> 3) << 2;
		if (reg >> 3)
			rex |= 0x40;
		if (!reg_ok(reg, t.byte_op, rex, base, index)) {
			/* Start again from a fresh draw. */
			e->n = 0;
			memset(in->area, 0, sizeof(in->area));
			modrm_insn(s, in, e);
			return;
		}
		if (t.form == F_BTR)
			in->cpu.r[reg] = (uint64_t)range(s, -200, 200);
	}
	if (t.imm == I_8)
		put(e, diff_random(s), 1);
	else if (t.imm == I_Z)
		put(e, diff_random(s), opsize && !(rex & 8) ? 2 : 4);
	if (rex & 0xf)
		rex |= 0x40;
	out = e->p;
	if (rex)
		out[rex_pos] = rex;
	else {
		memmove(out + rex_pos, out + rex_pos + 1, e->n - rex_pos - 1);
		e->n--;
		disp_at -= disp_at ? 1 : 0;
	}
	if (rip_target >= 0) {
		/* The instruction ends right before the ret that ends the
		 * code page, and memory begins after it. */
		int64_t disp = rip_target + 1;

		memcpy(out + disp_at, &(int32_t){(int32_t)disp}, 4);
	}
	in->flags = t.flags;
}

void trap_random_insn(uint64_t *seed, struct diff_input *in, uint8_t *buf)
{
	struct enc e = {buf, 0};
	uint64_t kind = diff_random(seed) % 16;

	memset(in->area, 0, sizeof(in->area));
	in->abs_at = -1;
	diff_random_cpu(&in->cpu, seed);
	if (kind < 2)
		string_insn(seed, in, &e);
	else if (kind < 3)
		moffs_insn(seed, in, &e);
	else
		modrm_insn(seed, in, &e);
	put(&e, 0xc3, 1); /* ret */
	in->code = buf;
	in->code_len = e.n;
	in->seed = diff_random(seed);
	in->name = "random";
}
