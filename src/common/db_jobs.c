/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_jobs - the queue on the `jobs` table.
 *
 * DESIGN: the claim is one short READ COMMITTED transaction: a locking
 * read of the first queued row of one task in index order with SKIP
 * LOCKED (so concurrent claimers pass each other instead of queueing),
 * then a guarded UPDATE to running.  It never spans work.  The claim
 * index is (task, state, priority DESC, id): done, failed and delayed
 * rows live in other ranges of it and cost the claim nothing.
 * Fairness: when the head row's account already runs jobs of the task,
 * the oldest queued row of the same priority whose account runs fewer is
 * taken instead, so one account's hundred queued downloads do not hold
 * every worker while another's one waits.  The running counts are index
 * ranges of k_jobs_fair (task, state, account_id, ...), one entry per
 * running job; the search for a fairer row is only made when the head's
 * account is busy, so a queue of one account (or of jobs without one)
 * claims as fast as before.  Delayed rows are
 * promoted by whoever polls (k_jobs_due), expired leases are reaped by
 * whoever polls (k_jobs_lease).  All later transitions are guarded by
 * (id, state, worker_id) and count matched rows (CLIENT_FOUND_ROWS).
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db_jobs.h"
#include "log.h"
#include "parse.h"
#include "text.h"

#define CONFLICT_RETRIES 5
#define REAP_BATCH       100

static const char *const task_names[] = {
    [OMKT_TASK_DOWNLOAD] = "download",       [OMKT_TASK_METADATA] = "metadata",
    [OMKT_TASK_TRANSCODE] = "transcode",     [OMKT_TASK_NOTIFY] = "notify",
    [OMKT_TASK_MAINTENANCE] = "maintenance", [OMKT_TASK_TEST] = "test",
};

const char *omkt_task_name(enum omkt_task task)
{
    if ((unsigned)task >= OMKT_ARRAY_LEN(task_names))
        return "unknown";
    return task_names[task];
}

int omkt_task_parse(const char *name, enum omkt_task *out)
{
    for (size_t i = 0; i < OMKT_ARRAY_LEN(task_names); i++) {
        if (strcmp(name, task_names[i]) == 0) {
            *out = (enum omkt_task)i;
            return OMKT_OK;
        }
    }
    return OMKT_EINVAL;
}

/* id_or_null - 0 means "no such reference". */
static struct omkt_dbv id_or_null(int64_t id)
{
    return id > 0 ? OMKT_DBV_I(id) : OMKT_DBV_NUL;
}

int omkt_job_enqueue(struct omkt_db *db, const struct omkt_job_new *jn,
                     int64_t *id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "INSERT INTO jobs (task, state, priority, run_after, max_attempts,"
        " account_id, media_id, transcode_id, parent_id, payload)"
        " VALUES (?, IF(? > 0, 'delayed', 'queued'), ?,"
        " NOW(3) + INTERVAL ? MICROSECOND, ?, ?, ?, ?, ?, ?)";
    struct omkt_dbv v[] = {
        OMKT_DBV_S(omkt_task_name(jn->task)),
        OMKT_DBV_I(jn->delay_ms),
        OMKT_DBV_I(jn->priority),
        OMKT_DBV_I(jn->delay_ms > 0 ? jn->delay_ms * 1000 : 0),
        OMKT_DBV_I(jn->max_attempts > 0 ? jn->max_attempts : 5),
        id_or_null(jn->account_id),
        id_or_null(jn->media_id),
        id_or_null(jn->transcode_id),
        id_or_null(jn->parent_id),
        OMKT_DBV_S(jn->payload),
    };
    uint64_t new_id = 0;
    int ret;

    if (id != NULL)
        *id = 0;
    ret = omkt_db_exec(db, sql, v, OMKT_ARRAY_LEN(v), NULL, &new_id, eb);
    if (ret == OMKT_OK && id != NULL)
        *id = (int64_t)new_id;
    return ret;
}

int omkt_job_peek(struct omkt_db *db, enum omkt_task task, bool *has_work,
                  struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id FROM jobs WHERE task = ? AND state = 'queued' LIMIT 1";
    struct omkt_dbv v[] = {OMKT_DBV_S(omkt_task_name(task))};
    struct omkt_dbres *r = NULL;
    int ret;

    *has_work = false;
    ret = omkt_db_query(db, sql, v, 1, &r, eb);
    if (ret == OMKT_OK)
        *has_work = r->nrows > 0;
    omkt_dbres_free(r);
    return ret;
}

