/* SPDX-License-Identifier: BSD-2-Clause */
/* check_decode_oracle.c - decode/ against an independent decoder: binutils'
 * objdump reads the same generated encodings of every supported family,
 * in 16-, 32- and 64-bit mode, and must agree on the length, the access
 * size and which side of the instruction the memory operand is on. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "decode/decode.h"
#include "testutil.h"

#define PER_MODE 4000 /* 12,000 encodings in all */
#define BLOCK 16      /* each instruction padded with NOPs */

struct gen_state {
	unsigned seed;
	int mode;
	bool addr16; /* 16-bit addressing */
};

static unsigned rnd(struct gen_state *g, unsigned n)
{
	return (unsigned)rand_r(&g->seed) % n;
}

/* ModRM (+SIB, +displacement) for a memory operand with reg field reg. */
static size_t modrm_mem(struct gen_state *g, unsigned reg, uint8_t *out)
{
	unsigned mod = rnd(g, 3), rm = rnd(g, 8);
	size_t n = 0;

	out[n++] = (uint8_t)(mod << 6 | (reg & 7) << 3 | rm);
	if (g->addr16) {
		unsigned disp = mod == 1			    ? 1
				: mod == 2 || (mod == 0 && rm == 6) ? 2
								    : 0;

		for (unsigned i = 0; i < disp; i++)
			out[n++] = (uint8_t)rnd(g, 256);
		return n;
	}
	if (rm == 4) {
		uint8_t sib = (uint8_t)rnd(g, 256);

		out[n++] = sib;
		if (mod == 0 && (sib & 7) == 5)
			mod = 2; /* base 5 without mod: disp32 */
	}
	if (mod == 0 && rm == 5)
		mod = 2; /* disp32 (RIP-relative in 64-bit mode) */
	for (unsigned i = 0; i < (mod == 1 ? 1u : mod == 2 ? 4u : 0u); i++)
		out[n++] = (uint8_t)rnd(g, 256);
	return n;
}

struct form {
	uint8_t opcode[3];
	unsigned opcode_len;
	int reg;      /* fixed ModRM reg field (/digit), or -1: random */
	unsigned imm; /* 0, 1 (ib), or 'z' (iz: 2 or 4 by size) */
	bool byte_op; /* no 66/REX.W size change matters */
	bool lockable;
	bool no66;   /* MOVNTI */
	bool only64; /* MOVSXD */
};

#define IZ 'z'

static const struct form forms[] = {
	{{0x88}, 1, -1, 0, true, false, false, false},
	{{0x89}, 1, -1, 0, false, false, false, false},
	{{0x8a}, 1, -1, 0, true, false, false, false},
	{{0x8b}, 1, -1, 0, false, false, false, false},
	{{0xc6}, 1, 0, 1, true, false, false, false},
	{{0xc7}, 1, 0, IZ, false, false, false, false},
	{{0x0f, 0xb6}, 2, -1, 0, false, false, false, false},
	{{0x0f, 0xb7}, 2, -1, 0, false, false, false, false},
	{{0x0f, 0xbe}, 2, -1, 0, false, false, false, false},
	{{0x0f, 0xbf}, 2, -1, 0, false, false, false, false},
	{{0x63}, 1, -1, 0, false, false, false, true},
	{{0x00}, 1, -1, 0, true, true, false, false},
	{{0x01}, 1, -1, 0, false, true, false, false},
	{{0x02}, 1, -1, 0, true, false, false, false},
	{{0x03}, 1, -1, 0, false, false, false, false},
	{{0x09}, 1, -1, 0, false, true, false, false},
	{{0x11}, 1, -1, 0, false, true, false, false},
	{{0x19}, 1, -1, 0, false, true, false, false},
	{{0x21}, 1, -1, 0, false, true, false, false},
	{{0x2b}, 1, -1, 0, false, false, false, false},
	{{0x31}, 1, -1, 0, false, true, false, false},
	{{0x38}, 1, -1, 0, true, false, false, false},
	{{0x3b}, 1, -1, 0, false, false, false, false},
	{{0x80}, 1, -2, 1, true, true, false, false},
	{{0x81}, 1, -2, IZ, false, true, false, false},
	{{0x83}, 1, -2, 1, false, true, false, false},
	{{0x84}, 1, -1, 0, true, false, false, false},
	{{0x85}, 1, -1, 0, false, false, false, false},
	{{0x86}, 1, -1, 0, true, true, false, false},
	{{0x87}, 1, -1, 0, false, true, false, false},
	{{0xf6}, 1, 0, 1, true, false, false, false},
	{{0xf7}, 1, 0, IZ, false, false, false, false},
	{{0xf6}, 1, 2, 0, true, true, false, false},
	{{0xf7}, 1, 3, 0, false, true, false, false},
	{{0xfe}, 1, 0, 0, true, true, false, false},
	{{0xff}, 1, 1, 0, false, true, false, false},
	{{0x0f, 0xa3}, 2, -1, 0, false, false, false, false},
	{{0x0f, 0xab}, 2, -1, 0, false, true, false, false},
	{{0x0f, 0xb3}, 2, -1, 0, false, true, false, false},
	{{0x0f, 0xbb}, 2, -1, 0, false, true, false, false},
	{{0x0f, 0xba}, 2, -3, 1, false, false, false, false},
	{{0x0f, 0xc3}, 2, -1, 0, false, false, true, false},
	{{0x0f, 0x38, 0xf0}, 3, -1, 0, false, false, false, false},
	{{0x0f, 0x38, 0xf1}, 3, -1, 0, false, false, false, false},
};

