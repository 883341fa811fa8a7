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
#include "text.h"

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
    char raw[4096], line[2048];
    size_t head, body;
    va_list ap;

    if ((int)level < 0 || level > OMKT_LOG_DEBUG)
        level = OMKT_LOG_ERR;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    if (use_syslog) {
        (void)omkt_text_copy(line, sizeof(line), raw); /* cut: fine */
        syslog(syslog_prio[level], "%s: %s", level_names[level], line);
        return;
    }
    head = (size_t)snprintf(line, sizeof(line), "%s[%ld]: %s: ", prog_name,
                            (long)getpid(), level_names[level]);
    if (head > sizeof(line) / 2)
        head = sizeof(line) / 2;
    /* Valid UTF-8 cut at a character boundary, room left for the '\n'. */
    (void)omkt_text_copy(line + head, sizeof(line) - head - 1, raw);
    body = strlen(line + head);
    line[head + body] = '\n';
    (void)!write(log_fd, line, head + body + 1); /* best effort */
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
