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
};

void tjob_init(const struct tjob_conf *tc);
int tjob_handle(struct omkt_jobctx *ctx);
int tjob_done(struct omkt_jobctx *ctx);
int tjob_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                bool is_final);
void tjob_cleanup(struct omkt_jobctx *ctx);

#endif
