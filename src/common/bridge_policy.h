/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_policy - when a bridge takes a queued transcode to send it to
 * the cloud tier: a pure function of what the bridge sees, so it is
 * unit-tested without a database (tests/unit/test_bridge_policy.c).
 *
 * DESIGN: `always` offloads whatever is queued; `overflow` only a job
 * that has waited longer than overflow_after, which local workers leave
 * queued only when they are all busy (an idle one claims within its poll
 * interval, [common] poll_max, well under overflow_after); `off` never.
 * The policy is the account's (its [cloud.account-ID] override) of the
 * job next in line.  A bridge keeps at most bridge_jobs jobs out.
 */
#ifndef OMKT_COMMON_BRIDGE_POLICY_H
#define OMKT_COMMON_BRIDGE_POLICY_H

#include <stdbool.h>
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

#endif
