/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_aws - the bridge's shared configuration and SQS clients (see
 * bridge_aws.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/sqs.h"
#include "bridge_aws.h"

int bridge_sqs_new(const struct bridge_env *e, bool (*stop)(void *), void *arg,
                   struct omkt_aws **out, struct omkt_errbuf *eb)
{
    struct omkt_s3_config s3cfg = {0};
    struct omkt_s3_creds cr = {0};
    char endpoint[256];
    struct omkt_aws_config cfg = {
        .endpoint = endpoint,
        .region = e->cc.region,
        .service = "sqs",
        .lim = {.allow_private = e->cc.allow_private},
    };
    int ret = omkt_s3_resolve(&e->s3, NULL, NULL, &s3cfg, &cr, eb);

    *out = NULL;
    omkt_cloud_endpoint(&e->cc, "sqs", endpoint, sizeof(endpoint));
    if (ret == OMKT_OK)
        ret = omkt_aws_new(&cfg, &cr, out, eb);
    if (ret == OMKT_OK)
        omkt_aws_set_stop(*out, stop, arg);
    omkt_s3_creds_clear(&cr);
    return ret;
}

/* queue_url - the URL of queue @name, created when missing (with a
 * redrive to @dlq_arn when not NULL). */
static int queue_url(struct omkt_aws *c, const struct omkt_cloud_conf *cc,
                     const char *name, const char *dlq_arn, char **url,
                     struct omkt_errbuf *eb)
{
    const struct omkt_sqs_queue_attrs a = {
        .visibility_timeout_s = (int)(cc->visibility_ms / 1000),
        .receive_wait_s = OMKT_SQS_MAX_WAIT_S,
        .retention_s = 1209600, /* 14 days, SQS's longest */
        .dlq_arn = dlq_arn,
        .max_receive_count = (int)cc->max_receive_count,
    };
    int ret = omkt_sqs_get_queue_url(c, name, url, eb);

    if (ret != OMKT_ENOTFOUND)
        return ret;
    omkt_errbuf_clear(eb);
    return omkt_sqs_create_queue(c, name, &a, url, eb);
}

/* queues - the dead-letter queue first: the jobs queue redrives to it. */
static int queues(struct bridge_env *e, struct omkt_aws *c,
                  struct omkt_errbuf *eb)
{
    struct omkt_sqs_queue_info qi = {0};
    int ret = queue_url(c, &e->cc, e->cc.dead_queue, NULL, &e->dead_url, eb);

    if (ret == OMKT_OK)
        ret = omkt_sqs_queue_info(c, e->dead_url, &qi, eb);
    if (ret == OMKT_OK)
        ret = queue_url(c, &e->cc, e->cc.jobs_queue, qi.arn, &e->jobs_url, eb);
    if (ret == OMKT_OK)
        ret = queue_url(c, &e->cc, e->cc.results_queue, NULL, &e->results_url,
                        eb);
    omkt_sqs_queue_info_clear(&qi);
    return ret;
}

static bool is_stopping(void *arg)
{
    const struct omkt_daemon *d = arg;

    return atomic_load(&d->is_stopping);
}

int bridge_env_open(struct bridge_env *e, struct omkt_daemon *d,
                    struct omkt_errbuf *eb)
{
    const struct omkt_conf_section sec = {"cloud", omkt_cloud_conf_keys,
                                          omkt_cloud_conf_nkeys, &e->cc};
    enum omkt_cloud_policy policy;
    struct omkt_aws *c = NULL;
    int ret = omkt_conf_load(d->conf_path, &sec, 1, eb);

    e->d = d;
    if (ret == OMKT_OK)
        ret = omkt_cloud_policy_of(e->cc.policy, &policy, eb);
    if (ret == OMKT_OK)
        ret = omkt_s3_conf_load(d->conf_path, &e->s3, eb);
    if (ret == OMKT_OK && (e->cc.staging == NULL || e->cc.staging[0] == '\0')) {
        omkt_errf(eb, "[cloud] staging (s3://bucket/prefix/) is needed by "
                      "a bridge");
        ret = OMKT_ECONF;
    }
    if (ret == OMKT_OK)
        ret = bridge_sqs_new(e, is_stopping, d, &c, eb);
    if (ret == OMKT_OK)
        ret = queues(e, c, eb);
    omkt_aws_free(c);
    /* A send that got no result within every receive a worker may make
     * of it (each a visibility timeout) is sent again. */
    e->resend_after_ms = e->cc.visibility_ms * (e->cc.max_receive_count + 1);
    e->poll_ms = 1000;
    return ret;
}

void bridge_env_close(struct bridge_env *e)
{
    const struct omkt_conf_section sec = {"cloud", omkt_cloud_conf_keys,
                                          omkt_cloud_conf_nkeys, &e->cc};

    omkt_conf_free(&sec, 1);
    omkt_s3_conf_free(&e->s3);
    free(e->jobs_url);
    free(e->results_url);
    free(e->dead_url);
    memset(e, 0, sizeof(*e));
}
