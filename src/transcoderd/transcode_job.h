/* SPDX-License-Identifier: GPL-2.0-or-later */
/* transcode_job - transcoderd's job handler and its transaction hooks. */
#ifndef OMKT_TRANSCODERD_TRANSCODE_JOB_H
#define OMKT_TRANSCODERD_TRANSCODE_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "common/jobworker.h"

struct tjob_conf {
    int64_t workers;
    bool is_batch; /* XXX: always one pass per job; see tjob_handle */
    int64_t min_free;
    int64_t threads;
    const char *docroot; /* borrowed from the daemon's config */
};

void tjob_init(const struct tjob_conf *tc);
int tjob_handle(struct omkt_jobctx *ctx);
int tjob_done(struct omkt_jobctx *ctx);
int tjob_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                bool is_final);
void tjob_cleanup(struct omkt_jobctx *ctx);

#endif
