/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_jobs - the shared job queue (owns every SQL statement on `jobs` but
 * the segment families' own transitions: db_segments.h).
 *
 * States: queued -> running -> done | delayed (retry later) | failed
 * (attempts exhausted or permanent) | queued (released at shutdown, the
 * attempt not spent) | waiting (its work split into child jobs) ;
 * delayed -> queued when due ; waiting -> queued when its children are
 * done ; queued, delayed, running, waiting -> cancelled ; failed,
 * cancelled -> queued or waiting (operator retry).
 *
 * The verbs a worker uses (claim, extend, complete, fail, release) take
 * only the job and the owner, so a second transport (SQS for cloud
 * workers) can offer the same five.  Every transition after the claim is
 * guarded by id, state and owner and must touch exactly one row; zero rows
 * means the job was taken away (OMKT_ELOST): stop working on it.
 */
#ifndef OMKT_COMMON_DB_JOBS_H
#define OMKT_COMMON_DB_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/*
 * OMKT_JOB_BY_ID - the `jobs` table, read through its primary key, for
 * every statement on one job by id (`UPDATE OMKT_JOB_BY_ID SET ... WHERE
 * id = ? AND state = ...`).  With few jobs in a state the optimizer may
 * otherwise take k_jobs_due (state, run_after): a lease renewal then
 * holds that index entry while it waits for the row, and the worker
 * completing the job in the same instant, which holds the row and must
 * move the entry, deadlocks with it; a completion transaction longer
 * than the heartbeat deadlocked on every retry
 * (tests/integration/test_renew_race.sh).
 */
#define OMKT_JOB_BY_ID "jobs FORCE INDEX (PRIMARY)"

enum omkt_task {
    OMKT_TASK_DOWNLOAD,
    OMKT_TASK_METADATA,
    OMKT_TASK_TRANSCODE,
    OMKT_TASK_NOTIFY,
    OMKT_TASK_MAINTENANCE,
    OMKT_TASK_TEST, /* synthetic jobs for tests and benchmarks */
};

/* A claimed job.  Strings are new: release with omkt_job_clear(). */
struct omkt_job {
    int64_t id;
    enum omkt_task task;
    int64_t worker_id;
    int priority;
    int attempts; /* including this one */
    int max_attempts;
    int64_t account_id; /* 0 when NULL */
    int64_t media_id;
    int64_t transcode_id;
    int64_t parent_id; /* a segment job's parent (segment_job.h); else 0 */
    char *payload;     /* may be NULL */
};

/* What to enqueue.  Strings are borrowed. */
struct omkt_job_new {
    enum omkt_task task;
    int priority;
    int64_t delay_ms; /* > 0: not before now + delay (state 'delayed') */
    int max_attempts; /* 0: default 5 */
    int64_t account_id;
    int64_t media_id;
    int64_t transcode_id;
    int64_t parent_id; /* 0: none */
    const char *payload;
};

/* Retry policy for failures and reaped jobs. */
struct omkt_backoff {
    int64_t base_ms; /* first retry delay; doubled per attempt */
    int64_t max_ms;
};

const char *omkt_task_name(enum omkt_task task);
/* omkt_task_parse - name to task; OMKT_EINVAL when unknown. */
int omkt_task_parse(const char *name, enum omkt_task *out);

int omkt_job_enqueue(struct omkt_db *db, const struct omkt_job_new *jn,
                     int64_t *id, struct omkt_errbuf *eb);

/* omkt_job_peek - cheap, lock-free: is a job of @task queued? */
int omkt_job_peek(struct omkt_db *db, enum omkt_task task, bool *has_work,
                  struct omkt_errbuf *eb);

/*
 * omkt_job_claim - take the next queued job of @task for @worker_id with a
 * lease of @lease_s (one short READ COMMITTED transaction, SKIP LOCKED).
 * OMKT_OK: *job filled (new strings).  OMKT_ENOTFOUND: nothing queued.
 * OMKT_EDB: see eb (eb->retryable).  Deadlocks are retried inside.
 */
int omkt_job_claim(struct omkt_db *db, enum omkt_task task, int64_t worker_id,
                   unsigned lease_s, struct omkt_job *job,
                   struct omkt_errbuf *eb);

/*
 * omkt_job_extend - renew the lease and record progress (0-100, or -1 to
 * leave it).  OMKT_ELOST: the job is no longer ours (reaped, cancelled).
 */
int omkt_job_extend(struct omkt_db *db, const struct omkt_job *job,
                    unsigned lease_s, int progress, struct omkt_errbuf *eb);

/* omkt_job_set_tmp_dir - where this job's temp files live (for reapers). */
int omkt_job_set_tmp_dir(struct omkt_db *db, const struct omkt_job *job,
                         const char *rel_dir, struct omkt_errbuf *eb);

/*
 * omkt_job_lock - lock our running job's row until the transaction ends,
 * before a done hook writes the media's rows: every transaction that ends
 * a job or the work of a media locks the job first, then the media, then
 * its transcodes (cancel, failure and reaping update the job row first),
 * so none waits for another in a cycle.  OMKT_ELOST when not ours.
 * *is_done is set when our completion had already
 * committed (its reply lost with the connection): its hook's rows are in,
 * nothing is to be done again.
 */
int omkt_job_lock(struct omkt_db *db, const struct omkt_job *job, bool *is_done,
                  struct omkt_errbuf *eb);

/* omkt_job_complete - running -> done.  OMKT_ELOST when not ours. */
int omkt_job_complete(struct omkt_db *db, const struct omkt_job *job,
                      struct omkt_errbuf *eb);

/*
 * omkt_job_fail - running -> delayed (retry after backoff) when
 * @is_retryable and attempts remain, else failed.  @code is an omkt_err,
 * @reason is stored for people (cleaned and cut by omkt_text_dup: any
 * bytes are fine).  *is_final (may be NULL) says which.
 */
int omkt_job_fail(struct omkt_db *db, const struct omkt_job *job, int code,
                  const char *reason, bool is_retryable,
                  const struct omkt_backoff *bo, bool *is_final,
                  struct omkt_errbuf *eb);

/* omkt_job_release - running -> queued without spending the attempt. */
int omkt_job_release(struct omkt_db *db, const struct omkt_job *job,
                     struct omkt_errbuf *eb);

/* omkt_job_promote - delayed jobs that are due become queued. */
int omkt_job_promote(struct omkt_db *db, unsigned *n, struct omkt_errbuf *eb);

/* A job taken back from a dead owner. */
struct omkt_reaped {
    int64_t id;
    enum omkt_task task;
    bool is_final; /* attempts exhausted: now failed */
    int64_t account_id;
    int64_t media_id;
    int64_t parent_id; /* a segment job's parent, else 0 */
    char tmp_dir[256];
    char payload[1024]; /* truncated; enough for transcode lists */
};

/* Called inside the reaping transaction; an error rolls the reap back. */
typedef int (*omkt_reaped_fn)(void *ctx, struct omkt_db *db,
                              const struct omkt_reaped *r);

/*
 * omkt_job_reap - requeue (with backoff) or fail every running job whose
 * lease expired; the attempt it used is spent.  @fn (may be NULL) is called
 * for each in the same transaction as its state change: to remove its
 * temp files and, when it failed for good, to record that and tell the
 * client (nothing accepted is ever dropped silently).
 */
int omkt_job_reap(struct omkt_db *db, const struct omkt_backoff *bo,
                  omkt_reaped_fn fn, void *ctx, unsigned *n,
                  struct omkt_errbuf *eb);

/*
 * omkt_job_get - task, media, account and payload of job @id (any state;
 * worker_id and attempts are not filled).  OMKT_ENOTFOUND when absent.
 */
int omkt_job_get(struct omkt_db *db, int64_t id, struct omkt_job *job,
                 struct omkt_errbuf *eb);

/* Operator verbs.  OMKT_ENOTFOUND when the job is not in a fitting state. */
/*
 * omkt_job_cancel/retry - an operator's verbs.  Segment-parallel jobs
 * (segment_job.h) go as a family: cancelling the parent or any child
 * cancels all of them; retrying one requeues every child (the family's
 * segment files were removed when it ended) and puts the parent back to
 * wait for them.  OMKT_ENOTFOUND when nothing was in a state to change.
 */
int omkt_job_cancel(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb);
int omkt_job_retry(struct omkt_db *db, int64_t id, struct omkt_errbuf *eb);

/*
 * omkt_job_park - running -> waiting (no worker, no lease): a job whose
 * work continues in child jobs (segment_job.h); guarded like complete.
 */
int omkt_job_park(struct omkt_db *db, const struct omkt_job *job,
                  struct omkt_errbuf *eb);

/* Filters for omkt_job_list; NULL / 0 means any. */
struct omkt_job_filter {
    const char *state;
    const char *task;
    int64_t media_id;
    int64_t limit; /* 0: 50 */
};

/*
 * omkt_job_list - newest first: id, task, state, priority, attempts,
 * max_attempts, owner (host:pid), progress, created, error.  *res is new.
 */
int omkt_job_list(struct omkt_db *db, const struct omkt_job_filter *f,
                  struct omkt_dbres **res, struct omkt_errbuf *eb);

/* omkt_job_list_media - id, task, state, progress, error of a media's
 * jobs, notify jobs excepted (oldest first).  *res is new. */
int omkt_job_list_media(struct omkt_db *db, int64_t media_id,
                        struct omkt_dbres **res, struct omkt_errbuf *eb);

/* omkt_job_show - one job, every column (see the SQL); OMKT_ENOTFOUND. */
int omkt_job_show(struct omkt_db *db, int64_t id, struct omkt_dbres **res,
                  struct omkt_errbuf *eb);

/*
 * omkt_job_trim - delete up to @limit finished (done, failed, cancelled)
 * jobs that ended over @age_s ago.  *n counts them.
 */
int omkt_job_trim(struct omkt_db *db, int64_t age_s, int64_t limit, unsigned *n,
                  struct omkt_errbuf *eb);

/* omkt_job_is_running - is job @id running (its temp files in use)? */
int omkt_job_is_running(struct omkt_db *db, int64_t id, bool *is_running,
                        struct omkt_errbuf *eb);

/* omkt_job_count_pending - queued, delayed or running jobs of @task. */
int omkt_job_count_pending(struct omkt_db *db, enum omkt_task task, int64_t *n,
                           struct omkt_errbuf *eb);

/*
 * omkt_job_queued_heads - up to @limit queued jobs of @task in claim
 * order (priority, id): columns id, account_id (NULL when none), and how
 * long each has waited in ms.  *res is new.  For the cloud bridge, which
 * picks among them by each account's policy: never a segment job or a
 * parent that has them (their files live on the document root).
 */
int omkt_job_queued_heads(struct omkt_db *db, enum omkt_task task,
                          unsigned limit, struct omkt_dbres **res,
                          struct omkt_errbuf *eb);

/*
 * omkt_job_claim_id - omkt_job_claim for one chosen job @id of @task.
 * OMKT_ENOTFOUND when it is no longer queued (taken meanwhile).
 */
int omkt_job_claim_id(struct omkt_db *db, enum omkt_task task, int64_t id,
                      int64_t worker_id, unsigned lease_s, struct omkt_job *job,
                      struct omkt_errbuf *eb);

void omkt_job_clear(struct omkt_job *job);

#endif
