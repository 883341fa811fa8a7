/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_helpers - the small pure helpers of the common library: setting
 * id lists, temp names and their cleanup, adapter lists, task and log
 * level names, error names.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/db_accounts.h"
#include "common/db_jobs.h"
#include "common/fsops.h"
#include "common/log.h"
#include "common/jobflow.h"
#include "common/ticker.h"
#include "omkt_test.h"

static void test_parse_ids(void)
{
    static const struct {
        const char *in;
        int n;
        int first;
    } c[] = {
        {"11", 1, 11},     {"11,15,101", 3, 11}, {" 12 , 13", 2, 12},
        {"", 0, 0},        {"11,", -1, 0},       {",11", -1, 0},
        {"11,,12", -1, 0}, {"x", -1, 0},         {"-3", -1, 0},
        {"0", -1, 0},      {"1,2,3,4,5", -1, 0}, /* more than max (4) */
    };

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        int ids[4] = {0};
        int n = omkt_jobflow_parse_ids(c[i].in, ids, 4);

        OMKT_CHECK_INT(n, c[i].n, "ids '%s' count", c[i].in);
        if (n > 0)
            OMKT_CHECK_INT(ids[0], c[i].first, "ids '%s' first", c[i].in);
    }
    OMKT_CHECK_INT(omkt_jobflow_parse_ids(NULL, NULL, 0), -1, "NULL list");
}

static void touch(const char *dir, const char *name)
{
    char path[OMKT_PATH_MAX];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    if (fd >= 0)
        close(fd);
}

static void test_tmp_files(void)
{
    char dir[] = "/tmp/omkt-helpers-XXXXXX";
    char buf[OMKT_PATH_MAX], tag[128], path[OMKT_PATH_MAX];
    unsigned n = 0;

    OMKT_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    omkt_fs_set_hostname("hostA");
    OMKT_CHECK_INT(omkt_fs_tmptag(tag, sizeof(tag), 42), OMKT_OK, "tag");
    snprintf(buf, sizeof(buf), "42-hostA-%ld", (long)getpid());
    OMKT_CHECK_STR(tag, buf, "tag is JOB-HOST-PID");
    OMKT_CHECK_INT(omkt_fs_tmpname(path, sizeof(path), dir, "11.mp4", tag),
                   OMKT_OK, "tmpname");
    snprintf(buf, sizeof(buf), "%s/.11.mp4.tmp-%s", dir, tag);
    OMKT_CHECK_STR(path, buf, "tmpname shape");
    OMKT_CHECK_INT(omkt_fs_tmptag(tag, 4, 42), OMKT_ETOOBIG, "tag too long");
    touch(dir, ".11.mp4.tmp-42-hostA-1");
    touch(dir, ".101_01.jpg.tmp-42-hostB-7");
    touch(dir, ".11.mp4.tmp-420-hostA-1"); /* job 420, not 42 */
    touch(dir, "11.mp4");                  /* a published output */
    touch(dir, ".original.part-42");       /* job 42's resumable partial */
    touch(dir, ".original.part-420");
    OMKT_CHECK_INT(omkt_fs_remove_job_tmp(dir, 42, false, &n), OMKT_OK,
                   "remove");
    OMKT_CHECK_INT(n, 2, "only job 42's temp files removed");
    snprintf(path, sizeof(path), "%s/.original.part-42", dir);
    OMKT_CHECK(access(path, F_OK) == 0, "partial kept for the next attempt");
    OMKT_CHECK_INT(omkt_fs_remove_job_tmp(dir, 42, true, &n), OMKT_OK,
                   "remove, failed for good");
    OMKT_CHECK(n == 1 && access(path, F_OK) != 0, "then its partial goes");
    OMKT_CHECK_INT(omkt_fs_partname(path, sizeof(path), dir, "original", 42),
                   OMKT_OK, "partname");
    snprintf(buf, sizeof(buf), "%s/.original.part-42", dir);
    OMKT_CHECK_STR(path, buf, "partname shape");
    snprintf(path, sizeof(path), "%s/.original.part-420", dir);
    OMKT_CHECK(access(path, F_OK) == 0, "job 420's partial kept");
    unlink(path);
    snprintf(path, sizeof(path), "%s/11.mp4", dir);
    OMKT_CHECK(access(path, F_OK) == 0, "output kept");
    snprintf(path, sizeof(path), "%s/.11.mp4.tmp-420-hostA-1", dir);
    OMKT_CHECK(access(path, F_OK) == 0, "other job's temp kept");
    OMKT_CHECK_INT(omkt_fs_remove_job_tmp("/nonexistent/x", 1, true, &n),
                   OMKT_OK, "missing dir is fine");
    unlink(path);
    snprintf(path, sizeof(path), "%s/11.mp4", dir);
    unlink(path);
    rmdir(dir);
}

