/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline - asking transcodes of a media. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db_jobs.h"
#include "db_transcodes.h"
#include "parse.h"
#include "pipeline.h"

/* queue_job - the transcode job for the transcode rows in @tids. */
static int queue_job(struct omkt_db *db, const struct omkt_media *m,
                     json_t *tids, struct omkt_errbuf *eb)
{
    json_t *payload = json_pack("{s:O}", "transcodes", tids);
    char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    struct omkt_job_new jn = {
        .task = OMKT_TASK_TRANSCODE,
        .priority = m->priority,
        .account_id = m->account_id,
        .media_id = m->id,
        .payload = text,
    };
    int ret = text ? omkt_job_enqueue(db, &jn, NULL, eb) : OMKT_ENOMEM;

    free(text);
    json_decref(payload);
    return ret;
}

int omkt_pipeline_request(struct omkt_db *db, const struct omkt_media *m,
                          const int *ids, size_t n, int *status,
                          unsigned *queued, struct omkt_errbuf *eb)
{
    json_t *tids = json_array();
    int ret = OMKT_OK;

    *queued = 0;
    for (size_t i = 0; ret == OMKT_OK && i < n; i++) {
        int64_t tid = 0;

        ret = omkt_transcode_add(db, m->id, ids[i], &tid, eb);
        if (status != NULL)
            status[i] = ret;
        if (ret == OMKT_EEXIST) {
            ret = OMKT_OK;
            continue;
        }
        if (ret == OMKT_OK && json_array_append_new(tids, json_integer(tid)))
            ret = OMKT_ENOMEM;
        if (ret == OMKT_OK)
            (*queued)++;
    }
    if (ret == OMKT_OK && *queued > 0)
        ret = queue_job(db, m, tids, eb);
    json_decref(tids);
    return ret;
}

int omkt_pipeline_parse_ids(const char *list, int *ids, size_t max)
{
    char tok[16];
    size_t n = 0;
    const char *p = list;

    if (list == NULL)
        return -1;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int v = 0;

        if (n == max || len == 0 || len >= sizeof(tok))
            return -1;
        memcpy(tok, p, len);
        tok[len] = '\0';
        if (omkt_parse_int(omkt_trim(tok), &v) != OMKT_OK || v <= 0)
            return -1;
        ids[n++] = v;
        p = end ? end + 1 : p + len;
    }
    return (int)n;
}
