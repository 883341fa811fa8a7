/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_s3_fake - common/s3's protocol behaviour against a scripted fake
 * S3 on 127.0.0.1 (libmicrohttpd), for what a real server will not do on
 * demand: a part failing (retried alone), a failed completion (the upload
 * is aborted: no orphan), 503s (retried with backoff), a 400 (not
 * retried), a server ignoring Range on resume, virtual-hosted vs
 * path-style request targets, and response bodies over the cap.
 * Signatures are checked for real by tests/s3/test_s3.sh (s3rver).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/s3.h"
#include "omkt_test.h"

#define PART     (5 << 20)
#define LOG_MAX  64
#define RESP_BIG ((4 << 20) + 1024) /* over the client's 4 MiB body cap */

/* fake - the server's script and what it saw. */
struct fake {
    pthread_mutex_t mu;
    char log[LOG_MAX][160]; /* "METHOD host target" */
    int n;
    int fail_part2;    /* answer 500 to this many PUTs of part 2 */
    int fail_503;      /* answer 503 to this many requests of any kind */
    bool complete_err; /* 200 with <Error> to CompleteMultipartUpload */
    bool ignore_range; /* GET answers 200 with everything */
    bool huge_error;   /* error body over the client's cap */
    int status_400;    /* answer 400 to this many requests */
    char checksum[64]; /* x-amz-checksum-sha256 of the last PUT ("-") */
    const char *obj;   /* the object GET serves */
    size_t obj_len;
};

static struct fake F = {.mu = PTHREAD_MUTEX_INITIALIZER};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned st,
                             const char *body, size_t len, const char *etag)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    if (etag)
        MHD_add_response_header(r, "ETag", etag);
    ret = MHD_queue_response(c, st, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned st,
                            const char *body)
{
    return reply(c, st, body, strlen(body), NULL);
}

/* record - log "METHOD host target?query-keys". */
static void record(struct MHD_Connection *c, const char *method,
                   const char *url)
{
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    const char *up =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "uploadId");
    const char *pn =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "partNumber");

    const char *ck = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 "x-amz-checksum-sha256");

    pthread_mutex_lock(&F.mu);
    if (strcmp(method, "PUT") == 0)
        (void)snprintf(F.checksum, sizeof(F.checksum), "%s", ck ? ck : "-");
    if (F.n < LOG_MAX)
        (void)snprintf(F.log[F.n++], sizeof(F.log[0]), "%s %s %s%s%s%s%s",
                       method, host ? host : "-", url, up ? " up=" : "",
                       up ? up : "", pn ? " part=" : "", pn ? pn : "");
    pthread_mutex_unlock(&F.mu);
}

/* get - serve F.obj, honouring "Range: bytes=N-" unless told not to. */
static enum MHD_Result get(struct MHD_Connection *c)
{
    const char *range =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
    long from = 0;
    struct MHD_Response *r;
    enum MHD_Result ret;
    char cr[96];

    if (range && !F.ignore_range && sscanf(range, "bytes=%ld-", &from) == 1 &&
        from > 0 && (size_t)from < F.obj_len) {
        r = MHD_create_response_from_buffer(F.obj_len - (size_t)from,
                                            (void *)(F.obj + from),
                                            MHD_RESPMEM_MUST_COPY);
        (void)snprintf(cr, sizeof(cr), "bytes %ld-%zu/%zu", from, F.obj_len - 1,
                       F.obj_len);
        MHD_add_response_header(r, "Content-Range", cr);
        MHD_add_response_header(r, "ETag", "\"multi-2\"");
        ret = MHD_queue_response(c, 206, r);
        MHD_destroy_response(r);
        return ret;
    }
    /* HEAD: MHD sends the Content-Length of this body, not the body */
    r = MHD_create_response_from_buffer(F.obj_len, (void *)F.obj,
                                        MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "ETag", "\"multi-2\"");
    ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* scripted - whether a scripted failure answered this request. */
static bool scripted(struct MHD_Connection *c, const char *method,
                     enum MHD_Result *ret)
{
    const char *pn =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "partNumber");
    static char big[RESP_BIG];

