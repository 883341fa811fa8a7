/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log - stderr/syslog/file logging.
 *
 * DESIGN: records are formatted into a stack buffer and written with one
 * write(2) so lines from several threads never interleave.  The file
 * descriptor is swapped atomically by reopen (dup2 onto the old number).
 * Lines that go to a file (or to a stderr that is not journald's) carry
 * an ISO 8601 UTC timestamp and the host; journald and syslog stamp
 * their own.  A record identical to the previous one (level and text)
 * within OMKT_LOG_REPEAT_MS is counted, not written: the next other
 * record, or the same one once the window has passed, is preceded by
 * "last message repeated N times".  The repeat state is under one mutex.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "text.h"

int omkt_log_threshold = OMKT_LOG_INFO;

static char prog_name[64] = "omkt";
static char host_name[64] = "localhost";
static char file_path[1024];
static bool use_syslog;
static bool has_stamp; /* timestamp and host on each line */
static int log_fd = STDERR_FILENO;

/* The previous record, to count repeats of it. */
static struct {
    pthread_mutex_t lock;
    uint64_t hash;    /* of level and text; 0: none yet */
    int64_t since_ms; /* when it was last written */
    unsigned repeats; /* identical records not written since */
    int level;
} last = {.lock = PTHREAD_MUTEX_INITIALIZER};

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

/* stamp - "2026-12-02T13:20:01.123Z host " into @buf (@size > 0). */
static size_t stamp(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    char day[32];
    int n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    n = snprintf(buf, size, "%s.%03ldZ %s ", day, ts.tv_nsec / 1000000,
                 host_name);
    return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}

/* emit - write one record of @level with text @raw. */
static void emit(int level, const char *raw)
{
    char line[2048];
    size_t head = 0, body;

    if (use_syslog) {
        (void)omkt_text_copy(line, sizeof(line), raw); /* cut: fine */
        syslog(syslog_prio[level], "%s: %s", level_names[level], line);
        return;
    }
    if (has_stamp)
        head = stamp(line, sizeof(line) / 2);
    head += (size_t)snprintf(line + head, sizeof(line) - head,
                             "%s[%ld]: %s: ", prog_name, (long)getpid(),
                             level_names[level]);
    if (head > sizeof(line) / 2)
        head = sizeof(line) / 2;
    /* Valid UTF-8 cut at a character boundary, room left for the '\n'. */
    (void)omkt_text_copy(line + head, sizeof(line) - head - 1, raw);
    body = strlen(line + head);
    line[head + body] = '\n';
    (void)!write(log_fd, line, head + body + 1); /* best effort */
}

/* hash_of - FNV-1a of @level and @raw, never 0. */
static uint64_t hash_of(int level, const char *raw)
{
    uint64_t h = 14695981039346656037ULL ^ (uint64_t)level;

    for (const unsigned char *p = (const unsigned char *)raw; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h != 0 ? h : 1;
}

/* now_ms - monotonic milliseconds. */
static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void omkt_log_write(enum omkt_log_level level, const char *fmt, ...)
{
    char raw[4096], note[64];
    uint64_t h;
    int64_t now = now_ms();
    va_list ap;

    if ((int)level < 0 || level > OMKT_LOG_DEBUG)
        level = OMKT_LOG_ERR;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    h = hash_of((int)level, raw);
    pthread_mutex_lock(&last.lock);
    if (h == last.hash && now - last.since_ms < OMKT_LOG_REPEAT_MS) {
        last.repeats++;
        pthread_mutex_unlock(&last.lock);
        return;
    }
    if (last.repeats > 0) {
        snprintf(note, sizeof(note), "last message repeated %u times",
                 last.repeats);
        emit(last.level, note);
    }
    emit((int)level, raw);
    last.hash = h;
    last.since_ms = now;
    last.repeats = 0;
    last.level = (int)level;
    pthread_mutex_unlock(&last.lock);
}

/* is_journal - @fd is the stream systemd gave us to journald
 * ($JOURNAL_STREAM is "DEVICE:INODE" of it). */
static bool is_journal(int fd)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;

    return js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
           fstat(fd, &st) == 0 && (unsigned long long)st.st_dev == dev &&
           (unsigned long long)st.st_ino == ino;
}

int omkt_log_open(const char *prog, const char *target)
{
    snprintf(prog_name, sizeof(prog_name), "%s", prog);
    if (gethostname(host_name, sizeof(host_name)) != 0)
        snprintf(host_name, sizeof(host_name), "localhost");
    host_name[sizeof(host_name) - 1] = '\0';
    has_stamp = true;
    if (target == NULL || strcmp(target, "stderr") == 0) {
        use_syslog = false;
        log_fd = STDERR_FILENO;
        has_stamp = !is_journal(STDERR_FILENO);
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
