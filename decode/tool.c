/* SPDX-License-Identifier: BSD-2-Clause */
/* tool.c - mmiod-decode: decode one instruction and print what it does
 * to memory and registers as one JSON object. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/parse.h"
#include "decode.h"

struct capture {
	uint64_t read_value;
	bool wrote;
	uint64_t written;
	uint64_t writes;
};

static int cap_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *v)
{
	*v = ((struct capture *)ctx)->read_value;
	return 0;
}

static int cap_write(void *ctx, uint64_t gpa, unsigned size, uint64_t v)
{
	struct capture *c = ctx;

	c->wrote = true;
	c->written = v;
	c->writes++;
	return 0;
}

static int mem_read(void *ctx, uint64_t linear, unsigned size, uint64_t *v)
{
	*v = 0;
	return 0;
}

static int mem_write(void *ctx, uint64_t linear, unsigned size, uint64_t v)
{
	return 0;
}

static const struct emulate_ops capture_ops = {
	cap_read, cap_write, mem_read, mem_write, 0,
};

static void usage(FILE *out)
{
	fputs("Usage: mmiod-decode [--mode 16|32|64] [--reg NAME=VALUE]... "
	      "[--read-value V] HEXBYTES\n"
	      "       mmiod-decode --help | --version\n"
	      "Decode the x86 instruction HEXBYTES (e.g. \"89 08\", "
	      "\"0x89 0x08\" or 8908) and\nprint its "
	      "memory access as JSON; with --read-value, "
	      "also the registers after it\nwhen the memory read returns V. "
	      "Registers not given are 0.\n",
	      out);
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("mmiod-decode: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see mmiod-decode --help)\n", stderr);
	return 2;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Groups of hex digit pairs separated by spaces, ':' or ','; a group may
 * start with 0x, so "0x89 0x08", "89 08" and "0x8908" are the same two
 * bytes. Anything else (a sign, an odd digit) is an error. */
static int parse_hex(const char *text, uint8_t *bytes, size_t *len)
{
	const char *p = text;

	*len = 0;
	while (*p) {
		if (*p == ' ' || *p == ':' || *p == ',') {
			p++;
			continue;
		}
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		if (hex_digit(*p) < 0)
			return -1;
		while (hex_digit(*p) >= 0) {
			if (hex_digit(p[1]) < 0 || *len == DECODE_MAX_INSN)
				return -1;
			bytes[(*len)++] = (uint8_t)(hex_digit(p[0]) << 4 |
						    hex_digit(p[1]));
			p += 2;
		}
		if (*p && *p != ' ' && *p != ':' && *p != ',')
			return -1;
	}
	return *len ? 0 : -1;
}

static const char *access_of(const struct decoded *dc)
{
	switch (dc->kind) {
	case KIND_WRITE:
		return "write";
	case KIND_RMW:
		return dc->mem_is_dest ? "read-write" : "read";
	case KIND_STRING:
		return dc->string == STRING_STOS   ? "write"
		       : dc->string == STRING_LODS ? "read"
						   : "read-write";
	default:
		return "read";
	}
}

/* The register a read fills, if any. */
static const struct reg_operand *destination(const struct decoded *dc)
{
	static const struct reg_operand none = {-1, 0, false};
	static struct reg_operand acc;

	if (dc->kind == KIND_READ ||
	    (dc->kind == KIND_RMW && (!dc->mem_is_dest || dc->op == ALU_XCHG)))
		return &dc->reg;
	if (dc->kind == KIND_STRING && dc->string == STRING_LODS) {
		acc = (struct reg_operand){REG_RAX, dc->size, false};
		return &acc;
	}
	return &none;
}

static enum io_dir fault_dir(const struct decoded *dc)
{
	if (dc->kind == KIND_WRITE ||
	    (dc->kind == KIND_STRING && dc->string == STRING_STOS))
		return IO_WRITE;
	return IO_READ;
}

/* What a write puts in memory: MOVBE stores the bytes reversed. */
static uint64_t written_value(const struct decoded *dc, const struct regs *regs)
{
	uint64_t v = dc->has_imm ? dc->imm : reg_read(regs, &dc->reg);
	uint64_t swapped = 0;

	if (!dc->byte_swap)
		return v;
	for (unsigned i = 0; i < dc->size; i++)
		swapped |= ((v >> (8 * i)) & 0xff) << (8 * (dc->size - 1 - i));
	return swapped;
}

static uint64_t rep_count(const struct decoded *dc, const struct regs *regs)
{
	if (dc->kind != KIND_STRING || !dc->rep)
		return 1;
	return regs->r[REG_RCX] & access_mask(dc->addr_size);
}

struct tool_options {
	enum cpu_mode mode;
	struct regs regs;
	bool have_read_value;
	uint64_t read_value;
};

