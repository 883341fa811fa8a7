/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_pkgurl - libFuzzer target: the parsers of client bytes of the
 * streaming package URLs: pkgurl_parse (src/apid/pkgurl.c) on any path,
 * the signature check (src/common/pkgsign.c) on what it parsed, and
 * cors_allows (src/apid/cors.c) on any origin.
 *
 * Input: the path (as libmicrohttpd hands it: decoded, no query); a
 * newline, then an Origin header value and its account's list (split
 * at a second newline) for cors_allows.
 *
 * Oracles: ASan/UBSan; a parsed URL has positive ids and a non-empty
 * FILE that ends the path, a signed one 64 lowercase hex digits and an
 * expiry, and the URL made again from its parts (omkt_pkgsign_url with
 * the parsed values) is the input; only the right signature passes;
 * an origin is allowed only when it is in the list or the list has *.
 */
#include <inttypes.h>
#include <string.h>

#include "apid/cors.h"
#include "apid/pkgurl.h"
#include "common/err.h"
#include "common/pkgsign.h"
#include "fuzz.h"

#define SECRET "0123456789abcdef0123456789abcdef"

/* check_signed - the parts of a signed URL make the same URL again. */
static void check_signed(const char *path, const struct pkgurl *u)
{
    struct omkt_pkgsign p = {.account_id = 1,
                             .media_id = u->media_id,
                             .setting_id = u->setting_id,
                             .expires = u->expires};
    char again[4096], tok[OMKT_PKGSIGN_TOKEN_MAX];
    bool is_valid = omkt_pkgsign_valid(SECRET, &p, u->sig);

    FUZZ_ASSERT(strlen(u->sig) == OMKT_PKGSIGN_SIG_HEX, "signature length");
    FUZZ_ASSERT(u->expires > 0, "no expiry");
    FUZZ_ASSERT(omkt_pkgsign_token(SECRET, &p, tok, sizeof(tok)) == OMKT_OK,
                "cannot sign");
    FUZZ_ASSERT(is_valid == (strcmp(strchr(tok, '.') + 1, u->sig) == 0),
                "a signature passes that is not the right one, or not it");
    if (strlen(path) >= sizeof(again) - 200)
        return;
    snprintf(again, sizeof(again),
             "/v1/signed/%" PRId64 ".%s/media/%" PRId64 "/package/%" PRId64
             "/%s",
             u->expires, u->sig, u->media_id, u->setting_id, u->file);
    FUZZ_ASSERT(strcmp(again, path) == 0 ||
                    /* leading zeros are not kept */
                    strstr(path, "/0") != NULL || strstr(path, ".0") != NULL,
                "the parts do not make the URL again");
}

/* check_parse - the oracles of pkgurl_parse on @path. */
static void check_parse(const char *path)
{
    struct pkgurl u;
    int rc = pkgurl_parse(path, &u);
    size_t n = strlen(path);

    FUZZ_ASSERT(rc == OMKT_OK || rc == OMKT_EINVAL || rc == OMKT_EPERM,
                "unexpected code");
    FUZZ_ASSERT(rc != OMKT_EPERM || strncmp(path, "/v1/signed/", 11) == 0,
                "a bad signature off the signed form");
    if (rc != OMKT_OK)
        return;
    FUZZ_ASSERT(pkgurl_is(path), "parsed but not routed");
    FUZZ_ASSERT(u.media_id > 0 && u.setting_id > 0, "ids");
    FUZZ_ASSERT(u.file != NULL && u.file[0] != '\0', "empty file");
    FUZZ_ASSERT(u.file > path && u.file + strlen(u.file) == path + n,
                "file does not end the path");
    if (u.is_signed)
        check_signed(path, &u);
}

/* check_cors - an origin is allowed only when listed (or *). */
static void check_cors(const char *origin, const char *list)
{
    bool is_allowed = cors_allows(list, origin);
    bool has_star = false, has_it = false;
    size_t n = strlen(origin);
    const char *p = list;

    while (*p != '\0') {
        size_t w;

        p += strspn(p, " ,");
        w = strcspn(p, " ,");
        has_star = has_star || (w == 1 && *p == '*');
        has_it = has_it || (w == n && n > 0 && memcmp(p, origin, n) == 0);
        p += w;
    }
    FUZZ_ASSERT(is_allowed == (n > 0 && (has_star || has_it)),
                "CORS verdict differs from the list");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    char *nl = strchr(text, '\n');
    char *list = NULL;

    if (nl != NULL) {
        *nl = '\0';
        list = strchr(nl + 1, '\n');
        if (list != NULL)
            *list++ = '\0';
    }
    check_parse(text);
    if (nl != NULL)
        check_cors(nl + 1, list ? list : "");
    free(text);
    return 0;
}
