/* SPDX-License-Identifier: BSD-2-Clause */
/* check_uart.c - specification of the uart16550 device model. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "devices/devices.h"
#include "testutil.h"

enum {
	RBR = 0,
	THR = 0,
	IER = 1,
	IIR = 2,
	FCR = 2,
	LCR = 3,
	MCR = 4,
	LSR = 5,
	MSR = 6,
	SCR = 7
};

static struct device *uart;
static char err[512];
static unsigned shift;
static int irq_level = -1, irq_changes;

static void set_irq_level(void *ctx, bool level)
{
	irq_level = level;
	irq_changes++;
}

static const struct device_irq irq = {.set_level = set_irq_level};

static struct device *make(const struct device_param *p, size_t n)
{
	struct device_args a = {.space = IO_SPACE_MMIO,
				.range = {0x1000, 0x101f},
				.nparams = n,
				.params = p,
				.irq = &irq};

	return device_create("uart16550", &a, err, sizeof(err));
}

static uint8_t rd(unsigned reg)
{
	struct device_io io = {.space = IO_SPACE_MMIO,
			       .offset = (uint64_t)reg << shift,
			       .size = 1};
	uint64_t v;

	ck_assert_int_eq(device_read(uart, &io, &v), 0);
	return (uint8_t)v;
}

static void wr(unsigned reg, uint8_t v)
{
	struct device_io io = {.space = IO_SPACE_MMIO,
			       .offset = (uint64_t)reg << shift,
			       .size = 1};

	ck_assert_int_eq(device_write(uart, &io, v), 0);
}

static const char *out_path;

static void setup(void)
{
	struct device_param p[] = {
		{"backend", "file"}, {"path", NULL}, {"irq", "4"}};

	out_path = temp_path("uart.out");
	unlink(out_path);
	p[1].value = out_path;
	shift = 0;
	irq_level = -1;
	irq_changes = 0;
	uart = make(p, 3);
	ck_assert_msg(uart != NULL, "%s", err);
}

static void teardown(void)
{
	device_destroy(uart);
}

static char *output(void)
{
	static char buf[256];
	int fd = open(out_path, O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

START_TEST(transmitter_is_empty_after_reset)
{
	ck_assert_uint_eq(rd(LSR), 0x60);
	ck_assert_uint_eq(rd(IIR), 0x01);
}
END_TEST

START_TEST(bytes_written_to_thr_reach_the_backend)
{
	wr(THR, 'o');
	wr(THR, 'k');
	ck_assert_str_eq(output(), "ok");
	ck_assert_uint_eq(rd(LSR) & 0x60, 0x60);
}
END_TEST

START_TEST(dlab_switches_to_the_divisor_latch)
{
	wr(LCR, 0x83);
	wr(0, 0x01); /* DLL, not THR */
	wr(1, 0x02); /* DLM, not IER */
	ck_assert_uint_eq(rd(0), 0x01);
	ck_assert_uint_eq(rd(1), 0x02);
	wr(LCR, 0x03);
	ck_assert_uint_eq(rd(LCR), 0x03);
	ck_assert_uint_eq(rd(IER), 0x00);
	ck_assert_str_eq(output(), "");
}
END_TEST

START_TEST(scratch_register_reads_back)
{
	wr(SCR, 0xa5);
	ck_assert_uint_eq(rd(SCR), 0xa5);
}
END_TEST

START_TEST(enabling_thre_interrupt_raises_it_and_iir_acknowledges)
{
	wr(MCR, 0x08); /* OUT2 gates the line */
	wr(IER, 0x02);
	ck_assert_int_eq(irq_level, 1);
	ck_assert_uint_eq(rd(IIR), 0x02);
	ck_assert_uint_eq(rd(IIR), 0x01);
	ck_assert_int_eq(irq_level, 0);
	/* Transmitting empties THR again: a new interrupt. */
	wr(THR, 'x');
	ck_assert_int_eq(irq_level, 1);
}
END_TEST

START_TEST(interrupt_needs_out2)
{
	wr(IER, 0x02);
	ck_assert_uint_eq(rd(IIR), 0x02);
	ck_assert_int_eq(irq_changes, 0);
}
END_TEST

START_TEST(fifo_enable_shows_in_iir)
{
	wr(FCR, 0x07);
	ck_assert_uint_eq(rd(IIR), 0xc1);
}
END_TEST

START_TEST(loopback_receives_what_is_sent)
{
	wr(MCR, 0x10 | 0x08 | 0x03);
	ck_assert_uint_eq(rd(MSR) & 0xf0, 0x80 | 0x20 | 0x10);
	wr(IER, 0x01);
	wr(THR, 'A');
	wr(THR, 'B');
	ck_assert_int_eq(irq_level, 1);
	ck_assert_uint_eq(rd(IIR), 0x04);
	ck_assert_uint_eq(rd(LSR) & 0x01, 0x01);
	ck_assert_uint_eq(rd(RBR), 'A');
	ck_assert_uint_eq(rd(RBR), 'B');
	ck_assert_uint_eq(rd(LSR) & 0x01, 0x00);
	ck_assert_int_eq(irq_level, 0);
	ck_assert_str_eq(output(), "");
}
END_TEST

START_TEST(receive_fifo_overrun_sets_oe_until_lsr_is_read)
{
	wr(MCR, 0x10);
	for (int i = 0; i < 17; i++)
		wr(THR, (uint8_t)i);
	ck_assert_uint_eq(rd(LSR) & 0x03, 0x03);
	ck_assert_uint_eq(rd(LSR) & 0x02, 0x00);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(RBR), i);
}
END_TEST

