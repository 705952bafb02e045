/* SPDX-License-Identifier: BSD-2-Clause */
/* script.c - parse and run scripted guests for the simulator. */
#include "script.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/array.h"
#include "common/parse.h"
#include "common/textfile.h"

enum op {
	OP_WRITE,
	OP_READ,
	OP_REP_WRITE,
	OP_REP_READ,
	OP_PIO_WRITE,
	OP_PIO_READ,
	OP_BUFFERED_WRITE,
	OP_SLEEP,
	OP_ON_VCPU,
	OP_PUTS,
	OP_DESTROY,
	OP_EXPECT_IRQ,
	OP_EXPECT_MSI,
	OP_RAM_WRITE,
	OP_RAM_READ,
	OP_REBOOT,
};

struct command {
	enum op op;
	int line;
	uint64_t addr;
	uint32_t size;
	uint32_t count;
	uint64_t value;
	bool expect;
	bool df;
	char *text; /* puts: the bytes to write, escapes resolved */
};

struct script {
	char *path;
	unsigned nr_vcpus;
	int platform; /* -1: not given (PVH); 0: PVH; 1: HVM */
	size_t ncommands, capacity;
	struct command *commands;
};

/* The grammar, one row per command: its words after the name. */
static const struct {
	const char *name;
	enum op op;
	const char *usage;
} grammar[] = {
	{"write", OP_WRITE, "write ADDR SIZE VALUE"},
	{"read", OP_READ, "read ADDR SIZE [expect VALUE]"},
	{"rep-write", OP_REP_WRITE, "rep-write ADDR SIZE COUNT VALUE [df]"},
	{"rep-read", OP_REP_READ, "rep-read ADDR SIZE COUNT [df]"},
	{"pio-write", OP_PIO_WRITE, "pio-write PORT SIZE VALUE"},
	{"pio-read", OP_PIO_READ, "pio-read PORT SIZE [expect VALUE]"},
	{"buffered-write", OP_BUFFERED_WRITE, "buffered-write ADDR SIZE VALUE"},
	{"sleep", OP_SLEEP, "sleep MS"},
	{"puts", OP_PUTS, "puts ADDR SIZE TEXT"},
	{"destroy", OP_DESTROY, "destroy"},
	{"reboot", OP_REBOOT, "reboot"},
	{"on", OP_ON_VCPU, "on vcpu N"},
	{"expect-irq", OP_EXPECT_IRQ, "expect-irq LINE 0|1"},
	{"expect-msi", OP_EXPECT_MSI, "expect-msi ADDR DATA"},
	{"ram-write", OP_RAM_WRITE, "ram-write GPA SIZE VALUE"},
	{"ram-read", OP_RAM_READ, "ram-read GPA SIZE [expect VALUE]"},
};

#define NGRAMMAR (sizeof(grammar) / sizeof(grammar[0]))
#define MAX_WORDS 8
/* A rep-read is staged in guest RAM at this address. */
#define REP_READ_GPA 0x10000
#define MAX_REP_COUNT 4096
/* A buffered ioreq slot has 20 bits for the address. */
#define BUFFERED_ADDR_MAX 0xfffff

