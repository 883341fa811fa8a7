/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idleshare - the heartbeat thread's cluster chores under the poll budget
 * (DESIGN.md invariant 9).  Promoting due jobs (every second), marking
 * silent processes dead and reaping expired leases (every reap_interval)
 * are work the cluster needs once per period, not once per daemon per
 * period: under a poll budget each of N daemons runs them every N periods
 * on average (jittered, so that together they keep the period).  With
 * poll_budget = off every daemon runs them every period, as before.
 *
 * DESIGN: N costs no statement in a daemon whose worker threads poll: it
 * is the count of the role's idle processes that their last idle poll
 * returned (daemon.h role_npollers), so each role runs the chores once
 * per period (the cluster: once per period per worker role), at most an
 * hour apart.  Those polls are at most poll_interval_max old, which is
 * what lets the hour be safe: when N falls below half of the N the
 * schedule was drawn for (most of the cluster left at once), the schedule
 * is drawn again at once, so the survivors take over within a poll
 * interval instead of after their long draw.  A daemon without fresh
 * polls (apid, or every worker busy) counts the live processes of every
 * role at each run (one statement) and runs at most 5 minutes apart.
 * See docs/scaling.md.
 */
#ifndef OMKT_COMMON_IDLESHARE_H
#define OMKT_COMMON_IDLESHARE_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon.h"

#define OMKT_CHORES_PROMOTE_MS 1000

/* One daemon's chore schedule (zeroed: everything due at once). */
struct omkt_chores {
    int64_t next_promote_ms; /* promote due jobs (omkt_now_ms) */
    int64_t next_reap_ms;    /* mark dead and reap (and promote) */
    unsigned drawn_n;        /* the N the schedule was drawn for */
    bool is_counted;         /* drawn from the registry count */
};

/*
 * omkt_chores_due - whether the chores are due at @now_ms (*is_reap: the
 * reaping ones too).  Redraws @c first, without a statement, when the
 * pollers of @d know a better N (see DESIGN).
 */
bool omkt_chores_due(struct omkt_chores *c, const struct omkt_daemon *d,
                     int64_t now_ms, bool *is_reap);

/*
 * omkt_chores_ran - after running the chores at @now_ms (@was_reap: the
 * reaping ones too): draw the next times.  Under a budget, in a daemon
 * without fresh polls, runs one statement on @db (the count); on its
 * failure, the plain periods.
 */
void omkt_chores_ran(struct omkt_chores *c, const struct omkt_daemon *d,
                     struct omkt_db *db, int64_t now_ms, bool was_reap);

/*
 * omkt_idleshare_tick_ms - the next wait of a periodic task the cluster
 * needs every @period_ms (notifierd's transcoder_cron tick): under a
 * budget, in a daemon whose pollers know N, N x @period_ms jittered
 * (0.5..1.5x) and at most @max_ms (which bounds the delay when most
 * daemons leave at once); else @period_ms.  No statement.
 */
int64_t omkt_idleshare_tick_ms(const struct omkt_daemon *d, int64_t period_ms,
                               int64_t max_ms);

#endif
