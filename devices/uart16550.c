/* SPDX-License-Identifier: BSD-2-Clause */
/* uart16550.c - a 16550A UART: the registers a guest's 8250 driver uses,
 * 16-byte receive FIFO, and a host side on a pty, a Unix socket, a file or
 * mmiod's own stdin/stdout.
 *
 * Keys: backend=pty|unix|file|stdio (default pty), path= (unix: the socket
 * to listen on; file: the file to append to), reg_shift=0..3 and
 * reg_width=1|2|4 (MMIO layouts such as Linux's "mmio32": reg_shift=2,
 * reg_width=4; wider accesses are refused), irq=0..15 (the ISA line the
 * daemon wires to the interrupt output, which is raised while an enabled
 * interrupt is pending and MCR.OUT2 is set; on a PCI function the output
 * drives the function's MSI instead).
 *
 * The transmitter is infinitely fast: a byte written to THR goes to the
 * host side at once, so LSR always shows THRE|TEMT. With no one reading
 * (no pty reader, no socket client), output is dropped, as on a real line
 * without flow control. Received bytes are picked up when the guest reads
 * a register, so a polling driver works without an interrupt.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "common/log.h"
#include "common/unix_socket.h"
#include "device_type.h"

enum {
	REG_RBR_THR,
	REG_IER,
	REG_IIR_FCR,
	REG_LCR,
	REG_MCR,
	REG_LSR,
	REG_MSR,
	REG_SCR
};

#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IER_RDA 0x01
#define IER_THRE 0x02
#define IER_RLS 0x04
#define IER_MSI 0x08
#define IIR_NONE 0x01
#define IIR_MSI 0x00
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_RLS 0x06
#define IIR_FIFO 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80
#define FIFO_SIZE 16

enum uart_backend { BACKEND_PTY, BACKEND_UNIX, BACKEND_FILE, BACKEND_STDIO };

struct uart {
	struct device dev;
	struct device_irq irq; /* set_level NULL: none wired */
	bool irq_level;
	unsigned reg_shift, reg_width;

	enum uart_backend backend;
	int out_fd, in_fd;  /* -1: none (yet) */
	bool out_is_socket; /* stdout is a socket: writes use MSG_DONTWAIT */
	int listen_fd;
	char *path;
	char pty[64]; /* backend=pty: its path; else "" */

	uint8_t ier, lcr, mcr, lsr, scr, dll, dlm, fcr;
	bool thre_pending; /* the THR-empty interrupt is owed */
	uint8_t rx[FIFO_SIZE];
	unsigned rx_head, rx_count;
	unsigned long dropped;
};

static struct uart *to_uart(struct device *dev)
{
	return (struct uart *)dev;
}

static void rx_push(struct uart *u, uint8_t byte)
{
	if (u->rx_count == FIFO_SIZE) {
		u->lsr |= LSR_OE; /* overrun: the byte is lost */
		return;
	}
	u->rx[(u->rx_head + u->rx_count++) % FIFO_SIZE] = byte;
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % FIFO_SIZE;
	u->rx_count--;
	return byte;
}

/* A Unix socket has one client at a time; take it when it comes.
 * True if one came now. */
