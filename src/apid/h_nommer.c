/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * h_nommer - media-nommer compatibility: POST /job/submit/ with a JSON
 * body (or form fields) source_path, dest_path, notify_url, job_options,
 * answering {"success":true,"job_id":"..."} or {"success":false,
 * "error_code":N,"message":"..."} (HTTP 200, as feederd did, so its
 * clients read the reason).  http(s) sources are downloaded; file://
 * sources and destinations must lie inside the document root.  The
 * account is named by its API key: X-API-Key, Authorization (Bearer or
 * Basic password) or an "api_key" field.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apid/nommer_map.h"
#include "apid/rest.h"
#include "media/settings.h"
#include "common/alloc.h"
#include "common/db_media.h"
#include "common/log.h"
#include "common/text.h"

/* One submission being checked. */
struct nom {
    struct apid_req *r;
    json_t *body;
    struct omkt_account acc;
    char local[PATH_MAX]; /* source, relative to the docroot */
    char dest[PATH_MAX];  /* destination, relative */
    char msg[OMKT_ERRBUF_LEN + 32];
};

static enum MHD_Result fail(struct nom *n, int code, const char *msg)
{
    n->r->action = "nommer";
    return apid_reply_json(n->r, 200,
                           json_pack("{s:b, s:i, s:s}", "success", 0,
                                     "error_code", code, "message", msg));
}

/* body_of - the request as a JSON object (new), from JSON or form. */
static json_t *body_of(struct apid_req *r)
{
    static const char *const keys[] = {"source_path", "dest_path", "notify_url",
                                       "job_options", "api_key",   "preset"};
    json_t *o;

    if (r->body != NULL && r->body[0] == '{')
        return json_loadb(r->body, r->body_len, 0, NULL);
    o = json_object();
    for (size_t i = 0; i < OMKT_ARRAY_LEN(keys); i++) {
        const char *v = params_get(&r->params, keys[i]);

        if (v != NULL && omkt_utf8_valid(v, strlen(v)))
            json_object_set_new(o, keys[i], json_string(v));
    }
    return o;
}

/* key_of - the API key of the request (borrowed), or NULL. */
static const char *key_of(struct nom *n)
{
    const char *k = apid_header(n->r, "X-API-Key");
    const char *auth = apid_header(n->r, MHD_HTTP_HEADER_AUTHORIZATION);

    if (k == NULL && auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
        k = auth + 7;
    if (k == NULL)
        k = json_string_value(json_object_get(n->body, "api_key"));
    return k;
}

/* under_root - @abs (no "..") inside the docroot: its relative part. */
static bool under_root(struct nom *n, const char *abs, char *rel, size_t size,
                       bool is_existing)
{
    char root[PATH_MAX], real[PATH_MAX];
    const char *p = abs;
    size_t len;
    struct stat st;

    if (realpath(n->r->a->d->common.docroot, root) == NULL ||
        strstr(abs, "..") != NULL || abs[0] != '/')
        return false;
    if (is_existing) {
        if (realpath(abs, real) == NULL || stat(real, &st) != 0 ||
            !S_ISREG(st.st_mode))
            return false;
        p = real;
    }
    len = strlen(root);
    if (strncmp(p, root, len) != 0 || p[len] != '/' || p[len + 1] == '\0')
        return false;
    return (size_t)snprintf(rel, size, "%s", p + len + 1) < size;
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

/* dest_of - dest_path as a docroot-relative path in n->dest, inside the
 * account's export directory; false when it is elsewhere. */
static bool dest_of(struct nom *n, const char *dst)
{
    char area[64];
    size_t len;

    if (omkt_export_dir(area, sizeof(area), n->acc.id) != OMKT_OK)
        return false;
    len = strlen(area);
    if (strncmp(dst, "file://", 7) == 0)
        return under_root(n, dst + 7, n->dest, sizeof(n->dest), false) &&
               strncmp(n->dest, area, len) == 0 && n->dest[len] == '/' &&
               n->dest[strlen(n->dest) - 1] != '/';
    return dst[0] != '/' && dst[0] != '\0' && strstr(dst, "..") == NULL &&
           strstr(dst, "://") == NULL && dst[strlen(dst) - 1] != '/' &&
           (size_t)snprintf(n->dest, sizeof(n->dest), "%s/%s", area, dst) <
               sizeof(n->dest);
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
    if (!*is_local &&
        (strlen(src) > 2048 ||
         (strncmp(src, "http://", 7) != 0 && strncmp(src, "https://", 8) != 0)))
        return "source_path: http://, https:// or file:// (inside the "
               "document root)";
    if (!dest_of(n, dst))
        return "dest_path: a file path relative to the account's export "
               "directory (export/<account id>/ in the document root), or "
               "a file:// path inside it";
    return NULL;
}

/* auth - the account of the key; false with the answer in *res. */
static bool auth(struct nom *n, enum MHD_Result *res)
{
    const char *key = key_of(n);
    int rc;

    if (key == NULL || key[0] == '\0') {
        *res = fail(n, 401, "an API key is required (X-API-Key)");
        return false;
    }
    rc = apid_account(n->r, key, &n->acc);
    if (rc != OMKT_OK || !n->acc.is_enabled) {
        *res = rc == OMKT_OK          ? fail(n, 403, "this account is disabled")
               : rc == OMKT_ENOTFOUND ? fail(n, 401, "unknown API key")
                                      : fail(n, 503, "database unavailable");
        return false;
    }
    if (apid_db(n->r) == NULL) {
        *res = fail(n, 503, "database unavailable, retry later");
        return false;
    }
    if (!ratelimit_take(&n->r->a->rl, n->acc.id,
                        apid_effective_rate(n->r->a, &n->acc),
                        omkt_wall_ms())) {
        *res = fail(n, 429, "too many calls per minute, slow down");
        return false;
    }
    return true;
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
        strncmp(notify, "http://", 7) != 0 &&
        strncmp(notify, "https://", 8) != 0)
        bad = "notify_url: an http:// or https:// URL";
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
    omkt_account_clear(&n->acc);
    free(n);
    return res;
}
