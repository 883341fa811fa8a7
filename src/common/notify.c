/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notify - callback jobs (see notify.h for the payload format). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "db_jobs.h"
#include "db_media.h"
#include "notify.h"
#include "text.h"

/* enqueue - a notify job with @payload (borrowed). */
static int enqueue(struct omkt_db *db, int64_t account_id, int64_t media_id,
                   json_t *payload, struct omkt_errbuf *eb)
{
    char *text = json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
    struct omkt_job_new jn = {
        .task = OMKT_TASK_NOTIFY,
        .priority = 10, /* callbacks are cheap and unblock CMS workflows */
        .max_attempts = OMKT_NOTIFY_ATTEMPTS,
        .account_id = account_id,
        .media_id = media_id,
        .payload = text,
    };
    int ret;

    if (text == NULL)
        return OMKT_ENOMEM;
    ret = omkt_job_enqueue(db, &jn, NULL, eb);
    free(text);
    return ret;
}

int omkt_notify_omkt(struct omkt_db *db, int64_t account_id, int64_t media_id,
                     const char *action, json_t *params, struct omkt_errbuf *eb)
{
    json_t *p = json_pack("{s:s, s:s, s:O}", "kind", "omkt", "action", action,
                          "params", params);
    int ret;

    if (p == NULL)
        return OMKT_ENOMEM;
    ret = enqueue(db, account_id, media_id, p, eb);
    json_decref(p);
    return ret;
}

int omkt_notify_alert(struct omkt_db *db, int64_t account_id, int64_t media_id,
                      int64_t remote_id, const char *message,
                      struct omkt_errbuf *eb)
{
    char *text = omkt_text_dup(message ? message : "error", OMKT_DB_ERROR_MAX);
    char id[32];
    json_t *params;
    int ret;

    snprintf(id, sizeof(id), "%" PRId64, remote_id);
    /* Cleaned: jansson refuses invalid UTF-8 (the alert would be lost). */
    params =
        json_pack("{s:s, s:s, s:s}", "id", id, "status", "1", "message", text);
    free(text);
    if (params == NULL)
        return OMKT_ENOMEM;
    ret = omkt_notify_omkt(db, account_id, media_id, "transcoder_send_alert",
                           params, eb);
    json_decref(params);
    return ret;
}

int omkt_notify_url(struct omkt_db *db, int64_t account_id, int64_t media_id,
                    const char *url, json_t *body, struct omkt_errbuf *eb)
{
    json_t *p =
        json_pack("{s:s, s:s, s:O}", "kind", "url", "url", url, "body", body);
    int ret;

    if (p == NULL)
        return OMKT_ENOMEM;
    ret = enqueue(db, account_id, media_id, p, eb);
    json_decref(p);
    return ret;
}

/* post - @body (steals) to the media's notify_url, with media-nommer's
 * fields when it is a media-nommer job. */
static int post(struct omkt_db *db, const struct omkt_media *m, json_t *body,
                const char *state, const char *details, struct omkt_errbuf *eb)
{
    json_t *opts = m->job_options ? json_loads(m->job_options, 0, NULL) : NULL;
    char id[32];
    int ret;

    if (body == NULL) {
        json_decref(opts);
        return OMKT_ENOMEM;
    }
    if (json_is_object(opts)) {
        snprintf(id, sizeof(id), "%" PRId64, m->id);
        json_object_set_new(body, "unique_id", json_string(id));
        json_object_set_new(body, "job_state", json_string(state));
        json_object_set_new(body, "job_state_details",
                            details ? json_string(details) : json_null());
        json_object_set(body, "dest_path", json_object_get(opts, "dest_path"));
    }
    ret = omkt_notify_url(db, m->account_id, m->id, m->notify_url, body, eb);
    json_decref(opts);
    json_decref(body);
    return ret;
}

int omkt_notify_media_error(struct omkt_db *db, const struct omkt_media *m,
                            const char *message, struct omkt_errbuf *eb)
{
    char *text = NULL;
    int ret;

    if (omkt_media_is_omkt(m))
        return omkt_notify_alert(db, m->account_id, m->id, m->remote_id,
                                 message, eb);
    if (m->notify_url == NULL || *m->notify_url == '\0')
        return OMKT_OK; /* nobody to tell; the API shows the error */
    text = omkt_text_dup(message ? message : "", OMKT_DB_ERROR_MAX);
    ret = post(db, m,
               json_pack("{s:I, s:s, s:s}", "media_id", (json_int_t)m->id,
                         "status", "error", "message", text),
               "ERROR", text, eb);
    free(text);
    return ret;
}

int omkt_notify_media_done(struct omkt_db *db, const struct omkt_media *m,
                           int setting_id, const char *meta,
                           struct omkt_errbuf *eb)
{
    if (m->notify_url == NULL || *m->notify_url == '\0')
        return OMKT_OK;
    return post(db, m,
                json_pack("{s:I, s:i, s:s, s:s}", "media_id", (json_int_t)m->id,
                          "setting_id", setting_id, "status", "ok", "metadata",
                          meta),
                "FINISHED", NULL, eb);
}