static bool accept_client(struct uart *u)
{
	int fd;

	if (u->listen_fd < 0 || u->out_fd >= 0)
		return false;
	fd = accept4(u->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return false;
	u->in_fd = u->out_fd = fd;
	return true;
}

static void drop_client(struct uart *u)
{
	if (u->backend != BACKEND_UNIX || u->out_fd < 0)
		return;
	close(u->out_fd);
	u->in_fd = u->out_fd = -1;
}

/* Takes what the line has, as the FIFO's room allows; true if it took
 * a byte, a client or a hang-up. */
static bool fill_rx(struct uart *u)
{
	uint8_t buf[FIFO_SIZE];
	bool client = accept_client(u);
	ssize_t n;

	if (u->in_fd < 0 || (u->mcr & MCR_LOOP) || u->rx_count == FIFO_SIZE)
		return client;
	n = read(u->in_fd, buf, FIFO_SIZE - u->rx_count);
	if (n == 0)
		drop_client(u);
	for (ssize_t i = 0; i < n; i++)
		rx_push(u, buf[i]);
	return client || n >= 0;
}

/* Never blocks: a full pipe or socket drops the byte. */
static ssize_t send_byte(struct uart *u, uint8_t byte)
{
	if (u->out_is_socket)
		return send(u->out_fd, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(u->out_fd, &byte, 1);
}

static void transmit(struct uart *u, uint8_t byte)
{
	if (u->mcr & MCR_LOOP) {
		rx_push(u, byte);
		return;
	}
	accept_client(u);
	if (u->out_fd < 0 || send_byte(u, byte) != 1) {
		if (u->out_fd >= 0 && errno == EPIPE)
			drop_client(u);
		u->dropped++;
	}
}

static uint8_t msr(const struct uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD; /* a line always there */
	/* Loopback wires the modem outputs back to the inputs. */
	return (u->mcr & MCR_RTS ? MSR_CTS : 0) |
	       (u->mcr & MCR_DTR ? MSR_DSR : 0) |
	       (u->mcr & MCR_OUT1 ? MSR_RI : 0) |
	       (u->mcr & MCR_OUT2 ? MSR_DCD : 0);
}

/* The highest-priority pending interrupt, as IIR reports it. */
static uint8_t interrupt_id(const struct uart *u)
{
	if ((u->ier & IER_RLS) && (u->lsr & LSR_OE))
		return IIR_RLS;
	if ((u->ier & IER_RDA) && u->rx_count)
		return IIR_RDA;
	if ((u->ier & IER_THRE) && u->thre_pending)
		return IIR_THRE;
	(void)IER_MSI; /* modem status never changes on our line */
	return IIR_NONE;
}

static void update_irq(struct uart *u)
{
	/* On PCs, OUT2 gates the UART's interrupt onto the bus. */
	bool level = interrupt_id(u) != IIR_NONE && (u->mcr & MCR_OUT2);

	if (!u->irq.set_level || level == u->irq_level)
		return;
	u->irq_level = level;
	u->irq.set_level(u->irq.ctx, level);
}

static uint8_t read_register(struct uart *u, unsigned reg)
{
	uint8_t v, id;

	fill_rx(u);
	switch (reg) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		return rx_pop(u);
	case REG_IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case REG_IIR_FCR:
		id = interrupt_id(u);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if (id == IIR_THRE)
			u->thre_pending = false;
		return id | (u->fcr & FCR_ENABLE ? IIR_FIFO : 0);
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		v = u->lsr | LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
		u->lsr &= ~LSR_OE; /* cleared by reading LSR */
		return v;
	case REG_MSR:
		return msr(u);
	default:
		return u->scr;
	}
}

static void write_register(struct uart *u, unsigned reg, uint8_t v)
{
	switch (reg) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			break;
		}
		transmit(u, v);
		u->thre_pending = true; /* THR is empty again at once */
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* Enabling the THR-empty interrupt with THR empty raises it
		 * at once: drivers rely on that to start transmitting. */
		if (!(u->ier & IER_THRE) && (v & IER_THRE))
			u->thre_pending = true;
		u->ier = v & 0x0f;
		break;
	case REG_IIR_FCR:
		if (v & FCR_CLEAR_RX)
			u->rx_count = 0;
		u->fcr = v & 0xc9; /* enable, DMA mode, trigger level */
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v & 0x1f;
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}

/* The register an access addresses, or -1 for a byte between registers
 * of a wide layout (reads 0, writes ignored). */
static int register_index(const struct uart *u, uint64_t offset)
{
	uint64_t stride = 1u << u->reg_shift;

	if (offset % stride)
		return -1;
	return offset / stride < 8 ? (int)(offset / stride) : -1;
}

/* A register is reg_width bytes wide; a wider access would span two
 * registers, which no driver does: it is refused. */
static int uart_read(struct device *dev, const struct device_io *io,
		     uint64_t *value)
{
	struct uart *u = to_uart(dev);
	int reg = register_index(u, io->offset);

	if (io->size > u->reg_width)
		return -1;
	*value = reg < 0 ? 0 : read_register(u, (unsigned)reg);
	update_irq(u);
	return 0;
}

static int uart_write(struct device *dev, const struct device_io *io,
		      uint64_t value)
{
	struct uart *u = to_uart(dev);
	int reg = register_index(u, io->offset);

	if (io->size > u->reg_width)
		return -1;
	if (reg >= 0)
		write_register(u, (unsigned)reg, (uint8_t)value);
	update_irq(u);
	return 0;
}

