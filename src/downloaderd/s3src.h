/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s3src - originals in S3 (s3://[KEY:SECRET@]bucket/key): credentials as
 * common/s3cred.h resolves them (the URI's kept secret, the [s3] section,
 * the environment, IMDSv2), fetched into the job's partial file and
 * resumed from what an earlier attempt left there (common/s3.h), under
 * the download policy's size cap and time limits.
 */
#ifndef OMKT_DOWNLOADERD_S3SRC_H
#define OMKT_DOWNLOADERD_S3SRC_H

#include <stdint.h>

#include "common/httpc.h"
#include "common/jobworker.h"

struct s3src_req {
    const char *uri;         /* the media's url (masked) */
    const char *job_options; /* the media's (kept secret), or NULL */
    const char *part_path;   /* the partial file, kept across attempts */
    int64_t max_size;
    struct omkt_http_limits lim;
    struct omkt_jobctx *ctx; /* stop flag */
};

/*
 * s3src_fetch - rq->uri into rq->part_path, complete and verified;
 * *size is its size.  OMKT_ENOTFOUND (404: permanent), OMKT_EPERM (403 or
 * address refused: permanent), OMKT_ETOOBIG, OMKT_ENET / OMKT_EHTTP
 * (eb->retryable when transient), OMKT_ESHUTDOWN (stop).
 */
int s3src_fetch(const struct s3src_req *rq, int64_t *size,
                struct omkt_errbuf *eb);

#endif