/* fill_job - the claimed row (columns of claim_select) into @job. */
static void fill_job(const struct omkt_dbres *r, enum omkt_task task,
                     int64_t worker_id, struct omkt_job *job)
{
    const char *payload = omkt_dbres_str(r, 0, 7);

    job->id = omkt_dbres_i64(r, 0, 0, 0);
    job->task = task;
    job->worker_id = worker_id;
    job->priority = (int)omkt_dbres_i64(r, 0, 1, 0);
    job->attempts = (int)omkt_dbres_i64(r, 0, 2, 0) + 1;
    job->max_attempts = (int)omkt_dbres_i64(r, 0, 3, 5);
    job->account_id = omkt_dbres_i64(r, 0, 4, 0);
    job->media_id = omkt_dbres_i64(r, 0, 5, 0);
    job->transcode_id = omkt_dbres_i64(r, 0, 6, 0);
    job->payload = payload ? omkt_xstrdup(payload) : NULL;
    job->parent_id = omkt_dbres_i64(r, 0, 8, 0);
}

/* IN_ORDER - a media-nommer state notification or a REST callback
 * (common/notify.h kinds "form" and "url") waits until every earlier one
 * of its media is delivered or given up, so a receiver sees the states
 * (the REST events: media.* after format.*) in order however many
 * notifierds run.  The subquery is a plain (consistent) read: a row
 * another claimer holds locked still counts as pending. */
#define FORM_PAYLOAD "'{\"kind\":\"form\"%'"
#define URL_PAYLOAD  "'{\"kind\":\"url\"%'"
#define IN_ORDER                                                               \
    " AND (task <> 'notify' OR media_id IS NULL"                               \
    " OR (COALESCE(payload, '') NOT LIKE " FORM_PAYLOAD                        \
    " AND COALESCE(payload, '') NOT LIKE " URL_PAYLOAD ")"                     \
    " OR NOT EXISTS (SELECT 1 FROM jobs e WHERE e.media_id = jobs.media_id"    \
    " AND e.task = 'notify' AND e.id < jobs.id"                                \
    " AND e.state IN ('queued', 'delayed', 'running')"                         \
    " AND (e.payload LIKE " FORM_PAYLOAD " OR e.payload LIKE " URL_PAYLOAD     \
    ")))"

/* The columns fill_job reads, and the guarded UPDATE of a claim. */
#define CLAIM_COLS                                                             \
    "SELECT id, priority, attempts, max_attempts, account_id, media_id,"       \
    " transcode_id, payload, parent_id FROM jobs WHERE task = ? AND state = "  \
    "'queued'" IN_ORDER

/* lock_head - lock the first queued row of @task in claim order
 * (k_jobs_claim); *r has 0 or 1 row. */
static int lock_head(struct omkt_db *db, enum omkt_task task,
                     struct omkt_dbres **r, struct omkt_errbuf *eb)
{
    static const char sql[] =
        CLAIM_COLS " ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED";
    struct omkt_dbv v[] = {OMKT_DBV_S(omkt_task_name(task))};

    return omkt_db_query(db, sql, v, 1, r, eb);
}

/* running_of - how many jobs of @task account @account runs
 * (k_jobs_fair: one index entry per running job). */
static int running_of(struct omkt_db *db, enum omkt_task task, int64_t account,
                      int64_t *n, struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT COUNT(*) FROM jobs WHERE task = ?"
                              " AND state = 'running' AND account_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_S(omkt_task_name(task)),
                           OMKT_DBV_I(account)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, v, 2, &r, eb);

    *n = ret == OMKT_OK ? omkt_dbres_i64(r, 0, 0, 0) : 0;
    omkt_dbres_free(r);
    return ret;
}

/* lock_fairer - lock the oldest queued row of the head's priority whose
 * account runs fewer jobs of @task than the head's (@running); *r has 0
 * or 1 row.  Reads only when the head's account is busy. */
static int lock_fairer(struct omkt_db *db, enum omkt_task task,
                       const struct omkt_dbres *head, int64_t running,
                       struct omkt_dbres **r, struct omkt_errbuf *eb)
{
    static const char sql[] =
        CLAIM_COLS " AND priority = ? AND account_id <> ?"
                   " AND (SELECT COUNT(*) FROM jobs b WHERE b.task = jobs.task"
                   " AND b.state = 'running' AND b.account_id ="
                   " jobs.account_id) < ?"
                   " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
    struct omkt_dbv v[] = {OMKT_DBV_S(omkt_task_name(task)),
                           OMKT_DBV_I(omkt_dbres_i64(head, 0, 1, 0)),
                           OMKT_DBV_I(omkt_dbres_i64(head, 0, 4, 0)),
                           OMKT_DBV_I(running)};

