/* confine.c - privilege drop and the seccomp filter. */
#include "confine.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

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
 * sd_notify (socket, sendmsg), the fault socket (accept4), logging
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
	SCMP_SYS(rmdir), /* --sim's private state directory */
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

int confine_seccomp(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = -1;

	if (!ctx) {
		log_error("seccomp: cannot create a filter");
		return -1;
	}
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