struct parser {
	const char *path;
	int line;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *p,
						      const char *fmt, ...)
{
	int n = snprintf(p->err, p->errlen, "%s:%d: ", p->path, p->line);
	va_list ap;

	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int number(struct parser *p, const char *word, const char *what,
		  uint64_t *out)
{
	if (parse_u64(word, out))
		return fail(p, "%s '%s' is not a number (decimal or 0x hex)",
			    what, word);
	return 0;
}

static int size_word(struct parser *p, const char *word, uint32_t *out)
{
	uint64_t v;

	if (number(p, word, "SIZE", &v))
		return -1;
	if (v != 1 && v != 2 && v != 4 && v != 8)
		return fail(p, "SIZE %s must be 1, 2, 4 or 8", word);
	*out = (uint32_t)v;
	return 0;
}

static int split(char *line, char **words)
{
	int n = 0;
	char *save = NULL;

	for (char *w = strtok_r(line, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (w[0] == '#')
			break;
		if (n == MAX_WORDS)
			return MAX_WORDS + 1;
		words[n++] = w;
	}
	return n;
}

/* A VALUE that SIZE bytes cannot hold would be cut by the access (or
 * could never be read back): refuse it. */
static int check_value_fits(struct parser *p, const struct command *c)
{
	uint64_t max = c->size == 8 ? UINT64_MAX : (1ull << (8 * c->size)) - 1;
	bool has_value = c->op == OP_WRITE || c->op == OP_PIO_WRITE ||
			 c->op == OP_RAM_WRITE || c->op == OP_BUFFERED_WRITE ||
			 c->op == OP_REP_WRITE || c->expect;

	if (!has_value || c->value <= max)
		return 0;
	return fail(p,
		    "VALUE 0x%" PRIx64 " does not fit in SIZE %" PRIu32
		    " (at most 0x%" PRIx64 ")",
		    c->value, c->size, max);
}

/* Parses the words after the command name into c. */
static int parse_args(struct parser *p, struct command *c, char **w, int n,
		      const char *usage)
{
	uint64_t v;
	int fixed;

	switch (c->op) {
	case OP_DESTROY:
	case OP_REBOOT:
		return n == 0 ? 0 : fail(p, "usage: %s", usage);
	case OP_SLEEP:
		if (n != 1)
			goto usage;
		return number(p, w[0], "MS", &c->value);
	case OP_ON_VCPU:
		if (n != 2 || strcmp(w[0], "vcpu"))
			goto usage;
		return number(p, w[1], "vCPU", &c->value);
	case OP_EXPECT_IRQ:
		if (n != 2)
			goto usage;
		if (number(p, w[0], "LINE", &c->addr) ||
		    number(p, w[1], "LEVEL", &c->value))
			return -1;
		if (c->addr > 15 || c->value > 1)
			return fail(p, "usage: %s (LINE 0 to 15)", usage);
		return 0;
	case OP_EXPECT_MSI:
		if (n != 2)
			goto usage;
		if (number(p, w[0], "ADDR", &c->addr) ||
		    number(p, w[1], "DATA", &c->value))
			return -1;
		if (c->value > UINT32_MAX)
			return fail(p, "DATA %s does not fit in 32 bits", w[1]);
		return 0;
	case OP_READ:
	case OP_PIO_READ:
	case OP_RAM_READ:
		if (n != 2 && !(n == 4 && !strcmp(w[2], "expect")))
			goto usage;
		c->expect = n == 4;
		if (c->expect && number(p, w[3], "VALUE", &c->value))
			return -1;
		break;
	case OP_REP_READ:
	case OP_REP_WRITE:
		fixed = c->op == OP_REP_READ ? 3 : 4;
		if (n != fixed && !(n == fixed + 1 && !strcmp(w[fixed], "df")))
			goto usage;
		c->df = n == fixed + 1;
		if (number(p, w[2], "COUNT", &v))
			return -1;
		if (v == 0 || v > MAX_REP_COUNT)
			return fail(p, "COUNT %s must be 1 to %d", w[2],
				    MAX_REP_COUNT);
		c->count = (uint32_t)v;
		if (c->op == OP_REP_WRITE &&
		    number(p, w[3], "VALUE", &c->value))
			return -1;
		break;
	case OP_PUTS:
		if (n < 3)
			goto usage;
		break;
	default: /* writes: ADDR SIZE VALUE */
		if (n != 3)
			goto usage;
		if (number(p, w[2], "VALUE", &c->value))
			return -1;
		break;
	}
	if (number(p, w[0], "ADDR", &c->addr) || size_word(p, w[1], &c->size))
		return -1;
	if ((c->op == OP_PIO_READ || c->op == OP_PIO_WRITE) && c->addr > 0xffff)
		return fail(p, "PORT %s is beyond 0xffff", w[0]);
	if (c->op == OP_BUFFERED_WRITE && c->addr > BUFFERED_ADDR_MAX)
		return fail(p,
			    "ADDR 0x%" PRIx64 " is beyond 0x%x (the buffered "
			    "ring carries 20-bit addresses)",
			    c->addr, BUFFERED_ADDR_MAX);
	return check_value_fits(p, c);
usage:
	return fail(p, "usage: %s", usage);
}

/* What backslash-c stands for: \n, \r and \t, else c itself. */
static char unescape(char c)
{
	switch (c) {
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default:
		return c;
	}
}

/* The text of a puts line: everything after its third word, with \n,
 * \r, \t and \\ resolved. */
static char *puts_text(const char *line)
{
	const char *t = line;
	size_t n = 0;
	char *out;

	for (int word = 0; word < 3; word++) {
		t += strspn(t, " \t");
		t += strcspn(t, " \t");
	}
	t += strspn(t, " \t");
	out = malloc(strlen(t) + 1);
	if (!out)
		return NULL;
	for (; *t && *t != '\n'; t++) {
		if (*t == '\\' && t[1]) {
			t++;
			out[n++] = unescape(*t);
		} else {
			out[n++] = *t;
		}
	}
	out[n] = '\0';
	return out;
}

/* Names every command, from the grammar, so the list can't fall behind
 * it (platform and vcpus are the header lines parse_line() takes). */
static int unknown_command(struct parser *p, const char *word)
{
	char valid[512] = "platform, vcpus";
	size_t used = strlen(valid);

	for (size_t g = 0; g < NGRAMMAR && used < sizeof(valid); g++)
		used += (size_t)snprintf(valid + used, sizeof(valid) - used,
					 ", %s", grammar[g].name);
	return fail(p, "unknown command '%s' (valid: %s)", word, valid);
}

/* text is one line, NUL-terminated; raw is the same line, untouched, for
 * puts (split() cuts text into words). */
static int parse_line(struct parser *p, struct script *s, char *text,
		      const char *raw)
{
	char *w[MAX_WORDS];
	int n = split(text, w);
	struct command c = {.line = p->line};
	size_t g;

	if (n == 0)
		return 0;
	if (n > MAX_WORDS)
		n = strcmp(w[0], "puts") ? n : MAX_WORDS;
	if (n > MAX_WORDS)
		return fail(p, "too many words");
	if (!strcmp(w[0], "platform")) {
		if (s->ncommands || s->platform >= 0)
			return fail(p, "platform must come before any "
				       "command, once");
		if (n != 2 || (strcmp(w[1], "pvh") && strcmp(w[1], "hvm")))
			return fail(p, "usage: platform pvh|hvm");
		s->platform = !strcmp(w[1], "hvm");
		return 0;
	}
	if (!strcmp(w[0], "vcpus")) {
		uint64_t v;

		if (s->ncommands || s->nr_vcpus)
			return fail(p, "vcpus must come first, once");
		if (n != 2 || number(p, w[1], "N", &v))
			return n != 2 ? fail(p, "usage: vcpus N") : -1;
		if (v == 0 || v > SIM_MAX_VCPUS)
			return fail(p, "vcpus %s must be 1 to %d", w[1],
				    SIM_MAX_VCPUS);
		s->nr_vcpus = (unsigned)v;
		return 0;
	}
	for (g = 0; g < NGRAMMAR; g++)
		if (!strcmp(w[0], grammar[g].name))
			break;
	if (g == NGRAMMAR)
		return unknown_command(p, w[0]);
	c.op = grammar[g].op;
	if (parse_args(p, &c, w + 1, n - 1, grammar[g].usage))
		return -1;
	if (c.op == OP_PUTS && !(c.text = puts_text(raw)))
		return fail(p, "out of memory");
	if (c.op == OP_ON_VCPU && c.value >= (s->nr_vcpus ? s->nr_vcpus : 1))
		return fail(p, "vcpu %" PRIu64 " does not exist (vcpus %u)",
			    c.value, s->nr_vcpus ? s->nr_vcpus : 1);
	{
		if (array_reserve((void **)&s->commands, &s->capacity,
				  s->ncommands + 1, sizeof(*s->commands)))
			return fail(p, "out of memory");
		s->commands[s->ncommands++] = c;
	}
	return 0;
}

/* Parses each line of data (len bytes, NUL-terminated). A NUL byte inside
 * would end a line early and cut a puts text: refuse it. */
static int parse_text(struct parser *p, struct script *s, char *data,
		      size_t len)
{
	char *line = data, *end = data + len, *raw = NULL;

	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		int rc;

		p->line++;
		if (nl)
			*nl = '\0';
		if (strlen(line) != (size_t)((nl ? nl : end) - line))
			return fail(p, "contains a NUL byte: not a text file");
		raw = strdup(line);
		if (!raw)
			return fail(p, "out of memory");
		rc = parse_line(p, s, line, raw);
		free(raw);
		if (rc)
			return -1;
		line = nl ? nl + 1 : end;
	}
	return 0;
}

struct script *script_load(const char *path, char *err, size_t errlen)
{
	struct parser p = {path, 0, err, errlen};
	struct script *s = calloc(1, sizeof(*s));
	char why[128], *data;
	size_t len;

	if (!s) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	s->platform = -1;
	data = textfile_read(path, &len, why, sizeof(why));
	if (!data) {
		snprintf(err, errlen, "%s: %s", path, why);
		free(s);
		return NULL;
	}
	if (parse_text(&p, s, data, len)) {
		free(data);
		script_free(s);
		return NULL;
	}
	free(data);
	if (!s->nr_vcpus)
		s->nr_vcpus = 1;
	s->path = strdup(path);
	return s;
}

void script_free(struct script *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ncommands; i++)
		free(s->commands[i].text);
	free(s->commands);
	free(s->path);
	free(s);
}

