/* SPDX-License-Identifier: BSD-2-Clause */
/* notify.h - telling the service manager how we are (sd_notify(3)'s
 * protocol). Thread-safe. */
#ifndef MMIOD_NOTIFY_H
#define MMIOD_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* Sends the newline-separated assignments (printf format) as one
 * datagram to $NOTIFY_SOCKET. 0 when sent or when nobody listens (no
 * NOTIFY_SOCKET), -1 on failure. */
int notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether the service manager wants watchdog pings (WATCHDOG_USEC set
 * and WATCHDOG_PID, if set, naming us), and how often at least. */
bool notify_watchdog(uint64_t *usec);

#endif
