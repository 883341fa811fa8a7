/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_s3_ops - common/s3 against a real S3 server that checks SigV4
 * signatures (npm @20minutes/s3rver, started by tests/s3/test_s3.sh).
 * Skips (77) unless OMKT_S3_ENDPOINT is set.  Env: OMKT_S3_ENDPOINT,
 * OMKT_S3_BUCKET, OMKT_S3_DIR (scratch), OMKT_S3_PID (for "killmid").
 * Modes (argv[1]): none = every case; "killmid KEY" = the server is killed
 * after the first part of a multipart upload; "gone KEY" = KEY does not
 * exist (run after the restart); "bench FILE" = upload and download FILE,
 * printing throughput.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/parse.h"
#include "common/s3.h"
#include "common/s3cred.h"
#include "omkt_test.h"

#define PART       (5 << 20)
#define BAD_SECRET "WRONG-SECRET-4242"

static const char *endpoint, *bucket, *dir;

/* client - a path-style client for the test server. */
static struct omkt_s3 *client(const char *secret, int attempts)
{
    struct omkt_s3_config cfg = {.endpoint = endpoint,
                                 .region = "us-east-1",
                                 .addressing = OMKT_S3_PATH,
                                 .part_size = PART,
                                 .max_attempts = attempts,
                                 .backoff_ms = 20,
                                 .backoff_max_ms = 100,
                                 .lim.allow_private = true};
    struct omkt_s3_creds cr = {"S3RVER", (char *)secret, NULL};
    struct omkt_s3 *s3 = NULL;
    struct omkt_errbuf eb = {0};

    if (omkt_s3_new(&cfg, &cr, &s3, &eb) != OMKT_OK)
        printf("# client: %s\n", eb.msg);
    return s3;
}

/* fill - @n pseudo-random bytes (deterministic per @seed). */
static char *fill(size_t n, unsigned seed)
{
    char *b = omkt_xmalloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (char)(seed >> 16);
    }
    return b;
}

/* write_all - @n bytes into new file @path. */
static void write_all(const char *path, const char *b, size_t n)
{
    FILE *f = fopen(path, "w");

    if (f) {
        if (n > 0 && fwrite(b, 1, n, f) != n)
            printf("# short write %s\n", path);
        fclose(f);
    }
}

/* same_file - whether @path holds exactly @n bytes equal to @b. */
static bool same_file(const char *path, const char *b, size_t n)
{
    FILE *f = fopen(path, "r");
    char *got = omkt_xmalloc(n + 1);
    size_t r = f ? fread(got, 1, n + 1, f) : 0;
    bool ok = f && r == n && memcmp(got, b, n) == 0;

    if (f)
        fclose(f);
    free(got);
    return ok;
}

static char *tmp(const char *name)
{
    return omkt_xasprintf("%s/%s", dir, name);
}