    if (F.fail_503 > 0) {
        F.fail_503--;
        *ret = text(c, 503, "<Error><Code>SlowDown</Code></Error>");
        return true;
    }
    if (F.status_400 > 0) {
        F.status_400--;
        *ret = text(c, 400,
                    "<Error><Code>InvalidArgument</Code>"
                    "<Message>bad &amp; wrong</Message></Error>");
        return true;
    }
    if (F.huge_error) {
        memset(big, 'x', sizeof(big));
        *ret = reply(c, 500, big, sizeof(big), NULL);
        return true;
    }
    if (strcmp(method, "PUT") == 0 && pn && strcmp(pn, "2") == 0 &&
        F.fail_part2 > 0) {
        F.fail_part2--;
        *ret = text(c, 500, "<Error><Code>InternalError</Code></Error>");
        return true;
    }
    return false;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *ver, const char *data, size_t *size,
                               void **ctx)
{
    static int marker;
    enum MHD_Result ret;

    (void)cls;
    (void)ver;
    (void)data;
    if (*ctx == NULL) {
        *ctx = &marker;
        return MHD_YES;
    }
    if (*size > 0) { /* swallow upload bodies */
        *size = 0;
        return MHD_YES;
    }
    record(c, method, url);
    if (scripted(c, method, &ret))
        return ret;
    if (strcmp(method, "POST") == 0 &&
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "uploads"))
        return text(c, 200,
                    "<InitiateMultipartUploadResult><UploadId>"
                    "up+1/x</UploadId></InitiateMultipartUploadResult>");
    if (strcmp(method, "POST") == 0)
        return text(c, 200,
                    F.complete_err ? "<Error><Code>InternalError</Code></Error>"
                                   : "<CompleteMultipartUploadResult/>");
    if (strcmp(method, "PUT") == 0)
        return reply(c, 200, "", 0, "\"etag-x\"");
    if (strcmp(method, "DELETE") == 0)
        return text(c, 204, "");
    return get(c);
}

static unsigned port;

/* client - a client of the fake (path-style unless @is_vhost). */
static struct omkt_s3 *client(bool is_vhost)
{
    char ep[64], ct[64];
    struct omkt_s3_config cfg = {.endpoint = ep,
                                 .addressing =
                                     is_vhost ? OMKT_S3_VIRTUAL : OMKT_S3_PATH,
                                 .part_size = PART,
                                 .max_attempts = 3,
                                 .backoff_ms = 10,
                                 .backoff_max_ms = 40,
                                 .connect_to = is_vhost ? ct : NULL,
                                 .lim.allow_private = true};
    struct omkt_s3_creds cr = {"AK", "SK", NULL};
    struct omkt_s3 *s3 = NULL;

    (void)snprintf(ep, sizeof(ep), "http://%s:%u",
                   is_vhost ? "s3.test" : "127.0.0.1", port);
    (void)snprintf(ct, sizeof(ct), "::127.0.0.1:%u", port);
    (void)omkt_s3_new(&cfg, &cr, &s3, NULL);
    return s3;
}

static void reset(void)
{
    pthread_mutex_lock(&F.mu);
    F.n = 0;
    F.fail_part2 = F.fail_503 = F.status_400 = 0;
    F.complete_err = F.ignore_range = F.huge_error = false;
    pthread_mutex_unlock(&F.mu);
}

/* count - requests whose log line contains @s. */
static int count(const char *s)
{
    int n = 0;

    for (int i = 0; i < F.n; i++)
        n += strstr(F.log[i], s) != NULL;
    return n;
}

/* count2 - requests whose log line starts with @m and contains @s. */
static int count2(const char *m, const char *s)
{
    int n = 0;

    for (int i = 0; i < F.n; i++)
        n +=
            strncmp(F.log[i], m, strlen(m)) == 0 && strstr(F.log[i], s) != NULL;
    return n;
}

static char *src_file(size_t n)
{
    char *path = omkt_xstrdup("/tmp/omkt-s3fake-XXXXXX");
    int fd = mkstemp(path);
    char *b = omkt_xcalloc(1, n);

    if (fd >= 0) {
        if (write(fd, b, n) != (ssize_t)n)
            printf("# short write\n");
        close(fd);
    }
    free(b);
    return path;
}

