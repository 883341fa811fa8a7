/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rest_media - the handlers of the REST API's resources (see rest.h and
 * docs/openapi.yaml): settings, media submission, listing, details,
 * cancel, retry and output downloads.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid/files.h"
#include "apid/media_verb.h"
#include "apid/rest.h"
#include "apid/rest_split.h"
#include "apid/rest_stream.h"
#include "apid/server.h"
#include "common/alloc.h"
#include "common/db_jobs.h"
#include "common/db_media.h"
#include "common/db_segview.h"
#include "common/db_transcodes.h"
#include "common/jobflow.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/parse.h"
#include "common/pkgsign.h"
#include "common/text.h"
#include "media/settings.h"

#define IDEM_MAX 64

/* db_down - 503. */
static enum MHD_Result db_down(struct apid_req *r)
{
    return apid_reply_error(r, 503, "unavailable",
                            "database unavailable, retry later");
}

enum MHD_Result rest_settings(struct rest *x)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < omkt_settings_count(); i++) {
        const struct omkt_setting *s = omkt_setting_at(i);
        char size43[32] = "", size169[32] = "";

        if (s->w43 > 0)
            snprintf(size43, sizeof(size43), "%dx%d", s->w43, s->h43);
        if (s->w169 > 0)
            snprintf(size169, sizeof(size169), "%dx%d", s->w169, s->h169);
        json_array_append_new(
            arr, json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s?, "
                           "s:s?, s:i}",
                           "id", s->id, "type", omkt_setting_type_name(s->type),
                           "slug", s->slug, "name", s->name, "technical",
                           s->technical, "extension", s->extension, "mime",
                           s->mime, "recommended", s->is_recommended, "size_43",
                           size43[0] ? size43 : NULL, "size_169",
                           size169[0] ? size169 : NULL, "cardinality",
                           s->cardinality));
    }
    return apid_reply_json(x->r, 200, json_pack("{s:o}", "settings", arr));
}

/* first_job - download (remote source) or metadata (already local). */
static int first_job(struct omkt_db *db, int64_t account_id, int64_t id,
                     const struct rest_submission *s, struct omkt_errbuf *eb)
{
    struct omkt_job_new jn = {
        .task = s->local_path ? OMKT_TASK_METADATA : OMKT_TASK_DOWNLOAD,
        .priority = s->priority,
        .account_id = account_id,
        .media_id = id,
    };

    return omkt_job_enqueue(db, &jn, NULL, eb);
}

/* pending - media-nommer's first state, PENDING, for a job it submitted
 * (nothing for REST media). */
static int pending(struct omkt_db *db, int64_t id,
                   const struct rest_submission *s, struct omkt_errbuf *eb)
{
    struct omkt_media m = {0};
    int ret;

    if (s->job_options == NULL || s->notify_url == NULL)
        return OMKT_OK;
    ret = omkt_media_get(db, id, &m, eb);
    if (ret == OMKT_OK)
        ret = omkt_notify_nommer_state(db, &m, "PENDING", NULL, eb);
    omkt_media_clear(&m);
    return ret;
}

int rest_create(struct omkt_db *db, int64_t account_id,
                const struct rest_submission *s, int64_t *id, bool *is_replay,
                struct omkt_errbuf *eb)
{
    struct omkt_media_submit as = {
        .account_id = account_id,
        .url = s->url ? s->url : s->local_path,
        .adapter = s->local_path ? "local" : "http",
        .local_path = s->local_path,
        .want_settings = s->settings,
        .notify_url = s->notify_url,
        .idempotency_key = s->idempotency_key,
        .job_options = s->job_options,
        .external_id = s->external_id,
        .priority = s->priority,
    };
    int ret = omkt_db_begin(db, eb);