/* test_basic - put, head, get, list, delete, then 404 (not retried). */
static void test_basic(struct omkt_s3 *s3, const char *key, size_t n)
{
    char *data = fill(n, (unsigned)n);
    char *path = tmp("basic.out");
    struct omkt_s3_object o;
    struct omkt_s3_list l;
    struct omkt_errbuf eb = {0};
    int req0;
    bool found = false;

    (void)unlink(path);
    OMKT_CHECK_INT(omkt_s3_put_buf(s3, bucket, key, data, n, &eb), OMKT_OK,
                   "put %s (%zu bytes): %s", key, n, eb.msg);
    OMKT_CHECK_INT(omkt_s3_head(s3, bucket, key, &o, &eb), OMKT_OK,
                   "head %s: %s", key, eb.msg);
    OMKT_CHECK_INT(o.size, n, "head size of %s", key);
    OMKT_CHECK_INT(strlen(o.etag), 32, "single-part ETag is an MD5: %s",
                   o.etag);
    OMKT_CHECK_INT(omkt_s3_get_file(s3, bucket, key, path, &o, &eb), OMKT_OK,
                   "get %s: %s", key, eb.msg);
    OMKT_CHECK(same_file(path, data, n), "content of %s", key);
    OMKT_CHECK_INT(omkt_s3_list(s3, bucket, key, NULL, 10, &l, &eb), OMKT_OK,
                   "list %s: %s", key, eb.msg);
    for (size_t i = 0; i < l.n; i++)
        found |= strcmp(l.v[i].key, key) == 0 && l.v[i].size == (int64_t)n;
    /* XXX: s3rver keeps objects as files: its listing shows "a//b" as
     * "a/b" (GET/HEAD/PUT/DELETE of "a//b" work and are checked). */
    OMKT_CHECK(found || strstr(key, "//"), "list finds %s with its size", key);
    omkt_s3_list_clear(&l);
    OMKT_CHECK_INT(omkt_s3_delete(s3, bucket, key, &eb), OMKT_OK,
                   "delete %s: %s", key, eb.msg);
    req0 = omkt_s3_stats(s3).requests;
    eb.retryable = false;
    OMKT_CHECK_INT(omkt_s3_get_file(s3, bucket, key, path, &o, &eb),
                   OMKT_ENOTFOUND, "deleted %s is a 404", key);
    OMKT_CHECK(!eb.retryable && strstr(eb.msg, "404"), "404 is permanent: %s",
               eb.msg);
    OMKT_CHECK_INT(omkt_s3_stats(s3).requests - req0, 1,
                   "a 404 is not retried");
    (void)unlink(path);
    free(path);
    free(data);
}

/* test_wrong_secret - a clear, permanent 403 that names no secret. */
static void test_wrong_secret(void)
{
    struct omkt_s3 *bad = client(BAD_SECRET, 3);
    struct omkt_errbuf eb = {0};

    OMKT_CHECK_INT(omkt_s3_put_buf(bad, bucket, "secret/x", "x", 1, &eb),
                   OMKT_EPERM, "wrong secret refused: %s", eb.msg);
    OMKT_CHECK(strstr(eb.msg, "403") && strstr(eb.msg, "SignatureDoesNotMatch"),
               "error says why: %s", eb.msg);
    OMKT_CHECK(strstr(eb.msg, BAD_SECRET) == NULL, "no secret in the error");
    OMKT_CHECK(!eb.retryable && omkt_s3_stats(bad).requests == 1,
               "not retried");
    omkt_s3_free(bad);
}

/* test_resume - a download that already holds a prefix fetches the rest;
 * a corrupt prefix is caught by the MD5 check and the retry starts over. */
static void test_resume(struct omkt_s3 *s3)
{
    size_t n = 3 << 20, have = 1 << 20;
    char *data = fill(n, 7);
    char *path = tmp("resume.out");
    struct omkt_errbuf eb = {0};
    struct omkt_s3_stats st0;
    int64_t down;

    OMKT_CHECK_INT(omkt_s3_put_buf(s3, bucket, "resume/obj", data, n, &eb),
                   OMKT_OK, "put resume/obj: %s", eb.msg);
    write_all(path, data, have);
    st0 = omkt_s3_stats(s3);
    OMKT_CHECK_INT(omkt_s3_get_file(s3, bucket, "resume/obj", path, NULL, &eb),
                   OMKT_OK, "resumed get: %s", eb.msg);
    down = omkt_s3_stats(s3).bytes_down - st0.bytes_down;
    OMKT_CHECK(same_file(path, data, n), "resumed content");
    OMKT_CHECK(down >= (int64_t)(n - have) && down < (int64_t)(n - have) + 4096,
               "only the missing %zu bytes were fetched (got %lld)", n - have,
               (long long)down);
    {
        char part[100];
        size_t got = 0;

        OMKT_CHECK_INT(omkt_s3_get_range(s3, bucket, "resume/obj", 12345, part,
                                         sizeof(part), &got, &eb),
                       OMKT_OK, "ranged get: %s", eb.msg);
        OMKT_CHECK(got == sizeof(part) && memcmp(part, data + 12345, got) == 0,
                   "bytes 12345..12444");
        OMKT_CHECK_INT(omkt_s3_get_range(s3, bucket, "resume/obj", n - 10, part,
                                         sizeof(part), &got, &eb),
                       OMKT_OK, "ranged get over the end");
        OMKT_CHECK(got == 10 && memcmp(part, data + n - 10, 10) == 0,
                   "the last 10 bytes");
        OMKT_CHECK_INT(omkt_s3_get_range(s3, bucket, "resume/obj", n, part,
                                         sizeof(part), &got, &eb),
                       OMKT_OK, "ranged get at the end: %s", eb.msg);
        OMKT_CHECK_INT(got, 0, "nothing past the end");
    }
    data[10] ^= 1; /* a local prefix that is not the object's */
    write_all(path, data, have);
    data[10] ^= 1;
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_s3_get_file(s3, bucket, "resume/obj", path, NULL, &eb),
                   OMKT_EIO, "bad prefix caught: %s", eb.msg);
    OMKT_CHECK(eb.retryable && strstr(eb.msg, "MD5"), "checksum error");
    OMKT_CHECK_INT(omkt_s3_get_file(s3, bucket, "resume/obj", path, NULL, &eb),
                   OMKT_OK, "the retry starts over");
    OMKT_CHECK(same_file(path, data, n), "content after the retry");
    (void)unlink(path);
    free(path);
    free(data);
}

