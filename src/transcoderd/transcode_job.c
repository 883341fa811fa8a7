/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transcode_job - run the engine for the transcodes of one job.
 *
 * DESIGN: the payload lists transcode rows of one media, asked together,
 * so the source is decoded once for all of them (or once per setting with
 * batch = no).  The engine writes under temp names in the media directory
 * and renames each output into place when complete; the job's tmp_dir is
 * recorded first so a reaper can remove the temp files of a dead worker.
 * Outcome rows (transcodes processed or error, the callbacks) are written
 * by the hooks in the transaction that completes the job.  Outputs are
 * judged one by one: a setting that cannot be made from this source fails
 * alone; a source that cannot be read, a full disk or a shutdown concern
 * the whole job.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include <jansson.h>

#include "common/alloc.h"
#include "common/db_jobs.h"
#include "common/db_media.h"
#include "common/db_transcodes.h"
#include "common/fsops.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/path.h"
#include "common/restcb.h"
#include "common/s3cred.h"
#include "common/tpayload.h"
#include "segment_job.h"
#include "media/settings.h"
#include "media/transcode.h"
#include "s3dest.h"
#include "transcode_job.h"

#define MAX_OUTPUTS SEGJOB_MAX

static const struct tjob_conf *conf;

/* What this claim of the job does (segment_job.h). */
enum role {
    ROLE_WHOLE, /* every setting, by the engine (or another one) */
    ROLE_SPLIT, /* the settings that cannot be split, then park */
    ROLE_CHILD, /* one segment (or the audio) of a split job */
    ROLE_JOIN,  /* the split settings, from the children's files */
};

struct tjob_state {
    struct omkt_jobctx *ctx;
    struct omkt_media media;
    int64_t tids[MAX_OUTPUTS];
    int ids[MAX_OUTPUTS];
    size_t n;
    char dir[256]; /* relative to the docroot */
    struct omkt_transcode_result res;
    int64_t next_progress_ms;
    size_t pass, passes; /* engine pass under way (batch = no), of how many */
    /* media-nommer jobs: their own settings and where the output goes */
    struct omkt_setting *own[MAX_OUTPUTS];
    char *dest;                /* relative to the docroot, or NULL */
    struct tjob_staged staged; /* another engine's outputs in S3 */
    /* segment-parallel transcoding */
    enum role role;
    size_t n_run;              /* this claim produces settings [0, n_run) */
    struct segjob_plan plan;   /* ROLE_SPLIT: the children to create */
    struct omkt_seg_state fam; /* ROLE_JOIN: the children made */
    int64_t seg_frames;        /* ROLE_CHILD: frames encoded */
};

void tjob_init(const struct tjob_conf *tc)
{
    conf = tc;
}

void tjob_staged_add(struct tjob_staged *st, const char *name, const char *uri)
{
    if (st->n >= TJOB_STAGED_MAX)
        return;
    st->name[st->n] = omkt_xstrdup(name);
    st->uri[st->n] = omkt_xstrdup(uri);
    st->n++;
}

const char *tjob_staged_find(const struct tjob_staged *st, const char *name)
{
    for (size_t i = 0; st != NULL && i < st->n; i++)
        if (strcmp(st->name[i], name) == 0)
            return st->uri[i];
    return NULL;
}

void tjob_staged_clear(struct tjob_staged *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->name[i]);
        free(st->uri[i]);
    }
    st->n = 0;
}

/* take_row - add transcode @tid if it belongs here and still wants work. */
static int take_row(struct omkt_jobctx *ctx, struct tjob_state *ts, int64_t tid)
{
    struct omkt_transcode t = {0};
    int ret = omkt_transcode_get(ctx->db, tid, &t, &ctx->eb);

    if (ret == OMKT_ENOTFOUND)
        return OMKT_OK; /* purged meanwhile */
    if (ret != OMKT_OK) {
        ctx->eb.retryable = true;
        return ret;
    }
    if (t.media_id == ts->media.id && ts->n < MAX_OUTPUTS &&
        (strcmp(t.state, "asked") == 0 || strcmp(t.state, "running") == 0)) {
        ts->tids[ts->n] = tid;
        ts->ids[ts->n] = t.setting_id;
        ts->n++;
    }
    omkt_transcode_clear(&t);
    return OMKT_OK;
}