/* test_part_retry - part 2 fails twice: only part 2 is resent. */
static void test_part_retry(struct omkt_s3 *s3, const char *src)
{
    struct omkt_errbuf eb = {0};

    reset();
    F.fail_part2 = 2;
    OMKT_CHECK_INT(omkt_s3_put_file(s3, "bkt", "k", src, &eb), OMKT_OK,
                   "upload with a flaky part: %s", eb.msg);
    OMKT_CHECK_INT(count("part=1"), 1, "part 1 sent once");
    OMKT_CHECK_INT(count("part=2"), 3, "part 2 sent three times");
    OMKT_CHECK_INT(count("part=3"), 1, "part 3 sent once");
    OMKT_CHECK_INT(count("up=up+1/x"), 6, "upload id round-trips encoded");
    OMKT_CHECK_INT(count("DELETE"), 0, "no abort on success");
}

/* test_abort - a part failing for good, or a completion answered with
 * an <Error> in a 200: the upload is aborted. */
static void test_abort(struct omkt_s3 *s3, const char *src)
{
    struct omkt_errbuf eb = {0};

    reset();
    F.fail_part2 = 100;
    OMKT_CHECK_INT(omkt_s3_put_file(s3, "bkt", "k", src, &eb), OMKT_EHTTP,
                   "part 2 never stored: %s", eb.msg);
    OMKT_CHECK(eb.retryable, "5xx: the job may retry");
    OMKT_CHECK_INT(count("part=3"), 0, "no part after the failed one");
    OMKT_CHECK_INT(count("DELETE 127.0.0.1"), 1, "AbortMultipartUpload sent");
    OMKT_CHECK_INT(count2("POST", "up="), 0, "no CompleteMultipartUpload");
    reset();
    F.complete_err = true;
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_s3_put_file(s3, "bkt", "k", src, &eb), OMKT_EHTTP,
                   "completion failed inside a 200: %s", eb.msg);
    OMKT_CHECK_INT(count2("POST", "up="), 3,
                   "the completion was retried (max_attempts)");
    OMKT_CHECK_INT(count("DELETE"), 1, "aborted after a failed completion");
}

static bool is_stopping;
static bool stop_hook(void *arg)
{
    (void)arg;
    return is_stopping;
}
static void part_hook(void *arg, int part)
{
    (void)arg;
    is_stopping = part >= 1;
}

/* test_stop_aborts - a stop (SIGTERM) after part 1: the upload is
 * aborted even though the stop hook now says stop. */
static void test_stop_aborts(struct omkt_s3 *s3, const char *src)
{
    struct omkt_s3_hooks h = {stop_hook, part_hook, NULL}, none = {0};
    struct omkt_errbuf eb = {0};

    reset();
    is_stopping = false;
    omkt_s3_set_hooks(s3, &h);
    OMKT_CHECK_INT(omkt_s3_put_file(s3, "bkt", "k", src, &eb), OMKT_ESHUTDOWN,
                   "stopped after part 1: %s", eb.msg);
    omkt_s3_set_hooks(s3, &none);
    OMKT_CHECK_INT(count("part=2"), 0, "no part after the stop");
    OMKT_CHECK_INT(count("DELETE"), 1, "the upload is aborted");
    OMKT_CHECK_INT(count2("POST", "up="), 0, "and never completed");
}

/* test_retry_status - 503 retried; 400 not, with S3's text decoded. */
/* test_checksum - a single PUT carries the body's x-amz-checksum-sha256
 * (base64); a part does not (S3 would want it named at creation). */
static void test_checksum(struct omkt_s3 *s3, const char *src)
{
    struct omkt_errbuf eb = {0};

    OMKT_CHECK_INT(omkt_s3_put_buf(s3, "b", "small", "abc", 3, &eb), OMKT_OK,
                   "put_buf: %s", eb.msg);
    OMKT_CHECK_STR(F.checksum, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
                   "single PUT: the SHA-256 of \"abc\" in base64");
    OMKT_CHECK_INT(omkt_s3_put_file(s3, "b", "big", src, &eb), OMKT_OK,
                   "put_file: %s", eb.msg);
    OMKT_CHECK_STR(F.checksum, "-", "parts: none");
}

