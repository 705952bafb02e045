/* SPDX-License-Identifier: BSD-2-Clause */
/* check_decode.c - specification of decode/ and emulate: a table of
 * encodings with what each must do to memory and registers, plus every
 * general register encoding in every mode, generated from the encoding
 * rules. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "testutil.h"

static struct decoder *dec;

static void setup(void)
{
	ck_assert_int_eq(decode_global_init(), 0);
	dec = decoder_create();
	ck_assert_ptr_nonnull(dec);
}

static void teardown(void)
{
	decoder_destroy(dec);
}

/* Registers before every case: distinct bytes everywhere. */
static void initial_regs(struct regs *r)
{
	for (int i = 0; i < 16; i++)
		r->r[i] = 0x8070605040302010ull +
			  (uint64_t)i * 0x0101010101010101ull;
	r->r[REG_RIP] = 0x1000;
	r->r[REG_RFLAGS] = 0x2;
}

struct memory {
	uint64_t read_value;
	int reads, writes;
	uint64_t written, last_gpa;
};

static int m_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *v)
{
	struct memory *m = ctx;

	m->reads++;
	m->last_gpa = gpa;
	*v = m->read_value;
	return 0;
}

static int m_write(void *ctx, uint64_t gpa, unsigned size, uint64_t v)
{
	struct memory *m = ctx;

	m->writes++;
	m->last_gpa = gpa;
	m->written = v;
	return 0;
}

static int ram_read(void *ctx, uint64_t linear, unsigned size, uint64_t *v)
{
	*v = 0x5a5a5a5a5a5a5a5aull;
	return 0;
}

static int ram_write(void *ctx, uint64_t linear, unsigned size, uint64_t v)
{
	return 0;
}

static const struct emulate_ops ops = {m_read, m_write, ram_read, ram_write, 0};

