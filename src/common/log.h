/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log - one-line log records:
 *   "2026-12-02T13:20:01.123Z host prog[pid]: level: msg"
 * to a file, or to stderr when it is not journald's; "prog[pid]: level:
 * msg" to journald (systemd's $JOURNAL_STREAM) and syslog, which stamp
 * their own.  Identical consecutive records within OMKT_LOG_REPEAT_MS are
 * counted and reported as one "last message repeated N times" line.
 *
 * Output goes to stderr, to syslog, or to a file that SIGHUP reopens.  The
 * omkt_log() macro tests the level before any formatting is done.  Settings are
 * process-global and set once at start-up (omkt_log_open) or on SIGHUP
 * (omkt_log_reopen).
 */
#ifndef OMKT_COMMON_LOG_H
#define OMKT_COMMON_LOG_H

#include <stdbool.h>

enum omkt_log_level {
    OMKT_LOG_ERR = 0,
    OMKT_LOG_WARN,
    OMKT_LOG_NOTICE,
    OMKT_LOG_INFO,
    OMKT_LOG_DEBUG,
};

#define OMKT_LOG_REPEAT_MS 10000

extern int omkt_log_threshold;

#define omkt_log(level, ...)                                                   \
    do {                                                                       \
        if ((int)(level) <= omkt_log_threshold)                                \
            omkt_log_write((level), __VA_ARGS__);                              \
    } while (0)

void omkt_log_write(enum omkt_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * omkt_log_open - log as @prog to @target: "stderr", "syslog" or a file
 * path.  Returns OMKT_OK or OMKT_EIO (the file cannot be opened).
 */
int omkt_log_open(const char *prog, const char *target);

/* omkt_log_reopen - reopen a file target (after logrotate). */
void omkt_log_reopen(void);

/* omkt_log_level_parse - "err".."debug" to a level; -1 when unknown. */
int omkt_log_level_parse(const char *name);

/* omkt_log_prog - the program name given to omkt_log_open. */
const char *omkt_log_prog(void);

#endif