static void test_retry_status(struct omkt_s3 *s3)
{
    struct omkt_errbuf eb = {0};
    struct omkt_s3_object o;
    int r0 = omkt_s3_stats(s3).retries;

    reset();
    F.fail_503 = 2;
    OMKT_CHECK_INT(omkt_s3_put_buf(s3, "bkt", "k", "x", 1, &eb), OMKT_OK,
                   "503 twice then ok: %s", eb.msg);
    OMKT_CHECK_INT(omkt_s3_stats(s3).retries - r0, 2, "two retries");
    reset();
    F.fail_503 = 10;
    OMKT_CHECK_INT(omkt_s3_head(s3, "bkt", "k", &o, &eb), OMKT_EHTTP,
                   "503 for good");
    OMKT_CHECK_INT(F.n, 3, "max_attempts requests, no more");
    reset();
    F.status_400 = 5;
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_s3_delete(s3, "bkt", "k", &eb), OMKT_EHTTP, "400");
    OMKT_CHECK_INT(F.n, 1, "a 400 is not retried");
    OMKT_CHECK(strstr(eb.msg, "InvalidArgument: bad & wrong") != NULL,
               "S3's code and message, entities decoded: %s", eb.msg);
    reset();
    F.status_400 = 1;
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_s3_delete(s3, "bkt", "evil\nkey\x1b[2J", &eb),
                   OMKT_EHTTP, "a key with control bytes");
    OMKT_CHECK(strstr(eb.msg, "bkt/evil?key?[2J") != NULL &&
                   strchr(eb.msg, '\n') == NULL,
               "control bytes of a key never reach an error text: %s", eb.msg);
    reset();
    F.huge_error = true;
    omkt_errbuf_clear(&eb);
    OMKT_CHECK_INT(omkt_s3_delete(s3, "bkt", "k", &eb), OMKT_ETOOBIG,
                   "an endless error body is cut off: %s", eb.msg);
}

/* test_range_ignored - resume against a server that ignores Range. */
static void test_range_ignored(struct omkt_s3 *s3)
{
    char *path = omkt_xstrdup("/tmp/omkt-s3fake-get-XXXXXX");
    int fd = mkstemp(path);
    struct omkt_errbuf eb = {0};
    char got[64] = "";
    FILE *f;

    if (fd < 0 || write(fd, "0123", 4) != 4)
        printf("# could not write the prefix\n");
    if (fd >= 0)
        close(fd);
    reset();
    F.ignore_range = true;
    OMKT_CHECK_INT(omkt_s3_get_file(s3, "bkt", "k", path, NULL, &eb), OMKT_OK,
                   "resume when Range is ignored: %s", eb.msg);
    f = fopen(path, "r");
    if (f) {
        size_t n = fread(got, 1, sizeof(got) - 1, f);

        got[n] = '\0';
        fclose(f);
    }
    OMKT_CHECK_STR(got, F.obj, "the whole object, once");
    {
        char part[8] = "";
        size_t n = 0;

        OMKT_CHECK_INT(omkt_s3_get_range(s3, "bkt", "k", 10, part, 4, &n, &eb),
                       OMKT_OK, "ranged get, Range ignored");
        OMKT_CHECK(n == 4 && memcmp(part, "abcd", 4) == 0,
                   "the asked bytes out of the whole object");
    }
    reset();
    fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0 || write(fd, "0123", 4) != 4)
        printf("# could not write the prefix\n");
    if (fd >= 0)
        close(fd);
    OMKT_CHECK_INT(omkt_s3_get_file(s3, "bkt", "k", path, NULL, &eb), OMKT_OK,
                   "resume with Range");
    OMKT_CHECK_INT(count("GET"), 1, "one ranged GET");
    (void)unlink(path);
    free(path);
}

/* test_policy - a store on loopback needs allow_private: refused, with
 * the address named, and not retried. */
