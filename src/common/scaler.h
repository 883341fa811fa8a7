/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scaler - the EC2 scaler loop around the pure decision of cloudscale:
 * each tick, a candidate takes or renews the cluster's scaler lease
 * (db_scaler); the leader counts the live instances tagged omkt:cluster
 * (DescribeInstances), reads the cloud backlog, asks omkt_scale_decide
 * and starts what it answers with one RunInstances carrying the
 * rendered user-data (scaler_userdata).
 *
 * DESIGN: any number of candidates (one per bridge) may run; only the
 * lease holder scales, and it marks each start in the lease row before
 * calling RunInstances (a deposed leader's mark fails: it starts
 * nothing), so two candidates never both start and never pass
 * max_instances together.  A new leader inherits the last start's time
 * and waits out the cooldown, as DescribeInstances may not list what its
 * predecessor just started.  The backlog comes through a callback: the
 * bridge owns the record of jobs sent and not yet resulted.  Instances
 * are never terminated here: idle workers terminate themselves.
 * Threads: one scaler per thread, with its own DB connection and EC2
 * client.
 */
#ifndef OMKT_COMMON_SCALER_H
#define OMKT_COMMON_SCALER_H

#include <stdbool.h>
#include <stdint.h>

#include "awsreq.h"
#include "cloudconf.h"
#include "cloudscale.h"
#include "db.h"
#include "scaler_userdata.h"

/* The cloud backlog. */
struct omkt_scaler_backlog {
    int waiting;   /* sent to the jobs queue, not yet taken by a worker */
    int in_flight; /* being worked by a cloud worker */
};

/* omkt_scaler_backlog_fn - fill *out; an error skips the tick.  @db is
 * the scaler's own connection (its thread's), for a count in SQL. */
typedef int (*omkt_scaler_backlog_fn)(void *arg, struct omkt_db *db,
                                      struct omkt_scaler_backlog *out,
                                      struct omkt_errbuf *eb);

/* Settings.  Pointers borrowed for the scaler's life. */
struct omkt_scaler_conf {
    const struct omkt_cloud_conf *cloud;
    struct omkt_scaler_worker worker; /* user-data paths */
    const char *holder;               /* this candidate: "host:pid" */
    int64_t lease_ms;                 /* 0: 30 s */
    int64_t backoff_ms;               /* after a failed start; 0: 10 s */
    int64_t backoff_max_ms;           /* its cap; 0: 10 min */
    omkt_scaler_backlog_fn backlog;
    void *backlog_arg;
};

/* What one tick saw and did (logs, tests). */
struct omkt_scaler_tick {
    bool is_leader;
    int instances; /* live, as described; -1: not counted */
    struct omkt_scaler_backlog backlog;
    int wanted;  /* omkt_scale_decide's answer */
    int started; /* instances RunInstances started */
};

struct omkt_scaler;

/* omkt_scaler_policy - the decision's policy from [cloud] @c (backoff:
 * 10 s doubling up to 10 min; the scaler's conf may override it). */
void omkt_scaler_policy(const struct omkt_cloud_conf *c,
                        struct omkt_scale_policy *p);

/*
 * omkt_scaler_new - a scaler on @db and the EC2 client @ec2 (both
 * borrowed, used only by omkt_scaler_tick).  Renders the user-data once:
 * OMKT_EINVAL / OMKT_ETOOBIG from omkt_scaler_userdata.
 */
int omkt_scaler_new(const struct omkt_scaler_conf *conf, struct omkt_db *db,
                    struct omkt_aws *ec2, struct omkt_scaler **out,
                    struct omkt_errbuf *eb);
void omkt_scaler_free(struct omkt_scaler *s);

/*
 * omkt_scaler_tick - one round at @now_ms (a monotonic clock): lease,
 * count, decide, start.  *t says what happened.  A failed RunInstances
 * backs off (omkt_scale_failed) and is returned with @eb (OMKT_EPERM for
 * a wrong key: the caller should say so loudly); lease, backlog and
 * describe failures skip the tick.
 */
int omkt_scaler_tick(struct omkt_scaler *s, int64_t now_ms,
                     struct omkt_scaler_tick *t, struct omkt_errbuf *eb);

/* omkt_scaler_resign - give up the lease (clean stop). */
int omkt_scaler_resign(struct omkt_scaler *s, struct omkt_errbuf *eb);

#endif
