/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe_job - metadatad's job handler and its transaction hooks. */
#ifndef OMKT_METADATAD_PROBE_JOB_H
#define OMKT_METADATAD_PROBE_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "common/jobworker.h"

struct probe_conf {
    int64_t workers;
    bool is_crop_detect;
    const char *docroot; /* borrowed from the daemon's config */
};

void probe_job_init(const struct probe_conf *pc);
int probe_job_handle(struct omkt_jobctx *ctx);
int probe_job_done(struct omkt_jobctx *ctx);
int probe_job_failed(struct omkt_jobctx *ctx, int code, const char *reason,
                     bool is_final);
void probe_job_cleanup(struct omkt_jobctx *ctx);

#endif
