/* confine.h - give up what serving doesn't need: root, and every system
 * call outside a short list. */
#ifndef MMIOD_CONFINE_H
#define MMIOD_CONFINE_H

#include <stdbool.h>

/* Switches to user (and its group), dropping supplementary groups. */
int confine_drop_privileges(const char *user);
/* Installs a seccomp filter on every thread of the process: system calls
 * outside the list serving needs kill the process. */
int confine_seccomp(void);
/* Both, as configured: user (if root) and the filter (if seccomp). */
int confine(const char *user, bool seccomp);

#endif
