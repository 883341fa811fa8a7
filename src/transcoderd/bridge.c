/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge - the bridge role of transcoderd (see bridge.h).
 *
 * DESIGN: a bridge thread is a jobworker thread with three differences:
 * its own claim (the policy, bridge_policy.h), an engine that
 * sends the job instead of transcoding it (bridge_send), and hooks that
 * forget the job's cloud rows in the transaction that ends it.  So
 * leases are renewed by the daemon's heartbeat while a job is out,
 * SIGTERM releases it unspent (its send stays recorded: whoever claims
 * it next adopts the send), a dead bridge's job is reaped and claimed
 * again, and the outcome is recorded by transcoderd's own hooks: the
 * same rows and callbacks as a local transcode.  The claim looks at the
 * first HEADS queued transcodes and takes the first its account's
 * policy sends.  A job's own settings (media-nommer's job_options, a
 * site's settings) travel in the message's "defs" (bridge_defs).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/bridge_policy.h"
#include "common/db_cloud.h"
#include "common/db_jobs.h"
#include "common/db_procs.h"
#include "common/log.h"
#include "common/pollbudget.h"
#include "bridge.h"
#include "bridge_defs.h"
#include "bridge_results.h"
#include "bridge_send.h"
#include "transcode_job.h"

#define POLICY_CACHE 256
#define HEADS        32 /* queued jobs looked at per claim */

static struct bridge_env env;
static atomic_int held; /* jobs this bridge holds */

/* The per-account policies, read once each (the file does not change
 * while the daemon runs). */
struct cached {
    int64_t account_id;
    enum omkt_cloud_policy policy;
};
static struct cached cache[POLICY_CACHE];
static size_t ncache;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* policy_of - the policy for @account_id (0: the [cloud] one). */
static enum omkt_cloud_policy policy_of(int64_t account_id)
{
    enum omkt_cloud_policy p = OMKT_CLOUD_OFF;
    struct omkt_errbuf eb = {0};

    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < ncache; i++)
        if (cache[i].account_id == account_id) {
            p = cache[i].policy;
            pthread_mutex_unlock(&cache_lock);
            return p;
        }
    if (omkt_cloud_account_policy(&env.cc, env.d->conf_path, account_id, &p,
                                  &eb) != OMKT_OK) {
        omkt_log(OMKT_LOG_WARN, "cloud: policy of account %lld: %s; off",
                 (long long)account_id, eb.msg);
        p = OMKT_CLOUD_OFF;
    }
    if (ncache < POLICY_CACHE)
        cache[ncache++] = (struct cached){account_id, p};
    pthread_mutex_unlock(&cache_lock);
    return p;
}

/* cluster_idle - idle local transcoding slots of the whole cluster, by
 * the database (bridge_policy.h): transcoderds alive by heartbeat, on
 * any host, this one included. */
static int cluster_idle(struct omkt_jobctx *ctx, int64_t *idle)
{
    int64_t fresh_ms =
        (int64_t)omkt_pollbudget_fresh_s(ctx->d->common.heartbeat_ms) * 1000;
    struct omkt_proc_load *p = NULL;
    struct omkt_dbres *r = NULL;
    size_t n = 0;
    int ret = omkt_proc_transcode_load(ctx->db, &r, &ctx->eb);

    if (ret == OMKT_OK)
        p = omkt_xcalloc(r->nrows + 1, sizeof(*p));
    for (size_t i = 0; ret == OMKT_OK && i < r->nrows; i++)
        p[n++] = (struct omkt_proc_load){
            .capacity = omkt_dbres_i64(r, i, 0, 0),
            .is_usable = omkt_dbres_i64(r, i, 1, 0) != 0,
            .heartbeat_age_ms = omkt_dbres_i64(r, i, 2, INT64_MAX),
            .running = omkt_dbres_i64(r, i, 3, 0),
        };
    omkt_dbres_free(r);
    *idle = omkt_bridge_idle_slots(p, n, fresh_ms);
    free(p);
    return ret;
}

/* pick - the first of the queue's head rows @r this bridge should
 * send (its account's policy), or 0.  The cluster's idle slots are
 * counted only when a job's policy asks (overflow, waited long enough). */
