/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ratewin - the sliding-window arithmetic of one account's cluster-wide
 * rate limit, without I/O or locks (apid's ratelimit.c and ratesync.c
 * add both), so it can be tested alone.
 *
 * DESIGN: minutes are wall-clock (ms since the epoch / 60000), the same
 * on every host as long as their clocks agree.  The calls of the last 60
 * s are estimated as this minute's plus the previous minute's weighted
 * by the part of it still inside the window (an even spread).  A window
 * counts this process's calls (cur, prev) and remembers how many of them
 * were written to the database (sent_*).  A read-back of the cluster
 * totals (seen_*) records how many of this process's calls it already
 * includes (own_*), so only the rest is added on top: no call is counted
 * twice, and a read-back of the previous minute still serves after the
 * minute rolls over.  Without a read-back of this or the previous minute
 * (database away) the estimate is this process's calls alone.
 */
#ifndef OMKT_COMMON_RATEWIN_H
#define OMKT_COMMON_RATEWIN_H

#include <stdbool.h>
#include <stdint.h>

/* One account's window.  All zero is a valid empty one. */
struct omkt_ratewin {
    int64_t minute;      /* of cur */
    int64_t cur, prev;   /* this process's calls in minute, minute - 1 */
    int64_t sent_cur;    /* of cur, written to the database */
    int64_t sent_prev;   /* of prev, written to the database */
    int64_t seen_minute; /* of the last read-back; 0: none */
    int64_t seen_cur;    /* cluster calls in seen_minute */
    int64_t seen_prev;   /* cluster calls in seen_minute - 1 */
    int64_t own_cur;     /* this process's calls included in seen_cur */
    int64_t own_prev;    /* ... and in seen_prev */
};

/* What a flush takes from a window: its state when marked. */
struct omkt_ratewin_mark {
    int64_t minute;
    int64_t cur, prev;         /* this process's calls then */
    int64_t new_cur, new_prev; /* of those, not yet written */
    int64_t total_cur;         /* read back: cluster calls in minute */
    int64_t total_prev;        /* ... and in minute - 1 */
};

/* omkt_ratewin_minute - the wall-clock minute of @now_ms. */
int64_t omkt_ratewin_minute(int64_t now_ms);

/*
 * omkt_ratewin_count - the estimated cluster-wide calls of the 60 s
 * before @now_ms (wall clock).  Rolls @w forward to @now_ms's minute.
 */
int64_t omkt_ratewin_count(struct omkt_ratewin *w, int64_t now_ms);

/*
 * omkt_ratewin_take - count one call at @now_ms unless the estimate
 * already reaches @limit (then false, and the call is not counted).
 * @limit <= 0: no limit.
 */
bool omkt_ratewin_take(struct omkt_ratewin *w, int64_t limit, int64_t now_ms);

/*
 * omkt_ratewin_mark - roll @w forward to @minute (if behind) and fill @m
 * with what a flush writes: m->new_* calls of m->minute and the minute
 * before.  Returns false when @w had no call in either (nothing to
 * write or read).
 */
bool omkt_ratewin_mark(struct omkt_ratewin *w, int64_t minute,
                       struct omkt_ratewin_mark *m);

/* omkt_ratewin_sent - @m's new calls reached the database. */
void omkt_ratewin_sent(struct omkt_ratewin *w,
                       const struct omkt_ratewin_mark *m);

/*
 * omkt_ratewin_seen - the cluster totals m->total_* were read after @m
 * was sent (so they include m->cur and m->prev).
 */
void omkt_ratewin_seen(struct omkt_ratewin *w,
                       const struct omkt_ratewin_mark *m);

#endif
