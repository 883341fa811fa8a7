/* SPDX-License-Identifier: GPL-2.0-or-later */
/* restcb - REST callback events (see restcb.h). */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db_transcodes.h"
#include "notify.h"
#include "restcb.h"
#include "restcb_body.h"

bool omkt_restcb_applies(const struct omkt_media *m)
{
    return m->notify_url != NULL && m->notify_url[0] != '\0' &&
           !omkt_media_is_omkt(m) && !omkt_notify_is_nommer(m);
}

int omkt_restcb_lock(struct omkt_db *db, const struct omkt_media *m,
                     struct omkt_errbuf *eb)
{
    return omkt_restcb_applies(m) ? omkt_media_lock(db, m->id, eb) : OMKT_OK;
}

/* An event being made: its head and the storage of its id and time. */
struct ev {
    struct omkt_restcb_head h;
    char id[OMKT_RESTCB_ID_LEN];
    char when[OMKT_RESTCB_TIME_LEN];
};

/* ev_init - a fresh head for @event about @m. */
static int ev_init(struct ev *e, const char *event, const struct omkt_media *m,
                   struct omkt_errbuf *eb)
{
    int ret = omkt_restcb_stamp(e->id, e->when, eb);

    e->h =
        (struct omkt_restcb_head){event, e->id, e->when, m->id, m->external_id};
    return ret;
}

/* queue - @body (steals) POSTed to @m's callback URL. */
static int queue(struct omkt_db *db, const struct omkt_media *m, json_t *body,
                 struct omkt_errbuf *eb)
{
    int ret;

    if (body == NULL)
        return OMKT_ENOMEM;
    ret = omkt_notify_url(db, m->account_id, m->id, m->notify_url, body, eb);
    json_decref(body);
    return ret;
}

/* from_row - the body's view of a transcodes row (strings borrowed). */
static struct omkt_restcb_setting from_row(const struct omkt_transcode *t)
{
    return (struct omkt_restcb_setting){t->setting_id,  t->state,    t->path,
                                        t->cardinality, t->metadata, t->error};
}

int omkt_restcb_setting_ended(struct omkt_db *db, const struct omkt_media *m,
                              int64_t tid, struct omkt_errbuf *eb)
{
    struct omkt_transcode t = {0};
    struct omkt_restcb_setting s;
    struct ev e;
    const char *st;
    int ret;

    if (!omkt_restcb_applies(m))
        return OMKT_OK;
    ret = omkt_transcode_get(db, tid, &t, eb);
    st = ret == OMKT_OK ? omkt_restcb_setting_state(t.state) : "";
    if (ret == OMKT_OK &&
        (strcmp(st, "done") == 0 || strcmp(st, "failed") == 0)) {
        s = from_row(&t);
        ret = ev_init(&e,
                      strcmp(st, "done") == 0 ? "format.done" : "format.failed",
                      m, eb);
        if (ret == OMKT_OK)
            ret = queue(db, m, omkt_restcb_format_body(&e.h, &s), eb);
    }
    omkt_transcode_clear(&t);
    return ret == OMKT_ENOTFOUND ? OMKT_OK : ret;
}

/* settings_of - the media's transcodes rows (from @res) as settings;
 * new array; *is_open when one is still asked or running. */
static struct omkt_restcb_setting *settings_of(const struct omkt_dbres *res,
                                               bool *is_open)
{
    struct omkt_restcb_setting *s =
        omkt_xcalloc(res->nrows ? res->nrows : 1, sizeof(*s));

    *is_open = false;
    for (size_t i = 0; i < res->nrows; i++) {
        s[i].setting_id = (int)omkt_dbres_i64(res, i, 1, 0);
        s[i].state = omkt_dbres_str(res, i, 2);
        s[i].cardinality = omkt_dbres_i64(res, i, 4, 0);
        s[i].path = omkt_dbres_str(res, i, 5);
        s[i].error = omkt_dbres_str(res, i, 6);
        *is_open = *is_open || strcmp(omkt_restcb_setting_state(s[i].state),
                                      "processing") == 0;
    }
    return s;
}

/* final - record @event as the media's final one; OMKT_EEXIST when a
 * final event was already queued for this round. */
static int final(struct omkt_db *db, const struct omkt_media *m,
                 const char *event, struct omkt_errbuf *eb)
{
    return omkt_media_set_final(db, m->id, event, eb);
}

int omkt_restcb_media_end(struct omkt_db *db, const struct omkt_media *m,
                          bool is_cancel, struct omkt_errbuf *eb)
{
    const char *event = is_cancel ? "media.cancelled" : "media.done";
    struct omkt_dbres *res = NULL;
    struct omkt_restcb_setting *s = NULL;
    struct omkt_restcb_end end = {0};
    bool is_open = true;
    struct ev e;
    int ret;

    if (!omkt_restcb_applies(m))
        return OMKT_OK;
    ret = omkt_media_lock(db, m->id, eb);
    if (ret == OMKT_OK)
        ret = omkt_transcode_list(db, m->id, &res, eb);
    if (ret == OMKT_OK)
        s = settings_of(res, &is_open);
    if (ret == OMKT_OK && !is_open)
        ret = final(db, m, event, eb);
    if (ret == OMKT_OK && !is_open) {
        end = (struct omkt_restcb_end){
            is_cancel ? "cancelled" : omkt_restcb_overall(s, res->nrows), s,
            res->nrows, NULL, NULL};
        ret = ev_init(&e, event, m, eb);
    }
    if (ret == OMKT_OK && !is_open)
        ret = queue(db, m, omkt_restcb_media_body(&e.h, &end), eb);
    free(s);
    omkt_dbres_free(res);
    return ret == OMKT_EEXIST ? OMKT_OK : ret;
}

/* stage_of - which step failed, from the media's state (as committed). */
static const char *stage_of(const char *state)
{
    if (state != NULL && strcmp(state, "metadata_failed") == 0)
        return "metadata";
    return "download";
}

int omkt_restcb_media_failed(struct omkt_db *db, const struct omkt_media *m,
                             const char *message, struct omkt_errbuf *eb)
{
    struct omkt_media now = {0};
    struct omkt_restcb_end end = {"failed", NULL, 0, NULL, message};
    struct ev e;
    int ret;

    if (!omkt_restcb_applies(m))
        return OMKT_OK;
    ret = omkt_media_lock(db, m->id, eb);
    if (ret == OMKT_OK)
        ret = omkt_media_get(db, m->id, &now, eb);
    if (ret == OMKT_OK)
        ret = final(db, m, "media.failed", eb);
    if (ret == OMKT_OK) {
        end.stage = stage_of(now.state);
        ret = ev_init(&e, "media.failed", m, eb);
    }
    if (ret == OMKT_OK)
        ret = queue(db, m, omkt_restcb_media_body(&e.h, &end), eb);
    omkt_media_clear(&now);
    return ret == OMKT_EEXIST ? OMKT_OK : ret;
}

int omkt_restcb_reopen(struct omkt_db *db, const struct omkt_media *m,
                       struct omkt_errbuf *eb)
{
    return omkt_restcb_applies(m) ? omkt_media_clear_final(db, m->id, eb)
                                  : OMKT_OK;
}
