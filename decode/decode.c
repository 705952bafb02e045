/* SPDX-License-Identifier: BSD-2-Clause */
/* decode.c - x86 instruction bytes -> struct decoded, with Capstone for
 * the encoding (length, operands, prefixes) and our own table for what
 * each instruction does. Capstone 4.0.2's operand read/write flags are
 * wrong for several stores (MOVNTI, MOVBE) and for TEST/CMPXCHG, so the
 * direction comes from the table and the operand order, never from them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "decode.h"
#include "decode_internal.h"

enum family {
	FAM_MOV,    /* MOV, MOVABS: either direction */
	FAM_STORE,  /* MOVNTI: register -> memory */
	FAM_MOVBE,  /* either direction, bytes swapped */
	FAM_EXTEND, /* MOVZX, MOVSX, MOVSXD: memory -> wider register */
	FAM_ALU,    /* two operands, result to the first */
	FAM_FLAGS,  /* CMP, TEST, BT: flags only */
	FAM_UNARY,  /* INC, DEC, NOT, NEG on memory */
	FAM_BITS,   /* BTS, BTR, BTC: read, modify a bit, write, CF */
	FAM_XCHG,
	FAM_STRING, /* MOVS, STOS, LODS (by opcode: MOVSD is also SSE) */
};

struct rule {
	unsigned id;
	enum family family;
	enum alu_op op;
	enum extend extend;
};

static const struct rule rules[] = {
	{X86_INS_MOV, FAM_MOV, ALU_NONE, EXTEND_NONE},
	{X86_INS_MOVABS, FAM_MOV, ALU_NONE, EXTEND_NONE},
	{X86_INS_MOVNTI, FAM_STORE, ALU_NONE, EXTEND_NONE},
	{X86_INS_MOVBE, FAM_MOVBE, ALU_NONE, EXTEND_NONE},
	{X86_INS_MOVZX, FAM_EXTEND, ALU_NONE, EXTEND_ZERO},
	{X86_INS_MOVSX, FAM_EXTEND, ALU_NONE, EXTEND_SIGN},
	{X86_INS_MOVSXD, FAM_EXTEND, ALU_NONE, EXTEND_SIGN},
	{X86_INS_ADD, FAM_ALU, ALU_ADD, EXTEND_NONE},
	{X86_INS_OR, FAM_ALU, ALU_OR, EXTEND_NONE},
	{X86_INS_ADC, FAM_ALU, ALU_ADC, EXTEND_NONE},
	{X86_INS_SBB, FAM_ALU, ALU_SBB, EXTEND_NONE},
	{X86_INS_AND, FAM_ALU, ALU_AND, EXTEND_NONE},
	{X86_INS_SUB, FAM_ALU, ALU_SUB, EXTEND_NONE},
	{X86_INS_XOR, FAM_ALU, ALU_XOR, EXTEND_NONE},
	{X86_INS_CMP, FAM_FLAGS, ALU_CMP, EXTEND_NONE},
	{X86_INS_TEST, FAM_FLAGS, ALU_TEST, EXTEND_NONE},
	{X86_INS_BT, FAM_FLAGS, ALU_BT, EXTEND_NONE},
	{X86_INS_BTS, FAM_BITS, ALU_BTS, EXTEND_NONE},
	{X86_INS_BTR, FAM_BITS, ALU_BTR, EXTEND_NONE},
	{X86_INS_BTC, FAM_BITS, ALU_BTC, EXTEND_NONE},
	{X86_INS_INC, FAM_UNARY, ALU_INC, EXTEND_NONE},
	{X86_INS_DEC, FAM_UNARY, ALU_DEC, EXTEND_NONE},
	{X86_INS_NOT, FAM_UNARY, ALU_NOT, EXTEND_NONE},
	{X86_INS_NEG, FAM_UNARY, ALU_NEG, EXTEND_NONE},
	{X86_INS_XCHG, FAM_XCHG, ALU_XCHG, EXTEND_NONE},
	{X86_INS_MOVSB, FAM_STRING, ALU_NONE, EXTEND_NONE},
	{X86_INS_MOVSW, FAM_STRING, ALU_NONE, EXTEND_NONE},
	{X86_INS_MOVSD, FAM_STRING, ALU_NONE, EXTEND_NONE},
	{X86_INS_MOVSQ, FAM_STRING, ALU_NONE, EXTEND_NONE},
	{X86_INS_STOSB, FAM_STRING, ALU_NONE, EXTEND_NONE},
	{X86_INS_STOSW, FAM_STRING, ALU_NONE, EXTEND_NONE},
	{X86_INS_STOSD, FAM_STRING, ALU_NONE, EXTEND_NONE},
	{X86_INS_STOSQ, FAM_STRING, ALU_NONE, EXTEND_NONE},
	{X86_INS_LODSB, FAM_STRING, ALU_NONE, EXTEND_NONE},
	{X86_INS_LODSW, FAM_STRING, ALU_NONE, EXTEND_NONE},
	{X86_INS_LODSD, FAM_STRING, ALU_NONE, EXTEND_NONE},
	{X86_INS_LODSQ, FAM_STRING, ALU_NONE, EXTEND_NONE},
};