static int uart_flush(struct device *dev)
{
	struct uart *u = to_uart(dev);

	if (u->backend == BACKEND_FILE && fdatasync(u->out_fd))
		return -1;
	return 0;
}

static void uart_destroy(struct device *dev)
{
	struct uart *u = to_uart(dev);

	if (u->dropped)
		log_info("uart: %lu output bytes had no reader", u->dropped);
	/* 0-2 are mmiod's own stdio, not the device's to close. */
	if (u->out_fd > STDERR_FILENO)
		close(u->out_fd);
	if (u->in_fd > STDERR_FILENO && u->in_fd != u->out_fd)
		close(u->in_fd);
	if (u->listen_fd >= 0) {
		close(u->listen_fd);
		unix_socket_remove(u->path);
	}
	free(u->path);
	free(u);
}

/* What to watch for input: the line, or the socket a client connects
 * to; nothing while the FIFO is full (the guest's reads refill it) or
 * in loopback. */
static int uart_input_fd(struct device *dev)
{
	struct uart *u = to_uart(dev);

	if ((u->mcr & MCR_LOOP) || u->rx_count == FIFO_SIZE)
		return -1;
	return u->in_fd >= 0 ? u->in_fd : u->listen_fd;
}

/* Input that comes while the guest waits raises the receive
 * interrupt: an interrupt-driven driver reads nothing until it does. */
static bool uart_input(struct device *dev)
{
	struct uart *u = to_uart(dev);
	bool took = fill_rx(u);

	update_irq(u);
	return took;
}

static const char *uart_pty(const struct device *dev)
{
	const struct uart *u = (const struct uart *)dev;

	return u->pty[0] ? u->pty : NULL;
}

static const struct device_ops uart_ops = {
	.read = uart_read,
	.write = uart_write,
	.flush = uart_flush,
	.destroy = uart_destroy,
	.input_fd = uart_input_fd,
	.input = uart_input,
	.pty = uart_pty,
};

