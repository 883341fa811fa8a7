/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transcode_job - transcoderd's job handler and its transaction hooks:
 * tjob_handle runs the engine (omkt_transcode) for the transcode rows the
 * job's payload names; tjob_done records each output (row, callback) and
 * tjob_failed the failure, in the transaction that ends the job;
 * tjob_cleanup frees the per-job state in ctx->data.
 */
#ifndef OMKT_TRANSCODERD_TRANSCODE_JOB_H
#define OMKT_TRANSCODERD_TRANSCODE_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "common/db_media.h"
#include "common/jobworker.h"
#include "media/transcode.h"

struct tjob_conf {
    int64_t workers;
    bool is_batch; /* one decode for all the job's settings; false: one
                    * engine pass (and decode) per setting */
    int64_t min_free;
    int64_t threads;
    struct omkt_out_limits limits; /* output duration and pixel rate */
    const char *docroot;           /* borrowed from the daemon's config */
    bool is_bridge;                /* also a cloud bridge (bridge.h) */
    /* Segment-parallel transcoding (segment_job.h): sources at least
     * segment_min_ms long (0: never) split into segment jobs of about
     * segment_length_ms. */
    int64_t segment_min_ms;
    int64_t segment_length_ms;
};

/* Where another engine left each output file (the cloud's staging
 * objects, s3://...), by the engine's file name: S3 destinations are
 * then copied from there server-side, not uploaded from the document
 * root.  Strings new (tjob_staged_clear). */
#define TJOB_STAGED_MAX 256
struct tjob_staged {
    char *name[TJOB_STAGED_MAX];
    char *uri[TJOB_STAGED_MAX];
    size_t n;
};

/* tjob_staged_add - remember @uri (copied) for file @name; ignored past
 * TJOB_STAGED_MAX (the file is then uploaded from the document root). */
void tjob_staged_add(struct tjob_staged *st, const char *name, const char *uri);
/* tjob_staged_find - the staged object of file @name, or NULL. */
const char *tjob_staged_find(const struct tjob_staged *st, const char *name);
void tjob_staged_clear(struct tjob_staged *st);

/* What another engine (the cloud bridge) gets to produce a job's
 * outputs: the same as the local engine, all borrowed for the call;
 * @staged (the job's, until tjob_cleanup) is for it to fill. */
struct tjob_work {
    const struct omkt_media *media;
    const char *src;    /* the original, absolute */
    const char *absdir; /* the media's output directory, absolute */
    const char *tag;    /* temp-name tag of this job (omkt_fs_tmptag) */
    const int *ids;     /* the settings, in the job's order */
    size_t n;
    struct tjob_staged *staged;
};

/* tjob_engine_fn - fill @res (one output per id, files under absdir,
 * published) like omkt_transcode; errors as tjob_handle's. */
typedef int (*tjob_engine_fn)(struct omkt_jobctx *ctx,
                              const struct tjob_work *w,
                              struct omkt_transcode_result *res);

void tjob_init(const struct tjob_conf *tc);
int tjob_handle(struct omkt_jobctx *ctx);
/* tjob_handle_with - tjob_handle with @other instead of the local engine
 * (for every job, media-nommer's included: the outputs are published as
 * the local engine's, dest_path and S3 destinations too). */
int tjob_handle_with(struct omkt_jobctx *ctx, tjob_engine_fn other);
int tjob_done(struct omkt_jobctx *ctx);
int tjob_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                bool is_final);
void tjob_cleanup(struct omkt_jobctx *ctx);
/* tjob_staged_of - the staged objects of ctx's job (borrowed until
 * tjob_cleanup), or NULL. */
const struct tjob_staged *tjob_staged_of(const struct omkt_jobctx *ctx);

#endif
