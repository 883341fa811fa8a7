/* SPDX-License-Identifier: GPL-2.0-or-later */
/* restcb_body - REST callback bodies (see restcb_body.h). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "randhex.h"
#include "restcb_body.h"
#include "text.h"

int omkt_restcb_stamp(char *id, char *when, struct omkt_errbuf *eb)
{
    char hex[25];
    time_t now = time(NULL);
    struct tm tm;
    int ret = omkt_random_hex(hex, 24, eb);

    id[0] = '\0';
    when[0] = '\0';
    if (ret != OMKT_OK)
        return ret;
    snprintf(id, OMKT_RESTCB_ID_LEN, "evt_%s", hex);
    if (gmtime_r(&now, &tm) == NULL ||
        strftime(when, OMKT_RESTCB_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(when, OMKT_RESTCB_TIME_LEN, "1970-01-01T00:00:00Z");
    return OMKT_OK;
}

const char *omkt_restcb_setting_state(const char *row_state)
{
    if (row_state == NULL)
        return "processing";
    if (strcmp(row_state, "processed") == 0)
        return "done";
    if (strcmp(row_state, "error") == 0)
        return "failed";
    if (strcmp(row_state, "asked") == 0 || strcmp(row_state, "running") == 0)
        return "processing";
    return row_state;
}

const char *omkt_restcb_overall(const struct omkt_restcb_setting *s, size_t n)
{
    size_t done = 0;

    for (size_t i = 0; i < n; i++)
        done += strcmp(omkt_restcb_setting_state(s[i].state), "done") == 0;
    if (done == n)
        return "done";
    return done == 0 ? "failed" : "partial";
}

/* text_or_null - @s cleaned into a JSON string (jansson refuses invalid
 * UTF-8, and the event would be lost), or null. */
static json_t *text_or_null(const char *s)
{
    char *t;
    json_t *v;

    if (s == NULL)
        return json_null();
    t = omkt_text_dup(s, OMKT_DB_ERROR_MAX);
    v = json_string(t);
    free(t);
    return v ? v : json_null();
}

/* head - the fields every body starts with. */
static json_t *head(const struct omkt_restcb_head *h)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:o}", "event", h->event, "event_id",
                     h->event_id, "created", h->created, "media_id",
                     (json_int_t)h->media_id, "external_id",
                     text_or_null(h->external_id));
}

/* output - where a done setting's files are and what they are. */
static json_t *output(int64_t media_id, const struct omkt_restcb_setting *s)
{
    json_t *meta = s->metadata ? json_loads(s->metadata, 0, NULL) : NULL;
    char dl[96];

    snprintf(dl, sizeof(dl), "/v1/media/%" PRId64 "/transcodes/%d/file",
             media_id, s->setting_id);
    return json_pack("{s:o, s:s, s:I, s:o}", "path", text_or_null(s->path),
                     "download_path", dl, "cardinality",
                     (json_int_t)s->cardinality, "metadata",
                     meta ? meta : json_null());
}

json_t *omkt_restcb_format_body(const struct omkt_restcb_head *h,
                                const struct omkt_restcb_setting *s)
{
    json_t *b = head(h);
    bool is_done = strcmp(omkt_restcb_setting_state(s->state), "done") == 0;

    if (b == NULL)
        return NULL;
    json_object_set_new(b, "setting_id", json_integer(s->setting_id));
    json_object_set_new(b, "state", json_string(is_done ? "done" : "failed"));
    json_object_set_new(b, "output",
                        is_done ? output(h->media_id, s) : json_null());
    json_object_set_new(b, "error",
                        is_done ? json_null() : text_or_null(s->error));
    return b;
}

/* settings - media.*'s list: setting_id, state, error of each. */
static json_t *settings(const struct omkt_restcb_setting *s, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        const char *st = omkt_restcb_setting_state(s[i].state);

        json_array_append_new(
            arr, json_pack("{s:i, s:s, s:o}", "setting_id", s[i].setting_id,
                           "state", st, "error",
                           strcmp(st, "done") == 0 ? json_null()
                                                   : text_or_null(s[i].error)));
    }
    return arr;
}

json_t *omkt_restcb_media_body(const struct omkt_restcb_head *h,
                               const struct omkt_restcb_end *e)
{
    json_t *b = head(h);

    if (b == NULL)
        return NULL;
    json_object_set_new(b, "state", json_string(e->state));
    json_object_set_new(b, "settings", settings(e->settings, e->n));
    if (e->stage != NULL)
        json_object_set_new(b, "stage", json_string(e->stage));
    json_object_set_new(b, "error", text_or_null(e->error));
    return b;
}
