/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_apid_http - apid's two pure HTTP parsers, without MHD: the route
 * table's matcher (src/apid/route.c: exact paths, the /v1/ prefix, 404
 * and 405) and the multipart/form-data parser (src/apid/multipart.c:
 * boundaries plain and quoted, the first delimiter with or without a
 * preamble, file parts skipped, empty values, bodies fed in pieces of
 * every size, and the bad ones: no boundary, truncated, a NUL, too many
 * fields).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "apid/multipart.h"
#include "apid/params.h"
#include "apid/route.h"
#include "omkt_test.h"

static void test_route(void)
{
    static const struct {
        const char *method, *path;
        enum route_handler h;
        unsigned status;
        const char *action;
    } c[] = {
        {"GET", "/api/", ROUTE_OMKT, 0, "omkt"},
        {"POST", "/api", ROUTE_OMKT, 0, "omkt"},
        {"HEAD", "/api/index.php", ROUTE_OMKT, 0, "omkt"},
        {"PUT", "/api/", ROUTE_NONE, 405, "omkt"},
        {"GET", "/api/x", ROUTE_NONE, 404, "not_found"},
        {"GET", "/health", ROUTE_HEALTH, 0, "health"},
        {"POST", "/health", ROUTE_NONE, 405, "health"},
        {"GET", "/healthz", ROUTE_NONE, 404, "not_found"},
        {"GET", "/metrics", ROUTE_METRICS, 0, "metrics"},
        {"GET", "/", ROUTE_DASHBOARD, 0, "dashboard"},
        {"GET", "/status/", ROUTE_DASHBOARD, 0, "dashboard"},
        {"DELETE", "/v1/media/1", ROUTE_NONE, 405, "rest"},
        {"POST", "/v1/media", ROUTE_REST, 0, "rest"},
        {"GET", "/v1/", ROUTE_REST, 0, "rest"},
        {"GET", "/v1", ROUTE_NONE, 404, "not_found"},
        {"POST", "/job/submit/", ROUTE_NOMMER, 0, "nommer"},
        {"GET", "/job/submit", ROUTE_NONE, 405, "nommer"},
        {"get", "/health", ROUTE_NONE, 405, "health"}, /* methods are exact */
        {"", "", ROUTE_NONE, 404, "not_found"},
        {"GET", "/\xff\xfe", ROUTE_NONE, 404, "not_found"},
    };
    struct route_match m;

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        route_match(c[i].method, c[i].path, &m);
        OMKT_CHECK_INT(m.handler, c[i].h, "route %zu: %s %s: handler", i,
                       c[i].method, c[i].path);
        OMKT_CHECK_INT(m.status, c[i].status, "route %zu: status", i);
        OMKT_CHECK_STR(m.action, c[i].action, "route %zu: action", i);
    }
}

/* parsed - "k=v;k=v" (and flags) of @body under @ct fed in @piece-byte
 * pieces, into @buf. */
static const char *parsed(const char *ct, const char *body, size_t len,
                          size_t piece, char *buf, size_t size)
{
    struct multipart m;
    struct apid_params p = {0};
    size_t n = 0;

    buf[0] = '\0';
    if (!multipart_start(&m, ct)) {
        snprintf(buf, size, "(not multipart)");
        return buf;
    }
    for (size_t off = 0; off < len; off += piece)
        (void)multipart_feed(&m, body + off,
                             len - off < piece ? len - off : piece);
    multipart_finish(&m, &p);
    for (size_t i = 0; i < p.n && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s=%s", i ? ";" : "",
                              p.v[i].key, p.v[i].val);
    if (n < size && (p.is_too_many || p.is_bad_utf8))
        snprintf(buf + n, size - n, "%s%s", p.is_too_many ? " BAD" : "",
                 p.is_bad_utf8 ? " UTF8" : "");
    params_free(&p);
    return buf;
}