static void test_policy(void)
{
    char ep[64];
    struct omkt_s3_config cfg = {.endpoint = ep, .addressing = OMKT_S3_PATH};
    struct omkt_s3_creds cr = {"AK", "SK", NULL};
    struct omkt_s3 *s3 = NULL;
    struct omkt_errbuf eb = {0};

    (void)snprintf(ep, sizeof(ep), "http://127.0.0.1:%u", port);
    (void)omkt_s3_new(&cfg, &cr, &s3, NULL);
    reset();
    OMKT_CHECK_INT(omkt_s3_put_buf(s3, "bkt", "k", "x", 1, &eb), OMKT_EPERM,
                   "loopback store without allow_private: %s", eb.msg);
    OMKT_CHECK(strstr(eb.msg, "127.0.0.1") && !eb.retryable && F.n == 0,
               "refused before connecting, not retried");
    omkt_s3_free(s3);
}

/* test_addressing - request target and Host of both styles. */
static void test_addressing(void)
{
    struct omkt_s3 *v = client(true), *p = client(false);
    struct omkt_errbuf eb = {0};
    char want[128];

    reset();
    OMKT_CHECK_INT(omkt_s3_put_buf(v, "bkt", "a//b c", "x", 1, &eb), OMKT_OK,
                   "virtual-hosted put: %s", eb.msg);
    (void)snprintf(want, sizeof(want), "PUT bkt.s3.test:%u /a//b c", port);
    OMKT_CHECK_STR(F.n > 0 ? F.log[0] : "", want, "virtual-hosted target");
    reset();
    OMKT_CHECK_INT(omkt_s3_put_buf(p, "bkt", "a//b c", "x", 1, &eb), OMKT_OK,
                   "path-style put");
    (void)snprintf(want, sizeof(want), "PUT 127.0.0.1:%u /bkt/a//b c", port);
    OMKT_CHECK_STR(F.n > 0 ? F.log[0] : "", want, "path-style target");
    omkt_s3_free(v);
    omkt_s3_free(p);
}

/* test_xml - the minimal XML reader: first element, entities, bounds. */
static void test_xml(void)
{
    static const struct {
        const char *xml, *tag;
        size_t size;
        bool found;
        const char *want;
    } c[] = {
        {"<a><Key>x&amp;y&lt;&gt;&quot;&apos;</Key></a>", "Key", 64, true,
         "x&y<>\"'"},
        {"<Key>one</Key><Key>two</Key>", "Key", 64, true, "one"},
        {"<KeyCount>3</KeyCount><Key>k</Key>", "Key", 64, true, "k"},
        {"<Key>unterminated", "Key", 64, false, ""},
        {"</Key>x<Key>", "Key", 64, false, ""},
        {"<Key>&bogus;</Key>", "Key", 64, true, "&bogus;"},
        {"<Key>abcdef</Key>", "Key", 4, true, "abc"},
        {"<Key>\xc3\xa9\xc3\xa9</Key>", "Key", 4, true, "\xc3\xa9"},
        {"<Key>\xff</Key>", "Key", 8, true, "\xef\xbf\xbd"},
        {"", "Key", 8, false, ""},
    };
    char out[64];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        bool f = omkt_s3_xml_text(c[i].xml, strlen(c[i].xml), c[i].tag, out,
                                  c[i].size);

        OMKT_CHECK_INT(f, c[i].found, "xml case %zu found", i);
        OMKT_CHECK_STR(out, c[i].want, "xml case %zu text", i);
    }
}

int main(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    struct omkt_s3 *s3;
    char *src;

    test_xml();
    F.obj = "0123456789abcdefghij";
    F.obj_len = strlen(F.obj);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                         handler, NULL, MHD_OPTION_SOCK_ADDR, &sa,
                         MHD_OPTION_END);
    info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (info == NULL) {
        printf("not ok 1 - fake S3 did not start\n");
        return 1;
    }
    port = info->port;
    s3 = client(false);
    src = src_file(2 * PART + 10);
    test_part_retry(s3, src);
    test_abort(s3, src);
    test_stop_aborts(s3, src);
    test_checksum(s3, src);
    test_retry_status(s3);
    test_range_ignored(s3);
    test_addressing();
    test_policy();
    (void)unlink(src);
    free(src);
    omkt_s3_free(s3);
    MHD_stop_daemon(d);
    curl_global_cleanup();
    return omkt_test_done();
}