    *is_replay = false;
    if (ret == OMKT_OK)
        ret = omkt_media_submit(db, &as, id, eb);
    if (ret == OMKT_EEXIST) {
        omkt_db_rollback(db);
        *is_replay = true;
        return OMKT_OK;
    }
    if (ret == OMKT_OK)
        ret = first_job(db, account_id, *id, s, eb);
    if (ret == OMKT_OK)
        ret = pending(db, *id, s, eb);
    if (ret == OMKT_OK)
        ret = omkt_db_commit(db, eb);
    if (ret != OMKT_OK)
        omkt_db_rollback(db);
    return ret;
}

/* is_http - an http(s) URL of sane length. */
static bool is_http(const char *u)
{
    return u != NULL && strlen(u) <= 2048 &&
           (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0);
}

/* settings_text - the "settings" array as "11,15" into @buf; NULL or
 * the error message. */
static const char *settings_text(json_t *arr, char *buf, size_t size)
{
    size_t i, len = 0;
    json_t *it;

    buf[0] = '\0';
    if (arr == NULL)
        return NULL;
    if (!json_is_array(arr) || json_array_size(arr) > 32)
        return "settings must be an array of at most 32 setting ids";
    json_array_foreach(arr, i, it)
    {
        json_int_t v = json_integer_value(it);

        if (!json_is_integer(it) || v <= 0 || v > INT_MAX ||
            omkt_setting_find((int)v) == NULL)
            return "unknown setting in settings (see GET /v1/settings)";
        len += (size_t)snprintf(buf + len, size - len,
                                "%s%" JSON_INTEGER_FORMAT, i ? "," : "", v);
        if (len >= size)
            return "too many settings";
    }
    return NULL;
}

/*
 * callback_parse - callback_url (or its alias notify_url, the name
 * media-nommer's API uses) and external_id into @s; NULL or why not.
 */
static const char *callback_parse(json_t *b, struct rest_submission *s)
{
    json_t *cb = json_object_get(b, "callback_url");
    json_t *alias = json_object_get(b, "notify_url");
    json_t *ext = json_object_get(b, "external_id");

    if (cb != NULL && alias != NULL && !json_equal(cb, alias))
        return "callback_url and notify_url (its alias) differ";
    cb = cb ? cb : alias;
    if (cb != NULL && !json_is_null(cb) && !is_http(json_string_value(cb)))
        return "callback_url must be an http:// or https:// URL";
    s->notify_url = json_string_value(cb);
    if (ext != NULL && !json_is_null(ext) &&
        (!json_is_string(ext) || json_string_length(ext) == 0 ||
         json_string_length(ext) > 255 ||
         strlen(json_string_value(ext)) != json_string_length(ext)))
        return "external_id must be a string of 1 to 255 bytes";
    s->external_id = json_string_value(ext);
    return NULL;
}

/* submit_parse - the body of POST /v1/media into @s; NULL or why not. */
static const char *submit_parse(json_t *b, const char *hdr_key,
                                struct rest_submission *s, char *set,
                                size_t size)
{
    json_t *prio = json_object_get(b, "priority");
    json_t *key = json_object_get(b, "idempotency_key");
    const char *bad;

    if (!json_is_object(b))
        return "the body must be a JSON object";
    s->url = json_string_value(json_object_get(b, "url"));
    if (!is_http(s->url))
        return "url must be an http:// or https:// URL";
    bad = callback_parse(b, s);
    if (bad != NULL)
        return bad;
    if (prio != NULL &&
        (!json_is_integer(prio) || json_integer_value(prio) < -100 ||
         json_integer_value(prio) > 100))
        return "priority must be an integer from -100 to 100";
    s->priority = (int)json_integer_value(prio);
    s->idempotency_key = hdr_key ? hdr_key : json_string_value(key);
    if (key != NULL && !json_is_null(key) && !json_is_string(key))
        return "idempotency_key must be a string";
    if (s->idempotency_key != NULL && (s->idempotency_key[0] == '\0' ||
                                       strlen(s->idempotency_key) > IDEM_MAX))
        return "idempotency key: 1 to 64 characters";
    if (s->idempotency_key != NULL &&
        !omkt_utf8_valid(s->idempotency_key, strlen(s->idempotency_key)))
        return "idempotency key: not UTF-8";
    s->settings = set;
    return settings_text(json_object_get(b, "settings"), set, size);
}

