/* SPDX-License-Identifier: BSD-2-Clause */
/* die.c - the end of a process whose device access mmiod could not serve:
 * a message with the instruction's address, the bytes there (15, as
 * fetched: the instruction and what follows) and the reason, then abort. Only
 * write(2), since it runs inside the SIGSEGV handler. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trap_internal.h"

static void put(const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(STDERR_FILENO, s, len);

		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* Lower-case hex of v, without leading zeros. */
static void put_hex(uint64_t v)
{
	char buf[19] = "0x";
	int n = 0;

	for (uint64_t t = v; n == 0 || t; t >>= 4)
		n++;
	for (int i = 0; i < n; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (4 * (n - 1 - i))) & 15];
	buf[2 + n] = '\0';
	put(buf);
}

void trap_die(const char *what, uint64_t rip, const uint8_t *insn,
	      size_t insn_len, const char *why)
{
	static const char hex[] = "0123456789abcdef";
	char bytes[15 * 3 + 1];
	size_t used = 0;

	for (size_t i = 0; i < insn_len && i < 15; i++) {
		bytes[used++] = hex[insn[i] >> 4];
		bytes[used++] = hex[insn[i] & 15];
		bytes[used++] = ' ';
	}
	bytes[used ? used - 1 : 0] = '\0'; /* the last space */
	put("mmiod-trap: ");
	put(what);
	put(" the instruction at ");
	put_hex(rip);
	put(", bytes ");
	put(bytes);
	put(": ");
	put(why ? why : "unknown reason");
	put("\n");
	abort();
}