/* test_multipart - more than the part size: three parts, complete. */
static void test_multipart(struct omkt_s3 *s3)
{
    size_t n = 2 * PART + 12345;
    char *data = fill(n, 99);
    char *src = tmp("mp.in"), *out = tmp("mp.out");
    struct omkt_s3_object o;
    struct omkt_errbuf eb = {0};
    struct omkt_s3_stats st0 = omkt_s3_stats(s3);

    write_all(src, data, n);
    (void)unlink(out);
    OMKT_CHECK_INT(omkt_s3_put_file(s3, bucket, "mp/big", src, &eb), OMKT_OK,
                   "multipart put: %s", eb.msg);
    OMKT_CHECK_INT(omkt_s3_stats(s3).requests - st0.requests, 5,
                   "initiate + 3 parts + complete");
    OMKT_CHECK_INT(omkt_s3_head(s3, bucket, "mp/big", &o, &eb), OMKT_OK,
                   "head mp/big");
    OMKT_CHECK_INT(o.size, n, "multipart object size");
    /* AWS: md5-of-md5s "-3" (size check only); s3rver: the whole MD5 */
    OMKT_CHECK(o.etag[0] != '\0', "multipart ETag: %s", o.etag);
    OMKT_CHECK_INT(omkt_s3_get_file(s3, bucket, "mp/big", out, NULL, &eb),
                   OMKT_OK, "get mp/big: %s", eb.msg);
    OMKT_CHECK(same_file(out, data, n), "multipart content");
    (void)unlink(src);
    (void)unlink(out);
    free(src);
    free(out);
    free(data);
}

/* stop_after_part - hooks: stop once a part is stored. */
static bool stop_flag;
static bool stop_now(void *arg)
{
    (void)arg;
    return stop_flag;
}
static void part_stored(void *arg, int part)
{
    (void)arg;
    (void)part;
    stop_flag = true;
}

/* test_interrupted - a multipart upload stopped after part 1 leaves no
 * object (the upload is never completed; abort is attempted). */
static void test_interrupted(struct omkt_s3 *s3)
{
    size_t n = 2 * PART + 1;
    char *data = fill(n, 5);
    char *src = tmp("stop.in");
    struct omkt_s3_hooks h = {stop_now, part_stored, NULL};
    struct omkt_s3_hooks none = {0};
    struct omkt_s3_object o;
    struct omkt_errbuf eb = {0};

    write_all(src, data, n);
    stop_flag = false;
    omkt_s3_set_hooks(s3, &h);
    OMKT_CHECK_INT(omkt_s3_put_file(s3, bucket, "mp/stopped", src, &eb),
                   OMKT_ESHUTDOWN, "stopped upload: %s", eb.msg);
    omkt_s3_set_hooks(s3, &none);
    OMKT_CHECK_INT(omkt_s3_head(s3, bucket, "mp/stopped", &o, NULL),
                   OMKT_ENOTFOUND, "no object after an interrupted upload");
    (void)unlink(src);
    free(src);
    free(data);
}

