/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * h_nommer - media-nommer compatibility: POST /job/submit/ with a JSON
 * body (or form fields) source_path, dest_path, notify_url, job_options,
 * answering {"success":true,"job_id":"..."} or {"success":false,
 * "error_code":N,"message":"..."} (HTTP 200, as feederd did, so its
 * clients read the reason).  http(s) sources are downloaded; file://
 * sources and destinations must lie inside the document root; s3://
 * ones are S3 objects (their secrets kept apart: common/s3job.h).  The
 * account is named by its API key: in the path (a base URL of
 * "http://HOST:PORT/nommer/<key>", all the unmodified client can give),
 * X-API-Key, Authorization (Bearer or Basic password) or an "api_key"
 * field.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apid/auth.h"
#include "apid/h_nommer.h"
#include "apid/limits.h"
#include "apid/nommer_map.h"
#include "apid/rest.h"
#include "apid/server.h"
#include "common/alloc.h"
#include "common/db_media.h"
#include "common/log.h"
#include "common/path.h"
#include "common/s3job.h"
#include "common/text.h"
#include "media/settings.h"

/* One submission being checked. */
struct nom {
    struct apid_req *r;
    json_t *body;
    struct omkt_account acc;
    char local[PATH_MAX]; /* source, relative to the docroot */
    char dest[PATH_MAX];  /* destination, relative */
    char msg[OMKT_ERRBUF_LEN + 32];
    char *s3_src;    /* an s3:// source as shown (secret masked) */
    json_t *s3_keep; /* the secrets of s3:// paths (common/s3job.h) */
};

/* fail - {"success":false,...}; @msg may quote client text or a lower
 * layer's cut message: it is made valid UTF-8 first, or jansson would
 * refuse it and the client get an empty reply. */
static enum MHD_Result fail(struct nom *n, int code, const char *msg)
{
    char clean[sizeof(n->msg)];

    (void)omkt_text_copy(clean, sizeof(clean), msg); /* cut: still a reason */
    n->r->action = "nommer";
    return apid_reply_json(n->r, 200,
                           json_pack("{s:b, s:i, s:s}", "success", 0,
                                     "error_code", code, "message", clean));
}

/* is_json_body - the raw body is a JSON object, whatever its declared
 * type: media-nommer-api-python posts json.dumps(...) through urllib2,
 * whose default Content-Type is application/x-www-form-urlencoded. */
static bool is_json_body(const struct apid_req *r)
{
    size_t i = 0;

    while (r->body != NULL && i < r->body_len && r->body[i] != '\0' &&
           strchr(" \t\r\n", r->body[i]) != NULL)
        i++;
    return r->body != NULL && i < r->body_len && r->body[i] == '{';
}

/* body_of - the request as a JSON object (new), from the raw JSON body
 * or else the form fields. */
static json_t *body_of(struct apid_req *r)
{
    static const char *const keys[] = {"source_path", "dest_path", "notify_url",
                                       "job_options", "api_key",   "preset"};
    json_t *o;

    if (is_json_body(r))
        return json_loadb(r->body, r->body_len, 0, NULL);
    o = json_object();
    for (size_t i = 0; i < OMKT_ARRAY_LEN(keys); i++) {
        const char *v = params_get(&r->params, keys[i]);

        if (v != NULL && omkt_utf8_valid(v, strlen(v)))
            json_object_set_new(o, keys[i], json_string(v));
    }
    return o;
}

/* key_of - the API key of the request (in @buf or borrowed from the
 * body), or NULL: the path's or the headers' (auth.h), else an
 * "api_key" field. */
static const char *key_of(struct nom *n, char *buf, size_t size)
{
    const char *k = auth_nommer_key(n->r, buf, size);

    if (k == NULL)
        k = json_string_value(json_object_get(n->body, "api_key"));
    return k;
}

/* docroot_rel - the part of absolute path @abs below the document root
 * (as configured, or as it resolves), or NULL.  Lexical. */
static const char *docroot_rel(const char *root, const char *abs)
{
    char real[PATH_MAX];
    size_t len = strlen(root);

    if (strncmp(abs, root, len) == 0 && abs[len] == '/')
        return abs + len + 1;
    if (realpath(root, real) == NULL)
        return NULL;
    len = strlen(real);
    if (strncmp(abs, real, len) == 0 && abs[len] == '/')
        return abs + len + 1;
    return NULL;
}

/* under_root - absolute @abs inside the docroot (through the path layer:
 * clean, no symlink out): its relative part into @rel.  With
 * @is_existing it must be a regular file, and @rel is where it really
 * is (symlinks inside the docroot resolved), so that is_foreign() judges
 * the file read, not the link's name. */
