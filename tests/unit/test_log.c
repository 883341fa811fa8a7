/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_log - the line format (timestamp and host on file lines, none for
 * journald) and the counting of repeated records (common/log). */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "omkt_test.h"

/* read_lines - the file @path, split in place into at most @max lines. */
static size_t read_lines(const char *path, char *buf, size_t size, char **lines,
                         size_t max)
{
    FILE *f = fopen(path, "r");
    size_t n = 0, len;

    if (f == NULL)
        return 0;
    len = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[len] = '\0';
    for (char *p = buf; *p != '\0' && n < max; n++) {
        char *nl = strchr(p, '\n');

        lines[n] = p;
        if (nl == NULL)
            return n + 1;
        *nl = '\0';
        p = nl + 1;
    }
    return n;
}

/* matches - @s matches the extended regex @re. */
static bool matches(const char *s, const char *re)
{
    regex_t rx;
    bool ok;

    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    ok = regexec(&rx, s, 0, NULL, 0) == 0;
    regfree(&rx);
    return ok;
}

static void test_file_format_and_repeats(const char *dir)
{
    char path[512], buf[4096], *lines[16];
    size_t n;
    const char *stamp = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
                        "[0-9]{2}\\.[0-9]{3}Z [^ ]+ tlog\\[[0-9]+\\]: ";

    snprintf(path, sizeof(path), "%s/file.log", dir);
    OMKT_CHECK_INT(omkt_log_open("tlog", path), OMKT_OK, "open file");
    omkt_log(OMKT_LOG_WARN, "database: reconnecting");
    for (int i = 0; i < 99; i++)
        omkt_log(OMKT_LOG_WARN, "database: reconnecting");
    omkt_log(OMKT_LOG_ERR, "database: reconnecting"); /* other level */
    omkt_log(OMKT_LOG_INFO, "database: connected");
    n = read_lines(path, buf, sizeof(buf), lines, 16);
    OMKT_CHECK_INT((int)n, 4, "100 identical records + 2 others: 4 lines");
    if (n != 4)
        return;
    OMKT_CHECK(matches(lines[0], stamp), "stamped: %s", lines[0]);
    OMKT_CHECK(matches(lines[0], "warn: database: reconnecting$"), "first: %s",
               lines[0]);
    OMKT_CHECK(matches(lines[1], "warn: last message repeated 99 times$"),
               "count: %s", lines[1]);
    OMKT_CHECK(matches(lines[2], "err: database: reconnecting$"),
               "another level is another record: %s", lines[2]);
    OMKT_CHECK(matches(lines[3], "info: database: connected$"), "next: %s",
               lines[3]);
}

/* test_journal - stderr that is journald's stream gets no stamp. */
static void test_journal(const char *dir)
{
    char path[512], env[64], buf[4096], *lines[4];
    struct stat st;
    FILE *f;
    int saved = dup(STDERR_FILENO);

    snprintf(path, sizeof(path), "%s/journal.log", dir);
    f = fopen(path, "w");
    if (f == NULL || saved < 0 || fstat(fileno(f), &st) != 0) {
        OMKT_CHECK(false, "set up %s", path);
        return;
    }
    dup2(fileno(f), STDERR_FILENO);
    snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    setenv("JOURNAL_STREAM", env, 1);
    omkt_log_open("tlog", "stderr");
    omkt_log(OMKT_LOG_NOTICE, "to the journal");
    setenv("JOURNAL_STREAM", "1:2", 1); /* some other stream */
    omkt_log_open("tlog", "stderr");
    omkt_log(OMKT_LOG_NOTICE, "to a redirected stderr");
    unsetenv("JOURNAL_STREAM");
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(f);
    OMKT_CHECK_INT((int)read_lines(path, buf, sizeof(buf), lines, 4), 2,
                   "two lines");
    OMKT_CHECK(matches(lines[0], "^tlog\\[[0-9]+\\]: notice: to the journal$"),
               "journald: no stamp: %s", lines[0]);
    OMKT_CHECK(matches(lines[1], "^[0-9]{4}-.* tlog\\[[0-9]+\\]: notice: to a "
                                 "redirected stderr$"),
               "plain stderr: stamped: %s", lines[1]);
}

int main(void)
{
    char dir[] = "/tmp/omkt-test-log.XXXXXX";

    if (mkdtemp(dir) == NULL)
        return 1;
    test_file_format_and_repeats(dir);
    test_journal(dir);
    for (const char *const *f =
             (const char *const[]){"file.log", "journal.log", NULL};
         *f != NULL; f++) {
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", dir, *f);
        unlink(path);
    }
    rmdir(dir);
    return omkt_test_done();
}
