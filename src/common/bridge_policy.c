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
