/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_policy - when a bridge takes a queued transcode to send it to
 * the cloud tier: a pure function of what the bridge sees, so it is
 * unit-tested without a database (tests/unit/test_bridge_policy.c).
 *
 * DESIGN: `always` offloads whatever is queued; `overflow` only a job
 * that has waited longer than overflow_after, which local workers leave
 * queued only when they are all busy (an idle one claims within its poll
 * interval, [common] poll_max, well under overflow_after), and only when
 * no transcoderd of the cluster, on any host, has a free slot (by the
 * database: processes alive by heartbeat, their capacity and running
 * jobs, omkt_bridge_idle_slots); `off` never.
 * The policy is the account's (its [cloud.account-ID] override) of the
 * job next in line.  A bridge keeps at most bridge_jobs jobs out.
 */
#ifndef OMKT_COMMON_BRIDGE_POLICY_H
#define OMKT_COMMON_BRIDGE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cloudconf.h"

struct omkt_bridge_view {
    enum omkt_cloud_policy policy; /* of the next job's account */
    bool has_queued;               /* a transcode is queued */
    int64_t wait_ms;               /* how long the next one has waited */
    int64_t overflow_after_ms;
    int64_t idle_local; /* local worker threads idle; -1: unknown */
    int64_t out;        /* jobs this bridge has out */
    int64_t max_out;    /* bridge_jobs */
};

/* omkt_bridge_should_offload - take the next queued transcode now? */
bool omkt_bridge_should_offload(const struct omkt_bridge_view *v);

/* One transcoderd as the database sees it (omkt_proc_transcode_load). */
struct omkt_proc_load {
    int64_t capacity;         /* local worker threads */
    bool is_usable;           /* running, its host not drained */
    int64_t heartbeat_age_ms; /* since its last heartbeat */
    int64_t running;          /* local transcodes it runs */
};

/*
 * omkt_bridge_idle_slots - the cluster's idle local transcoding slots
 * (the view's idle_local): the free slots of every usable transcoderd
 * whose heartbeat is at most @fresh_ms old.  A silent process (its host
 * died or is cut off), a draining one or one on a drained host offers
 * none: it claims nothing.
 */
int64_t omkt_bridge_idle_slots(const struct omkt_proc_load *p, size_t n,
                               int64_t fresh_ms);

#endif
