/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_apid_pkgurl - the streaming package URLs without MHD: the parser
 * of both forms (src/apid/pkgurl.c), the signature against a vector
 * computed independently (Python's hmac, as docs/streaming.md shows),
 * and the CORS origin list (src/apid/cors.c).
 */
#include <stdio.h>
#include <string.h>

#include "apid/cors.h"
#include "apid/pkgurl.h"
#include "common/err.h"
#include "common/pkgsign.h"
#include "omkt_test.h"

#define KEY "0123456789abcdef0123456789abcdef"
#define SIG "d457a096fb345413cde461f4a8d6461a86947edc7788408153cc550de5143163"

static void test_parse(void)
{
    static const struct {
        const char *path;
        int rc;
        long long media, setting;
        bool is_signed;
        const char *file;
    } c[] = {
        {"/v1/media/2/package/1001/master.m3u8", OMKT_OK, 2, 1001, false,
         "master.m3u8"},
        {"/v1/media/2/package/1001/v0/seg_00001.m4s", OMKT_OK, 2, 1001, false,
         "v0/seg_00001.m4s"},
        {"/v1/signed/1700000000." SIG "/media/2/package/1001/a0/init.mp4",
         OMKT_OK, 2, 1001, true, "a0/init.mp4"},
        /* FILE is cut out, judged later by the path layer */
        {"/v1/media/2/package/1001/../x", OMKT_OK, 2, 1001, false, "../x"},
        {"/v1/media/2/package/1001/", OMKT_EINVAL, 0, 0, false, NULL},
        {"/v1/media/0/package/1001/x", OMKT_EINVAL, 0, 0, false, NULL},
        {"/v1/media/-2/package/1001/x", OMKT_EINVAL, 0, 0, false, NULL},
        {"/v1/media/2/package/x/y", OMKT_EINVAL, 0, 0, false, NULL},
        {"/v1/media/99999999999999999999/package/1001/x", OMKT_EINVAL, 0, 0,
         false, NULL},
        {"/v1/media/2/packages/1001/x", OMKT_EINVAL, 0, 0, false, NULL},
        {"/v1/signed/1700000000." SIG "/medi/2/package/1001/x", OMKT_EINVAL, 0,
         0, false, NULL},
        /* malformed tokens: 403 */
        {"/v1/signed/1700000000.abc/media/2/package/1001/x", OMKT_EPERM, 0, 0,
         false, NULL},
        {"/v1/signed/." SIG "/media/2/package/1001/x", OMKT_EPERM, 0, 0, false,
         NULL},
        {"/v1/signed/1700000000." SIG "0/media/2/package/1001/x", OMKT_EPERM, 0,
         0, false, NULL},
        {"/v1/signed/1700000000.D457a096fb345413cde461f4a8d6461a86947edc77884"
         "08153cc550de5143163/media/2/package/1001/x",
         OMKT_EPERM, 0, 0, false, NULL},
        {"/v1/signed/1234567890123." SIG "/media/2/package/1001/x", OMKT_EPERM,
         0, 0, false, NULL},
        {"/v1/signed/", OMKT_EPERM, 0, 0, false, NULL},
    };
    struct pkgurl u;

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        int rc = pkgurl_parse(c[i].path, &u);

        OMKT_CHECK_INT(rc, c[i].rc, "parse %zu: %s", i, c[i].path);
        OMKT_CHECK(c[i].rc != OMKT_OK || pkgurl_is(c[i].path), "routed %zu", i);
        if (rc != OMKT_OK || c[i].rc != OMKT_OK)
            continue;
        OMKT_CHECK_INT(u.media_id, c[i].media, "media %zu", i);
        OMKT_CHECK_INT(u.setting_id, c[i].setting, "setting %zu", i);
        OMKT_CHECK_INT(u.is_signed, c[i].is_signed, "signed %zu", i);
        OMKT_CHECK_STR(u.file, c[i].file, "file %zu", i);
    }
    OMKT_CHECK(!pkgurl_is("/v1/media/2"), "not a package URL");
}

static void test_sign(void)
{
    struct omkt_pkgsign p = {.account_id = 1,
                             .media_id = 2,
                             .setting_id = 1001,
                             .expires = 1700000000};
    char tok[OMKT_PKGSIGN_TOKEN_MAX], url[512];

    OMKT_CHECK_INT(omkt_pkgsign_token(KEY, &p, tok, sizeof(tok)), OMKT_OK,
                   "token");
    OMKT_CHECK_STR(tok, "1700000000." SIG, "the documented HMAC");
    OMKT_CHECK(omkt_pkgsign_valid(KEY, &p, SIG), "valid");
    OMKT_CHECK(!omkt_pkgsign_valid("another key", &p, SIG), "another key");
    p.media_id = 3;
    OMKT_CHECK(!omkt_pkgsign_valid(KEY, &p, SIG), "another media");
    p.media_id = 2;
    p.account_id = 7;
    OMKT_CHECK(!omkt_pkgsign_valid(KEY, &p, SIG), "another account");
    p.account_id = 1;
    p.expires++;
    OMKT_CHECK(!omkt_pkgsign_valid(KEY, &p, SIG), "another expiry");
    p.expires--;
    OMKT_CHECK(!omkt_pkgsign_valid(KEY, &p, SIG "0"), "too long");
    OMKT_CHECK(!omkt_pkgsign_valid(KEY, &p, ""), "empty");
    OMKT_CHECK_INT(omkt_pkgsign_url(url, sizeof(url), "http://h:1", KEY, &p,
                                    "master.m3u8"),
                   OMKT_OK, "url");
    OMKT_CHECK_STR(url,
                   "http://h:1/v1/signed/1700000000." SIG
                   "/media/2/package/1001/master.m3u8",
                   "url");
    OMKT_CHECK_INT(omkt_pkgsign_url(url, 40, "http://h:1", KEY, &p, "x"),
                   OMKT_ETOOBIG, "truncation refused");
    OMKT_CHECK(omkt_pkgsign_is_package(1001) && !omkt_pkgsign_is_package(11),
               "1001 is the package setting");
}

static void test_cors(void)
{
    static const struct {
        const char *list, *origin;
        bool is_allowed;
    } c[] = {
        {"https://a.example", "https://a.example", true},
        {"https://a.example, https://b.example", "https://b.example", true},
        {"https://a.example,https://b.example", "https://b.example", true},
        {"https://a.example", "https://a.example.evil", false},
        {"https://a.example.evil", "https://a.example", false},
        {"https://a.example", "http://a.example", false},
        {"*", "https://any.example", true},
        {"", "https://a.example", false},
        {"https://a.example", NULL, false},
        {"https://a.example", "", false},
        {" , ", "", false},
    };

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        OMKT_CHECK_INT(cors_allows(c[i].list, c[i].origin), c[i].is_allowed,
                       "cors %zu", i);
}

int main(void)
{
    test_parse();
    test_sign();
    test_cors();
    return omkt_test_done();
}
