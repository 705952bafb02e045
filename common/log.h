/* SPDX-License-Identifier: BSD-2-Clause */
/* log.h - leveled logging to stderr with one prefix format.
 *
 * Lines go to stderr (journald adds the timestamp under systemd) as
 * "IDENT: LEVEL: message", IDENT being "mmiod" or, once log_set_ident()
 * names it, the guest served. When stderr is the journal (systemd's
 * JOURNAL_STREAM names it), each line starts with its sd-daemon
 * priority, "<3>" for errors to "<7>" for debug, so that journalctl -p
 * filters it. log_ratelimited() is for anything a guest can trigger: it
 * prints at most LOG_BURST lines per LOG_INTERVAL_S seconds per call
 * site and then one line saying how many were suppressed.
 * All functions are thread-safe.
 */
#ifndef MMIOD_LOG_H
#define MMIOD_LOG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

#define LOG_BURST 10
#define LOG_INTERVAL_S 5

/* Per-call-site state of log_ratelimited(); static storage, zeroed. */
struct log_ratelimit {
	_Atomic uint64_t window_start_s;
	atomic_uint printed;
	atomic_uint suppressed;
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_set_ident(const char *ident);
/* Parses "error", "warn", "info" or "debug"; -1 when it is none of them. */
int log_level_parse(const char *name);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_ratelimited(struct log_ratelimit *rl, enum log_level level,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes the line "mmiod: LEVEL: " + parts with one write(2) and nothing
 * else, whatever the log level: for signal handlers. */
void log_signal_safe(enum log_level level, const char *const *parts,
		     size_t nparts);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                         \
	do {                                                   \
		if (log_get_level() >= LOG_LEVEL_DEBUG)        \
			log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__); \
	} while (0)

/* Guest-triggered warning, rate limited per call site. */
#define log_guest(...)                                                  \
	do {                                                            \
		static struct log_ratelimit log_rl_;                    \
		log_ratelimited(&log_rl_, LOG_LEVEL_WARN, __VA_ARGS__); \
	} while (0)

#endif