unsigned script_nr_vcpus(const struct script *s)
{
	return s->nr_vcpus;
}

bool script_hvm(const struct script *s)
{
	return s->platform == 1;
}

/* run_command() results: 0, an expect that failed (printed), or an
 * access the simulated hypervisor could not complete. */
enum { EXPECT_FAILED = 1, ACCESS_FAILED = 2 };

static unsigned check(const struct script *s, const struct command *c,
		      uint64_t seen, FILE *out)
{
	if (!c->expect || seen == c->value)
		return 0;
	fprintf(out,
		"%s:%d: expect failed: read 0x%" PRIx64 " gave 0x%" PRIx64
		", expected 0x%" PRIx64 "\n",
		s->path, c->line, c->addr, seen, c->value);
	return EXPECT_FAILED;
}

static unsigned run_rep_read(const struct script *s, const struct command *c,
			     struct sim *sim, unsigned vcpu, FILE *out)
{
	uint64_t span = (uint64_t)c->count * c->size;
	struct sim_io io = {
		.space = IO_SPACE_MMIO,
		.dir = IO_READ,
		.addr = c->addr,
		.size = c->size,
		.count = c->count,
		.df = c->df,
		.data_is_ptr = true,
		/* with df, addr and data name the highest element */
		.data = c->df ? REP_READ_GPA + span - c->size : REP_READ_GPA,
	};
	const uint8_t *ram = sim_guest_ram(sim);

