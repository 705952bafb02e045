/* SPDX-License-Identifier: BSD-2-Clause */
/* testutil.h - helpers shared by the Check suites. */
#ifndef MMIOD_TESTUTIL_H
#define MMIOD_TESTUTIL_H

#include <check.h>

/* Runs s, prints Check's summary, returns the process exit status. */
int run_suite(Suite *s);

/* Writes text to a new file in a private temporary directory and returns
 * its path (static storage, valid until the next call). */
const char *write_temp_file(const char *name, const char *text);

/* A fresh path in the private temporary directory (nothing created). */
const char *temp_path(const char *name);

/* Runs the rest of main() as PID 1 of a new PID namespace (with its own
 * /proc), so that a test which signals pids can reach no process of the
 * machine; the caller's process waits and exits with the child's status.
 * Exits 77 (skipped) where namespaces can't be made. */
void enter_pid_namespace(void);

#endif