    return omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), r, eb);
}

/*
 * claim_select - the row to claim, locked: the head of the queue unless
 * its account already runs jobs of the task and another account at the
 * same priority runs fewer (then that one's oldest).  Jobs without an
 * account (maintenance, tests) take the fast path only.  *r: 0 or 1 row.
 */
static int claim_select(struct omkt_db *db, enum omkt_task task,
                        struct omkt_dbres **r, struct omkt_errbuf *eb)
{
    struct omkt_dbres *alt = NULL;
    int64_t running = 0;
    int ret = lock_head(db, task, r, eb);

    if (ret != OMKT_OK || (*r)->nrows == 0 || omkt_dbres_str(*r, 0, 4) == NULL)
        return ret;
    ret = running_of(db, task, omkt_dbres_i64(*r, 0, 4, 0), &running, eb);
    if (ret == OMKT_OK && running > 0)
        ret = lock_fairer(db, task, *r, running, &alt, eb);
    if (ret == OMKT_OK && alt != NULL && alt->nrows == 1) {
        omkt_dbres_free(*r); /* its lock goes with the commit */
        *r = alt;
        alt = NULL;
    }
    omkt_dbres_free(alt);
    return ret;
}

/* lock_id - lock queued job @id of @task; *r has 0 or 1 row. */
static int lock_id(struct omkt_db *db, enum omkt_task task, int64_t id,
                   struct omkt_dbres **r, struct omkt_errbuf *eb)
{
    static const char sql[] = CLAIM_COLS " AND id = ? FOR UPDATE SKIP LOCKED";
    struct omkt_dbv v[] = {OMKT_DBV_S(omkt_task_name(task)), OMKT_DBV_I(id)};

    return omkt_db_query(db, sql, v, 2, r, eb);
}

/* claim_once - one attempt at the claim transaction (of job @id when
 * > 0, else of the next in claim order). */
static int claim_once(struct omkt_db *db, enum omkt_task task, int64_t id,
                      int64_t worker_id, unsigned lease_s, struct omkt_job *job,
                      struct omkt_errbuf *eb)
{
    /* A split job claimed to join its segments keeps their 100%. */
    static const char claim_update[] =
        "UPDATE " OMKT_JOB_BY_ID " SET state = 'running', worker_id = ?,"
        " attempts = attempts + 1, started = NOW(3),"
        " progress = IF(progress = 100 AND EXISTS (SELECT 1 FROM job_segments"
        " s WHERE s.parent_id = jobs.id), 100, 0),"
        " lease_until = NOW(3) + INTERVAL ? SECOND"
        " WHERE id = ? AND state = 'queued'";
    struct omkt_dbres *r = NULL;
    uint64_t affected = 0;
    int ret = omkt_db_begin(db, eb);

    if (ret != OMKT_OK)
        return ret;
    ret =
        id > 0 ? lock_id(db, task, id, &r, eb) : claim_select(db, task, &r, eb);
    if (ret == OMKT_OK && r->nrows == 0)
        ret = OMKT_ENOTFOUND;
    if (ret == OMKT_OK) {
        struct omkt_dbv uv[] = {OMKT_DBV_I(worker_id), OMKT_DBV_I(lease_s),
                                OMKT_DBV_I(omkt_dbres_i64(r, 0, 0, 0))};
        ret = omkt_db_exec(db, claim_update, uv, 3, &affected, NULL, eb);
    }
    if (ret == OMKT_OK && affected != 1) {
        omkt_errf(eb, "claim: row changed under its lock");
        ret = OMKT_EDB;
    }
    if (ret == OMKT_OK)
        ret = omkt_db_commit(db, eb);
    if (ret == OMKT_OK)
        fill_job(r, task, worker_id, job);
    else
        omkt_db_rollback(db);
    omkt_dbres_free(r);
    return ret;
}

/* claim_retry - claim_once retried through lock conflicts. */
static int claim_retry(struct omkt_db *db, enum omkt_task task, int64_t id,
                       int64_t worker_id, unsigned lease_s,
                       struct omkt_job *job, struct omkt_errbuf *eb)
{
    int ret = OMKT_EDB;

