/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jobworker - the claim loop (see jobworker.h).
 *
 * DESIGN: each thread owns one slot of the daemon; the heartbeat thread
 * reads the slot to renew the lease and sets slot->is_lost when the job
 * was taken away.  Transitions with hooks run as one transaction, retried
 * whole on deadlock.  A database outage is waited out with backoff: the
 * job's outcome is retried until it is recorded or the lease is gone.
 *
 * Idle polling follows [common] poll_budget (pollbudget.h): each idle
 * poll also returns the number of idle processes of this role, and the
 * thread sleeps its share of the cluster-wide budget.  A thread that just
 * finished a job claims at once, without a peek; a busy one never polls.
 * With poll_budget = off, every thread polls on its own, backing off from
 * poll_min to poll_max (the scheme bench/idle-scale compares against).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "db_poll.h"
#include "db_counters.h"
#include "db_procs.h"
#include "jobflow.h"
#include "jobworker.h"
#include "log.h"
#include "pollbudget.h"

#define TX_RETRIES 5

struct thread_arg {
    struct omkt_daemon *d;
    const struct omkt_worker_spec *spec;
    struct omkt_slot *slot;
};

static pthread_t threads[OMKT_MAX_WORKERS];
static struct thread_arg args[OMKT_MAX_WORKERS];
static unsigned nthreads;
static atomic_uint live; /* threads still looping */

bool omkt_jobctx_should_stop(const struct omkt_jobctx *ctx)
{
    int64_t deadline;

    if (atomic_load(&ctx->slot->is_lost))
        return true;
    if (!atomic_load(&ctx->d->is_stopping))
        return false;
    deadline = atomic_load(&ctx->d->grace_deadline_ms);
    return omkt_now_ms() >= deadline;
}

int omkt_jobctx_stop_code(const struct omkt_jobctx *ctx)
{
    return atomic_load(&ctx->slot->is_lost) ? OMKT_ELOST : OMKT_ESHUTDOWN;
}

void omkt_jobctx_progress(struct omkt_jobctx *ctx, int percent)
{
    pthread_mutex_lock(&ctx->slot->lock);
    ctx->slot->progress = percent < 0 ? 0 : percent > 100 ? 100 : percent;
    pthread_mutex_unlock(&ctx->slot->lock);
}

/* slot_set - publish (or clear, with NULL) the job this thread holds. */
static void slot_set(struct omkt_slot *s, const struct omkt_job *job)
{
    pthread_mutex_lock(&s->lock);
    memset(&s->job, 0, sizeof(s->job));
    if (job != NULL) {
        s->job.id = job->id;
        s->job.worker_id = job->worker_id;
    }
    s->progress = -1;
    s->is_recording = false;
    atomic_store(&s->is_lost, false);
    pthread_mutex_unlock(&s->lock);
}

/* slot_recording - the outcome is being recorded (slot_set clears it). */
static void slot_recording(struct omkt_slot *s)
{
    pthread_mutex_lock(&s->lock);
    s->is_recording = true;
    pthread_mutex_unlock(&s->lock);
}

struct outcome {
    int code;           /* handler result */
    const char *reason; /* for failures: valid UTF-8 (omkt_errf's) */
    bool is_retryable;
    bool is_final;
    int fallback; /* 1: reason replaced, 2: and no on_failed hook */
    char plain[160];
};

/* transition - apply @o to the job, with the hook, in one transaction. */
static int transition(struct omkt_jobctx *ctx,
                      const struct omkt_worker_spec *spec, struct outcome *o,
                      struct omkt_errbuf *eb)
{
    struct omkt_daemon *d = ctx->d;
    int ret = omkt_db_begin(ctx->db, eb);