enum MHD_Result rest_submit(struct rest *x)
{
    struct apid_req *r = x->r;
    struct rest_submission s = {0};
    struct omkt_errbuf eb = {0};
    char set[256];
    json_error_t jerr;
    json_t *body = r->body ? json_loadb(r->body, r->body_len, 0, &jerr) : NULL;
    json_t *media;
    const char *bad;
    bool is_replay = false;
    int64_t id = 0;
    int rc;

    if (body == NULL) {
        return apid_reply_error(r, 400, "invalid_json",
                                "the body must be JSON (UTF-8)");
    }
    bad = submit_parse(body, apid_header(r, "Idempotency-Key"), &s, set,
                       sizeof(set));
    if (bad == NULL &&
        rest_create(r->db, x->acc.id, &s, &id, &is_replay, &eb) != OMKT_OK) {
        omkt_log(OMKT_LOG_ERR, "account=%" PRId64 " submit: %s", x->acc.id,
                 eb.msg);
        json_decref(body);
        return db_down(r);
    }
    json_decref(body);
    if (bad != NULL)
        return apid_reply_error(r, 400, "invalid_request", bad);
    media = rest_media_json(r, x->acc.id, id, &rc);
    if (media == NULL)
        return db_down(r);
    return apid_reply_json(r, is_replay ? 200 : 201, media);
}

/* base_url - [apid] base_url, else http://HOST from the request. */
static void base_url(struct apid_req *r, char *buf, size_t size)
{
    const char *host = apid_header(r, MHD_HTTP_HEADER_HOST);

    if (r->a->conf.base_url != NULL && r->a->conf.base_url[0] != '\0')
        snprintf(buf, size, "%s", r->a->conf.base_url);
    else
        snprintf(buf, size, "http://%s", host ? host : "localhost");
    if (buf[0] != '\0' && buf[strlen(buf) - 1] == '/')
        buf[strlen(buf) - 1] = '\0';
}

/* is_kind - row @i of a children result is of @kind ('t' or 'j'). */
static bool is_kind(const struct omkt_dbres *c, size_t i, char kind)
{
    const char *k = omkt_dbres_str(c, i, 0);

    return k != NULL && k[0] == kind;
}

/* with_stream - @t, a transcode entry, with the signed URLs of its
 * package when it is a finished streaming package. */
static json_t *with_stream(struct apid_req *r, const char *base, int64_t id,
                           json_t *t, bool is_done)
{
    int64_t setting = json_integer_value(json_object_get(t, "setting_id"));
    json_t *s;

    if (!is_done || !omkt_pkgsign_is_package(setting))
        return t;
    s = rest_stream_json(r, base, id, setting);
    if (s != NULL)
        json_object_set_new(t, "stream", s);
    return t;
}

/* with_split - @t, a transcode entry, with its "split" object when
 * segments make (or made) it. */
static json_t *with_split(const struct omkt_segview *v, json_t *t)
{
    int64_t setting = json_integer_value(json_object_get(t, "setting_id"));
    const struct omkt_segview_family *f =
        setting > 0 && setting <= INT_MAX ? omkt_segview_find(v, (int)setting)
                                          : NULL;

    if (f != NULL)
        json_object_set_new(t, "split", rest_split_json(f));
    return t;
}

/* transcodes_json - the outputs, with progress, download links and the
 * segments of split ones (@v). */
