/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_apid_multipart - multipart/form-data bodies (src/apid/multipart.c)
 * as PHP's curl and others send them: fields in order, file parts
 * skipped, quoted and odd boundaries, the bad bodies (no or a bad
 * boundary, a truncated body, a NUL in a field, too many fields), and
 * the same fields whatever pieces the body arrives in (every cut of
 * every body is tried: TCP may cut anywhere).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid/multipart.h"
#include "apid/params.h"
#include "common/alloc.h"
#include "omkt_test.h"

#define CT "multipart/form-data; boundary=XyZ"
#define F(name, val)                                                           \
    "--XyZ\r\nContent-Disposition: form-data; name=\"" name "\"\r\n\r\n" val   \
    "\r\n"
#define END "--XyZ--\r\n"

/* Why a body is refused: the flag apid answers "bad request" from. */
enum verdict { GOOD, TOO_MANY, BAD_UTF8 };

/* parse - @body (@len bytes) of type @ct in pieces of @piece into @p
 * (zeroed here); false when the type is not multipart. */
static bool parse(const char *ct, const char *body, size_t len, size_t piece,
                  struct apid_params *p)
{
    struct multipart m;

    memset(p, 0, sizeof(*p));
    if (!multipart_start(&m, ct))
        return false;
    for (size_t off = 0; off < len; off += piece)
        (void)multipart_feed(&m, body + off,
                             len - off < piece ? len - off : piece);
    multipart_finish(&m, p);
    return true;
}

/* joined - "k=v;k=v" of @p into @buf, which it returns. */
static const char *joined(const struct apid_params *p, char *buf, size_t size)
{
    size_t n = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < p->n && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s=%s", i ? ";" : "",
                              p->v[i].key, p->v[i].val);
    return buf;
}

/* verdict_of - what @p says of its body. */
static enum verdict verdict_of(const struct apid_params *p)
{
    return p->is_too_many ? TOO_MANY : p->is_bad_utf8 ? BAD_UTF8 : GOOD;
}

static void test_bodies(void)
{
    static const struct {
        const char *ct, *body, *want;
        enum verdict verdict;
    } c[] = {
        {CT,
         F("action", "app_request_format") F("id", "42")
             F("settings_id_list[0]", "11") F("settings_id_list[1]", "101") END,
         "action=app_request_format;id=42;settings_id_list[0]=11;"
         "settings_id_list[1]=101",
         GOOD},
        /* a preamble, an epilogue, values with CRLF and dashes inside */
        {CT, "preamble\r\n" F("a", "x\r\ny") F("b", "--XyZ-not") END "epilogue",
         "a=x\r\ny;b=--XyZ-not", GOOD},
        /* upload parts are not parameters */
        {CT,
         F("a", "1") "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
                     "filename=\"a.mp4\"\r\nContent-Type: video/mp4\r\n\r\n"
                     "\x01\xff\r\n" F("b", "2") END,
         "a=1;b=2", GOOD},
        /* a quoted boundary, other parameters, case */
        {"Multipart/Form-Data; charset=utf-8; boundary=\"q b\"",
         "--q b\r\nCONTENT-DISPOSITION: form-data; NAME=\"id\"\r\n\r\n7\r\n"
         "--q b--\r\n",
         "id=7", GOOD},
        {CT, F("empty", "") F("sp", " x ") END, "empty=;sp=x", GOOD},
        {CT, F("app", "caf\xc3\xa9") END, "app=caf\xc3\xa9", GOOD},
        {CT, F("app", "\xff") END, "app=\xff", BAD_UTF8},
        {CT, END, "", GOOD},
        /* bad bodies */
        {CT, F("a", "1"), "a=1", TOO_MANY}, /* no closing delimiter */
        {CT, F("a", "1") "--XyZ", "a=1", TOO_MANY},
        {CT, "", "", TOO_MANY},
        {CT, "no delimiter at all", "", TOO_MANY},
        {"multipart/form-data", F("a", "1") END, "", TOO_MANY},
        {"multipart/form-data; boundary=", F("a", "1") END, "", TOO_MANY},
        {"multipart/form-data; boundary=\"\"", F("a", "1") END, "", TOO_MANY},
        {CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n", "",
         TOO_MANY},
    };
    char want_buf[600], got[512];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++) {
        size_t len = strlen(c[i].body);
        bool is_same = true, is_mp = true;

        /* the whole body first, then every piece size */
        for (size_t piece = len + 1; piece >= 1; piece--) {
            struct apid_params p;

            is_mp = parse(c[i].ct, c[i].body, len, piece, &p) && is_mp;
            joined(&p, got, sizeof(got));
            if (piece == len + 1) {
                OMKT_CHECK_INT(verdict_of(&p), c[i].verdict, "body %zu verdict",
                               i);
                if (c[i].verdict != TOO_MANY)
                    OMKT_CHECK_STR(got, c[i].want, "body %zu fields", i);
                snprintf(want_buf, sizeof(want_buf), "%d:%s", verdict_of(&p),
                         got);
            } else {
                char now[600];

                snprintf(now, sizeof(now), "%d:%s", verdict_of(&p), got);
                is_same = is_same && strcmp(now, want_buf) == 0;
            }
            params_free(&p);
        }
        OMKT_CHECK(is_mp, "body %zu is multipart", i);
        OMKT_CHECK(is_same, "body %zu: the same in pieces of any size", i);
    }
}

static void test_not_multipart(void)
{
    static const char *const c[] = {NULL,
                                    "application/x-www-form-urlencoded",
                                    "text/plain",
                                    "multipart/mixed; boundary=XyZ",
                                    "multipart/form",
                                    ""};
    struct apid_params p;

    for (size_t i = 0; i < OMKT_ARRAY_LEN(c); i++)
        OMKT_CHECK(!parse(c[i], "x", 1, 1, &p), "not multipart: %s",
                   c[i] ? c[i] : "(none)");
}

/* A NUL in a name or value would cut it: the request is refused. */
static void test_nul(void)
{
    static const char body[] = F("a", "1\0002") F("b\0c", "3") F("d", "4") END;
    struct apid_params p;
    char got[128];

    parse(CT, body, sizeof(body) - 1, sizeof(body), &p);
    OMKT_CHECK(p.is_bad_utf8, "a NUL marks the parameters bad");
    OMKT_CHECK_STR(joined(&p, got, sizeof(got)), "d=4", "NUL fields dropped");
    params_free(&p);
}

/* APID_PARAMS_MAX fields are kept, one more is too many. */
static void test_too_many(void)
{
    for (int extra = 0; extra <= 1; extra++) {
        size_t size = (APID_PARAMS_MAX + 2) * 64, len = 0;
        char *body = omkt_xmalloc(size);
        struct apid_params p;

        for (int i = 0; i < APID_PARAMS_MAX + extra; i++)
            len +=
                (size_t)snprintf(body + len, size - len, F("k%d", "v") "", i);
        len += (size_t)snprintf(body + len, size - len, END);
        parse(CT, body, len, len, &p);
        OMKT_CHECK_INT(p.n, APID_PARAMS_MAX, "%d fields: %d kept",
                       APID_PARAMS_MAX + extra, APID_PARAMS_MAX);
        OMKT_CHECK_INT(p.is_too_many, extra, "%d fields: too many?",
                       APID_PARAMS_MAX + extra);
        params_free(&p);
        free(body);
    }
}

int main(void)
{
    test_bodies();
    test_not_multipart();
    test_nul();
    test_too_many();
    return omkt_test_done();
}
