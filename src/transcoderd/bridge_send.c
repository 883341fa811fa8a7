/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_send - send a job to the cloud tier and take its result back
 * (see bridge_send.h).
 *
 * DESIGN: the send is recorded in cloud_jobs before the message goes
 * out, so a crash after SendMessage leaves a send another bridge can
 * adopt; a crash before it leaves a send whose message never existed,
 * sent again after resend_after.  The result is read from the database
 * (the results poller stored it, once per token), never from SQS here:
 * any bridge may receive any result, only the job's holder publishes.
 * Whoever holds the job at the end publishes through the guarded
 * completion, so a job finished meanwhile by a local worker, or taken
 * away, publishes nothing.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/cloudmsg.h"
#include "common/db_cloud.h"
#include "common/db_procs.h"
#include "common/fsops.h"
#include "common/log.h"
#include "common/path.h"
#include "common/s3job.h"
#include "common/sqs.h"
#include "bridge_defs.h"
#include "bridge_send.h"

#define PAUSE_MIN_MS 1000
#define PAUSE_MAX_MS 16000

static const struct bridge_env *env;

static void unstage(struct omkt_jobctx *ctx, const struct omkt_cloud_send *s,
                    const struct omkt_cloud_result *r);
/* The cloud could not be reached (or refused our keys): no job is sent
 * before paused_until (omkt_now_ms); pause_ms doubles per failure. */
static atomic_int_least64_t paused_until, pause_ms;
static atomic_bool has_fault; /* this process's cloud_fault is set */

/* set_fault - this process's cloud_fault, for /metrics (@fault "" once
 * a send succeeds; written only when it changes). */
static void set_fault(struct omkt_jobctx *ctx, const char *fault)
{
    bool is_fault = *fault != '\0';
    struct omkt_errbuf eb = {0};

    if (atomic_exchange(&has_fault, is_fault) == is_fault && !is_fault)
        return;
    if (omkt_proc_set_cloud_fault(ctx->db, ctx->d->proc_id, fault, &eb) !=
        OMKT_OK)
        omkt_log(OMKT_LOG_WARN, "cloud: fault not recorded: %s", eb.msg);
}

bool bridge_send_is_paused(void)
{
    return omkt_now_ms() < atomic_load(&paused_until);
}

/* unavailable - a send failed on the cloud's side: pause sending and
 * hand the job back unspent (OMKT_ESHUTDOWN releases it to the queue,
 * where local workers or a later send take it: an outage loses nothing
 * and spends no attempt). */
static int unavailable(struct omkt_jobctx *ctx, const struct omkt_cloud_send *s,
                       int ret)
{
    const struct omkt_cloud_result none = {0};
    int64_t ms = atomic_load(&pause_ms);

    ms = ms < PAUSE_MIN_MS ? PAUSE_MIN_MS : ms * 2;
    ms = ms > PAUSE_MAX_MS ? PAUSE_MAX_MS : ms;
    atomic_store(&pause_ms, ms);
    atomic_store(&paused_until, omkt_now_ms() + ms);
    omkt_log(ret == OMKT_EPERM ? OMKT_LOG_ERR : OMKT_LOG_WARN,
             "job=%lld cloud: %s%s; job released, nothing sent for %llds",
             (long long)ctx->job.id,
             ret == OMKT_EPERM ? "credentials refused: " : "unavailable: ",
             ctx->eb.msg, (long long)(ms / 1000));
    set_fault(ctx, ret == OMKT_EPERM ? "credentials" : "unreachable");
    (void)omkt_cloud_send_forget(ctx->db, ctx->job.id, NULL); /* resent */
    if (s->source_uri != NULL)
        unstage(ctx, s, &none); /* staged before SQS failed, if it was */
    omkt_errbuf_clear(&ctx->eb);
    return OMKT_ESHUTDOWN;
}

void bridge_send_init(const struct bridge_env *e)
{
    env = e;
}

static bool ctx_stop(void *arg)
{
    return omkt_jobctx_should_stop(arg);
}

/* s3_open - a client for @uri that stops with the job. */
static int s3_open(struct omkt_jobctx *ctx, const char *uri,
                   struct omkt_s3_uri *u, struct omkt_s3 **s3)
{
    const struct omkt_s3job_req rq = {
        .uri = uri, .which = OMKT_S3JOB_SOURCE, .ctx = ctx};

    return omkt_s3job_open(&rq, u, s3, &ctx->eb);
}

/* stage - the original at s->source_uri. */
static int stage(struct omkt_jobctx *ctx, const char *src,
                 const struct omkt_cloud_send *s)
{
    struct omkt_s3_uri u = {0};
    struct omkt_s3 *s3 = NULL;
    int ret = s3_open(ctx, s->source_uri, &u, &s3);

    if (ret == OMKT_OK)
        ret = omkt_s3_put_file(s3, u.bucket, u.key, src, &ctx->eb);
    omkt_s3_free(s3);
    omkt_s3_uri_clear(&u);
    return ret;
}

