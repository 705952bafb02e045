/* SPDX-License-Identifier: BSD-2-Clause */
/* owned_files.c - hand the files mmiod created to user=. */
#include "owned_files.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

void owned_files_init(struct owned_files *of)
{
	of->paths = NULL;
	of->n = 0;
}

int owned_files_note(struct owned_files *of, const char *path)
{
	struct stat st;
	char **grown;

	if (lstat(path, &st) == 0 || errno != ENOENT)
		return 0;
	grown = realloc(of->paths, (of->n + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	of->paths = grown;
	of->paths[of->n] = strdup(path);
	if (!of->paths[of->n])
		return -1;
	of->n++;
	return 0;
}

/* The file a region's device creates and writes, or NULL. */
static const char *created_file(const struct config_region *r)
{
	const char *backend = config_region_param(r, "backend");

	if (!strcmp(r->type, "ram") || !strcmp(r->type, "trace"))
		return config_region_param(r, "file");
	if (!strcmp(r->type, "uart16550") && backend &&
	    !strcmp(backend, "file"))
		return config_region_param(r, "path");
	return NULL;
}

int owned_files_note_config(struct owned_files *of,
			    const struct mmiod_config *cfg)
{
	for (size_t i = 0; i < cfg->nregions; i++) {
		const char *path = created_file(&cfg->regions[i]);

		if (path && owned_files_note(of, path))
			return -1;
	}
	return 0;
}

int owned_files_give(const struct owned_files *of, const char *user)
{
	struct passwd *pw;
	int rc = 0;

	if (!user || geteuid() != 0 || !of->n)
		return 0;
	pw = getpwnam(user);
	if (!pw) {
		log_error("user '%s' does not exist", user);
		return -1;
	}
	for (size_t i = 0; i < of->n; i++) {
		if (lchown(of->paths[i], pw->pw_uid, pw->pw_gid) == 0 ||
		    errno == ENOENT)
			continue;
		log_error("cannot give %s to user %s: %s", of->paths[i], user,
			  strerror(errno));
		rc = -1;
	}
	return rc;
}

void owned_files_free(struct owned_files *of)
{
	for (size_t i = 0; i < of->n; i++)
		free(of->paths[i]);
	free(of->paths);
	owned_files_init(of);
}
