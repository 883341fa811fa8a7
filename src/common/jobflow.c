/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jobflow - how jobs of one media follow each other (see jobflow.h): the
 * transcode request, cancel/retry of a job with the rows it works for, and
 * the record of a job whose workers kept dying.  The transcode payload is
 * built and read by tpayload.c only.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db_jobs.h"
#include "db_media.h"
#include "db_segments.h"
#include "notify.h"
#include "db_transcodes.h"
#include "parse.h"
#include "restcb.h"
#include "jobflow.h"
#include "tpayload.h"

/* queue_job - the transcode job for the transcode rows @tids[0..@n). */
static int queue_job(struct omkt_db *db, const struct omkt_media *m,
                     const int64_t *tids, size_t n, struct omkt_errbuf *eb)
{
    char *text = omkt_tpayload_build(tids, n);
    struct omkt_job_new jn = {
        .task = OMKT_TASK_TRANSCODE,
        .priority = m->priority,
        .account_id = m->account_id,
        .media_id = m->id,
        .payload = text,
    };
    int ret = OMKT_EINVAL;

    if (text == NULL)
        omkt_errf(eb, "cannot build a transcode payload of %zu rows", n);
    else
        ret = omkt_job_enqueue(db, &jn, NULL, eb);
    free(text);
    return ret;
}

int omkt_jobflow_request(struct omkt_db *db, const struct omkt_media *m,
                         const int *ids, size_t n, int *status,
                         unsigned *queued, struct omkt_errbuf *eb)
{
    int64_t *tids = omkt_xcalloc(n > 0 ? n : 1, sizeof(*tids));
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
        if (ret == OMKT_OK)
            tids[(*queued)++] = tid;
    }
    if (ret == OMKT_OK && *queued > 0)
        ret = queue_job(db, m, tids, *queued, eb);
    free(tids);
    return ret;
}

int omkt_jobflow_parse_ids(const char *list, int *ids, size_t max)
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
        if (end != NULL && *p == '\0')
            return -1; /* a trailing comma */
    }
    return (int)n;
}

/* each_transcode - apply @fn to every transcode row of a payload; a
 * malformed payload has no rows to act on. */
static int each_transcode(struct omkt_db *db, const char *payload,
                          int (*fn)(struct omkt_db *, int64_t, void *),
                          void *arg)
{
    int64_t *tids = NULL;
    size_t n = 0;
    int ret = OMKT_OK;

    if (omkt_tpayload_parse(payload, &tids, &n, NULL) != OMKT_OK)
        return OMKT_OK;
    for (size_t i = 0; ret == OMKT_OK && i < n; i++)
        ret = fn(db, tids[i], arg);
    free(tids);
    return ret;
}

static int set_open(struct omkt_db *db, int64_t tid, void *arg)
{
    return omkt_transcode_set_open(db, tid, *(bool *)arg, NULL);
}

/* reopen - the rows a retried (or cancelled) job works for. */
static int reopen(struct omkt_db *db, const struct omkt_job *job, bool is_open,
                  struct omkt_errbuf *eb)
{
    if (job->task == OMKT_TASK_TRANSCODE)
        return each_transcode(db, job->payload, set_open, &is_open);
    if (is_open &&
        (job->task == OMKT_TASK_DOWNLOAD || job->task == OMKT_TASK_METADATA))
        return omkt_media_reopen(db, job->media_id, eb);
    return OMKT_OK;
}

/* is_media_work - a job that works on its media (not a callback). */
static bool is_media_work(const struct omkt_job *job)
{
    return job->media_id > 0 && (job->task == OMKT_TASK_DOWNLOAD ||
                                 job->task == OMKT_TASK_METADATA ||
                                 job->task == OMKT_TASK_TRANSCODE);
}

/*
 * rows - the rows a cancelled or retried job works for, and what its REST
 * client learns: a cancel that leaves nothing of the media open is
 * media.cancelled; a retry starts a new round (restcb.h).  The media row
 * is locked before its transcodes (the job row is already).
 */