static int set_reg(struct tool_options *o, char *arg)
{
	char *eq = strchr(arg, '=');
	uint64_t v;
	int r;

	if (!eq)
		return usage_error("--reg: '%s' is not NAME=VALUE", arg);
	*eq = '\0';
	r = reg_by_name(arg);
	if (r < 0)
		return usage_error("--reg: unknown register '%s' (valid: "
				   "rax..r15, rip, rflags)",
				   arg);
	if (parse_u64(eq + 1, &v))
		return usage_error("--reg: '%s' is not a number", eq + 1);
	o->regs.r[r] = v;
	return 0;
}

/* One option that getopt returned: 0, 1 (done: help or version
 * printed), or the exit status 2 after one message. getopt's own
 * messages are off, so that a bad option gets only ours. */
static int set_option(int c, char **argv, struct tool_options *o)
{
	switch (c) {
	case 'm':
		if (strcmp(optarg, "16") && strcmp(optarg, "32") &&
		    strcmp(optarg, "64"))
			return usage_error("--mode: '%s' is not 16, 32 or 64",
					   optarg);
		o->mode = (enum cpu_mode)atoi(optarg);
		return 0;
	case 'r':
		return set_reg(o, optarg);
	case 'v':
		if (parse_u64(optarg, &o->read_value))
			return usage_error("--read-value: '%s' is not a number",
					   optarg);
		o->have_read_value = true;
		return 0;
	case 'h':
		usage(stdout);
		return 1;
	case 'V':
		printf("mmiod-decode %s\n", PACKAGE_VERSION);
		return 1;
	case ':':
		return usage_error("%s: needs an argument", argv[optind - 1]);
	}
	return usage_error("%s: unknown option", argv[optind - 1]);
}

/* 0 with the options in o and optind at HEXBYTES, 1 when help or the
 * version was printed, or 2 after a message. */
static int parse_options(int argc, char **argv, struct tool_options *o)
{
	static const struct option longopts[] = {
		{"mode", required_argument, NULL, 'm'},
		{"reg", required_argument, NULL, 'r'},
		{"read-value", required_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:r:v:hV", longopts, NULL)) !=
	       -1) {
		rc = set_option(c, argv, o);
		if (rc)
			return rc;
	}
	if (optind + 1 != argc)
		return usage_error("%s", "give exactly one HEXBYTES argument");
	return 0;
}

int main(int argc, char **argv)
{
	struct tool_options o = {.mode = CPU_MODE_64};
	struct capture cap = {0};
	const struct reg_operand *dst;
	struct decoder *d;
	struct decoded dc;
	struct fault f = {0};
	char err[256];
	int rc = parse_options(argc, argv, &o);

	if (rc)
		return rc == 1 ? 0 : rc;
	cap.read_value = o.read_value;
	if (parse_hex(argv[optind], f.insn, &f.insn_len))
		return usage_error("'%s' is not hex bytes (at most 15)",
				   argv[optind]);

	if (decode_global_init() || !(d = decoder_create())) {
		fputs("mmiod-decode: cannot initialise Capstone\n", stderr);
		return 1;
	}
	if (decode_insn(d, o.mode, f.insn, f.insn_len, &dc, err, sizeof(err))) {
		fprintf(stderr, "mmiod-decode: %s\n", err);
		decoder_destroy(d);
		return 2;
	}
	dst = destination(&dc);
	printf("{\"mnemonic\":\"%s\",\"length\":%u,\"access\":\"%s\","
	       "\"size\":%u,\"count\":%" PRIu64,
	       dc.mnemonic, dc.length, access_of(&dc), dc.size,
	       rep_count(&dc, &o.regs));
	if (dc.kind == KIND_WRITE)
		printf(",\"value\":\"0x%" PRIx64 "\"",
		       written_value(&dc, &o.regs));
	else if (dc.kind == KIND_STRING && dc.string == STRING_STOS)
		printf(",\"value\":\"0x%" PRIx64 "\"",
		       o.regs.r[REG_RAX] & access_mask(dc.size));
	if (dst->reg >= 0)
		printf(",\"register\":\"%s\"", reg_operand_name(dst));
	printf(",\"extend\":\"%s\"", dc.extend == EXTEND_ZERO	? "zero"
				     : dc.extend == EXTEND_SIGN ? "sign"
								: "none");
	if (o.have_read_value) {
		f.mode = o.mode;
		f.dir = fault_dir(&dc);
		/* The address the instruction touches: a consistent fault. */
		f.gpa = decode_effective_address(&dc, &o.regs);
		if (emulate_fault(d, &f, &o.regs, &capture_ops, &cap, err,
				  sizeof(err))) {
			printf("}\n");
			fprintf(stderr, "mmiod-decode: %s\n", err);
			decoder_destroy(d);
			return 2;
		}
		if (cap.wrote && dc.kind != KIND_WRITE)
			printf(",\"written\":\"0x%" PRIx64 "\"", cap.written);
		printf(",\"regs\":{");
		for (int r = 0; r < REG_COUNT; r++)
			printf("%s\"%s\":\"0x%" PRIx64 "\"", r ? "," : "",
			       reg_name((enum reg)r), o.regs.r[r]);
		printf("}");
	}
	printf("}\n");
	decoder_destroy(d);
	return 0;
}
