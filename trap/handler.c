/* SPDX-License-Identifier: BSD-2-Clause */
/* handler.c - the SIGSEGV handler: a fault in a window becomes a raw-fault
 * record for mmiod, and mmiod's answer becomes the interrupted thread's
 * registers; any other fault goes to the handler that was there before. */
#include <errno.h>
#include <string.h>
#include <sys/ucontext.h>
#include <sys/uio.h>
#include <unistd.h>

#include "trap_internal.h"

static struct sigaction previous;
static bool installed;

/* mmiod-fault.h's register order -> the kernel's gregs[] slots. */
static const int greg_of[MMIOD_NREGS] = {
	[MMIOD_RAX] = REG_RAX, [MMIOD_RCX] = REG_RCX, [MMIOD_RDX] = REG_RDX,
	[MMIOD_RBX] = REG_RBX, [MMIOD_RSP] = REG_RSP, [MMIOD_RBP] = REG_RBP,
	[MMIOD_RSI] = REG_RSI, [MMIOD_RDI] = REG_RDI, [MMIOD_R8] = REG_R8,
	[MMIOD_R9] = REG_R9,   [MMIOD_R10] = REG_R10, [MMIOD_R11] = REG_R11,
	[MMIOD_R12] = REG_R12, [MMIOD_R13] = REG_R13, [MMIOD_R14] = REG_R14,
	[MMIOD_R15] = REG_R15, [MMIOD_RIP] = REG_RIP, [MMIOD_RFLAGS] = REG_EFL,
};

/* Up to 15 bytes at rip, never past a mapped page: the instruction may
 * end before the page does and the next page may not exist. Reading
 * through process_vm_readv turns an unmapped page into a short count
 * (split at the page boundary: it never splits one iovec) instead of a
 * fault inside the handler. */
static size_t fetch_insn(uintptr_t rip, uint8_t *insn)
{
	size_t first = TRAP_PAGE - (rip & (TRAP_PAGE - 1));
	struct iovec local = {insn, 15};
	struct iovec remote[2] = {{(void *)rip, first < 15 ? first : 15},
				  {(void *)(rip + first), 15 - first}};
	ssize_t n = process_vm_readv(getpid(), &local, 1, remote,
				     first < 15 ? 2 : 1, 0);

	if (n > 0)
		return (size_t)n;
	/* No process_vm_readv (seccomp, old kernel): the CPU is executing
	 * rip's page, so that much is readable. */
	n = first < 15 ? (ssize_t)first : 15;
	memcpy(insn, (const void *)rip, (size_t)n);
	return (size_t)n;
}

static void build_request(struct mmiod_fault_request *req,
			  const struct trap_window *w, uintptr_t addr,
			  const greg_t *g, unsigned vcpu)
{
	memset(req, 0, sizeof(*req) - sizeof(req->data));
	req->magic = MMIOD_FAULT_MAGIC;
	req->version = MMIOD_FAULT_VERSION;
	req->mode = 64;
	/* Bit 1 of the page-fault error code: the access was a write. */
	req->dir = (g[REG_ERR] & 2) ? 0 : 1;
	req->gpa = w->gpa + (addr - atomic_load(&w->start));
	req->size = 0; /* the fault doesn't say; mmiod takes the insn's */
	req->vcpu = vcpu;
	for (int r = 0; r < MMIOD_NREGS; r++)
		req->regs[r] = (uint64_t)g[greg_of[r]];
	req->insn_len = (uint8_t)fetch_insn((uintptr_t)g[REG_RIP], req->insn);
}

static void serve(const struct trap_window *w, uintptr_t addr, greg_t *g)
{
	struct trap_conn *c = trap_conn_acquire(w->server);
	const char *why = NULL;
	uint8_t insn[15];
	size_t len;

	if (!c) {
		len = fetch_insn((uintptr_t)g[REG_RIP], insn);
		trap_die("cannot connect to mmiod for", (uint64_t)g[REG_RIP],
			 insn, len, w->server->addr.sun_path);
	}
	build_request(&c->req, w, addr, g, (unsigned)(c - w->server->conns));
	if (trap_movs_fill(&c->req, &why) == 0 && trap_conn_exchange(c))
		why = "the connection to mmiod broke";
	if (!why && c->reply.status != MMIOD_FAULT_OK) {
		c->reply.error[sizeof(c->reply.error) - 1] = '\0';
		why = c->reply.error;
	}
	if (!why && trap_movs_store(&c->req, &c->reply, &why) == 0) {
		for (int r = 0; r < MMIOD_NREGS; r++)
			g[greg_of[r]] = (greg_t)c->reply.regs[r];
		trap_conn_release(c);
		return;
	}
	trap_die("mmiod did not serve", c->req.regs[MMIOD_RIP], c->req.insn,
		 c->req.insn_len, why);
}

/* Not ours: as if our handler had never been installed. */
static void pass_on(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	if (previous.sa_flags & SA_SIGINFO) {
		previous.sa_sigaction(sig, si, uc);
		return;
	}
	if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
		previous.sa_handler(sig);
		return;
	}
	/* The default action (a hardware fault can't be ignored): the
	 * faulting instruction runs again and kills the process with a
	 * core; a signal sent by someone is raised again, delivered once
	 * this handler returns. */
	sigaction(sig, &dfl, NULL);
	if (si->si_code <= 0)
		raise(sig);
}

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	int saved = errno;
	const struct trap_window *w = NULL;

	/* si_code > 0: raised by the CPU, so si_addr is the fault's. */
	if (si->si_code > 0)
		w = trap_window_find((uintptr_t)si->si_addr);
	if (w)
		serve(w, (uintptr_t)si->si_addr, uc->uc_mcontext.gregs);
	else
		pass_on(sig, si, ucv);
	errno = saved;
}

int trap_handler_install(void)
{
	struct sigaction sa;

	if (installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	/* SA_ONSTACK: a program with an alternate stack for stack
	 * overflows keeps getting it. */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &previous))
		return -1;
	installed = true;
	return 0;
}