/* is_own_dest - a clean relative file path in the account's export
 * directory (apid checked it; checked again, since nothing else may be
 * overwritten; symlinks are checked when publishing, see to_dest). */
static bool is_own_dest(const char *p, int64_t account_id)
{
    char area[64];
    size_t len;

    if (omkt_export_dir(area, sizeof(area), account_id) != OMKT_OK)
        return false;
    len = strlen(area);
    return strncmp(p, area, len) == 0 && p[len] == '/' &&
           omkt_path_is_rel(p + len + 1);
}

/*
 * own_settings - a media-nommer job: each row is made with the job's own
 * setting (media.job_options, checked by apid and again here) and the
 * output is also published at dest_path.  A bad one fails the job for
 * good: retrying cannot fix it.
 */
static int own_settings(struct omkt_jobctx *ctx, struct tjob_state *ts)
{
    json_t *o = json_loads(ts->media.job_options, 0, NULL);
    const char *dest = json_string_value(json_object_get(o, "dest_path"));
    int ret = OMKT_OK;

    if (!json_is_object(o) || (dest != NULL && !omkt_s3_uri_is_s3(dest) &&
                               !is_own_dest(dest, ts->media.account_id))) {
        omkt_errf(&ctx->eb, "media %" PRId64 ": bad job_options", ts->media.id);
        ret = OMKT_EINVAL;
    }
    for (size_t i = 0; ret == OMKT_OK && i < ts->n; i++)
        ret = omkt_setting_from_json(o, ts->ids[i], &ts->own[i], &ctx->eb);
    if (ret == OMKT_OK && dest != NULL)
        ts->dest = omkt_xstrdup(dest);
    json_decref(o);
    return ret;
}

/* load - the media and the transcodes named by the payload. */
static int load(struct omkt_jobctx *ctx, struct tjob_state *ts)
{
    int64_t *tids = NULL;
    size_t n = 0;
    int ret = omkt_media_get(ctx->db, ctx->job.media_id, &ts->media, &ctx->eb);

    if (ret == OMKT_OK)
        ret = omkt_tpayload_parse(ctx->job.payload, &tids, &n, &ctx->eb);
    for (size_t i = 0; ret == OMKT_OK && i < n; i++)
        ret = take_row(ctx, ts, tids[i]);
    free(tids);
    if (ret == OMKT_OK)
        ret = omkt_media_dir(ts->dir, sizeof(ts->dir), ts->media.account_id,
                             ts->media.id);
    if (ret == OMKT_OK && ts->media.job_options != NULL)
        ret = own_settings(ctx, ts);
    ts->n_run = ts->n;
    return ret;
}

/* check_space - refuse to start with less than min_free on the docroot. */
static int check_space(struct omkt_jobctx *ctx, const char *absdir)
{
    struct statvfs sv;
    uint64_t avail;

    if (statvfs(absdir, &sv) != 0)
        return OMKT_OK; /* the engine will report the real problem */
    avail = (uint64_t)sv.f_bavail * sv.f_frsize;
    if (avail >= (uint64_t)conf->min_free)
        return OMKT_OK;
    omkt_errf(&ctx->eb,
              "only %" PRIu64 " MiB free on the document root "
              "(min_free is %" PRId64 " MiB)",
              avail >> 20, conf->min_free >> 20);
    ctx->eb.retryable = true;
    return OMKT_ENOSPC;
}

/* on_progress - engine progress into the job (and transcodes rows). */
static void on_progress(void *p, double fraction)
{
    struct tjob_state *ts = p;
    /* With one engine pass per setting, each pass is its share of the
     * job: 100 only when the last one has published its output. */
    double whole = ts->passes > 1
                       ? ((double)ts->pass + fraction) / (double)ts->passes
                       : fraction;
    int pct = (int)(whole * 100.0);
    int64_t now = omkt_now_ms();

    if (ts->role != ROLE_SPLIT) /* a split job's is its segments' share */
        omkt_jobctx_progress(ts->ctx, pct);
    if (now < ts->next_progress_ms)
        return;
    ts->next_progress_ms = now + 1000;
    /* A segment's rows show its family's progress (db_segments.h). */
    if (ts->role == ROLE_CHILD &&
        omkt_seg_progress(ts->ctx->db, ts->ctx->job.parent_id, &pct, NULL) !=
            OMKT_OK)
        return;
    for (size_t i = 0; i < (ts->role == ROLE_CHILD ? ts->n : ts->n_run); i++)
        (void)omkt_transcode_progress(ts->ctx->db, ts->tids[i], pct, NULL);
}