    memset(job, 0, sizeof(*job));
    for (int i = 0; i < CONFLICT_RETRIES; i++) {
        struct omkt_errbuf local = {0};

        ret = claim_once(db, task, id, worker_id, lease_s, job, &local);
        if (ret != OMKT_EDB || !omkt_db_is_conflict(db)) {
            if (ret != OMKT_OK && local.is_set) {
                omkt_errf(eb, "%s", local.msg);
                if (eb != NULL)
                    eb->retryable = local.retryable;
            }
            return ret;
        }
        omkt_log(OMKT_LOG_DEBUG, "claim: lock conflict, retrying");
    }
    omkt_errf(eb, "claim: lock conflicts persisted");
    if (eb != NULL)
        eb->retryable = true;
    return ret;
}

int omkt_job_claim(struct omkt_db *db, enum omkt_task task, int64_t worker_id,
                   unsigned lease_s, struct omkt_job *job,
                   struct omkt_errbuf *eb)
{
    return claim_retry(db, task, 0, worker_id, lease_s, job, eb);
}

int omkt_job_claim_id(struct omkt_db *db, enum omkt_task task, int64_t id,
                      int64_t worker_id, unsigned lease_s, struct omkt_job *job,
                      struct omkt_errbuf *eb)
{
    if (id <= 0) {
        memset(job, 0, sizeof(*job));
        return OMKT_ENOTFOUND;
    }
    return claim_retry(db, task, id, worker_id, lease_s, job, eb);
}

/*
 * guarded - run a transition guarded by (id, state, worker_id) and map
 * "no row matched" to OMKT_ELOST.  No retry here: inside a transaction a
 * deadlock rolls everything back, so the caller retries the whole unit.
 */
static int guarded(struct omkt_db *db, const char *sql,
                   const struct omkt_dbv *v, size_t n, const char *what,
                   const struct omkt_job *job, struct omkt_errbuf *eb)
{
    int ret = omkt_db_exec_one(db, sql, v, n, eb);

    if (ret != OMKT_ENOTFOUND)
        return ret;
    omkt_errf(eb, "job %lld: %s: no longer ours", (long long)job->id, what);
    return OMKT_ELOST;
}

int omkt_job_extend(struct omkt_db *db, const struct omkt_job *job,
                    unsigned lease_s, int progress, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE " OMKT_JOB_BY_ID
        " SET lease_until = NOW(3) + INTERVAL ? SECOND,"
        " progress = IF(? < 0, progress, ?)"
        " WHERE id = ? AND state = 'running' AND worker_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(lease_s), OMKT_DBV_I(progress),
                           OMKT_DBV_I(progress > 100 ? 100 : progress),
                           OMKT_DBV_I(job->id), OMKT_DBV_I(job->worker_id)};

    return guarded(db, sql, v, OMKT_ARRAY_LEN(v), "extend", job, eb);
}

int omkt_job_set_tmp_dir(struct omkt_db *db, const struct omkt_job *job,
                         const char *rel_dir, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE " OMKT_JOB_BY_ID " SET tmp_dir = ?"
        " WHERE id = ? AND state = 'running' AND worker_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_S(rel_dir), OMKT_DBV_I(job->id),
                           OMKT_DBV_I(job->worker_id)};

    return guarded(db, sql, v, OMKT_ARRAY_LEN(v), "set tmp dir", job, eb);
}

/*
 * already_done - after a lost connection the completion may have
 * committed before the error reached us: ask whether it did.
 */
static bool already_done(struct omkt_db *db, const struct omkt_job *job)
{
    static const char sql[] =
        "SELECT 1 FROM jobs WHERE id = ? AND state = 'done' AND worker_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(job->id), OMKT_DBV_I(job->worker_id)};
    struct omkt_dbres *r = NULL;
    bool done = false;

    if (omkt_db_query(db, sql, v, 2, &r, NULL) == OMKT_OK)
        done = r->nrows == 1;
    omkt_dbres_free(r);
    return done;
}

int omkt_job_lock(struct omkt_db *db, const struct omkt_job *job, bool *is_done,
                  struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT id FROM " OMKT_JOB_BY_ID " WHERE id = ?"
                              " AND state = 'running' AND worker_id = ?"
                              " FOR UPDATE";
    struct omkt_dbv v[] = {OMKT_DBV_I(job->id), OMKT_DBV_I(job->worker_id)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, v, OMKT_ARRAY_LEN(v), &r, eb);

    omkt_dbres_free(r);
    *is_done = false;
    if (ret != OMKT_ENOTFOUND)
        return ret;
    if (already_done(db, job)) {
        *is_done = true;
        return OMKT_OK; /* as omkt_job_complete judges it */
    }
    omkt_errf(eb, "job %lld: lock: no longer ours", (long long)job->id);
    return OMKT_ELOST;
}