    if (ret != OMKT_OK)
        return ret;
    if (o->code == OMKT_OK) {
        bool is_done = false;

        ret = omkt_job_lock(ctx->db, &ctx->job, &is_done, eb); /* job first */
        if (ret == OMKT_OK && is_done) { /* committed, the reply was lost */
            omkt_db_rollback(ctx->db);
            return OMKT_OK; /* the hook and the counters ran then: not again */
        }
        if (ret == OMKT_OK && spec->on_done)
            ret = spec->on_done(ctx);
        if (ret == OMKT_OK)
            ret = ctx->is_parking ? omkt_job_park(ctx->db, &ctx->job, eb)
                                  : omkt_job_complete(ctx->db, &ctx->job, eb);
    } else if (o->code == OMKT_ESHUTDOWN) {
        ret = omkt_job_release(ctx->db, &ctx->job, eb);
    } else {
        ret = omkt_job_fail(ctx->db, &ctx->job, o->code, o->reason,
                            o->is_retryable, &d->backoff, &o->is_final, eb);
        if (ret == OMKT_OK && spec->on_failed && o->fallback < 2)
            ret = spec->on_failed(ctx, o->code, o->reason, o->is_final);
    }
    if (ret == OMKT_OK && o->code != OMKT_ESHUTDOWN &&
        !(o->code == OMKT_OK && ctx->is_parking)) /* all-time counters */
        ret = omkt_counters_job_ended(ctx->db, ctx->job.id, eb);
    if (ret == OMKT_OK)
        ret = omkt_db_commit(ctx->db, eb);
    if (ret != OMKT_OK)
        omkt_db_rollback(ctx->db);
    return ret;
}

/*
 * fall_back - a failure the database refused to record (a value it will
 * not store, a hook's write failing): try again with a plain reason, then
 * without the on_failed hook, so the job still ends failed instead of
 * running until its lease expires, attempt after attempt.  False when
 * nothing is left to drop.
 */
static bool fall_back(struct omkt_jobctx *ctx, struct outcome *o,
                      const struct omkt_errbuf *eb)
{
    if (o->code == OMKT_OK || o->code == OMKT_ESHUTDOWN || o->fallback >= 2 ||
        atomic_load(&ctx->slot->is_lost))
        return false;
    o->fallback++;
    snprintf(o->plain, sizeof(o->plain), "%s (its reason could not be %s)",
             omkt_strerror(o->code),
             o->fallback == 1 ? "stored" : "recorded with the media");
    o->reason = o->plain;
    omkt_log(OMKT_LOG_ERR, "job=%lld recording the failure: %s; %s",
             (long long)ctx->job.id, eb->msg,
             o->fallback == 1 ? "retrying with a plain reason"
                              : "retrying without the failure hook");
    return true;
}

/* record - retry the transition through conflicts and outages. */
static int record(struct omkt_jobctx *ctx, const struct omkt_worker_spec *spec,
                  struct outcome *o)
{
    int64_t delay_ms = 100;
    int ret;

    for (int i = 0;; i++) {
        struct omkt_errbuf eb = {0};

        ret = transition(ctx, spec, o, &eb);
        if (ret == OMKT_OK || ret == OMKT_ELOST)
            return ret;
        if (!eb.retryable && fall_back(ctx, o, &eb))
            continue;
        if (!eb.retryable || atomic_load(&ctx->slot->is_lost) ||
            (i >= TX_RETRIES && atomic_load(&ctx->d->is_stopping))) {
            omkt_log(OMKT_LOG_ERR, "job=%lld could not record outcome: %s",
                     (long long)ctx->job.id, eb.msg);
            return ret;
        }
        omkt_log(OMKT_LOG_WARN, "job=%lld recording outcome: %s; retrying",
                 (long long)ctx->job.id, eb.msg);
        usleep((useconds_t)delay_ms * 1000);
        delay_ms = delay_ms * 2 > 5000 ? 5000 : delay_ms * 2;
    }
}

