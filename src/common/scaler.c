/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scaler - the EC2 scaler loop (see scaler.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "db_scaler.h"
#include "ec2.h"
#include "log.h"
#include "scaler.h"

#define MAX_GROUPS 16

struct omkt_scaler {
    struct omkt_scaler_conf conf;
    struct omkt_db *db;   /* borrowed */
    struct omkt_aws *ec2; /* borrowed */
    char *user_data;
    char *groups_buf;
    const char *groups[MAX_GROUPS];
    size_t ngroups;
    struct omkt_scale_policy policy;
    struct omkt_scale_state state;
    bool was_leader;
    unsigned seq;                 /* ClientToken suffix */
    struct omkt_scaler_seen seen; /* this tick's, for /metrics */
};

void omkt_scaler_policy(const struct omkt_cloud_conf *c,
                        struct omkt_scale_policy *p)
{
    *p = (struct omkt_scale_policy){.max_instances = (int)c->max_instances,
                                    .jobs_per_instance =
                                        (int)c->jobs_per_instance,
                                    .start_after_ms = c->start_after_ms,
                                    .cooldown_ms = c->cooldown_ms,
                                    .backoff_ms = 10000,
                                    .backoff_max_ms = 600000};
}

/* split_groups - the comma list of security group ids, in s->groups. */
static int split_groups(struct omkt_scaler *s, struct omkt_errbuf *eb)
{
    const char *list = s->conf.cloud->security_groups;
    char *p;

    if (list == NULL || *list == '\0')
        return OMKT_OK;
    s->groups_buf = omkt_xstrdup(list);
    for (p = s->groups_buf; p;) {
        char *comma = strchr(p, ',');

        if (comma)
            *comma = '\0';
        p += strspn(p, " ");
        p[strcspn(p, " ")] = '\0';
        if (*p && s->ngroups == MAX_GROUPS) {
            omkt_errf(eb, "[cloud] security_groups: more than %d", MAX_GROUPS);
            return OMKT_EINVAL;
        }
        if (*p)
            s->groups[s->ngroups++] = p;
        p = comma ? comma + 1 : NULL;
    }
    return OMKT_OK;
}

int omkt_scaler_new(const struct omkt_scaler_conf *conf, struct omkt_db *db,
                    struct omkt_aws *ec2, struct omkt_scaler **out,
                    struct omkt_errbuf *eb)
{
    struct omkt_scaler *s = omkt_xcalloc(1, sizeof(*s));
    int ret;

    *out = NULL;
    s->conf = *conf;
    if (s->conf.lease_ms <= 0)
        s->conf.lease_ms = 30000;
    s->db = db;
    s->ec2 = ec2;
    omkt_scaler_policy(conf->cloud, &s->policy);
    if (conf->backoff_ms > 0)
        s->policy.backoff_ms = conf->backoff_ms;
    if (conf->backoff_max_ms > 0)
        s->policy.backoff_max_ms = conf->backoff_max_ms;
    ret = omkt_scaler_userdata(conf->cloud, &conf->worker, &s->user_data, eb);
    if (ret == OMKT_OK)
        ret = split_groups(s, eb);
    if (ret != OMKT_OK) {
        omkt_scaler_free(s);
        return ret;
    }
    *out = s;
    return OMKT_OK;
}

void omkt_scaler_free(struct omkt_scaler *s)
{
    if (s == NULL)
        return;
    free(s->user_data);
    free(s->groups_buf);
    free(s);
}

/* lead - take or renew the lease; a new leader starts from fresh state
 * but inherits the time of the last start (the cooldown). */
static int lead(struct omkt_scaler *s, int64_t now_ms,
                struct omkt_scaler_tick *t, struct omkt_errbuf *eb)
{
    const char *cl = s->conf.cloud->cluster;
    struct omkt_scaler_lease l;
    int ret = omkt_scaler_lease_take(s->db, cl, s->conf.holder,
                                     s->conf.lease_ms, &l, eb);

    if (ret != OMKT_OK)
        return ret;
    t->is_leader = l.is_leader;
    if (l.is_leader && !s->was_leader) {
        s->state = (struct omkt_scale_state){
            .backlog_since_ms = -1,
            .last_start_ms =
                l.since_start_ms >= 0 ? now_ms - l.since_start_ms : -1,
            .is_init = true};
        omkt_log(OMKT_LOG_NOTICE, "cluster=%s scaler %s leads", cl,
                 s->conf.holder);
    }
    s->was_leader = l.is_leader;
    return OMKT_OK;
}

/* count_states - @l's instances by state into @c (other states, such as
 * terminated, are not listed by the describe filter). */
static void count_states(const struct omkt_ec2_list *l,
                         struct omkt_scaler_seen *c)
{
    *c = (struct omkt_scaler_seen){0};
    for (size_t i = 0; i < l->n; i++) {
        const char *st = l->v[i].state;

        if (strcmp(st, "pending") == 0)
            c->pending++;
        else if (strcmp(st, "running") == 0)
            c->running++;
        else if (strcmp(st, "shutting-down") == 0)
            c->shutting_down++;
        else if (strcmp(st, "stopping") == 0)
            c->stopping++;
        else if (strcmp(st, "stopped") == 0)
            c->stopped++;
    }
}

/* observe - the backlog and the live instances, into @t. */
static int observe(struct omkt_scaler *s, struct omkt_scaler_tick *t,
                   struct omkt_errbuf *eb)
{
    struct omkt_ec2_tag tag = {"omkt:cluster", s->conf.cloud->cluster};
    struct omkt_ec2_list l;
    int ret = s->conf.backlog(s->conf.backlog_arg, s->db, &t->backlog, eb);

    if (ret != OMKT_OK)
        return ret;
    ret = omkt_ec2_describe(s->ec2, &tag, &l, eb);
    if (ret != OMKT_OK)
        return ret;
    t->instances = (int)l.n;
    count_states(&l, &s->seen);
    omkt_ec2_list_clear(&l);
    return OMKT_OK;
}

/* record_seen - what this tick saw and decided, into the lease row for
 * apid's /metrics.  A failure is logged: the scaling goes on. */
static void record_seen(struct omkt_scaler *s, const struct omkt_scaler_tick *t)
{
    struct omkt_errbuf eb = {0};
    int ret;

    s->seen.wanted = t->wanted;
    ret = omkt_scaler_lease_seen(s->db, s->conf.cloud->cluster, s->conf.holder,
                                 &s->seen, &eb);
    if (ret != OMKT_OK)
        omkt_log(OMKT_LOG_WARN, "cluster=%s scaler: recording counts: %s",
                 s->conf.cloud->cluster, omkt_errbuf_str(&eb, ret));
}

/* run - one RunInstances of @n instances; *started gets how many. */
static int run(struct omkt_scaler *s, int n, int64_t now_ms, int *started,
               struct omkt_errbuf *eb)
{
    const struct omkt_cloud_conf *c = s->conf.cloud;
    char name[96], token[65];
    struct omkt_ec2_tag tags[] = {{"omkt:cluster", c->cluster}, {"Name", name}};
    struct omkt_ec2_run r = {.image_id = c->image,
                             .instance_type = c->instance_type,
                             .count = n,
                             .user_data = s->user_data,
                             .subnet_id =
                                 c->subnet && *c->subnet ? c->subnet : NULL,
                             .security_groups = s->groups,
                             .nsecurity_groups = s->ngroups,
                             .instance_profile = c->instance_profile,
                             .tags = tags,
                             .ntags = OMKT_ARRAY_LEN(tags),
                             .is_spot = c->is_spot,
                             .client_token = token,
                             .key_name = c->key_name};
    struct omkt_ec2_list l;
    int ret;

    (void)snprintf(name, sizeof(name), "omkt-worker-%.60s", c->cluster);
    /* unique per call; awsreq's retries of this call resend it as is */
    (void)snprintf(token, sizeof(token), "omkt-%.20s-%" PRId64 "-%u",
                   c->cluster, now_ms, ++s->seq);
    ret = omkt_ec2_run_instances(s->ec2, &r, &l, eb);
    *started = ret == OMKT_OK ? (int)l.n : 0;
    omkt_ec2_list_clear(&l);
    return ret;
}

/* start - mark the start in the lease (fencing), then RunInstances. */
static int start(struct omkt_scaler *s, int64_t now_ms,
                 struct omkt_scaler_tick *t, struct omkt_errbuf *eb)
{
    const char *cl = s->conf.cloud->cluster;
    int ret = omkt_scaler_lease_start(s->db, cl, s->conf.holder, eb);

    if (ret == OMKT_ELOST) {
        omkt_log(OMKT_LOG_NOTICE, "cluster=%s scaler %s lost the lease: %s", cl,
                 s->conf.holder, omkt_errbuf_str(eb, ret));
        t->is_leader = s->was_leader = false;
        return OMKT_OK;
    }
    if (ret != OMKT_OK)
        return ret;
    ret = run(s, t->wanted, now_ms, &t->started, eb);
    if (ret != OMKT_OK) {
        omkt_scale_failed(&s->policy, &s->state, now_ms);
        omkt_log(OMKT_LOG_WARN,
                 "cluster=%s starting %d instances failed (%d before): %s", cl,
                 t->wanted, s->state.failures - 1, omkt_errbuf_str(eb, ret));
        return ret;
    }
    omkt_scale_started(&s->state, now_ms);
    omkt_log(OMKT_LOG_NOTICE,
             "cluster=%s started %d instances (live %d, waiting %d,"
             " in flight %d)",
             cl, t->started, t->instances, t->backlog.waiting,
             t->backlog.in_flight);
    return OMKT_OK;
}

int omkt_scaler_tick(struct omkt_scaler *s, int64_t now_ms,
                     struct omkt_scaler_tick *t, struct omkt_errbuf *eb)
{
    struct omkt_scale_input in;
    int ret;

    *t = (struct omkt_scaler_tick){.instances = -1};
    ret = lead(s, now_ms, t, eb);
    if (ret != OMKT_OK || !t->is_leader)
        return ret;
    ret = observe(s, t, eb);
    if (ret != OMKT_OK)
        return ret;
    in = (struct omkt_scale_input){.now_ms = now_ms,
                                   .backlog = t->backlog.waiting,
                                   .in_flight = t->backlog.in_flight,
                                   .instances = t->instances};
    t->wanted = omkt_scale_decide(&s->policy, &s->state, &in);
    record_seen(s, t);
    return t->wanted > 0 ? start(s, now_ms, t, eb) : OMKT_OK;
}

int omkt_scaler_resign(struct omkt_scaler *s, struct omkt_errbuf *eb)
{
    s->was_leader = false;
    return omkt_scaler_lease_drop(s->db, s->conf.cloud->cluster, s->conf.holder,
                                  eb);
}
