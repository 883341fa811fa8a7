/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * h_rest - the JSON REST API for new clients under /v1/ (documented in
 * docs/openapi.yaml): submit a media by URL with the settings wanted, a
 * callback URL, a priority and an idempotency key; get one with its
 * transcodes, jobs, progress, errors and download links; list with
 * filters and paging; cancel; retry; list settings; download outputs.
 * Authentication: "X-API-Key: KEY" or "Authorization: Bearer KEY".
 * Errors: {"error":{"code":"...","message":"..."}}.  An account only ever
 * sees its own media: every lookup checks the owner and answers 404.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid/apid.h"
#include "apid/auth.h"
#include "apid/files.h"
#include "apid/h_rest.h"
#include "apid/rest.h"
#include "apid/server.h"
#include "common/alloc.h"
#include "common/db_jobs.h"
#include "common/db_media.h"
#include "common/db_transcodes.h"
#include "common/log.h"
#include "media/settings.h"

#define SEG_MAX 6

enum MHD_Result rest_auth_error(struct apid_req *r, enum apid_auth v)
{
    switch (v) {
    case APID_AUTH_OK:
        break;
    case APID_AUTH_NO_KEY:
        return apid_reply_error(r, 401, "unauthorized",
                                "send your API key in X-API-Key");
    case APID_AUTH_UNKNOWN:
        return apid_reply_error(r, 401, "unauthorized", "unknown key");
    case APID_AUTH_DISABLED:
        return apid_reply_error(r, 403, "account_disabled",
                                "this account is disabled");
    case APID_AUTH_DB_DOWN:
        return apid_reply_error(r, 503, "unavailable",
                                "database unavailable, retry later");
    case APID_AUTH_LIMITED:
        return apid_reply_error(r, 429, "rate_limited",
                                "too many calls per minute, slow down");
    }
    return MHD_NO; /* APID_AUTH_OK is not an error: nothing answered */
}

/* auth - the door's verdict as a REST error; true when the call may go
 * on.  Downloads (@is_limited false) do not count against the rate. */
static bool auth(struct rest *x, bool is_limited, enum MHD_Result *res)
{
    struct apid_req *r = x->r;
    char buf[APID_AUTH_KEY_MAX];
    const char *key = auth_header_key(r, buf, sizeof(buf));
    enum apid_auth v = auth_check(r, key, is_limited, &x->acc);

    *res = rest_auth_error(r, v);
    return v == APID_AUTH_OK;
}

/* split - "/v1/a/b/c" into segments of @buf; their count. */
static size_t split(const char *url, char *buf, size_t size, char **seg)
{
    size_t n = 0;
    char *p = buf;

    snprintf(buf, size, "%s", url + 4);
    while (p != NULL && *p != '\0' && n < SEG_MAX) {
        char *slash = strchr(p, '/');

        if (slash != NULL)
            *slash = '\0';
        seg[n++] = p;
        p = slash ? slash + 1 : NULL;
    }
    return p != NULL && *p != '\0' ? SEG_MAX + 1 : n;
}

/* seg_id - a strictly positive decimal id, or -1. */
static int64_t seg_id(const char *s)
{
    int64_t v = 0;

    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return s[0] != '\0' && v > 0 ? v : -1;
}

/* is_method - the request's method is @m. */
static bool is_method(const struct apid_req *r, const char *m)
{
    return strcmp(r->method, m) == 0;
}

static enum MHD_Result route(struct apid_req *r, struct rest *x, char **seg,
                             size_t n)
{
    bool is_get = is_method(r, "GET") || r->is_head;
    bool is_post = is_method(r, "POST");
    int64_t id = n >= 2 ? seg_id(seg[1]) : 0;

    if (n == 1 && strcmp(seg[0], "settings") == 0 && is_get)
        return rest_settings(x);
    if (n < 1 || strcmp(seg[0], "media") != 0 || id < 0)
        return apid_reply_error(r, 404, "not_found", "no such resource");
    if (n == 1 && is_post)
        return rest_submit(x);
    if (n == 1 && is_get)
        return rest_list(x);
    if (n == 2 && is_get)
        return rest_get(x, id);
    if (n == 3 && is_post && strcmp(seg[2], "cancel") == 0)
        return rest_cancel(x, id);
    if (n == 3 && is_post && strcmp(seg[2], "retry") == 0)
        return rest_retry(x, id);
    if (n == 5 && is_get && strcmp(seg[2], "transcodes") == 0 &&
        strcmp(seg[4], "file") == 0 && seg_id(seg[3]) > 0)
        return rest_file(x, id, seg_id(seg[3]));
    if (n >= 1 && n <= 5)
        return apid_reply_error(r, 405, "method_not_allowed",
                                "method not allowed on this resource");
    return apid_reply_error(r, 404, "not_found", "no such resource");
}

enum MHD_Result h_rest(struct apid_req *r)
{
    struct rest x = {.r = r};
    char buf[512];
    char *seg[SEG_MAX];
    size_t n = split(r->url, buf, sizeof(buf), seg);
    enum MHD_Result res;
    bool is_file = n == 5;

    if (n > SEG_MAX || strlen(r->url) >= sizeof(buf))
        return apid_reply_error(r, 404, "not_found", "no such resource");
    if (!auth(&x, !is_file, &res))
        goto out;
    res = route(r, &x, seg, n);
out:
    omkt_account_clear(&x.acc);
    return res;
}