/* run_job - run the handler on a claimed job and record the outcome. */
static void run_job(struct omkt_jobctx *ctx,
                    const struct omkt_worker_spec *spec)
{
    struct outcome o = {0};
    int64_t t0 = omkt_now_ms();
    int ret;

    slot_set(ctx->slot, &ctx->job);
    ctx->is_parking = false;
    o.code = spec->handle(ctx);
    if (o.code != OMKT_OK && atomic_load(&ctx->slot->is_lost))
        o.code = OMKT_ELOST;
    o.reason = omkt_errbuf_str(&ctx->eb, o.code);
    o.is_retryable = ctx->eb.retryable;
    if (o.code == OMKT_ELOST) {
        omkt_log(OMKT_LOG_WARN, "job=%lld task=%s abandoned: no longer ours",
                 (long long)ctx->job.id, omkt_task_name(ctx->job.task));
        ret = OMKT_ELOST;
    } else {
        slot_recording(ctx->slot);
        ret = record(ctx, spec, &o);
        if (ret == OMKT_ELOST)
            omkt_log(OMKT_LOG_WARN,
                     "job=%lld task=%s lease lost (reaped or cancelled) "
                     "before its outcome was recorded: abandoned",
                     (long long)ctx->job.id, omkt_task_name(ctx->job.task));
    }
    ctx->is_done = ret == OMKT_OK && o.code == OMKT_OK;
    if (ret == OMKT_OK)
        omkt_log(o.code == OMKT_OK ? OMKT_LOG_INFO : OMKT_LOG_WARN,
                 "job=%lld task=%s attempt=%d %s in %lldms%s%s",
                 (long long)ctx->job.id, omkt_task_name(ctx->job.task),
                 ctx->job.attempts,
                 o.code == OMKT_OK && ctx->is_parking ? "split, waiting"
                 : o.code == OMKT_OK                  ? "done"
                 : o.code == OMKT_ESHUTDOWN           ? "released"
                 : o.is_final                         ? "failed"
                                                      : "failed, will retry",
                 (long long)(omkt_now_ms() - t0), o.code ? ": " : "",
                 o.code ? o.reason : "");
    slot_set(ctx->slot, NULL);
}

/*
 * claimed - tell the client its job was taken up (omkt_jobflow_claimed).
 * When that cannot be recorded the job is given back unspent, so the
 * next claim tells it again.  XXX: a crash between the claim and this
 * loses the state (the reaped retry is no first attempt); a later state
 * follows anyway.
 */
static int claimed(struct omkt_jobctx *ctx, struct omkt_errbuf *eb)
{
    int ret = omkt_jobflow_claimed(ctx->db, &ctx->job, eb);

    if (ret == OMKT_OK)
        return OMKT_OK;
    (void)omkt_job_release(ctx->db, &ctx->job, NULL); /* else reaped */
    omkt_job_clear(&ctx->job);
    return ret;
}

/* The idle scheme of one thread. */
struct poller {
    struct omkt_pollbudget pb; /* per_s 0: adaptive poll_min..poll_max */
    unsigned fresh_s;          /* registry freshness, from the heartbeat */
    unsigned npollers;         /* idle processes of the role, last poll */
    bool has_slept;            /* not the first idle sleep any more */
};

/* poller_init - the scheme of @spec's threads in @d (checked at start). */
static void poller_init(struct poller *pl, const struct omkt_daemon *d,
                        const struct omkt_worker_spec *spec)
{
    const char *budget = d->common.poll_budget;

    *pl = (struct poller){0};
    if (budget == NULL || omkt_pollbudget_parse(budget, &pl->pb.per_s) != 0)
        pl->pb.per_s = 0;
    pl->pb.min_ms = d->common.poll_min_ms;
    pl->pb.max_ms = d->common.poll_interval_max_ms;
    if (pl->pb.max_ms > d->common.lease_ms / 2)
        pl->pb.max_ms = d->common.lease_ms / 2; /* no job waits a lease */
    if (pl->pb.per_s > 0 && spec->idle_poll_ms > 0) {
        /* A slow task (maintenance): its own period, cluster-wide too. */
        pl->pb.per_s = 1000.0 / (double)spec->idle_poll_ms;
        pl->pb.max_ms = OMKT_POLLBUDGET_SLOW_MAX_MS;
    }
    pl->fresh_s = omkt_pollbudget_fresh_s(d->common.heartbeat_ms);
}

