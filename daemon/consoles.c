/* SPDX-License-Identifier: BSD-2-Clause */
/* consoles.c - the guest's pty consoles: symlinks in the state dir, and
 * the store that tells xl console where they are. */
#include "consoles.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

void consoles_init(struct consoles *c)
{
	c->links = c->targets = NULL;
	c->n = 0;
}

/* A symlink at link is ours (the guest's lock says so): a crashed
 * mmiod's is replaced. symlink() itself never follows or replaces what
 * is there, so a file planted in between is refused, not overwritten. */
static int make_link(const char *link, const char *target,
		     struct owned_files *of)
{
	struct stat st;

	if (lstat(link, &st) == 0) {
		if (!S_ISLNK(st.st_mode)) {
			errno = EEXIST;
			return -1;
		}
		if (unlink(link))
			return -1;
	}
	if (owned_files_note(of, link)) {
		errno = ENOMEM;
		return -1;
	}
	return symlink(target, link);
}

static int publish_one(struct consoles *c, size_t i, const char *dir,
		       const char *guest, const char *pty,
		       struct owned_files *of,
		       const struct console_store *store)
{
	char link[PATH_MAX];
	const char *published = pty;
	int rc = -1;

	errno = ENAMETOOLONG;
	if (snprintf(link, sizeof(link), "%s/%s.uart%zu", dir, guest, i) <
	    (int)sizeof(link))
		rc = make_link(link, pty, of);
	if (rc == 0) {
		c->links[i] = strdup(link);
		c->targets[i] = strdup(pty);
		if (!c->links[i] || !c->targets[i])
			return -1;
		published = link;
	} else if (errno == ENOMEM) {
		return -1;
	} else {
		log_warn("cannot link %s/%s.uart%zu to %s: %s", dir, guest, i,
			 pty, strerror(errno));
	}
	if (store && store->publish &&
	    store->publish(store->ctx, (unsigned)i, published))
		log_error("cannot tell xl console that serial %zu is %s: %s", i,
			  published, strerror(errno));
	return 0;
}

int consoles_publish(struct consoles *c, const char *dir, const char *guest,
		     const char *const *ptys, size_t n, struct owned_files *of,
		     const struct console_store *store)
{
	c->links = calloc(n + 1, sizeof(*c->links));
	c->targets = calloc(n + 1, sizeof(*c->targets));
	if (!c->links || !c->targets)
		goto nomem;
	c->n = n;
	for (size_t i = 0; i < n; i++)
		if (publish_one(c, i, dir, guest, ptys[i], of, store))
			goto nomem;
	return 0;
nomem:
	log_error("out of memory");
	return -1;
}

/* Still pointing to our pty: then it is the link we made. */
static bool still_ours(const char *link, const char *target)
{
	char seen[PATH_MAX];
	ssize_t len = readlink(link, seen, sizeof(seen) - 1);

	if (len < 0)
		return false;
	seen[len] = '\0';
	return strcmp(seen, target) == 0;
}

void consoles_remove(struct consoles *c)
{
	/* links and targets exist whenever n > 0. */
	for (size_t i = 0; i < c->n; i++) {
		if (c->links[i] && c->targets[i] &&
		    still_ours(c->links[i], c->targets[i]) &&
		    unlink(c->links[i]))
			log_warn("cannot remove %s: %s", c->links[i],
				 strerror(errno));
		free(c->links[i]);
		free(c->targets[i]);
	}
	free(c->links);
	free(c->targets);
	consoles_init(c);
}
