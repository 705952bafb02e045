/* SPDX-License-Identifier: BSD-2-Clause */
/* uart_hello.c - a user-space driver for mmiod's uart16550, run without a
 * VM: libmmiod-trap maps the UART's registers, and the driver prints a
 * line the way firmware does, waiting for the transmitter to be empty
 * (LSR.THRE) before writing each byte to THR.
 *
 *   uart_hello SOCKET [BASE [TEXT]]
 *
 * SOCKET is the fault_socket of the mmiod serving the UART at BASE
 * (default 0xfe200000); examples/trap/run starts one and runs this. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mmiod-trap.h"

/* 16550 registers, reg_shift=0: one byte each. */
#define THR 0 /* transmit holding register (write) */
#define LCR 3 /* line control */
#define LSR 5 /* line status */
#define LCR_8N1 0x03
#define LSR_THRE 0x20 /* THR empty: the next byte may be written */

static void put_char(volatile uint8_t *uart, char c)
{
	while (!(uart[LSR] & LSR_THRE))
		;
	uart[THR] = (uint8_t)c;
}

int main(int argc, char **argv)
{
	uint64_t base = argc > 2 ? strtoull(argv[2], NULL, 0) : 0xfe200000;
	const char *text =
		argc > 3 ? argv[3] : "hello from a driver without a VM\n";
	volatile uint8_t *uart;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SOCKET [BASE [TEXT]]\n", argv[0]);
		return 2;
	}
	uart = mmiod_trap_map(argv[1], base, 4096);
	if (!uart) {
		perror(argv[1]);
		return 1;
	}
	uart[LCR] = LCR_8N1;
	for (const char *p = text; *p; p++)
		put_char(uart, *p);
	mmiod_trap_unmap((void *)uart);
	return 0;
}