static bool under_root(struct nom *n, const char *abs, char *rel, size_t size,
                       bool is_existing)
{
    const char *root = n->r->a->d->common.docroot;
    const char *r = docroot_rel(root, abs);
    char full[PATH_MAX], real[PATH_MAX];
    struct stat st;

    if (r == NULL || omkt_path_under(root, r, full, sizeof(full)) != OMKT_OK)
        return false;
    if (!is_existing)
        return omkt_text_copy(rel, size, r) == OMKT_OK;
    if (realpath(full, real) == NULL || stat(real, &st) != 0 ||
        !S_ISREG(st.st_mode))
        return false;
    r = docroot_rel(root, real);
    return r != NULL && omkt_path_is_rel(r) &&
           omkt_text_copy(rel, size, r) == OMKT_OK;
}

/* is_foreign - @rel (relative to the docroot) lies in another account's
 * part of the trees the transcoder manages (media/, export/). */
static bool is_foreign(const struct nom *n, const char *rel)
{
    static const char *const trees[] = {"media/", "export/"};
    char own[64];

    for (size_t i = 0; i < OMKT_ARRAY_LEN(trees); i++) {
        size_t len = strlen(trees[i]);

        if (strncmp(rel, trees[i], len) != 0)
            continue;
        snprintf(own, sizeof(own), "%s%" PRId64 "/", trees[i], n->acc.id);
        return strncmp(rel, own, strlen(own)) != 0;
    }
    return false;
}

/* dest_of - dest_path as a docroot-relative path in n->dest, a file
 * inside the account's export directory; false when it is elsewhere, not
 * a clean relative path ("", ".", "a/.", "..", "a/" ...) or too long. */
static bool dest_of(struct nom *n, const char *dst)
{
    const char *root = n->r->a->d->common.docroot;
    char area[64], full[PATH_MAX];
    size_t len;

    if (omkt_export_dir(area, sizeof(area), n->acc.id) != OMKT_OK ||
        strlen(dst) > APID_DEST_MAX)
        return false;
    len = strlen(area);
    if (strncmp(dst, "file://", 7) == 0)
        return under_root(n, dst + 7, n->dest, sizeof(n->dest), false) &&
               strncmp(n->dest, area, len) == 0 && n->dest[len] == '/';
    return omkt_path_is_rel(dst) && strstr(dst, "://") == NULL &&
           omkt_path_join(n->dest, sizeof(n->dest), area, dst) == OMKT_OK &&
           omkt_path_under(root, n->dest, full, sizeof(full)) == OMKT_OK;
}

/* s3_path - an s3:// path as shown (new), its secret kept in n->s3_keep;
 * NULL when it is not a usable s3:// URI. */
static char *s3_path(struct nom *n, const char *uri, const char *which)
{
    struct omkt_errbuf eb = {0};
    char *shown = NULL;

    if (n->s3_keep == NULL)
        n->s3_keep = json_object();
    if (strlen(uri) > APID_URL_MAX ||
        omkt_s3job_hide(uri, n->s3_keep, which, &shown, &eb) != OMKT_OK)
        return NULL;
    return shown;
}

/* s3_dest - an s3:// dest_path as shown in n->dest. */
static bool s3_dest(struct nom *n, const char *dst)
{
    char *shown = s3_path(n, dst, OMKT_S3JOB_DEST);
    bool ok = shown != NULL &&
              omkt_text_copy(n->dest, sizeof(n->dest), shown) == OMKT_OK;

    free(shown);
    return ok;
}

/* paths - check source_path and dest_path; NULL or why not. */
static const char *paths(struct nom *n, const char **url, bool *is_local)
{
    const char *src =
        json_string_value(json_object_get(n->body, "source_path"));
    const char *dst = json_string_value(json_object_get(n->body, "dest_path"));

    *url = src;
    *is_local = src != NULL && strncmp(src, "file://", 7) == 0;
    if (src == NULL || dst == NULL)
        return "source_path and dest_path are required";
    if (*is_local &&
        (!under_root(n, src + 7, n->local, sizeof(n->local), true) ||
         is_foreign(n, n->local)))
        return "source_path: no such file inside the document root";
    if (omkt_s3_uri_is_s3(src)) {
        n->s3_src = s3_path(n, src, OMKT_S3JOB_SOURCE);
        *url = n->s3_src;
        if (n->s3_src == NULL)
            return "source_path: s3://[KEY:SECRET@]bucket/key";
    } else if (!*is_local && (strlen(src) > APID_URL_MAX ||
                              (strncmp(src, "http://", 7) != 0 &&
                               strncmp(src, "https://", 8) != 0)))
        return "source_path: http://, https://, s3:// or file:// (inside "
               "the document root)";
    if (omkt_s3_uri_is_s3(dst) && !s3_dest(n, dst))
        return "dest_path: s3://[KEY:SECRET@]bucket/key";
    if (!omkt_s3_uri_is_s3(dst) && !dest_of(n, dst))
        return "dest_path: a file path (at most 1024 bytes, no \".\" or "
               "\"..\" component) relative to the account's export "
               "directory (export/<account id>/ in the document root), or "
               "a file:// path inside it";
    return NULL;
}

