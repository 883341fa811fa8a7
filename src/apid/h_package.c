/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * h_package - serving streaming packages (see h_package.h).
 *
 * DESIGN: nothing of the URL names a file on disk but its FILE part,
 * which files_send_in() joins to the transcode row's directory through
 * the path layer.  A signed URL finds its account through the media's
 * owner; the auth door checks the signature and expiry.  Client errors
 * are 4xx: a malformed, tampered or expired signature, an unknown media
 * through a signed URL: 403; anything not found: 404.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apid/auth.h"
#include "apid/cors.h"
#include "apid/files.h"
#include "apid/h_package.h"
#include "apid/h_rest.h"
#include "apid/pkgurl.h"
#include "apid/server.h"
#include "common/db_media.h"
#include "common/db_transcodes.h"
#include "common/log.h"
#include "common/pkgsign.h"

/* Caching: segments never change once published; manifests briefly. */
#define IMMUTABLE_S (365 * 24 * 3600)
#define MANIFEST_S  10

/* One request's state. */
struct pkg {
    struct pkgurl u;
    struct omkt_media m;
    struct omkt_account acc;
    struct omkt_transcode t;
};

/* forbidden - 403 for signed URLs. */
static enum MHD_Result forbidden(struct apid_req *r, const char *msg)
{
    return apid_reply_error(r, 403, "forbidden", msg);
}

/* not_found - 404. */
static enum MHD_Result not_found(struct apid_req *r, const char *msg)
{
    return apid_reply_error(r, 404, "not_found", msg);
}

/* file_err - files_send_in errors as REST errors. */
static enum MHD_Result file_err(struct apid_req *r, int code, const char *msg)
{
    if (code == 404)
        return not_found(r, msg);
    if (code == 416)
        return apid_reply_error(r, 416, "range_not_satisfiable", msg);
    return apid_reply_error(r, 500, "internal", msg);
}

/* mime_of - the Content-Type of package file @file, NULL for a file
 * that is no part of a package; *is_manifest for playlists. */
static const char *mime_of(const char *file, bool *is_manifest)
{
    const char *dot = strrchr(file, '.');
    bool is_audio = file[0] == 'a'; /* the audio renditions: a0/, a1/ */

    *is_manifest = false;
    if (dot == NULL || strchr(dot, '/') != NULL)
        return NULL;
    if (strcmp(dot, ".m4s") == 0 || strcmp(dot, ".mp4") == 0)
        return is_audio ? "audio/mp4" : "video/mp4";
    if (strcmp(dot, ".jpg") == 0)
        return "image/jpeg";
    *is_manifest = true;
    if (strcmp(dot, ".m3u8") == 0)
        return "application/vnd.apple.mpegurl";
    if (strcmp(dot, ".mpd") == 0)
        return "application/dash+xml";
    if (strcmp(dot, ".vtt") == 0)
        return "text/vtt";
    return NULL;
}

/* cache_of - the Cache-Control of a file into @buf: shared caches only
 * for signed URLs, and never past their expiry. */
static const char *cache_of(const struct pkgurl *u, bool is_manifest, char *buf,
                            size_t size)
{
    int64_t max_s = is_manifest ? MANIFEST_S : IMMUTABLE_S;
    int64_t left_s = u->expires - (int64_t)time(NULL);

    if (u->is_signed && left_s < max_s)
        max_s = left_s > 0 ? left_s : 0;
    snprintf(buf, size, "%s, max-age=%" PRId64 "%s",
             u->is_signed ? "public" : "private", max_s,
             is_manifest ? "" : ", immutable");
    return buf;
}

/* media_of - the media of the URL into @p->m; false with the answer. */
static bool media_of(struct apid_req *r, struct pkg *p, enum MHD_Result *res)
{
    int rc = apid_db(r) ? omkt_media_get(apid_db(r), p->u.media_id, &p->m, NULL)
                        : OMKT_EDB;

    if (rc == OMKT_OK)
        return true;
    if (rc != OMKT_ENOTFOUND)
        *res = apid_reply_error(r, 503, "unavailable",
                                "database unavailable, retry later");
    else if (p->u.is_signed)
        *res = forbidden(r, "bad signature");
    else
        *res = not_found(r, "no such media");
    return false;
}