static json_t *transcodes_json(struct apid_req *r, int64_t id,
                               const struct omkt_dbres *c,
                               const struct omkt_segview *v, int *pct)
{
    json_t *arr = json_array();
    char base[512];
    int64_t sum = 0, n = 0;

    base_url(r, base, sizeof(base));
    for (size_t i = 0; i < c->nrows; i++) {
        const char *state = omkt_dbres_str(c, i, 2);
        bool is_done = strcmp(state, "processed") == 0;
        int64_t p = is_done ? 100 : omkt_dbres_i64(c, i, 4, 0);
        char *link;
        json_t *t;

        if (!is_kind(c, i, 't'))
            continue;
        link = is_done ? omkt_xasprintf("%s/v1/media/%" PRId64
                                        "/transcodes/%s/file",
                                        base, id, omkt_dbres_str(c, i, 1))
                       : NULL;
        sum += p;
        n++;
        t = json_pack("{s:I, s:s, s:I, s:I, s:s?, s:s?}", "setting_id",
                      (json_int_t)omkt_dbres_i64(c, i, 1, 0), "state", state,
                      "progress", (json_int_t)p, "cardinality",
                      (json_int_t)omkt_dbres_i64(c, i, 5, 0), "error",
                      omkt_dbres_str(c, i, 6), "download_url", link);
        t = with_stream(r, base, id, t, is_done);
        json_array_append_new(arr, with_split(v, t));
        free(link);
    }
    *pct = n ? (int)(sum / n) : 0;
    return arr;
}

/* parent_of - the split transcode job of job row @i, or NULL. */
static json_t *parent_of(const struct omkt_dbres *c, size_t i)
{
    const char *p = omkt_dbres_str(c, i, 7);

    return p != NULL ? json_integer(omkt_dbres_i64(c, i, 7, 0)) : NULL;
}

/* jobs_json - the media's jobs; *status summarises them (a split job
 * waiting for its segments is active). */
static json_t *jobs_json(const struct omkt_dbres *c, const char *media_state,
                         const char **status)
{
    json_t *arr = json_array();
    bool is_active = false, is_failed = false, is_cancelled = false;

    for (size_t i = 0; i < c->nrows; i++) {
        const char *st = omkt_dbres_str(c, i, 3);

        if (!is_kind(c, i, 'j'))
            continue;
        is_active = is_active || strcmp(st, "queued") == 0 ||
                    strcmp(st, "delayed") == 0 || strcmp(st, "running") == 0 ||
                    strcmp(st, "waiting") == 0;
        is_failed = is_failed || strcmp(st, "failed") == 0;
        is_cancelled = is_cancelled || strcmp(st, "cancelled") == 0;
        json_array_append_new(
            arr,
            json_pack("{s:I, s:s, s:s, s:I, s:s?, s:o*}", "id",
                      (json_int_t)omkt_dbres_i64(c, i, 1, 0), "task",
                      omkt_dbres_str(c, i, 2), "state", st, "progress",
                      (json_int_t)omkt_dbres_i64(c, i, 4, 0), "error",
                      omkt_dbres_str(c, i, 6), "parent_id", parent_of(c, i)));
    }
    if (is_active)
        *status = "processing";
    else if (is_failed || strstr(media_state, "failed") != NULL)
        *status = "failed";
    else if (is_cancelled)
        *status = "cancelled";
    else
        *status = "done";
    return arr;
}

