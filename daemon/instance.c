/* SPDX-License-Identifier: BSD-2-Clause */
/* instance.c - the guest's lock, state file and control socket. */
#include "instance.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/log.h"
#include "common/unix_socket.h"
#include "control.h"

void instance_init(struct instance *in)
{
	memset(in, 0, sizeof(*in));
	in->lock_fd = in->control_fd = -1;
}

int instance_paths(struct instance *in, const char *dir, const char *guest)
{
	/* The longest name is DIR/GUEST.state. */
	size_t room = INSTANCE_PATH_MAX - 1 - strlen("/.state");
	size_t dlen = strlen(dir), glen = strlen(guest);

	if (!glen || strchr(guest, '/')) {
		fprintf(stderr,
			"mmiod: GUEST '%s' is not a guest name (not empty, no '/')\n",
			guest);
		return -1;
	}
	if (dlen + glen > room) {
		/* Blame GUEST unless the directory alone leaves no sane room
		 * for a name. */
		if (dlen + 16 > room)
			fprintf(stderr,
				"mmiod: --state-dir '%s' is too long (at most %zu bytes)\n",
				dir, room - 16);
		else
			fprintf(stderr,
				"mmiod: GUEST is too long (%zu bytes; with the state dir %s at most %zu)\n",
				glen, dir, room - dlen);
		return -1;
	}
	statefile_path(in->lock_path, sizeof(in->lock_path), dir, guest,
		       "lock");
	statefile_path(in->state_path, sizeof(in->state_path), dir, guest,
		       "state");
	statefile_path(in->control_path, sizeof(in->control_path), dir, guest,
		       "ctl");
	return 0;
}

int instance_note(const struct instance *in, struct owned_files *of)
{
	return owned_files_note(of, in->lock_path) ||
	       owned_files_note(of, in->state_path) ||
	       owned_files_note(of, in->control_path);
}

/* The pid the lock's holder wrote into it, or -1. */
static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int instance_lock(struct instance *in, const char *guest)
{
	char pid[32];
	int fd, len;

	fd = open(in->lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		log_error("cannot open %s: %s", in->lock_path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK)
			log_error("mmiod for %s is already running (pid %ld)",
				  guest, holder_pid(fd));
		else
			log_error("cannot lock %s: %s", in->lock_path,
				  strerror(errno));
		close(fd);
		return errno == EWOULDBLOCK ? 1 : -1;
	}
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, len, 0) != len)
		log_warn("cannot write the pid to %s: %s", in->lock_path,
			 strerror(errno));
	in->lock_fd = fd;
	return 0;
}

int instance_write_state(struct instance *in, const struct state_record *r)
{
	if (statefile_write(in->state_path, r)) {
		log_error("cannot write %s: %s", in->state_path,
			  strerror(errno));
		return -1;
	}
	in->state_written = true;
	return 0;
}

int instance_listen(struct instance *in)
{
	in->control_fd = control_listen(in->control_path);
	return in->control_fd < 0 ? -1 : 0;
}

void instance_close(struct instance *in)
{
	struct state_record rec;

	if (in->control_fd >= 0) {
		close(in->control_fd);
		unix_socket_remove(in->control_path);
	}
	/* The lock makes the file ours; the pid check keeps a file that
	 * someone rewrote since. */
	if (in->state_written && statefile_read(in->state_path, &rec) == 0 &&
	    rec.pid == getpid())
		statefile_remove(in->state_path);
	/* The lock file stays: removing it would let a third mmiod lock a
	 * new file while a second still waits on the old one. */
	if (in->lock_fd >= 0)
		close(in->lock_fd);
	instance_init(in);
}
