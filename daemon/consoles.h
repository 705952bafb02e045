/* SPDX-License-Identifier: BSD-2-Clause */
/* consoles.h - where the guest's pty consoles are found: a stable symlink
 * per pty uart, and the place xl console -t serial looks.
 *
 * The Nth uart16550 with backend=pty (N from 0, in config order) gets the
 * symlink STATE_DIR/GUEST.uartN to its pty, and the store is told to
 * publish serial N (the Xen backend writes xenstore's
 * /local/domain/DOMID/serial/N/tty, which xl console -t serial opens).
 * What is published is the symlink, not the pty: it stays right across a
 * restart of mmiod (a new pty behind the same name), and once mmiod is
 * gone it names nothing, where a /dev/pts number could by then belong to
 * another program (a confined mmiod can't remove the xenstore key).
 *
 * A symlink is only ever replaced or removed if it is ours: the guest's
 * lock proves a symlink at GUEST.uartN was made by an mmiod of this guest
 * (a crashed one's is replaced); anything else there is left alone and
 * the pty itself is published instead. At exit a link is removed only if
 * it still points where we made it point.
 */
#ifndef MMIOD_CONSOLES_H
#define MMIOD_CONSOLES_H

#include <stddef.h>

#include "owned_files.h"

/* Publishes serial n of the guest at path; 0, or -1 with errno. */
struct console_store {
	int (*publish)(void *ctx, unsigned n, const char *path);
	void *ctx;
};

struct consoles {
	char **links;	/* the symlinks we made; NULL entries: none */
	char **targets; /* the pty each points to */
	size_t n;
};

void consoles_init(struct consoles *c);
/* For each of the n ptys (the pty uarts in config order): the symlink in
 * dir, noted in of (to be handed to user=), and the store told. A failure
 * is logged and costs that console only: the guest is served anyway.
 * 0, or -1 when out of memory. */
int consoles_publish(struct consoles *c, const char *dir, const char *guest,
		     const char *const *ptys, size_t n, struct owned_files *of,
		     const struct console_store *store);
/* Removes the symlinks that still point to our ptys; frees c. */
void consoles_remove(struct consoles *c);

#endif