/* peek - is there work?  Under the budget, also learn the pollers. */
static int peek(struct omkt_jobctx *ctx, const struct omkt_worker_spec *spec,
                struct poller *pl, bool *has_work, struct omkt_errbuf *eb)
{
    struct omkt_poll_result r;
    int ret;

    if (pl->pb.per_s <= 0)
        return omkt_job_peek(ctx->db, spec->task, has_work, eb);
    ret = omkt_poll_idle(ctx->db, spec->task, ctx->d->spec->name, pl->fresh_s,
                         &r, eb);
    *has_work = r.has_work;
    if (ret == OMKT_OK) {
        pl->npollers = r.npollers;
        atomic_store(&ctx->d->role_npollers, r.npollers);
        atomic_store(&ctx->d->role_seen_ms, omkt_now_ms());
    }
    return ret;
}

/*
 * poll_once - peek, claim and run one job.  1: did work, 0: idle, <0 db.
 * Right after a job the queue is likely not empty: @is_busy skips the
 * peek (one statement less per job under load).
 */
static int poll_once(struct omkt_jobctx *ctx,
                     const struct omkt_worker_spec *spec, struct poller *pl,
                     bool is_busy)
{
    struct omkt_daemon *d = ctx->d;
    struct omkt_errbuf eb = {0};
    unsigned lease_s = (unsigned)((d->common.lease_ms + 999) / 1000);
    bool has_work = is_busy || spec->claim != NULL;
    int ret = has_work ? OMKT_OK : peek(ctx, spec, pl, &has_work, &eb);

    if (ret == OMKT_OK && has_work && spec->claim != NULL)
        ret = spec->claim(ctx, lease_s, &eb);
    else if (ret == OMKT_OK && has_work)
        ret = omkt_job_claim(ctx->db, spec->task, d->proc_id, lease_s,
                             &ctx->job, &eb);
    if (ret == OMKT_ENOTFOUND || (ret == OMKT_OK && !has_work))
        return 0;
    if (ret == OMKT_OK)
        ret = claimed(ctx, &eb);
    if (ret != OMKT_OK) {
        omkt_log(OMKT_LOG_WARN, "poll: %s", eb.msg);
        return -1;
    }
    omkt_errbuf_clear(&ctx->eb);
    ctx->data = NULL;
    ctx->is_done = false;
    run_job(ctx, spec);
    if (spec->cleanup)
        spec->cleanup(ctx);
    omkt_job_clear(&ctx->job);
    return 1;
}

/* next_sleep - adaptive idle polling: fast after work, slower when idle. */
static int64_t next_sleep(const struct omkt_daemon *d,
                          const struct omkt_worker_spec *spec, int64_t cur,
                          int rc)
{
    if (rc > 0)
        return 0;
    if (rc == 0 && spec->idle_poll_ms > 0)
        return spec->idle_poll_ms;
    if (rc < 0)
        return cur < 1000 ? 1000 : (cur * 2 > 5000 ? 5000 : cur * 2);
    if (cur < d->common.poll_min_ms)
        return d->common.poll_min_ms;
    cur = cur * 2;
    return cur > d->common.poll_max_ms ? d->common.poll_max_ms : cur;
}

/* idle_sleep - how long to sleep after a poll that returned @rc. */
static int64_t idle_sleep(const struct omkt_daemon *d,
                          const struct omkt_worker_spec *spec,
                          struct poller *pl, int64_t cur, int rc)
{
    uint32_t rnd = (uint32_t)random() * 2u + (uint32_t)(random() & 1);
    unsigned nth = spec->nthreads ? spec->nthreads : 1;

    if (pl->pb.per_s <= 0 || rc != 0) {
        cur = next_sleep(d, spec, cur, rc);
        return cur > 0 ? cur + random() % (cur / 4 + 1) : 0;
    }
    if (!pl->has_slept) {
        pl->has_slept = true;
        return omkt_pollbudget_first_ms(&pl->pb, pl->npollers, nth, rnd);
    }
    return omkt_pollbudget_next_ms(&pl->pb, pl->npollers, nth, rnd);
}

