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
	      "Decode the x86 instruction HEXBYTES (e.g. \"89 08\" or 8908) "
	      "and print its\nmemory access as JSON; with --read-value, "
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

static int parse_hex(const char *text, uint8_t *bytes, size_t *len)
{
	*len = 0;
	for (const char *p = text; *p;) {
		unsigned v;

		if (*p == ' ' || *p == ':' || *p == ',') {
			p++;
			continue;
		}
		if (*len == DECODE_MAX_INSN || sscanf(p, "%2x", &v) != 1 ||
		    !p[1] || p[1] == ' ')
			return -1;
		bytes[(*len)++] = (uint8_t)v;
		p += 2;
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"mode", required_argument, NULL, 'm'},
		{"reg", required_argument, NULL, 'r'},
		{"read-value", required_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct capture cap = {0};
	bool have_read_value = false;
	enum cpu_mode mode = CPU_MODE_64;
	struct regs regs = {{0}};
	const struct reg_operand *dst;
	struct decoder *d;
	struct decoded dc;
	struct fault f = {0};
	char err[256];
	int c;

	while ((c = getopt_long(argc, argv, "m:r:v:h", longopts, NULL)) != -1) {
		uint64_t v;
		char *eq;
		int r;

		switch (c) {
		case 'm':
			if (strcmp(optarg, "16") && strcmp(optarg, "32") &&
			    strcmp(optarg, "64"))
				return usage_error(
					"--mode: '%s' is not 16, 32 or 64",
					optarg);
			mode = (enum cpu_mode)atoi(optarg);
			break;
		case 'r':
			eq = strchr(optarg, '=');
			if (!eq)
				return usage_error(
					"--reg: '%s' is not NAME=VALUE",
					optarg);
			*eq = '\0';
			r = reg_by_name(optarg);
			if (r < 0)
				return usage_error(
					"--reg: unknown register '%s' (valid: "
					"rax..r15, rip, rflags)",
					optarg);
			if (parse_u64(eq + 1, &v))
				return usage_error(
					"--reg: '%s' is not a number", eq + 1);
			regs.r[r] = v;
			break;
		case 'v':
			if (parse_u64(optarg, &cap.read_value))
				return usage_error(
					"--read-value: '%s' is not a number",
					optarg);
			have_read_value = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return usage_error("%s", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("%s", "give exactly one HEXBYTES argument");
	if (parse_hex(argv[optind], f.insn, &f.insn_len))
		return usage_error("'%s' is not hex bytes (at most 15)",
				   argv[optind]);

	if (decode_global_init() || !(d = decoder_create())) {
		fputs("mmiod-decode: cannot initialise Capstone\n", stderr);
		return 1;
	}
	if (decode_insn(d, mode, f.insn, f.insn_len, &dc, err, sizeof(err))) {
		fprintf(stderr, "mmiod-decode: %s\n", err);
		decoder_destroy(d);
		return 2;
	}
	dst = destination(&dc);
	printf("{\"mnemonic\":\"%s\",\"length\":%u,\"access\":\"%s\","
	       "\"size\":%u,\"count\":%" PRIu64,
	       dc.mnemonic, dc.length, access_of(&dc), dc.size,
	       rep_count(&dc, &regs));
	if (dc.kind == KIND_WRITE)
		printf(",\"value\":\"0x%" PRIx64 "\"",
		       written_value(&dc, &regs));
	else if (dc.kind == KIND_STRING && dc.string == STRING_STOS)
		printf(",\"value\":\"0x%" PRIx64 "\"",
		       regs.r[REG_RAX] & access_mask(dc.size));
	if (dst->reg >= 0)
		printf(",\"register\":\"%s\"", reg_operand_name(dst));
	printf(",\"extend\":\"%s\"", dc.extend == EXTEND_ZERO	? "zero"
				     : dc.extend == EXTEND_SIGN ? "sign"
								: "none");
	if (have_read_value) {
		f.mode = mode;
		f.dir = fault_dir(&dc);
		/* The address the instruction touches: a consistent fault. */
		f.gpa = decode_effective_address(&dc, &regs);
		if (emulate_fault(d, &f, &regs, &capture_ops, &cap, err,
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
			       reg_name((enum reg)r), regs.r[r]);
		printf("}");
	}
	printf("}\n");
	decoder_destroy(d);
	return 0;
}