/* post - the job message of send @s. */
static int post(struct omkt_jobctx *ctx, const struct tjob_work *w,
                const struct omkt_cloud_send *s)
{
    struct omkt_cloud_job j = {
        .job_id = ctx->job.id,
        .media_id = w->media->id,
        .source = s->source_uri,
        .out_prefix = s->out_prefix,
        .nsettings = w->n,
        .is_batch = true,
    };
    struct omkt_aws *c = NULL;
    char *body;
    int ret;

    memcpy(j.token, s->token, sizeof(j.token));
    for (size_t i = 0; i < w->n && i < OMKT_CLOUDMSG_MAX_SETS; i++)
        j.settings[i] = w->ids[i];
    j.defs = bridge_defs_for(w);
    body = omkt_cloud_job_encode(&j);
    json_decref(j.defs);
    if (body == NULL) {
        omkt_errf(&ctx->eb, "cloud job message over %d bytes",
                  OMKT_CLOUDMSG_MAX_BYTES);
        return OMKT_EINVAL;
    }
    ret = bridge_sqs_new(env, ctx_stop, ctx, &c, &ctx->eb);
    if (ret == OMKT_OK) {
        const struct omkt_sqs_outgoing m = {.body = body};

        ret = omkt_sqs_send(c, env->jobs_url, &m, NULL, &ctx->eb);
    }
    omkt_aws_free(c);
    free(body);
    return ret;
}

/* send_new - a fresh send: token, staged source, record, message. */
static int send_new(struct omkt_jobctx *ctx, const struct tjob_work *w,
                    struct omkt_cloud_send *s)
{
    const char *st = env->cc.staging;
    const char *sep = st[strlen(st) - 1] == '/' ? "" : "/";
    int sends = s->sends;
    int ret;

    omkt_cloud_send_clear(s);
    s->job_id = ctx->job.id;
    s->sends = sends + 1;
    ret = omkt_cloudmsg_token(s->token, &ctx->eb);
    if (ret != OMKT_OK)
        return ret;
    s->source_uri = omkt_xasprintf("%s%sj%" PRId64 "/%s/source", st, sep,
                                   ctx->job.id, s->token);
    s->out_prefix = omkt_xasprintf("%s%sj%" PRId64 "/%s/out/", st, sep,
                                   ctx->job.id, s->token);
    ret = stage(ctx, w->src, s);
    if (ret == OMKT_OK)
        ret = omkt_cloud_send_put(ctx->db, s, &ctx->eb);
    if (ret == OMKT_OK)
        ret = post(ctx, w, s);
    if (ret == OMKT_OK) {
        atomic_store(&pause_ms, 0);
        set_fault(ctx, "");
        omkt_log(OMKT_LOG_INFO, "job=%lld cloud: sent token=%s (send %d)",
                 (long long)ctx->job.id, s->token, s->sends);
    } else if (ret == OMKT_ENET || ret == OMKT_ETIMEOUT || ret == OMKT_EHTTP ||
               ret == OMKT_EPERM) {
        return unavailable(ctx, s, ret); /* the cloud's side, not the job's */
    } else if (ret != OMKT_EINVAL) {     /* an oversized message stays so */
        ctx->eb.retryable = true;
    }
    return ret;
}

/* current - the job's send: adopted when recent, else a new one. */
static int current(struct omkt_jobctx *ctx, const struct tjob_work *w,
                   struct omkt_cloud_send *s)
{
    int ret = omkt_cloud_send_get(ctx->db, ctx->job.id, s, &ctx->eb);

    if (ret == OMKT_OK && s->age_ms < env->resend_after_ms) {
        omkt_log(OMKT_LOG_NOTICE,
                 "job=%lld cloud: adopted send token=%s (%" PRId64 "s old)",
                 (long long)ctx->job.id, s->token, s->age_ms / 1000);
        return OMKT_OK;
    }
    if (ret != OMKT_OK && ret != OMKT_ENOTFOUND) {
        ctx->eb.retryable = true;
        return ret;
    }
    omkt_errbuf_clear(&ctx->eb);
    return send_new(ctx, w, s);
}

/* await - the stored result of the current send (*body new); sends
 * again when none came within resend_after. */
static int await(struct omkt_jobctx *ctx, const struct tjob_work *w,
                 struct omkt_cloud_send *s, char **body)
{
    int64_t deadline = omkt_now_ms() + env->resend_after_ms - s->age_ms;