/* test_pages - ListObjectsV2 continuation over 5 keys, 2 per page. */
static void test_pages(struct omkt_s3 *s3)
{
    char *token = NULL;
    size_t total = 0;
    int pages = 0;
    struct omkt_errbuf eb = {0};

    for (int i = 0; i < 5; i++) {
        char key[32];

        (void)snprintf(key, sizeof(key), "ls/k%d", i);
        (void)omkt_s3_put_buf(s3, bucket, key, "v", 1, &eb);
    }
    do {
        struct omkt_s3_list l;

        if (omkt_s3_list(s3, bucket, "ls/", token, 2, &l, &eb) != OMKT_OK) {
            OMKT_CHECK(0, "list page: %s", eb.msg);
            break;
        }
        total += l.n;
        pages++;
        free(token);
        token = l.next_token ? omkt_xstrdup(l.next_token) : NULL;
        omkt_s3_list_clear(&l);
    } while (token && pages < 10);
    free(token);
    OMKT_CHECK_INT(total, 5, "every key listed");
    OMKT_CHECK_INT(pages, 3, "in pages of 2");
}

/* test_uri_creds - credentials from a media-nommer URI. */
static void test_uri_creds(void)
{
    struct omkt_s3_uri u;
    struct omkt_s3_config cfg;
    struct omkt_s3_creds cr;
    struct omkt_s3 *s3 = NULL;
    struct omkt_errbuf eb = {0};
    char *uri = omkt_xasprintf("s3://S3RVER:S3RVER@%s/uri/obj", bucket);

    OMKT_CHECK_INT(omkt_s3_uri_parse(uri, &u, &eb), OMKT_OK, "uri");
    OMKT_CHECK_INT(omkt_s3_resolve(NULL, NULL, &u, &cfg, &cr, &eb), OMKT_OK,
                   "resolve");
    cfg.endpoint = endpoint;
    cfg.addressing = OMKT_S3_PATH;
    cfg.lim.allow_private = true;
    OMKT_CHECK_INT(omkt_s3_new(&cfg, &cr, &s3, &eb), OMKT_OK, "client");
    if (s3)
        OMKT_CHECK_INT(omkt_s3_put_buf(s3, u.bucket, u.key, "abc", 3, &eb),
                       OMKT_OK, "put with URI credentials: %s", eb.msg);
    omkt_s3_free(s3);
    omkt_s3_creds_clear(&cr);
    omkt_s3_uri_clear(&u);
    free(uri);
}

/* killer - part_done hook of "killmid": SIGKILL the server. */
static void killer(void *arg, int part)
{
    pid_t pid = (pid_t)(intptr_t)arg;

    if (part == 1 && pid > 1)
        (void)kill(pid, SIGKILL);
}

static int mode_killmid(const char *key)
{
    const char *p = getenv("OMKT_S3_PID");
    struct omkt_s3 *s3 = client("S3RVER", 2);
    size_t n = 3 * PART;
    char *data = fill(n, 3);
    char *src = tmp("kill.in");
    int pid = 0;
    struct omkt_s3_hooks h = {NULL, killer, NULL};
    struct omkt_errbuf eb = {0};

    if (p == NULL || omkt_parse_int(p, &pid) != OMKT_OK || pid <= 1) {
        OMKT_CHECK(0, "OMKT_S3_PID unset");
        return omkt_test_done();
    }
    h.arg = (void *)(intptr_t)pid;
    write_all(src, data, n);
    omkt_s3_set_hooks(s3, &h);
    OMKT_CHECK_INT(omkt_s3_put_file(s3, bucket, key, src, &eb), OMKT_ENET,
                   "server killed mid-upload: %s", eb.msg);
    OMKT_CHECK(eb.retryable, "a network failure is retryable");
    (void)unlink(src);
    free(src);
    free(data);
    omkt_s3_free(s3);
    return omkt_test_done();
}