static size_t parse_hex(const char *hex, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		ck_assert_int_eq(sscanf(hex, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* The address the instruction touches, as the faulting gpa; string
 * rows fault at a fixed address. */
static uint64_t ea_of(const struct decoded *d, const struct regs *r)
{
	return d->kind == KIND_STRING ? 0x2000 : decode_effective_address(d, r);
}

/* One row: an instruction, the fault it makes, and what must follow. */
struct row {
	int mode;
	const char *hex;
	int dir; /* IO_READ or IO_WRITE */
	unsigned size;
	uint64_t read_value;
	/* expectations */
	const char *mnemonic;
	int writes;	  /* memory writes */
	uint64_t written; /* the last value written */
	int reg;	  /* register to check, -1 none */
	uint64_t reg_after;
	uint64_t flags_mask;
	uint64_t flags;
	unsigned length;
};

static void run_row(const struct row *row, int line)
{
	struct memory m = {.read_value = row->read_value};
	struct regs r, before;
	struct decoded d;
	struct fault f = {.mode = (enum cpu_mode)row->mode,
			  .size = row->size,
			  .dir = (enum io_dir)row->dir};
	char err[256];

	initial_regs(&r);
	before = r;
	f.insn_len = parse_hex(row->hex, f.insn);
	ck_assert_msg(decode_insn(dec, f.mode, f.insn, f.insn_len, &d, err,
				  sizeof(err)) == 0,
		      "row %d (%s): %s", line, row->hex, err);
	f.gpa = ea_of(&d, &r);
	ck_assert_msg(emulate_fault(dec, &f, &r, &ops, &m, err, sizeof(err)) ==
			      0,
		      "row %d (%s): %s", line, row->hex, err);
	ck_assert_msg(strcmp(d.mnemonic, row->mnemonic) == 0,
		      "row %d: mnemonic %s, expected %s", line, d.mnemonic,
		      row->mnemonic);
	ck_assert_msg(d.length == row->length, "row %d: length %u, expected %u",
		      line, d.length, row->length);
	ck_assert_msg(m.writes == row->writes, "row %d: %d writes, expected %d",
		      line, m.writes, row->writes);
	if (row->writes)
		ck_assert_msg(m.written == row->written,
			      "row %d: wrote 0x%llx, expected 0x%llx", line,
			      (unsigned long long)m.written,
			      (unsigned long long)row->written);
	if (row->reg >= 0)
		ck_assert_msg(r.r[row->reg] == row->reg_after,
			      "row %d: %s = 0x%llx, expected 0x%llx", line,
			      reg_name(row->reg),
			      (unsigned long long)r.r[row->reg],
			      (unsigned long long)row->reg_after);
	ck_assert_msg(
		(r.r[REG_RFLAGS] & row->flags_mask) == row->flags,
		"row %d: rflags 0x%llx, expected 0x%llx under mask 0x%llx",
		line, (unsigned long long)r.r[REG_RFLAGS],
		(unsigned long long)row->flags,
		(unsigned long long)row->flags_mask);
	/* Only the checked register (and RIP, flags, string registers)
	 * may change. */
	for (int i = 0; i < 16; i++)
		if (i != row->reg && d.kind != KIND_STRING &&
		    !(d.op == ALU_XCHG))
			ck_assert_msg(r.r[i] == before.r[i],
				      "row %d: %s changed", line, reg_name(i));
}

#define RAX 0x8070605040302010ull
#define RCX 0x8171615141312111ull
#define RDX 0x8272625242322212ull
#define RBX 0x8373635343332313ull
#define RSI 0x8676665646362616ull
#define R8 0x8878685848382818ull
#define R15 0x8f7f6f5f4f3f2f1full
#define ARITH FLAGS_ARITH
#define NOFLAGS 0, 0

/* mode, bytes, dir, size, read value, mnemonic, writes, written, reg,
 * reg after, flags mask, flags, length */
static const struct row rows[] = {
	/* MOV to memory: register sources of every width. */
	{64, "89 08", IO_WRITE, 4, 0, "mov", 1, RCX & 0xffffffff, -1, 0,
	 NOFLAGS, 2},
	{64, "48 89 08", IO_WRITE, 8, 0, "mov", 1, RCX, -1, 0, NOFLAGS, 3},
	{64, "66 89 08", IO_WRITE, 2, 0, "mov", 1, RCX & 0xffff, -1, 0, NOFLAGS,
	 3},
	{64, "88 08", IO_WRITE, 1, 0, "mov", 1, 0x11, -1, 0, NOFLAGS, 2},
	{64, "88 20", IO_WRITE, 1, 0, "mov", 1, 0x20, -1, 0, NOFLAGS,
	 2}, /* ah */
	{64, "88 38", IO_WRITE, 1, 0, "mov", 1, 0x23, -1, 0, NOFLAGS,
	 2}, /* bh */
	{64, "40 88 38", IO_WRITE, 1, 0, "mov", 1, 0x17, -1, 0, NOFLAGS,
	 3}, /* dil */
	{64, "44 88 38", IO_WRITE, 1, 0, "mov", 1, 0x1f, -1, 0, NOFLAGS,
	 3}, /* r15b */
	{64, "4c 89 00", IO_WRITE, 8, 0, "mov", 1, R8, -1, 0, NOFLAGS, 3},
	/* MOV immediates: imm8 for bytes, imm16/imm32, imm32 sign-extended
	 * to 64 bits under REX.W. */
	{64, "c6 00 80", IO_WRITE, 1, 0, "mov", 1, 0x80, -1, 0, NOFLAGS, 3},
	{64, "66 c7 00 34 12", IO_WRITE, 2, 0, "mov", 1, 0x1234, -1, 0, NOFLAGS,
	 5},
	{64, "c7 00 78 56 34 12", IO_WRITE, 4, 0, "mov", 1, 0x12345678, -1, 0,
	 NOFLAGS, 6},
	{64, "48 c7 00 00 00 00 80", IO_WRITE, 8, 0, "mov", 1,
	 0xffffffff80000000ull, -1, 0, NOFLAGS, 7},
	{64, "48 c7 00 ff ff ff 7f", IO_WRITE, 8, 0, "mov", 1, 0x7fffffff, -1,
	 0, NOFLAGS, 7},
	/* MOV from memory: merge 8/16, zero-extend 32, AH..BH bits 8-15. */
	{64, "8b 08", IO_READ, 4, 0xcafef00d, "mov", 0, 0, REG_RCX, 0xcafef00d,
	 NOFLAGS, 2},
	{64, "48 8b 08", IO_READ, 8, 0x1122334455667788ull, "mov", 0, 0,
	 REG_RCX, 0x1122334455667788ull, NOFLAGS, 3},
	{64, "66 8b 08", IO_READ, 2, 0xbeef, "mov", 0, 0, REG_RCX,
	 (RCX & ~0xffffull) | 0xbeef, NOFLAGS, 3},
	{64, "8a 08", IO_READ, 1, 0xab, "mov", 0, 0, REG_RCX,
	 (RCX & ~0xffull) | 0xab, NOFLAGS, 2},
	{64, "8a 28", IO_READ, 1, 0xab, "mov", 0, 0, REG_RCX,
	 (RCX & ~0xff00ull) | 0xab00, NOFLAGS, 2},
	{64, "40 8a 30", IO_READ, 1, 0xab, "mov", 0, 0, REG_RSI,
	 (RSI & ~0xffull) | 0xab, NOFLAGS, 3},
	{64, "44 8b 00", IO_READ, 4, 0x1, "mov", 0, 0, REG_R8, 0x1, NOFLAGS, 3},
	{64, "66 44 8b 00", IO_READ, 2, 0x1, "mov", 0, 0, REG_R8,
	 (R8 & ~0xffffull) | 1, NOFLAGS, 4},
	/* moffs forms, including 64-bit absolute addresses. */
	{64, "a1 00 00 00 fe 00 00 00 00", IO_READ, 4, 0x12345678, "movabs", 0,
	 0, REG_RAX, 0x12345678, NOFLAGS, 9},
	{64, "48 a1 00 10 00 fe 00 00 00 00", IO_READ, 8, 0x1, "movabs", 0, 0,
	 REG_RAX, 0x1, NOFLAGS, 10},
	{64, "a0 00 00 00 fe 00 00 00 00", IO_READ, 1, 0x99, "movabs", 0, 0,
	 REG_RAX, (RAX & ~0xffull) | 0x99, NOFLAGS, 9},
	{64, "a3 00 00 00 fe 00 00 00 00", IO_WRITE, 4, 0, "movabs", 1,
	 RAX & 0xffffffff, -1, 0, NOFLAGS, 9},
	{64, "66 a3 00 00 00 fe 00 00 00 00", IO_WRITE, 2, 0, "movabs", 1,
	 0x2010, -1, 0, NOFLAGS, 10},
	{64, "a2 00 00 00 fe 00 00 00 00", IO_WRITE, 1, 0, "movabs", 1, 0x10,
	 -1, 0, NOFLAGS, 9},
	{32, "a1 00 00 00 fe", IO_READ, 4, 0x5, "mov", 0, 0, REG_RAX, 0x5,
	 NOFLAGS, 5},
	{32, "a3 00 00 00 fe", IO_WRITE, 4, 0, "mov", 1, RAX & 0xffffffff, -1,
	 0, NOFLAGS, 5},
	{16, "a1 00 10", IO_READ, 2, 0x7777, "mov", 0, 0, REG_RAX,
	 (RAX & ~0xffffull) | 0x7777, NOFLAGS, 3},
	{16, "66 a1 00 10", IO_READ, 4, 0x12345678, "mov", 0, 0, REG_RAX,
	 0x12345678, NOFLAGS, 4},
	/* MOVZX, MOVSX, MOVSXD. */
	{64, "0f b6 08", IO_READ, 1, 0x80, "movzx", 0, 0, REG_RCX, 0x80,
	 NOFLAGS, 3},
	{64, "0f b7 08", IO_READ, 2, 0x8000, "movzx", 0, 0, REG_RCX, 0x8000,
	 NOFLAGS, 3},
	{64, "48 0f b6 08", IO_READ, 1, 0xff, "movzx", 0, 0, REG_RCX, 0xff,
	 NOFLAGS, 4},
	{64, "66 0f b6 08", IO_READ, 1, 0xff, "movzx", 0, 0, REG_RCX,
	 (RCX & ~0xffffull) | 0xff, NOFLAGS, 4},
	{64, "0f be 08", IO_READ, 1, 0x80, "movsx", 0, 0, REG_RCX, 0xffffff80,
	 NOFLAGS, 3},
	{64, "48 0f be 08", IO_READ, 1, 0x80, "movsx", 0, 0, REG_RCX,
	 0xffffffffffffff80ull, NOFLAGS, 4},
	{64, "48 0f bf 08", IO_READ, 2, 0x8001, "movsx", 0, 0, REG_RCX,
	 0xffffffffffff8001ull, NOFLAGS, 4},
	{64, "66 0f be 08", IO_READ, 1, 0xfe, "movsx", 0, 0, REG_RCX,
	 (RCX & ~0xffffull) | 0xfffe, NOFLAGS, 4},
	{64, "0f be 08", IO_READ, 1, 0x7f, "movsx", 0, 0, REG_RCX, 0x7f,
	 NOFLAGS, 3},
	{64, "48 63 08", IO_READ, 4, 0x80000000, "movsxd", 0, 0, REG_RCX,
	 0xffffffff80000000ull, NOFLAGS, 3},
	{64, "48 63 08", IO_READ, 4, 0x7fffffff, "movsxd", 0, 0, REG_RCX,
	 0x7fffffff, NOFLAGS, 3},
	{64, "4c 63 38", IO_READ, 4, 0xffffffff, "movsxd", 0, 0, REG_R15,
	 0xffffffffffffffffull, NOFLAGS, 3},
	{32, "0f be 08", IO_READ, 1, 0x90, "movsx", 0, 0, REG_RCX, 0xffffff90,
	 NOFLAGS, 3},
	{16, "0f be 0f", IO_READ, 1, 0x90, "movsx", 0, 0, REG_RCX,
	 (RCX & ~0xffffull) | 0xff90, NOFLAGS, 3},
	/* ALU on memory: register and immediate sources, imm8
	 * sign-extended, flags as the SDM defines them. */
	{64, "01 08", IO_READ, 4, 0xffffffff, "add", 1, (RCX - 1) & 0xffffffff,
	 -1, 0, ARITH, FLAG_CF | FLAG_AF, 2},
	{64, "83 00 01", IO_READ, 4, 0x7fffffff, "add", 1, 0x80000000, -1, 0,
	 ARITH, FLAG_OF | FLAG_SF | FLAG_AF | FLAG_PF, 3},
	{64, "83 00 ff", IO_READ, 4, 0x1, "add", 1, 0x0, -1, 0, ARITH,
	 FLAG_CF | FLAG_ZF | FLAG_PF | FLAG_AF, 3},
	{64, "48 83 00 ff", IO_READ, 8, 0x0, "add", 1, 0xffffffffffffffffull,
	 -1, 0, ARITH, FLAG_SF | FLAG_PF, 4},
	{64, "80 00 ff", IO_READ, 1, 0x1, "add", 1, 0x0, -1, 0, ARITH,
	 FLAG_CF | FLAG_ZF | FLAG_PF | FLAG_AF, 3},
	{64, "66 81 00 00 80", IO_READ, 2, 0x8000, "add", 1, 0x0, -1, 0, ARITH,
	 FLAG_CF | FLAG_ZF | FLAG_PF | FLAG_OF, 5},
	{64, "48 81 00 00 00 00 80", IO_READ, 8, 0x0, "add", 1,
	 0xffffffff80000000ull, -1, 0, ARITH, FLAG_SF | FLAG_PF, 7},
	{64, "29 08", IO_READ, 4, 0x0, "sub", 1, (0 - RCX) & 0xffffffff, -1, 0,
	 FLAG_CF | FLAG_ZF, FLAG_CF, 2},
	{64, "83 28 01", IO_READ, 4, 0x80000000, "sub", 1, 0x7fffffff, -1, 0,
	 ARITH, FLAG_OF | FLAG_AF | FLAG_PF, 3},
	{64, "83 28 01", IO_READ, 4, 0x0, "sub", 1, 0xffffffff, -1, 0, ARITH,
	 FLAG_CF | FLAG_SF | FLAG_AF | FLAG_PF, 3},
	{64, "21 08", IO_READ, 4, 0xffffffff, "and", 1, RCX & 0xffffffff, -1, 0,
	 FLAG_CF | FLAG_OF | FLAG_ZF, 0, 2},
	{64, "83 20 00", IO_READ, 4, 0x1234, "and", 1, 0, -1, 0, ARITH,
	 FLAG_ZF | FLAG_PF, 3},
	{64, "09 08", IO_READ, 4, 0x0, "or", 1, RCX & 0xffffffff, -1, 0, ARITH,
	 FLAG_PF, 2},
	{64, "83 08 80", IO_READ, 4, 0x0, "or", 1, 0xffffff80, -1, 0, ARITH,
	 FLAG_SF, 3},
	{64, "f0 83 08 01", IO_READ, 4, 0x2, "lock or", 1, 0x3, -1, 0, ARITH,
	 FLAG_PF, 4},
	{64, "31 08", IO_READ, 4, RCX & 0xffffffff, "xor", 1, 0, -1, 0, ARITH,
	 FLAG_ZF | FLAG_PF, 2},
	{64, "80 30 ff", IO_READ, 1, 0x0f, "xor", 1, 0xf0, -1, 0, ARITH,
	 FLAG_SF | FLAG_PF, 3},
	/* ADC/SBB use the carry in; initial RFLAGS has CF clear. */
	{64, "83 10 01", IO_READ, 4, 0xffffffff, "adc", 1, 0x0, -1, 0, ARITH,
	 FLAG_CF | FLAG_ZF | FLAG_PF | FLAG_AF, 3},
	{64, "83 18 01", IO_READ, 4, 0x0, "sbb", 1, 0xffffffff, -1, 0, ARITH,
	 FLAG_CF | FLAG_SF | FLAG_PF | FLAG_AF, 3},
	/* ALU with memory as the source: the register takes the result. */
	{64, "03 08", IO_READ, 4, 0x1, "add", 0, 0, REG_RCX,
	 (RCX + 1) & 0xffffffff, NOFLAGS, 2},
	{64, "48 2b 08", IO_READ, 8, 0x1, "sub", 0, 0, REG_RCX, RCX - 1,
	 NOFLAGS, 3},
	{64, "22 28", IO_READ, 1, 0x0f, "and", 0, 0, REG_RCX,
	 (RCX & ~0xff00ull) | 0x0100, NOFLAGS, 2},
	/* INC, DEC (CF untouched), NOT (no flags), NEG. */
	{64, "ff 00", IO_READ, 4, 0x7fffffff, "inc", 1, 0x80000000, -1, 0,
	 ARITH & ~FLAG_CF, FLAG_OF | FLAG_SF | FLAG_AF | FLAG_PF, 2},
	{64, "fe 08", IO_READ, 1, 0x0, "dec", 1, 0xff, -1, 0, ARITH & ~FLAG_CF,
	 FLAG_SF | FLAG_AF | FLAG_PF, 2},
	{64, "48 ff 08", IO_READ, 8, 0x1, "dec", 1, 0x0, -1, 0, ARITH,
	 FLAG_ZF | FLAG_PF, 3},
	{64, "66 ff 00", IO_READ, 2, 0xffff, "inc", 1, 0x0, -1, 0,
	 FLAG_ZF | FLAG_CF, FLAG_ZF, 3},
	{64, "f7 10", IO_READ, 4, 0x0f0f0f0f, "not", 1, 0xf0f0f0f0, -1, 0,
	 ARITH, 0, 2},
	{64, "f6 18", IO_READ, 1, 0x01, "neg", 1, 0xff, -1, 0, ARITH,
	 FLAG_CF | FLAG_SF | FLAG_AF | FLAG_PF, 2},
	{64, "f7 18", IO_READ, 4, 0x0, "neg", 1, 0x0, -1, 0, ARITH,
	 FLAG_ZF | FLAG_PF, 2},
	{64, "f7 18", IO_READ, 4, 0x80000000, "neg", 1, 0x80000000, -1, 0,
	 ARITH, FLAG_CF | FLAG_OF | FLAG_SF | FLAG_PF, 2},
	/* XCHG: memory gets the register, the register the memory. */
	{64, "87 08", IO_READ, 4, 0x12345678, "xchg", 1, RCX & 0xffffffff,
	 REG_RCX, 0x12345678, NOFLAGS, 2},
	{64, "48 87 08", IO_READ, 8, 0x1, "xchg", 1, RCX, REG_RCX, 0x1, NOFLAGS,
	 3},
	{64, "86 28", IO_READ, 1, 0x42, "xchg", 1, 0x21, REG_RCX,
	 (RCX & ~0xff00ull) | 0x4200, NOFLAGS, 2},
	{64, "66 87 08", IO_READ, 2, 0x4242, "xchg", 1, 0x2111, REG_RCX,
	 (RCX & ~0xffffull) | 0x4242, NOFLAGS, 3},
	/* BT family: CF is the old bit; imm8 offsets modulo the width. */
	{64, "0f ba 20 05", IO_READ, 4, 0x20, "bt", 0, 0, -1, 0, FLAG_CF,
	 FLAG_CF, 4},
	{64, "0f ba 28 05", IO_READ, 4, 0x0, "bts", 1, 0x20, -1, 0, FLAG_CF, 0,
	 4},
	{64, "0f ba 30 25", IO_READ, 4, 0xffffffff, "btr", 1, 0xffffffdf, -1, 0,
	 FLAG_CF, FLAG_CF, 4},
	{64, "0f ba 38 00", IO_READ, 4, 0x1, "btc", 1, 0x0, -1, 0, FLAG_CF,
	 FLAG_CF, 4},
	{64, "48 0f ba 28 3f", IO_READ, 8, 0x0, "bts", 1, 0x8000000000000000ull,
	 -1, 0, FLAG_CF, 0, 5},
	{64, "0f ab 08", IO_READ, 4, 0x0, "bts", 1, 0x00020000, -1, 0, FLAG_CF,
	 0, 3},
	{64, "f0 0f ab 08", IO_READ, 4, 0x0, "lock bts", 1, 0x00020000, -1, 0,
	 FLAG_CF, 0, 4},
	{64, "0f a3 08", IO_READ, 4, 0x20000, "bt", 0, 0, -1, 0, FLAG_CF,
	 FLAG_CF, 3},
	/* TEST and CMP: flags only, operand order respected. */
	{64, "85 08", IO_READ, 4, 0x0, "test", 0, 0, -1, 0, ARITH,
	 FLAG_ZF | FLAG_PF, 2},
	{64, "f7 00 00 00 00 80", IO_READ, 4, 0x80000000, "test", 0, 0, -1, 0,
	 ARITH, FLAG_SF | FLAG_PF, 6},
	{64, "f6 00 01", IO_READ, 1, 0x1, "test", 0, 0, -1, 0, FLAG_ZF, 0, 3},
	{64, "39 08", IO_READ, 4, RCX & 0xffffffff, "cmp", 0, 0, -1, 0,
	 FLAG_ZF | FLAG_CF, FLAG_ZF, 2},
	{64, "39 08", IO_READ, 4, 0x0, "cmp", 0, 0, -1, 0, FLAG_CF, FLAG_CF, 2},
	{64, "3b 08", IO_READ, 4, 0x0, "cmp", 0, 0, -1, 0, FLAG_CF, 0, 2},
	{64, "83 38 05", IO_READ, 4, 0x3, "cmp", 0, 0, -1, 0, ARITH,
	 FLAG_CF | FLAG_SF | FLAG_AF, 3},
	{64, "80 38 80", IO_READ, 1, 0x7f, "cmp", 0, 0, -1, 0,
	 FLAG_OF | FLAG_CF, FLAG_OF | FLAG_CF, 3},
	/* MOVNTI and MOVBE (the bytes reversed, both ways). */
	{64, "0f c3 08", IO_WRITE, 4, 0, "movnti", 1, RCX & 0xffffffff, -1, 0,
	 NOFLAGS, 3},
	{64, "48 0f c3 08", IO_WRITE, 8, 0, "movnti", 1, RCX, -1, 0, NOFLAGS,
	 4},
	{64, "0f 38 f1 08", IO_WRITE, 4, 0, "movbe", 1, 0x11213141, -1, 0,
	 NOFLAGS, 4},
	{64, "66 0f 38 f1 08", IO_WRITE, 2, 0, "movbe", 1, 0x1121, -1, 0,
	 NOFLAGS, 5},
	{64, "0f 38 f0 08", IO_READ, 4, 0x11223344, "movbe", 0, 0, REG_RCX,
	 0x44332211, NOFLAGS, 4},
	{64, "48 0f 38 f0 08", IO_READ, 8, 0x0102030405060708ull, "movbe", 0, 0,
	 REG_RCX, 0x0807060504030201ull, NOFLAGS, 5},
	/* Addressing forms: SIB, displacements, RIP-relative, 67 prefix. */
	{64, "89 4c 24 08", IO_WRITE, 4, 0, "mov", 1, RCX & 0xffffffff, -1, 0,
	 NOFLAGS, 4},
	{64, "89 8c 98 00 01 00 00", IO_WRITE, 4, 0, "mov", 1, RCX & 0xffffffff,
	 -1, 0, NOFLAGS, 7},
	{64, "89 0d 00 01 00 00", IO_WRITE, 4, 0, "mov", 1, RCX & 0xffffffff,
	 -1, 0, NOFLAGS, 6},
	{64, "67 89 08", IO_WRITE, 4, 0, "mov", 1, RCX & 0xffffffff, -1, 0,
	 NOFLAGS, 3},
	{64, "43 89 0c 07", IO_WRITE, 4, 0, "mov", 1, RCX & 0xffffffff, -1, 0,
	 NOFLAGS, 4},
	{32, "89 08", IO_WRITE, 4, 0, "mov", 1, RCX & 0xffffffff, -1, 0,
	 NOFLAGS, 2},
	{32, "66 89 08", IO_WRITE, 2, 0, "mov", 1, RCX & 0xffff, -1, 0, NOFLAGS,
	 3},
	{32, "8b 0d 00 00 00 fe", IO_READ, 4, 0x1, "mov", 0, 0, REG_RCX, 0x1,
	 NOFLAGS, 6},
	{32, "67 8b 0f", IO_READ, 4, 0x1, "mov", 0, 0, REG_RCX, 0x1, NOFLAGS,
	 3},
	{16, "89 0f", IO_WRITE, 2, 0, "mov", 1, RCX & 0xffff, -1, 0, NOFLAGS,
	 2},
	{16, "66 89 0f", IO_WRITE, 4, 0, "mov", 1, RCX & 0xffffffff, -1, 0,
	 NOFLAGS, 3},
	{16, "c6 06 00 10 42", IO_WRITE, 1, 0, "mov", 1, 0x42, -1, 0, NOFLAGS,
	 5},
	{16, "c7 06 00 10 ff ff", IO_WRITE, 2, 0, "mov", 1, 0xffff, -1, 0,
	 NOFLAGS, 6},
	{16, "83 06 00 10 ff", IO_READ, 2, 0x2, "add", 1, 0x1, -1, 0, FLAG_CF,
	 FLAG_CF, 5},
	{16, "66 83 06 00 10 ff", IO_READ, 4, 0x2, "add", 1, 0x1, -1, 0,
	 FLAG_CF, FLAG_CF, 6},
};

START_TEST(table_row)
{
	run_row(&rows[_i], _i);
}
END_TEST

/* --- string instructions ------------------------------------------ */

struct string_row {
	int mode;
	const char *hex;
	int dir;
	unsigned size;
	uint64_t rcx, rflags;
	int expect_reads, expect_writes;
	uint64_t rcx_after, rsi_delta, rdi_delta, rip_delta;
};

static const struct string_row string_rows[] = {
	/* stos without rep: one element, RDI moves, RCX untouched */
	{64, "ab", IO_WRITE, 4, 5, 0x2, 0, 1, 5, 0, 4, 1},
	{64, "48 ab", IO_WRITE, 8, 5, 0x2, 0, 1, 5, 0, 8, 2},
	{64, "aa", IO_WRITE, 1, 5, 0x2 | FLAG_DF, 0, 1, 5, 0, (uint64_t)-1, 1},
	/* rep stos: RCX elements, RCX to 0 */
	{64, "f3 ab", IO_WRITE, 4, 5, 0x2, 0, 5, 0, 0, 20, 2},
	{64, "f3 66 ab", IO_WRITE, 2, 3, 0x2 | FLAG_DF, 0, 3, 0, 0,
	 (uint64_t)-6, 3},
	{64, "f3 48 ab", IO_WRITE, 8, 0, 0x2, 0, 0, 0, 0, 0, 3},
	/* rep lods and rep movs */
	{64, "f3 ac", IO_READ, 1, 4, 0x2, 4, 0, 0, 4, 0, 2},
	{64, "f3 a5", IO_WRITE, 4, 3, 0x2, 0, 3, 0, 12, 12, 2},
	{64, "f3 a5", IO_READ, 4, 3, 0x2, 3, 0, 0, 12, 12, 2},
	{64, "f3 48 a5", IO_READ, 8, 2, 0x2 | FLAG_DF, 2, 0, 0, (uint64_t)-16,
	 (uint64_t)-16, 3},
	/* the 32-bit address size (67) counts in ECX, and writing ECX
	 * zero-extends like any 32-bit register write in 64-bit mode */
	{64, "67 f3 ab", IO_WRITE, 4, 0xffffffff00000002ull, 0x2, 0, 2, 0, 0, 8,
	 3},
	{32, "f3 ab", IO_WRITE, 4, 2, 0x2, 0, 2, 0, 0, 8, 2},
	{16, "f3 ab", IO_WRITE, 2, 0x10002, 0x2, 0, 2, 0x10000, 0, 4, 2},
	/* more elements than fit before the page ends: RIP stays, RCX
	 * counts the rest, the CPU faults again on the next page */
	{64, "f3 ab", IO_WRITE, 4, 2000, 0x2, 0, 1024, 2000 - 1024, 0, 4096, 0},
};

START_TEST(string_row)
{
	const struct string_row *row = &string_rows[_i];
	struct memory m = {.read_value = 0x77};
	struct regs r, before;
	struct fault f = {.mode = (enum cpu_mode)row->mode,
			  .gpa = 0xfe000000,
			  .size = row->size,
			  .dir = (enum io_dir)row->dir};
	char err[256];
	uint64_t amask;

	initial_regs(&r);
	r.r[REG_RCX] = row->rcx;
	r.r[REG_RFLAGS] = row->rflags;
	r.r[REG_RSI] = 0x10000;
	r.r[REG_RDI] = 0x20000;
	if (row->rflags & FLAG_DF)
		f.gpa += 0x800;
	before = r;
	f.insn_len = parse_hex(row->hex, f.insn);
	ck_assert_msg(emulate_fault(dec, &f, &r, &ops, &m, err, sizeof(err)) ==
			      0,
		      "string row %d: %s", _i, err);
	ck_assert_int_eq(m.reads, row->expect_reads);
	ck_assert_int_eq(m.writes, row->expect_writes);
	ck_assert_uint_eq(r.r[REG_RCX], row->rcx_after);
	amask = row->mode == 16 ? 0xffff : ~0ull;
	ck_assert_uint_eq(r.r[REG_RSI] & amask,
			  (before.r[REG_RSI] + row->rsi_delta) & amask);
	ck_assert_uint_eq(r.r[REG_RDI] & amask,
			  (before.r[REG_RDI] + row->rdi_delta) & amask);
	ck_assert_uint_eq(r.r[REG_RIP], before.r[REG_RIP] + row->rip_delta);
}
END_TEST

/* --- every general register, generated from the encoding rules ----- */

struct gen {
	int mode;
	unsigned width; /* 1, 2, 4, 8 */
	int reg;	/* encoding 0-15 */
	bool rex;	/* a REX prefix present (SPL.. instead of AH..) */
	bool store;	/* mov r/m, r (else mov r, r/m) */
};

/* Builds "mov" with a memory operand that uses no general register:
 * RIP-relative in 64-bit mode, absolute in the others. */
static size_t encode(const struct gen *g, uint8_t *out)
{
	size_t n = 0;
	unsigned modrm_reg = (unsigned)g->reg & 7;
	bool wide_prefix = (g->mode == 16) != (g->width == 2);

	if (g->width != 1 && wide_prefix)
		out[n++] = 0x66;
	if (g->mode == 64 && (g->rex || g->width == 8 || g->reg >= 8))
		out[n++] =
			0x40 | (g->width == 8 ? 8 : 0) | (g->reg >= 8 ? 4 : 0);
	out[n++] = (g->width == 1 ? 0x88 : 0x89) | (g->store ? 0 : 2);
	if (g->mode == 16) {
		out[n++] = (uint8_t)(modrm_reg << 3 | 6); /* [disp16] */
		out[n++] = 0x00;
		out[n++] = 0x10;
	} else {
		out[n++] = (uint8_t)(modrm_reg << 3 | 5); /* [rip/disp32] */
		out[n++] = 0x00;
		out[n++] = 0x01;
		out[n++] = 0x00;
		out[n++] = 0x00;
	}
	return n;
}

static struct gen gens[600];
static size_t ngens;

static void generate(void)
{
	static const unsigned widths[] = {1, 2, 4, 8};

	ngens = 0;
	for (int mode = 16; mode <= 64; mode *= 2)
		for (unsigned w = 0; w < 4; w++)
			for (int reg = 0; reg < (mode == 64 ? 16 : 8); reg++)
				for (int store = 0; store < 2; store++)
					for (int rex = 0; rex < 2; rex++) {
						if (widths[w] == 8 &&
						    mode != 64)
							continue;
						/* REX only changes the
						 * 8-bit registers 4-7 */
						if (rex && (mode != 64 ||
							    widths[w] != 1 ||
							    reg < 4 || reg > 7))
							continue;
						gens[ngens++] = (struct gen){
							mode, widths[w], reg,
							(bool)rex, (bool)store};
					}
}

START_TEST(every_register_in_every_mode)
{
	const struct gen *g = &gens[_i];
	/* Without REX, 8-bit registers 4-7 are AH, CH, DH, BH. */
	bool high8 = g->width == 1 && g->reg >= 4 && g->reg <= 7 && !g->rex;
	int file_reg = high8 ? g->reg - 4 : g->reg;
	struct memory m = {.read_value = 0xa1b2c3d4e5f60718ull};
	struct regs r, before;
	struct decoded d;
	struct fault f = {.mode = (enum cpu_mode)g->mode, .size = g->width};
	uint64_t old, expect, mask = access_mask(g->width);
	char err[256];

	f.insn_len = encode(g, f.insn);
	f.dir = g->store ? IO_WRITE : IO_READ;
	initial_regs(&r);
	before = r;
	ck_assert_int_eq(decode_insn(dec, f.mode, f.insn, f.insn_len, &d, err,
				     sizeof(err)),
			 0);
	f.gpa = ea_of(&d, &r);
	ck_assert_msg(emulate_fault(dec, &f, &r, &ops, &m, err, sizeof(err)) ==
			      0,
		      "%s", err);
	ck_assert_uint_eq(d.size, g->width);
	ck_assert_uint_eq(d.length, f.insn_len);
	old = before.r[file_reg];
	if (g->store) {
		expect = high8 ? (old >> 8) & 0xff : old & mask;
		ck_assert_int_eq(m.writes, 1);
		ck_assert_uint_eq(m.written, expect);
		return;
	}
	/* The architectural write-back for each width. */
	if (high8)
		expect = (old & ~0xff00ull) | ((m.read_value & 0xff) << 8);
	else if (g->width == 4)
		expect = m.read_value & 0xffffffff;
	else if (g->width == 8)
		expect = m.read_value;
	else
		expect = (old & ~mask) | (m.read_value & mask);
	ck_assert_msg(r.r[file_reg] == expect,
		      "mode %d width %u reg %d rex %d: %s = 0x%llx, expected "
		      "0x%llx",
		      g->mode, g->width, g->reg, g->rex, reg_name(file_reg),
		      (unsigned long long)r.r[file_reg],
		      (unsigned long long)expect);
	ck_assert_uint_eq(r.r[REG_RIP], before.r[REG_RIP] + f.insn_len);
}
END_TEST

/* --- rejections ---------------------------------------------------- */

static const struct {
	int mode;
	const char *hex;
	int dir;
	unsigned size;
	enum emulate_status status;
	const char *message;
} rejects[] = {
	{64, "0f 05", IO_READ, 0, EMULATE_UNSUPPORTED,
	 "unsupported instruction syscall"},
	{64, "f0 48 0f c7 0e", IO_READ, 0, EMULATE_UNSUPPORTED,
	 "unsupported instruction lock cmpxchg16b"},
	{64, "0f 10 00", IO_READ, 0, EMULATE_UNSUPPORTED,
	 "unsupported instruction movups"},
	{64, "8c 18", IO_WRITE, 0, EMULATE_UNSUPPORTED, "special register"},
	{64, "89 c8", IO_WRITE, 0, EMULATE_UNSUPPORTED,
	 "does not access memory"},
	{64, "ff", IO_READ, 0, EMULATE_UNSUPPORTED,
	 "not a valid 64-bit instruction"},
	{64, "89 08", IO_READ, 4, EMULATE_MISMATCH,
	 "the fault is a read but mov only writes"},
	{64, "8b 08", IO_WRITE, 4, EMULATE_MISMATCH,
	 "the fault is a write but mov only reads"},
	{64, "89 08", IO_WRITE, 8, EMULATE_MISMATCH,
	 "the fault is a 8-byte access but mov accesses 4"},
	{64, "ac", IO_WRITE, 1, EMULATE_MISMATCH, "lodsb only reads"},
	/* 16-bit "48" is DEC AX: not a memory access at all. */
	{16, "48 89 08", IO_WRITE, 0, EMULATE_UNSUPPORTED, "dec"},
};

START_TEST(rejected_with_a_reason)
{
	struct memory m = {0};
	struct regs r, before;
	struct fault f = {.mode = (enum cpu_mode)rejects[_i].mode,
			  .size = rejects[_i].size,
			  .dir = (enum io_dir)rejects[_i].dir};
	char err[256] = "";
	int rc;

	initial_regs(&r);
	before = r;
	f.insn_len = parse_hex(rejects[_i].hex, f.insn);
	f.gpa = r.r[REG_RAX];
	rc = emulate_fault(dec, &f, &r, &ops, &m, err, sizeof(err));
	ck_assert_int_eq(rc, rejects[_i].status);
	ck_assert_msg(strstr(err, rejects[_i].message), "got: %s", err);
	ck_assert_int_eq(memcmp(&r, &before, sizeof(r)), 0);
	ck_assert_int_eq(m.reads + m.writes, 0);
}
END_TEST

START_TEST(address_inconsistent_with_the_fault_is_rejected)
{
	struct memory m = {0};
	struct regs r;
	struct fault f = {.mode = CPU_MODE_64, .size = 4, .dir = IO_WRITE};
	char err[256];

	initial_regs(&r);
	f.insn_len = parse_hex("89 08", f.insn);
	f.gpa = (r.r[REG_RAX] & ~0xfffull) + ((r.r[REG_RAX] + 4) & 0xfff);
	ck_assert_int_eq(emulate_fault(dec, &f, &r, &ops, &m, err, sizeof(err)),
			 EMULATE_MISMATCH);
	ck_assert_ptr_nonnull(strstr(err, "page offsets differ"));
}
END_TEST

/* Found by check_trap_diff: the CPU accesses the word that holds the
 * bit, here [rax + 8] for bit 77 of a dword at [rax] (and [rax - 4] for
 * bit -2), which mmiod refused as a page-offset mismatch. */
START_TEST(bt_register_offset_faults_at_the_word_with_the_bit)
{
	static const struct {
		uint64_t offset;
		int64_t delta;
		unsigned bit;
	} cases[] = {{77, 8, 13}, {(uint64_t)-2, -4, 30}};
	uint8_t bytes[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct memory m = {.read_value = 0};
		struct fault f = {.mode = CPU_MODE_64, .dir = IO_READ};
		struct regs r;
		char err[256] = "";

		initial_regs(&r);
		r.r[REG_RCX] = cases[i].offset;
		f.insn_len = parse_hex("0f ab 08", bytes); /* bts [rax], ecx */
		memcpy(f.insn, bytes, f.insn_len);
		f.gpa = r.r[REG_RAX] + (uint64_t)cases[i].delta;
		ck_assert_msg(emulate_fault(dec, &f, &r, &ops, &m, err,
					    sizeof(err)) == EMULATE_OK,
			      "%s", err);
		ck_assert_uint_eq(m.last_gpa, f.gpa);
		ck_assert_uint_eq(m.written, 1ull << cases[i].bit);
	}
}
END_TEST

/* Found by check_trap_diff: GAS writes rep movsw as 66 f3 a5, which
 * Capstone 4.0.2 decodes as rep movsd; it drops the F2 of 66 f2 a5. */
START_TEST(string_prefixes_in_any_order)
{
	static const struct {
		const char *hex;
		unsigned size;
		bool rep;
	} cases[] = {{"66 f3 a5", 2, true},    {"f3 66 a5", 2, true},
		     {"66 67 f3 ab", 2, true}, {"66 f2 a5", 2, true},
		     {"66 f3 48 a5", 8, true}, {"f2 ac", 1, true}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct decoded d;
		uint8_t bytes[16];
		size_t n = parse_hex(cases[i].hex, bytes);
		char err[128];

		ck_assert_int_eq(decode_insn(dec, CPU_MODE_64, bytes, n, &d,
					     err, sizeof(err)),
				 0);
		ck_assert_msg(d.size == cases[i].size && d.rep == cases[i].rep,
			      "%s: size %u rep %d", cases[i].hex, d.size,
			      d.rep);
	}
}
END_TEST

/* Found by check_trap_diff: a rep lods whose element straddles the end
 * of the faulting page made no progress, so the CPU faulted on it again
 * forever. */
START_TEST(rep_element_straddling_the_page_end_makes_progress)
{
	struct memory m = {.read_value = 0x11};
	struct fault f = {.mode = CPU_MODE_64, .dir = IO_READ};
	struct regs r;
	char err[256] = "";

	initial_regs(&r);
	r.r[REG_RCX] = 2;
	r.r[REG_RSI] = 0x2ffe;
	f.insn_len = parse_hex("f3 ad", f.insn); /* rep lodsd */
	f.gpa = 0xfe002ffe;
	ck_assert_msg(emulate_fault(dec, &f, &r, &ops, &m, err, sizeof(err)) ==
			      EMULATE_OK,
		      "%s", err);
	ck_assert_int_eq(m.reads, 1);
	ck_assert_uint_eq(r.r[REG_RCX], 1);
	ck_assert_uint_eq(r.r[REG_RSI], 0x3002);
}
END_TEST

/* Found by check_trap_diff: only MOVSXD with REX.W extends. 66 63 is a
 * 16-bit move that keeps bits 63:16, 63 and 44 63 (REX.R alone) 32-bit
 * moves that zero-extend; Capstone gives all three a sign-extending read
 * into the whole register (and 66 63 a 4-byte one). */
START_TEST(movsxd_without_rex_w_is_a_move)
{
	static const struct {
		const char *hex;
		int reg;
		uint64_t keep; /* bits of the register that stay */
	} cases[] = {{"66 63 08", REG_RCX, ~0xffffull},
		     {"63 08", REG_RCX, 0},
		     {"44 63 08", REG_R9, 0}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct memory m = {.read_value = 0x80008001};
		struct fault f = {.mode = CPU_MODE_64, .dir = IO_READ};
		struct regs r, before;
		unsigned size = cases[i].keep ? 2 : 4;
		char err[256] = "";

		initial_regs(&r);
		before = r;
		f.insn_len = parse_hex(cases[i].hex, f.insn);
		f.gpa = r.r[REG_RAX];
		ck_assert_msg(emulate_fault(dec, &f, &r, &ops, &m, err,
					    sizeof(err)) == EMULATE_OK,
			      "%s", err);
		ck_assert_msg(
			r.r[cases[i].reg] ==
				((before.r[cases[i].reg] & cases[i].keep) |
				 (0x80008001 & access_mask(size))),
			"%s: 0x%llx", cases[i].hex,
			(unsigned long long)r.r[cases[i].reg]);
	}
}
END_TEST

START_TEST(cache_hits_give_the_same_decode_as_capstone)
{
	struct decoded a, b;
	uint8_t bytes[16];
	size_t n = parse_hex("48 c7 00 00 00 00 80 90 90", bytes);
	char err[128];

	decoder_set_cache(dec, false);
	ck_assert_int_eq(
		decode_insn(dec, CPU_MODE_64, bytes, n, &a, err, sizeof(err)),
		0);
	decoder_set_cache(dec, true);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(decode_insn(dec, CPU_MODE_64, bytes, n, &b,
					     err, sizeof(err)),
				 0);
		ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	}
	/* Same first bytes, another instruction: no false hit. */
	n = parse_hex("48 c7 00 01 00 00 00", bytes);
	ck_assert_int_eq(
		decode_insn(dec, CPU_MODE_64, bytes, n, &b, err, sizeof(err)),
		0);
	ck_assert_uint_eq(b.imm, 1);
	/* Same bytes, another mode: no false hit. */
	n = parse_hex("89 08", bytes);
	ck_assert_int_eq(
		decode_insn(dec, CPU_MODE_64, bytes, n, &a, err, sizeof(err)),
		0);
	ck_assert_int_eq(
		decode_insn(dec, CPU_MODE_16, bytes, n, &b, err, sizeof(err)),
		0);
	ck_assert_uint_eq(a.size, 4);
	ck_assert_uint_eq(b.size, 2);
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *table = tcase_create("table");
	TCase *regs = tcase_create("registers");
	TCase *edge = tcase_create("edges");

	tcase_add_checked_fixture(table, setup, teardown);
	tcase_add_loop_test(table, table_row, 0,
			    sizeof(rows) / sizeof(rows[0]));
	tcase_add_loop_test(table, string_row, 0,
			    sizeof(string_rows) / sizeof(string_rows[0]));
	suite_add_tcase(s, table);

	generate();
	tcase_add_checked_fixture(regs, setup, teardown);
	tcase_add_loop_test(regs, every_register_in_every_mode, 0, (int)ngens);
	suite_add_tcase(s, regs);

	tcase_add_checked_fixture(edge, setup, teardown);
	tcase_add_loop_test(edge, rejected_with_a_reason, 0,
			    sizeof(rejects) / sizeof(rejects[0]));
	tcase_add_test(edge, address_inconsistent_with_the_fault_is_rejected);
	tcase_add_test(edge, cache_hits_give_the_same_decode_as_capstone);
	tcase_add_test(edge,
		       bt_register_offset_faults_at_the_word_with_the_bit);
	tcase_add_test(edge, string_prefixes_in_any_order);
	tcase_add_test(edge, movsxd_without_rex_w_is_a_move);
	tcase_add_test(edge,
		       rep_element_straddling_the_page_end_makes_progress);
	suite_add_tcase(s, edge);
	return s;
}

int main(void)
{
	return run_suite(decode_suite());
}
