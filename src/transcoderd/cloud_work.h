/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloud_work - the work of one cloud job, between receiving its message
 * and sending its result: download the source from S3 into a private
 * temp directory under [transcoderd] scratch, run the media engine with
 * the job's settings (decode once when the job is a batch), upload every
 * output file under the job's out_prefix (multipart above the part size,
 * complete or aborted) and describe them in the result's outputs.  The
 * temp directory is removed whatever happens.
 */
#ifndef OMKT_TRANSCODERD_CLOUD_WORK_H
#define OMKT_TRANSCODERD_CLOUD_WORK_H

#include "cloud.h"
#include "cloud_lease.h"
#include "common/cloudmsg.h"

/*
 * cloud_work_run - do @job under @lease, filling r->outputs (one per
 * setting, each with its own status) on OMKT_OK.  OMKT_ECANCELLED when
 * the lease was lost or the daemon stops (nothing must be published);
 * else the whole job's error with the reason in @eb and eb->retryable
 * when a later try may succeed (network, full disk).
 */
int cloud_work_run(const struct cloud_env *e, const struct omkt_cloud_job *job,
                   struct cloud_lease *lease, struct omkt_cloud_result *r,
                   struct omkt_errbuf *eb);

#endif