#define CT "multipart/form-data; boundary=XY"
#define PART(name, val)                                                        \
    "--XY\r\nContent-Disposition: form-data; name=\"" name "\"\r\n\r\n" val    \
    "\r\n"

static void test_multipart(void)
{
    static const struct {
        const char *ct, *body;
        size_t len; /* 0: strlen */
        const char *want;
    } c[] = {
        {CT, PART("a", "1") PART("b", "two words") "--XY--\r\n", 0,
         "a=1;b=two words"},
        {"multipart/form-data; charset=utf-8; boundary=\"XY\"",
         "preamble\r\n" PART("a", "1") "--XY--", 0, "a=1"},
        {"Multipart/Form-Data; BOUNDARY=XY", PART("a", "") "--XY--", 0, "a="},
        {CT,
         "--XY\r\nContent-Disposition: form-data; name=\"f\"; "
         "filename=\"x.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
         "BIN\r\n" PART("a", "1") "--XY--\r\n",
         0, "a=1"},
        {CT, "--XY\r\nX-No-Disposition: 1\r\n\r\nv\r\n" PART("a", "1") "--XY--",
         0, "a=1"},
        {CT, PART("l[]", "11") PART("l[]", "15") "--XY--", 0, "l[]=11;l[]=15"},
        {CT, PART("a", "line1\r\nline2") "--XY--", 0, "a=line1\r\nline2"},
        {CT, "--XY--\r\n", 0, ""},
        /* bad */
        {"multipart/form-data", PART("a", "1") "--XY--", 0, " BAD"},
        {"multipart/form-data; boundary=", PART("a", "1") "--XY--", 0, " BAD"},
        {CT, PART("a", "1") "--XY", 0, "a=1 BAD"},  /* no closing "--" */
        {CT, PART("a", "1") "--XY-", 0, "a=1 BAD"}, /* cut in it */
        {CT, "--XY\r\nContent-Disposition: form-da", 0, " BAD"},
        {CT, PART("a", "1"), 0, " BAD"}, /* its end is not known */
        {CT, "", 0, " BAD"},
        {CT, "no delimiter at all", 0, " BAD"},
        {CT, PART("a", "x\0y") "--XY--", 61, " UTF8"},
        {CT, PART("a", "\xff") "--XY--", 0, "a=\xff UTF8"},
        {"text/plain", "", 0, "(not multipart)"},
        {NULL, "", 0, "(not multipart)"},
    };
    char got[512], one[512];

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        size_t len = c[i].len ? c[i].len : strlen(c[i].body);

        OMKT_CHECK_STR(
            parsed(c[i].ct, c[i].body, len, len ? len : 1, one, sizeof(one)),
            c[i].want, "multipart %zu", i);
        for (size_t piece = 1; piece < 8; piece++) /* TCP cuts anywhere */
            if (strcmp(parsed(c[i].ct, c[i].body, len, piece, got, sizeof(got)),
                       one) != 0)
                OMKT_CHECK(false, "multipart %zu in %zu-byte pieces: %s", i,
                           piece, got);
    }
}

static void test_multipart_limits(void)
{
    static char body[64 * 1024];
    char got[64];
    size_t n = 0;
    struct multipart m;
    struct apid_params p = {0};

    for (int i = 0; i <= APID_PARAMS_MAX; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, PART("k%d", "v"), i);
    n += (size_t)snprintf(body + n, sizeof(body) - n, "--XY--");
    OMKT_CHECK(multipart_start(&m, CT), "limits: multipart");
    (void)multipart_feed(&m, body, n);
    multipart_finish(&m, &p);
    snprintf(got, sizeof(got), "%zu %d", p.n, p.is_too_many);
    OMKT_CHECK_STR(got, "256 1", "more than APID_PARAMS_MAX fields: bad");
    params_free(&p);
    multipart_finish(&m, NULL); /* idempotent */
    OMKT_CHECK(m.buf == NULL, "finish twice");
}

int main(void)
{
    test_route();
    test_multipart();
    test_multipart_limits();
    return omkt_test_done();
}
