/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloudconf - the [cloud] keys and the policy (see cloudconf.h and
 * docs/cloud.md, "Configuration").  The table is the one owner of the
 * keys, their defaults and bounds; every program that reads [cloud] puts
 * it in its section list.  [cloud.account-ID] sections are accepted by
 * conf.c and read here, one account at a time, when a policy is asked.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "cloudconf.h"

#define CC(name, type, def, min, max, field)                                   \
    {                                                                          \
        name, type, def, min, max, false, false,                               \
            offsetof(struct omkt_cloud_conf, field)                            \
    }
#define DAY_MS 86400000

const struct omkt_conf_key omkt_cloud_conf_keys[] = {
    CC("policy", OMKT_CONF_STR, "off", 0, -1, policy),
    CC("overflow_after", OMKT_CONF_DURATION, "2m", 0, DAY_MS,
       overflow_after_ms),
    CC("region", OMKT_CONF_STR, "us-east-1", 0, -1, region),
    CC("sqs_endpoint", OMKT_CONF_STR, NULL, 0, -1, sqs_endpoint),
    CC("ec2_endpoint", OMKT_CONF_STR, NULL, 0, -1, ec2_endpoint),
    CC("imds_endpoint", OMKT_CONF_STR, "http://169.254.169.254", 0, -1,
       imds_endpoint),
    CC("allow_private", OMKT_CONF_BOOL, "no", 0, -1, allow_private),
    CC("jobs_queue", OMKT_CONF_STR, "omkt-jobs", 0, -1, jobs_queue),
    CC("results_queue", OMKT_CONF_STR, "omkt-results", 0, -1, results_queue),
    CC("dead_queue", OMKT_CONF_STR, "omkt-dead", 0, -1, dead_queue),
    CC("max_receive_count", OMKT_CONF_INT, "5", 1, 1000, max_receive_count),
    /* SQS takes visibility timeouts of 0 s to 12 h */
    CC("visibility", OMKT_CONF_DURATION, "5m", 3000, 43200000, visibility_ms),
    CC("staging", OMKT_CONF_STR, NULL, 0, -1, staging),
    CC("bridge_jobs", OMKT_CONF_INT, "16", 1, 10000, bridge_jobs),
    CC("idle_terminate", OMKT_CONF_DURATION, "10m", 0, 7 * (int64_t)DAY_MS,
       idle_terminate_ms),
    /* AWS's advice: poll the interruption notice every 5 s */
    CC("spot_poll", OMKT_CONF_DURATION, "5s", 100, 60000, spot_poll_ms),
    CC("cluster", OMKT_CONF_STR, "omkt", 0, -1, cluster),
    CC("max_instances", OMKT_CONF_INT, "0", 0, 10000, max_instances),
    CC("jobs_per_instance", OMKT_CONF_INT, "2", 1, 1000, jobs_per_instance),
    CC("start_after", OMKT_CONF_DURATION, "30s", 0, DAY_MS, start_after_ms),
    CC("cooldown", OMKT_CONF_DURATION, "60s", 0, DAY_MS, cooldown_ms),
    CC("image", OMKT_CONF_STR, NULL, 0, -1, image),
    CC("instance_type", OMKT_CONF_STR, NULL, 0, -1, instance_type),
    CC("subnet", OMKT_CONF_STR, NULL, 0, -1, subnet),
    CC("security_groups", OMKT_CONF_STR, NULL, 0, -1, security_groups),
    CC("instance_profile", OMKT_CONF_STR, NULL, 0, -1, instance_profile),
    CC("spot", OMKT_CONF_BOOL, "no", 0, -1, is_spot),
    CC("key_name", OMKT_CONF_STR, NULL, 0, -1, key_name),
    CC("worker_program", OMKT_CONF_STR, "/usr/sbin/transcoderd", 0, -1,
       worker_program),
    CC("worker_conf", OMKT_CONF_STR, "/etc/omkt/omkt.conf", 0, -1, worker_conf),
    CC("scaler_tick", OMKT_CONF_DURATION, "10s", 100, 600000, scaler_tick_ms),
};

const size_t omkt_cloud_conf_nkeys = OMKT_ARRAY_LEN(omkt_cloud_conf_keys);

int omkt_cloud_policy_of(const char *text, enum omkt_cloud_policy *out,
                         struct omkt_errbuf *eb)
{
    static const struct {
        const char *name;
        enum omkt_cloud_policy policy;
    } names[] = {
        {"off", OMKT_CLOUD_OFF},
        {"overflow", OMKT_CLOUD_OVERFLOW},
        {"always", OMKT_CLOUD_ALWAYS},
    };

    for (size_t i = 0; text != NULL && i < OMKT_ARRAY_LEN(names); i++) {
        if (strcmp(text, names[i].name) == 0) {
            *out = names[i].policy;
            return OMKT_OK;
        }
    }
    omkt_errf(eb, "cloud policy '%s': expected off, overflow or always",
              text ? text : "");
    return OMKT_EINVAL;
}

/* The one key of [cloud.account-ID]. */
struct account_conf {
    char *policy;
};
static const struct omkt_conf_key account_keys[] = {
    {"policy", OMKT_CONF_STR, NULL, 0, -1, false, false,
     offsetof(struct account_conf, policy)},
};

int omkt_cloud_account_policy(const struct omkt_cloud_conf *c,
                              const char *conf_path, int64_t account_id,
                              enum omkt_cloud_policy *out,
                              struct omkt_errbuf *eb)
{
    struct account_conf ac = {0};
    char name[64];
    struct omkt_conf_section sec = {name, account_keys,
                                    OMKT_ARRAY_LEN(account_keys), &ac};
    int ret = OMKT_OK;

    snprintf(name, sizeof(name), "cloud.account-%" PRId64, account_id);
    if (conf_path != NULL && *conf_path != '\0')
        ret = omkt_conf_load(conf_path, &sec, 1, eb);
    if (ret == OMKT_OK)
        ret = omkt_cloud_policy_of(
            ac.policy && *ac.policy ? ac.policy : c->policy, out, eb);
    omkt_conf_free(&sec, 1);
    return ret;
}

const char *omkt_cloud_endpoint(const struct omkt_cloud_conf *c,
                                const char *service, char *buf, size_t size)
{
    const char *set =
        strcmp(service, "sqs") == 0 ? c->sqs_endpoint : c->ec2_endpoint;
    const char *region = c->region && *c->region ? c->region : "us-east-1";

    if (set != NULL && *set != '\0')
        snprintf(buf, size, "%s", set);
    else
        snprintf(buf, size, "https://%s.%s.amazonaws.com", service, region);
    return buf;
}