/* settings_array - "11,15" as [11,15]. */
static json_t *settings_array(const char *text)
{
    json_t *arr = json_array();
    const char *p = text;

    while (p != NULL && *p != '\0') {
        int64_t v = 0;

        if (lenient_i64(p, &v) == OMKT_OK)
            json_array_append_new(arr, json_integer(v));
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    return arr;
}

/* media_object - assemble from a view row and the children. */
static json_t *media_object(struct apid_req *r, const struct omkt_dbres *m,
                            const struct omkt_dbres *c,
                            const struct omkt_segview *v)
{
    const char *status = "done";
    int pct = 0;
    int64_t id = omkt_dbres_i64(m, 0, 0, 0);
    const char *meta = omkt_dbres_str(m, 0, 5);
    json_t *tr = transcodes_json(r, id, c, v, &pct);
    json_t *jobs = jobs_json(c, omkt_dbres_str(m, 0, 1), &status);
    json_t *md = meta ? json_loads(meta, 0, NULL) : NULL;

    return json_pack(
        "{s:I, s:s, s:s, s:s, s:I, s:s, s:o, s:s?, s:s?, s:s?, s:I, s:s?, "
        "s:o?, s:o, s:o}",
        "id", (json_int_t)id, "status", status, "state",
        omkt_dbres_str(m, 0, 1), "url", omkt_dbres_str(m, 0, 2), "progress",
        (json_int_t)pct, "created", omkt_dbres_str(m, 0, 3), "settings",
        settings_array(omkt_dbres_str(m, 0, 6)), "callback_url",
        omkt_dbres_str(m, 0, 7), "external_id", omkt_dbres_str(m, 0, 10),
        "idempotency_key", omkt_dbres_str(m, 0, 8), "priority",
        (json_int_t)omkt_dbres_i64(m, 0, 9, 0), "error",
        omkt_dbres_str(m, 0, 4), "metadata", md, "transcodes", tr, "jobs",
        jobs);
}

json_t *rest_media_json(struct apid_req *r, int64_t account_id, int64_t id,
                        int *rc)
{
    struct omkt_dbres *m = NULL, *c = NULL;
    struct omkt_segview v = {0};
    json_t *o = NULL;

    *rc = omkt_media_view(r->db, account_id, id, &m, NULL);
    if (*rc == OMKT_OK && m->nrows == 0)
        *rc = OMKT_ENOTFOUND; /* absent, or someone else's */
    if (*rc == OMKT_OK)
        *rc = omkt_media_children(r->db, id, &c, NULL);
    if (*rc == OMKT_OK)
        *rc = omkt_segview_media(r->db, id, &v, NULL);
    if (*rc == OMKT_OK)
        o = media_object(r, m, c, &v);
    omkt_segview_clear(&v);
    omkt_dbres_free(c);
    omkt_dbres_free(m);
    return o;
}

enum MHD_Result rest_get(struct rest *x, int64_t id)
{
    int rc = OMKT_OK;
    json_t *o = rest_media_json(x->r, x->acc.id, id, &rc);

    if (o != NULL)
        return apid_reply_json(x->r, 200, o);
    if (rc == OMKT_ENOTFOUND)
        return apid_reply_error(x->r, 404, "not_found", "no such media");
    return db_down(x->r);
}

/* list_filter - query parameters of GET /v1/media; NULL or why not. */
static const char *list_filter(const struct apid_params *p,
                               struct omkt_media_filter *f)
{
    static const char *const states[] = {"remote",          "local",
                                         "metadata_ok",     "metadata_failed",
                                         "download_failed", "expired"};
    const char *state = params_get(p, "state");
    const char *cursor = params_get(p, "cursor");
    const char *limit = params_get(p, "limit");
    bool is_known = state == NULL;

    for (size_t i = 0; state && i < sizeof(states) / sizeof(*states); i++)
        is_known = is_known || strcmp(state, states[i]) == 0;
    if (!is_known)
        return "state: one of remote, local, metadata_ok, metadata_failed, "
               "download_failed, expired";
    f->state = state;
    f->limit = 50;
    if (limit != NULL && (omkt_parse_i64(limit, &f->limit) != OMKT_OK ||
                          f->limit < 1 || f->limit > 200))
        return "limit: an integer from 1 to 200";
    if (cursor != NULL &&
        (omkt_parse_i64(cursor, &f->after_id) != OMKT_OK || f->after_id < 1))
        return "cursor: the next_cursor of the previous page";
    return NULL;
}

enum MHD_Result rest_list(struct rest *x)
{
    struct omkt_media_filter f = {.account_id = x->acc.id};
    struct omkt_dbres *res = NULL;
    const char *bad = list_filter(&x->r->params, &f);
    json_t *items;
    char next[32] = "";

    if (bad != NULL)
        return apid_reply_error(x->r, 400, "invalid_request", bad);
    if (omkt_media_list(x->r->db, &f, &res, NULL) != OMKT_OK)
        return db_down(x->r);
    items = json_array();
    for (size_t i = 0; i < res->nrows; i++)
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s, s:s?, s:o, s:I}", "id",
                      (json_int_t)omkt_dbres_i64(res, i, 0, 0), "state",
                      omkt_dbres_str(res, i, 2), "url",
                      omkt_dbres_str(res, i, 3), "created",
                      omkt_dbres_str(res, i, 4), "error",
                      omkt_dbres_str(res, i, 5), "settings",
                      settings_array(omkt_dbres_str(res, i, 6)), "priority",
                      (json_int_t)omkt_dbres_i64(res, i, 7, 0)));
    if (res->nrows > 0 && (int64_t)res->nrows == f.limit)
        snprintf(next, sizeof(next), "%s",
                 omkt_dbres_str(res, res->nrows - 1, 0));
    omkt_dbres_free(res);
    return apid_reply_json(x->r, 200,
                           json_pack("{s:o, s:s?}", "items", items,
                                     "next_cursor", next[0] ? next : NULL));
}