static int open_pty(struct uart *u, char *err, size_t errlen)
{
	struct termios raw;
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0 || grantpt(fd) || unlockpt(fd) ||
	    ptsname_r(fd, u->pty, sizeof(u->pty))) {
		snprintf(err, errlen, "backend: cannot open a pty: %s",
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Raw, as a serial line is: a pty's line discipline would echo the
	 * guest's output back to it as input while nobody is attached, and
	 * translate bytes (termios on the master apply to the pty). */
	if (tcgetattr(fd, &raw) == 0) {
		cfmakeraw(&raw);
		tcsetattr(fd, TCSANOW, &raw);
	}
	u->in_fd = u->out_fd = fd;
	log_info("uart: guest console on %s", u->pty);
	return 0;
}

static int open_unix(struct uart *u, char *err, size_t errlen)
{
	char msg[512];

	u->listen_fd = unix_socket_listen(u->path, 0600,
					  SOCK_NONBLOCK | SOCK_CLOEXEC, 1);
	if (u->listen_fd < 0) {
		snprintf(
			err, errlen, "path: %s",
			unix_socket_strerror(msg, sizeof(msg), u->path, errno));
		return -1;
	}
	log_info("uart: guest console on socket %s", u->path);
	return 0;
}

/* stdout without blocking, as "output nobody reads is dropped" promises.
 * O_NONBLOCK on fd 1 itself would change the open file that mmiod's log
 * and the scripted guest share, so a pipe or terminal is opened afresh
 * through /proc; a socket gets MSG_DONTWAIT; a regular file never blocks
 * for long and is used as it is. */
static void open_stdio(struct uart *u)
{
	struct stat st;
	int fd;

	u->out_fd = STDOUT_FILENO;
	if (fstat(STDOUT_FILENO, &st))
		st.st_mode = S_IFREG; /* used as it is */
	if (S_ISSOCK(st.st_mode)) {
		u->out_is_socket = true;
	} else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		fd = open("/proc/self/fd/1",
			  O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0)
			u->out_fd = fd;
		else
			log_warn(
				"uart: stdout may block the guest: cannot reopen it without blocking: %s",
				strerror(errno));
	}
	u->in_fd = STDIN_FILENO;
	/* Reads must not block the vCPU: stdin may be a terminal. */
	if (isatty(STDIN_FILENO))
		fcntl(STDIN_FILENO, F_SETFL,
		      fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	else
		u->in_fd = -1;
}

static int open_backend(struct uart *u, char *err, size_t errlen)
{
	switch (u->backend) {
	case BACKEND_PTY:
		return open_pty(u, err, errlen);
	case BACKEND_UNIX:
		return open_unix(u, err, errlen);
	case BACKEND_FILE:
		/* O_NONBLOCK: a FIFO at path without a reader is refused
		 * (ENXIO), one with a reader never blocks the vCPU. */
		u->out_fd = open(u->path,
				 O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK |
					 O_CLOEXEC,
				 0640);
		if (u->out_fd < 0) {
			snprintf(err, errlen, "path: cannot open '%s': %s",
				 u->path, strerror(errno));
			return -1;
		}
		return 0;
	case BACKEND_STDIO:
		open_stdio(u);
		return 0;
	}
	return -1;
}

static int parse_keys(const struct device_args *args, struct uart *u, char *err,
		      size_t errlen)
{
	static const char *const backends[] = {"pty", "unix", "file", "stdio"};
	const char *backend = device_param(args, "backend");
	const char *path = device_param(args, "path");
	uint64_t shift = 0, width = 1, irq = UINT64_MAX;
	size_t b = 0;

	if (backend) {
		for (b = 0; b < 4 && strcmp(backend, backends[b]); b++)
			;
		if (b == 4) {
			snprintf(
				err, errlen,
				"backend: '%s' is not a backend (valid: pty, unix, file, stdio)",
				backend);
			return -1;
		}
	}
	u->backend = (enum uart_backend)b;
	if ((u->backend == BACKEND_UNIX || u->backend == BACKEND_FILE) &&
	    !path) {
		snprintf(err, errlen, "path: backend=%s needs path=PATH",
			 backends[b]);
		return -1;
	}
	if (device_param_u64(args, "reg_shift", &shift, err, errlen) ||
	    device_param_u64(args, "reg_width", &width, err, errlen) ||
	    device_param_u64(args, "irq", &irq, err, errlen))
		return -1;
	if (shift > 3) {
		snprintf(err, errlen, "reg_shift: must be 0 to 3");
		return -1;
	}
	if (width != 1 && width != 2 && width != 4) {
		snprintf(err, errlen, "reg_width: must be 1, 2 or 4");
		return -1;
	}
	if (irq != UINT64_MAX && irq > 15) {
		snprintf(err, errlen, "irq: must be an ISA line, 0 to 15");
		return -1;
	}
	/* - 1: range_size() is 0 for all 2^64 addresses. */
	if (range_size(args->range) - 1 < (8u << shift) - 1) {
		snprintf(err, errlen,
			 "size: 8 registers at reg_shift=%u need %u bytes",
			 (unsigned)shift, 8u << shift);
		return -1;
	}
	u->reg_shift = (unsigned)shift;
	u->reg_width = (unsigned)width;
	/* Caught by --check-config too: the socket would replace it. */
	if (u->backend == BACKEND_UNIX && unix_socket_check(path)) {
		char msg[512];

		snprintf(err, errlen, "path: %s",
			 unix_socket_strerror(msg, sizeof(msg), path, errno));
		return -1;
	}
	u->path = path ? strdup(path) : NULL;
	if (path && !u->path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int uart_create(const struct device_args *args, bool validate_only,
		       struct device **out, char *err, size_t errlen)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	u->out_fd = u->in_fd = u->listen_fd = -1;
	if (parse_keys(args, u, err, errlen)) {
		uart_destroy(&u->dev);
		return -1;
	}
	if (validate_only || open_backend(u, err, errlen)) {
		uart_destroy(&u->dev);
		return validate_only ? 0 : -1;
	}
	/* The daemon wires irq= (an ISA line) or the PCI function. */
	if (args->irq)
		u->irq = *args->irq;
	device_init(&u->dev, &uart_ops, "uart16550", false);
	*out = &u->dev;
	return 0;
}

static const char *const uart_keys[] = {"backend",   "path", "reg_shift",
					"reg_width", "irq",  NULL};

const struct device_type uart16550_device_type = {
	.name = "uart16550",
	.keys = uart_keys,
	.create = uart_create,
};
