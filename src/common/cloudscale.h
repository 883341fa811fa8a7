/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloudscale - the EC2 scaler's decision: how many instances to start
 * now, as a pure function of (time, backlog, instances) and the
 * scaler's own memory.  No clock, no I/O: the caller passes the time,
 * so tests and bench/scale drive it with a simulated clock.
 *
 * DESIGN: demand is the jobs waiting for a cloud worker plus those being
 * worked; each instance runs jobs_per_instance at once, so demand needs
 * ceil(demand / jobs_per_instance) instances, never more than
 * max_instances.  Instances already live (pending ones included) count
 * as capacity.  A start needs the backlog to have lasted start_after_ms
 * (a burst that local workers absorb starts nothing), and none may
 * follow another within cooldown_ms: DescribeInstances is eventually
 * consistent, so an instance just started may not be counted yet, and
 * starting again would overshoot the maximum.  After a failed
 * RunInstances (RequestLimitExceeded, InsufficientInstanceCapacity) no
 * start happens before a doubling, capped backoff has passed.  The
 * scaler never terminates instances: idle workers terminate their own.
 */
#ifndef OMKT_COMMON_CLOUDSCALE_H
#define OMKT_COMMON_CLOUDSCALE_H

#include <stdbool.h>
#include <stdint.h>

/* Configuration ([cloud] keys). */
struct omkt_scale_policy {
    int max_instances;      /* hard cap on live instances (>= 0) */
    int jobs_per_instance;  /* jobs one instance runs at once (>= 1) */
    int64_t start_after_ms; /* backlog must last this long */
    int64_t cooldown_ms;    /* between two starts */
    int64_t backoff_ms;     /* after a failed start; doubles */
    int64_t backoff_max_ms; /* cap of that backoff */
};

/* What the scaler remembers between decisions (zero it to begin). */
struct omkt_scale_state {
    int64_t backlog_since_ms; /* when the backlog appeared; -1: none */
    int64_t last_start_ms;    /* -1: never */
    int64_t blocked_until_ms; /* no start before (failure backoff) */
    int failures;             /* consecutive failed starts */
    bool is_init;             /* set by the first decision */
};

/* One observation. */
struct omkt_scale_input {
    int64_t now_ms;
    int backlog;   /* jobs sent and not yet taken by a worker */
    int in_flight; /* jobs being worked by cloud workers */
    int instances; /* live instances (pending, running) */
};

/* omkt_scale_desired - instances the demand of @in needs under @p,
 * capped at p->max_instances. */
int omkt_scale_desired(const struct omkt_scale_policy *p,
                       const struct omkt_scale_input *in);

/*
 * omkt_scale_decide - how many instances to start now (0 or more; never
 * past p->max_instances with in->instances).  Updates @s: call it at
 * every observation, in time order, and omkt_scale_started or
 * omkt_scale_failed with the outcome of a non-zero answer.
 */
int omkt_scale_decide(const struct omkt_scale_policy *p,
                      struct omkt_scale_state *s,
                      const struct omkt_scale_input *in);

/* omkt_scale_started - RunInstances succeeded at @now_ms. */
void omkt_scale_started(struct omkt_scale_state *s, int64_t now_ms);

/* omkt_scale_failed - RunInstances failed at @now_ms: back off. */
void omkt_scale_failed(const struct omkt_scale_policy *p,
                       struct omkt_scale_state *s, int64_t now_ms);

#endif