static const struct rule *find_rule(unsigned id)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].id == id)
			return &rules[i];
	return NULL;
}

static const cs_mode cs_modes[] = {CS_MODE_16, CS_MODE_32, CS_MODE_64};

static int mode_index(enum cpu_mode mode)
{
	return mode == CPU_MODE_16 ? 0 : mode == CPU_MODE_32 ? 1 : 2;
}

int decode_global_init(void)
{
	/* Decoding one instruction of each kind fills Capstone's lazily
	 * built tables while only this thread runs. */
	static const uint8_t warm[] = {0x89, 0x08};
	struct decoder *d = decoder_create();
	struct decoded out;
	char err[128];
	int rc;

	if (!d)
		return -1;
	rc = decode_insn(d, CPU_MODE_64, warm, sizeof(warm), &out, err,
			 sizeof(err));
	decoder_destroy(d);
	return rc;
}

struct decoder *decoder_create(void)
{
	const struct capstone_api *cs = capstone_api();
	struct decoder *d;

	if (!cs)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cs_api = cs;
	d->cache_enabled = true;
	for (int m = 0; m < 3; m++) {
		if (cs->open(CS_ARCH_X86, cs_modes[m], &d->cs[m]) !=
		    CS_ERR_OK) {
			decoder_destroy(d);
			return NULL;
		}
		d->open[m] = true;
		cs->option(d->cs[m], CS_OPT_DETAIL, CS_OPT_ON);
		d->insn[m] = cs->malloc(d->cs[m]);
		if (!d->insn[m]) {
			decoder_destroy(d);
			return NULL;
		}
	}
	return d;
}

void decoder_destroy(struct decoder *d)
{
	if (!d)
		return;
	for (int m = 0; m < 3; m++) {
		if (d->insn[m])
			d->cs_api->free(d->insn[m], 1);
		if (d->open[m])
			d->cs_api->close(&d->cs[m]);
	}
	free(d);
}

void decoder_set_cache(struct decoder *d, bool enabled)
{
	d->cache_enabled = enabled;
	memset(d->cache, 0, sizeof(d->cache));
}

static void hex_bytes(char *buf, size_t len, const uint8_t *bytes, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 3 < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%02x",
					 i ? " " : "", bytes[i]);
}

__attribute__((format(printf, 5, 6))) static int fail(char *err, size_t errlen,
						      const uint8_t *bytes,
						      size_t n, const char *fmt,
						      ...)
{
	char hex[64];
	va_list ap;
	int used;

	va_start(ap, fmt);
	used = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (used >= 0 && (size_t)used < errlen) {
		hex_bytes(hex, sizeof(hex), bytes, n);
		snprintf(err + used, errlen - (size_t)used, " (%s)", hex);
	}
	return -1;
}

/* The immediate as encoded, sign-extended to 64 bits: x86 sign-extends
 * every immediate narrower than its operand (imm8 of 0x83, imm32 of
 * REX.W forms); callers mask it to the operand size. */
static uint64_t immediate(const cs_insn *insn)
{
	const cs_x86_encoding *enc = &insn->detail->x86.encoding;
	uint64_t raw = 0;

	memcpy(&raw, insn->bytes + enc->imm_offset, enc->imm_size);
	if (enc->imm_size && enc->imm_size < 8) {
		unsigned shift = 64 - 8 * enc->imm_size;

		raw = (uint64_t)((int64_t)(raw << shift) >> shift);
	}
	return raw;
}

static int find_mem(const cs_x86 *x)
{
	int found = -1;

	for (int i = 0; i < x->op_count; i++) {
		if (x->operands[i].type != X86_OP_MEM)
			continue;
		if (found >= 0)
			return -2; /* two memory operands: not one access */
		found = i;
	}
	return found;
}

/* The other (register or immediate) operand of a two-operand form. */
static int source_operand(const cs_insn *insn, const cs_x86 *x, int mem,
			  struct decoded *out, char *err, size_t errlen)
{
	const cs_x86_op *op;