    for (;;) {
        int ret = omkt_cloud_result_get(ctx->db, ctx->job.id, s->token, body,
                                        &ctx->eb);

        if (ret == OMKT_OK)
            return OMKT_OK;
        if (ret != OMKT_ENOTFOUND) /* the database: waited out */
            omkt_log(OMKT_LOG_WARN, "job=%lld cloud: %s",
                     (long long)ctx->job.id, ctx->eb.msg);
        omkt_errbuf_clear(&ctx->eb);
        /* Stopping: nothing to finish here, release the job at once (its
         * send stays recorded for whoever claims it next). */
        if (atomic_load(&ctx->d->is_stopping))
            return OMKT_ESHUTDOWN;
        if (omkt_jobctx_should_stop(ctx))
            return omkt_jobctx_stop_code(ctx);
        if (omkt_now_ms() >= deadline) {
            omkt_log(OMKT_LOG_WARN,
                     "job=%lld cloud: no result for token=%s, sending again",
                     (long long)ctx->job.id, s->token);
            ret = send_new(ctx, w, s);
            if (ret != OMKT_OK)
                return ret;
            deadline = omkt_now_ms() + env->resend_after_ms;
        }
        omkt_daemon_sleep(ctx->d, env->poll_ms);
    }
}

/* fetch - download @uri as @name under @absdir: temp name, fsync,
 * rename (readers see all of it or nothing). */
static int fetch(struct omkt_jobctx *ctx, const char *absdir, const char *tag,
                 const char *name, const char *uri)
{
    char path[OMKT_PATH_MAX], dir[OMKT_PATH_MAX], tmp[OMKT_PATH_MAX];
    struct omkt_s3_uri u = {0};
    struct omkt_s3 *s3 = NULL;
    const char *base;
    int fd, ret = omkt_path_under(absdir, name, path, sizeof(path));

    if (ret != OMKT_OK) {
        omkt_errf(&ctx->eb, "cloud output name refused: %s", name);
        return ret;
    }
    base = strrchr(path, '/') + 1;
    snprintf(dir, sizeof(dir), "%.*s", (int)(base - path - 1), path);
    ret = omkt_fs_mkdirs(dir, 0750, &ctx->eb);
    if (ret == OMKT_OK)
        ret = omkt_fs_tmpname(tmp, sizeof(tmp), dir, base, tag);
    if (ret == OMKT_OK)
        ret = s3_open(ctx, uri, &u, &s3);
    if (ret == OMKT_OK)
        ret = omkt_s3_get_file(s3, u.bucket, u.key, tmp, NULL, &ctx->eb);
    omkt_s3_free(s3);
    omkt_s3_uri_clear(&u);
    fd = ret == OMKT_OK ? open(tmp, O_RDONLY | O_CLOEXEC) : -1;
    if (ret == OMKT_OK && (fd < 0 || fsync(fd) != 0)) {
        omkt_errf(&ctx->eb, "fsync %s failed", tmp);
        ret = OMKT_EIO;
    }
    if (fd >= 0)
        close(fd);
    if (ret == OMKT_OK)
        ret = omkt_fs_rename(tmp, path, &ctx->eb);
    if (ret != OMKT_OK)
        (void)unlink(tmp); /* absent when the download never began */
    return ret;
}

/* take_output - the worker's output @o as the engine's @out. */
static int take_output(struct omkt_jobctx *ctx, const struct tjob_work *w,
                       const struct omkt_cloud_send *s,
                       const struct omkt_cloud_output *o,
                       struct omkt_output_result *out)
{
    int ret = OMKT_OK;

    out->setting_id = o->setting_id;
    out->status = o->status;
    if (o->status != OMKT_OK) {
        snprintf(out->message, sizeof(out->message), "%s",
                 o->message ? o->message : omkt_strerror(o->status));
        return OMKT_OK;
    }
    out->files = omkt_xcalloc(o->n_files + 1, sizeof(*out->files));
    for (size_t k = 0; ret == OMKT_OK && k < o->n_files; k++) {
        if (strncmp(o->files[k], s->out_prefix, strlen(s->out_prefix)) != 0) {
            omkt_errf(&ctx->eb, "cloud output outside the staging prefix: %s",
                      o->files[k]);
            return OMKT_EINVAL;
        }
        ret = fetch(ctx, w->absdir, w->tag, o->names[k], o->files[k]);
        if (ret == OMKT_OK) {
            out->files[out->n_files++] = omkt_xstrdup(o->names[k]);
            tjob_staged_add(w->staged, o->names[k], o->files[k]);
        }
    }
    out->metadata = o->metadata ? json_incref(o->metadata) : NULL;
    return ret;
}

/* find - the output of setting @id in @r, or NULL. */
static const struct omkt_cloud_output *find(const struct omkt_cloud_result *r,
                                            int id)
{
    for (size_t i = 0; i < r->noutputs; i++)
        if (r->outputs[i].setting_id == id)
            return &r->outputs[i];
    return NULL;
}