#define NFORMS (sizeof(forms) / sizeof(forms[0]))

/* One encoding into out (at most 15 bytes). */
static size_t generate(struct gen_state *g, uint8_t *out)
{
	const struct form *f;
	bool op16, rex_w = false;
	unsigned reg;
	size_t n = 0;

	/* Now and then a string or moffs form instead. */
	if (rnd(g, 10) == 0) {
		static const uint8_t strs[] = {0xa4, 0xa5, 0xaa,
					       0xab, 0xac, 0xad};
		bool a67 = rnd(g, 2), string = rnd(g, 2);
		unsigned width;

		if (a67)
			out[n++] = 0x67;
		if (string && rnd(g, 2))
			out[n++] = 0xf3;
		if (rnd(g, 3) == 0)
			out[n++] = 0x66;
		if (g->mode == 64 && rnd(g, 2))
			out[n++] = 0x48;
		if (string) {
			out[n++] = strs[rnd(g, 6)];
			return n;
		}
		/* moffs: the address is as wide as the address size */
		out[n++] = (uint8_t)(0xa0 + rnd(g, 4));
		width = g->mode == 64		 ? (a67 ? 4 : 8)
			: (g->mode == 32) != a67 ? 4
						 : 2;
		for (unsigned i = 0; i < width; i++)
			out[n++] = (uint8_t)rnd(g, 256);
		return n;
	}

	do {
		f = &forms[rnd(g, NFORMS)];
	} while (f->only64 && g->mode != 64);
	op16 = !f->no66 && rnd(g, 3) == 0;
	g->addr16 = g->mode == 16;
	reg = f->reg >= 0    ? (unsigned)f->reg
	      : f->reg == -2 ? rnd(g, 8)
			     : /* ALU group: any op */
		      f->reg == -3 ? 4 + rnd(g, 4)
				   : /* BT group: /4../7 */
		      rnd(g, 8);
	/* LOCK CMP (group /7) is #UD: not an encoding a guest can run. */
	if (f->lockable && !(f->reg == -2 && reg == 7) && rnd(g, 4) == 0)
		out[n++] = 0xf0;
	if (op16)
		out[n++] = 0x66;
	if (rnd(g, 4) == 0) {
		out[n++] = 0x67;
		g->addr16 = g->mode == 32;
	}
	if (g->mode == 64 && (rnd(g, 2) || f->only64)) {
		rex_w = f->only64 || rnd(g, 2);
		out[n++] = (uint8_t)(0x40 | (rex_w ? 8 : 0) | rnd(g, 8));
	}
	memcpy(out + n, f->opcode, f->opcode_len);
	n += f->opcode_len;
	n += modrm_mem(g, reg, out + n);
	if (f->imm == 1) {
		out[n++] = (uint8_t)rnd(g, 256);
	} else if (f->imm == IZ) {
		bool sixteen = !rex_w && ((g->mode == 16) != op16);

		for (unsigned i = 0; i < (sixteen ? 2u : 4u); i++)
			out[n++] = (uint8_t)rnd(g, 256);
	}
	return n;
}

struct objdump_insn {
	unsigned length;
	unsigned size; /* from "... PTR", 0 if absent */
	int mem_first; /* 1, 0, or -1 when there is no memory operand */
	bool bad;
	char text[96];
};

static unsigned ptr_size(const char *ops)
{
	static const struct {
		const char *word;
		unsigned size;
	} sizes[] = {{"QWORD PTR", 8},
		     {"DWORD PTR", 4},
		     {"WORD PTR", 2},
		     {"BYTE PTR", 1}};

	for (size_t i = 0; i < 4; i++) {
		const char *p = strstr(ops, sizes[i].word);

		/* "DWORD" contains "WORD": take the longest match first. */
		if (p && (p == ops || p[-1] == ' ' || p[-1] == ','))
			return sizes[i].size;
	}
	return 0;
}

