/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * segment_job - segment-parallel transcoding as transcoderd runs it: the
 * split decision, a child's segment, the join, and the family's end (see
 * segment_job.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/alloc.h"
#include "common/db_transcodes.h"
#include "common/fsops.h"
#include "common/log.h"
#include "common/path.h"
#include "media/probe.h"
#include "media/segment_encode.h"
#include "media/segment_join.h"
#include "media/segment_plan.h"
#include "segment_job.h"

int segjob_dir(char *buf, size_t size, const char *docroot, int64_t parent_id)
{
    int n = docroot != NULL
                ? snprintf(buf, size, "%s/tmp/segments/%" PRId64, docroot,
                           parent_id)
                : snprintf(buf, size, "tmp/segments/%" PRId64, parent_id);

    return n > 0 && (size_t)n < size ? OMKT_OK : OMKT_ETOOBIG;
}

void segjob_plan_clear(struct segjob_plan *plan)
{
    free(plan->rows);
    memset(plan, 0, sizeof(*plan));
}

/* rows_of - the children of a source of @ss cut at @bounds[0..@nb). */
static void rows_of(const struct omkt_segment_src *ss, const int64_t *bounds,
                    size_t nb, struct segjob_plan *plan)
{
    size_t n = nb + 1 + (ss->has_audio ? 1 : 0);

    /* The audio first: claimed in id order, it runs beside segment 0
     * instead of after the last one. */
    plan->rows = omkt_xcalloc(n, sizeof(*plan->rows));
    if (ss->has_audio)
        plan->rows[0] = (struct omkt_seg_row){OMKT_SEG_AUDIO, 0, INT64_MAX,
                                              ss->duration_us};
    for (size_t i = 0; i <= nb; i++) {
        struct omkt_seg_row *r = &plan->rows[i + (ss->has_audio ? 1 : 0)];

        r->seg = (int)i;
        r->start_us = i == 0 ? 0 : bounds[i - 1];
        r->end_us = i == nb ? INT64_MAX : bounds[i];
        r->length_us = (i == nb ? ss->duration_us : r->end_us) - r->start_us;
    }
    plan->n_rows = n;
}

/* cut - the boundaries of the scanned source @ss, or none. */
static void cut(const struct segjob_in *in, const struct omkt_segment_src *ss,
                int64_t length_ms, struct segjob_plan *plan)
{
    int64_t *bounds = NULL;
    size_t nb = 0;

    if (omkt_segment_plan(ss->key_us, ss->n_keys, ss->duration_us,
                          length_ms * 1000, &bounds, &nb) == OMKT_OK &&
        nb > 0) {
        rows_of(ss, bounds, nb, plan);
        omkt_log(OMKT_LOG_INFO, "job=%lld split: %zu segments of about %llds%s",
                 (long long)in->ctx->job.id, nb + 1,
                 (long long)(length_ms / 1000),
                 ss->has_audio ? ", audio once" : "");
    }
    free(bounds);
}

/* min_of - the duration from which setting @s is split (its own, else
 * @min_ms); 0: never (it cannot be, or it says so). */
static int64_t min_of(const struct omkt_setting *s, int64_t min_ms)
{
    if (s->segment_min_ms < 0 || !omkt_segment_can_split(s))
        return 0;
    return s->segment_min_ms > 0 ? s->segment_min_ms : min_ms;
}

/* choose - which settings split for a source of @ss (not interlaced:
 * bwdif looks at the previous frame), and the segment length: the
 * shortest a split setting asks for, else @length_ms; 0 when none. */
static int64_t choose(const struct segjob_in *in, const int64_t *mins,
                      const struct omkt_segment_src *ss, int64_t length_ms,
                      struct segjob_plan *plan)
{
    int64_t len = 0;
    bool any = false;

    for (size_t i = 0; i < in->n && !ss->is_interlaced; i++) {
        int64_t own = in->sets[i]->segment_length_ms;

        plan->is_split[i] = mins[i] > 0 && ss->duration_us >= mins[i] * 1000;
        any = any || plan->is_split[i];
        if (plan->is_split[i] && own > 0 && (len == 0 || own < len))
            len = own;
    }
    return !any ? 0 : len > 0 ? len : length_ms;
}

int segjob_plan(const struct segjob_in *in, int64_t min_ms, int64_t length_ms,
                struct segjob_plan *plan)
{
    struct omkt_segment_src ss = {0};
    int64_t mins[SEGJOB_MAX] = {0};
    bool any = false;
    int ret;

    memset(plan, 0, sizeof(*plan));
    for (size_t i = 0; i < in->n; i++) {
        mins[i] = min_of(in->sets[i], min_ms);
        any = any || mins[i] > 0;
    }
    if (!any)
        return OMKT_OK;
    ret = omkt_segment_scan(in->src, in->opts, &ss, &in->ctx->eb);
    if (ret == OMKT_OK)
        length_ms = choose(in, mins, &ss, length_ms, plan);
    if (ret == OMKT_OK && length_ms > 0)
        cut(in, &ss, length_ms, plan);
    omkt_segment_src_clear(&ss);
    if (plan->n_rows == 0)
        memset(plan->is_split, 0, sizeof(plan->is_split));
    if (ret == OMKT_ESHUTDOWN || ret == OMKT_ECANCELLED)
        return ret;
    omkt_errbuf_clear(&in->ctx->eb); /* the engine judges the source */
    return OMKT_OK;
}

/* child_dir - the family's directory, made, and recorded as the job's
 * tmp_dir (a reaper removes a dead child's temp files there). */
static int child_dir(const struct segjob_in *in, char *abs, size_t size)
{
    struct omkt_jobctx *ctx = in->ctx;
    char rel[64];
    int ret = segjob_dir(rel, sizeof(rel), NULL, ctx->job.parent_id);

    if (ret == OMKT_OK)
        ret = segjob_dir(abs, size, in->docroot, ctx->job.parent_id);
    if (ret == OMKT_OK)
        ret = omkt_fs_mkdirs(abs, 0750, &ctx->eb);
    if (ret == OMKT_OK)
        ret = omkt_job_set_tmp_dir(ctx->db, &ctx->job, rel, &ctx->eb);
    return ret;
}

/* one_setting - child @row's file for setting @set into @dir. */
static int one_setting(const struct segjob_in *in,
                       const struct omkt_seg_row *row,
                       const struct omkt_setting *set, const char *dir,
                       int64_t *frames)
{
    struct omkt_segment_spec spec = {set, row->seg, row->start_us, row->end_us};

    *frames = 0;
    if (row->seg == OMKT_SEG_AUDIO)
        return omkt_segment_audio(in->src, dir, set, in->opts, &in->ctx->eb);
    return omkt_segment_encode(in->src, dir, &spec, in->opts, frames,
                               &in->ctx->eb);
}

int segjob_child(const struct segjob_in *in, int64_t *frames)
{
    struct omkt_jobctx *ctx = in->ctx;
    struct omkt_seg_row row;
    char dir[OMKT_PATH_MAX];
    int ret = omkt_seg_get(ctx->db, ctx->job.id, &row, &ctx->eb);

    *frames = 0;
    if (ret == OMKT_OK)
        ret = child_dir(in, dir, sizeof(dir));
    for (size_t i = 0; ret == OMKT_OK && i < in->n; i++) {
        int64_t f = 0;

        ret = one_setting(in, &row, in->sets[i], dir, &f);
        if (i == 0)
            *frames = f;
    }
    if (ret == OMKT_EIO || ret == OMKT_ENOSPC || ret == OMKT_EDB)
        ctx->eb.retryable = true;
    return ret;
}

/* joined - output @o of the file the join wrote for @set in @outdir. */
static void joined(struct omkt_output_result *o, const struct omkt_setting *set,
                   const char *outdir)
{
    char name[64], path[OMKT_PATH_MAX];
    json_t *meta = NULL;

    snprintf(name, sizeof(name), "%d.%s", set->id, set->extension);
    o->files = omkt_xcalloc(1, sizeof(*o->files));
    o->files[0] = omkt_xstrdup(name);
    o->n_files = 1;
    if (omkt_path_join(path, sizeof(path), outdir, name) == OMKT_OK &&
        omkt_probe_file(path, NULL, &meta, NULL) == OMKT_OK) {
        json_object_set_new(meta, "cardinality", json_integer(1));
        o->metadata = meta;
    }
}

int segjob_join(const struct segjob_in *in, const struct omkt_seg_state *st,
                const char *outdir, struct omkt_transcode_result *res)
{
    char dir[OMKT_PATH_MAX];
    int ret = segjob_dir(dir, sizeof(dir), in->docroot, in->ctx->job.id);

    res->outputs = omkt_xcalloc(in->n, sizeof(*res->outputs));
    for (size_t i = 0; ret == OMKT_OK && i < in->n; i++) {
        struct omkt_output_result *o = &res->outputs[res->n++];
        struct omkt_segment_join j = {in->sets[i],   dir,    st->n_segments,
                                      st->has_audio, outdir, in->opts};
        struct omkt_errbuf eb = {0};
        int64_t frames = 0;

        o->setting_id = in->sets[i]->id;
        ret = omkt_segment_join(&j, &frames, &eb);
        if (ret == OMKT_OK) {
            joined(o, in->sets[i], outdir);
            omkt_log(OMKT_LOG_INFO,
                     "job=%lld joined %d segments: %s, %" PRId64 " frames",
                     (long long)in->ctx->job.id, st->n_segments, o->files[0],
                     frames);
            continue;
        }
        o->status = ret;
        snprintf(o->message, sizeof(o->message), "%s", eb.msg);
        if (ret == OMKT_EMEDIA || ret == OMKT_ENOTFOUND)
            ret = OMKT_OK; /* this setting fails alone */
        else
            omkt_errf(&in->ctx->eb, "%s", eb.msg);
    }
    if (ret == OMKT_EIO || ret == OMKT_ENOSPC)
        in->ctx->eb.retryable = true;
    return ret;
}

int segjob_child_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                        char *msg, size_t size, bool *is_first)
{
    struct omkt_seg_row row = {0};
    struct omkt_seg_state st = {0};
    int ret = omkt_seg_get(ctx->db, ctx->job.id, &row, &ctx->eb);

    *is_first = false;
    if (ret == OMKT_OK)
        ret = omkt_seg_state(ctx->db, ctx->job.parent_id, &st, &ctx->eb);
    if (ret == OMKT_ENOTFOUND)
        return OMKT_OK; /* the family is gone */
    if (ret != OMKT_OK)
        return ret;
    if (row.seg == OMKT_SEG_AUDIO)
        snprintf(msg, size,
                 "the audio (job %lld) of a segmented transcode "
                 "failed: %s",
                 (long long)ctx->job.id, reason);
    else
        snprintf(msg, size, "segment %d of %d (job %lld) failed: %s", row.seg,
                 st.n_segments, (long long)ctx->job.id, reason);
    return omkt_seg_fail(ctx->db, ctx->job.parent_id, code, msg, is_first,
                         &ctx->eb);
}