static int rows(struct omkt_db *db, const struct omkt_job *job, bool is_retry,
                struct omkt_errbuf *eb)
{
    struct omkt_media m = {0};
    int ret;

    if (!is_media_work(job) ||
        omkt_media_get(db, job->media_id, &m, NULL) != OMKT_OK)
        return reopen(db, job, is_retry, eb);
    ret = omkt_restcb_lock(db, &m, eb);
    if (ret == OMKT_OK)
        ret = reopen(db, job, is_retry, eb);
    if (ret == OMKT_OK)
        ret = is_retry ? omkt_restcb_reopen(db, &m, eb)
                       : omkt_restcb_media_end(db, &m, true, eb);
    omkt_media_clear(&m);
    return ret;
}

/* verb - cancel or retry, as one transaction. */
static int verb(struct omkt_db *db, int64_t id, bool is_retry,
                struct omkt_errbuf *eb)
{
    struct omkt_job job = {0};
    int ret = omkt_db_begin(db, eb);

    if (ret == OMKT_OK)
        ret = omkt_job_get(db, id, &job, eb);
    if (ret == OMKT_OK)
        ret =
            is_retry ? omkt_job_retry(db, id, eb) : omkt_job_cancel(db, id, eb);
    if (ret == OMKT_OK)
        ret = rows(db, &job, is_retry, eb);
    if (ret == OMKT_OK)
        ret = omkt_db_commit(db, eb);
    if (ret != OMKT_OK)
        omkt_db_rollback(db);
    omkt_job_clear(&job);
    return ret;
}

int omkt_jobflow_cancel(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb)
{
    return verb(db, id, false, eb);
}

int omkt_jobflow_retry(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb)
{
    return verb(db, id, true, eb);
}

struct fail_arg {
    const char *msg;
    const struct omkt_media *m;
    struct omkt_errbuf *eb;
};

/* fail_one - one transcode row of a dead job failed (@arg: fail_arg);
 * a REST client gets format.failed for it. */
static int fail_one(struct omkt_db *db, int64_t tid, void *arg)
{
    const struct fail_arg *fa = arg;
    int ret = omkt_transcode_failed(db, tid, fa->msg, fa->eb);

    if (ret == OMKT_OK)
        ret = omkt_restcb_setting_ended(db, fa->m, tid, fa->eb);
    return ret == OMKT_ELOST ? OMKT_OK : ret; /* finished or cancelled */
}

/* mark_failed - the media-level record of @r's death (@m: its media). */
static int mark_failed(struct omkt_db *db, const struct omkt_reaped *r,
                       const struct omkt_media *m, const char *msg,
                       struct omkt_errbuf *eb)
{
    struct fail_arg fa = {msg, m, eb};

    switch (r->task) {
    case OMKT_TASK_DOWNLOAD:
        return omkt_media_set_download_failed(db, r->media_id, msg, eb);
    case OMKT_TASK_METADATA:
        return omkt_media_set_metadata(db, r->media_id, NULL, msg, eb);
    case OMKT_TASK_TRANSCODE:
        return each_transcode(db, r->payload, fail_one, &fa);
    case OMKT_TASK_NOTIFY:
    case OMKT_TASK_MAINTENANCE:
    case OMKT_TASK_TEST:
        return OMKT_OK;
    }
    return OMKT_OK;
}

/* claim_state - media-nommer's state for a claimed job of @task, or NULL. */
static const char *claim_state(enum omkt_task task)
{
    switch (task) {
    case OMKT_TASK_DOWNLOAD:
        return "DOWNLOADING";
    case OMKT_TASK_TRANSCODE:
        return "ENCODING";
    case OMKT_TASK_METADATA:
    case OMKT_TASK_NOTIFY:
    case OMKT_TASK_MAINTENANCE:
    case OMKT_TASK_TEST:
        return NULL;
    }
    return NULL;
}

int omkt_jobflow_claimed(struct omkt_db *db, const struct omkt_job *job,
                         struct omkt_errbuf *eb)
{
    const char *state = claim_state(job->task);
    struct omkt_media m = {0};
    int ret;