static bool should_stop(void *p)
{
    const struct tjob_state *ts = p;

    return omkt_jobctx_should_stop(ts->ctx);
}

/* engine - settings [@i, @i + @n) of the job, own or catalogue ones. */
static int engine(struct tjob_state *ts, const char *src, const char *absdir,
                  const struct omkt_transcode_opts *opts, size_t i, size_t n,
                  struct omkt_transcode_result *res)
{
    struct omkt_errbuf *eb = &ts->ctx->eb;

    if (ts->own[0] != NULL)
        return omkt_transcode_with(src, absdir,
                                   (const struct omkt_setting **)&ts->own[i], n,
                                   opts, res, eb);
    return omkt_transcode(src, absdir, &ts->ids[i], n, opts, res, eb);
}

/* make_opts - the engine's options for this job. */
static struct omkt_transcode_opts make_opts(struct tjob_state *ts,
                                            const char *tag)
{
    return (struct omkt_transcode_opts){
        .progress_fn = on_progress,
        .progress_ctx = ts,
        .should_stop_fn = should_stop,
        .stop_ctx = ts,
        .tmp_tag = tag,
        .threads = (int)conf->threads,
        .limits = &conf->limits,
    };
}

/* seg_in - the job as segment_job.h sees it; OMKT_EINVAL for a setting
 * this daemon does not know (from another host's settings file). */
static int seg_in(struct tjob_state *ts, const char *src,
                  const struct omkt_transcode_opts *opts, struct segjob_in *in)
{
    *in = (struct segjob_in){.ctx = ts->ctx,
                             .docroot = conf->docroot,
                             .src = src,
                             .n = ts->n,
                             .opts = opts};
    for (size_t i = 0; i < ts->n; i++) {
        in->sets[i] =
            ts->own[i] != NULL ? ts->own[i] : omkt_setting_find(ts->ids[i]);
        if (in->sets[i] == NULL) {
            omkt_errf(&ts->ctx->eb, "unknown setting %d", ts->ids[i]);
            return OMKT_EINVAL;
        }
    }
    return OMKT_OK;
}

/* partition - the settings that run whole first, the split ones last. */
static void partition(struct tjob_state *ts)
{
    struct tjob_state t = *ts;
    size_t k = 0;

    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < t.n; i++) {
            if (t.plan.is_split[i] != (pass == 1))
                continue;
            ts->tids[k] = t.tids[i];
            ts->ids[k] = t.ids[i];
            ts->own[k] = t.own[i];
            ts->plan.is_split[k] = pass == 1;
            k += 1;
            ts->n_run += pass == 0;
        }
}

/* find_role - a child's segment, a parent's join, a split or all whole. */
static int find_role(struct tjob_state *ts, const char *src, const char *tag)
{
    struct omkt_jobctx *ctx = ts->ctx;
    struct omkt_transcode_opts opts = make_opts(ts, tag);
    struct segjob_in in;
    int ret;

    if (ts->role == ROLE_CHILD)
        return OMKT_OK;
    ret = omkt_seg_state(ctx->db, ctx->job.id, &ts->fam, &ctx->eb);
    if (ret == OMKT_OK && ts->fam.n_segments > 0 && ts->fam.n_undone == 0) {
        ts->role = ROLE_JOIN;
        return OMKT_OK;
    }
    if (ret == OMKT_OK && ts->fam.n_segments > 0) /* a retry: anew */
        ret = omkt_seg_forget(ctx->db, ctx->job.id, &ctx->eb);
    if (ret != OMKT_OK)
        return ret;
    if (seg_in(ts, src, &opts, &in) != OMKT_OK) {
        omkt_errbuf_clear(&ctx->eb); /* the engine fails that setting */
        return OMKT_OK;
    }
    ret = segjob_plan(&in, conf->segment_min_ms, conf->segment_length_ms,
                      &ts->plan);
    if (ret == OMKT_OK && ts->plan.n_rows > 0) {
        ts->role = ROLE_SPLIT;
        ts->n_run = 0;
        partition(ts);
    }
    return ret;
}