int omkt_job_complete(struct omkt_db *db, const struct omkt_job *job,
                      struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE " OMKT_JOB_BY_ID
        " SET state = 'done', progress = 100, finished = NOW(3),"
        " lease_until = NULL, error = NULL, error_code = NULL"
        " WHERE id = ? AND state = 'running' AND worker_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(job->id), OMKT_DBV_I(job->worker_id)};
    int ret = guarded(db, sql, v, OMKT_ARRAY_LEN(v), "complete", job, eb);

    if (ret == OMKT_ELOST && already_done(db, job))
        return OMKT_OK;
    return ret;
}

/* backoff_us - delay before retry number @attempts, in microseconds. */
static int64_t backoff_us(const struct omkt_backoff *bo, int attempts)
{
    int64_t ms = bo->base_ms;

    for (int i = 1; i < attempts && ms < bo->max_ms; i++)
        ms *= 2;
    if (ms > bo->max_ms)
        ms = bo->max_ms;
    ms += ms > 4 ? (int64_t)(random() % (ms / 4)) : 0; /* jitter */
    return ms * 1000;
}

int omkt_job_fail(struct omkt_db *db, const struct omkt_job *job, int code,
                  const char *reason, bool is_retryable,
                  const struct omkt_backoff *bo, bool *is_final,
                  struct omkt_errbuf *eb)
{
    /* Assignments run left to right: `finished` sees the new state. */
    static const char sql[] =
        "UPDATE " OMKT_JOB_BY_ID " SET"
        " state = IF(? AND attempts < max_attempts, 'delayed', 'failed'),"
        " run_after = NOW(3) + INTERVAL ? MICROSECOND,"
        " finished = IF(state = 'failed', NOW(3), NULL),"
        " lease_until = NULL, error_code = ?, error = LEFT(?, 1024)"
        " WHERE id = ? AND state = 'running' AND worker_id = ?";
    bool final = !is_retryable || job->attempts >= job->max_attempts;
    /* Cleaned: a reason MariaDB refuses would leave the job running. */
    char *text =
        omkt_text_dup(reason ? reason : omkt_strerror(code), OMKT_DB_ERROR_MAX);
    struct omkt_dbv v[] = {
        OMKT_DBV_I(is_retryable ? 1 : 0),
        OMKT_DBV_I(backoff_us(bo, job->attempts)),
        OMKT_DBV_I(code),
        OMKT_DBV_S(text),
        OMKT_DBV_I(job->id),
        OMKT_DBV_I(job->worker_id),
    };
    int ret = guarded(db, sql, v, OMKT_ARRAY_LEN(v), "fail", job, eb);

    free(text);
    if (is_final != NULL)
        *is_final = final;
    return ret;
}

int omkt_job_release(struct omkt_db *db, const struct omkt_job *job,
                     struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE " OMKT_JOB_BY_ID
        " SET state = 'queued', attempts = GREATEST(attempts, 1) - "
        "1,"
        " lease_until = NULL, worker_id = NULL, progress = 0"
        " WHERE id = ? AND state = 'running' AND worker_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(job->id), OMKT_DBV_I(job->worker_id)};

    return guarded(db, sql, v, OMKT_ARRAY_LEN(v), "release", job, eb);
}

int omkt_job_promote(struct omkt_db *db, unsigned *n, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE jobs SET state = 'queued'"
        " WHERE state = 'delayed' AND run_after <= NOW(3) LIMIT 1000";

    return omkt_db_exec_count(db, sql, NULL, 0, n, eb);
}

/* reap_one - take back one expired job; *taken says whether we did. */
static int reap_one(struct omkt_db *db, const struct omkt_backoff *bo,
                    int64_t id, int attempts, bool *taken,
                    struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE " OMKT_JOB_BY_ID " SET"
        " state = IF(attempts < max_attempts, 'delayed', 'failed'),"
        " run_after = NOW(3) + INTERVAL ? MICROSECOND,"
        " finished = IF(state = 'failed', NOW(3), NULL),"
        " error = CONCAT('lease expired: worker ', IFNULL(worker_id, '?'),"
        "   ' stopped heartbeating (crashed, killed or cut off)'),"
        " error_code = -6, lease_until = NULL"
        " WHERE id = ? AND state = 'running' AND lease_until < NOW(3)";
    struct omkt_dbv v[] = {OMKT_DBV_I(backoff_us(bo, attempts)),
                           OMKT_DBV_I(id)};
    uint64_t affected = 0;
    int ret = omkt_db_exec(db, sql, v, 2, &affected, NULL, eb);

    *taken = ret == OMKT_OK && affected == 1;
    return ret;
}

