/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloudscale - the scaler's pure decision function (see cloudscale.h).
 */
#include "cloudscale.h"

int omkt_scale_desired(const struct omkt_scale_policy *p,
                       const struct omkt_scale_input *in)
{
    int per = p->jobs_per_instance > 0 ? p->jobs_per_instance : 1;
    int64_t demand = (int64_t)(in->backlog > 0 ? in->backlog : 0) +
                     (in->in_flight > 0 ? in->in_flight : 0);
    int64_t want = (demand + per - 1) / per;

    if (want > p->max_instances)
        want = p->max_instances;
    return want > 0 ? (int)want : 0;
}

/* track_backlog - remember since when a backlog has been waiting. */
static void track_backlog(struct omkt_scale_state *s,
                          const struct omkt_scale_input *in)
{
    if (!s->is_init) {
        s->backlog_since_ms = -1;
        s->last_start_ms = -1;
        s->blocked_until_ms = 0;
        s->failures = 0;
        s->is_init = true;
    }
    if (in->backlog <= 0)
        s->backlog_since_ms = -1;
    else if (s->backlog_since_ms < 0)
        s->backlog_since_ms = in->now_ms;
}

int omkt_scale_decide(const struct omkt_scale_policy *p,
                      struct omkt_scale_state *s,
                      const struct omkt_scale_input *in)
{
    int need;

    track_backlog(s, in);
    if (s->backlog_since_ms < 0 ||
        in->now_ms - s->backlog_since_ms < p->start_after_ms)
        return 0; /* no backlog, or not for long enough */
    if (in->now_ms < s->blocked_until_ms)
        return 0; /* backing off after a failed start */
    if (s->last_start_ms >= 0 && in->now_ms - s->last_start_ms < p->cooldown_ms)
        return 0; /* the last start may not be counted yet */
    need = omkt_scale_desired(p, in) - (in->instances > 0 ? in->instances : 0);
    return need > 0 ? need : 0;
}

void omkt_scale_started(struct omkt_scale_state *s, int64_t now_ms)
{
    s->last_start_ms = now_ms;
    s->failures = 0;
    s->blocked_until_ms = 0;
}

void omkt_scale_failed(const struct omkt_scale_policy *p,
                       struct omkt_scale_state *s, int64_t now_ms)
{
    int64_t d = p->backoff_ms > 0 ? p->backoff_ms : 1000;

    for (int i = 0; i < s->failures && d < p->backoff_max_ms; i++)
        d *= 2;
    if (p->backoff_max_ms > 0 && d > p->backoff_max_ms)
        d = p->backoff_max_ms;
    s->failures++;
    s->blocked_until_ms = now_ms + d;
}