/* advance - a child completed: its parent's progress, and its wake. */
static void advance(struct omkt_jobctx *ctx, const int64_t *tids, size_t n)
{
    int64_t parent = ctx->job.parent_id;
    bool woken = false;
    int pct = 0;

    if (omkt_seg_progress(ctx->db, parent, &pct, NULL) == OMKT_OK)
        for (size_t i = 0; i < n; i++)
            (void)omkt_transcode_progress(ctx->db, tids[i], pct, NULL);
    if (omkt_seg_wake(ctx->db, parent, &woken, NULL) == OMKT_OK && woken)
        omkt_log(OMKT_LOG_INFO,
                 "job=%lld segments done: job %lld queued to "
                 "join them",
                 (long long)ctx->job.id, (long long)parent);
}

void segjob_after(struct omkt_jobctx *ctx, const char *docroot,
                  const int64_t *tids, size_t n)
{
    int64_t parent = ctx->job.parent_id > 0 ? ctx->job.parent_id : ctx->job.id;
    char dir[OMKT_PATH_MAX];
    bool is_live = true;

    if (ctx->job.parent_id > 0 && ctx->is_done)
        advance(ctx, tids, n);
    if (ctx->is_parking && ctx->is_done)
        return; /* just split: the family starts */
    if (omkt_seg_is_live(ctx->db, parent, &is_live, NULL) != OMKT_OK ||
        is_live || segjob_dir(dir, sizeof(dir), docroot, parent) != OMKT_OK)
        return;
    if (omkt_fs_remove_tree(dir, NULL) == OMKT_OK)
        omkt_log(OMKT_LOG_INFO, "job=%lld segment files of job %lld removed",
                 (long long)ctx->job.id, (long long)parent);
}