/* run_segment - a child's part, or a parent's join, by segment_job.c. */
static int run_segment(struct tjob_state *ts, const char *src,
                       const char *absdir, const char *tag)
{
    struct omkt_transcode_opts opts = make_opts(ts, tag);
    struct segjob_in in;
    int ret = seg_in(ts, src, &opts, &in);

    if (ret == OMKT_OK && ts->role == ROLE_CHILD)
        ret = segjob_child(&in, &ts->seg_frames);
    else if (ret == OMKT_OK)
        ret = segjob_join(&in, &ts->fam, absdir, &ts->res);
    if (ret == OMKT_ESHUTDOWN || ret == OMKT_ECANCELLED)
        return omkt_jobctx_stop_code(ts->ctx);
    return ret;
}

/* run_engine - one pass for every setting, or one per setting. */
static int run_engine(struct tjob_state *ts, const char *src,
                      const char *absdir, const char *tag)
{
    struct omkt_transcode_opts opts = make_opts(ts, tag);

    if (ts->n_run == 0)
        return OMKT_OK; /* every setting was split */
    if (conf->is_batch || ts->n_run == 1)
        return engine(ts, src, absdir, &opts, 0, ts->n_run, &ts->res);
    ts->res.outputs = omkt_xcalloc(ts->n_run, sizeof(*ts->res.outputs));
    ts->passes = ts->n_run;
    for (size_t i = 0; i < ts->n_run; i++) {
        struct omkt_transcode_result one = {0};
        int ret;

        ts->pass = i;
        ret = engine(ts, src, absdir, &opts, i, 1, &one);

        if (one.n == 1)
            ts->res.outputs[ts->res.n++] = one.outputs[0];
        free(one.outputs); /* its only entry moved into ts->res */
        if (ret == OMKT_ESHUTDOWN || ret == OMKT_ECANCELLED)
            return ret;
    }
    return OMKT_OK;
}

/* to_s3 - the output @o uploaded to the s3:// dest_path. */
static int to_s3(struct tjob_state *ts, const struct omkt_output_result *o)
{
    char dir[OMKT_PATH_MAX], from[OMKT_PATH_MAX];
    int ret = omkt_path_join(dir, sizeof(dir), conf->docroot, ts->dir);

    if (ret == OMKT_OK)
        ret = omkt_path_join(from, sizeof(from), dir, o->files[0]);
    if (ret != OMKT_OK) {
        omkt_errf(&ts->ctx->eb, "output path too long under %s", dir);
        return ret;
    }
    return s3dest_put(ts->ctx, &ts->media, ts->dest, from,
                      tjob_staged_find(&ts->staged, o->files[0]));
}

/*
 * to_dest - a media-nommer job's output also published at its dest_path
 * (before the job is marked done, like every output).  The path must
 * stay in the account's export directory once resolved: a symlink there
 * that leads elsewhere is refused, not followed.
 */
static int to_dest(struct tjob_state *ts, const char *tag)
{
    const struct omkt_output_result *o = &ts->res.outputs[0];
    char area[64], root[OMKT_PATH_MAX], dir[OMKT_PATH_MAX];
    char from[OMKT_PATH_MAX], to[OMKT_PATH_MAX];
    int ret;

    if (ts->dest == NULL || ts->res.n == 0 || o->status != OMKT_OK ||
        o->n_files != 1)
        return OMKT_OK;
    if (omkt_s3_uri_is_s3(ts->dest))
        return to_s3(ts, o);
    ret = omkt_export_dir(area, sizeof(area), ts->media.account_id);
    if (ret == OMKT_OK)
        ret = omkt_path_join(root, sizeof(root), conf->docroot, area);
    if (ret == OMKT_OK)
        ret = omkt_fs_mkdirs(root, 0750, &ts->ctx->eb);
    if (ret == OMKT_OK)
        ret =
            omkt_path_under(root, ts->dest + strlen(area) + 1, to, sizeof(to));
    if (ret == OMKT_OK)
        ret = omkt_path_join(dir, sizeof(dir), conf->docroot, ts->dir);
    if (ret == OMKT_OK)
        ret = omkt_path_join(from, sizeof(from), dir, o->files[0]);
    if (ret != OMKT_OK) {
        omkt_errf(&ts->ctx->eb, "dest_path %s: %s", ts->dest,
                  ret == OMKT_EINVAL ? "leaves the export directory"
                                     : omkt_strerror(ret));
        return ret;
    }
    ret = omkt_fs_publish_copy(from, to, tag, &ts->ctx->eb);
    if (ret == OMKT_EIO || ret == OMKT_ENOSPC)
        ts->ctx->eb.retryable = true;
    return ret;
}