	if (x->op_count != 2)
		return fail(err, errlen, insn->bytes, insn->size,
			    "unsupported form of %s", insn->mnemonic);
	op = &x->operands[1 - mem];
	if (op->type == X86_OP_IMM) {
		out->has_imm = true;
		out->imm = immediate(insn) & access_mask(out->size);
		return 0;
	}
	if (op->type != X86_OP_REG || reg_operand_of(op->reg, &out->reg))
		return fail(err, errlen, insn->bytes, insn->size,
			    "unsupported instruction %s with a %s operand",
			    insn->mnemonic,
			    op->type == X86_OP_REG ? "special register"
						   : "non-register");
	return 0;
}

static void effective_address(const cs_x86 *x, const cs_x86_op *mem,
			      enum cpu_mode mode, struct decoded *out)
{
	struct reg_operand r;

	out->ea_disp = mem->mem.disp;
	out->ea_scale = (unsigned)mem->mem.scale;
	out->ea_base = out->ea_index = -1;
	out->ea_rip_relative = mem->mem.base == X86_REG_RIP;
	if (mem->mem.base != X86_REG_INVALID && !out->ea_rip_relative &&
	    reg_operand_of(mem->mem.base, &r) == 0)
		out->ea_base = r.reg;
	if (mem->mem.index != X86_REG_INVALID &&
	    reg_operand_of(mem->mem.index, &r) == 0)
		out->ea_index = r.reg;
	/* Only 64-bit mode has flat DS/ES/SS; FS and GS have bases we
	 * are not told. */
	out->ea_checkable = mode == CPU_MODE_64 &&
			    mem->mem.segment != X86_REG_FS &&
			    mem->mem.segment != X86_REG_GS && x->addr_size == 8;
}

static bool legacy_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 ||
	       b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
	       b == 0x65;
}

static bool has_prefix(const cs_insn *insn, uint8_t prefix)
{
	for (unsigned i = 0; i < insn->size && legacy_prefix(insn->bytes[i]);
	     i++)
		if (insn->bytes[i] == prefix)
			return true;
	return false;
}

/* A string instruction's element size and REP, from the bytes: Capstone
 * 4.0.2 drops a 66 that comes before F3 ("66 f3 a5" is rep movsw on the
 * CPU, rep movsd to Capstone) and the F2 of "66 f2 a5" (which the CPU
 * runs as rep movsw: REPNE repeats MOVS, STOS and LODS like REP). The
 * element size is 1 for the even opcodes, else 8 with REX.W, else the
 * mode's operand size, switched by a 66 anywhere among the prefixes. */
static void string_prefixes(const cs_insn *insn, const cs_x86 *x,
			    enum cpu_mode mode, struct decoded *out)
{
	bool opsize = has_prefix(insn, 0x66);

	out->rep = has_prefix(insn, 0xf2) || has_prefix(insn, 0xf3);
	if (!(x->opcode[0] & 1))
		out->size = 1;
	else if (mode == CPU_MODE_64 && (x->rex & 8))
		out->size = 8;
	else if (mode == CPU_MODE_16)
		out->size = opsize ? 4 : 2;
	else
		out->size = opsize ? 2 : 4;
}

static int decode_string(const cs_insn *insn, const cs_x86 *x,
			 enum cpu_mode mode, struct decoded *out, char *err,
			 size_t errlen)
{
	switch (x->opcode[0]) {
	case 0xa4:
	case 0xa5:
		out->string = STRING_MOVS;
		break;
	case 0xaa:
	case 0xab:
		out->string = STRING_STOS;
		break;
	case 0xac:
	case 0xad:
		out->string = STRING_LODS;
		break;
	default: /* SSE's MOVSD shares the name */
		return fail(err, errlen, insn->bytes, insn->size,
			    "unsupported instruction %s", insn->mnemonic);
	}
	out->kind = KIND_STRING;
	string_prefixes(insn, x, mode, out);
	out->addr_size = x->addr_size;
	return 0;
}