/* reaped_from_row - describe row @i of the expired-jobs query. */
static void reaped_from_row(const struct omkt_dbres *r, size_t i,
                            struct omkt_reaped *out)
{
    const char *tmp = omkt_dbres_str(r, i, 4);
    const char *payload = omkt_dbres_str(r, i, 7);

    memset(out, 0, sizeof(*out));
    out->id = omkt_dbres_i64(r, i, 0, 0);
    (void)omkt_task_parse(omkt_dbres_str(r, i, 1), &out->task);
    out->is_final = omkt_dbres_i64(r, i, 2, 0) >= omkt_dbres_i64(r, i, 3, 5);
    out->account_id = omkt_dbres_i64(r, i, 5, 0);
    out->media_id = omkt_dbres_i64(r, i, 6, 0);
    out->parent_id = omkt_dbres_i64(r, i, 8, 0);
    if (tmp != NULL)
        (void)omkt_strlcpy(out->tmp_dir, tmp, sizeof(out->tmp_dir));
    if (payload != NULL)
        (void)omkt_strlcpy(out->payload, payload, sizeof(out->payload));
}

/* reap_tx - take back one job and run @fn, as one transaction. */
static int reap_tx(struct omkt_db *db, const struct omkt_backoff *bo,
                   const struct omkt_reaped *rp, int attempts,
                   omkt_reaped_fn fn, void *ctx, bool *taken,
                   struct omkt_errbuf *eb)
{
    int ret = omkt_db_begin(db, eb);

    *taken = false;
    if (ret == OMKT_OK)
        ret = reap_one(db, bo, rp->id, attempts, taken, eb);
    if (ret == OMKT_OK && *taken && fn != NULL)
        ret = fn(ctx, db, rp);
    if (ret == OMKT_OK)
        ret = omkt_db_commit(db, eb);
    if (ret != OMKT_OK) {
        omkt_db_rollback(db);
        *taken = false;
    }
    return ret;
}

int omkt_job_reap(struct omkt_db *db, const struct omkt_backoff *bo,
                  omkt_reaped_fn fn, void *ctx, unsigned *n,
                  struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, task, attempts, max_attempts, tmp_dir, account_id,"
        " media_id, LEFT(payload, 1023), parent_id FROM jobs"
        " WHERE state = 'running' AND lease_until < NOW(3) LIMIT 100";
    struct omkt_dbres *r = NULL;
    unsigned count = 0;
    int ret = omkt_db_query(db, sql, NULL, 0, &r, eb);

    for (size_t i = 0; ret == OMKT_OK && i < r->nrows; i++) {
        struct omkt_reaped rp;
        bool taken = false;

        reaped_from_row(r, i, &rp);
        ret = reap_tx(db, bo, &rp, (int)omkt_dbres_i64(r, i, 2, 1), fn, ctx,
                      &taken, eb);
        if (!taken)
            continue; /* another reaper, or the owner came back */
        count++;
        omkt_log(OMKT_LOG_WARN, "job=%lld task=%s lease expired: %s",
                 (long long)rp.id, omkt_task_name(rp.task),
                 rp.is_final ? "failed (attempts exhausted)" : "requeued");
    }
    omkt_dbres_free(r);
    if (n != NULL)
        *n = count;
    return ret;
}

int omkt_job_get(struct omkt_db *db, int64_t id, struct omkt_job *job,
                 struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, task, priority, account_id, media_id, transcode_id,"
        " payload, parent_id FROM jobs WHERE id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, v, 1, &r, eb);

    memset(job, 0, sizeof(*job));
    if (ret == OMKT_ENOTFOUND)
        omkt_errf(eb, "no job %lld", (long long)id);
    if (ret == OMKT_OK) {
        job->id = id;
        (void)omkt_task_parse(omkt_dbres_str(r, 0, 1), &job->task);
        job->priority = (int)omkt_dbres_i64(r, 0, 2, 0);
        job->account_id = omkt_dbres_i64(r, 0, 3, 0);
        job->media_id = omkt_dbres_i64(r, 0, 4, 0);
        job->transcode_id = omkt_dbres_i64(r, 0, 5, 0);
        job->payload = omkt_dbres_dup(r, 0, 6);
        job->parent_id = omkt_dbres_i64(r, 0, 7, 0);
    }
    omkt_dbres_free(r);
    return ret;
}

