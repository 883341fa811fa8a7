/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jobworker - queue worker threads on the daemon skeleton (not to be
 * confused with media/worker.c, an encoder thread of one output).  Each thread
 * has its own connection and loops: peek (cheap) -> claim -> run the handler
 * -> complete / fail / release, sleeping adaptively when idle.
 *
 * A handler returns OMKT_OK (complete), OMKT_ESHUTDOWN (release: the
 * attempt is not spent), OMKT_ELOST (the job was taken away: touch
 * nothing) or any other code (fail: retried with backoff when
 * ctx->eb.retryable and attempts remain, else failed for good).  The
 * optional on_done and on_failed hooks run in the same transaction as the
 * state change, so follow-up rows (the next job, a callback) appear
 * exactly when the job's outcome does.
 */
#ifndef OMKT_COMMON_JOBWORKER_H
#define OMKT_COMMON_JOBWORKER_H

#include "daemon.h"

struct omkt_jobctx {
    struct omkt_daemon *d;
    struct omkt_db *db; /* this thread's connection */
    struct omkt_job job;
    struct omkt_slot *slot;
    struct omkt_errbuf eb; /* the reason when the handler fails */
    void *data;            /* the handler's, for the hooks */
    bool is_done;          /* completion committed (for cleanup) */
    /* Set by a handler returning OMKT_OK whose work goes on in child
     * jobs: the job is parked (db_jobs.h) instead of completed. */
    bool is_parking;
};

typedef int (*omkt_job_fn)(struct omkt_jobctx *ctx);
typedef int (*omkt_failed_fn)(struct omkt_jobctx *ctx, int code,
                              const char *reason, bool is_final);

struct omkt_worker_spec {
    enum omkt_task task;
    unsigned nthreads;
    omkt_job_fn handle;
    omkt_job_fn on_done;      /* may be NULL */
    omkt_failed_fn on_failed; /* may be NULL */
    /* After the outcome is recorded (ctx->is_done says whether the job
     * completed); frees ctx->data.  May be NULL. */
    void (*cleanup)(struct omkt_jobctx *ctx);
    /* 0: [common] poll_budget; else this task's own idle period: under a
     * budget it is cluster-wide (each of N pollers waits N times it). */
    int64_t idle_poll_ms;
    /* Instead of peek + omkt_job_claim: choose and claim the job into
     * ctx->job (the cloud bridge's policy); OMKT_ENOTFOUND: nothing to
     * take now.  May be NULL. */
    int (*claim)(struct omkt_jobctx *ctx, unsigned lease_s,
                 struct omkt_errbuf *eb);
};

/* omkt_worker_start - start @spec->nthreads threads (borrowed @spec). */
int omkt_worker_start(struct omkt_daemon *d,
                      const struct omkt_worker_spec *spec,
                      struct omkt_errbuf *eb);

/*
 * omkt_worker_loop - the body of one worker thread: claim and run jobs of
 * @spec on @slot of @d (borrowed until it returns), polling idle under
 * [common] poll_budget, until @d stops or drains.  omkt_worker_start runs
 * it on its threads; tools that simulate many daemons in one process
 * (bench/idle-scale) call it directly.
 */
void omkt_worker_loop(struct omkt_daemon *d,
                      const struct omkt_worker_spec *spec,
                      struct omkt_slot *slot);

/* omkt_worker_join - wait for every worker thread to finish. */
void omkt_worker_join(struct omkt_daemon *d);

/*
 * omkt_jobctx_should_stop - the handler must stop now: the job was lost,
 * or the daemon is stopping and its grace period is over.  Cheap; call it
 * often (FFmpeg interrupt callbacks, curl progress).
 */
bool omkt_jobctx_should_stop(const struct omkt_jobctx *ctx);

/* omkt_jobctx_stop_code - OMKT_ELOST or OMKT_ESHUTDOWN, for the above. */
int omkt_jobctx_stop_code(const struct omkt_jobctx *ctx);

/* omkt_jobctx_progress - record 0-100; written at the next heartbeat. */
void omkt_jobctx_progress(struct omkt_jobctx *ctx, int percent);

/*
 * omkt_worker_daemon_start/finish - spec->start and spec->finish for a
 * daemon that is only queue workers: spec->ctx is its omkt_worker_spec.
 */
int omkt_worker_daemon_start(struct omkt_daemon *d, struct omkt_errbuf *eb);
void omkt_worker_daemon_finish(struct omkt_daemon *d);

#endif
