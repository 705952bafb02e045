/* SPDX-License-Identifier: BSD-2-Clause */
/* confine.h - give up what serving doesn't need: root, and every system
 * call outside a short list. */
#ifndef MMIOD_CONFINE_H
#define MMIOD_CONFINE_H

#include <stdbool.h>

/* Switches to user (and its group), dropping supplementary groups. */
int confine_drop_privileges(const char *user);
/* Installs a seccomp filter on every thread of the process: a system call
 * outside the list serving needs is not made; mmiod logs its name and the
 * device (plugin) that made it, then exits with status 1. */
int confine_seccomp(void);
/* Both, as configured: user (if root) and the filter (if seccomp). */
int confine(const char *user, bool seccomp);

#endif
