/* SPDX-License-Identifier: BSD-2-Clause */
/* log.c - leveled, rate-limited logging to stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static atomic_int current_level = LOG_LEVEL_INFO;
static const char *ident = "mmiod";

static const char *const level_names[] = {"error", "warn", "info", "debug"};
/* sd-daemon(3) priority prefixes, which journald turns into the line's
 * priority: err, warning, info, debug. */
static const char *const journal_prefixes[] = {"<3>", "<4>", "<6>", "<7>"};

static bool stderr_is_journal;

/* systemd sets JOURNAL_STREAM=DEV:INODE for the stream it connected to
 * stdout/stderr; a redirected stderr is another file and stays plain.
 * Checked once at start-up, so that a signal handler can rely on it. */
__attribute__((constructor)) static void detect_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	stderr_is_journal = env && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
			    fstat(STDERR_FILENO, &st) == 0 &&
			    (unsigned long long)st.st_dev == dev &&
			    (unsigned long long)st.st_ino == ino;
}

void log_set_level(enum log_level level)
{
	atomic_store(&current_level, level);
}

enum log_level log_get_level(void)
{
	return atomic_load(&current_level);
}

void log_set_ident(const char *name)
{
	ident = name;
}

int log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	     i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	/* One fprintf per line so that concurrent threads don't interleave. */
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	fprintf(stderr, "%s%s: %s: %s\n",
		stderr_is_journal ? journal_prefixes[level] : "", ident,
		level_names[level], line);
}

static size_t append(char *line, size_t len, size_t cap, const char *text)
{
	while (*text && len < cap)
		line[len++] = *text++;
	return len;
}

void log_signal_safe(enum log_level level, const char *const *parts,
		     size_t nparts)
{
	char line[1024];
	size_t cap = sizeof(line) - 1; /* room for the newline */
	size_t len = 0;

	if (stderr_is_journal)
		len = append(line, len, cap, journal_prefixes[level]);
	len = append(line, len, cap, ident);
	len = append(line, len, cap, ": ");
	len = append(line, len, cap, level_names[level]);
	len = append(line, len, cap, ": ");
	for (size_t i = 0; i < nparts; i++)
		len = append(line, len, cap, parts[i]);
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0)
		return; /* nowhere left to say it */
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_get_level())
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static uint64_t monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

void log_ratelimited(struct log_ratelimit *rl, enum log_level level,
		     const char *fmt, ...)
{
	uint64_t now = monotonic_seconds();
	uint64_t start = atomic_load(&rl->window_start_s);
	va_list ap;

	if (level > log_get_level())
		return;
	/* The thread that moves the window reports what the old one hid. */
	if (now - start >= LOG_INTERVAL_S &&
	    atomic_compare_exchange_strong(&rl->window_start_s, &start, now)) {
		unsigned hidden = atomic_exchange(&rl->suppressed, 0);

		atomic_store(&rl->printed, 0);
		if (hidden)
			log_msg(level, "%u similar messages suppressed",
				hidden);
	}
	if (atomic_fetch_add(&rl->printed, 1) >= LOG_BURST) {
		atomic_fetch_add(&rl->suppressed, 1);
		return;
	}
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}