/* judge - the job's verdict from the engine's. */
static int judge(struct omkt_jobctx *ctx, const struct tjob_state *ts, int ret)
{
    bool any_ok = false;

    if (ret == OMKT_ESHUTDOWN || ret == OMKT_ECANCELLED)
        return omkt_jobctx_stop_code(ctx);
    for (size_t i = 0; i < ts->res.n; i++)
        any_ok = any_ok || ts->res.outputs[i].status == OMKT_OK;
    if (ret == OMKT_OK || any_ok)
        return OMKT_OK; /* failed outputs are recorded one by one */
    if (ret == OMKT_ENOSPC || ret == OMKT_EIO)
        ctx->eb.retryable = true;
    if (ts->res.n == ts->n_run && ret != OMKT_ENOSPC && ret != OMKT_EIO)
        return OMKT_OK; /* each setting failed on its own merits */
    return ret;
}

/* run - the job's outputs from @other (the cloud: a job's own settings
 * travel with it, bridge_defs.h), or from the local engine. */
static int run(struct tjob_state *ts, const char *src, const char *absdir,
               const char *tag, tjob_engine_fn other)
{
    const struct tjob_work w = {&ts->media, src,   absdir,     tag,
                                ts->ids,    ts->n, &ts->staged};

    if (other != NULL)
        return other(ts->ctx, &w, &ts->res);
    if (ts->role == ROLE_JOIN)
        return run_segment(ts, src, absdir, tag);
    return run_engine(ts, src, absdir, tag);
}

int tjob_handle(struct omkt_jobctx *ctx)
{
    return tjob_handle_with(ctx, NULL);
}

int tjob_handle_with(struct omkt_jobctx *ctx, tjob_engine_fn other)
{
    struct tjob_state *ts = omkt_xcalloc(1, sizeof(*ts));
    char src[OMKT_PATH_MAX], absdir[OMKT_PATH_MAX], tag[300];
    int ret;

    ts->ctx = ctx;
    ctx->data = ts;
    ts->role = ctx->job.parent_id > 0 ? ROLE_CHILD : ROLE_WHOLE;
    ret = load(ctx, ts);
    if (ret != OMKT_OK || ts->n == 0)
        return ret;
    if (ts->media.path == NULL) {
        omkt_errf(&ctx->eb, "media %" PRId64 " has no original", ts->media.id);
        return OMKT_EINVAL;
    }
    if (omkt_path_under(conf->docroot, ts->media.path, src, sizeof(src)) !=
            OMKT_OK ||
        omkt_path_join(absdir, sizeof(absdir), conf->docroot, ts->dir) !=
            OMKT_OK) {
        omkt_errf(&ctx->eb, "media %" PRId64 ": unusable path %s", ts->media.id,
                  ts->media.path);
        return OMKT_EINVAL;
    }
    ret = omkt_fs_mkdirs(absdir, 0750, &ctx->eb);
    if (ret == OMKT_OK)
        ret = check_space(ctx, absdir);
    if (ret == OMKT_OK)
        ret = omkt_fs_tmptag(tag, sizeof(tag), ctx->job.id);
    if (ret == OMKT_OK && other == NULL)
        ret = find_role(ts, src, tag);
    if (ret != OMKT_OK || ts->role == ROLE_CHILD)
        return ret == OMKT_OK ? run_segment(ts, src, absdir, tag) : ret;
    ret = omkt_job_set_tmp_dir(ctx->db, &ctx->job, ts->dir, &ctx->eb);
    for (size_t i = 0; ret == OMKT_OK && i < ts->n; i++)
        ret = omkt_transcode_start(ctx->db, ts->tids[i], &ctx->eb);
    if (ret != OMKT_OK)
        return ret;
    ret = run(ts, src, absdir, tag, other);
    if (ret != OMKT_OK)
        return judge(ctx, ts, ret);
    ret = to_dest(ts, tag); /* a failed copy fails the job (retried) */
    if (ret == OMKT_OK && ts->media.job_options == NULL) /* not nommer's */
        ret = s3dest_publish(
            ctx, &ts->media,
            &(struct s3dest_from){conf->docroot, ts->dir, &ts->staged},
            &ts->res);
    return ret;
}

