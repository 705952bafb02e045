/* SPDX-License-Identifier: BSD-2-Clause */
/* confine.c - privilege drop and the seccomp filter. */
#include "confine.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "devices/devices.h"

int confine_drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		log_error("user '%s' does not exist", user);
		return -1;
	}
	if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		log_error("cannot become user '%s': %s", user, strerror(errno));
		return -1;
	}
	/* Make sure there is no way back. */
	if (setuid(0) == 0) {
		log_error("could regain root after dropping it");
		return -1;
	}
	log_info("running as user %s", user);
	return 0;
}

/* What serving does after setup: event channels and dm_op (ioctl),
 * guest mappings (mmap family), device files (open, write, msync),
 * worker threads (futex), the main loop (ppoll, signals, timers),
 * notify.c (socket, sendmsg), the fault socket (accept4), the state
 * dir's files and console links at exit (unlink, readlink), logging
 * (write) and exiting. */
static const int allowed[] = {
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(writev),
	SCMP_SYS(pread64),
	SCMP_SYS(pwrite64),
	SCMP_SYS(lseek),
	SCMP_SYS(openat),
	SCMP_SYS(close),
	SCMP_SYS(fstat),
	SCMP_SYS(newfstatat),
	SCMP_SYS(fcntl),
	SCMP_SYS(ioctl),
	SCMP_SYS(mmap),
	SCMP_SYS(munmap),
	SCMP_SYS(mprotect),
	SCMP_SYS(madvise),
	SCMP_SYS(mremap),
	SCMP_SYS(msync),
	SCMP_SYS(brk),
	SCMP_SYS(fsync),
	SCMP_SYS(fdatasync),
	SCMP_SYS(ftruncate),
	SCMP_SYS(rename),
	SCMP_SYS(unlink),
	SCMP_SYS(readlink), /* a console link is removed only if still ours */
	SCMP_SYS(rmdir),    /* --sim's private state directory */
	SCMP_SYS(futex),
	SCMP_SYS(poll),
	SCMP_SYS(ppoll),
	SCMP_SYS(clock_gettime),
	SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(getpid),
	SCMP_SYS(gettid),
	SCMP_SYS(getuid),
	SCMP_SYS(geteuid),
	SCMP_SYS(getgid),
	SCMP_SYS(getegid),
	SCMP_SYS(socket),
	SCMP_SYS(sendmsg),
	SCMP_SYS(accept4),
	SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt),
	SCMP_SYS(connect),
	SCMP_SYS(sendto),
	SCMP_SYS(recvmsg),
	SCMP_SYS(wait4),
	SCMP_SYS(kill),
	SCMP_SYS(tgkill),
	SCMP_SYS(sched_yield),
	SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
	SCMP_SYS(restart_syscall),
	SCMP_SYS(getrandom),
	SCMP_SYS(sigaltstack),
};

/* Names of the system calls, resolved before the filter is installed:
 * the SIGSYS handler may not allocate, which resolving does. Kept for
 * the life of the process. */
#define NSYSCALL_NAMES 1024
static const char *syscall_names[NSYSCALL_NAMES];

static void resolve_syscall_names(void)
{
	for (int nr = 0; nr < NSYSCALL_NAMES; nr++)
		syscall_names[nr] =
			seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
}

/* Decimal digits of n, for a handler that can't call snprintf. */
static const char *decimal(char buf[static 12], int n)
{
	char *p = buf + 11;
	unsigned v = n < 0 ? 0u - (unsigned)n : (unsigned)n;

	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	if (n < 0)
		*--p = '-';
	return p;
}

/* A call outside the filter: name it and the device (usually a plugin)
 * whose operation this thread was running, then exit. The call was not
 * made; carrying on would leave a device half done. */
static void on_sigsys(int sig, siginfo_t *si, void *ucontext)
{
	int nr = si->si_syscall;
	const char *name = nr >= 0 && nr < NSYSCALL_NAMES && syscall_names[nr]
				   ? syscall_names[nr]
				   : "unknown";
	const char *device = device_current();
	char num[12];
	const char *const parts[] = {
		"seccomp: ",
		device ? device : "mmiod (in no device)",
		" made system call ",
		name,
		" (",
		decimal(num, nr),
		"), which the filter does not allow; exiting",
	};

	(void)sig;
	(void)ucontext;
	log_signal_safe(LOG_LEVEL_ERROR, parts,
			sizeof(parts) / sizeof(parts[0]));
	_exit(1);
}

static int trap_forbidden_calls(void)
{
	struct sigaction sa;

	resolve_syscall_names();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL);
}

int confine_seccomp(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int rc = -1;

	if (!ctx) {
		log_error("seccomp: cannot create a filter");
		return -1;
	}
	if (trap_forbidden_calls())
		goto out;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0))
			goto out;
	/* The workers already run: the filter must cover them too. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) ||
	    seccomp_load(ctx))
		goto out;
	rc = 0;
out:
	if (rc)
		log_error("seccomp: cannot install the filter");
	seccomp_release(ctx);
	return rc;
}

int confine(const char *user, bool seccomp)
{
	/* Only root can switch users; a device author running --sim as
	 * themselves has nothing to drop. */
	if (user && geteuid() == 0 && confine_drop_privileges(user))
		return -1;
#if MMIOD_SANITIZERS
	/* The sanitizer runtimes make system calls of their own (at exit,
	 * in reports) that no production filter allows. */
	(void)seccomp;
	return 0;
#else
	return seccomp ? confine_seccomp() : 0;
#endif
}