	if (sim_guest_io(sim, vcpu, &io))
		return ACCESS_FAILED;
	fprintf(out, "vcpu %u: rep-read 0x%" PRIx64 " x%u:", vcpu, c->addr,
		c->count);
	for (uint32_t i = 0; i < c->count; i++) {
		uint64_t v = 0;

		memcpy(&v, ram + REP_READ_GPA + (uint64_t)i * c->size, c->size);
		fprintf(out, " 0x%" PRIx64, v);
	}
	fputc('\n', out);
	return 0;
}

/* How long an expect-irq or expect-msi waits for the device: interrupts
 * come from device threads, not in step with the script. */
#define EXPECT_WAIT_MS 5000

struct run_state {
	unsigned vcpu;
	unsigned msi_seen; /* MSIs before this one were matched or passed */
};

static bool irq_at_level(struct sim *sim, const struct command *c,
			 struct run_state *st)
{
	return sim_isa_irq_level(sim, (unsigned)c->addr) == (c->value != 0);
}

/* Consumes the MSIs up to the first that matches. */
static bool msi_arrived(struct sim *sim, const struct command *c,
			struct run_state *st)
{
	struct sim_msi m;

	while (st->msi_seen < sim_msi_count(sim)) {
		bool logged = sim_msi_at(sim, st->msi_seen++, &m);

		if (logged && m.addr == c->addr && m.data == c->value)
			return true;
	}
	return false;
}

static unsigned expect_within(const struct script *s, const struct command *c,
			      struct sim *sim, struct run_state *st, FILE *out,
			      bool (*holds)(struct sim *,
					    const struct command *,
					    struct run_state *))
{
	const struct timespec ms = {0, 1000000};

	for (int waited = 0; waited < EXPECT_WAIT_MS; waited++) {
		if (holds(sim, c, st))
			return 0;
		if (sim_domain_dead(sim))
			break;
		nanosleep(&ms, NULL);
	}
	if (c->op == OP_EXPECT_IRQ)
		fprintf(out,
			"%s:%d: expect failed: irq %" PRIu64
			" is not at %" PRIu64 "%s\n",
			s->path, c->line, c->addr, c->value,
			sim_hvm(sim) ? ""
				     : " (a PVH domain drops ISA interrupts)");
	else
		fprintf(out,
			"%s:%d: expect failed: no MSI 0x%" PRIx64 "/0x%" PRIx64
			" (%u injected in all)\n",
			s->path, c->line, c->addr, c->value,
			sim_msi_count(sim));
	return EXPECT_FAILED;
}

/* The guest's own load or store to its RAM, as a driver fills a buffer
 * for a device to DMA from. */
static unsigned run_ram(const struct script *s, const struct command *c,
			struct sim *sim, FILE *out)
{
	uint8_t *ram = sim_guest_ram(sim);
	uint64_t v = 0;