/* output_meta - the output's metadata, with the file list when several. */
static char *output_meta(const struct omkt_output_result *o)
{
    json_t *m = o->metadata ? json_deep_copy(o->metadata) : json_object();
    json_t *files = json_array();
    char *text;

    for (size_t i = 0; i < o->n_files; i++)
        json_array_append_new(files, json_string(o->files[i]));
    if (o->n_files > 1)
        json_object_set_new(m, "files", files);
    else
        json_decref(files);
    json_object_set_new(m, "cardinality", json_integer((json_int_t)o->n_files));
    text = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(m);
    return text;
}

/* tell_format - the callback for one finished output (row @tid). */
static int tell_format(struct omkt_jobctx *ctx, const struct omkt_media *m,
                       const struct omkt_output_result *o, const char *meta,
                       int64_t tid)
{
    char id[32], sid[16], card[16];
    json_t *params;
    int ret;

    if (omkt_restcb_applies(m))
        return omkt_restcb_setting_ended(ctx->db, m, tid, &ctx->eb);
    if (m->remote_id <= 0)
        return omkt_notify_media_done(ctx->db, m, o->setting_id, meta,
                                      &ctx->eb);
    snprintf(id, sizeof(id), "%" PRId64, m->remote_id);
    snprintf(sid, sizeof(sid), "%d", o->setting_id);
    snprintf(card, sizeof(card), "%zu", o->n_files);
    params =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "settings_id", sid,
                  "cardinality", card, "adapter", m->adapter, "metadata", meta);
    if (params == NULL)
        return OMKT_ENOMEM;
    ret = omkt_notify_omkt(ctx->db, m->account_id, m->id,
                           "transcoder_send_format", params, &ctx->eb);
    json_decref(params);
    return ret;
}

/* record_output - one output's transcodes row and its callback. */
static int record_output(struct omkt_jobctx *ctx, struct tjob_state *ts,
                         size_t i)
{
    const struct omkt_output_result *o = &ts->res.outputs[i];
    char path[OMKT_PATH_MAX], msg[OMKT_ERRBUF_LEN + 64];
    char *meta;
    int ret;

    if (o->status != OMKT_OK || o->n_files == 0) {
        snprintf(msg, sizeof(msg), "transcode to setting %d failed: %s",
                 o->setting_id, o->message[0] ? o->message : "no output");
        ret = omkt_transcode_failed(ctx->db, ts->tids[i], msg, &ctx->eb);
        if (ret == OMKT_OK && omkt_restcb_applies(&ts->media))
            return omkt_restcb_setting_ended(ctx->db, &ts->media, ts->tids[i],
                                             &ctx->eb);
        return ret == OMKT_OK
                   ? omkt_notify_media_error(ctx->db, &ts->media, msg, &ctx->eb)
                   : ret;
    }
    ret = omkt_path_join(path, sizeof(path), ts->dir,
                         o->n_files == 1 ? o->files[0] : "");
    if (ret != OMKT_OK)
        return ret;
    meta = output_meta(o);
    if (meta == NULL)
        return OMKT_ENOMEM;
    ret = omkt_transcode_done(ctx->db, ts->tids[i], path, (int)o->n_files, meta,
                              &ctx->eb);
    if (ret == OMKT_OK)
        ret = tell_format(ctx, &ts->media, o, meta, ts->tids[i]);
    free(meta);
    return ret;
}

/* split - the children of a job split by this claim, which then waits
 * for them (db_segments.h). */
