/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloud_aws - the cloud worker's AWS clients: SQS and EC2 on the [cloud]
 * endpoints and S3 for one s3:// location, all signing with the
 * credentials the [s3] section resolves to (s3cred order), made fresh per
 * use so temporary credentials never go stale in a long-lived worker.
 */
#ifndef OMKT_TRANSCODERD_CLOUD_AWS_H
#define OMKT_TRANSCODERD_CLOUD_AWS_H

#include "cloud.h"
#include "common/awsreq.h"
#include "common/s3.h"

/*
 * cloud_aws_new - a client of @service ("sqs" or "ec2") for @e (*out new:
 * omkt_aws_free).  OMKT_ENOTFOUND when no credentials resolve, else as
 * omkt_aws_new.
 */
int cloud_aws_new(const struct cloud_env *e, const char *service,
                  struct omkt_aws **out, struct omkt_errbuf *eb);

/*
 * cloud_s3_open - an S3 client for @uri (s3://bucket/key) and the parsed
 * URI (both new: omkt_s3_free, omkt_s3_uri_clear), with the stop hook
 * @h (may be NULL).
 */
int cloud_s3_open(const struct cloud_env *e, const char *uri,
                  const struct omkt_s3_hooks *h, struct omkt_s3_uri *u,
                  struct omkt_s3 **s3, struct omkt_errbuf *eb);

#endif