void omkt_worker_loop(struct omkt_daemon *d,
                      const struct omkt_worker_spec *spec,
                      struct omkt_slot *slot)
{
    struct omkt_jobctx ctx = {.d = d, .slot = slot};
    struct poller pl;
    int64_t sleep_ms = 0;
    bool busy = false;

    poller_init(&pl, d, spec);
    ctx.db = omkt_daemon_connect(d);
    while (ctx.db != NULL && !atomic_load(&d->is_stopping) &&
           !atomic_load(&d->is_draining)) {
        int rc = poll_once(&ctx, spec, &pl, sleep_ms == 0 && busy);

        busy = rc > 0;
        sleep_ms = idle_sleep(d, spec, &pl, sleep_ms, rc);
        if (sleep_ms > 0)
            omkt_daemon_sleep(d, sleep_ms);
    }
    omkt_db_close(ctx.db);
}

/* thread_main - one worker thread. */
static void *thread_main(void *p)
{
    struct thread_arg *a = p;

    omkt_worker_loop(a->d, a->spec, a->slot);
    if (atomic_fetch_sub(&live, 1) == 1)
        atomic_store(&a->d->is_done, true); /* drained: main may exit */
    return NULL;
}

int omkt_worker_start(struct omkt_daemon *d,
                      const struct omkt_worker_spec *spec,
                      struct omkt_errbuf *eb)
{
    unsigned n = spec->nthreads ? spec->nthreads : 1;

    if (omkt_pollbudget_check(d->common.poll_budget, eb) != OMKT_OK)
        return OMKT_ECONF;
    if (nthreads + n > OMKT_MAX_WORKERS) {
        omkt_errf(eb, "too many worker threads (max %d)", OMKT_MAX_WORKERS);
        return OMKT_EINVAL;
    }
    for (unsigned i = 0; i < n; i++) {
        struct omkt_slot *s = &d->slots[d->nslots++];
        int rc;

        pthread_mutex_init(&s->lock, NULL);
        s->progress = -1;
        args[nthreads] = (struct thread_arg){d, spec, s};
        atomic_fetch_add(&live, 1);
        rc = pthread_create(&threads[nthreads], NULL, thread_main,
                            &args[nthreads]);
        if (rc != 0) {
            atomic_fetch_sub(&live, 1); /* it never ran: not to wait for */
            d->nslots--;
            pthread_mutex_destroy(&s->lock);
            omkt_errf(eb, "cannot start worker thread %u of %u: %s", i + 1, n,
                      omkt_errno_str(rc));
            return OMKT_ENOMEM;
        }
        nthreads++;
    }
    return OMKT_OK;
}

void omkt_worker_join(struct omkt_daemon *d)
{
    for (unsigned i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    nthreads = 0;
    atomic_store(&d->is_done, true);
}

/* announce - the process's capacity (its worker threads) in its row,
 * for the cloud bridges' count of idle slots (bridge_policy.h); a
 * failure only leaves the process uncounted. */
static void announce(struct omkt_daemon *d, unsigned capacity)
{
    struct omkt_errbuf eb = {0};
    struct omkt_db *db = omkt_daemon_connect(d);

    if (db != NULL &&
        omkt_proc_set_capacity(db, d->proc_id, capacity, &eb) != OMKT_OK)
        omkt_log(OMKT_LOG_WARN, "capacity not recorded: %s", eb.msg);
    omkt_db_close(db);
}

int omkt_worker_daemon_start(struct omkt_daemon *d, struct omkt_errbuf *eb)
{
    const struct omkt_worker_spec *spec = d->spec->ctx;
    int ret = omkt_worker_start(d, spec, eb);

    if (ret == OMKT_OK)
        announce(d, spec->nthreads ? spec->nthreads : 1);
    return ret;
}

void omkt_worker_daemon_finish(struct omkt_daemon *d)
{
    omkt_worker_join(d);
}