static int split(struct omkt_jobctx *ctx, struct tjob_state *ts)
{
    char *payload =
        omkt_tpayload_build(&ts->tids[ts->n_run], ts->n - ts->n_run);
    int ret = payload != NULL
                  ? omkt_seg_split(ctx->db, &ctx->job, payload, ts->plan.rows,
                                   ts->plan.n_rows, &ctx->eb)
                  : OMKT_EINVAL;

    free(payload);
    ctx->is_parking = ret == OMKT_OK;
    return ret;
}

int tjob_done(struct omkt_jobctx *ctx)
{
    struct tjob_state *ts = ctx->data;
    int ret;

    if (ts->role == ROLE_CHILD)
        return omkt_seg_frames(ctx->db, ctx->job.id, ts->seg_frames, &ctx->eb);
    /* REST media: the media row first (restcb.h), then its transcodes. */
    ret = omkt_restcb_lock(ctx->db, &ts->media, &ctx->eb);

    for (size_t i = 0; ret == OMKT_OK && i < ts->res.n && i < ts->n; i++) {
        ret = record_output(ctx, ts, i);
        if (ret == OMKT_ELOST) /* cancelled meanwhile: leave it */
            ret = OMKT_OK;
    }
    if (ret == OMKT_OK && ts->n > 0)
        ret = omkt_restcb_media_end(ctx->db, &ts->media, false, &ctx->eb);
    if (ret == OMKT_OK && ts->role == ROLE_SPLIT)
        ret = split(ctx, ts);
    return ret;
}

/* fail_rows - every row of the job failed with @msg; REST media get
 * format.failed for each row this failure ended. */
static int fail_rows(struct omkt_jobctx *ctx, struct tjob_state *ts,
                     const char *msg)
{
    int ret = omkt_restcb_lock(ctx->db, &ts->media, &ctx->eb);

    for (size_t i = 0; ret == OMKT_OK && i < ts->n; i++) {
        ret = omkt_transcode_failed(ctx->db, ts->tids[i], msg, &ctx->eb);
        if (ret == OMKT_OK)
            ret = omkt_restcb_setting_ended(ctx->db, &ts->media, ts->tids[i],
                                            &ctx->eb);
        if (ret == OMKT_ELOST)
            ret = OMKT_OK;
    }
    if (ret == OMKT_OK && ts->n > 0 && omkt_restcb_applies(&ts->media))
        return omkt_restcb_media_end(ctx->db, &ts->media, false, &ctx->eb);
    if (ret == OMKT_OK && ts->n > 0)
        ret = omkt_notify_media_error(ctx->db, &ts->media, msg, &ctx->eb);
    return ret;
}

int tjob_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                bool is_final)
{
    struct tjob_state *ts = ctx->data;
    char msg[OMKT_ERRBUF_LEN + 64];
    bool is_first = false;
    int ret;

    if (!is_final || ts == NULL || ts->media.id == 0)
        return OMKT_OK;
    if (ts->role != ROLE_CHILD) {
        snprintf(msg, sizeof(msg), "transcode failed: %s", reason);
        return fail_rows(ctx, ts, msg);
    }
    ret = segjob_child_failed(ctx, code, reason, msg, sizeof(msg), &is_first);
    return ret == OMKT_OK && is_first ? fail_rows(ctx, ts, msg) : ret;
}

void tjob_cleanup(struct omkt_jobctx *ctx)
{
    struct tjob_state *ts = ctx->data;

    if (ts == NULL)
        return;
    if (ts->role != ROLE_WHOLE)
        segjob_after(ctx, conf->docroot, ts->tids, ts->n);
    segjob_plan_clear(&ts->plan);
    omkt_transcode_result_clear(&ts->res);
    omkt_media_clear(&ts->media);
    for (size_t i = 0; i < ts->n; i++)
        omkt_setting_free(ts->own[i]);
    free(ts->dest);
    tjob_staged_clear(&ts->staged);
    free(ts);
    ctx->data = NULL;
}

const struct tjob_staged *tjob_staged_of(const struct omkt_jobctx *ctx)
{
    const struct tjob_state *ts = ctx->data;

    return ts != NULL ? &ts->staged : NULL;
}
