/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_policy - the bridge's offload decision (see bridge_policy.h).
 */
#include "bridge_policy.h"

bool omkt_bridge_should_offload(const struct omkt_bridge_view *v)
{
    if (!v->has_queued || v->out >= v->max_out)
        return false;
    switch (v->policy) {
    case OMKT_CLOUD_OFF:
        return false;
    case OMKT_CLOUD_ALWAYS:
        return true;
    case OMKT_CLOUD_OVERFLOW:
        return v->idle_local <= 0 && v->wait_ms > v->overflow_after_ms;
    }
    return false;
}

int64_t omkt_bridge_idle_slots(const struct omkt_proc_load *p, size_t n,
                               int64_t fresh_ms)
{
    int64_t idle = 0;

    for (size_t i = 0; i < n; i++) {
        if (!p[i].is_usable || p[i].heartbeat_age_ms > fresh_ms ||
            p[i].running >= p[i].capacity)
            continue;
        idle += p[i].capacity - p[i].running;
    }
    return idle;
}