/* write_bytes - @n bytes of a pattern into @path; true on success. */
static bool write_bytes(const char *path, size_t n)
{
    FILE *f = fopen(path, "wb");

    for (size_t i = 0; f != NULL && i < n; i++)
        fputc((int)(i * 7 % 251), f);
    return f != NULL && fclose(f) == 0;
}

/* same_bytes - @a and @b have the same content. */
static bool same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    bool is_same = fa != NULL && fb != NULL;
    int ca = 0, cb = 0;

    while (is_same && ca != EOF) {
        ca = fgetc(fa);
        cb = fgetc(fb);
        is_same = ca == cb;
    }
    if (fa != NULL)
        fclose(fa);
    if (fb != NULL)
        fclose(fb);
    return is_same;
}

/* remove_all - @n paths under @dir (files, then emptied dirs), and @dir. */
static void remove_all(const char *dir, const char **paths, size_t n)
{
    char p[300];

    for (size_t i = 0; i < n; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, paths[i]);
        if (unlink(p) != 0)
            (void)rmdir(p);
    }
    OMKT_CHECK(rmdir(dir) == 0, "%s emptied and removed", dir);
}

/* test_publish_copy - a hard link on one filesystem, a copy on another
 * (/dev/shm is tmpfs), no temp file left, bad targets refused. */
static void test_publish_copy(void)
{
    char dir[] = "/tmp/omkt-pub-XXXXXX", shm[] = "/dev/shm/omkt-pub-XXXXXX";
    char src[300], dst[300], far[300];
    struct omkt_errbuf eb = {0};
    struct stat a, b;

    OMKT_CHECK(mkdtemp(dir) != NULL && mkdtemp(shm) != NULL, "mkdtemp");
    snprintf(src, sizeof(src), "%s/out.mp4", dir);
    snprintf(dst, sizeof(dst), "%s/x/y/dest.mp4", dir);
    snprintf(far, sizeof(far), "%s/z/dest.mp4", shm);
    OMKT_CHECK(write_bytes(src, 300000), "source written");
    OMKT_CHECK_INT(omkt_fs_publish_copy(src, dst, "1-h-2", &eb), OMKT_OK,
                   "same filesystem: %s", eb.msg);
    OMKT_CHECK(stat(src, &a) == 0 && stat(dst, &b) == 0 && a.st_ino == b.st_ino,
               "a hard link");
    OMKT_CHECK_INT(omkt_fs_publish_copy(src, dst, "1-h-2", &eb), OMKT_OK,
                   "again: replaced");
    OMKT_CHECK_INT(omkt_fs_publish_copy(src, far, "1-h-2", &eb), OMKT_OK,
                   "other filesystem: %s", eb.msg);
    OMKT_CHECK(stat(far, &b) == 0 && b.st_size == 300000 &&
                   same_bytes(src, far),
               "a full copy");
    snprintf(dst, sizeof(dst), "%s/z/.dest.mp4.tmp-1-h-2", shm);
    OMKT_CHECK(access(dst, F_OK) != 0, "no temp file left");
    OMKT_CHECK_INT(omkt_fs_publish_copy(src, "relative.mp4", "t", &eb),
                   OMKT_EINVAL, "relative target refused");
    snprintf(dst, sizeof(dst), "%s/missing", dir);
    snprintf(far, sizeof(far), "%s/q.mp4", shm);
    OMKT_CHECK(omkt_fs_publish_copy(dst, far, "t", &eb) != OMKT_OK &&
                   access(far, F_OK) != 0,
               "missing source: error, nothing made");
    remove_all(dir, (const char *[]){"x/y/dest.mp4", "x/y", "x", "out.mp4"}, 4);
    remove_all(shm, (const char *[]){"z/dest.mp4", "z"}, 2);
}