    if (state == NULL || job->media_id <= 0 || job->attempts != 1 ||
        job->parent_id > 0) /* a segment: its parent told the client */
        return OMKT_OK;
    ret = omkt_media_get(db, job->media_id, &m, eb);
    if (ret == OMKT_OK)
        ret = omkt_notify_nommer_state(db, &m, state, NULL, eb);
    omkt_media_clear(&m);
    return ret == OMKT_ENOTFOUND ? OMKT_OK : ret;
}

/* family_died - a segment job @r died on every attempt: its family
 * fails with @msg naming the segment; *is_first says whether this ended
 * it (only then is the client told). */
static int family_died(struct omkt_db *db, const struct omkt_reaped *r,
                       char *msg, size_t size, bool *is_first,
                       struct omkt_errbuf *eb)
{
    struct omkt_seg_row row = {0};
    int ret = omkt_seg_get(db, r->id, &row, eb);

    *is_first = false;
    if (ret == OMKT_ENOTFOUND)
        return OMKT_OK;
    if (row.seg >= 0)
        snprintf(msg, size,
                 "segment %d (job %lld) failed: its workers died on every "
                 "attempt (crashed, killed or cut off)",
                 row.seg, (long long)r->id);
    else
        snprintf(msg, size,
                 "the audio (job %lld) of a segmented transcode failed: its "
                 "workers died on every attempt (crashed, killed or cut off)",
                 (long long)r->id);
    return ret == OMKT_OK
               ? omkt_seg_fail(db, r->parent_id, OMKT_ELOST, msg, is_first, eb)
               : ret;
}

int omkt_jobflow_job_died(struct omkt_db *db, const struct omkt_reaped *r,
                          struct omkt_errbuf *eb)
{
    struct omkt_media m = {0};
    char msg[200];
    bool is_first = true;
    int ret;

    if (r->task == OMKT_TASK_MAINTENANCE) {
        struct omkt_job_new jn = {.task = OMKT_TASK_MAINTENANCE,
                                  .max_attempts = 3};
        int64_t pending = 0;

        ret = omkt_job_count_pending(db, OMKT_TASK_MAINTENANCE, &pending, eb);
        if (ret == OMKT_OK && pending == 0)
            ret = omkt_job_enqueue(db, &jn, NULL, eb); /* keep it alive */
        return ret;
    }
    if (r->media_id <= 0 || r->task == OMKT_TASK_NOTIFY ||
        r->task == OMKT_TASK_MAINTENANCE || r->task == OMKT_TASK_TEST)
        return OMKT_OK;
    snprintf(msg, sizeof(msg),
             "%s failed: its workers died on every attempt "
             "(crashed, killed or cut off)",
             omkt_task_name(r->task));
    if (r->parent_id > 0) {
        ret = family_died(db, r, msg, sizeof(msg), &is_first, eb);
        if (ret != OMKT_OK || !is_first)
            return ret; /* an earlier failure told the client */
    }
    ret = omkt_media_get(db, r->media_id, &m, eb);
    if (ret == OMKT_OK)
        ret = omkt_restcb_lock(db, &m, eb); /* before its transcodes */
    if (ret == OMKT_OK)
        ret = mark_failed(db, r, &m, msg, eb);
    if (ret == OMKT_ELOST)
        ret = OMKT_OK; /* the media moved on (expired, re-probed) */
    /* media-nommer names this outcome: its workers gave the job up. */
    if (ret == OMKT_OK && omkt_notify_is_nommer(&m))
        ret = omkt_notify_nommer_state(db, &m, "ABANDONED", msg, eb);
    else if (ret == OMKT_OK && r->task == OMKT_TASK_TRANSCODE &&
             omkt_restcb_applies(&m))
        ret = omkt_restcb_media_end(db, &m, false, eb);
    else if (ret == OMKT_OK)
        ret = omkt_notify_media_error(db, &m, msg, eb);
    if (ret == OMKT_ENOTFOUND)
        ret = OMKT_OK;
    omkt_media_clear(&m);
    return ret;
}
