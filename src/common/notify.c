/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notify - callback jobs (see notify.h for the payload format). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "db_jobs.h"
#include "db_media.h"
#include "notify.h"
#include "restcb.h"
#include "s3cred.h"
#include "text.h"

/* enqueue - a notify job with @payload (stolen; NULL: OMKT_ENOMEM). */
static int enqueue(struct omkt_db *db, int64_t account_id, int64_t media_id,
                   json_t *payload, struct omkt_errbuf *eb)
{
    char *text = payload
                     ? json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER)
                     : NULL;
    struct omkt_job_new jn = {
        .task = OMKT_TASK_NOTIFY,
        .priority = 10, /* callbacks are cheap and unblock CMS workflows */
        .max_attempts = OMKT_NOTIFY_ATTEMPTS,
        .account_id = account_id,
        .media_id = media_id,
        .payload = text,
    };
    int ret;

    json_decref(payload);
    if (text == NULL)
        return OMKT_ENOMEM;
    ret = omkt_job_enqueue(db, &jn, NULL, eb);
    free(text);
    return ret;
}

int omkt_notify_omkt(struct omkt_db *db, int64_t account_id, int64_t media_id,
                     const char *action, json_t *params, struct omkt_errbuf *eb)
{
    return enqueue(db, account_id, media_id,
                   json_pack("{s:s, s:s, s:O}", "kind", "omkt", "action",
                             action, "params", params),
                   eb);
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
    return enqueue(
        db, account_id, media_id,
        json_pack("{s:s, s:s, s:O}", "kind", "url", "url", url, "body", body),
        eb);
}

bool omkt_notify_is_nommer(const struct omkt_media *m)
{
    return m->job_options != NULL && m->job_options[0] != '\0' &&
           !omkt_media_is_omkt(m);
}

/* has_url - @m has somewhere to send notifications. */
static bool has_url(const struct omkt_media *m)
{
    return m->notify_url != NULL && *m->notify_url != '\0';
}

/* pair - append [name, value] to @fields (value "" when NULL). */
static void pair(json_t *fields, const char *name, const char *value)
{
    json_array_append_new(fields,
                          json_pack("[s, s]", name, value ? value : ""));
}

/* dest_of - the dest_path recorded in the media's job options, an
 * s3:// secret masked; new. */
static char *dest_of(const struct omkt_media *m)
{
    json_t *opts = json_loads(m->job_options, 0, NULL);
    const char *d = json_string_value(json_object_get(opts, "dest_path"));
    char *out = omkt_s3_uri_mask(d ? d : "");

    json_decref(opts);
    return out;
}

/* nommer_fields - media-nommer's three fields, then media_id, dest_path. */
static json_t *nommer_fields(const struct omkt_media *m, const char *state,
                             const char *details)
{
    json_t *f = json_array();
    char id[32];
    char *text = omkt_text_dup(details ? details : "", OMKT_DB_ERROR_MAX);
    char *dest = dest_of(m);

    snprintf(id, sizeof(id), "%" PRId64, m->id);
    pair(f, "unique_id", id);
    pair(f, "job_state", state);
    pair(f, "job_state_details", text);
    pair(f, "media_id", id);
    pair(f, "dest_path", dest);
    free(text);
    free(dest);
    return f;
}

/* queue_form - the form payload of @fields (steals) to the notify_url. */
static int queue_form(struct omkt_db *db, const struct omkt_media *m,
                      json_t *fields, struct omkt_errbuf *eb)
{
    return enqueue(db, m->account_id, m->id,
                   json_pack("{s:s, s:s, s:o}", "kind", "form", "url",
                             m->notify_url, "fields", fields),
                   eb);
}

int omkt_notify_nommer_state(struct omkt_db *db, const struct omkt_media *m,
                             const char *state, const char *details,
                             struct omkt_errbuf *eb)
{
    if (!omkt_notify_is_nommer(m) || !has_url(m))
        return OMKT_OK;
    return queue_form(db, m, nommer_fields(m, state, details), eb);
}

int omkt_notify_media_error(struct omkt_db *db, const struct omkt_media *m,
                            const char *message, struct omkt_errbuf *eb)
{
    if (omkt_media_is_omkt(m))
        return omkt_notify_alert(db, m->account_id, m->id, m->remote_id,
                                 message, eb);
    if (omkt_notify_is_nommer(m))
        return omkt_notify_nommer_state(db, m, "ERROR", message, eb);
    return omkt_restcb_media_failed(db, m, message, eb);
}

/* nommer_done - FINISHED, with the output's setting and metadata. */
static int nommer_done(struct omkt_db *db, const struct omkt_media *m,
                       int setting_id, const char *meta, struct omkt_errbuf *eb)
{
    json_t *f = nommer_fields(m, "FINISHED", NULL);
    char sid[16];

    snprintf(sid, sizeof(sid), "%d", setting_id);
    pair(f, "setting_id", sid);
    pair(f, "metadata", meta);
    return queue_form(db, m, f, eb);
}

int omkt_notify_media_done(struct omkt_db *db, const struct omkt_media *m,
                           int setting_id, const char *meta,
                           struct omkt_errbuf *eb)
{
    if (!has_url(m) || !omkt_notify_is_nommer(m))
        return OMKT_OK;
    return nommer_done(db, m, setting_id, meta, eb);
}
