/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s3src - downloaderd's S3 source (see s3src.h).  A client is made per
 * transfer so temporary credentials are current.
 */
#include <inttypes.h>
#include <string.h>

#include "common/log.h"
#include "common/s3job.h"
#include "s3src.h"

int s3src_fetch(const struct s3src_req *rq, int64_t *size,
                struct omkt_errbuf *eb)
{
    const struct omkt_s3job_req jr = {
        .uri = rq->uri,
        .job_options = rq->job_options,
        .which = OMKT_S3JOB_SOURCE,
        .lim = &rq->lim,
        .max_object_bytes = rq->max_size,
        .ctx = rq->ctx,
    };
    struct omkt_s3_uri u = {0};
    struct omkt_s3_object obj = {0};
    struct omkt_s3 *s3 = NULL;
    int ret = omkt_s3job_open(&jr, &u, &s3, eb);

    *size = 0;
    if (ret == OMKT_OK)
        ret = omkt_s3_get_file(s3, u.bucket, u.key, rq->part_path, &obj, eb);
    if (ret == OMKT_OK) {
        struct omkt_s3_stats st = omkt_s3_stats(s3);

        *size = obj.size;
        omkt_log(OMKT_LOG_INFO,
                 "job=%lld s3 %s/%s: %" PRId64 " bytes, %d requests, "
                 "%d retries",
                 (long long)rq->ctx->job.id, u.bucket, u.key, obj.size,
                 st.requests, st.retries);
    }
    omkt_s3_free(s3);
    omkt_s3_uri_clear(&u);
    return ret;
}