static int pick(struct omkt_jobctx *ctx, const struct omkt_dbres *r,
                int64_t *id)
{
    struct omkt_bridge_view v = {
        .has_queued = true,
        .overflow_after_ms = env.cc.overflow_after_ms,
        .idle_local = 0,
        .out = atomic_load(&held),
        .max_out = env.cc.bridge_jobs,
    };
    bool has_idle = false;

    *id = 0;
    if (bridge_send_is_paused())
        return OMKT_OK;
    for (size_t i = 0; i < r->nrows; i++) {
        v.policy = policy_of(omkt_dbres_i64(r, i, 1, 0));
        v.wait_ms = omkt_dbres_i64(r, i, 2, 0);
        if (!has_idle && v.policy == OMKT_CLOUD_OVERFLOW &&
            v.wait_ms > v.overflow_after_ms) {
            int ret = cluster_idle(ctx, &v.idle_local);

            if (ret != OMKT_OK)
                return ret;
            has_idle = true;
        }
        if (omkt_bridge_should_offload(&v)) {
            *id = omkt_dbres_i64(r, i, 0, 0);
            return OMKT_OK;
        }
    }
    return OMKT_OK;
}

/* claim - the jobworker claim hook: the oldest queued transcode whose
 * account's policy sends it now (a job of an account with policy off
 * does not hold up the others). */
static int claim(struct omkt_jobctx *ctx, unsigned lease_s,
                 struct omkt_errbuf *eb)
{
    struct omkt_dbres *r = NULL;
    int64_t id = 0;
    int ret =
        omkt_job_queued_heads(ctx->db, OMKT_TASK_TRANSCODE, HEADS, &r, eb);

    if (ret == OMKT_OK)
        ret = pick(ctx, r, &id);
    omkt_dbres_free(r);
    if (ret != OMKT_OK)
        return ret;
    return omkt_job_claim_id(ctx->db, OMKT_TASK_TRANSCODE, id, ctx->d->proc_id,
                             lease_s, &ctx->job, eb);
}

static int handle(struct omkt_jobctx *ctx)
{
    int ret;

    atomic_fetch_add(&held, 1);
    ret = tjob_handle_with(ctx, bridge_engine);
    atomic_fetch_sub(&held, 1);
    return ret;
}

/* on_done, on_failed - transcoderd's, and the job's cloud rows go. */
static int on_done(struct omkt_jobctx *ctx)
{
    int ret = omkt_cloud_send_forget(ctx->db, ctx->job.id, &ctx->eb);

    return ret == OMKT_OK ? tjob_done(ctx) : ret;
}

static int on_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                     bool is_final)
{
    int ret = omkt_cloud_send_forget(ctx->db, ctx->job.id, &ctx->eb);

    return ret == OMKT_OK ? tjob_failed(ctx, code, reason, is_final) : ret;
}

/* cleanup - the staged outputs go, then transcoderd's per-job state. */
static void cleanup(struct omkt_jobctx *ctx)
{
    bridge_send_unstage(ctx);
    tjob_cleanup(ctx);
}

static struct omkt_worker_spec spec = {
    .task = OMKT_TASK_TRANSCODE,
    .handle = handle,
    .on_done = on_done,
    .on_failed = on_failed,
    .cleanup = cleanup,
    .claim = claim,
};

int bridge_start(struct omkt_daemon *d, struct omkt_errbuf *eb)
{
    int ret = bridge_env_open(&env, d, eb);

    if (ret == OMKT_OK)
        ret = bridge_defs_load(d->common.settings_file, eb);
    if (ret != OMKT_OK)
        return ret;
    bridge_send_init(&env);
    spec.nthreads = (unsigned)env.cc.bridge_jobs;
    ret = omkt_worker_start(d, &spec, eb);
    if (ret == OMKT_OK)
        ret = bridge_results_start(&env, eb);
    if (ret == OMKT_OK)
        omkt_log(OMKT_LOG_NOTICE,
                 "cloud bridge: policy %s, %u threads, "
                 "queue %s",
                 env.cc.policy, spec.nthreads, env.jobs_url);
    return ret;
}

void bridge_stop(void)
{
    bridge_results_stop();
    bridge_env_close(&env);
    bridge_defs_free();
}