/* family_root - the parent of segment job @id, else @id itself. */
static int family_root(struct omkt_db *db, int64_t id, int64_t *root,
                       struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT COALESCE(parent_id, id) FROM jobs"
                              " WHERE id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query_row(db, sql, v, 1, &r, eb);

    *root = ret == OMKT_OK ? omkt_dbres_i64(r, 0, 0, id) : id;
    omkt_dbres_free(r);
    return ret == OMKT_ENOTFOUND ? OMKT_OK : ret;
}

int omkt_job_cancel(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE jobs SET state = 'cancelled', finished = NOW(3),"
        " lease_until = NULL WHERE (id = ? OR parent_id = ?)"
        " AND state IN ('queued', 'delayed', 'running', 'waiting')";
    int64_t root = id;
    unsigned n = 0;
    int ret = family_root(db, id, &root, eb);

    if (ret == OMKT_OK) {
        struct omkt_dbv v[] = {OMKT_DBV_I(root), OMKT_DBV_I(root)};

        ret = omkt_db_exec_count(db, sql, v, 2, &n, eb);
    }
    if (ret == OMKT_OK && n == 0) {
        omkt_errf(eb, "job %lld: not found or already finished", (long long)id);
        ret = OMKT_ENOTFOUND;
    }
    return ret;
}

/* has_children - whether job @root has segment children. */
static int has_children(struct omkt_db *db, int64_t root, bool *has,
                        struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT COUNT(*) FROM jobs WHERE parent_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(root)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, v, 1, &r, eb);

    *has = ret == OMKT_OK && omkt_dbres_i64(r, 0, 0, 0) > 0;
    omkt_dbres_free(r);
    return ret;
}

int omkt_job_retry(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb)
{
    /* A segmented job waits for its children again, every one of them
     * queued afresh: the family's files went when it ended. */
    static const char sql[] =
        "UPDATE " OMKT_JOB_BY_ID
        " SET state = IF(?, 'waiting', 'queued'), attempts = 0,"
        " run_after = NOW(3), worker_id = NULL, finished = NULL, error = NULL,"
        " error_code = NULL, progress = 0"
        " WHERE id = ? AND state IN ('failed', 'cancelled')";
    static const char children[] =
        "UPDATE jobs SET state = 'queued', attempts = 0, run_after = NOW(3),"
        " worker_id = NULL, finished = NULL, error = NULL, error_code = NULL,"
        " progress = 0 WHERE parent_id = ? AND state <> 'running'";
    int64_t root = id;
    bool has = false;
    int ret = family_root(db, id, &root, eb);

    if (ret == OMKT_OK)
        ret = has_children(db, root, &has, eb);
    if (ret == OMKT_OK) {
        struct omkt_dbv v[] = {OMKT_DBV_I(has), OMKT_DBV_I(root)};

        ret = omkt_db_exec_one(db, sql, v, 2, eb);
    }
    if (ret == OMKT_OK && has)
        ret = omkt_db_exec(db, children, (struct omkt_dbv[]){OMKT_DBV_I(root)},
                           1, NULL, NULL, eb);
    if (ret == OMKT_ENOTFOUND)
        omkt_errf(eb, "job %lld: not found or not failed/cancelled",
                  (long long)id);
    return ret;
}

int omkt_job_park(struct omkt_db *db, const struct omkt_job *job,
                  struct omkt_errbuf *eb)
{
    static const char sql[] =
        "UPDATE " OMKT_JOB_BY_ID " SET state = 'waiting', worker_id = NULL,"
        " lease_until = NULL, progress = 0"
        " WHERE id = ? AND state = 'running' AND worker_id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(job->id), OMKT_DBV_I(job->worker_id)};

    return guarded(db, sql, v, OMKT_ARRAY_LEN(v), "park", job, eb);
}

int omkt_job_trim(struct omkt_db *db, int64_t age_s, int64_t limit, unsigned *n,
                  struct omkt_errbuf *eb)
{
    static const char sql[] =
        "DELETE FROM jobs WHERE finished < NOW(3) - INTERVAL ? SECOND"
        " AND state IN ('done', 'failed', 'cancelled') LIMIT ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(age_s), OMKT_DBV_I(limit)};

    return omkt_db_exec_count(db, sql, v, 2, n, eb);
}