/* whole_job - a result that failed the whole job (or a dead letter). */
static int whole_job(struct omkt_jobctx *ctx, const struct omkt_cloud_result *r)
{
    if (r->is_dead) {
        omkt_log(OMKT_LOG_ERR,
                 "job=%lld cloud: dead letter after %d receives: the job "
                 "fails for good (alert)",
                 (long long)ctx->job.id, r->receive_count);
        omkt_errf(&ctx->eb, "cloud: given up after %d receives%s%s",
                  r->receive_count, r->error ? ": " : "",
                  r->error ? r->error : "");
        ctx->eb.retryable = false;
        return r->code != OMKT_OK ? r->code : OMKT_EMEDIA;
    }
    omkt_errf(&ctx->eb, "cloud worker %s: %s", r->worker ? r->worker : "?",
              r->error ? r->error : omkt_strerror(r->code));
    ctx->eb.retryable = r->retryable;
    return r->code;
}

/* take - the result into @res, one output per setting of the job. */
static int take(struct omkt_jobctx *ctx, const struct tjob_work *w,
                const struct omkt_cloud_send *s,
                const struct omkt_cloud_result *r,
                struct omkt_transcode_result *res)
{
    int ret = OMKT_OK;

    if (r->is_dead || r->code != OMKT_OK)
        return whole_job(ctx, r);
    res->outputs = omkt_xcalloc(w->n, sizeof(*res->outputs));
    for (size_t i = 0; ret == OMKT_OK && i < w->n; i++) {
        const struct omkt_cloud_output *o = find(r, w->ids[i]);
        struct omkt_output_result *out = &res->outputs[res->n++];

        out->setting_id = w->ids[i];
        if (o == NULL) {
            out->status = OMKT_EMEDIA;
            snprintf(out->message, sizeof(out->message),
                     "no output in the cloud result");
            continue;
        }
        ret = take_output(ctx, w, s, o, out);
    }
    if (ret != OMKT_OK) { /* a download: the objects stay, try again */
        ctx->eb.retryable = true;
        omkt_transcode_result_clear(res); /* no half of a result */
    }
    return ret;
}

/* drop_all - delete the objects @uris[0..@n) (best effort: a leftover
 * is garbage under the staging prefix, for a lifecycle rule). */
static void drop_all(struct omkt_jobctx *ctx, char *const *uris, size_t n)
{
    struct omkt_s3_uri u = {0};
    struct omkt_s3 *s3 = NULL;
    struct omkt_errbuf eb = {0};

    if (n == 0 || s3_open(ctx, uris[0], &u, &s3) != OMKT_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        struct omkt_s3_uri o = {0};

        if (omkt_s3_uri_parse(uris[i], &o, NULL) == OMKT_OK)
            (void)omkt_s3_delete(s3, o.bucket, o.key, &eb);
        omkt_s3_uri_clear(&o);
    }
    omkt_s3_free(s3);
    omkt_s3_uri_clear(&u);
}

/* unstage - remove what the send left in S3: its source and the
 * outputs of @r. */
static void unstage(struct omkt_jobctx *ctx, const struct omkt_cloud_send *s,
                    const struct omkt_cloud_result *r)
{
    char *src[1] = {s->source_uri};

    drop_all(ctx, src, 1);
    for (size_t i = 0; i < r->noutputs; i++)
        drop_all(ctx, r->outputs[i].files, r->outputs[i].n_files);
}

void bridge_send_unstage(struct omkt_jobctx *ctx)
{
    const struct tjob_staged *st = tjob_staged_of(ctx);

    if (st != NULL)
        drop_all(ctx, st->uri, st->n);
}

int bridge_engine(struct omkt_jobctx *ctx, const struct tjob_work *w,
                  struct omkt_transcode_result *res)
{
    struct omkt_cloud_send s = {0};
    struct omkt_cloud_result r = {0};
    char *body = NULL;
    int ret = current(ctx, w, &s);

    if (ret == OMKT_OK)
        ret = await(ctx, w, &s, &body);
    if (ret == OMKT_OK)
        ret = omkt_cloud_result_decode(body, strlen(body), &r, &ctx->eb);
    if (ret == OMKT_OK) {
        omkt_log(OMKT_LOG_INFO, "job=%lld cloud: result token=%s from %s",
                 (long long)ctx->job.id, s.token, r.worker ? r.worker : "?");
        ret = take(ctx, w, &s, &r, res);
    }
    if (ret == OMKT_OK) /* the outputs stay for S3 destinations: copied
                           from there, removed by bridge_send_unstage */
        unstage(ctx, &s, &(struct omkt_cloud_result){0});
    else if (r.is_dead || r.code != OMKT_OK)
        unstage(ctx, &s, &r);
    omkt_cloud_result_clear(&r);
    omkt_cloud_send_clear(&s);
    free(body);
    return ret;
}
