/* SPDX-License-Identifier: GPL-2.0-or-later */
/* idleshare - cluster chores spread over the daemons (see idleshare.h). */
#include <stdlib.h>

#include "db_procs.h"
#include "idleshare.h"
#include "pollbudget.h"

/* The longest a daemon without fresh polls waits between two runs: it
 * learns N only at its runs, so this bounds the delay when most daemons
 * leave at once; past period x N = this, such daemons cost N / 5 min. */
#define COUNTED_MAX_MS 300000
/* The longest a polling daemon waits (it learns N at every poll). */
#define POLLED_MAX_MS 3600000

/* budget - the poll budget of @d per second; 0: off. */
static double budget(const struct omkt_daemon *d)
{
    double per_s = 0;

    if (d->common.poll_budget == NULL ||
        omkt_pollbudget_parse(d->common.poll_budget, &per_s) != OMKT_OK)
        return 0;
    return per_s;
}

/* polled_n - the role's idle processes by the last poll, if it is at
 * most two poll intervals old; 0: no fresh poll. */
static unsigned polled_n(const struct omkt_daemon *d, int64_t now_ms)
{
    int64_t seen = atomic_load(&d->role_seen_ms);
    unsigned n = atomic_load(&d->role_npollers);

    if (seen == 0 || now_ms - seen > 2 * d->common.poll_interval_max_ms)
        return 0;
    return n ? n : 1;
}

/* draw - a delay for a chore of @period_ms shared by @n daemons; @is_first:
 * the phase of a long-running daemon (0..1x), else 0.5..1.5x the mean. */
static int64_t draw(int64_t period_ms, unsigned n, int64_t max_ms,
                    bool is_first)
{
    struct omkt_pollbudget pb = {.per_s = 1000.0 / (double)period_ms,
                                 .max_ms =
                                     max_ms < period_ms ? period_ms : max_ms};
    uint32_t rnd = (uint32_t)random() * 2u + (uint32_t)(random() & 1);

    return is_first ? omkt_pollbudget_first_ms(&pb, n, 1, rnd)
                    : omkt_pollbudget_next_ms(&pb, n, 1, rnd);
}

/* redraw - both times from now, for @n daemons (@max_ms apart at most). */
static void redraw(struct omkt_chores *c, const struct omkt_daemon *d,
                   int64_t now_ms, unsigned n, int64_t max_ms, bool is_first,
                   bool with_reap)
{
    c->next_promote_ms =
        now_ms + draw(OMKT_CHORES_PROMOTE_MS, n, max_ms, is_first);
    if (with_reap)
        c->next_reap_ms =
            now_ms + draw(d->common.reap_interval_ms, n, max_ms, is_first);
    c->drawn_n = n;
}

bool omkt_chores_due(struct omkt_chores *c, const struct omkt_daemon *d,
                     int64_t now_ms, bool *is_reap)
{
    unsigned n = budget(d) > 0 ? polled_n(d, now_ms) : 0;

    if (n > 0 && c->next_promote_ms > 0 &&
        (c->is_counted || n * 2 < c->drawn_n)) {
        redraw(c, d, now_ms, n, POLLED_MAX_MS, true, true);
        c->is_counted = false;
    }
    *is_reap = now_ms >= c->next_reap_ms;
    return *is_reap || now_ms >= c->next_promote_ms;
}

void omkt_chores_ran(struct omkt_chores *c, const struct omkt_daemon *d,
                     struct omkt_db *db, int64_t now_ms, bool was_reap)
{
    unsigned n = 0;

    if (budget(d) <= 0) {
        c->next_promote_ms = now_ms + OMKT_CHORES_PROMOTE_MS;
        if (was_reap)
            c->next_reap_ms = now_ms + d->common.reap_interval_ms;
        return;
    }
    n = polled_n(d, now_ms);
    c->is_counted = n == 0;
    if (n > 0)
        redraw(c, d, now_ms, n, POLLED_MAX_MS, false, was_reap);
    else if (omkt_proc_count_live(
                 db, omkt_pollbudget_fresh_s(d->common.heartbeat_ms), &n,
                 NULL) == OMKT_OK)
        redraw(c, d, now_ms, n, COUNTED_MAX_MS, false, was_reap);
    else
        redraw(c, d, now_ms, 1, COUNTED_MAX_MS, false, was_reap);
}

int64_t omkt_idleshare_tick_ms(const struct omkt_daemon *d, int64_t period_ms,
                               int64_t max_ms)
{
    unsigned n = budget(d) > 0 ? polled_n(d, omkt_now_ms()) : 0;

    return n > 0 ? draw(period_ms, n, max_ms, false) : period_ms;
}