/* Parses one objdump -M intel line into the instruction at its address. */
static int parse_line(const char *line, struct objdump_insn *table,
		      size_t count)
{
	unsigned long addr;
	const char *bytes, *text, *ops;
	char *end;
	unsigned len = 0;
	struct objdump_insn *o;

	addr = strtoul(line, &end, 16);
	if (end == line || *end != ':' || end[1] != '\t')
		return 0;
	bytes = end + 2;
	text = strchr(bytes, '\t');
	if (addr % BLOCK || addr / BLOCK >= count || !text)
		return 0;
	for (const char *p = bytes; p < text; p++)
		if (p[0] != ' ' && p[1] != ' ' && p + 1 < text &&
		    (p == bytes || p[-1] == ' '))
			len++;
	o = &table[addr / BLOCK];
	o->length = len;
	snprintf(o->text, sizeof(o->text), "%s", text + 1);
	o->text[strcspn(o->text, "\n")] = '\0';
	o->bad = strstr(o->text, "(bad)") != NULL;
	/* Operands: past the prefixes objdump prints as words and the
	 * mnemonic. */
	ops = o->text;
	for (;;) {
		size_t word = strcspn(ops, " ");
		bool prefix = !strncmp(ops, "lock ", 5) ||
			      !strncmp(ops, "rep ", 4) ||
			      !strncmp(ops, "repz ", 5) ||
			      !strncmp(ops, "data16 ", 7) ||
			      !strncmp(ops, "addr32 ", 7);

		ops += word;
		ops += strspn(ops, " ");
		if (!prefix)
			break;
	}
	o->size = ptr_size(ops);
	o->mem_first = -1;
	if (*ops) {
		size_t first = strcspn(ops, ",");

		if (memchr(ops, '[', strlen(ops)) ||
		    memchr(ops, ':', strlen(ops)))
			o->mem_first = memchr(ops, '[', first) ||
				       memchr(ops, ':', first);
	}
	return 1;
}

static int ours_mem_first(const struct decoded *d)
{
	switch (d->kind) {
	case KIND_WRITE:
		return 1;
	case KIND_READ:
		return 0;
	case KIND_STRING:
		return -1; /* both sides are memory */
	default:
		return d->mem_is_dest;
	}
}

static void run_mode(int mode, const char *machine)
{
	static uint8_t code[PER_MODE * BLOCK];
	static struct objdump_insn theirs[PER_MODE];
	struct gen_state g = {.seed = 1234u + (unsigned)mode, .mode = mode};
	struct decoder *d = decoder_create();
	char cmd[512], line[512], err[256];
	unsigned compared = 0, mismatches = 0;
	const char *path = temp_path("oracle.bin");
	FILE *f, *p;

	ck_assert_ptr_nonnull(d);
	memset(code, 0x90, sizeof(code));
	memset(theirs, 0, sizeof(theirs));
	for (size_t i = 0; i < PER_MODE; i++)
		generate(&g, code + i * BLOCK);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(code, 1, sizeof(code), f), sizeof(code));
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "objdump -D -b binary -m %s -M intel --insn-width=16 %s",
		 machine, path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p))
		parse_line(line, theirs, PER_MODE);
	ck_assert_int_eq(pclose(p), 0);

	for (size_t i = 0; i < PER_MODE; i++) {
		const struct objdump_insn *o = &theirs[i];
		struct decoded ours;
		int rc = decode_insn(d, (enum cpu_mode)mode, code + i * BLOCK,
				     15, &ours, err, sizeof(err));

		if (o->bad || o->length == 0) {
			/* objdump calls it invalid: so must we. */
			if (rc == 0 && mismatches++ < 10)
				fprintf(stderr,
					"mode %d block %zu: objdump "
					"says '%s', we decode %s\n",
					mode, i, o->text, ours.mnemonic);
			continue;
		}
		if (rc) {
			if (mismatches++ < 10)
				fprintf(stderr, "mode %d block %zu (%s): %s\n",
					mode, i, o->text, err);
			continue;
		}
		compared++;
		if (ours.length != o->length ||
		    (o->size && ours.size != o->size) ||
		    (o->mem_first >= 0 && ours_mem_first(&ours) >= 0 &&
		     o->mem_first != ours_mem_first(&ours))) {
			if (mismatches++ < 10)
				fprintf(stderr,
					"mode %d block %zu: objdump '%s' "
					"(length %u, size %u, mem first %d); "
					"we: %s length %u size %u mem first "
					"%d\n",
					mode, i, o->text, o->length, o->size,
					o->mem_first, ours.mnemonic,
					ours.length, ours.size,
					ours_mem_first(&ours));
		}
	}
	decoder_destroy(d);
	fprintf(stderr,
		"mode %d: %u encodings compared with objdump, %u "
		"disagreements\n",
		mode, compared, mismatches);
	ck_assert_uint_ge(compared, PER_MODE * 9 / 10);
	ck_assert_uint_eq(mismatches, 0);
}

