/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log - stderr/syslog/file logging.
 *
 * DESIGN: records are formatted into a stack buffer and written with one
 * write(2) so lines from several threads never interleave.  The file
 * descriptor is swapped atomically by reopen (dup2 onto the old number).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

int omkt_log_threshold = OMKT_LOG_INFO;

static char prog_name[64] = "omkt";
static char file_path[1024];
static bool use_syslog;
static int log_fd = STDERR_FILENO;

static const char *const level_names[] = {"err", "warn", "notice", "info",
                                          "debug"};
static const int syslog_prio[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO,
                                  LOG_DEBUG};

int omkt_log_level_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (strcmp(name, level_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *omkt_log_prog(void)
{
    return prog_name;
}

void omkt_log_write(enum omkt_log_level level, const char *fmt, ...)
{
    char line[2048];
    int head;
    int body;
    va_list ap;

    if ((int)level < 0 || level > OMKT_LOG_DEBUG)
        level = OMKT_LOG_ERR;
    va_start(ap, fmt);
    if (use_syslog) {
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        syslog(syslog_prio[level], "%s: %s", level_names[level], line);
        return;
    }
    head = snprintf(line, sizeof(line), "%s[%ld]: %s: ", prog_name,
                    (long)getpid(), level_names[level]);
    body = vsnprintf(line + head, sizeof(line) - (size_t)head - 1, fmt, ap);
    va_end(ap);
    if (body < 0)
        body = 0;
    if ((size_t)(head + body) > sizeof(line) - 2)
        body = (int)sizeof(line) - 2 - head;
    line[head + body] = '\n';
    (void)!write(log_fd, line, (size_t)(head + body + 1)); /* best effort */
}

int omkt_log_open(const char *prog, const char *target)
{
    snprintf(prog_name, sizeof(prog_name), "%s", prog);
    if (target == NULL || strcmp(target, "stderr") == 0) {
        use_syslog = false;
        log_fd = STDERR_FILENO;
        return OMKT_OK;
    }
    if (strcmp(target, "syslog") == 0) {
        use_syslog = true;
        openlog(prog_name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
        return OMKT_OK;
    }
    snprintf(file_path, sizeof(file_path), "%s", target);
    log_fd = open(file_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (log_fd < 0) {
        log_fd = STDERR_FILENO;
        return OMKT_EIO;
    }
    return OMKT_OK;
}

void omkt_log_reopen(void)
{
    int fd;

    if (use_syslog || file_path[0] == '\0')
        return;
    fd = open(file_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        omkt_log(OMKT_LOG_WARN, "reopen %s: %s", file_path,
                 omkt_errno_str(errno));
        return;
    }
    dup2(fd, log_fd);
    close(fd);
}