/* verb_reply - the answer of cancel and retry. */
static enum MHD_Result verb_reply(struct rest *x, int64_t id, bool is_cancel)
{
    unsigned n = 0;
    int rc = media_verb(x->r->db, id, x->acc.id, is_cancel, &n);

    if (rc == OMKT_ENOTFOUND)
        return apid_reply_error(x->r, 404, "not_found", "no such media");
    if (rc != OMKT_OK)
        return db_down(x->r);
    if (n == 0)
        return apid_reply_error(
            x->r, 409, is_cancel ? "not_cancellable" : "not_failed",
            is_cancel ? "nothing is queued or running for this media"
                      : "nothing has failed for this media");
    omkt_log(OMKT_LOG_NOTICE,
             "account=%" PRId64 " media=%" PRId64 " %s: %u job(s)", x->acc.id,
             id, is_cancel ? "cancelled" : "retried", n);
    return rest_get(x, id);
}

enum MHD_Result rest_cancel(struct rest *x, int64_t id)
{
    return verb_reply(x, id, true);
}

enum MHD_Result rest_retry(struct rest *x, int64_t id)
{
    return verb_reply(x, id, false);
}

/* file_err - files_send errors as REST errors. */
static enum MHD_Result file_err(struct apid_req *r, int code, const char *msg)
{
    if (code == 404)
        return apid_reply_error(r, 404, "not_found", msg);
    if (code == 216 || code == 416)
        return apid_reply_error(r, 416, "range_not_satisfiable", msg);
    return apid_reply_error(r, 500, "internal", msg);
}

enum MHD_Result rest_file(struct rest *x, int64_t id, int64_t setting)
{
    struct omkt_media m = {0};
    struct omkt_transcode t = {0};
    enum MHD_Result res;
    int rc = omkt_media_get(x->r->db, id, &m, NULL);

    if (rc == OMKT_OK && m.account_id != x->acc.id)
        rc = OMKT_ENOTFOUND;
    if (rc == OMKT_OK)
        rc = setting > INT_MAX
                 ? OMKT_ENOTFOUND
                 : omkt_transcode_find(x->r->db, id, (int)setting, &t, NULL);
    if (rc == OMKT_OK && strcmp(t.state, "processed") != 0)
        rc = OMKT_ENOTFOUND;
    if (rc == OMKT_ENOTFOUND)
        res = apid_reply_error(x->r, 404, "not_found", "no such output");
    else if (rc != OMKT_OK)
        res = db_down(x->r);
    else
        res = files_send(x->r, &m, &t, NULL, file_err);
    omkt_transcode_clear(&t);
    omkt_media_clear(&m);
    return res;
}
