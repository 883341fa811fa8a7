/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloudconf - the [cloud] configuration section, read by every part of
 * the cloud tier (cloud workers, bridges, the scaler) and by apid for
 * /metrics.  Credentials for SQS and EC2 resolve as S3's do (s3cred:
 * the [s3] section's keys, the AWS environment, IMDSv2 when imds = yes):
 * one door for AWS credentials.
 *
 * Keys (docs/cloud.md, "Configuration"; etc/omkt.conf.example):
 *   policy = off | overflow | always     (off)
 *   overflow_after = 2m   oldest queued transcode waited longer (overflow)
 *   region = us-east-1
 *   sqs_endpoint, ec2_endpoint           ("" = AWS's for the region)
 *   imds_endpoint = http://169.254.169.254  (tests: loopback)
 *   allow_private = no    endpoints on private/loopback addresses
 *   jobs_queue = omkt-jobs, results_queue = omkt-results,
 *   dead_queue = omkt-dead               (queue names, created if missing)
 *   max_receive_count = 5                receives before the dead letter
 *   visibility = 5m                      the lease of a job message
 *   staging = s3://bucket/omkt-cloud/    sources and outputs in transit
 *   bridge_jobs = 16                     jobs one bridge keeps out at once
 *   idle_terminate = 10m                 worker: terminate when idle
 *   spot_poll = 5s                       worker: spot notice poll period
 *   cluster = omkt                       tag omkt:cluster, queue prefix
 *   max_instances = 0, jobs_per_instance = 2, start_after = 30s,
 *   cooldown = 60s, image, instance_type, subnet, security_groups
 *   (comma list), instance_profile, spot = no, key_name
 * Per account: [cloud.account-ID] policy = off | overflow | always.
 */
#ifndef OMKT_COMMON_CLOUDCONF_H
#define OMKT_COMMON_CLOUDCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"

enum omkt_cloud_policy {
    OMKT_CLOUD_OFF,
    OMKT_CLOUD_OVERFLOW,
    OMKT_CLOUD_ALWAYS,
};

struct omkt_cloud_conf {
    char *policy; /* text as configured; omkt_cloud_policy_of parses */
    int64_t overflow_after_ms;
    char *region;
    char *sqs_endpoint;
    char *ec2_endpoint;
    char *imds_endpoint;
    bool allow_private;
    char *jobs_queue;
    char *results_queue;
    char *dead_queue;
    int64_t max_receive_count;
    int64_t visibility_ms;
    char *staging;
    int64_t bridge_jobs;
    int64_t idle_terminate_ms;
    int64_t spot_poll_ms;
    char *cluster;
    int64_t max_instances;
    int64_t jobs_per_instance;
    int64_t start_after_ms;
    int64_t cooldown_ms;
    char *image;
    char *instance_type;
    char *subnet;
    char *security_groups;
    char *instance_profile;
    bool is_spot;
    char *key_name;
    char *worker_program; /* transcoderd on the image (user-data) */
    char *worker_conf;    /* the configuration file it writes */
    int64_t scaler_tick_ms;
};

/* The [cloud] keys, for a program's section table (target: the struct). */
extern const struct omkt_conf_key omkt_cloud_conf_keys[];
extern const size_t omkt_cloud_conf_nkeys;

/* omkt_cloud_policy_of - @text parsed; OMKT_EINVAL when unknown. */
int omkt_cloud_policy_of(const char *text, enum omkt_cloud_policy *out,
                         struct omkt_errbuf *eb);

/*
 * omkt_cloud_endpoint - the endpoint of AWS @service ("sqs", "ec2") for
 * @c: its sqs_endpoint / ec2_endpoint when set, else
 * https://SERVICE.REGION.amazonaws.com (region us-east-1 when empty),
 * into @buf; returns @buf.
 */
const char *omkt_cloud_endpoint(const struct omkt_cloud_conf *c,
                                const char *service, char *buf, size_t size);

/*
 * omkt_cloud_account_policy - the policy for account @account_id: its
 * [cloud.account-ID] override in @conf_path, else @c's.
 */
int omkt_cloud_account_policy(const struct omkt_cloud_conf *c,
                              const char *conf_path, int64_t account_id,
                              enum omkt_cloud_policy *out,
                              struct omkt_errbuf *eb);

#endif
