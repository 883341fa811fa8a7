/* SPDX-License-Identifier: GPL-2.0-or-later */
/* idleshare - cluster chores spread over the daemons (see idleshare.h). */
#include <stdlib.h>

#include "db_procs.h"
#include "idleshare.h"
#include "pollbudget.h"

/* The longest a daemon waits between two runs of a chore: bounds the
 * delay when most daemons leave at once (the others still believe the old
 * N); past period x N = this, the chores cost N / 5 min instead. */
#define SHARE_MAX_MS 300000

int64_t omkt_idleshare_next_ms(const struct omkt_daemon *d, struct omkt_db *db,
                               int64_t period_ms)
{
    struct omkt_pollbudget pb = {.per_s = 1000.0 / (double)period_ms,
                                 .max_ms = SHARE_MAX_MS};
    double budget = 0;
    unsigned n = 0;
    uint32_t rnd = (uint32_t)random() * 2u + (uint32_t)(random() & 1);

    if (d->common.poll_budget == NULL ||
        omkt_pollbudget_parse(d->common.poll_budget, &budget) != 0 ||
        budget <= 0)
        return period_ms;
    if (omkt_proc_count_live(
            db, omkt_pollbudget_fresh_s(d->common.heartbeat_ms), &n, NULL) != 0)
        return period_ms;
    if (pb.max_ms < period_ms)
        pb.max_ms = period_ms;
    return omkt_pollbudget_next_ms(&pb, n, 1, rnd);
}