/* auth - the door's verdict as a media-nommer answer; true when the call
 * may go on. */
static bool auth(struct nom *n, enum MHD_Result *res)
{
    char buf[APID_AUTH_KEY_MAX];

    *res = MHD_NO; /* every verdict below answers */
    switch (auth_check(n->r, key_of(n, buf, sizeof(buf)), true, &n->acc)) {
    case APID_AUTH_OK:
        return true;
    case APID_AUTH_NO_KEY:
        *res = fail(n, 401,
                    "an API key is required (a base URL of "
                    "http://HOST:PORT/nommer/<key>, or X-API-Key)");
        break;
    case APID_AUTH_UNKNOWN:
        *res = fail(n, 401, "unknown API key");
        break;
    case APID_AUTH_DISABLED:
        *res = fail(n, 403, "this account is disabled");
        break;
    case APID_AUTH_DB_DOWN:
        *res = fail(n, 503, "database unavailable, retry later");
        break;
    case APID_AUTH_LIMITED:
        *res = fail(n, 429, "too many calls per minute, slow down");
        break;
    }
    return false;
}

/* check_setting - can the engine make @setting?  NULL or why not. */
static const char *check_setting(struct nom *n, json_t *setting, int base)
{
    struct omkt_errbuf eb = {0};
    struct omkt_setting *s = NULL;

    if (omkt_setting_from_json(setting, base, &s, &eb) == OMKT_OK) {
        omkt_setting_free(s);
        return NULL;
    }
    snprintf(n->msg, sizeof(n->msg), "job_options: %s", eb.msg);
    return n->msg;
}

/* submit - map, record, answer. */
static enum MHD_Result submit(struct nom *n)
{
    struct rest_submission s = {0};
    struct omkt_errbuf eb = {0};
    const char *notify =
        json_string_value(json_object_get(n->body, "notify_url"));
    json_t *setting = NULL;
    char set[16], id[32];
    bool is_local = false, is_replay = false;
    int base = 0;
    int64_t mid = 0;
    const char *bad = paths(n, &s.url, &is_local);

    if (bad == NULL && notify != NULL && notify[0] != '\0' &&
        ((strncmp(notify, "http://", 7) != 0 &&
          strncmp(notify, "https://", 8) != 0) ||
         strlen(notify) > APID_URL_MAX))
        bad = "notify_url: an http:// or https:// URL of at most 2048 "
              "bytes";
    if (bad == NULL)
        bad = nommer_map(json_object_get(n->body, "job_options"), &base,
                         &setting, n->msg, sizeof(n->msg));
    if (bad == NULL)
        bad = check_setting(n, setting, base);
    if (bad != NULL) {
        json_decref(setting);
        return fail(n, 400, bad);
    }
    json_object_set_new(setting, "dest_path", json_string(n->dest));
    (void)json_object_update(setting, n->s3_keep); /* none: nothing to add */
    s.job_options = json_dumps(setting, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(setting);
    snprintf(set, sizeof(set), "%d", base);
    s.settings = set;
    s.notify_url = notify && notify[0] ? notify : NULL;
    s.local_path = is_local ? n->local : NULL;
    s.url = is_local ? NULL : s.url;
    if (rest_create(n->r->db, n->acc.id, &s, &mid, &is_replay, &eb) !=
        OMKT_OK) {
        omkt_log(OMKT_LOG_ERR, "account=%" PRId64 " nommer submit: %s",
                 n->acc.id, eb.msg);
        free((char *)s.job_options);
        return fail(n, 503, "could not record the job, retry later");
    }
    free((char *)s.job_options);
    snprintf(id, sizeof(id), "%" PRId64, mid);
    return apid_reply_json(n->r, 200,
                           json_pack("{s:b, s:s}", "success", 1, "job_id", id));
}

enum MHD_Result h_nommer(struct apid_req *r)
{
    struct nom *n = omkt_xcalloc(1, sizeof(*n));
    enum MHD_Result res;

    n->r = r;
    n->body = body_of(r);
    if (!json_is_object(n->body))
        res = fail(n, 400, "the body must be a JSON object (UTF-8)");
    else if (auth(n, &res))
        res = submit(n);
    json_decref(n->body);
    json_decref(n->s3_keep);
    free(n->s3_src);
    omkt_account_clear(&n->acc);
    free(n);
    return res;
}