struct ticks {
    atomic_int n;
    atomic_int n_last;
};

static void count_tick(void *ctx, bool is_last)
{
    struct ticks *k = ctx;

    atomic_fetch_add(&k->n, 1);
    if (is_last)
        atomic_fetch_add(&k->n_last, 1);
}

/* test_ticker - periodic ticks, a poke ticks at once, one last tick. */
static void test_ticker(void)
{
    struct omkt_ticker t = {0};
    struct ticks k = {0};
    struct timespec d = {0, 20 * 1000000L};

    OMKT_CHECK_INT(omkt_ticker_start(&t, 60000, count_tick, &k), OMKT_OK,
                   "started");
    for (int i = 0; i < 100 && atomic_load(&k.n) < 1; i++) {
        omkt_ticker_poke(&t);
        nanosleep(&d, NULL);
    }
    OMKT_CHECK(atomic_load(&k.n) >= 1, "a poke ticks before the period");
    omkt_ticker_stop(&t);
    OMKT_CHECK_INT(atomic_load(&k.n_last), 1, "one last tick at stop");
    omkt_ticker_stop(&t); /* idempotent */
    k.n = 0;
    OMKT_CHECK_INT(omkt_ticker_start(&t, 10, count_tick, &k), OMKT_OK,
                   "started again");
    for (int i = 0; i < 100 && atomic_load(&k.n) < 3; i++)
        nanosleep(&d, NULL);
    OMKT_CHECK(atomic_load(&k.n) >= 3, "ticks every period");
    omkt_ticker_stop(&t);
}

static void test_adapters(void)
{
    struct omkt_account a = {.adapters = "http, local"};

    OMKT_CHECK(omkt_account_allows(&a, "http"), "http allowed");
    OMKT_CHECK(omkt_account_allows(&a, "local"), "local allowed");
    OMKT_CHECK(!omkt_account_allows(&a, "loc"), "prefix not allowed");
    OMKT_CHECK(!omkt_account_allows(&a, "s3"), "other not allowed");
    a.adapters = "";
    OMKT_CHECK(!omkt_account_allows(&a, "http"), "empty list");
}

static void test_names(void)
{
    enum omkt_task t;

    for (int i = OMKT_TASK_DOWNLOAD; i <= OMKT_TASK_TEST; i++) {
        OMKT_CHECK_INT(omkt_task_parse(omkt_task_name((enum omkt_task)i), &t),
                       OMKT_OK, "task %d round trip", i);
        OMKT_CHECK_INT(t, i, "task %d", i);
    }
    OMKT_CHECK_INT(omkt_task_parse("nope", &t), OMKT_EINVAL, "unknown task");
    OMKT_CHECK_INT(omkt_log_level_parse("warn"), OMKT_LOG_WARN, "warn");
    OMKT_CHECK_INT(omkt_log_level_parse("loud"), -1, "unknown level");
    for (int e = 0; e >= OMKT_ETIMEOUT; e--)
        OMKT_CHECK(strcmp(omkt_strerror(e), "unknown error") != 0,
                   "error %d has a name", e);
    OMKT_CHECK_STR(omkt_strerror(-999), "unknown error", "unknown code");
}

int main(void)
{
    test_parse_ids();
    test_tmp_files();
    test_publish_copy();
    test_ticker();
    test_adapters();
    test_names();
    return omkt_test_done();
}