static int mode_gone(const char *key)
{
    struct omkt_s3 *s3 = client("S3RVER", 2);
    struct omkt_s3_object o;
    struct omkt_s3_list l;
    struct omkt_errbuf eb = {0};

    OMKT_CHECK_INT(omkt_s3_head(s3, bucket, key, &o, &eb), OMKT_ENOTFOUND,
                   "no partial object %s after the restart", key);
    OMKT_CHECK_INT(omkt_s3_list(s3, bucket, key, NULL, 10, &l, &eb), OMKT_OK,
                   "list: %s", eb.msg);
    OMKT_CHECK_INT(l.n, 0, "nothing listed under %s", key);
    omkt_s3_list_clear(&l);
    omkt_s3_free(s3);
    return omkt_test_done();
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* mode_bench - upload then download @path; "up MB/s down MB/s". */
static int mode_bench(const char *path)
{
    const char *ps = getenv("OMKT_S3_PART");
    struct omkt_s3_config cfg = {.endpoint = endpoint,
                                 .addressing = OMKT_S3_PATH,
                                 .part_size = 0,
                                 .max_attempts = 1,
                                 .lim.allow_private = true};
    struct omkt_s3_creds cr = {"S3RVER", "S3RVER", NULL};
    struct omkt_s3 *s3 = NULL;
    char *out = tmp("bench.out");
    struct omkt_errbuf eb = {0};
    struct stat st;
    double t0, t1, t2;
    int rc;

    if (ps && omkt_parse_size(ps, &cfg.part_size) != OMKT_OK)
        return 1;
    if (omkt_s3_new(&cfg, &cr, &s3, &eb) != OMKT_OK || stat(path, &st) != 0)
        return 1;
    (void)unlink(out);
    t0 = now_s();
    rc = omkt_s3_put_file(s3, bucket, "bench/obj", path, &eb);
    t1 = now_s();
    if (rc == OMKT_OK)
        rc = omkt_s3_get_file(s3, bucket, "bench/obj", out, NULL, &eb);
    t2 = now_s();
    if (rc != OMKT_OK) {
        fprintf(stderr, "bench: %s\n", eb.msg);
        return 1;
    }
    printf("omkt up %.3f s down %.3f s\n", t1 - t0, t2 - t1);
    (void)unlink(out);
    free(out);
    omkt_s3_free(s3);
    return 0;
}

int main(int argc, char **argv)
{
    struct omkt_s3 *s3;

    endpoint = getenv("OMKT_S3_ENDPOINT");
    bucket = getenv("OMKT_S3_BUCKET");
    dir = getenv("OMKT_S3_DIR");
    if (endpoint == NULL || bucket == NULL || dir == NULL) {
        printf("# SKIP OMKT_S3_ENDPOINT unset (tests/s3/test_s3.sh runs "
               "this against s3rver)\n1..0\n");
        return 77;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (argc == 3 && strcmp(argv[1], "killmid") == 0)
        return mode_killmid(argv[2]);
    if (argc == 3 && strcmp(argv[1], "gone") == 0)
        return mode_gone(argv[2]);
    if (argc == 3 && strcmp(argv[1], "bench") == 0)
        return mode_bench(argv[2]);
    s3 = client("S3RVER", 3);
    if (s3 == NULL)
        return 1;
    test_basic(s3, "a/b.txt", 1000);
    test_basic(s3, "empty", 0);
    test_basic(s3, "dir//a b+c%d~e.txt", 77);
    test_wrong_secret();
    test_resume(s3);
    test_multipart(s3);
    test_interrupted(s3);
    test_pages(s3);
    test_uri_creds();
    omkt_s3_free(s3);
    curl_global_cleanup();
    return omkt_test_done();
}