/* signed_in - the door's verdict on a signed URL. */
static bool signed_in(struct apid_req *r, struct pkg *p, enum MHD_Result *res)
{
    struct omkt_pkgsign s = {.account_id = p->m.account_id,
                             .media_id = p->u.media_id,
                             .setting_id = p->u.setting_id,
                             .expires = p->u.expires};
    enum apid_auth v;

    if (!media_of(r, p, res))
        return false;
    s.account_id = p->m.account_id;
    v = auth_signed(r, &s, p->u.sig, (int64_t)time(NULL), &p->acc);
    if (v == APID_AUTH_UNKNOWN)
        *res = forbidden(r, p->u.expires < (int64_t)time(NULL)
                                ? "signature expired"
                                : "bad signature");
    else if (v != APID_AUTH_OK)
        *res = rest_auth_error(r, v);
    return v == APID_AUTH_OK;
}

/* keyed_in - the door's verdict on the API key of the headers. */
static bool keyed_in(struct apid_req *r, struct pkg *p, enum MHD_Result *res)
{
    char buf[APID_AUTH_KEY_MAX];
    const char *key = auth_header_key(r, buf, sizeof(buf));
    enum apid_auth v = auth_check(r, key, false, &p->acc);

    if (v != APID_AUTH_OK) {
        *res = rest_auth_error(r, v);
        return false;
    }
    if (!media_of(r, p, res))
        return false;
    if (p->m.account_id == p->acc.id)
        return true;
    *res = not_found(r, "no such media"); /* someone else's */
    return false;
}

/* with_cors - mark the request for the CORS of account @id. */
static void with_cors(struct apid_req *r, int64_t id)
{
    char *list = NULL;

    if (omkt_account_cors(apid_db(r), id, &list, NULL) == OMKT_OK)
        cors_apply(r, list);
    free(list);
}

/* preflight - OPTIONS: no credential comes with it, so the media's owner
 * says which origins may ask (an unknown media: no CORS headers). */
static enum MHD_Result preflight(struct apid_req *r, struct pkg *p)
{
    if (apid_db(r) != NULL &&
        omkt_media_get(apid_db(r), p->u.media_id, &p->m, NULL) == OMKT_OK)
        with_cors(r, p->m.account_id);
    return cors_preflight(r);
}

/* serve - the authenticated request: the file of a finished package. */
static enum MHD_Result serve(struct apid_req *r, struct pkg *p)
{
    char cache[96];
    bool is_manifest = false;
    const char *mime = mime_of(p->u.file, &is_manifest);
    int rc;

    with_cors(r, p->acc.id);
    rc = omkt_transcode_find(apid_db(r), p->u.media_id, (int)p->u.setting_id,
                             &p->t, NULL);
    if (rc != OMKT_OK && rc != OMKT_ENOTFOUND)
        return apid_reply_error(r, 503, "unavailable",
                                "database unavailable, retry later");
    if (rc != OMKT_OK || strcmp(p->t.state, "processed") != 0)
        return not_found(r, "no such package (not done?)");
    if (mime == NULL)
        return not_found(r, "no such file in this package");
    return files_send_in(
        r, &p->m, &p->t, p->u.file,
        &(struct files_opts){
            .mime = mime,
            .cache_control = cache_of(&p->u, is_manifest, cache, sizeof(cache)),
            .is_conditional = true},
        file_err);
}

enum MHD_Result h_package(struct apid_req *r)
{
    struct pkg p = {0};
    enum MHD_Result res = MHD_NO;
    int rc = pkgurl_parse(r->url, &p.u);
    bool is_in;

    if (rc == OMKT_EPERM)
        return forbidden(r, "malformed signature");
    if (rc != OMKT_OK || !omkt_pkgsign_is_package(p.u.setting_id))
        return not_found(r, "no such package");
    if (strcmp(r->method, "OPTIONS") == 0) {
        res = preflight(r, &p);
        goto out;
    }
    is_in = p.u.is_signed ? signed_in(r, &p, &res) : keyed_in(r, &p, &res);
    if (is_in)
        res = serve(r, &p);
out:
    omkt_transcode_clear(&p.t);
    omkt_account_clear(&p.acc);
    omkt_media_clear(&p.m);
    return res;
}
