/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scaler_svc - a scaler candidate on a ticker thread (see scaler_svc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "alloc.h"
#include "daemon.h"
#include "log.h"
#include "s3cred.h"
#include "scaler_svc.h"
#include "ticker.h"

struct omkt_scaler_svc {
    struct omkt_scaler_svc_conf conf;
    char holder[320]; /* conf.scaler.holder when omkt_scaler_svc_open
                         named it */
    struct omkt_db *db;
    struct omkt_aws *ec2;
    struct omkt_scaler *scaler;
    struct omkt_ticker ticker;
};

/* tick - one scaler round; the last one (shutdown) resigns instead. */
static void tick(void *ctx, bool is_last)
{
    struct omkt_scaler_svc *s = ctx;
    struct omkt_scaler_tick t = {.instances = -1};
    struct omkt_errbuf eb = {0};
    int rc;

    if (is_last) {
        rc = omkt_scaler_resign(s->scaler, &eb);
        if (rc != OMKT_OK)
            omkt_log(OMKT_LOG_WARN, "scaler: resign: %s",
                     omkt_errbuf_str(&eb, rc));
        return;
    }
    rc = omkt_scaler_tick(s->scaler, omkt_now_ms(), &t, &eb);
    if (rc == OMKT_EPERM)
        omkt_log(OMKT_LOG_ERR, "scaler: check the AWS credentials: %s",
                 omkt_errbuf_str(&eb, rc));
    else if (rc != OMKT_OK)
        omkt_log(OMKT_LOG_WARN, "scaler: %s", omkt_errbuf_str(&eb, rc));
    if (s->conf.on_tick)
        s->conf.on_tick(s->conf.tick_arg, &t, rc, &eb);
}

/* make - the connection, the EC2 client and the scaler. */
static int make(struct omkt_scaler_svc *s, struct omkt_errbuf *eb)
{
    const struct omkt_cloud_conf *cc = s->conf.scaler.cloud;
    char ep[256];
    struct omkt_aws_config ac = {
        .endpoint = omkt_cloud_endpoint(cc, "ec2", ep, sizeof(ep)),
        .region = cc->region,
        .service = "ec2",
        .max_attempts = 3,
        .backoff_ms = 250,
        .backoff_max_ms = 2000,
        .lim = {.allow_private = cc->allow_private}};
    int ret = omkt_db_open(s->conf.db, &s->db, eb);

    if (ret == OMKT_OK)
        ret = omkt_aws_new(&ac, s->conf.creds, &s->ec2, eb);
    if (ret == OMKT_OK)
        ret = omkt_scaler_new(&s->conf.scaler, s->db, s->ec2, &s->scaler, eb);
    return ret;
}

/* release - what make made (any part may be missing). */
static void release(struct omkt_scaler_svc *s)
{
    omkt_scaler_free(s->scaler);
    omkt_aws_free(s->ec2);
    omkt_db_close(s->db);
    free(s);
}

int omkt_scaler_svc_start(const struct omkt_scaler_svc_conf *c,
                          struct omkt_scaler_svc **out, struct omkt_errbuf *eb)
{
    struct omkt_scaler_svc *s = omkt_xcalloc(1, sizeof(*s));
    int64_t period = c->tick_ms > 0 ? c->tick_ms : 10000;
    int ret;

    *out = NULL;
    s->conf = *c;
    if (c->scaler.holder == NULL) {
        char host[256] = "localhost";

        (void)gethostname(host, sizeof(host) - 1); /* keeps "localhost" */
        (void)snprintf(s->holder, sizeof(s->holder), "%s:%ld", host,
                       (long)getpid());
        s->conf.scaler.holder = s->holder;
    }
    ret = make(s, eb);
    if (ret == OMKT_OK)
        ret = omkt_ticker_start(&s->ticker, (unsigned)period, tick, s);
    if (ret != OMKT_OK) {
        release(s);
        return ret;
    }
    omkt_ticker_poke(&s->ticker); /* the first tick now, not in a period */
    *out = s;
    return OMKT_OK;
}

void omkt_scaler_svc_stop(struct omkt_scaler_svc *s)
{
    if (s == NULL)
        return;
    omkt_ticker_stop(&s->ticker);
    release(s);
}

/* worker_from_conf - what @c leaves unset of the user-data's worker:
 * program and configuration path from [cloud], the store's endpoint,
 * addressing and address policy from the daemon's own [s3] @p (the
 * worker reads the staging area the bridge writes); tick from [cloud]
 * and a lease of three ticks (a dead leader is replaced that soon). */
static void worker_from_conf(struct omkt_scaler_svc_conf *c,
                             const struct omkt_s3_profile *p)
{
    struct omkt_scaler_worker *w = &c->scaler.worker;
    const struct omkt_cloud_conf *cc = c->scaler.cloud;

    if (w->program == NULL)
        w->program = cc->worker_program;
    if (w->conf_path == NULL)
        w->conf_path = cc->worker_conf;
    if (w->s3_endpoint == NULL)
        w->s3_endpoint = p->endpoint;
    if (w->s3_addressing == NULL && p->addressing == OMKT_S3_PATH)
        w->s3_addressing = "path";
    if (w->s3_allow_private == NULL && p->is_allow_private)
        w->s3_allow_private = "yes";
    if (c->tick_ms <= 0)
        c->tick_ms = cc->scaler_tick_ms;
    if (c->scaler.lease_ms <= 0 && c->tick_ms > 0)
        c->scaler.lease_ms = 3 * c->tick_ms; /* 30 s at the default tick */
}

int omkt_scaler_svc_open(const char *conf_path,
                         const struct omkt_scaler_svc_conf *c,
                         struct omkt_scaler_svc **out, struct omkt_errbuf *eb)
{
    struct omkt_s3_conf s3 = {0};
    struct omkt_s3_config unused;
    struct omkt_s3_creds cr = {0};
    struct omkt_scaler_svc_conf sc = *c;
    int ret;

    *out = NULL;
    if (c->scaler.cloud->max_instances <= 0)
        return OMKT_OK; /* scaling is off */
    ret = omkt_s3_conf_load(conf_path, &s3, eb);
    if (ret == OMKT_OK)
        ret = omkt_s3_resolve(&s3, NULL, NULL, &unused, &cr, eb);
    if (ret == OMKT_OK) {
        worker_from_conf(&sc, &s3.v[0]); /* rendered at start */
        sc.creds = &cr;                  /* copied by the EC2 client */
        ret = omkt_scaler_svc_start(&sc, out, eb);
    }
    omkt_s3_creds_clear(&cr);
    omkt_s3_conf_free(&s3);
    return ret;
}