START_TEST(wide_layout_places_registers_reg_shift_apart)
{
	struct device_param p[] = {{"backend", "file"},
				   {"path", out_path},
				   {"reg_shift", "2"},
				   {"reg_width", "4"}};
	struct device_io wide = {
		.space = IO_SPACE_MMIO, .offset = 5 << 2, .size = 8};
	uint64_t v;

	device_destroy(uart);
	uart = make(p, 4);
	ck_assert_msg(uart != NULL, "%s", err);
	shift = 2;
	ck_assert_uint_eq(rd(LSR), 0x60);
	wr(SCR, 0x3c);
	ck_assert_uint_eq(rd(SCR), 0x3c);
	/* An 8-byte access spans two registers: refused. */
	ck_assert_int_eq(device_read(uart, &wide, &v), -1);
}
END_TEST

START_TEST(unix_backend_talks_to_its_client)
{
	const char *sock = temp_path("uart.sock");
	struct device_param p[] = {{"backend", "unix"}, {"path", sock}};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[8] = {0};
	int fd;

	device_destroy(uart);
	uart = make(p, 2);
	ck_assert_msg(uart != NULL, "%s", err);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, sock);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(write(fd, "hi", 2), 2);
	usleep(10000);
	ck_assert_uint_eq(rd(RBR), 'h');
	ck_assert_uint_eq(rd(RBR), 'i');
	wr(THR, '!');
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "!");
	close(fd);
}
END_TEST

START_TEST(pty_backend_opens_a_terminal)
{
	struct device_param p[] = {{"backend", "pty"}};

	device_destroy(uart);
	uart = make(p, 1);
	ck_assert_msg(uart != NULL, "%s", err);
	/* Nobody reads the pty: output is dropped, not blocking. */
	for (int i = 0; i < 10000; i++)
		wr(THR, 'x');
}
END_TEST

START_TEST(pty_backend_names_its_pty_and_carries_the_guest_output)
{
	struct device_param p[] = {{"backend", "pty"}};
	struct termios raw;
	const char *pty;
	char buf[8] = {0};
	int fd;

	ck_assert_ptr_null(device_pty(uart)); /* backend=file: no pty */
	device_destroy(uart);
	uart = make(p, 1);
	ck_assert_msg(uart != NULL, "%s", err);
	pty = device_pty(uart);
	ck_assert_ptr_nonnull(pty);
	ck_assert_msg(strncmp(pty, "/dev/pts/", 9) == 0, "pty %s", pty);
	fd = open(pty, O_RDWR | O_NOCTTY);
	ck_assert_int_ge(fd, 0);
	/* Raw: each byte as it comes (not line by line), and no echo of
	 * the guest's output back to it as input. */
	ck_assert_int_eq(tcgetattr(fd, &raw), 0);
	ck_assert_uint_eq(raw.c_lflag & (ICANON | ECHO), 0);
	wr(THR, '!');
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "!");
	usleep(10000);
	ck_assert_uint_eq(rd(LSR) & 0x01, 0); /* DR: nothing came back */
	close(fd);
}
END_TEST

static const struct {
	const char *key, *value, *message;
} bad_keys[] = {
	{"backend", "serial", "valid: pty, unix, file, stdio"},
	{"reg_shift", "4", "reg_shift: must be 0 to 3"},
	{"reg_width", "3", "reg_width: must be 1, 2 or 4"},
	{"irq", "16", "irq: must be an ISA line"},
	{"irq", "x", "irq: 'x' is not a number"},
};

START_TEST(bad_keys_say_what_is_valid)
{
	struct device_param p = {bad_keys[_i].key, bad_keys[_i].value};
	struct device_args a = {.space = IO_SPACE_MMIO,
				.range = {0, 31},
				.nparams = 1,
				.params = &p};

	ck_assert_int_eq(device_validate("uart16550", &a, err, sizeof(err)),
			 -1);
	ck_assert_msg(strstr(err, bad_keys[_i].message), "%s", err);
}
END_TEST

START_TEST(file_backend_needs_a_path)
{
	struct device_param p = {"backend", "file"};
	struct device_args a = {.space = IO_SPACE_MMIO,
				.range = {0, 31},
				.nparams = 1,
				.params = &p};

	ck_assert_int_eq(device_validate("uart16550", &a, err, sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "path: backend=file needs"));
}
END_TEST

static Suite *uart_suite(void)
{
	Suite *s = suite_create("uart16550");
	TCase *tc = tcase_create("registers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, transmitter_is_empty_after_reset);
	tcase_add_test(tc, bytes_written_to_thr_reach_the_backend);
	tcase_add_test(tc, dlab_switches_to_the_divisor_latch);
	tcase_add_test(tc, scratch_register_reads_back);
	tcase_add_test(tc,
		       enabling_thre_interrupt_raises_it_and_iir_acknowledges);
	tcase_add_test(tc, interrupt_needs_out2);
	tcase_add_test(tc, fifo_enable_shows_in_iir);
	tcase_add_test(tc, loopback_receives_what_is_sent);
	tcase_add_test(tc, receive_fifo_overrun_sets_oe_until_lsr_is_read);
	tcase_add_test(tc, wide_layout_places_registers_reg_shift_apart);
	tcase_add_test(tc, unix_backend_talks_to_its_client);
	tcase_add_test(tc, pty_backend_opens_a_terminal);
	tcase_add_test(tc,
		       pty_backend_names_its_pty_and_carries_the_guest_output);
	tcase_add_loop_test(tc, bad_keys_say_what_is_valid, 0,
			    sizeof(bad_keys) / sizeof(bad_keys[0]));
	tcase_add_test(tc, file_backend_needs_a_path);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(uart_suite());
}