static int decode_operands(const cs_insn *insn, const struct rule *rule,
			   enum cpu_mode mode, struct decoded *out, char *err,
			   size_t errlen)
{
	const cs_x86 *x = &insn->detail->x86;
	const cs_x86_op *mem;
	int m;

	if (rule->family == FAM_STRING)
		return decode_string(insn, x, mode, out, err, errlen);
	m = find_mem(x);
	if (m < 0)
		return fail(err, errlen, insn->bytes, insn->size,
			    "%s does not access memory through one operand",
			    insn->mnemonic);
	mem = &x->operands[m];
	out->size = mem->size;
	effective_address(x, mem, mode, out);
	out->op = rule->op;
	switch (rule->family) {
	case FAM_MOV:
	case FAM_STORE:
	case FAM_MOVBE:
		out->kind = m == 0 ? KIND_WRITE : KIND_READ;
		out->byte_swap = rule->family == FAM_MOVBE;
		return source_operand(insn, x, m, out, err, errlen);
	case FAM_EXTEND:
		out->kind = KIND_READ;
		out->extend = rule->extend;
		if (m != 1 || reg_operand_of(x->operands[0].reg, &out->reg))
			break;
		/* Only MOVSXD with REX.W extends: 66 63 is a 16-bit move
		 * and 63 a 32-bit one, whatever other REX bits are set.
		 * Capstone 4.0.2 gives both a 64-bit destination (and 66 63
		 * a 4-byte source). */
		if (insn->id == X86_INS_MOVSXD && !(x->rex & 8))
			out->reg.size = out->size =
				has_prefix(insn, 0x66) ? 2 : 4;
		/* MOVSXD to a 32-bit register is a plain 32-bit move. */
		if (out->reg.size <= out->size)
			out->extend = EXTEND_NONE;
		return 0;
	case FAM_ALU:
	case FAM_XCHG:
		out->kind = KIND_RMW;
		out->mem_is_dest = m == 0;
		return source_operand(insn, x, m, out, err, errlen);
	case FAM_FLAGS:
		out->kind = KIND_READ_FLAGS;
		out->mem_is_dest = m == 0;
		return source_operand(insn, x, m, out, err, errlen);
	case FAM_BITS:
		out->kind = KIND_RMW;
		out->mem_is_dest = true;
		return source_operand(insn, x, m, out, err, errlen);
	case FAM_UNARY:
		out->kind = KIND_RMW;
		out->mem_is_dest = true;
		out->reg.reg = -1;
		if (x->op_count == 1)
			return 0;
		break;
	case FAM_STRING:
		break;
	}
	return fail(err, errlen, insn->bytes, insn->size,
		    "unsupported form of %s", insn->mnemonic);
}

static int decode_uncached(struct decoder *d, enum cpu_mode mode,
			   const uint8_t *bytes, size_t len,
			   struct decoded *out, char *err, size_t errlen)
{
	int m = mode_index(mode);
	cs_insn *insn = d->insn[m];
	const uint8_t *code = bytes;
	uint64_t address = 0;
	const struct rule *rule;
	size_t size = len;

	if (!d->cs_api->disasm_iter(d->cs[m], &code, &size, &address, insn))
		return fail(err, errlen, bytes, len > 15 ? 15 : len,
			    "not a valid %d-bit instruction", (int)mode);
	memset(out, 0, sizeof(*out));
	out->reg.reg = -1;
	out->length = insn->size;
	snprintf(out->mnemonic, sizeof(out->mnemonic), "%s", insn->mnemonic);
	rule = find_rule(insn->id);
	if (!rule)
		return fail(err, errlen, insn->bytes, insn->size,
			    "unsupported instruction %s", insn->mnemonic);
	if (decode_operands(insn, rule, mode, out, err, errlen))
		return -1;
	if (out->size != 1 && out->size != 2 && out->size != 4 &&
	    out->size != 8)
		return fail(err, errlen, insn->bytes, insn->size,
			    "unsupported %u-byte access of %s", out->size,
			    insn->mnemonic);
	return 0;
}

int decode_insn(struct decoder *d, enum cpu_mode mode, const uint8_t *bytes,
		size_t len, struct decoded *out, char *err, size_t errlen)
{
	struct decode_cache_entry *e;

	if (mode != CPU_MODE_16 && mode != CPU_MODE_32 && mode != CPU_MODE_64) {
		snprintf(err, errlen, "mode must be 16, 32 or 64");
		return -1;
	}
	if (len == 0) {
		snprintf(err, errlen, "no instruction bytes");
		return -1;
	}
	if (len > DECODE_MAX_INSN)
		len = DECODE_MAX_INSN;
	if (!d->cache_enabled)
		return decode_uncached(d, mode, bytes, len, out, err, errlen);
	e = decode_cache_lookup(d, mode, bytes, len);
	if (e) {
		*out = e->decoded;
		return 0;
	}
	if (decode_uncached(d, mode, bytes, len, out, err, errlen))
		return -1;
	decode_cache_store(d, mode, bytes, out);
	return 0;
}
