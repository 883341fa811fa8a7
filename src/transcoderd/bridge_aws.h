/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_aws - what the bridge's threads share (read-only after start):
 * the [cloud] and S3 configuration and the queues' URLs; and the one way
 * they make an SQS client (one per thread: clients are not thread-safe).
 */
#ifndef OMKT_TRANSCODERD_BRIDGE_AWS_H
#define OMKT_TRANSCODERD_BRIDGE_AWS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/awsreq.h"
#include "common/cloudconf.h"
#include "common/daemon.h"
#include "common/s3cred.h"

struct bridge_env {
    struct omkt_daemon *d;
    struct omkt_cloud_conf cc; /* [cloud] */
    struct omkt_s3_conf s3;    /* credentials for SQS, as for S3 */
    char *jobs_url, *results_url, *dead_url;
    int64_t resend_after_ms; /* an adopted send without result: send again */
    int64_t poll_ms;         /* how often a holder looks for its result */
};

/*
 * bridge_env_open - read [cloud] and the S3 sections of @d's file and
 * find (or create) the three queues.  Errors (OMKT_ECONF, the SQS
 * client's) are fatal at start-up.  bridge_env_close frees it.
 */
int bridge_env_open(struct bridge_env *e, struct omkt_daemon *d,
                    struct omkt_errbuf *eb);
void bridge_env_close(struct bridge_env *e);

/* bridge_sqs_new - an SQS client for one thread (new: omkt_aws_free),
 * interrupted when @stop(@arg) says so. */
int bridge_sqs_new(const struct bridge_env *e, bool (*stop)(void *), void *arg,
                   struct omkt_aws **out, struct omkt_errbuf *eb);

#endif
