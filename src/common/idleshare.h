/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idleshare - the heartbeat thread's cluster chores under the poll budget
 * (DESIGN.md invariant 9).  Promoting due jobs, marking silent processes
 * dead and reaping expired leases are work the cluster needs once per
 * period, not once per daemon per period: under a poll budget each of the
 * N live daemons runs them every N periods on average (jittered, so that
 * together they keep the period), at most 5 minutes apart.  N is counted in
 * the process registry when the schedule is drawn.  With poll_budget =
 * off every daemon runs them every period, as before.  See
 * docs/scaling.md.
 */
#ifndef OMKT_COMMON_IDLESHARE_H
#define OMKT_COMMON_IDLESHARE_H

#include <stdint.h>

#include "daemon.h"

/*
 * omkt_idleshare_next_ms - the delay until this daemon's next run of a
 * chore the cluster needs every @period_ms.  Runs one statement on @db
 * (the count) under a budget; on its failure, @period_ms.
 */
int64_t omkt_idleshare_next_ms(const struct omkt_daemon *d, struct omkt_db *db,
                               int64_t period_ms);

#endif