int omkt_job_is_running(struct omkt_db *db, int64_t id, bool *is_running,
                        struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT 1 FROM jobs WHERE id = ? AND state = 'running'";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, v, 1, &r, eb);

    *is_running = ret == OMKT_OK && r->nrows > 0;
    omkt_dbres_free(r);
    return ret;
}

int omkt_job_queued_heads(struct omkt_db *db, enum omkt_task task,
                          unsigned limit, struct omkt_dbres **res,
                          struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT id, account_id, CAST(TIMESTAMPDIFF(MICROSECOND,"
        " GREATEST(created, run_after), NOW(3)) / 1000 AS SIGNED) FROM jobs"
        " WHERE task = ? AND state = 'queued' AND parent_id IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM job_segments s"
        " WHERE s.parent_id = jobs.id)"
        " ORDER BY priority DESC, id LIMIT ?";
    struct omkt_dbv v[] = {OMKT_DBV_S(omkt_task_name(task)), OMKT_DBV_I(limit)};

    return omkt_db_query(db, sql, v, 2, res, eb);
}

int omkt_job_count_pending(struct omkt_db *db, enum omkt_task task, int64_t *n,
                           struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT COUNT(*) FROM jobs WHERE task = ?"
                              " AND state IN ('queued', 'delayed', 'running')";
    struct omkt_dbv v[] = {OMKT_DBV_S(omkt_task_name(task))};
    struct omkt_dbres *r = NULL;
    int ret = omkt_db_query(db, sql, v, 1, &r, eb);

    *n = ret == OMKT_OK ? omkt_dbres_i64(r, 0, 0, 0) : 0;
    omkt_dbres_free(r);
    return ret;
}

void omkt_job_clear(struct omkt_job *job)
{
    if (job == NULL)
        return;
    OMKT_FREE(job->payload);
    memset(job, 0, sizeof(*job));
}

int omkt_job_list(struct omkt_db *db, const struct omkt_job_filter *f,
                  struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT j.id, j.task, j.state, j.priority, j.attempts,"
        " j.max_attempts, IFNULL(CONCAT(p.host, ':', p.pid), '-'),"
        " j.progress, j.created, IFNULL(j.error, '')"
        " FROM jobs j LEFT JOIN processes p ON p.id = j.worker_id"
        " WHERE (? IS NULL OR j.state = ?) AND (? IS NULL OR j.task = ?)"
        " AND (? = 0 OR j.media_id = ?)"
        " ORDER BY j.id DESC LIMIT ?";
    struct omkt_dbv v[] = {
        OMKT_DBV_S(f->state),
        OMKT_DBV_S(f->state),
        OMKT_DBV_S(f->task),
        OMKT_DBV_S(f->task),
        OMKT_DBV_I(f->media_id),
        OMKT_DBV_I(f->media_id),
        OMKT_DBV_I(f->limit > 0 ? f->limit : 50),
    };

    return omkt_db_query(db, sql, v, OMKT_ARRAY_LEN(v), res, eb);
}

int omkt_job_list_media(struct omkt_db *db, int64_t media_id,
                        struct omkt_dbres **res, struct omkt_errbuf *eb)
{
    static const char sql[] = "SELECT id, task, state, progress, error FROM"
                              " jobs WHERE media_id = ? AND task <> 'notify'"
                              " ORDER BY id";
    struct omkt_dbv v[] = {OMKT_DBV_I(media_id)};

    return omkt_db_query(db, sql, v, 1, res, eb);
}

int omkt_job_show(struct omkt_db *db, int64_t id, struct omkt_dbres **res,
                  struct omkt_errbuf *eb)
{
    static const char sql[] =
        "SELECT j.id, j.task, j.state, j.priority, j.run_after, j.account_id,"
        " j.media_id, j.transcode_id, j.payload, j.worker_id,"
        " IFNULL(CONCAT(p.host, ':', p.pid, ' (', p.role, ')'), NULL),"
        " j.attempts, j.max_attempts, j.lease_until, j.progress, j.tmp_dir,"
        " j.error_code, j.error, j.created, j.started, j.finished, j.parent_id"
        " FROM jobs j LEFT JOIN processes p ON p.id = j.worker_id"
        " WHERE j.id = ?";
    struct omkt_dbv v[] = {OMKT_DBV_I(id)};
    int ret = omkt_db_query_row(db, sql, v, 1, res, eb);

    if (ret == OMKT_ENOTFOUND)
        omkt_errf(eb, "no job %lld", (long long)id);
    return ret;
}