	if (c->addr >= sim_guest_ram_size(sim) ||
	    c->size > sim_guest_ram_size(sim) - c->addr) {
		errno = EFAULT;
		return ACCESS_FAILED;
	}
	if (c->op == OP_RAM_WRITE) {
		memcpy(ram + c->addr, &c->value, c->size);
		return 0;
	}
	memcpy(&v, ram + c->addr, c->size);
	fprintf(out,
		"ram-read 0x%" PRIx64 " size %" PRIu32 " = 0x%" PRIx64 "\n",
		c->addr, c->size, v);
	return check(s, c, v, out);
}

static unsigned run_command(const struct script *s, const struct command *c,
			    struct sim **simp, const struct script_host *host,
			    struct run_state *st, FILE *out)
{
	struct sim *sim = *simp;
	unsigned *vcpu = &st->vcpu;
	bool pio = c->op == OP_PIO_READ || c->op == OP_PIO_WRITE;
	struct sim_io io = {
		.space = pio ? IO_SPACE_PIO : IO_SPACE_MMIO,
		.addr = c->addr,
		.size = c->size,
		.data = c->value,
	};
	struct timespec ts;

	switch (c->op) {
	case OP_ON_VCPU:
		*vcpu = (unsigned)c->value;
		return 0;
	case OP_DESTROY:
		sim_domain_kill(sim);
		return 0;
	case OP_EXPECT_IRQ:
		return expect_within(s, c, sim, st, out, irq_at_level);
	case OP_EXPECT_MSI:
		return expect_within(s, c, sim, st, out, msi_arrived);
	case OP_RAM_WRITE:
	case OP_RAM_READ:
		return run_ram(s, c, sim, out);
	case OP_REBOOT:
		if (!host || !host->reboot) {
			errno = ENOTSUP;
			return ACCESS_FAILED;
		}
		if (host->reboot(host->ctx, simp))
			return ACCESS_FAILED;
		st->msi_seen = 0; /* the new domain's MSIs count from 0 */
		return 0;
	case OP_SLEEP:
		/* In slices, so that a guest whose domain dies stops. */
		for (uint64_t ms = 0; ms < c->value; ms += 10) {
			if (sim_domain_dead(sim))
				break;
			ts.tv_sec = 0;
			ts.tv_nsec = (long)(c->value - ms < 10 ? c->value - ms
							       : 10) *
				     1000000;
			nanosleep(&ts, NULL);
		}
		return 0;
	case OP_BUFFERED_WRITE:
		return sim_guest_buffered_write(sim, IO_SPACE_MMIO, c->addr,
						c->size, c->value)
			       ? ACCESS_FAILED
			       : 0;
	case OP_REP_READ:
		return run_rep_read(s, c, sim, *vcpu, out);
	case OP_PUTS:
		io.dir = IO_WRITE;
		for (const char *t = c->text; *t; t++) {
			io.data = (uint8_t)*t;
			if (sim_guest_io(sim, *vcpu, &io))
				return ACCESS_FAILED;
		}
		return 0;
	case OP_REP_WRITE:
		io.count = c->count;
		io.df = c->df;
		/* fall through */
	case OP_WRITE:
	case OP_PIO_WRITE:
		io.dir = IO_WRITE;
		return sim_guest_io(sim, *vcpu, &io) ? ACCESS_FAILED : 0;
	case OP_READ:
	case OP_PIO_READ:
		io.dir = IO_READ;
		io.data = 0;
		if (sim_guest_io(sim, *vcpu, &io))
			return ACCESS_FAILED;
		fprintf(out,
			"vcpu %u: %s 0x%" PRIx64 " size %" PRIu32
			" = 0x%" PRIx64 "\n",
			*vcpu, pio ? "pio-read" : "read", c->addr, c->size,
			io.data);
		return check(s, c, io.data, out);
	}
	return 0;
}

int script_reboot_line(const struct script *s)
{
	for (size_t i = 0; i < s->ncommands; i++)
		if (s->commands[i].op == OP_REBOOT)
			return s->commands[i].line;
	return 0;
}

unsigned script_run(const struct script *s, struct sim *sim,
		    const struct script_host *host, FILE *out)
{
	struct run_state st = {0, 0};
	unsigned failures = 0;

	for (size_t i = 0; i < s->ncommands; i++) {
		unsigned rc =
			run_command(s, &s->commands[i], &sim, host, &st, out);

		if (rc == ACCESS_FAILED)
			fprintf(out, "%s:%d: access failed: %s\n", s->path,
				s->commands[i].line, strerror(errno));
		failures += rc != 0;
		if (s->commands[i].op == OP_DESTROY)
			break; /* the domain is gone: nothing runs after */
	}
	fflush(out);
	return failures;
}