START_TEST(agrees_with_objdump_in_64_bit_mode)
{
	run_mode(64, "i386:x86-64");
}
END_TEST

START_TEST(agrees_with_objdump_in_32_bit_mode)
{
	run_mode(32, "i386");
}
END_TEST

START_TEST(agrees_with_objdump_in_16_bit_mode)
{
	run_mode(16, "i8086");
}
END_TEST

/* Capstone 4.0.2's operand access flags, checked against our table on
 * the same corpus: they must agree except for the instructions whose
 * flags Capstone is known to get wrong, which is why decode/ takes the
 * direction from its own table. */
static unsigned capstone_access(csh cs, cs_insn *insn, const uint8_t *code)
{
	const uint8_t *p = code;
	size_t size = 15;
	uint64_t addr = 0;

	if (!cs_disasm_iter(cs, &p, &size, &addr, insn))
		return 0;
	for (int i = 0; i < insn->detail->x86.op_count; i++)
		if (insn->detail->x86.operands[i].type == X86_OP_MEM)
			return insn->detail->x86.operands[i].access;
	return 0;
}

static unsigned our_access(const struct decoded *d)
{
	switch (d->kind) {
	case KIND_WRITE:
		return CS_AC_WRITE;
	case KIND_READ:
	case KIND_READ_FLAGS:
		return CS_AC_READ;
	case KIND_RMW:
		return d->mem_is_dest && d->op != ALU_BT
			       ? CS_AC_READ | CS_AC_WRITE
			       : CS_AC_READ;
	default:
		return 0;
	}
}

START_TEST(capstone_access_flags_agree_except_where_known_wrong)
{
	/* Measured on this corpus: TEST's memory operand is marked
	 * written, MOVNTI's and MOVBE's stores marked read. */
	static const char *const known_wrong[] = {"movnti", "movbe", "test",
						  NULL};
	static uint8_t code[PER_MODE * BLOCK];
	struct gen_state g = {.seed = 99, .mode = 64};
	struct decoder *d = decoder_create();
	unsigned agree = 0, wrong_known = 0, wrong_other = 0;
	cs_insn *insn;
	csh cs;

	ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(cs);
	memset(code, 0x90, sizeof(code));
	for (size_t i = 0; i < PER_MODE; i++)
		generate(&g, code + i * BLOCK);
	for (size_t i = 0; i < PER_MODE; i++) {
		struct decoded ours;
		char err[128];
		unsigned theirs;
		const char *const *k;

		if (decode_insn(d, CPU_MODE_64, code + i * BLOCK, 15, &ours,
				err, sizeof(err)) ||
		    ours.kind == KIND_STRING)
			continue;
		theirs = capstone_access(cs, insn, code + i * BLOCK);
		if (theirs == our_access(&ours)) {
			agree++;
			continue;
		}
		for (k = known_wrong; *k; k++)
			if (strstr(ours.mnemonic, *k))
				break;
		if (*k) {
			wrong_known++;
		} else if (wrong_other++ < 10) {
			fprintf(stderr,
				"capstone says access %u for %s, we %u\n",
				theirs, ours.mnemonic, our_access(&ours));
		}
	}
	fprintf(stderr,
		"capstone access flags: %u agree, %u disagree on known-wrong "
		"instructions, %u elsewhere\n",
		agree, wrong_known, wrong_other);
	cs_free(insn, 1);
	cs_close(&cs);
	decoder_destroy(d);
	ck_assert_uint_gt(agree, PER_MODE / 2);
	ck_assert_uint_eq(wrong_other, 0);
}
END_TEST

static Suite *oracle_suite(void)
{
	Suite *s = suite_create("decode-oracle");
	TCase *tc = tcase_create("objdump");

	tcase_add_test(tc, agrees_with_objdump_in_64_bit_mode);
	tcase_add_test(tc, agrees_with_objdump_in_32_bit_mode);
	tcase_add_test(tc, agrees_with_objdump_in_16_bit_mode);
	tcase_add_test(tc,
		       capstone_access_flags_agree_except_where_known_wrong);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (decode_global_init())
		return 1;
	return run_suite(oracle_suite());
}
